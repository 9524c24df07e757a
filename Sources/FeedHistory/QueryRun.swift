import FeedModel
import GRDB

/// Serves one page of a ``HistoryQuery`` inside a read transaction.
///
/// 1. The block-level columns and indexes bound the range of block ids worth reading
///    (session and sequence, times, the cursor).
/// 2. Candidate blocks in that range are visited in block id order: when a prefix is empty,
///    straight from `blocks` by rowid; otherwise from `block_topics`, one index range scan per
///    topic under any of the prefixes, merged, so blocks without those topics are never read.
/// 3. Every record of a visited block goes through ``MessageFilter``; matches are copied as is.
struct QueryRun {
    /// Most block ids read per topic per merge round of a prefix scan.
    static let defaultMergeBatch = 256
    /// Block ids read per topic in the first merge round: a page often needs only a few blocks,
    /// so rounds start small and double up to the merge batch.
    static let firstMergeBatch = 4

    private let db: Database
    private let mergeBatch: Int
    private let query: HistoryQuery
    private let filter: MessageFilter
    /// The query's prefixes, none under another (``FeedModel/TopicPrefix/covering(_:)``).
    private let prefixes: [TopicPrefix]
    /// The session the query is confined to, resolved (the latest one for `fromSequence` alone).
    private let session: UInt32?
    /// False when the query can match nothing (a sequence bound on an empty history).
    private let possible: Bool

    init(_ db: Database, _ query: HistoryQuery, mergeBatch: Int = QueryRun.defaultMergeBatch) throws {
        self.db = db
        self.mergeBatch = mergeBatch
        self.query = query
        var session = query.session
        var possible = true
        if session == nil, query.fromSequence != nil || query.toSequence != nil {
            session = try HistoryStore.lastSession(db)
            possible = session != nil
        }
        self.session = session
        self.possible = possible
        prefixes = TopicPrefix.covering(query.prefixes)
        filter = MessageFilter(
            prefixes: prefixes == [.all] ? [] : prefixes.map { Array($0.rawValue.utf8) }, since: query.since?.nanoseconds,
            until: query.until?.nanoseconds, session: session, fromSequence: query.fromSequence)
    }

    /// At most `maxMessages` matching messages from `cursor` (from the start when nil), and where
    /// the next matching message is.
    func page(after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        var collector = PageCollector(filter: filter, cursor: cursor, maxMessages: maxMessages, toSequence: query.toSequence)
        guard possible, let range = try blockRange(after: cursor) else {
            return HistoryPage(messages: MessageBlock(), next: nil)
        }
        if prefixes == [.all] {
            try scanBlocks(range, into: &collector)
        } else {
            try mergeTopics(range, into: &collector)
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

    /// Every block in `range` that passes the block-level conditions, by rowid.
    private func scanBlocks(_ range: ClosedRange<Int64>, into collector: inout PageCollector) throws {
        let conditions = blockConditions()
        let statement = try db.cachedStatement(
            sql: "SELECT block_id, payload FROM blocks WHERE block_id BETWEEN ? AND ?\(conditions.sql) ORDER BY block_id")
        var arguments: StatementArguments = [range.lowerBound, range.upperBound]
        arguments += conditions.arguments
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            let blockID: Int64 = row[0]
            var more = true
            try StoredBlocks.withBytes(of: row, column: 1, blockID: blockID) { more = try collector.visit(blockID, $0) }
            if !more { return }
        }
    }

    /// The blocks in `range` holding a topic under the prefixes, in block id order: each round reads
    /// the next batch of block ids of every topic (``firstMergeBatch``, doubling each round up to
    /// `mergeBatch`); ids up to the lowest last id of a full batch are complete, so those are
    /// visited and the next round starts after them.
    private func mergeTopics(_ range: ClosedRange<Int64>, into collector: inout PageCollector) throws {
        let topics = try prefixes.flatMap { try StoredBlocks.topics(db, prefix: $0) }
        guard !topics.isEmpty else { return }
        var timeArguments = StatementArguments()
        let time = timeConditions(&timeArguments)
        let statement = try db.cachedStatement(
            sql: """
                SELECT block_id FROM block_topics WHERE topic = ? AND block_id BETWEEN ? AND ?\(time) \
                ORDER BY block_id LIMIT ?
                """)
        var low = range.lowerBound
        var ids: [Int64] = []
        var batch = min(Self.firstMergeBatch, mergeBatch)
        while true {
            var high = range.upperBound
            ids.removeAll(keepingCapacity: true)
            for topic in topics {
                var arguments: StatementArguments = [topic, low, high]
                arguments += timeArguments
                arguments += [batch]
                let before = ids.count
                try ids.append(contentsOf: Int64.fetchAll(statement, arguments: arguments))
                if ids.count - before == batch { high = min(high, ids[ids.count - 1]) }
            }
            ids.sort()
            var previous: Int64 = -1
            for id in ids where id <= high && id != previous {
                previous = id
                var more = true
                let found = try StoredBlocks.withPayload(db, blockID: id) { more = try collector.visit(id, $0) }
                guard found else { throw StoredBlocks.Corrupt(blockID: id, reason: "listed in block_topics, missing") }
                if !more { return }
            }
            if high >= range.upperBound { return }
            low = high + 1
            batch = min(batch * 2, mergeBatch)
        }
    }
}
