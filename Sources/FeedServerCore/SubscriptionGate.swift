import Logging
import ZeroMQ

/// The owner's side of a publish socket in manual mode (ZMQ_XPUB_MANUAL, with CURVE): applies
/// each subscription and cancel the XPUB hands over, right after it was read (ZMQ_SUBSCRIBE on
/// an XPUB acts on the connection of the message last read). A subscriber known by its ZAP
/// `User-Id` gets only the entitled part (``EntitledSubscriptions``); an `inproc://` one (no
/// `User-Id`, part of this process) gets what it asks for. Owned by the publishing thread.
struct SubscriptionGate<Holder: Hashable> {
    private let clients: ClientAllowList
    private let counters: ServerCounters
    private let logger: Logger
    private var entitled = EntitledSubscriptions<Holder>()
    /// What each subscriber was entitled to when its subscriptions were applied.
    private var appliedFor: [Holder: ClientEntitlements] = [:]
    private var seenGeneration: UInt64

    init(clients: ClientAllowList, counters: ServerCounters, logger: Logger) {
        self.clients = clients
        self.counters = counters
        self.logger = logger
        seenGeneration = clients.generation
    }

    /// After the clients folder was reloaded: the subscribers whose entitlements changed or
    /// were revoked. What was applied for them cannot be applied again later (an XPUB applies
    /// only to the connection of the message last read), so the owner disconnects them: a
    /// changed one reconnects, and its subscriptions are applied anew; a revoked one is refused
    /// at its handshake. Empty when nothing was reloaded since the last call.
    mutating func holdersToReconnect() -> [Holder] {
        let generation = clients.generation
        guard generation != seenGeneration else { return [] }
        seenGeneration = generation
        return appliedFor.compactMap { holder, was in clients.client(named: was.name) == was ? nil : holder }
    }

    /// Applies the subscription (`subscribe`) or cancel of `prefix` that `xpub` just handed over
    /// in frame 0 of `message`, from `holder`. Returns `false` when none of it is entitled:
    /// nothing was applied, and it is counted and logged.
    mutating func apply(
        subscribe: Bool, _ prefix: [UInt8], by holder: Holder, message: ZMQMultipartMessage, on xpub: ZMQSocket
    ) throws -> Bool {
        guard let client = clients.entitlements(ofSenderOf: message, frame: 0) else {
            try xpub.set(subscribe ? .subscribe : .unsubscribe, prefix)
            return true
        }
        let requested = String(decoding: prefix, as: UTF8.self)
        appliedFor[holder] = client
        switch subscribe ? entitled.subscribe(requested, by: holder, entitled: client) : entitled.cancel(requested, by: holder) {
        case .subscribe(let parts):
            for part in parts { try xpub.set(.subscribe, Array(part.utf8)) }
        case .unsubscribe(let parts):
            for part in parts { try xpub.set(.unsubscribe, Array(part.utf8)) }
        case .notEntitled:
            let count = counters.refuseSubscription()
            logger.warning(
                occurrence: count, "subscription of \(client.name) to '\(requested.prefix(60))' not applied: not entitled (#\(count))")
            return false
        }
        return true
    }

    /// Forgets a subscriber that left (libzmq drops its connection's filter itself).
    mutating func remove(_ holder: Holder) {
        entitled.remove(holder)
        appliedFor[holder] = nil
    }
}
