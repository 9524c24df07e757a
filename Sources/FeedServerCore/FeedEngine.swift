import FeedModel
import Logging
import ZeroMQ

/// The server's intake, the hot path: takes producer messages (and demo events), sequences
/// them, and publishes and records them through the ``PublishingLoop`` it runs in; sends a
/// heartbeat every heartbeat interval, when a subscriber asks for one and after a stop request.
///
/// Owns the ingest PULL and its connections; nothing else touches them. After a stop request it
/// takes in what producers had already delivered (see ``PublisherShutdown``).
final class FeedEngine: PublisherIntake {
    private let configuration: ServerConfiguration
    private let ingest: ZMQSocket
    /// The ingest endpoint as bound (wildcard port resolved).
    let ingestEndpoint: String
    private let output: PublishOutput
    private let producers: ConnectionGuard
    private let counters: ServerCounters
    private let logger: Logger
    /// With CURVE: who may publish what (producers are told apart by their ZAP `User-Id`).
    private let allowList: ClientAllowList?
    /// With CURVE: closes the connections of revoked producers.
    private var revoked: RevokedConnections?
    // The engine alone uses these, one call at a time: no dynamic exclusivity check per message.
    @exclusivity(unchecked) private var sequencer: Sequencer
    @exclusivity(unchecked) private var demo: DemoFeed?
    private var lastPublishAt: Int64
    private var demoStartedAt: Int64
    private var demoGenerated: Int64 = 0
    private(set) var leftWorkWaiting = false
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

    /// Binds the ingest endpoint; throws (with the endpoint in the message) if the bind fails.
    /// - Parameter output: the publishing loop's, which records every message.
    init(
        context: ZMQContext, configuration: ServerConfiguration, session: UInt32, output: PublishOutput,
        counters: ServerCounters, logger: Logger
    ) throws {
        self.configuration = configuration
        self.output = output
        self.counters = counters
        self.logger = logger
        allowList = configuration.curve?.clients
        revoked = configuration.curve.map { RevokedConnections(clients: $0.clients, logger: logger) }
        sequencer = Sequencer(session: session)
        ingest = try ZMQSocket(context, .pull)
        try ingest.set(.linger, 0)
        try ingest.set(.maxMessageSize, Self.maximumIngestMessageSize)
        try ingest.set(.receiveHighWaterMark, 100_000)
        let listening = try ListeningEndpoints(
            socket: ingest, endpoints: [configuration.ingestEndpoint], role: "ingest",
            connectionLimit: configuration.connectionLimitPerEndpoint, curve: configuration.curve, counters: counters,
            logger: logger)
        producers = listening.connections
        ingestEndpoint = listening.endpoints[0]
        demo = configuration.demoRate.map { _ in
            let symbols = configuration.demoSymbols.map { DemoSymbols(synthetic: $0, seed: configuration.demoSeed) }
            return DemoFeed(symbols: symbols ?? .listed, seed: configuration.demoSeed)
        }
        lastPublishAt = MonotonicClock.nanoseconds()
        demoStartedAt = lastPublishAt
    }

    deinit { body.deallocate() }

    // MARK: Intake

    var sockets: [ZMQSocket] { [ingest, producers.eventSocket] }

    func takeIn(readable: [Bool]) throws {
        leftWorkWaiting = try readable[0] && drainIngest().endedAtLimit
        if readable[1] { try producers.update() }
    }

    /// Publishes and records what producers already delivered, until intake has been quiet for
    /// a moment, within the intake budget.
    func takeInAfterStopRequest() throws {
        let started = MonotonicClock.nanoseconds()
        let deadline = started + Int64(ShutdownBudget.intakeMilliseconds) * 1_000_000
        var taken = 0
        while MonotonicClock.nanoseconds() < deadline {
            let batch = try drainIngest().taken
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

    /// Takes in waiting producer messages, a turn's worth at most (``IntakeTurn``).
    private func drainIngest() throws -> IntakeTurn {
        defer { reportPublished() }
        var turn = IntakeTurn()
        while !turn.endedAtLimit, try ingest.receive(into: frames, dontWait: true) {
            turn.count()
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
        return turn
    }

    /// Counts a dropped ingest message by `kind`, and logs it as ``LogThrottle`` says.
    private func drop(kind: String, reason: () -> String) {
        let count = counters.reject(kind)
        logger.warning(occurrence: count, "dropped ingest message (\(kind) #\(count)): \(reason())")
    }

    private func generateDemo() throws {
        guard let rate = configuration.demoRate, rate > 0 else { return }
        let elapsed = MonotonicClock.nanoseconds() - demoStartedAt
        let due = Int64(Double(elapsed) * Double(rate) / 1e9) - demoGenerated
        guard due > 0 else { return }
        defer { reportPublished() }
        var turn = IntakeTurn()
        while !turn.endedAtLimit, turn.taken < due {
            turn.count()
            let now = Timestamp.now().nanoseconds
            try demo!.next(eventTime: now, into: body) { topic, body in try publish(topic: topic, body: body, now: now) }
        }
        demoGenerated += Int64(turn.taken)
        if turn.taken < due { leftWorkWaiting = true }
    }

    // MARK: Publishing

    /// Sequences, publishes and records one message whose topic was validated.
    private func publish(topic: UnsafeRawBufferPointer, body: UnsafeMutableRawBufferPointer, now: Int64) throws {
        sequencer.stamp(topic: topic, body: body, publishTime: now)
        let stamped = UnsafeRawBufferPointer(body)
        try output.publishAndRecord(session: sequencer.session, topic: topic, body: stamped)
        publishedSinceReport += 1
    }

    /// Brings the shared counters and the heartbeat timer up to date after a batch.
    private func reportPublished() {
        guard publishedSinceReport > 0 else { return }
        counters.published.add(publishedSinceReport, ordering: .relaxed)
        counters.lastFeedSequence.store(sequencer.lastFeedSequence, ordering: .relaxed)
        publishedSinceReport = 0
        lastPublishAt = MonotonicClock.nanoseconds()
    }

    private func sendHeartbeat() throws {
        try output.fanOut.publish(sequencer.heartbeat(now: Timestamp.now().nanoseconds))
        lastPublishAt = MonotonicClock.nanoseconds()
    }

    func handleSubscriptions() throws {
        let changes = try output.fanOut.readSubscriptionChanges(limit: 4096)
        let subscribed = changes.count { if case .subscribed = $0 { true } else { false } }
        counters.subscriptions.add(UInt64(subscribed), ordering: .relaxed)
        if changes.contains(where: \.wantsHeartbeat) { try sendHeartbeat() }
    }

    /// Tells every subscriber the last sequence, and lets a PGM receiver that lost the tail
    /// notice it at once rather than at the next SPM.
    func finishAfterStopRequest() {
        do {
            try sendHeartbeat()
        } catch {
            logger.info("no final heartbeat: \(error)")
        }
    }

    // MARK: Timers

    /// Generates the demo events due, closes revoked producers' connections, and sends a
    /// heartbeat every heartbeat interval, busy or idle.
    func housekeeping() throws {
        if demo != nil { try generateDemo() }
        try revoked?.closeRevoked(on: producers)
        if MonotonicClock.nanoseconds() - lastPublishAt >= Int64(configuration.heartbeatIntervalMilliseconds) * 1_000_000 {
            try sendHeartbeat()
        }
    }

    /// The next heartbeat's, or the next demo event's if sooner.
    var nextDeadline: Int64? {
        var deadline = lastPublishAt + Int64(configuration.heartbeatIntervalMilliseconds) * 1_000_000
        if let rate = configuration.demoRate, rate > 0 {
            deadline = min(deadline, demoStartedAt + Int64(Double(demoGenerated + 1) * 1e9 / Double(rate)))
        }
        return deadline
    }
}

@available(*, unavailable)
extension FeedEngine: Sendable {}
