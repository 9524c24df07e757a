#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash set of topics that looks topics up by their bytes in place, without allocating per
/// lookup: each distinct topic gets a dense id (0, 1, 2, ...) in order of insertion, which
/// callers use to index arrays of their own per-topic state.
///
/// Compact for a million topics and more: the topics lie back to back in one ``TopicArena``,
/// so a topic costs its bytes, its start (4 bytes), its hash (8 bytes) and 2-4 slots of 4
/// bytes, and inserting one allocates nothing but the amortized growth of those arrays.
///
/// Used by the sequencer (a topic sequence per id), per block when recording (one row per
/// topic) and when taking snapshots. A value owned by one thread at a time.
public struct TopicTable: Sendable {
    /// Distinct topics, by id.
    @usableFromInline var topics = TopicArena()
    /// The hash of each topic, by id: compared before the bytes, and re-placed from on growth.
    @usableFromInline var hashes: [UInt64] = []
    /// Open addressing, power-of-two size; -1 is empty, else an id.
    @usableFromInline var slots: [Int32] = Array(repeating: -1, count: 64)

    public init() {}

    /// How many distinct topics the table holds.
    public var count: Int { topics.count }

    /// The bytes of the topic with id `id`.
    public func bytes(of id: Int) -> [UInt8] { topics.withBytes(of: id) { Array($0) } }

    /// The id of `topic`, nil when absent.
    @inlinable
    public func id(of topic: UnsafeRawBufferPointer) -> Int? {
        let hash = Self.hash(topic)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = Int(slots[slot])
            if id < 0 { return nil }
            if hashes[id] == hash, topics.withBytes(of: id, { Self.equal($0, topic) }) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `topic`, adding it when absent; `inserted` tells which.
    @inlinable
    public mutating func insert(_ topic: UnsafeRawBufferPointer) -> (id: Int, inserted: Bool) {
        let hash = Self.hash(topic)
        var mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = Int(slots[slot])
            if id < 0 { break }
            if hashes[id] == hash, topics.withBytes(of: id, { Self.equal($0, topic) }) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = topics.count
        topics.append(topic)
        hashes.append(hash)
        if topics.count * 2 > slots.count {
            grow()
            mask = slots.count - 1
            slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
        }
        slots[slot] = Int32(id)
        return (id, true)
    }

    /// Forgets every topic, keeping the storage.
    public mutating func removeAll() {
        topics.removeAll()
        hashes.removeAll(keepingCapacity: true)
        for index in slots.indices { slots[index] = -1 }
    }

    /// Doubles the slots and re-places every topic but the newest, which the caller places.
    @usableFromInline
    mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for id in 0..<(topics.count - 1) {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// FNV-1a, 64 bits.
    @inlinable
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash ^ (hash >> 29)
    }

    @inlinable
    static func equal(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        guard left.count == right.count else { return false }
        guard left.count > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress else { return true }
        return memcmp(leftBase, rightBase, left.count) == 0
    }
}
