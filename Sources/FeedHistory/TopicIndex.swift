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
    /// scan of the dictionary's name index per prefix. Nil when there are more than `limit`:
    /// those are counted in the index first, without reading a row each.
    static func topics(_ db: Database, under matcher: PrefixMatcher, limit: Int = .max) throws -> [(id: Int64, topic: String)]? {
        if limit < .max, try count(db, under: matcher, upTo: limit + 1) > limit { return nil }
        var found: [(id: Int64, topic: String)] = []
        for (lower, upper) in ranges(matcher) {
            let rows: RowCursor
            if let upper {
                rows = try Row.fetchCursor(
                    db.cachedStatement(sql: "SELECT topic_id, topic FROM topics WHERE topic >= ? AND topic < ?"),
                    arguments: [lower, upper])
            } else {
                rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT topic_id, topic FROM topics"))
            }
            while let row = try rows.next() { found.append((row[0], row[1])) }
        }
        found.sort { $0.id < $1.id }
        return found
    }

    /// How many topics lie under the matcher's prefixes, counting no further than `cap`.
    private static func count(_ db: Database, under matcher: PrefixMatcher, upTo cap: Int) throws -> Int {
        var total = 0
        for (lower, upper) in ranges(matcher) where total < cap {
            let remaining = cap - total
            if let upper {
                total += try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM topics WHERE topic >= ? AND topic < ? LIMIT ?)"),
                    arguments: [lower, upper, remaining]) ?? 0
            } else {
                total += try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM topics LIMIT ?)"), arguments: [remaining]) ?? 0
            }
        }
        return total
    }

    /// Each prefix as a range of topic names: `lower <= topic < upper` (no upper bound for the
    /// empty prefix).
    private static func ranges(_ matcher: PrefixMatcher) -> [(lower: String, upper: String?)] {
        matcher.prefixes.map { prefix in
            guard var upper = prefix.last.map({ _ in prefix }) else { return ("", nil) }
            upper[upper.count - 1] += 1  // Prefix bytes are ASCII below 0x7f.
            return (String(decoding: prefix, as: UTF8.self), String(decoding: upper, as: UTF8.self))
        }
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
