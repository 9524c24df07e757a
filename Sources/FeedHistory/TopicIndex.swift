import FeedModel
import GRDB

/// Reads of the topic dictionary and the segment index (schemas/history.sql), shared by
/// queries and snapshots. Every function runs inside the caller's read transaction.
enum TopicIndex {
    /// One `segments` row.
    struct Segment {
        let id: Int64
        let firstBlock: Int64
        let lastBlock: Int64
        /// A topic's bucket in this segment is `topic_id >> shift`.
        let shift: Int
    }

    /// Topics in the dictionary (ids are 1...count).
    static func topicCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT coalesce(max(topic_id), 0) FROM topics") ?? 0
    }

    /// The last block a segment covers; 0 when none is indexed. Later blocks are the tail.
    static func lastIndexedBlock(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(last_block_id), 0) FROM segments") ?? 0
    }

    /// The ids and names of the topics under the matcher's prefixes, ascending by id: one range
    /// scan of the dictionary's name index per prefix. At most `limit` (nil when there are more).
    static func topics(_ db: Database, under matcher: PrefixMatcher, limit: Int = .max) throws -> [(id: Int64, topic: String)]? {
        let statement = try db.cachedStatement(sql: "SELECT topic_id, topic FROM topics WHERE topic >= ? AND topic < ? LIMIT ?")
        let unbounded = try db.cachedStatement(sql: "SELECT topic_id, topic FROM topics LIMIT ?")
        var found: [(id: Int64, topic: String)] = []
        for prefixBytes in matcher.prefixes {
            let prefix = String(decoding: prefixBytes, as: UTF8.self)
            let remaining = limit == .max ? Int64.max : Int64(limit - found.count + 1)
            let rows: RowCursor
            if prefixBytes.isEmpty {
                rows = try Row.fetchCursor(unbounded, arguments: [remaining])
            } else {
                var upper = prefixBytes
                upper[upper.count - 1] += 1  // Prefix bytes are ASCII below 0x7f.
                rows = try Row.fetchCursor(statement, arguments: [prefix, String(decoding: upper, as: UTF8.self), remaining])
            }
            while let row = try rows.next() {
                found.append((row[0], row[1]))
                if found.count > limit { return nil }
            }
        }
        found.sort { $0.id < $1.id }
        return found
    }

    /// The segments holding blocks in `range`, oldest first.
    static func segments(_ db: Database, overlapping range: ClosedRange<Int64>) throws -> [Segment] {
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT segment_id, first_block_id, last_block_id, bucket_shift FROM segments \
                    WHERE last_block_id >= ? AND first_block_id <= ? ORDER BY last_block_id
                    """),
            arguments: [range.lowerBound, range.upperBound])
        var segments: [Segment] = []
        while let row = try rows.next() {
            segments.append(Segment(id: row[0], firstBlock: row[1], lastBlock: row[2], shift: row[3]))
        }
        return segments
    }

    /// Calls `body` with the index entries of one bucket of a segment; nothing when no topic
    /// of that bucket has a message there.
    static func withEntries(
        _ db: Database, segment: Segment, bucket: Int64, _ body: (SegmentEntries) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT entries FROM segment_topics WHERE segment_id = ? AND bucket = ?"),
            arguments: [segment.id, bucket])
        guard let row = try rows.next() else { return }
        try row.withUnsafeData(atIndex: 0) { data in
            guard let data else { throw SegmentEntriesCorrupt(reason: "no entries in segment \(segment.id)") }
            try data.withUnsafeBytes { raw in try body(try SegmentEntries(raw)) }
        }
    }

    /// Calls `body` for each of `topicIDs` (ascending) that has messages in `segment`, with its
    /// locations, reading each bucket's row once. Within a row, few topics are looked up by binary
    /// search, many by walking the row's directory alongside them.
    static func forEachTopic(
        _ db: Database, in segment: Segment, _ topicIDs: some RandomAccessCollection<Int64>,
        _ body: (_ topicID: Int64, _ entries: SegmentEntries, _ locations: Range<Int>) throws -> Void
    ) throws {
        var position = topicIDs.startIndex
        while position < topicIDs.endIndex {
            let bucket = topicIDs[position] >> segment.shift
            var end = position
            while end < topicIDs.endIndex, topicIDs[end] >> segment.shift == bucket { end = topicIDs.index(after: end) }
            let wanted = topicIDs[position..<end]
            try withEntries(db, segment: segment, bucket: bucket) { entries in
                if wanted.count * 8 < entries.topicCount {
                    for topicID in wanted {
                        guard let slot = entries.slot(of: topicID) else { continue }
                        try body(topicID, entries, try entries.locations(at: slot))
                    }
                    return
                }
                var slot = 0
                for topicID in wanted {
                    while slot < entries.topicCount, entries.topicID(at: slot) < topicID { slot += 1 }
                    if slot == entries.topicCount { return }
                    if entries.topicID(at: slot) == topicID { try body(topicID, entries, try entries.locations(at: slot)) }
                }
            }
            position = end
        }
    }
}
