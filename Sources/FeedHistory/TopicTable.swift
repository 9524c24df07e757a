/// A small hash set of topics that looks topics up by their bytes in place, without allocating
/// per lookup: each distinct topic gets a dense id (0, 1, 2, ...) in order of insertion.
///
/// Used per block when recording (one row per topic) and when taking snapshots.
struct TopicTable {
    /// Distinct topics, by id.
    private(set) var topics: [[UInt8]] = []
    private var hashes: [UInt64] = []
    /// Open addressing, power-of-two size; -1 is empty, else an id.
    private var slots: [Int32] = Array(repeating: -1, count: 64)

    var count: Int { topics.count }

    /// The id of `topic`, nil when absent.
    @inline(__always)
    func id(of topic: UnsafeRawBufferPointer) -> Int? {
        let hash = Self.hash(topic)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = Int(slots[slot])
            if id < 0 { return nil }
            if hashes[id] == hash, topics[id].withUnsafeBytes({ $0.bytesEqual(topic) }) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `topic`, adding it when absent; `inserted` tells which.
    @inline(__always)
    mutating func insert(_ topic: UnsafeRawBufferPointer) -> (id: Int, inserted: Bool) {
        let hash = Self.hash(topic)
        var mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = Int(slots[slot])
            if id < 0 { break }
            if hashes[id] == hash, topics[id].withUnsafeBytes({ $0.bytesEqual(topic) }) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = topics.count
        topics.append(Array(topic))
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
    mutating func removeAll() {
        topics.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        for index in slots.indices { slots[index] = -1 }
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        // Re-place every topic but the newest, which the caller places.
        for id in 0..<(topics.count - 1) {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// FNV-1a, 64 bits.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash ^ (hash >> 29)
    }
}
