import FeedHistory
import FeedModel
import Logging
import ZeroMQ

/// A relay: collects from several upstream publishers, forwards the allowed prefixes, and
/// republishes on its own endpoints (any transport, multicast included), recording if asked.
///
/// Downstream subscriptions travel upstream (see ``UpstreamSubscriptions``), so origins filter
/// at the source. ``stop()`` ends the forwarder thread and flushes the history, from any thread,
/// within 2 seconds also when multicast cannot keep up (see ``PublisherShutdown``).
public final class FeedRelay: Sendable {
    /// The publish endpoints actually bound (wildcard ports resolved), multicast ones last.
    public let publishEndpoints: [String]
    public let counters: ServerCounters
    private let context: ZMQContext
    private let controlEndpoint: String
    /// Stops the forwarder's thread and writes what it forwarded to the history.
    private let forwarderShutdown: PublisherShutdown
    /// Answers CURVE handshakes of the relay's subscribers (only with CURVE).
    private let zapThread: WorkerThread?
    private let recorder: Recorder?
    private let stopping = FirstCall()
    private let logger: Logger

    public static func start(configuration: RelayConfiguration, logger: Logger) throws -> FeedRelay {
        try FeedRelay(configuration: configuration, logger: logger)
    }

    private init(configuration: RelayConfiguration, logger: Logger) throws {
        let usesPGM =
            !configuration.multicastEndpoints.isEmpty || configuration.upstreamEndpoints.contains(where: PGMEndpoint.isPGM)
        // Never terminated after PGM use: see FeedServer for why zmq_ctx_term must be avoided.
        let context = try ZMQContext(terminatesOnDeinit: !usesPGM)
        self.context = context
        self.logger = logger
        let counters = ServerCounters(recording: configuration.databasePath != nil, curve: configuration.curve != nil)
        self.counters = counters
        let recorder = try configuration.databasePath.map { path in
            try Recorder(
                store: try FeedServer.openCheckedHistory(path: path, logger: logger), counters: counters,
                backlogLimit: Recorder.defaultBacklogLimit, retention: RetentionPolicy(), logger: logger)
        }
        self.recorder = recorder
        let controlEndpoint = ControlChannel.makeEndpoint("feed-relay")
        self.controlEndpoint = controlEndpoint
        zapThread = try WorkerThread.startZAP(
            settings: configuration.curve, context: context, controlEndpoint: controlEndpoint + "-zap", counters: counters,
            logger: logger)
        let zapThread = self.zapThread
        let bound = SetUpValue<[String]>([])
        let historyHandedOver = Latch()
        let thread: WorkerThread
        do {
            thread = try WorkerThread.start(name: "relay") {
                let loop = try PublishingLoop(
                    name: "relay", context: context, configuration: configuration, controlEndpoint: controlEndpoint,
                    recorder: recorder, historyHandedOver: historyHandedOver, counters: counters, logger: logger
                ) { output in
                    try RelayForwarder(
                        context: context, configuration: configuration, output: output, counters: counters, logger: logger)
                }
                bound.value = loop.publishEndpoints
                return UncheckedTransfer(loop)
            } run: { loop in
                loop.value.run()
            }
        } catch {
            zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
            recorder?.stopAndFlush()
            throw error
        }
        forwarderShutdown = PublisherShutdown(
            thread: thread, context: context, controlEndpoint: controlEndpoint, historyHandedOver: historyHandedOver,
            recorder: recorder, ownsContext: true, logger: logger)
        publishEndpoints = bound.value
    }

    /// Whether every message forwarded so far is in the history (true without one); after
    /// ``stop()``, the final word.
    public var historyIsComplete: Bool { recorder == nil || counters.historyIsComplete }

    /// Stops forwarding and writes what was forwarded to the history.
    public func stop() {
        guard stopping.claim() else { return }
        forwarderShutdown.stop()
        zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
        let status = counters.status(session: 0)  // A relay has no session of its own.
        logger.info("stopped: forwarded \(status.published), recorded \(status.recorded), rejected \(status.rejected.values.reduce(0, +))")
    }
}
