import FeedModel

/// What an XPUB in manual mode (ZMQ_XPUB_MANUAL) applies for each subscriber with entitlements:
/// only the entitled part of what it asks for, so nothing outside its prefixes is ever queued
/// for it (libzmq applies nothing itself in manual mode; the owner applies with ZMQ_SUBSCRIBE
/// and ZMQ_UNSUBSCRIBE on the XPUB, which act on the connection of the message last read).
///
/// Decisions only: the fan-out feeds it each subscription and cancel with its holder and the
/// holder's entitlements, and applies what it answers.
///
/// Rules:
/// 1. A subscription is applied as its entitled part (``ClientEntitlements/entitledPart(of:)``):
///    `""` as every entitled prefix, `NASDAQ.AAPL` under `NASDAQ.` as itself, `NYSE.` as nothing
///    (``Outcome/notEntitled``). The heartbeat topic is part of every feed: a subscription that
///    starts it, or that it starts, applies `$HB` too. Without the `subscribe` role nothing is
///    applied.
/// 2. A holder's subscriptions form a set (as in libzmq's filter): a repeat applies nothing new.
/// 3. A prefix stays applied while any subscription of the holder needs it; a cancel unapplies
///    only what no other subscription of that holder still needs.
/// 4. A holder that left is forgotten (libzmq drops its connection's filter itself).
struct EntitledSubscriptions<Holder: Hashable> {
    /// What one subscription or cancel asks the owner to do.
    enum Outcome: Equatable {
        /// ZMQ_SUBSCRIBE each of these on the XPUB, now.
        case subscribe([String])
        /// ZMQ_UNSUBSCRIBE each of these on the XPUB, now.
        case unsubscribe([String])
        /// Nothing of the subscription is entitled: nothing applied (count it).
        case notEntitled
    }

    private static var heartbeat: String { Topic.heartbeat.rawValue }

    /// Per holder: each subscription asked for, and the prefixes it was applied as.
    private var requests: [Holder: [String: [String]]] = [:]
    /// Per holder: how many of its subscriptions need each applied prefix.
    private var applied: [Holder: [String: Int]] = [:]

    init() {}

    mutating func subscribe(_ requested: String, by holder: Holder, entitled client: ClientEntitlements) -> Outcome {
        if requests[holder]?[requested] != nil { return .subscribe([]) }  // Rule 2.
        guard client.roles.contains(.subscribe) else { return .notEntitled }
        var parts = client.entitledPart(of: requested)
        if Self.heartbeat.hasPrefix(requested) || requested.hasPrefix(Self.heartbeat) {
            parts.append(requested.hasPrefix(Self.heartbeat) ? requested : Self.heartbeat)
        }
        guard !parts.isEmpty else { return .notEntitled }
        requests[holder, default: [:]][requested] = parts
        var newlyApplied: [String] = []
        for part in parts {
            applied[holder, default: [:]][part, default: 0] += 1
            if applied[holder]?[part] == 1 { newlyApplied.append(part) }
        }
        return .subscribe(newlyApplied)
    }

    mutating func cancel(_ requested: String, by holder: Holder) -> Outcome {
        guard let parts = requests[holder]?.removeValue(forKey: requested) else { return .unsubscribe([]) }
        var released: [String] = []
        for part in parts {
            let count = (applied[holder]?[part] ?? 1) - 1
            applied[holder]?[part] = count > 0 ? count : nil
            if count == 0 { released.append(part) }
        }
        return .unsubscribe(released)
    }

    /// Forgets a holder that left (rule 4).
    mutating func remove(_ holder: Holder) {
        requests[holder] = nil
        applied[holder] = nil
    }
}
