import FeedHistory
import FeedModel

/// The history of several prefixes as one stream in publish order (session, then feed
/// sequence): a k-way merge of one ``HistoryStream`` per prefix, so memory holds a page per
/// prefix however long the history is. The prefixes must not overlap
/// (`TopicPrefix.covering(_:)`), or a message would come once per prefix.
struct HistoryMerge {
    private var streams: [HistoryStream]
    private var heads: [FeedMessage?] = []
    private var primed = false
    /// Where every stream ends: a message of a later session, or of this session after this
    /// feed sequence, ends its stream (for queries by time, which span sessions).
    private let end: (session: UInt32, feedSequence: UInt64)?

    /// Memory budget in messages, shared by the streams' pages.
    static let pageBudget = 10_000

    /// `query` once per prefix, each with `prefix` replaced.
    init(
        source: any HistorySource, query: HistoryQuery, prefixes: [TopicPrefix],
        endingAfter end: (session: UInt32, feedSequence: UInt64)? = nil
    ) {
        let pageSize = max(500, Self.pageBudget / max(1, prefixes.count))
        streams = prefixes.map { prefix in
            var prefixQuery = query
            prefixQuery.prefix = prefix
            return HistoryStream(source: source, query: prefixQuery, pageSize: pageSize)
        }
        self.end = end
    }

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
