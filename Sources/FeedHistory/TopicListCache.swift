import FeedModel
import Synchronization

/// The topic ids of recently queried prefix lists, so paging through a query does not list its
/// topics from the dictionary again for every page (with a million topics, listing a broad
/// prefix's costs far more than reading a page). An entry holds while the dictionary has not
/// grown: the dictionary only ever adds topics.
///
/// Shared by every reader of one ``HistoryStore``; thread-safe.
final class TopicListCache: Sendable {
    /// Prefix lists remembered, most recent last.
    static let capacity = 16

    private struct Entry {
        let prefixes: [[UInt8]]
        let topicCount: Int
        /// The ids, or nil when the prefixes cover too many topics for the index to pay.
        let ids: [Int64]?
    }

    private let entries = Mutex<[Entry]>([])

    /// The ids of `matcher`'s topics in a dictionary of `topicCount` topics: remembered, or
    /// computed by `list` and remembered.
    func ids(for matcher: PrefixMatcher, topicCount: Int, list: () throws -> [Int64]?) rethrows -> [Int64]? {
        let found = entries.withLock { entries in
            entries.lastIndex { $0.prefixes == matcher.prefixes && $0.topicCount == topicCount }.map { entries[$0] }
        }
        if let found { return found.ids }
        let ids = try list()
        entries.withLock { entries in
            entries.removeAll { $0.prefixes == matcher.prefixes }
            if entries.count == Self.capacity { entries.removeFirst() }
            entries.append(Entry(prefixes: matcher.prefixes, topicCount: topicCount, ids: ids))
        }
        return ids
    }
}
