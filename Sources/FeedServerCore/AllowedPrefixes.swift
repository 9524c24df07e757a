import FeedModel

/// The prefixes a relay may forward (its `--subscribe` list), kept so that every question about
/// them is a binary search: a relay may hold a watchlist of tens of thousands, checked for every
/// message and every subscription change.
///
/// Rules:
/// 1. They are reduced to their covering set (``FeedModel/TopicPrefix/covering(_:)``), sorted
///    by bytes: none starts with another, and the same topics match.
/// 2. No prefixes given means every topic is allowed (``allowsEverything``).
/// Built once when the relay starts; never changes.
struct AllowedPrefixes {
    /// The covering set as strings, in byte order.
    let prefixes: [String]
    /// The same set, for the per-message question.
    private let matcher: PrefixMatcher

    init(_ prefixes: [TopicPrefix]) {
        self.prefixes = TopicPrefix.covering(prefixes).map(\.rawValue)
        matcher = PrefixMatcher(prefixes)
    }

    var allowsEverything: Bool { prefixes.isEmpty }

    /// Whether one of them starts `topic` (a frame's bytes): a topic that may be forwarded.
    /// `false` when none were given.
    func covers(_ topic: UnsafeRawBufferPointer) -> Bool { matcher.matches(topic) }

    /// Whether one of them starts `prefix`: a subscription that asks for allowed topics only.
    func covers(_ prefix: String) -> Bool { matcher.matches(prefix) }

    /// Those that start with `prefix` (`prefix` itself included), in byte order: what a
    /// subscription wider than the allowed ones stands for.
    func under(_ prefix: String) -> ArraySlice<String> {
        let start = firstIndex { !$0.utf8.lexicographicallyPrecedes(prefix.utf8) }
        var end = start
        while end < prefixes.endIndex, prefixes[end].utf8.starts(with: prefix.utf8) { end += 1 }
        return prefixes[start..<end]
    }

    /// The first index whose prefix satisfies `isPast`, which holds from some index on.
    private func firstIndex(where isPast: (String) -> Bool) -> Int {
        var low = 0
        var high = prefixes.count
        while low < high {
            let middle = (low + high) / 2
            if isPast(prefixes[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
