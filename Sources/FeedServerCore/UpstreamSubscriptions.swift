import FeedModel

/// Decides what a relay subscribes to upstream, given what its downstream subscribers want and
/// the prefixes the relay is allowed to forward.
///
/// Rules:
/// 1. A downstream prefix inside an allowed prefix (`NASDAQ.AAPL` under `NASDAQ.`) goes upstream
///    as it is, so the origin filters as narrowly as the subscriber asked.
/// 2. A downstream prefix wider than allowed (`""` or `NAS`) goes upstream as the allowed
///    prefixes it covers, so nothing outside them ever crosses the link; an allowed prefix under
///    another allowed one (`NASDAQ.AAPL` beside `NASDAQ.`) adds nothing there.
/// 3. With no allowed prefixes given, everything is allowed.
/// 4. A relay that records, or republishes on multicast (where no subscription comes back),
///    keeps its allowed prefixes subscribed, so it forwards even with no subscriber in sight.
/// 5. The heartbeat topic is always subscribed; the relay passes each new downstream heartbeat
///    subscription on anyway, so the origin answers it with a heartbeat at once.
/// 6. An upstream prefix stays subscribed while anything holds it (rule 4, rule 5, or a downstream
///    prefix under rule 1 or 2), and is cancelled when the last holder lets go. Holders are
///    counted, so a change costs the upstream prefixes it touches (one, or under rule 2 the
///    allowed prefixes it covers) and never a pass over every subscription held.
/// 7. Downstream prefixes form a set: the fan-out passes on every subscriber's subscription but
///    a release only once the last subscriber of a prefix let go of it or left (its
///    ``SubscriptionBook`` counts holders). A repeated subscription or a cancel of a prefix not
///    held changes nothing.
/// Pure bookkeeping: the relay thread sends the changes it returns.
struct UpstreamSubscriptions {
    private let allowed: AllowedPrefixes
    /// Prefixes some downstream subscriber holds.
    private var downstream: Set<String> = []
    /// Every prefix subscribed upstream, with how many holders it has (rule 6).
    private var holders: [String: Int] = [:]

    init(allowed: [TopicPrefix], forwardsWithoutSubscribers: Bool) {
        self.allowed = AllowedPrefixes(allowed)
        var pinned = [Topic.heartbeat.rawValue]
        if forwardsWithoutSubscribers { pinned += self.allowed.allowsEverything ? [""] : self.allowed.prefixes }
        for prefix in pinned { _ = hold(prefix) }
    }

    /// The prefixes to subscribe upstream when starting.
    var initial: [String] { holders.keys.sorted() }

    /// Whether a message on `topic` (its frame's bytes) may be forwarded at all.
    func allows(topic: UnsafeRawBufferPointer) -> Bool {
        allowed.allowsEverything || allowed.covers(topic) || topic.elementsEqual(Topic.heartbeat.rawValue.utf8)
    }

    /// Applies a downstream subscription change; returns the upstream prefixes to subscribe
    /// and to unsubscribe.
    mutating func apply(subscribe: Bool, prefix: String) -> (subscribe: [String], unsubscribe: [String]) {
        if subscribe {
            guard downstream.insert(prefix).inserted else { return ([], []) }
            return (upstreamPrefixes(for: prefix).filter { hold($0) }, [])
        }
        guard downstream.remove(prefix) != nil else { return ([], []) }
        return ([], upstreamPrefixes(for: prefix).filter { release($0) })
    }

    /// What a downstream prefix holds upstream (rules 1 to 3; the heartbeat is held anyway).
    private func upstreamPrefixes(for prefix: String) -> [String] {
        if prefix == Topic.heartbeat.rawValue { return [] }
        if allowed.allowsEverything || allowed.covers(prefix) { return [prefix] }
        return Array(allowed.under(prefix))
    }

    /// Adds a holder of `prefix`; returns whether it is new upstream.
    private mutating func hold(_ prefix: String) -> Bool {
        holders[prefix, default: 0] += 1
        return holders[prefix] == 1
    }

    /// Removes a holder of `prefix`; returns whether none is left, so it leaves upstream.
    private mutating func release(_ prefix: String) -> Bool {
        guard let count = holders[prefix] else { preconditionFailure("upstream prefix '\(prefix)' released but not held") }
        holders[prefix] = count > 1 ? count - 1 : nil
        return count == 1
    }
}
