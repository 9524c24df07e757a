/// The `entries` blob of one `segment_topics` row: where each topic of one bucket has messages
/// in one segment (layout in `schemas/history.sql`).
///
/// Written by ``SegmentIndexer``, read in place by queries and snapshots: a view over bytes,
/// valid while they are.
struct SegmentEntries {
    /// One message's place: its block (as an offset from the segment's first block), its
    /// position in the block and its record's byte offset in the payload.
    struct Location: Equatable {
        var blockDelta: UInt32
        var index: UInt32
        var offset: UInt32
    }

    /// Bytes per directory entry and per location.
    static let directoryEntrySize = 12
    static let locationSize = 12

    private let raw: UnsafeRawBufferPointer
    /// Topics in the directory.
    let topicCount: Int

    /// A view of `raw`; throws when the blob is too short for what it says it holds.
    init(_ raw: UnsafeRawBufferPointer) throws(SegmentEntriesCorrupt) {
        guard raw.count >= 4 else { throw SegmentEntriesCorrupt(reason: "\(raw.count) bytes") }
        self.raw = raw
        topicCount = Int(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian)
        guard 4 + topicCount * Self.directoryEntrySize <= raw.count else {
            throw SegmentEntriesCorrupt(reason: "\(topicCount) topics in \(raw.count) bytes")
        }
    }

    /// The topic id of directory entry `slot`.
    func topicID(at slot: Int) -> Int64 { Int64(word(4 + slot * Self.directoryEntrySize)) }

    /// The locations of directory entry `slot`, checked against the blob's length.
    func locations(at slot: Int) throws(SegmentEntriesCorrupt) -> Range<Int> {
        let base = 4 + slot * Self.directoryEntrySize
        let first = Int(word(base + 4))
        let count = Int(word(base + 8))
        guard locationsStart + (first + count) * Self.locationSize <= raw.count else {
            throw SegmentEntriesCorrupt(reason: "topic \(topicID(at: slot)) locations past the end")
        }
        return first..<first + count
    }

    /// The directory slot of `topicID`, by binary search; nil when the topic has no message here.
    func slot(of topicID: Int64) -> Int? {
        var low = 0
        var high = topicCount
        while low < high {
            let middle = (low + high) / 2
            let found = self.topicID(at: middle)
            if found == topicID { return middle }
            if found < topicID { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Location number `number` (from ``locations(at:)``).
    func location(_ number: Int) -> Location {
        let base = locationsStart + number * Self.locationSize
        return Location(blockDelta: word(base), index: word(base + 4), offset: word(base + 8))
    }

    private var locationsStart: Int { 4 + topicCount * Self.directoryEntrySize }

    private func word(_ offset: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }

    /// Encodes the rows of one bucket: `topics` in ascending id order, each with its locations in
    /// publish order.
    static func encode(topics: [(id: Int64, locations: ArraySlice<Location>)]) -> [UInt8] {
        let locationCount = topics.reduce(0) { $0 + $1.locations.count }
        let size = 4 + topics.count * directoryEntrySize + locationCount * locationSize
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            func store(_ value: UInt32) {
                raw.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
                offset += 4
            }
            store(UInt32(topics.count))
            var first: UInt32 = 0
            for topic in topics {
                store(UInt32(truncatingIfNeeded: topic.id))
                store(first)
                store(UInt32(topic.locations.count))
                first += UInt32(topic.locations.count)
            }
            for topic in topics {
                for location in topic.locations {
                    store(location.blockDelta)
                    store(location.index)
                    store(location.offset)
                }
            }
            initialized = size
        }
    }
}

/// A `segment_topics` row whose bytes do not hold what they say: a damaged file.
struct SegmentEntriesCorrupt: Error, CustomStringConvertible {
    let reason: String
    var description: String { "segment index entry is corrupt (\(reason))" }
}
