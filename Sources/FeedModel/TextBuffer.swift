/// ASCII text built as bytes, without intermediate `String`s: what timestamps, prices and the
/// CLI's output lines are written into when millions of them are printed.
///
/// Owned by one thread; reuse one buffer (``removeAll()``) for line after line. The small
/// methods are inlinable so that callers in other modules get them specialised and inlined.
public struct TextBuffer: Sendable {
    @usableFromInline var storage: [UInt8] = []

    public init(capacity: Int = 256) { storage.reserveCapacity(capacity) }

    /// The text so far, UTF-8.
    public var bytes: [UInt8] { storage }

    /// The text so far as a `String`.
    public var string: String { String(decoding: storage, as: UTF8.self) }

    /// The number of bytes so far (characters, for ASCII text).
    @inlinable public var count: Int { storage.count }

    @inlinable public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    /// Drops everything after the first `count` bytes.
    @inlinable public mutating func truncate(to count: Int) { storage.removeSubrange(count...) }

    /// Pads the text written since offset `start` with spaces to `width` characters, before it
    /// when `rightAligned`, after it otherwise: a table cell. ASCII text only.
    public mutating func pad(from start: Int, toWidth width: Int, rightAligned: Bool) {
        let missing = width - (storage.count - start)
        guard missing > 0 else { return }
        if rightAligned {
            storage.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: missing), at: start)
        } else {
            storage.append(contentsOf: repeatElement(UInt8(ascii: " "), count: missing))
        }
    }

    /// Removes the spaces at the end.
    public mutating func trimTrailingSpaces() {
        while storage.last == UInt8(ascii: " ") { storage.removeLast() }
    }

    @inlinable public mutating func append(_ byte: UInt8) { storage.append(byte) }

    @inlinable public mutating func append(_ text: String) { storage.append(contentsOf: text.utf8) }

    @inlinable public mutating func append(_ bytes: [UInt8]) { storage.append(contentsOf: bytes) }

    @inlinable public mutating func append(_ raw: UnsafeRawBufferPointer) { storage.append(contentsOf: raw) }

    /// Appends `value` in decimal, zero-padded to at least `width` digits (at most 32).
    @inlinable public mutating func append(_ value: UInt64, width: Int = 1) {
        // Digits are written backwards into a stack buffer, then copied in once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            var index = 32
            var rest = value
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            while 32 - index < width && index > 0 {
                index -= 1
                digits[index] = UInt8(ascii: "0")
            }
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }

    /// Appends `value` in decimal with a leading `-` when negative.
    @inlinable public mutating func append(_ value: Int64) {
        if value < 0 { storage.append(UInt8(ascii: "-")) }
        append(value.magnitude)
    }
}
