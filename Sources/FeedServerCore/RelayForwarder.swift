import FeedModel
import Logging
import ZeroMQ

/// The relay's one thread: an XSUB connected to every upstream, the fan-out to local
/// subscribers, and the subscription bookkeeping between them (the ZeroMQ Guide's forwarder).
///
/// Messages pass through byte for byte: the origin's session and sequence numbers are kept,
/// so a client behind any chain of relays sees gaps end to end. Malformed messages and topics
/// outside the allowed prefixes are counted and dropped. It stops as the engine does (see
/// ``WorkerThread/stopPublishing``), without a final heartbeat of its own: it has no sequence
/// to announce, and PGM's own SPMs tell receivers of a lost tail.
final class RelayForwarder {
    private let control: ZMQSocket
    private let upstream: ZMQSocket
    private let fanOut: FanOut
    private var subscriptions: UpstreamSubscriptions
    private var blocks: BlockBuilder?
    private let counters: ServerCounters
    private let logger: Logger
    private let historyHandedOver: Latch
    private let frames = ZMQMultipartMessage(capacity: 8)
    /// Whether an upstream is PGM multicast, where a loss can cut a message (``MulticastFrames``).
    private let upstreamIsMulticast: Bool

    /// - Parameter historyHandedOver: opened once every forwarded message went to the recorder.
    init(
        context: ZMQContext, configuration: RelayConfiguration, controlEndpoint: String, recorder: Recorder?,
        historyHandedOver: Latch, counters: ServerCounters, logger: Logger
    ) throws {
        self.counters = counters
        self.logger = logger
        self.historyHandedOver = historyHandedOver
        control = try ControlChannel.bind(context, controlEndpoint)
        fanOut = try FanOut(
            context: context, endpoints: configuration.publishEndpoints,
            multicastEndpoints: try configuration.multicastEndpoints.map { try PGMEndpoint($0).resolved() },
            multicastSettings: configuration.multicast, sendHighWaterMark: configuration.sendHighWaterMark,
            guards: configuration.guards, connectionLimit: configuration.guards.connectionLimit(endpoints: 1),
            curve: configuration.curve, stopRequests: control, counters: counters, logger: logger)
        upstream = try ZMQSocket(context, .xsub)
        try upstream.set(.linger, 0)
        try upstream.set(.receiveHighWaterMark, configuration.sendHighWaterMark)
        // Only subscriptions go upstream, and libzmq drops those that do not fit the send queue
        // (1,000 by default), on a burst and when (re)connecting: a relay holding 10,000 lost half.
        try upstream.set(.sendHighWaterMark, 0)
        try upstream.set(.maxMessageSize, 4096)
        if let upstreamCurve = configuration.upstreamCurve { try upstream.secure(upstreamCurve) }
        subscriptions = UpstreamSubscriptions(
            allowed: configuration.prefixes,
            forwardsWithoutSubscribers: recorder != nil || !configuration.multicastEndpoints.isEmpty)
        upstreamIsMulticast = configuration.upstreamEndpoints.contains { PGMEndpoint.isPGM($0) }
        for endpoint in configuration.upstreamEndpoints {
            if PGMEndpoint.isPGM(endpoint) {
                try upstream.preparePGMReceiver(
                    rateKilobits: configuration.multicast.rateKilobits,
                    recoveryIntervalMilliseconds: configuration.multicast.recoveryIntervalMilliseconds)
                try upstream.connect(try PGMEndpoint(endpoint).resolved())
            } else {
                try upstream.connect(endpoint)
            }
        }
        for prefix in subscriptions.initial { try sendUpstream(subscribe: true, prefix) }
        blocks = recorder.map {
            BlockBuilder(
                recorder: $0, messagesPerBlock: configuration.blockMessages,
                flushAfterMilliseconds: configuration.blockFlushMilliseconds)
        }
    }

    var publishEndpoints: [String] { fanOut.boundEndpoints }

    /// Runs until stopped. Then hands every block to the recorder (opening `historyHandedOver`)
    /// and, after a stop request, keeps multicast open for repairs.
    func run() {
        let requested = runUntilStopped()
        blocks?.flushAll()
        historyHandedOver.open()
        if requested { fanOut.finishMulticast() }
    }

    /// Returns `true` after a stop request, `false` when the context was shut down or on error.
    private func runUntilStopped() -> Bool {
        do {
            while true {
                let ready = try ZMQPoller.poll([control, upstream] + fanOut.sockets, timeoutMilliseconds: pollTimeout())
                if ready[0] { return true }
                // Each side takes a bounded turn, so thousands of subscription changes arriving
                // at once slow forwarding down for a while instead of stopping it.
                if ready[1] { try forward(limit: 4096) }
                if ready[2] || ready[3] { try handleDownstreamSubscriptions(limit: 500) }
                blocks?.flushDue()
                try fanOut.checkSlowSubscribers(now: MonotonicClock.nanoseconds())
                try fanOut.applyReloadedClients()
            }
        } catch let error as ZMQError where error.isContextTerminated {
            logger.info("relay stopping: context shut down")
        } catch {
            logger.critical("relay stopped on error: \(error)")
        }
        return false
    }

    private func pollTimeout() -> Int {
        let deadlines = [blocks?.nextDeadline, fanOut.nextDeadline].compactMap { $0 }
        guard let deadline = deadlines.min() else { return -1 }
        return Int(max(0, (deadline - MonotonicClock.nanoseconds() + 999_999) / 1_000_000))
    }

    private func forward(limit: Int) throws {
        var taken = 0
        while taken < limit, try upstream.receive(into: frames, dontWait: true) {
            taken += 1
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
            try fanOut.publish(topic: topic, body: body)
            if header.type != .heartbeat {
                blocks?.append(session: header.session, topic: topic, body: body)
                counters.published.add(1, ordering: .relaxed)
                counters.lastFeedSequence.store(header.feedSequence, ordering: .relaxed)
            }
        }
    }

    private func drop(_ error: WireError) {
        let count = counters.reject(error.kind)
        if LogThrottle.logs(count) {
            logger.warning("dropped upstream message (\(error.kind) #\(count)): \(error)")
        }
    }

    private func handleDownstreamSubscriptions(limit: Int) throws {
        for change in try fanOut.readSubscriptionChanges(limit: limit) {
            let subscribe: Bool
            let prefix: [UInt8]
            switch change {
            case .subscribed(let held, _):
                (subscribe, prefix) = (true, held)
                counters.subscriptions.add(1, ordering: .relaxed)
                if change.wantsHeartbeat {
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

    private func sendUpstream(subscribe: Bool, _ prefix: String) throws {
        try upstream.send([subscribe ? 1 : 0] + Array(prefix.utf8))
        logger.debug("upstream \(subscribe ? "subscribe" : "unsubscribe") '\(prefix)'")
    }
}

@available(*, unavailable)
extension RelayForwarder: Sendable {}
