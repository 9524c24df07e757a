import FeedHistory
import FeedModel

/// Where history comes from: a server's replay endpoint or a database file read directly.
/// Both page through the same query the same way, so the CLI prints them identically.
public protocol HistorySource {
    /// One page of at most `maxMessages` messages from `cursor`, and the cursor of the next page.
    /// `query.limit`, when set, counts from `cursor` (what is still wanted): a source may end
    /// the answer there, with no next page (a server's replay service does).
    func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage
    /// One page of the latest message of every topic under any of `prefixes`, as of `at` (nil:
    /// now): the first `maxMessages` topics after `after` in the order the history first
    /// recorded them, and where the next page starts.
    func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage
}

extension HistorySource {
    /// Calls `body` with each page of matching messages in publish order, honouring
    /// `query.limit` over all pages; stops early when `body` returns `false`. More prefixes
    /// than one request may carry are asked for in groups, merged into publish order.
    /// `notes` is called with each page's news about the history itself (history expired
    /// before the query's start, damaged blocks skipped) before its messages.
    public func forEachPage(
        _ query: HistoryQuery, pageSize: Int, notes: (HistoryExpiry?, [SkippedBlock]) -> Void = { _, _ in },
        _ body: (MessageBlock) throws -> Bool
    ) throws {
        let groups = TopicPrefix.requestGroups(query.prefixes)
        if groups.count > 1 {
            try forEachMergedPage(query, pageSize: pageSize, notes: notes, body)
            return
        }
        // One request: the covering prefixes (over a thousand given may cover each other down to fewer).
        var query = query
        if let group = groups.first { query.prefixes = group }
        var cursor: HistoryCursor?
        var received = 0
        repeat {
            guard let page = try nextPage(of: query, after: cursor, pageSize: pageSize, received: received) else { return }
            received += page.messages.count
            if page.expired != nil || !page.skipped.isEmpty { notes(page.expired, page.skipped) }
            if !page.messages.isEmpty, try !body(page.messages) { return }
            cursor = page.next
        } while cursor != nil
    }

    /// The page of `query` at `cursor` when `received` of its messages came before it: with a
    /// limit, the request carries what is still wanted as its limit (the replay protocol keeps
    /// no state between pages) and the page is no larger; `nil` once the limit is reached.
    func nextPage(of query: HistoryQuery, after cursor: HistoryCursor?, pageSize: Int, received: Int) throws -> HistoryPage? {
        var rest = query
        if let limit = query.limit {
            guard limit > received else { return nil }
            rest.limit = limit - received
        }
        return try page(rest, after: cursor, maxMessages: min(pageSize, rest.limit ?? .max))
    }

    /// ``forEachPage(_:pageSize:_:)`` for a query whose prefixes take several requests.
    /// Merged, `notes` hears of expired history (once), not of damaged blocks skipped.
    private func forEachMergedPage(
        _ query: HistoryQuery, pageSize: Int, notes: (HistoryExpiry?, [SkippedBlock]) -> Void,
        _ body: (MessageBlock) throws -> Bool
    ) throws {
        var merge = HistoryMerge(source: self, query: query, prefixes: query.prefixes)
        var remaining = query.limit ?? .max
        var block = MessageBlock()
        var noted = false
        while remaining > 0, let message = try merge.next() {
            if !noted, let expired = merge.expired {
                notes(expired, [])
                noted = true
            }
            block.append(message)
            remaining -= 1
            if block.count == pageSize {
                if try !body(block) { return }
                block = MessageBlock()
            }
        }
        if !block.isEmpty { _ = try body(block) }
    }

    /// Calls `body` with each page of the latest message of every topic under any of
    /// `prefixes` as of `at` (nil: now), following each page's `next` until the snapshot is
    /// complete; stops early when `body` returns `false`. Each topic comes once: more prefixes
    /// than one request carries are asked for in groups that share no topic. `skipped` is
    /// called with the damaged blocks a page skipped, before its messages.
    public func forEachSnapshotPage(
        prefixes: [TopicPrefix], at: Timestamp?, pageSize: Int, skipped: ([SkippedBlock]) -> Void = { _ in },
        _ body: (MessageBlock) throws -> Bool
    ) throws {
        // Groups are made of covering prefixes: no topic is under two groups.
        for group in TopicPrefix.requestGroups(prefixes) {
            var after: String?
            repeat {
                let page = try snapshot(prefixes: group, at: at, after: after, maxMessages: pageSize)
                if !page.skipped.isEmpty { skipped(page.skipped) }
                if !page.messages.isEmpty, try !body(page.messages) { return }
                after = page.next
            } while after != nil
        }
    }
}

extension HistoryStore: HistorySource {
    public func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        try self.query(query, after: cursor, maxMessages: maxMessages)
    }
}
