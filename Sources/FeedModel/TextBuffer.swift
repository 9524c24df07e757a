/// ASCII text built as bytes, without intermediate `String`s: what timestamps, prices and the
/// CLI's output lines are written into when millions of them are printed.
///
/// Owned by one thread; reuse one buffer (``removeAll()``) for line after line.
public struct TextBuffer: Sendable {
    /// The text so far, UTF-8.
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// The text so far as a `String`.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// The number of bytes so far (characters, for ASCII text).
    public var count: Int { bytes.count }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Drops everything after the first `count` bytes.
    public mutating func truncate(to count: Int) { bytes.removeSubrange(count...) }

    /// Pads the text written since offset `start` with spaces to `width` characters, before it
    /// when `rightAligned`, after it otherwise: a table cell. ASCII text only.
    public mutating func pad(from start: Int, toWidth width: Int, rightAligned: Bool) {
        let missing = width - (bytes.count - start)
        guard missing > 0 else { return }
        if rightAligned {
            bytes.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: missing), at: start)
        } else {
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: missing))
        }
    }

    /// Removes the spaces at the end.
    public mutating func trimTrailingSpaces() {
        while bytes.last == UInt8(ascii: " ") { bytes.removeLast() }
    }

    public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    public mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    public mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    /// Appends `value` in decimal, zero-padded to at least `width` digits.
    public mutating func append(_ value: UInt64, width: Int = 1) {
        var digits = 0
        var rest = value
        repeat {
            digits += 1
            rest /= 10
        } while rest > 0
        let count = max(width, digits)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var index = bytes.count - 1
        rest = value
        repeat {
            bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
    }

    /// Appends `value` in decimal with a leading `-` when negative.
    public mutating func append(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        append(value.magnitude)
    }
}
