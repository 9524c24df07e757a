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

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

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
