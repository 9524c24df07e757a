import FeedModel
import Logging
import ZeroMQ

/// The hot path, on one thread: takes producer messages (and demo events), sequences them,
/// publishes them, and collects them into blocks for the recorder.
///
/// Owns the ingest PULL, the fan-out XPUB and a control PULL; nothing else touches them. It
/// stops when a message arrives on the control endpoint, after taking in what producers had
/// already delivered, or when the context is shut down. ``WorkerThread/stopPublishing`` tells
/// the whole stop sequence and why it fits the shutdown budget.
final class FeedEngine {
    private let configuration: ServerConfiguration
    private let ingest: ZMQSocket
    private let control: ZMQSocket
    private let fanOut: FanOut
    private let producers: ConnectionGuard
    private let counters: ServerCounters
    private let logger: Logger
    private let historyHandedOver: Latch
    /// With CURVE: who may publish what (producers are told apart by their ZAP `User-Id`).
    private let allowList: ClientAllowList?
    /// With CURVE: closes the connections of revoked producers.
    private var revoked: RevokedConnections?
    // The engine alone uses these, one call at a time: no dynamic exclusivity check per message.
    @exclusivity(unchecked) private var sequencer: Sequencer
    @exclusivity(unchecked) private var blocks: BlockBuilder
    @exclusivity(unchecked) private var demo: DemoFeed?
    private var lastHeartbeatAt: Int64
    private var demoStartedAt: Int64
    private var demoGenerated: Int64 = 0
    /// Published but not yet added to `counters` (they are updated once per batch).
    private var publishedSinceReport: UInt64 = 0
    /// Where a message body is copied and stamped before it is sent: read frames stay untouched.
    private let body = UnsafeMutableRawBufferPointer.allocate(
        byteCount: WireLayout.maximumBodyLength, alignment: MemoryLayout<UInt64>.alignment)
    private let frames = ZMQMultipartMessage(capacity: 4)

    /// Largest ingest frame libzmq reads. Frames up to it that are longer than any message are
    /// counted as `oversized` and dropped like any bad message; a larger one makes libzmq close
    /// that producer's connection before reading it into memory, which bounds what a hostile
    /// producer can make the ingest queue (`ZMQ_RCVHWM` frames) hold.
    static let maximumIngestMessageSize: Int64 = 4096

    /// Binds every socket; throws (with the endpoint in the message) if any bind fails.
    /// - Parameter historyHandedOver: opened once every published message went to the recorder.
    init(
        context: ZMQContext, configuration: ServerConfiguration, controlEndpoint: String, session: UInt32,
        recorder: Recorder, historyHandedOver: Latch, counters: ServerCounters, logger: Logger
    ) throws {
        self.configuration = configuration
        self.counters = counters
        self.logger = logger
        self.historyHandedOver = historyHandedOver
        allowList = configuration.curve?.clients
        revoked = configuration.curve.map { RevokedConnections(clients: $0.clients, logger: logger) }
        sequencer = Sequencer(session: session)
        control = try ControlChannel.bind(context, controlEndpoint)
        let connectionLimit = configuration.guards.connectionLimit(endpoints: 3)  // publish, ingest, replay
        ingest = try ZMQSocket(context, .pull)
        try ingest.set(.linger, 0)
        try ingest.set(.maxMessageSize, Self.maximumIngestMessageSize)
        try ingest.set(.receiveHighWaterMark, 100_000)
        producers = try ConnectionGuard(
            socket: ingest, role: "ingest", limit: connectionLimit, counters: counters, logger: logger)
        if let curve = configuration.curve { try ingest.secure(.server(secretKey: curve.secretKey)) }
        try ingest.bind(configuration.ingestEndpoint)
        fanOut = try FanOut(
            context: context, endpoints: configuration.publishEndpoints,
            multicastEndpoints: try configuration.multicastEndpoints.map { try PGMEndpoint($0).resolved() },
            multicastSettings: configuration.multicast, sendHighWaterMark: configuration.sendHighWaterMark,
            guards: configuration.guards, connectionLimit: connectionLimit, curve: configuration.curve, stopRequests: control,
            counters: counters, logger: logger)
        blocks = BlockBuilder(
            recorder: recorder, messagesPerBlock: configuration.blockMessages,
            flushAfterMilliseconds: configuration.blockFlushMilliseconds)
        demo = configuration.demoRate.map { _ in
            let symbols = configuration.demoSymbols.map { DemoSymbols(synthetic: $0, seed: configuration.demoSeed) }
            return DemoFeed(symbols: symbols ?? .listed, seed: configuration.demoSeed)
        }
        lastHeartbeatAt = MonotonicClock.nanoseconds()
        demoStartedAt = lastHeartbeatAt
    }

    deinit { body.deallocate() }

    /// The ingest endpoint as bound (wildcard port resolved).
    var ingestEndpoint: String { (try? ingest.get(.lastEndpoint)) ?? configuration.ingestEndpoint }
    var publishEndpoints: [String] { fanOut.boundEndpoints }

    /// Runs until stopped. Then hands every block to the recorder (opening `historyHandedOver`)
    /// and, after a stop request, sends a final heartbeat and keeps multicast open for repairs.
    func run() {
        let requested = runUntilStopped()
        blocks.flushAll()
        historyHandedOver.open()
        guard requested else { return }
        do {
            // Tells every subscriber the last sequence, and lets a PGM receiver that lost the
            // tail notice it at once rather than at the next SPM.
            try sendHeartbeat()
        } catch {
            logger.info("no final heartbeat: \(error)")
        }
        fanOut.finishMulticast()
    }

    /// Returns `true` after a stop request, `false` when the context was shut down or on error.
    private func runUntilStopped() -> Bool {
        do {
            while true {
                let ready = try ZMQPoller.poll(
                    [control, ingest, producers.eventSocket] + fanOut.sockets, timeoutMilliseconds: pollTimeoutMilliseconds())
                if ready[0] {
                    try takeInWhatProducersDelivered()
                    return true
                }
                if ready[1] { try drainIngest(limit: 4096) }
                if ready[2] { try producers.update() }
                if ready[3] || ready[4] { try handleSubscriptions() }
                if demo != nil { try generateDemo() }
                try housekeeping()
            }
        } catch let error as ZMQError where error.isContextTerminated {
            logger.info("engine stopping: context shut down")
        } catch {
            logger.critical("engine stopped on error: \(error)")
        }
        return false
    }

    // MARK: Intake

    /// After a stop request: publishes and records what producers already delivered, until
    /// intake has been quiet for a moment, within the intake budget. Multicast no longer waits:
    /// a PGM rate that cannot keep up must not hold the history back.
    private func takeInWhatProducersDelivered() throws {
        fanOut.stopWaitingForMulticast()
        let started = MonotonicClock.nanoseconds()
        let deadline = started + Int64(ShutdownBudget.intakeMilliseconds) * 1_000_000
        var taken = 0
        while MonotonicClock.nanoseconds() < deadline {
            let batch = try drainIngest(limit: 4096)
            taken += batch
            if batch == 0, try !ingest.waitReadable(timeoutMilliseconds: ShutdownBudget.intakeQuietMilliseconds) {
                logger.info("took in \(taken) producer messages after the stop request, in \((MonotonicClock.nanoseconds() - started) / 1_000_000) ms")
                return
            }
        }
        logger.warning(
            "producers were still sending \(ShutdownBudget.intakeMilliseconds) ms after the stop request; later messages were not published"
        )
    }

    /// Takes in at most `limit` waiting producer messages; returns how many it took.
    @discardableResult
    private func drainIngest(limit: Int) throws -> Int {
        defer { reportPublished() }
        var taken = 0
        while taken < limit, try ingest.receive(into: frames, dontWait: true) {
            taken += 1
            try revoked?.noteSender(of: frames, frame: 0, on: producers)
            switch IngestValidator.validate(frames) {
            case .success(let header):
                if let allowList, let sender = allowList.entitlements(ofSenderOf: frames, frame: 0),
                    !(sender.roles.contains(.publish) && sender.allows(topic: frames[0]))
                {
                    drop(kind: "not_entitled") {
                        "\(sender.name) may not publish \(String(decoding: frames[0], as: UTF8.self))"
                            + (sender.roles.contains(.publish) ? " (its prefixes: \(sender.prefixes))" : " (no publish role)")
                    }
                    continue
                }
                let source = frames[1]
                let target = UnsafeMutableRawBufferPointer(rebasing: body[0..<source.count])
                target.copyMemory(from: source)
                let now = Timestamp.now().nanoseconds
                if header.eventTime == 0 { WireHeader.stampEventTime(target, now) }
                try publish(topic: frames[0], body: target, now: now)
            case .failure(let error):
                drop(kind: error.kind) { "\(error)" }
            }
        }
        return taken
    }

    /// Counts a dropped ingest message by `kind`, and logs the first ten of a kind and every
    /// thousandth after.
    private func drop(kind: String, reason: () -> String) {
        let count = counters.reject(kind)
        if LogThrottle.logs(count) {
            logger.warning("dropped ingest message (\(kind) #\(count)): \(reason())")
        }
    }

    private func generateDemo() throws {
        guard let rate = configuration.demoRate, rate > 0 else { return }
        let elapsed = MonotonicClock.nanoseconds() - demoStartedAt
        let due = min(Int64(Double(elapsed) * Double(rate) / 1e9) - demoGenerated, 8192)
        guard due > 0 else { return }
        defer { reportPublished() }
        for _ in 0..<due {
            let now = Timestamp.now().nanoseconds
            try demo!.next(eventTime: now, into: body) { topic, body in try publish(topic: topic, body: body, now: now) }
        }
        demoGenerated += due
    }

    // MARK: Publishing

    /// Sequences, publishes and records one message whose topic was validated.
    private func publish(topic: UnsafeRawBufferPointer, body: UnsafeMutableRawBufferPointer, now: Int64) throws {
        sequencer.stamp(topic: topic, body: body, publishTime: now)
        let stamped = UnsafeRawBufferPointer(body)
        try fanOut.publish(topic: topic, body: stamped)
        blocks.append(session: sequencer.session, topic: topic, body: stamped)
        publishedSinceReport += 1
    }

    /// Brings the shared counters up to date after a batch.
    private func reportPublished() {
        guard publishedSinceReport > 0 else { return }
        counters.published.add(publishedSinceReport, ordering: .relaxed)
        counters.lastFeedSequence.store(sequencer.lastFeedSequence, ordering: .relaxed)
        publishedSinceReport = 0
    }

    private func sendHeartbeat() throws {
        try fanOut.publish(sequencer.heartbeat(now: Timestamp.now().nanoseconds))
        lastHeartbeatAt = MonotonicClock.nanoseconds()
    }

    private func handleSubscriptions() throws {
        let changes = try fanOut.readSubscriptionChanges(limit: 4096)
        let subscribed = changes.count { if case .subscribed = $0 { true } else { false } }
        counters.subscriptions.add(UInt64(subscribed), ordering: .relaxed)
        if changes.contains(where: \.wantsHeartbeat) { try sendHeartbeat() }
    }

    // MARK: Timers

    private func housekeeping() throws {
        let now = MonotonicClock.nanoseconds()
        blocks.flushDue(now: now)
        try fanOut.checkSlowSubscribers(now: now)
        try fanOut.applyReloadedClients()
        try revoked?.closeRevoked(on: producers)
        if now - lastHeartbeatAt >= Int64(configuration.heartbeatIntervalMilliseconds) * 1_000_000 {
            try sendHeartbeat()
        }
    }

    private func pollTimeoutMilliseconds() -> Int {
        let now = MonotonicClock.nanoseconds()
        var deadline = lastHeartbeatAt + Int64(configuration.heartbeatIntervalMilliseconds) * 1_000_000
        if let blockDeadline = blocks.nextDeadline { deadline = min(deadline, blockDeadline) }
        if let slowDeadline = fanOut.nextDeadline { deadline = min(deadline, slowDeadline) }
        if let rate = configuration.demoRate, rate > 0 {
            let nextDue = demoStartedAt + Int64(Double(demoGenerated + 1) * 1e9 / Double(rate))
            deadline = min(deadline, nextDue)
        }
        return Int(max(0, (deadline - now + 999_999) / 1_000_000))
    }
}

@available(*, unavailable)
extension FeedEngine: Sendable {}
