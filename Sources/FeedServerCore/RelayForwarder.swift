import FeedModel
import Logging
import ZeroMQ

/// The relay's intake: an XSUB connected to every upstream, and the subscription bookkeeping
/// between the local subscribers and the upstreams (the ZeroMQ Guide's forwarder); it runs in a
/// ``PublishingLoop``.
///
/// Messages pass through byte for byte: the origin's session and sequence numbers are kept,
/// so a client behind any chain of relays sees gaps end to end. Malformed messages and topics
/// outside the allowed prefixes are counted and dropped. It stops as the engine does (see
/// ``PublisherShutdown``), without taking anything in after the stop request and without a final
/// heartbeat of its own: it has no sequence to announce, and PGM's own SPMs tell receivers of a
/// lost tail.
final class RelayForwarder: PublisherIntake {
    private let upstream: ZMQSocket
    private let output: PublishOutput
    private var subscriptions: UpstreamSubscriptions
    private let counters: ServerCounters
    private let logger: Logger
    private let frames = ZMQMultipartMessage(capacity: 8)
    /// Whether an upstream is PGM multicast, where a loss can cut a message (``MulticastFrames``).
    private let upstreamIsMulticast: Bool
    /// Watches a multicast upstream for the receiver stall after an unrepairable loss.
    private var rejoin: MulticastRejoin
    /// Where the feed stands as far as this relay forwarded: the last message's session and
    /// feed sequence (a heartbeat's included).
    private var lastForwarded: (session: UInt32, feedSequence: UInt64)?
    /// Whether everything the relay may forward reaches it, subscribers or not (a multicast
    /// upstream, or its allowed prefixes held upstream: rule 4 of ``UpstreamSubscriptions``), so
    /// that ``lastForwarded`` is where the feed stands now, not where it stood when the last
    /// subscriber left.
    private let receivesTheWholeFeed: Bool

    /// Connects to every upstream and subscribes there to what is forwarded without subscribers.
    /// - Parameter output: the publishing loop's; what it records, the relay forwards even
    ///   without subscribers.
    init(
        context: ZMQContext, configuration: RelayConfiguration, output: PublishOutput, counters: ServerCounters,
        logger: Logger
    ) throws {
        self.output = output
        self.counters = counters
        self.logger = logger
        upstream = try ZMQSocket(context, .xsub)
        try upstream.set(.linger, 0)
        try upstream.set(.receiveHighWaterMark, configuration.sendHighWaterMark)
        // Only subscriptions go upstream, and libzmq drops those that do not fit the send queue
        // (1,000 by default), on a burst and when (re)connecting: a relay holding 10,000 lost half.
        try upstream.set(.sendHighWaterMark, 0)
        try upstream.set(.maxMessageSize, 4096)
        if let upstreamCurve = configuration.upstreamCurve { try upstream.secure(upstreamCurve) }
        let forwardsWithoutSubscribers = output.records || !configuration.multicastEndpoints.isEmpty
        subscriptions = UpstreamSubscriptions(allowed: configuration.prefixes, forwardsWithoutSubscribers: forwardsWithoutSubscribers)
        upstreamIsMulticast = configuration.upstreamEndpoints.contains { PGMEndpoint.isPGM($0) }
        receivesTheWholeFeed = upstreamIsMulticast || forwardsWithoutSubscribers
        var connected: [String] = []
        for endpoint in configuration.upstreamEndpoints {
            if PGMEndpoint.isPGM(endpoint) {
                try upstream.preparePGMReceiver(
                    rateKilobits: configuration.multicast.rateKilobits,
                    recoveryIntervalMilliseconds: configuration.multicast.recoveryIntervalMilliseconds)
                connected.append(try PGMEndpoint(endpoint).resolved())
            } else {
                connected.append(endpoint)
            }
            try upstream.connect(connected[connected.count - 1])
        }
        rejoin = MulticastRejoin(endpoints: connected, now: MonotonicClock.nanoseconds())
        for prefix in subscriptions.initial { try sendUpstream(subscribe: true, prefix) }
    }

    // MARK: PublisherIntake

    var sockets: [ZMQSocket] { [upstream] }

    func takeIn(readable: [Bool]) throws {
        leftWorkWaiting = try readable[0] && forward().endedAtLimit
    }

    private(set) var leftWorkWaiting = false

    /// Rejoins a multicast upstream that stalled (``MulticastRejoin``); what it missed shows as a
    /// jump, which the recording relay fills from `--upstream-replay`.
    func housekeeping() throws {
        guard try rejoin.rejoinIfStalled(upstream, now: MonotonicClock.nanoseconds()) else { return }
        logger.warning(
            occurrence: UInt64(rejoin.rejoins),
            "multicast upstream \(rejoin.endpoints.joined(separator: ", ")) delivered nothing for \(rejoin.stallNanoseconds / 1_000_000) ms (a loss PGM could not repair stalls libzmq's receiver, or the origin is gone): rejoined (#\(rejoin.rejoins))"
        )
    }

    var nextDeadline: Int64? { rejoin.deadline }
    func takeInAfterStopRequest() throws {}
    func finishAfterStopRequest() {}

    // MARK: Forwarding

    /// Forwards waiting upstream messages, a turn's worth at most (``IntakeTurn``).
    private func forward() throws -> IntakeTurn {
        var turn = IntakeTurn()
        defer { if turn.taken > 0, rejoin.deadline != nil { rejoin.noteDelivery(now: MonotonicClock.nanoseconds()) } }
        while !turn.endedAtLimit, try upstream.receive(into: frames, dontWait: true) {
            turn.count()
            var first = 0
            if frames.count != 2 {
                // Over PGM, remains of messages a loss cut off lead the next whole one.
                guard upstreamIsMulticast, let start = MulticastFrames.firstOfWholeMessage(count: frames.count, readable: frames.capacity)
                else {
                    if upstreamIsMulticast { _ = counters.reject("cut_by_multicast_loss") } else { drop(WireError.wrongFrameCount(frames.count)) }
                    continue
                }
                for _ in 0..<start { _ = counters.reject("cut_by_multicast_loss") }
                first = start
            }
            let topic = frames[first]
            let body = frames[first + 1]
            let header: WireHeader
            do { header = try FeedMessage.validate(topic: topic, body: body) } catch {
                drop(error)
                continue
            }
            guard subscriptions.allows(topic: topic) else {
                counters.reject("outside_prefixes")
                continue
            }
            try output.fanOut.publish(topic: topic, body: body)
            lastForwarded = (header.session, header.feedSequence)
            if header.type == .heartbeat {
                output.relayRecording?.noteHeartbeat(header)
            } else {
                output.relayRecording?.record(header, topic: topic, body: body)
                counters.published.add(1, ordering: .relaxed)
                counters.lastFeedSequence.store(header.feedSequence, ordering: .relaxed)
            }
        }
        return turn
    }

    private func drop(_ error: WireError) {
        let count = counters.reject(error.kind)
        logger.warning(occurrence: count, "dropped upstream message (\(error.kind) #\(count)): \(error)")
    }

    /// Passes the subscribers' changes upstream, a turn of at most 500, so thousands arriving at
    /// once slow forwarding down for a while instead of stopping it.
    func handleSubscriptions() throws {
        for change in try output.fanOut.readSubscriptionChanges(limit: 500) {
            let subscribe: Bool
            let prefix: [UInt8]
            switch change {
            case .subscribed(let held, _):
                (subscribe, prefix) = (true, held)
                counters.subscriptions.add(1, ordering: .relaxed)
                if change.wantsHeartbeat {
                    if receivesTheWholeFeed { try answerHeartbeatSubscription() }
                    try sendUpstream(subscribe: true, Topic.heartbeat.rawValue)  // Asks the origin for a heartbeat now.
                }
            case .released(let released):
                (subscribe, prefix) = (false, released)
            }
            let changes = subscriptions.apply(subscribe: subscribe, prefix: String(decoding: prefix, as: UTF8.self))
            for prefix in changes.subscribe { try sendUpstream(subscribe: true, prefix) }
            for prefix in changes.unsubscribe { try sendUpstream(subscribe: false, prefix) }
        }
    }

    /// Tells a new subscriber at once where the feed stands as far as this relay forwarded: a
    /// heartbeat of the last session and feed sequence forwarded, if any. The origin's own answer
    /// follows over TCP or IPC; over multicast a subscription cannot reach it, and a busy origin
    /// sends no heartbeat of its own, so without this a subscriber would wait for a quiet moment.
    /// Only a relay that ``receivesTheWholeFeed`` answers: one that forwarded nothing while it had
    /// no subscriber would name a point seconds old, and the subscriber would read everything
    /// since from history while its live stream waited (1.3 s at 20,000 msg/s).
    private func answerHeartbeatSubscription() throws {
        guard let lastForwarded else { return }
        let now = Timestamp.now().nanoseconds
        try output.fanOut.publish(
            FeedMessage(
                topic: .heartbeat, session: lastForwarded.session, feedSequence: lastForwarded.feedSequence, topicSequence: 0,
                eventTime: now, publishTime: now, payload: .heartbeat))
    }

    private func sendUpstream(subscribe: Bool, _ prefix: String) throws {
        try upstream.send([subscribe ? 1 : 0] + Array(prefix.utf8))
        logger.debug("upstream \(subscribe ? "subscribe" : "unsubscribe") '\(prefix)'")
    }
}

@available(*, unavailable)
extension RelayForwarder: Sendable {}
