/// Walks the records of a message block's bytes in place (`u16 topic_len, topic, u16 body_len,
/// body`, little-endian), checking every length against the buffer.
struct BlockRecords {
    /// A record that runs past the end of the buffer, at this byte offset.
    struct Truncated: Error {
        let offset: Int
    }

    private let raw: UnsafeRawBufferPointer
    private var offset = 0

    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    /// The next record's topic and body, or nil at the end of the buffer.
    @inline(__always)
    mutating func next() throws(Truncated) -> (topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer)? {
        guard offset < raw.count else { return nil }
        guard offset + 2 <= raw.count else { throw Truncated(offset: offset) }
        let topicStart = offset + 2
        let topicEnd = topicStart + (Int(raw[offset]) | Int(raw[offset + 1]) << 8)
        guard topicEnd + 2 <= raw.count else { throw Truncated(offset: offset) }
        let bodyStart = topicEnd + 2
        let bodyEnd = bodyStart + (Int(raw[topicEnd]) | Int(raw[topicEnd + 1]) << 8)
        guard bodyEnd <= raw.count else { throw Truncated(offset: offset) }
        offset = bodyEnd
        return (
            UnsafeRawBufferPointer(rebasing: raw[topicStart..<topicEnd]),
            UnsafeRawBufferPointer(rebasing: raw[bodyStart..<bodyEnd])
        )
    }
}
