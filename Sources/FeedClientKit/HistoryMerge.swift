import FeedModel

/// The history of any number of prefixes as one stream in publish order (session, then feed
/// sequence): one ``HistoryStream`` per group of prefixes that one request can carry
/// (`TopicPrefix.requestGroups(_:)`: a single stream, one request per page, for up to
/// `ReplayRequest.maximumPrefixes`), merged k-way, so memory holds a page per group however
/// long the history is. The groups do not overlap, so each message comes once.
struct HistoryMerge {
    private var streams: [HistoryStream]
    private var heads: [FeedMessage?] = []
    private var primed = false
    /// Where every stream ends: a message of a later session, or of this session after this
    /// feed sequence, ends its stream (for queries by time, which span sessions).
    private let end: (session: UInt32, feedSequence: UInt64)?

    /// Memory budget in messages, shared by the streams' pages.
    static let pageBudget = 10_000

    /// `query` once per group of `prefixes`, each with its prefixes replaced by the group.
    init(
        source: any HistorySource, query: HistoryQuery, prefixes: [TopicPrefix],
        endingAfter end: (session: UInt32, feedSequence: UInt64)? = nil
    ) {
        let groups = TopicPrefix.requestGroups(prefixes)
        let pageSize = max(500, Self.pageBudget / max(1, groups.count))
        streams = groups.map { group in
            var groupQuery = query
            groupQuery.prefixes = group
            return HistoryStream(source: source, query: groupQuery, pageSize: pageSize)
        }
        self.end = end
    }

    /// What the streams' first pages said about history retention deleted, if anything.
    var expired: HistoryExpiry? { streams.lazy.compactMap(\.expired).first }

    /// The next message of all prefixes in publish order; `nil` when every stream has ended.
    mutating func next() throws -> FeedMessage? {
        if !primed {
            heads = try streams.indices.map { try pull($0) }
            primed = true
        }
        var earliest: Int?
        for index in heads.indices {
            guard let head = heads[index] else { continue }
            if let best = earliest.flatMap({ heads[$0] }),
                (best.session, best.feedSequence) <= (head.session, head.feedSequence)
            {
                continue
            }
            earliest = index
        }
        guard let earliest, let message = heads[earliest] else { return nil }
        heads[earliest] = try pull(earliest)
        return message
    }

    private mutating func pull(_ index: Int) throws -> FeedMessage? {
        guard let message = try streams[index].next() else { return nil }
        if let end, message.session > end.session || (message.session == end.session && message.feedSequence > end.feedSequence) {
            return nil
        }
        return message
    }
}
