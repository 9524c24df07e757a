import FeedModel

/// One history query read as it is consumed, a page at a time: whatever the length of the
/// answer, one page is in memory. Owned by the thread that owns its source.
struct HistoryStream {
    private let source: any HistorySource
    private let query: HistoryQuery
    private let pageSize: Int
    private var cursor: HistoryCursor?
    private var received = 0
    private var exhausted = false
    private var page: [FeedMessage] = []
    private var index = 0
    /// What the first page said about history retention deleted before the query's start.
    private(set) var expired: HistoryExpiry?

    init(source: any HistorySource, query: HistoryQuery, pageSize: Int) {
        self.source = source
        self.query = query
        self.pageSize = max(1, pageSize)
    }

    /// The next message in publish order, asking for the next page when this one is used up;
    /// `nil` once the query is exhausted.
    mutating func next() throws -> FeedMessage? {
        while index == page.count {
            if exhausted { return nil }
            guard let result = try source.nextPage(of: query, after: cursor, pageSize: pageSize, received: received) else {
                exhausted = true
                return nil
            }
            received += result.messages.count
            expired = expired ?? result.expired
            page = try result.messages.decoded()
            index = 0
            cursor = result.next
            exhausted = result.next == nil
        }
        defer { index += 1 }
        return page[index]
    }
}
