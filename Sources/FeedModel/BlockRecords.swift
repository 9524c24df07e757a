/// Walks the records of a ``MessageBlock``'s bytes in place (`u16 topic_len, topic, u16 body_len,
/// body`, little-endian), checking every length against the buffer. The one reader of the block
/// layout: ``MessageBlock/forEach(_:)`` and the history's stored blocks both walk with it, without
/// allocating per message.
public struct BlockRecords {
    /// A record that runs past the end of the buffer.
    public struct Truncated: Error, Sendable, Equatable {
        /// The byte offset where the record starts.
        public let offset: Int
        /// How many bytes the buffer would need to hold the record's next part.
        public let expected: Int

        @usableFromInline
        init(offset: Int, expected: Int) {
            self.offset = offset
            self.expected = expected
        }
    }

    @usableFromInline let raw: UnsafeRawBufferPointer
    @usableFromInline var offset = 0

    /// Walks `raw`, which must stay valid while the walker is used.
    @inlinable
    public init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    /// The byte offset of the next record: after the last one returned.
    @inlinable
    public var nextOffset: Int { offset }

    /// The next record's topic and body, or nil at the end of the buffer.
    @inlinable @inline(__always)
    public mutating func next() throws(Truncated) -> (topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer)? {
        guard offset < raw.count else { return nil }
        guard offset + 2 <= raw.count else { throw Truncated(offset: offset, expected: offset + 2) }
        let topicStart = offset + 2
        let topicEnd = topicStart + (Int(raw[offset]) | Int(raw[offset + 1]) << 8)
        guard topicEnd + 2 <= raw.count else { throw Truncated(offset: offset, expected: topicEnd + 2) }
        let bodyStart = topicEnd + 2
        let bodyEnd = bodyStart + (Int(raw[topicEnd]) | Int(raw[topicEnd + 1]) << 8)
        guard bodyEnd <= raw.count else { throw Truncated(offset: offset, expected: bodyEnd) }
        offset = bodyEnd
        return (
            UnsafeRawBufferPointer(rebasing: raw[topicStart..<topicEnd]),
            UnsafeRawBufferPointer(rebasing: raw[bodyStart..<bodyEnd])
        )
    }

    /// The next record, or nil at the end; a truncated record throws what `failure` makes of it.
    @inlinable @inline(__always)
    public mutating func next<Failure: Error>(
        or failure: (Truncated) -> Failure
    ) throws(Failure) -> (topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer)? {
        do throws(Truncated) { return try next() } catch { throw failure(error) }
    }
}
