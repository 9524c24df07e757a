import FeedModel
import Foundation
import Logging
import ZeroMQ

/// The publishing side: one XPUB bound to every publish endpoint, plus one PGM sender per
/// multicast endpoint, owned by the publishing thread (engine or relay).
///
/// libzmq filters by prefix at the publisher for tcp/ipc/inproc subscribers; PGM subscribers
/// receive every topic and filter on their side. The XPUB passes every subscription on
/// (XPUB_VERBOSER), which lets the engine answer a new subscription to the heartbeat topic with
/// an immediate heartbeat (a subscriber knows it is live without waiting) and lets the fan-out
/// guard the publish side (``SubscriberGuards``):
/// - a subscription frame longer than ``SubscriberGuards/maximumSubscriptionFrame`` makes
///   libzmq close the connection unread; a subscription longer than a topic, or beyond
///   `--max-subscriptions` for one connection, makes the fan-out disconnect it
///   (``SubscriptionBook``);
/// - a subscriber whose send queue stays full longer than `--slow-subscriber-ms` is
///   disconnected, and so is one that reads nothing for a second while the feed is behind its
///   producers (``SlowSubscriberWatch``, ``FeedBacklog``);
/// - what the queues of stalled subscribers may hold together is kept under `--subscriber-memory`
///   by disconnecting the longest-stalled (``SubscriberMemoryBudget``), and the memory their
///   queues held is given back to the system once they are gone (``MemoryTrim``);
/// - the publish endpoints hold at most their share of descriptors (``ConnectionGuard``).
/// Each disconnect is logged and counted in ``ServerCounters``.
///
/// Rules for multicast:
/// 1. While running, nothing is dropped: when the multicast rate is the bottleneck, publishing
///    waits for the PGM sender (the XPUB never waits: a slow TCP subscriber loses messages past
///    its high-water mark, as before).
/// 2. That wait watches the owning thread's stop channel: a stop request ends it at once, and
///    from then on (or after ``stopWaitingForMulticast()``) a message that does not fit in a PGM
///    queue is given up and counted. TCP fan-out and recording are never given up.
/// 3. ``finishMulticast()`` reports what was given up and keeps the PGM senders open for
///    the repair window.
final class FanOut {
    private let xpub: ZMQSocket
    private let multicast: [MulticastSender]
    private let stopRequests: ZMQSocket
    private let logger: Logger
    private var waitsForMulticast = true
    private let subscribers: ConnectionGuard
    private let guards: SubscriberGuards
    private let counters: ServerCounters
    private var book: SubscriptionBook
    /// With CURVE: applies only the entitled part of each subscription (the XPUB is manual).
    private var gate: SubscriptionGate<SubscriptionBook.Holder>?
    private var slowWatch: SlowSubscriberWatch
    private var backlog = FeedBacklog()
    private let memoryBudget: SubscriberMemoryBudget
    private var memoryTrim = MemoryTrim()
    private var nextStallLookAt: Int64
    /// Messages published so far, for ``SubscriberMemoryBudget``'s estimate.
    private var published: UInt64 = 0
    /// Connections disconnected whose end libzmq has not reported yet: not looked at again.
    private var disconnecting: Set<ConnectionDescriptor> = []
    private let frames = ZMQMultipartMessage(capacity: 2)
    /// Whether subscriptions can come without a connection of their own (`inproc://`).
    private let hasInprocEndpoints: Bool
    private static let heartbeat = Array(Topic.heartbeat.rawValue.utf8)
    /// The endpoints as bound (wildcard ports resolved), multicast ones last.
    let boundEndpoints: [String]

    /// - Parameters:
    ///   - multicastEndpoints: already validated and resolved to interface addresses.
    ///   - sendHighWaterMark: the most messages one subscriber's queue holds.
    ///   - connectionLimit: connections the publish endpoints may hold together.
    ///   - stopRequests: the owning thread's control socket, only polled here, never read.
    init(
        context: ZMQContext, endpoints: [String], multicastEndpoints: [String], multicastSettings: MulticastSettings,
        sendHighWaterMark: Int32, guards: SubscriberGuards, connectionLimit: Int, curve: CurveServerSettings? = nil,
        stopRequests: ZMQSocket, counters: ServerCounters, logger: Logger
    ) throws {
        self.stopRequests = stopRequests
        self.logger = logger
        self.guards = guards
        self.counters = counters
        hasInprocEndpoints = endpoints.contains { $0.hasPrefix("inproc://") }
        book = SubscriptionBook(limit: guards.maximumSubscriptions)
        gate = curve.map { SubscriptionGate(clients: $0.clients, counters: counters, logger: logger) }
        slowWatch = SlowSubscriberWatch(limitMilliseconds: guards.slowSubscriberMilliseconds)
        memoryBudget = SubscriberMemoryBudget(bytes: guards.subscriberMemoryBytes, queueLimit: sendHighWaterMark)
        counters.subscriberMemoryBudget.store(Int64(guards.subscriberMemoryBytes), ordering: .relaxed)
        nextStallLookAt = MonotonicClock.nanoseconds()
        xpub = try ZMQSocket(context, .xpub)
        try xpub.set(.linger, 0)
        // Set once, before any subscriber connects: libzmq 4.3.4 applies a changed SNDHWM to every
        // existing connection, and crashes when one of them is closing (libzmq issue 4524).
        try xpub.set(.sendHighWaterMark, sendHighWaterMark)
        counters.subscriberQueueLimit.store(Int64(sendHighWaterMark), ordering: .relaxed)
        // Every subscription and cancel of every subscriber, each with its connection: the
        // subscription book keeps per-subscriber limits and the first and last holders.
        try xpub.set(.xpubVerboser, 1)
        try xpub.set(
            .maxMessageSize,
            curve == nil ? SubscriberGuards.maximumSubscriptionFrame : SubscriberGuards.maximumCurveSubscriptionFrame)
        // With CURVE, nothing is applied but what the gate applies: no leak before the owner read
        // a subscription.
        if curve != nil { try xpub.set(.xpubManual, 1) }
        let listening = try ListeningEndpoints(
            socket: xpub, endpoints: endpoints, role: "publish", connectionLimit: connectionLimit, curve: curve,
            counters: counters, logger: logger)
        subscribers = listening.connections
        multicast = try multicastEndpoints.map {
            try MulticastSender(
                context: context, endpoint: $0, settings: multicastSettings, maximumQueue: sendHighWaterMark,
                counters: counters.addMulticast(endpoint: $0, rateKilobits: multicastSettings.rateKilobits))
        }
        boundEndpoints = listening.endpoints + multicastEndpoints
    }

    /// The sockets the owning thread polls for ``readSubscriptionChanges(limit:)``.
    var sockets: [ZMQSocket] { [xpub, subscribers.eventSocket] }

    func publish(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws {
        try xpub.send(topic, more: true)
        try xpub.send(body)
        published &+= 1
        for sender in multicast {
            while try !sender.send(topic: topic, body: body, waiting: waitsForMulticast) {
                if waitsForMulticast {
                    if sender.noteFullQueue() {
                        logger.notice(
                            "multicast \(sender.endpoint) is the bottleneck: publishing now waits for its rate (queue of \(sender.queueLimit) messages full)"
                        )
                    }
                    if try !stopRequests.waitReadable(timeoutMilliseconds: 0) { continue }
                    waitsForMulticast = false
                }
                sender.giveUp()
                break
            }
        }
    }

    func publish(_ message: FeedMessage) throws {
        try message.topicBytes.withUnsafeBytes { topic in
            try message.encodedBody().withUnsafeBytes { try publish(topic: topic, body: $0) }
        }
    }

    /// From now on a message that does not fit in a PGM queue is given up instead of waited for.
    func stopWaitingForMulticast() { waitsForMulticast = false }

    /// Reports what multicast gave up, then keeps the PGM senders open for the repair window so
    /// receivers that lost the last packets can still have them resent. Returns at once without
    /// multicast.
    func finishMulticast() {
        guard !multicast.isEmpty else { return }
        for sender in multicast where sender.givenUp > 0 {
            logger.warning(
                "multicast \(sender.endpoint): \(sender.givenUp) messages were not sent at shutdown (the multicast rate could not keep up), and up to \(sender.queueLimit) sent before may still have been queued; all of them are in the history"
            )
        }
        Thread.sleep(forTimeInterval: Double(ShutdownBudget.multicastRepairMilliseconds) / 1000)
    }

    /// A change of what the subscribers hold, as far as the owner cares.
    enum SubscriptionChange: Equatable {
        /// A subscriber took `prefix`; `first` when no one held it before.
        case subscribed([UInt8], first: Bool)
        /// The last holder of `prefix` let go of it, or left.
        case released([UInt8])

        /// Whether this is a subscription to the heartbeat topic (or a prefix of it).
        var wantsHeartbeat: Bool {
            guard case .subscribed(let prefix, _) = self else { return false }
            return FanOut.heartbeat.starts(with: prefix)
        }
    }

    /// Takes in connection events and at most `limit` subscription messages; disconnects
    /// subscribers that ask for too much. Returns what changed.
    func readSubscriptionChanges(limit: Int) throws -> [SubscriptionChange] {
        var changes = try connectionChanges()
        var taken = 0
        while taken < limit, try xpub.receive(into: frames, dontWait: true) {
            taken += 1
            guard frames.count == 1, let kind = frames[0].first, kind <= 1 else { continue }
            let prefix = Array(frames[0].dropFirst())
            let holder: SubscriptionBook.Holder
            if let descriptor = frames.sourceDescriptor(of: 0).map(ConnectionDescriptor.init) {
                // libzmq reports a connection before anything arrives on it (ConnectionGuard rule 1).
                if !subscribers.isLive(descriptor) { changes += try connectionChanges() }
                guard subscribers.isLive(descriptor) else {
                    logger.debug("subscription from \(descriptor), which already left, ignored")
                    continue
                }
                holder = .connection(descriptor)
            } else if hasInprocEndpoints {
                // An inproc subscriber's, or a cancel libzmq made up for a connection that ended,
                // which the book already let go of (its rule 4). The two cannot be told apart: such
                // a cancel also lets go of the prefix for inproc subscribers, if they hold it too.
                holder = .inproc
            } else {
                continue  // A cancel libzmq made up for a connection that ended (book rule 4).
            }
            // Applied at once (ZMQ_SUBSCRIBE acts on the connection of the message last read); a
            // subscription with nothing entitled in it is not held either.
            if gate != nil, try !gate!.apply(subscribe: kind == 1, prefix, by: holder, message: frames, on: xpub) { continue }
            let outcome = kind == 1 ? book.subscribe(prefix, by: holder) : book.cancel(prefix, by: holder)
            switch outcome {
            case .held(let first):
                changes.append(.subscribed(prefix, first: first))
            case .released(let last):
                if last { changes.append(.released(prefix)) }
            case .unchanged:
                break
            case .refused(let reason):
                if case .connection(let descriptor) = holder { drop(descriptor, reason) }
            }
        }
        return changes
    }

    /// With CURVE, after the clients folder was reloaded: disconnects the subscribers whose
    /// entitlements changed or were revoked (see ``SubscriptionGate/holdersToReconnect()``).
    func applyReloadedClients() {
        guard gate != nil else { return }
        for holder in gate!.holdersToReconnect() {
            guard case .connection(let descriptor) = holder else { continue }
            gate!.remove(holder)
            if let peer = subscribers.disconnect(descriptor) {
                logger.notice("disconnected subscriber \(peer) (\(descriptor)): its entitlements changed or were revoked (clients reloaded)")
            }
        }
    }

    /// Notes whether a turn of the publishing loop left producer messages waiting (see ``FeedBacklog``).
    func noteIntakeTurn(leftWorkWaiting: Bool, now: Int64) {
        backlog.noteTurn(leftWorkWaiting: leftWorkWaiting, now: now)
    }

    /// Looks at each subscriber's send queue when due: disconnects those stalled longer than
    /// `--slow-subscriber-ms` or reading nothing while the feed is behind, then the
    /// longest-stalled while what the stalled ones may hold is over `--subscriber-memory`; gives
    /// memory back to the system a while after a disconnect.
    func checkStalledSubscribers(now: Int64) {
        guard now >= nextStallLookAt else { return }
        nextStallLookAt = now + slowWatch.sampleIntervalNanoseconds
        memoryTrim.trimIfDue(now: now, logger: logger)
        let feedBehind = backlog.isBehind(for: SlowSubscriberWatch.behindNanoseconds, now: now)
        for descriptor in Array(subscribers.connections) where !disconnecting.contains(descriptor) {
            guard let look = subscribers.sendQueue(descriptor) else { continue }
            switch slowWatch.note(descriptor, look, now: now, published: published, feedBehind: feedBehind) {
            case .slow: drop(descriptor, .slow, now: now)
            case .stalledWhileBehind: drop(descriptor, .stalledWhileBehind, now: now)
            case nil: break
            }
        }
        let (held, toDisconnect) = memoryBudget.overBudget(slowWatch.stalls, published: published)
        counters.stalledSubscriberBytes.store(Int64(held), ordering: .relaxed)
        for descriptor in toDisconnect { drop(descriptor, .memoryBudget, now: now) }
    }

    /// When ``checkStalledSubscribers(now:)`` is due next.
    /// With CURVE, at least every half second, for ``applyReloadedClients()``.
    var nextDeadline: Int64 {
        gate == nil ? nextStallLookAt : min(nextStallLookAt, MonotonicClock.nanoseconds() + 500_000_000)
    }

    /// Connection events: subscribers that left let go of their prefixes.
    private func connectionChanges() throws -> [SubscriptionChange] {
        var changes: [SubscriptionChange] = []
        for descriptor in try subscribers.update() {
            // A stalled subscriber that left let go of what its queue held.
            if slowWatch.stalls[descriptor] != nil { memoryTrim.noteQueueFreed(now: MonotonicClock.nanoseconds()) }
            slowWatch.forget(descriptor)
            disconnecting.remove(descriptor)
            changes += book.remove(descriptor).map { .released($0) }
            gate?.remove(.connection(descriptor))
        }
        return changes
    }

    private func drop(_ descriptor: ConnectionDescriptor, _ reason: SubscriberDropReason, now: Int64 = MonotonicClock.nanoseconds()) {
        let stalledFor = slowWatch.stalls[descriptor].map { (now - $0.since) / 1_000_000 }
        slowWatch.forget(descriptor)
        guard let peer = subscribers.disconnect(descriptor) else { return }
        disconnecting.insert(descriptor)
        memoryTrim.noteQueueFreed(now: now)
        let count = counters.dropSubscriber(reason)
        let why =
            switch reason {
            case .tooManySubscriptions: "asked for more than \(guards.maximumSubscriptions) subscriptions"
            case .subscriptionTooLong: "sent a subscription longer than \(SubscriberGuards.maximumSubscriptionLength) bytes"
            case .slow: "its send queue stayed full for \(guards.slowSubscriberMilliseconds) ms"
            case .stalledWhileBehind:
                "it read nothing for \(slowWatch.idleLimitWhileBehindNanoseconds / 1_000_000) ms while the feed was behind its producers"
            case .memoryBudget:
                "the stalled subscribers' queues may hold more than --subscriber-memory (\(guards.subscriberMemoryBytes) bytes) together, and it was stalled longest (\(stalledFor ?? 0) ms)"
            }
        logger.warning(occurrence: count, "disconnected subscriber \(peer) (\(descriptor)): \(why) (\(reason.rawValue) #\(count))")
    }
}

@available(*, unavailable)
extension FanOut: Sendable {}
