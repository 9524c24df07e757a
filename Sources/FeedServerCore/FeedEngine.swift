import FeedModel
import Logging
import ZeroMQ

/// The hot path, on one thread: takes producer messages (and demo events), sequences them,
/// publishes them, and collects them into blocks for the recorder.
///
/// Owns the ingest PULL, the fan-out XPUB and a control PULL; nothing else touches them. It
/// stops when a message arrives on the control endpoint, after taking in what producers had
/// already delivered, or when the context is shut down.
final class FeedEngine {
    private let configuration: ServerConfiguration
    private let ingest: ZMQSocket
    private let control: ZMQSocket
    private let fanOut: FanOut
    private let counters: ServerCounters
    private let logger: Logger
    private var sequencer: Sequencer
    private var demo: DemoFeed?
    private var blocks: BlockBuilder
    private var lastPublishAt: Int64
    private var demoStartedAt: Int64
    private var demoGenerated: Int64 = 0
    private var body = [UInt8](repeating: 0, count: WireLayout.maximumBodyLength)
    private let frames = ZMQMultipartMessage(capacity: 4)

    /// Largest ingest message accepted by libzmq: a topic frame and the longest body, with room.
    static let maximumIngestMessageSize: Int64 = 1024

    /// Binds every socket; throws (with the endpoint in the message) if any bind fails.
    init(
        context: ZMQContext, configuration: ServerConfiguration, controlEndpoint: String, session: UInt32,
        recorder: Recorder, counters: ServerCounters, logger: Logger
    ) throws {
        self.configuration = configuration
        self.counters = counters
        self.logger = logger
        sequencer = Sequencer(session: session)
        control = try ControlChannel.bind(context, controlEndpoint)
        ingest = try ZMQSocket(context, .pull)
        try ingest.set(.linger, 0)
        try ingest.set(.maxMessageSize, Self.maximumIngestMessageSize)
        try ingest.set(.receiveHighWaterMark, 100_000)
        try ingest.bind(configuration.ingestEndpoint)
        fanOut = try FanOut(
            context: context, endpoints: configuration.publishEndpoints,
            multicastEndpoints: try configuration.multicastEndpoints.map { try PGMEndpoint($0).resolved() },
            multicastSettings: configuration.multicast, sendHighWaterMark: configuration.sendHighWaterMark)
        blocks = BlockBuilder(
            recorder: recorder, messagesPerBlock: configuration.blockMessages,
            flushAfterMilliseconds: configuration.blockFlushMilliseconds)
        demo = configuration.demoRate.map { _ in DemoFeed(seed: configuration.demoSeed) }
        lastPublishAt = MonotonicClock.nanoseconds()
        demoStartedAt = lastPublishAt
    }

    /// The ingest endpoint as bound (wildcard port resolved).
    var ingestEndpoint: String { (try? ingest.get(.lastEndpoint)) ?? configuration.ingestEndpoint }
    var publishEndpoints: [String] { fanOut.boundEndpoints }

    /// Runs until stopped. Hands the last partial block to the recorder before returning.
    func run() {
        defer { blocks.flushAll() }
        do {
            while true {
                let ready = try ZMQPoller.poll(
                    [control, ingest, fanOut.socket], timeoutMilliseconds: pollTimeoutMilliseconds())
                if ready[0] {
                    try drainIngest(limit: .max)
                    return
                }
                if ready[1] { try drainIngest(limit: 4096) }
                if ready[2] { try handleSubscriptions() }
                if demo != nil { try generateDemo() }
                try housekeeping()
            }
        } catch let error as ZMQError where error.isContextTerminated {
            logger.info("engine stopping: context shut down")
        } catch {
            logger.critical("engine stopped on error: \(error)")
        }
    }

    // MARK: Intake

    private func drainIngest(limit: Int) throws {
        var taken = 0
        while taken < limit, try ingest.receive(into: frames, dontWait: true) {
            taken += 1
            switch IngestValidator.validate(frames) {
            case .success(let topic):
                let source = frames[1]
                try body.withUnsafeMutableBytes { buffer in
                    let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<source.count])
                    target.copyMemory(from: source)
                    let now = Timestamp.now().nanoseconds
                    if WireHeader.eventTime(of: UnsafeRawBufferPointer(target)) == 0 {
                        WireHeader.stampEventTime(target, now)
                    }
                    try publish(topic: topic, body: target, now: now)
                }
            case .failure(let error):
                let count = counters.reject(error.kind)
                if count <= 10 || count.isMultiple(of: 1000) {
                    logger.warning("dropped ingest message (\(error.kind) #\(count)): \(error)")
                }
            }
        }
    }

    private func generateDemo() throws {
        guard let rate = configuration.demoRate, rate > 0 else { return }
        let elapsed = MonotonicClock.nanoseconds() - demoStartedAt
        let due = min(Int64(Double(elapsed) * Double(rate) / 1e9) - demoGenerated, 8192)
        guard due > 0 else { return }
        for _ in 0..<due {
            let now = Timestamp.now().nanoseconds
            let message = demo!.next(eventTime: now)
            try body.withUnsafeMutableBytes { buffer in
                let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<message.payload.type.bodyLength])
                message.encodeBody(into: target)
                try publish(topic: message.topic.rawValue, body: target, now: now)
            }
        }
        demoGenerated += due
    }

    // MARK: Publishing

    private func publish(topic: String, body: UnsafeMutableRawBufferPointer, now: Int64) throws {
        sequencer.stamp(topic: topic, body: body, publishTime: now)
        var topic = topic
        try topic.withUTF8 { topicBytes in
            let topicRaw = UnsafeRawBufferPointer(topicBytes)
            try fanOut.publish(topic: topicRaw, body: UnsafeRawBufferPointer(body))
            blocks.append(session: sequencer.session, topic: topicRaw, body: UnsafeRawBufferPointer(body))
        }
        counters.published.add(1, ordering: .relaxed)
        counters.lastFeedSequence.store(sequencer.lastFeedSequence, ordering: .relaxed)
        lastPublishAt = MonotonicClock.nanoseconds()
    }

    private func sendHeartbeat() throws {
        try fanOut.publish(sequencer.heartbeat(now: Timestamp.now().nanoseconds))
        lastPublishAt = MonotonicClock.nanoseconds()
    }

    private func handleSubscriptions() throws {
        let (subscribed, heartbeatWanted) = try fanOut.readSubscriptions(into: frames)
        counters.subscriptions.add(UInt64(subscribed), ordering: .relaxed)
        if heartbeatWanted { try sendHeartbeat() }
    }

    // MARK: Timers

    private func housekeeping() throws {
        let now = MonotonicClock.nanoseconds()
        blocks.flushDue(now: now)
        if now - lastPublishAt >= Int64(configuration.heartbeatIntervalMilliseconds) * 1_000_000 {
            try sendHeartbeat()
        }
    }

    private func pollTimeoutMilliseconds() -> Int {
        let now = MonotonicClock.nanoseconds()
        var deadline = lastPublishAt + Int64(configuration.heartbeatIntervalMilliseconds) * 1_000_000
        if let blockDeadline = blocks.nextDeadline { deadline = min(deadline, blockDeadline) }
        if let rate = configuration.demoRate, rate > 0 {
            let nextDue = demoStartedAt + Int64(Double(demoGenerated + 1) * 1e9 / Double(rate))
            deadline = min(deadline, nextDue)
        }
        return Int(max(0, (deadline - now + 999_999) / 1_000_000))
    }
}

@available(*, unavailable)
extension FeedEngine: Sendable {}
