import FeedModel
import Foundation
import GRDB

/// Indexes the blocks after the last segment (the tail) once they make a complete segment:
/// one `segments` row and one `segment_topics` row per bucket of topic ids, written in key
/// order (schemas/history.sql).
///
/// Reads the tail's blocks back from the file, so the same code serves the recorder, a restart
/// with a partial tail and `feed-server migrate`. Runs inside the writer's transaction.
struct SegmentIndexer {
    /// When the tail becomes a segment: this many messages, or this many blocks (small blocks
    /// of a quiet feed), whichever comes first.
    struct Policy: Sendable {
        var messagesPerSegment: Int
        var maximumBlocksPerSegment: Int

        /// About 65,536 messages: a tail read whole costs a few milliseconds, and a segment's
        /// rows are few even with a million topics (at most about 512 buckets).
        static let standard = Policy(messagesPerSegment: 65_536, maximumBlocksPerSegment: 64)
    }

    /// A message's place, before sorting by topic.
    private struct Entry {
        var topicID: UInt32
        var location: SegmentEntries.Location
    }

    let policy: Policy

    /// Indexes every complete segment of the tail; returns the messages indexed. New topics
    /// met (only when migrating a version-1 file) are added to `dictionary`; the caller writes
    /// them. `progress` is told the messages indexed so far after each segment.
    func indexCompleteSegments(
        _ db: Database, dictionary: inout TopicDictionary, progress: (Int) -> Void = { _ in }
    ) throws -> Int {
        let lastIndexed = try Int64.fetchOne(db, sql: "SELECT coalesce(max(last_block_id), 0) FROM segments") ?? 0
        let tail = try Row.fetchAll(
            db, sql: "SELECT block_id, message_count FROM blocks WHERE block_id > ? ORDER BY block_id", arguments: [lastIndexed])
        var indexed = 0
        var start = 0
        var messages = 0
        for (position, row) in tail.enumerated() {
            messages += row[1] as Int
            if messages >= policy.messagesPerSegment || position - start + 1 >= policy.maximumBlocksPerSegment {
                let blocks = tail[start...position].map { $0[0] as Int64 }
                try index(blocks, messageCount: messages, db, dictionary: &dictionary)
                indexed += messages
                progress(indexed)
                start = position + 1
                messages = 0
            }
        }
        return indexed
    }

    /// Writes the segment of `blocks` (consecutive ids).
    private func index(_ blocks: [Int64], messageCount: Int, _ db: Database, dictionary: inout TopicDictionary) throws {
        guard let first = blocks.first, let last = blocks.last else { return }
        var entries: [Entry] = []
        entries.reserveCapacity(messageCount)
        var highestID: UInt32 = 0
        for blockID in blocks {
            let delta = UInt32(blockID - first)
            // Known when the block was appended by this writer; looked up again otherwise.
            let known = dictionary.takeTopicIDs(ofBlock: blockID)
            let found = try StoredBlocks.withPayload(db, blockID: blockID) { raw in
                try StoredBlocks.forEachRecord(in: raw, blockID: blockID) { topic, _, index, offset in
                    let topicID =
                        if let known, index < known.count { known[index] } else { UInt32(dictionary.id(of: topic).id) }
                    highestID = max(highestID, topicID)
                    entries.append(
                        Entry(topicID: topicID, location: .init(blockDelta: delta, index: UInt32(index), offset: UInt32(offset))))
                    return true
                }
            }
            guard found else { throw StoredBlocks.Corrupt(blockID: blockID, reason: "missing while indexing") }
        }
        // At most about 512 buckets per segment, whatever the number of topics: rows stay under the
        // ~4 KB a 16 KiB index page holds locally (larger ones spill into an overflow page each).
        let shift = max(0, (32 - highestID.leadingZeroBitCount) - 9)
        let mask = UInt32((1 << shift) - 1)
        // Two stable counting passes, low bits then bucket: sorted by topic id, publish order kept.
        if shift > 0 { entries = Self.stableSort(entries, keys: 1 << shift) { Int($0.topicID & mask) } }
        entries = Self.stableSort(entries, keys: Int(highestID >> shift) + 1) { Int($0.topicID >> shift) }

        try db.execute(
            sql: "INSERT INTO segments (first_block_id, last_block_id, message_count, bucket_shift) VALUES (?, ?, ?, ?)",
            arguments: [first, last, entries.count, shift])
        let segmentID = db.lastInsertedRowID
        let insertBucket = try db.cachedStatement(
            sql: "INSERT INTO segment_topics (segment_id, bucket, entries) VALUES (?, ?, ?)")
        let locations = entries.map(\.location)
        var topics: [(id: Int64, locations: ArraySlice<SegmentEntries.Location>)] = []
        var position = 0
        while position < entries.count {
            let bucket = entries[position].topicID >> shift
            topics.removeAll(keepingCapacity: true)
            while position < entries.count, entries[position].topicID >> shift == bucket {
                let topicID = entries[position].topicID
                let start = position
                while position < entries.count, entries[position].topicID == topicID { position += 1 }
                topics.append((Int64(topicID), locations[start..<position]))
            }
            try insertBucket.execute(arguments: [segmentID, Int64(bucket), Data(SegmentEntries.encode(topics: topics))])
        }
    }

    /// `entries` ordered by `key` (0..<keys), equal keys in their original order.
    private static func stableSort(_ entries: [Entry], keys: Int, key: (Entry) -> Int) -> [Entry] {
        var starts = [Int](repeating: 0, count: keys + 1)
        for entry in entries { starts[key(entry) + 1] += 1 }
        for index in 1..<starts.count { starts[index] += starts[index - 1] }
        return [Entry](unsafeUninitializedCapacity: entries.count) { buffer, initialized in
            for entry in entries {
                let slot = key(entry)
                buffer.initializeElement(at: starts[slot], to: entry)
                starts[slot] += 1
            }
            initialized = entries.count
        }
    }
}
