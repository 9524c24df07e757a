import FeedModel
import GRDB

/// Serves one page of a ``HistoryQuery`` inside a read transaction.
///
/// 1. The block-level columns and indexes bound the range of block ids worth reading
///    (session and sequence, times, the cursor).
/// 2. Which blocks and records are read in that range depends on how much of the history the
///    prefixes can match:
///    - everything, a version-1 file, or prefixes covering at least 1/``scanFraction`` of the
///      topics: every block in the range is read whole (a sequential scan);
///    - fewer topics: the segment index lists where their messages are, and only those records
///      are read (``PayloadReader``), segment by segment in publish order; blocks after the last
///      segment (the tail) are read whole.
/// 3. Every record read goes through ``MessageFilter``; matches are copied as they are. Both
///    ways give the same messages in the same order, so a query may change way between pages.
/// 4. Damage ends the run at once with ``DamageFound`` (SQLite cannot go on with a transaction that
///    met a damaged page): the store runs the page again in a new transaction, ``avoiding``
///    what was found, and reports the blocks skipped (``HistoryStore/readAvoidingDamage(_:)``).
///    An avoided block is never read; an avoided segment's index is not read, its blocks are
///    scanned instead.
struct QueryRun {
    /// Prefixes matching at least this fraction (1/n) of the topics are served by a scan: it then
    /// reads little that does not match, and reads it sequentially.
    static let scanFraction = 8

    /// How blocks are chosen: by the rule above, or forced (tests compare both ways).
    enum Strategy {
        case automatic, scan, index
    }

    private let db: Database
    private let schemaVersion: Int
    private let strategy: Strategy
    private let topicLists: TopicListCache
    private let query: HistoryQuery
    private let filter: MessageFilter
    /// The session the query is confined to, resolved (the latest one for `fromSequence` alone).
    private let session: UInt32?
    /// False when the query can match nothing (a sequence bound on an empty history).
    private let possible: Bool
    private let avoiding: AvoidedDamage

    init(
        _ db: Database, _ query: HistoryQuery, schemaVersion: Int, topicLists: TopicListCache, strategy: Strategy = .automatic,
        avoiding: AvoidedDamage = AvoidedDamage()
    ) throws {
        self.db = db
        self.avoiding = avoiding
        self.schemaVersion = schemaVersion
        self.topicLists = topicLists
        self.strategy = strategy
        self.query = query
        var session = query.session
        var possible = true
        if session == nil, query.fromSequence != nil || query.toSequence != nil {
            session = try HistoryStore.lastSession(db)
            possible = session != nil
        }
        self.session = session
        self.possible = possible
        filter = MessageFilter(
            prefixes: PrefixMatcher(query.prefixes), since: query.since?.nanoseconds, until: query.until?.nanoseconds,
            session: session, fromSequence: query.fromSequence)
    }

    /// At most `maxMessages` matching messages from `cursor` (from the start when nil), and where
    /// the next matching message is.
    func page(after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        var collector = PageCollector(filter: filter, cursor: cursor, maxMessages: maxMessages, toSequence: query.toSequence)
        guard possible, let range = try blockRange(after: cursor) else {
            return HistoryPage(messages: MessageBlock(), next: nil)
        }
        if filter.prefixes.matchesEverything || schemaVersion < HistorySchema.version || strategy == .scan {
            try scanBlocks(range, into: &collector)
        } else if let topicIDs = try indexedTopics() {
            guard !topicIDs.isEmpty else { return HistoryPage(messages: MessageBlock(), next: nil) }
            let lastIndexed = try TopicIndex.lastIndexedBlock(db)
            var more = true
            if range.lowerBound <= lastIndexed {
                more = try readIndexed(topicIDs, range.lowerBound...min(range.upperBound, lastIndexed), into: &collector)
            }
            if more, range.upperBound > lastIndexed {
                try scanBlocks(max(range.lowerBound, lastIndexed + 1)...range.upperBound, into: &collector)
            }
        } else {
            try scanBlocks(range, into: &collector)
        }
        return HistoryPage(messages: collector.messages, next: collector.next)
    }

    /// The block ids that can hold a match, from the indexes; nil when none can.
    private func blockRange(after cursor: HistoryCursor?) throws -> ClosedRange<Int64>? {
        var low = cursor?.blockID ?? 0
        var high = Int64.max
        func fetch(_ sql: String, _ arguments: StatementArguments) throws -> Int64? {
            try Int64.fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
        }
        if let session {
            guard let last = try fetch("SELECT max(block_id) FROM blocks WHERE session_id = ?", [Int64(session)]) else {
                return nil
            }
            high = min(high, last)
            // Reads index entries from the start of the range: skipped once a cursor is past it.
            if cursor == nil {
                let first =
                    if let from = query.fromSequence {
                        try fetch(
                            "SELECT min(block_id) FROM blocks WHERE session_id = ? AND last_feed_seq >= ?",
                            [Int64(session), Int64(clamping: from)])
                    } else {
                        try fetch("SELECT min(block_id) FROM blocks WHERE session_id = ?", [Int64(session)])
                    }
                guard let first else { return nil }
                low = max(low, first)
            }
            // The block holding `toSequence` (or the first after it): no later block can match.
            if let to = query.toSequence,
                let last = try fetch(
                    "SELECT min(block_id) FROM blocks WHERE session_id = ? AND last_feed_seq >= ?",
                    [Int64(session), Int64(clamping: to)])
            {
                high = min(high, last)
            }
        }
        if let since = query.since {
            guard let first = try fetch(Self.firstBlockSince, [since.nanoseconds]) else { return nil }
            low = max(low, first)
        }
        if let until = query.until {
            guard let last = try fetch(Self.lastBlockBefore, [until.nanoseconds]) else { return nil }
            high = min(high, last)
        }
        return low <= high ? low...high : nil
    }

    /// The first block holding a message published at or after `?` (one seek: the watermark
    /// never decreases with the block id).
    static let firstBlockSince =
        "SELECT block_id FROM blocks WHERE time_high_ns >= ? ORDER BY time_high_ns, block_id LIMIT 1"
    /// The last block holding a message published before `?`.
    static let lastBlockBefore =
        "SELECT block_id FROM blocks WHERE time_low_ns < ? ORDER BY time_low_ns DESC, block_id DESC LIMIT 1"
    /// The last block holding a message published at or before `?`.
    static let lastBlockAtOrBefore =
        "SELECT block_id FROM blocks WHERE time_low_ns <= ? ORDER BY time_low_ns DESC, block_id DESC LIMIT 1"

    /// Block-level conditions besides the id range. The unary `+` keeps SQLite on the rowid
    /// (or primary key) order instead of an index that would need sorting.
    private func blockConditions() -> (sql: String, arguments: StatementArguments) {
        var sql = ""
        var arguments = StatementArguments()
        if let session {
            sql += " AND +session_id = ?"
            arguments += [Int64(session)]
        }
        if let from = query.fromSequence {
            sql += " AND +last_feed_seq >= ?"
            arguments += [Int64(clamping: from)]
        }
        sql += timeConditions(&arguments)
        return (sql, arguments)
    }

    private func timeConditions(_ arguments: inout StatementArguments) -> String {
        var sql = ""
        if let since = query.since {
            sql += " AND +last_time_ns >= ?"
            arguments += [since.nanoseconds]
        }
        if let until = query.until {
            sql += " AND +first_time_ns < ?"
            arguments += [until.nanoseconds]
        }
        return sql
    }

    /// Every block in `range` that passes the block-level conditions, by rowid, leaving out the
    /// avoided ones. Damage throws ``Damaged`` naming the block being read (when the table's
    /// page itself is damaged, the block after the last one read).
    private func scanBlocks(_ range: ClosedRange<Int64>, into collector: inout PageCollector) throws {
        let conditions = blockConditions()
        let statement = try db.cachedStatement(
            sql: "SELECT block_id, payload FROM blocks WHERE block_id BETWEEN ? AND ?\(conditions.sql) ORDER BY block_id")
        // The range in pieces around the avoided blocks: a fresh seek past each.
        for piece in avoiding.pieces(of: range) {
            var arguments: StatementArguments = [piece.lowerBound, piece.upperBound]
            arguments += conditions.arguments
            var position = piece.lowerBound
            do {
                let rows = try Row.fetchCursor(statement, arguments: arguments)
                while let row = try rows.next() {
                    let blockID: Int64 = row[0]
                    position = blockID
                    var more = true
                    try StoredBlocks.withBytes(of: row, column: 1, blockID: blockID) { more = try collector.visit(blockID, $0) }
                    if !more { return }
                    // Not a step further: the row after the piece may be the damaged one.
                    if blockID >= piece.upperBound { break }
                    position = blockID + 1
                }
            } catch where SkippedBlock.isDamage(error) {
                throw DamageFound.block(position, error)
            }
        }
    }

    /// The ids of the topics under the prefixes, ascending, when they are few enough for the
    /// index to pay (under 1/``scanFraction`` of all topics); nil when a scan is better.
    private func indexedTopics() throws -> [Int64]? {
        let topicCount = try TopicIndex.topicCount(db)
        let limit = strategy == .index ? Int.max : topicCount / Self.scanFraction
        if strategy != .automatic { return try TopicIndex.topics(db, under: filter.prefixes, limit: limit)?.map(\.id) }
        return try topicLists.ids(for: filter.prefixes, topicCount: topicCount) {
            try TopicIndex.topics(db, under: filter.prefixes, limit: limit)?.map(\.id)
        }
    }

    /// The records of `topicIDs` in the indexed blocks of `range`, segment by segment, in publish
    /// order; false once the page is full. An avoided segment is scanned instead; hits in an
    /// avoided block are left out.
    private func readIndexed(_ topicIDs: [Int64], _ range: ClosedRange<Int64>, into collector: inout PageCollector) throws
        -> Bool
    {
        let reader = PayloadReader(db)
        defer { reader.close() }
        var hits: [SegmentEntries.Location] = []
        for segment in try TopicIndex.segments(db, overlapping: range) {
            if avoiding.segments.contains(segment.id) {
                try scanBlocks(max(range.lowerBound, segment.firstBlock)...min(range.upperBound, segment.lastBlock), into: &collector)
                if collector.next != nil { return false }
                continue
            }
            hits.removeAll(keepingCapacity: true)
            do {
                try TopicIndex.forEachTopic(db, in: segment, topicIDs) { _, entries, locations in
                    for number in locations { hits.append(entries.location(number)) }
                }
            } catch where SkippedBlock.isDamage(error) {
                throw DamageFound.segment(segment.id)
            }
            hits.sort { ($0.blockDelta, $0.index) < ($1.blockDelta, $1.index) }
            for hit in hits {
                let blockID = segment.firstBlock + Int64(hit.blockDelta)
                guard range.contains(blockID), !avoiding.blocks.contains(blockID) else { continue }
                let more: Bool
                do {
                    more = try reader.withRecord(blockID: blockID, offset: Int(hit.offset)) { topic, body in
                        try collector.take(blockID, Int(hit.index), topic: topic, body: body)
                    }
                } catch where SkippedBlock.isDamage(error) {
                    throw DamageFound.block(blockID, error)
                }
                if !more { return false }
            }
        }
        return true
    }
}
