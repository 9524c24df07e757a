import FeedModel
import GRDB

extension HistoryStore {
    /// Deletes the oldest segment (its blocks, index rows and `segments` row) when `policy`
    /// says it is too old or the history too big, in one small transaction, and records what
    /// went in the `expired` table; nil when nothing had to go. Call it again while it returns
    /// a segment. Blocks after the last segment (the newest, not indexed yet) are never deleted.
    public func expireOldestSegment(_ policy: RetentionPolicy, now: Timestamp) throws -> ExpiredSegment? {
        guard policy.deletes, schemaVersion == HistorySchema.version else { return nil }
        return try writing { db in
            guard
                let oldest = try Row.fetchOne(
                    db, sql: "SELECT segment_id, first_block_id, last_block_id FROM segments ORDER BY segment_id LIMIT 1")
            else { return nil }
            let (segment, first, last): (Int64, Int64, Int64) = (oldest[0], oldest[1], oldest[2])
            let newestTime = try Int64.fetchOne(db, sql: "SELECT time_high_ns FROM blocks WHERE block_id <= ? ORDER BY block_id DESC LIMIT 1", arguments: [last])
            let tooOld = policy.maximumAge.map { age in (newestTime ?? .min) < now.nanoseconds - age } ?? false
            let tooBig = try policy.maximumBytes.map { try Self.bytesInUse(db) > $0 } ?? false
            guard tooOld || tooBig else { return nil }
            return try Self.expire(segment: segment, blocks: first...last, db)
        }
    }

    /// The bytes of the file's pages in use (free-list pages excluded).
    static func bytesInUse(_ db: Database) throws -> Int64 {
        let pages = try Int64.fetchOne(db, sql: "SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)") ?? 0
        return pages * Int64(try Int.fetchOne(db, sql: "PRAGMA page_size") ?? HistorySchema.pageSize)
    }

    private static func expire(segment: Int64, blocks: ClosedRange<Int64>, _ db: Database) throws -> ExpiredSegment {
        let perSession = try Row.fetchAll(
            db,
            sql: """
                SELECT session_id, max(last_feed_seq), max(time_high_ns), sum(message_count), count(*) FROM blocks \
                WHERE block_id BETWEEN ? AND ? GROUP BY session_id
                """, arguments: [blocks.lowerBound, blocks.upperBound])
        var expired = ExpiredSegment(blocks: 0, messages: 0, throughTime: .min)
        for row in perSession {
            let (session, sequence, time, messages, count): (Int64, Int64, Int64, Int, Int) = (row[0], row[1], row[2], row[3], row[4])
            try db.execute(
                sql: """
                    INSERT INTO expired (session_id, last_feed_seq, last_time_ns, messages) VALUES (?, ?, ?, ?) \
                    ON CONFLICT (session_id) DO UPDATE SET last_feed_seq = max(last_feed_seq, excluded.last_feed_seq), \
                    last_time_ns = max(last_time_ns, excluded.last_time_ns), messages = messages + excluded.messages
                    """, arguments: [session, sequence, time, messages])
            expired.blocks += count
            expired.messages += messages
            expired.throughTime = max(expired.throughTime, time)
        }
        try db.execute(sql: "DELETE FROM blocks WHERE block_id BETWEEN ? AND ?", arguments: [blocks.lowerBound, blocks.upperBound])
        try db.execute(sql: "DELETE FROM segment_topics WHERE segment_id = ?", arguments: [segment])
        try db.execute(sql: "DELETE FROM segments WHERE segment_id = ?", arguments: [segment])
        // Runs older than every block kept are gone whole; the newest session always stays.
        try db.execute(
            sql: """
                DELETE FROM sessions WHERE session_id < (SELECT min(session_id) FROM blocks) \
                AND session_id < (SELECT max(session_id) FROM sessions)
                """)
        return expired
    }

    /// The range the history holds now: the first and last publish time and its size, for
    /// `status` and metrics.
    public func retainedRange() throws -> RetainedRange {
        try reading { db in
            let first = try Int64.fetchOne(db, sql: "SELECT first_time_ns FROM blocks ORDER BY block_id LIMIT 1")
            let last = try Int64.fetchOne(db, sql: "SELECT time_high_ns FROM blocks ORDER BY block_id DESC LIMIT 1")
            let expired = try Self.hasExpiredTable(db)
                ? Int64.fetchOne(db, sql: "SELECT coalesce(sum(messages), 0) FROM expired") ?? 0 : 0
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return RetainedRange(
                firstTime: first, lastTime: last, fileBytes: pages * pageSize, bytesInUse: try Self.bytesInUse(db),
                expiredMessages: UInt64(max(0, expired)))
        }
    }

    /// What `query` is told about deleted history, or nil when it reaches nothing deleted:
    /// with a session (or sequence bounds, in the latest session), when that session lost
    /// blocks at or after `fromSequence`; with `since`, when messages published at or after it
    /// were deleted; with neither, when anything was deleted. Without a session, it names the
    /// sessions that lost what the query reaches (``FeedModel/HistoryExpiry/expiredSessions``).
    public func expiry(of query: HistoryQuery) throws -> HistoryExpiry? {
        try reading { db in try Self.expiry(of: query, db) }
    }

    static func expiry(of query: HistoryQuery, _ db: Database) throws -> HistoryExpiry? {
        guard try hasExpiredTable(db) else { return nil }
        var session = query.session
        if session == nil, query.fromSequence != nil || query.toSequence != nil { session = try lastSession(db) }
        var through: UInt64?
        var sessions: [ExpiredSession]?
        let latest: Int64?
        if let session {
            guard let row = try Row.fetchOne(db, sql: "SELECT last_feed_seq, last_time_ns FROM expired WHERE session_id = ?", arguments: [Int64(session)]) else {
                return nil
            }
            let sequence: Int64 = row[0]
            if let from = query.fromSequence, from > UInt64(sequence) { return nil }
            through = UInt64(sequence)
            latest = row[1]
        } else {
            latest = try Int64.fetchOne(db, sql: "SELECT max(last_time_ns) FROM expired")
            let rows = try Row.fetchAll(
                db, sql: "SELECT session_id, last_feed_seq FROM expired WHERE last_time_ns >= ? ORDER BY session_id DESC LIMIT ?",
                arguments: [query.since?.nanoseconds ?? .min, HistoryExpiry.maximumExpiredSessions])
            sessions = rows.reversed().map { row in
                ExpiredSession(session: UInt32(truncatingIfNeeded: row[0] as Int64), expiredThroughSequence: UInt64(row[1] as Int64))
            }
        }
        guard let latest else { return nil }
        if let since = query.since, since.nanoseconds > latest { return nil }
        let first = try Int64.fetchOne(db, sql: "SELECT first_time_ns FROM blocks ORDER BY block_id LIMIT 1")
        return HistoryExpiry(retainedFrom: first, session: session, expiredThroughSequence: through, expiredSessions: sessions)
    }

    static func hasExpiredTable(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'expired'") ?? false
    }
}
