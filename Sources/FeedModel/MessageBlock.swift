/// Many encoded messages packed in one contiguous buffer: the unit the recorder stores as one
/// SQLite row and the replay service sends as one frame.
///
/// Layout, repeated `count` times, little-endian (documented in `schemas/README.md`):
///
/// | size | field                 |
/// |-----:|-----------------------|
/// | 2    | topic_length (u16)    |
/// | n    | topic bytes (UTF-8)   |
/// | 2    | body_length (u16)     |
/// | m    | body bytes (wire body)|
///
/// The bytes are exactly the frames that were published, so a block round-trips byte for byte.
public struct MessageBlock: Sendable, Hashable {
    public private(set) var bytes: [UInt8]
    public private(set) var count: Int

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
        count = 0
    }

    /// Adopts bytes read back from storage or a replay frame; ``validated()`` checks them.
    public init(bytes: [UInt8], count: Int) {
        self.bytes = bytes
        self.count = count
    }

    public var isEmpty: Bool { count == 0 }

    /// Appends one message's two frames.
    public mutating func append(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) {
        precondition(topic.count <= Int(UInt16.max) && body.count <= Int(UInt16.max))
        appendLength(topic.count)
        bytes.append(contentsOf: topic)
        appendLength(body.count)
        bytes.append(contentsOf: body)
        count += 1
    }

    /// Appends one message's two frames given as arrays.
    public mutating func append(topic: [UInt8], body: [UInt8]) {
        topic.withUnsafeBytes { topicBytes in body.withUnsafeBytes { append(topic: topicBytes, body: $0) } }
    }

    /// Appends a decoded message, encoding it.
    public mutating func append(_ message: FeedMessage) {
        append(topic: message.topicBytes, body: message.encodedBody())
    }

    /// Appends every message of another block.
    public mutating func append(contentsOf other: MessageBlock) {
        bytes.append(contentsOf: other.bytes)
        count += other.count
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        count = 0
    }

    private mutating func appendLength(_ length: Int) {
        bytes.append(UInt8(truncatingIfNeeded: length))
        bytes.append(UInt8(truncatingIfNeeded: length >> 8))
    }

    /// Calls `body` with each message's topic and body bytes, in order, checking every length
    /// against the buffer; throws ``WireError/tooShort(expected:actual:)`` on a truncated block.
    /// Stops early when `body` returns `false`.
    public func forEach(
        _ body: (_ topic: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try bytes.withUnsafeBytes { raw in
            var records = BlockRecords(raw)
            var seen = 0
            while let record = try records.next(or: { WireError.tooShort(expected: $0.expected, actual: raw.count) }) {
                seen += 1
                if try !body(record.topic, record.body) { return }
            }
            guard seen == count else { throw WireError.invalidField("block says \(count) messages, holds \(seen)") }
        }
    }

    /// Decodes every message.
    public func decoded() throws -> [FeedMessage] {
        var messages: [FeedMessage] = []
        messages.reserveCapacity(count)
        try forEach { topic, body in
            messages.append(try FeedMessage(topic: topic, body: body))
            return true
        }
        return messages
    }
}
