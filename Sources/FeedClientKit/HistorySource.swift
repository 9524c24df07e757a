import FeedHistory
import FeedModel

/// Where history comes from: a server's replay endpoint or a database file read directly.
/// Both page through the same query the same way, so the CLI prints them identically.
public protocol HistorySource {
    /// One page of at most `maxMessages` messages from `cursor`, and the cursor of the next page.
    func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage
    /// The latest message of every topic matching `prefix`, as of `at` (nil: now).
    func snapshot(prefix: TopicPrefix, at: Timestamp?) throws -> MessageBlock
}

extension HistorySource {
    /// Calls `body` with each page of matching messages in publish order, honouring
    /// `query.limit` over all pages; stops early when `body` returns `false`.
    public func forEachPage(_ query: HistoryQuery, pageSize: Int, _ body: (MessageBlock) throws -> Bool) throws {
        var cursor: HistoryCursor?
        var remaining = query.limit
        repeat {
            let size = min(pageSize, remaining ?? .max)
            if size <= 0 { return }
            let page = try page(query, after: cursor, maxMessages: size)
            remaining = remaining.map { $0 - page.messages.count }
            if !page.messages.isEmpty, try !body(page.messages) { return }
            cursor = page.next
        } while cursor != nil
    }
}

extension HistoryStore: HistorySource {
    public func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        try self.query(query, after: cursor, maxMessages: maxMessages)
    }
}
