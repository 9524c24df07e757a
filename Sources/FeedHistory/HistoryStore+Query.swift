import FeedModel

extension HistoryStore {
    /// One page of a query: at most `maxMessages` matching messages in publish order
    /// (block id, then position in the block), starting at `cursor` (from the beginning when nil).
    ///
    /// A damaged block is skipped and listed in ``HistoryPage/skipped`` (on the page where it
    /// would have been read); the query fails only beyond ``damagedPlacesPerRead`` of them.
    ///
    /// Stateless: the page's ``HistoryPage/next`` cursor is the position of the next matching
    /// message, nil when there is none. `query.limit` is not applied here, since one page
    /// cannot know how many messages earlier pages returned: a caller that pages with a limit
    /// passes `min(pageSize, remaining)` as `maxMessages`. Each page reads one consistent
    /// snapshot; blocks appended between pages are seen by later pages.
    ///
    /// - Throws: ``HistoryError`` for an empty time range, a negative limit, a non-positive
    ///   `maxMessages`, a negative cursor, or a storage failure.
    public func query(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        try self.query(query, after: cursor, maxMessages: maxMessages, strategy: .automatic)
    }

    /// ``query(_:after:maxMessages:)`` with the way of reading forced (tests compare both).
    func query(
        _ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int, strategy: QueryRun.Strategy
    ) throws -> HistoryPage {
        try query.validate()
        guard maxMessages > 0 else {
            throw HistoryError(.invalidQuery, "page size must be positive, got \(maxMessages)")
        }
        if let cursor, cursor.blockID < 0 || cursor.index < 0 {
            throw HistoryError(.invalidQuery, "bad cursor '\(cursor)'")
        }
        var (page, skipped) = try readAvoidingDamage { db, avoiding in
            try QueryRun(db, query, schemaVersion: schemaVersion, topicLists: topicLists, strategy: strategy, avoiding: avoiding)
                .page(after: cursor, maxMessages: maxMessages)
        }
        if cursor == nil { page.expired = try expiry(of: query) }
        page.skipped = skipped
        return page
    }

    /// Every matching message in publish order, at most `query.limit` of them: what
    /// concatenating all pages of ``query(_:after:maxMessages:)`` gives, read in one snapshot.
    /// Meant for tests and small queries: the result is held in memory.
    public func queryAll(_ query: HistoryQuery) throws -> MessageBlock {
        try query.validate()
        let limit = query.limit ?? .max
        guard limit > 0 else { return MessageBlock() }
        return try reading { db in
            try QueryRun(db, query, schemaVersion: schemaVersion, topicLists: topicLists)
                .page(after: nil, maxMessages: limit).messages
        }
    }
}
