/// Topic bytes stored back to back in one contiguous array, each topic addressed by its index
/// (0, 1, 2, ... in order of appending).
///
/// A million topics cost their bytes plus four bytes each, where an array per topic would cost
/// a heap allocation and its header apiece. Reading a topic allocates nothing. Used by
/// ``TopicTable`` for its topics and by the server's demo generator for its symbol universe.
/// A value owned by one thread at a time. At most 4 GiB of topic bytes in all.
public struct TopicArena: Sendable {
    /// Every topic's bytes, back to back.
    @usableFromInline var bytes: [UInt8] = []
    /// Where each topic starts in `bytes`, and one more entry where the last one ends: topic `i`
    /// is `bytes[starts[i]..<starts[i + 1]]`.
    @usableFromInline var starts: [UInt32] = [0]

    public init() {}

    /// An empty arena with room for `topics` topics of `bytes` bytes in all.
    public init(reservingTopics topics: Int, bytes: Int) {
        self.bytes.reserveCapacity(bytes)
        starts.reserveCapacity(topics + 1)
    }

    /// How many topics the arena holds.
    @inlinable
    public var count: Int { starts.count - 1 }

    /// Adds `topic` at index ``count``.
    @inlinable
    public mutating func append(_ topic: UnsafeRawBufferPointer) {
        precondition(bytes.count + topic.count <= Int(UInt32.max), "a TopicArena holds at most 4 GiB of topics")
        bytes.append(contentsOf: topic)
        starts.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// Calls `body` with the bytes of the topic at `index`, in place; they are valid only
    /// during the call.
    @inlinable
    public func withBytes<Result>(of index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let start = Int(starts[index])
        let end = Int(starts[index + 1])
        return try bytes.withUnsafeBytes { all in try body(UnsafeRawBufferPointer(rebasing: all[start..<end])) }
    }

    /// Forgets every topic, keeping the storage.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
    }
}
