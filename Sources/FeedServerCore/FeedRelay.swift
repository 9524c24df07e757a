import FeedHistory
import FeedModel
import Logging
import ZeroMQ

/// A relay: collects from several upstream publishers, forwards the allowed prefixes, and
/// republishes on its own endpoints (any transport, multicast included), recording if asked;
/// it can serve what it recorded with the server's replay service, and fill its history's
/// gaps from the upstream's (``RelayRecording``, ``UpstreamGapFiller``).
///
/// Downstream subscriptions travel upstream (see ``UpstreamSubscriptions``), so origins filter
/// at the source. ``stop()`` ends the forwarder thread and flushes the history, from any thread,
/// within 2 seconds also when multicast cannot keep up (see ``PublisherShutdown``).
public final class FeedRelay: Sendable {
    /// The publish endpoints actually bound (wildcard ports resolved), multicast ones last.
    public let publishEndpoints: [String]
    /// The replay endpoint as bound, when the relay serves its history.
    public let replayEndpoint: String?
    public let counters: ServerCounters
    private let context: ZMQContext
    private let controlEndpoint: String
    /// Stops the forwarder's thread and writes what it forwarded to the history.
    private let forwarderShutdown: PublisherShutdown
    /// Answers CURVE handshakes of the relay's subscribers (only with CURVE).
    private let zapThread: WorkerThread?
    /// Serves the recorded history (only with `replayEndpoint`).
    private let replayThread: WorkerThread?
    /// Fetches what the relay lost from the upstream's history (only with `upstreamReplayEndpoint`).
    private let filler: UpstreamGapFiller?
    private let recorder: Recorder?
    private let stopping = FirstCall()
    private let logger: Logger

    public static func start(configuration: RelayConfiguration, logger: Logger) throws -> FeedRelay {
        try FeedRelay(configuration: configuration, logger: logger)
    }

    private init(configuration: RelayConfiguration, logger: Logger) throws {
        try configuration.validate()
        let context = try ZMQContext()
        self.context = context
        self.logger = logger
        let counters = ServerCounters(recording: configuration.databasePath != nil, curve: configuration.curve != nil)
        self.counters = counters
        let store = try configuration.databasePath.map { try FeedServer.openCheckedHistory(path: $0, logger: logger) }
        let recorder = try store.map {
            try Recorder(
                store: $0, counters: counters, backlogLimit: Recorder.defaultBacklogLimit, retention: RetentionPolicy(),
                logger: logger)
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
        let replayStatus = RelayReplayStatus()
        do {
            filler = try configuration.upstreamReplayEndpoint.map {
                try UpstreamGapFiller(context: context, endpoint: $0, curve: configuration.upstreamCurve)
            }
        } catch {
            zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
            recorder?.stopAndFlush()
            throw error
        }
        let filler = self.filler
        let thread: WorkerThread
        do {
            thread = try WorkerThread.start(name: "relay") {
                let loop = try PublishingLoop(
                    name: "relay", context: context, configuration: configuration, controlEndpoint: controlEndpoint,
                    recorder: recorder,
                    relayRecording: { RelayRecording(blocks: $0, filler: filler, replayStatus: replayStatus, counters: counters, logger: logger) },
                    historyHandedOver: historyHandedOver, counters: counters, logger: logger
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
            filler?.stop()
            zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
            recorder?.stopAndFlush()
            throw error
        }
        let forwarderShutdown = PublisherShutdown(
            thread: thread, context: context, controlEndpoint: controlEndpoint, historyHandedOver: historyHandedOver,
            recorder: recorder, ownsContext: true, logger: logger)
        self.forwarderShutdown = forwarderShutdown
        publishEndpoints = bound.value
        do {
            let replay = try store.flatMap { store in
                try configuration.replayEndpoint.map { endpoint in
                    try WorkerThread.startReplay(
                        context: context, endpoint: endpoint, controlEndpoint: controlEndpoint + "-replay", store: store,
                        pageLimit: configuration.replayPageLimit, connectionLimit: configuration.connectionLimitPerEndpoint,
                        counters: counters, clients: configuration.curve,
                        status: { replayStatus.status(counters: counters, store: store) }, logger: logger)
                }
            }
            replayThread = replay?.thread
            replayEndpoint = replay?.endpoint
        } catch {
            filler?.beginStopping()
            forwarderShutdown.stop()
            filler?.stop()
            zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
            throw error
        }
    }

    /// Whether every message forwarded so far is in the history (true without one); after
    /// ``stop()``, the final word.
    public var historyIsComplete: Bool { recorder == nil || counters.historyIsComplete }

    /// Stops forwarding and writes what was forwarded to the history.
    public func stop() {
        guard stopping.claim() else { return }
        if replayThread != nil { ControlChannel.sendStop(context: context, endpoint: controlEndpoint + "-replay") }
        // Fills still awaited are given up: the forwarder records what it holds when it stops.
        filler?.beginStopping()
        forwarderShutdown.stop()
        filler?.stop()
        replayThread?.join()
        zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
        let status = counters.status(session: 0)  // A relay has no session of its own.
        let filled = filler == nil ? "" : ", filled \(counters.filledFromUpstream.load(ordering: .relaxed))"
        logger.info(
            "stopped: forwarded \(status.published), recorded \(status.recorded)\(filled), rejected \(status.rejected.values.reduce(0, +))")
    }
}
