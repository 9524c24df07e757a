import FeedModel

/// Decides what a relay subscribes to upstream, given what its downstream subscribers want and
/// the prefixes the relay is allowed to forward.
///
/// Rules:
/// 1. A downstream prefix inside an allowed prefix (`NASDAQ.AAPL` under `NASDAQ.`) goes upstream
///    as it is, so the origin filters as narrowly as the subscriber asked.
/// 2. A downstream prefix wider than allowed (`""` or `NAS`) goes upstream as the allowed
///    prefixes it covers, so nothing outside them ever crosses the link.
/// 3. With no allowed prefixes given, everything is allowed.
/// 4. A relay that records, or republishes on multicast (where no subscription comes back),
///    keeps its allowed prefixes subscribed, so it forwards even with no subscriber in sight.
/// 5. The heartbeat topic is always subscribed; the relay passes each new downstream heartbeat
///    subscription on anyway, so the origin answers it with a heartbeat at once.
/// Pure bookkeeping: the relay thread sends the changes it returns.
struct UpstreamSubscriptions {
    private let allowed: [TopicPrefix]
    private let pinned: Set<String>
    private var downstream: Set<String> = []
    private(set) var upstream: Set<String> = []

    init(allowed: [TopicPrefix], forwardsWithoutSubscribers: Bool) {
        self.allowed = allowed
        pinned = Set([Topic.heartbeat.rawValue] + (forwardsWithoutSubscribers ? (allowed.isEmpty ? [""] : allowed.map(\.rawValue)) : []))
        upstream = pinned
    }

    /// The prefixes to subscribe upstream when starting.
    var initial: [String] { upstream.sorted() }

    /// Whether a message on `topic` (its frame's bytes) may be forwarded at all.
    func allows(topic: UnsafeRawBufferPointer) -> Bool {
        allowed.isEmpty || allowed.contains { $0.matches(topic) } || topic.elementsEqual(Topic.heartbeat.rawValue.utf8)
    }

    /// Applies a downstream subscription change; returns the upstream prefixes to subscribe
    /// and to unsubscribe.
    mutating func apply(subscribe: Bool, prefix: String) -> (subscribe: [String], unsubscribe: [String]) {
        if subscribe { downstream.insert(prefix) } else { downstream.remove(prefix) }
        var wanted = pinned
        for prefix in downstream { wanted.formUnion(upstreamPrefixes(for: prefix)) }
        let added = wanted.subtracting(upstream).sorted()
        let removed = upstream.subtracting(wanted).sorted()
        upstream = wanted
        return (added, removed)
    }

    private func upstreamPrefixes(for prefix: String) -> [String] {
        if prefix == Topic.heartbeat.rawValue { return [] }
        if allowed.isEmpty { return [prefix] }
        if allowed.contains(where: { prefix.utf8.starts(with: $0.rawValue.utf8) }) { return [prefix] }
        return allowed.map(\.rawValue).filter { $0.utf8.starts(with: prefix.utf8) }
    }
}
