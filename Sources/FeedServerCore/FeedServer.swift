import FeedHistory
import FeedModel
import Foundation
import Logging
import ZeroMQ

/// The publisher daemon: ingest, sequencer, fan-out, recorder and replay service, started
/// together and stopped together.
///
/// Rules:
/// 1. ``start(configuration:logger:)`` returns only when every socket is bound and the history
///    is open, or throws saying which one failed.
/// 2. ``stop()`` takes in what producers already delivered, publishes it, writes every message
///    to the history, and then returns, within 2 seconds also when multicast cannot keep up
///    (see ``PublisherShutdown``). It may be called from any thread, more than once.
/// 3. Every socket is created, used and closed on its own thread.
/// 4. With multicast, the context is never terminated: zmq_ctx_term can hang forever once a PGM
///    socket was used (libzmq issue 822), and ``ZeroMQ/ZMQContext`` itself then leaves it to
///    process exit.
public final class FeedServer: Sendable {
    /// The endpoints actually bound (wildcard ports resolved).
    public struct Endpoints: Sendable {
        public let publish: [String]
        public let ingest: String
        public let replay: String
    }

    public let endpoints: Endpoints
    /// This run's session id: greater than every session already in the history.
    public let session: UInt32
    public let counters: ServerCounters
    private let context: ZMQContext
    private let controlEndpoint: String
    /// Stops the engine's thread and writes what it published to the history.
    private let engineShutdown: PublisherShutdown
    private let replayThread: WorkerThread
    /// Answers CURVE handshakes (only with CURVE); stopped after the sockets it admits to.
    private let zapThread: WorkerThread?
    private let stopping = FirstCall()
    private let logger: Logger

    /// Opens the history, binds every endpoint and starts the threads.
    public static func start(configuration: ServerConfiguration, logger: Logger) throws -> FeedServer {
        try FeedServer(configuration: configuration, logger: logger)
    }

    /// Starts a server on an existing context, so its `inproc://` endpoints are reachable from
    /// other sockets of the same process on that context.
    public static func start(configuration: ServerConfiguration, context: ZMQContext, logger: Logger) throws -> FeedServer {
        try FeedServer(configuration: configuration, context: context, logger: logger)
    }

    private init(configuration: ServerConfiguration, context: ZMQContext? = nil, logger: Logger) throws {
        self.logger = logger
        let store = try Self.openCheckedHistory(path: configuration.databasePath, logger: logger)
        let now = Timestamp.now()
        let session = max(UInt32(clamping: now.nanoseconds / 1_000_000_000), (try store.lastSession() ?? 0) &+ 1)
        try store.registerSession(session, startedAt: now)
        self.session = session
        let counters = ServerCounters(curve: configuration.curve != nil)
        self.counters = counters
        let ownsContext = context == nil
        let context = try context ?? ZMQContext(ioThreads: Int32(configuration.ioThreads))
        self.context = context
        let controlEndpoint = ControlChannel.makeEndpoint("feed-server")
        self.controlEndpoint = controlEndpoint
        let recorder = try Recorder(
            store: store, counters: counters, backlogLimit: configuration.recorderBacklogLimit,
            retention: configuration.retention, logger: logger)

        do {
            zapThread = try WorkerThread.startZAP(
                settings: configuration.curve, context: context, controlEndpoint: controlEndpoint + "-zap", counters: counters,
                logger: logger)
        } catch {
            recorder.stopAndFlush()
            throw error
        }
        let zapThread = self.zapThread
        let engineEndpoints = SetUpValue<(publish: [String], ingest: String)>(([], ""))
        let replayEndpoint = SetUpValue("")
        let historyHandedOver = Latch()
        let engineThread: WorkerThread
        do {
            engineThread = try WorkerThread.start(name: "engine") {
                let loop = try PublishingLoop(
                    name: "engine", context: context, configuration: configuration, controlEndpoint: controlEndpoint,
                    recorder: recorder, historyHandedOver: historyHandedOver, counters: counters, logger: logger
                ) { output in
                    try FeedEngine(
                        context: context, configuration: configuration, session: session, output: output, counters: counters,
                        logger: logger)
                }
                engineEndpoints.value = (loop.publishEndpoints, loop.intake.ingestEndpoint)
                return UncheckedTransfer(loop)
            } run: { loop in
                loop.value.run()
            }
        } catch {
            zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
            recorder.stopAndFlush()
            throw error
        }
        do {
            let replay = try WorkerThread.startReplay(
                context: context, endpoint: configuration.replayEndpoint, controlEndpoint: controlEndpoint + "-replay",
                store: store, pageLimit: configuration.replayPageLimit,
                connectionLimit: configuration.connectionLimitPerEndpoint, counters: counters,
                clients: configuration.curve, status: { counters.status(session: session) }, logger: logger)
            replayThread = replay.thread
            replayEndpoint.value = replay.endpoint
        } catch {
            engineThread.stop(context: context, controlEndpoint: controlEndpoint)
            zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
            recorder.stopAndFlush()
            throw error
        }
        engineShutdown = PublisherShutdown(
            thread: engineThread, context: context, controlEndpoint: controlEndpoint, historyHandedOver: historyHandedOver,
            recorder: recorder, ownsContext: ownsContext, logger: logger)
        endpoints = Endpoints(
            publish: engineEndpoints.value.publish, ingest: engineEndpoints.value.ingest, replay: replayEndpoint.value)
    }

    /// Whether every message published so far is in the history; after ``stop()``, the final
    /// word (false when the history could not be written, e.g. a full disk).
    public var historyIsComplete: Bool { counters.historyIsComplete }

    /// Stops intake, publishes and records what was delivered, and ends every thread.
    public func stop() {
        guard stopping.claim() else { return }
        // The replay service stops alongside: nothing it does touches what is being recorded.
        ControlChannel.sendStop(context: context, endpoint: controlEndpoint + "-replay")
        engineShutdown.stop()
        replayThread.join()
        zapThread?.stop(context: context, controlEndpoint: controlEndpoint + "-zap")
        let status = counters.status(session: session)
        logger.info(
            "stopped: session \(session), published \(status.published), recorded \(status.recorded), rejected \(status.rejected.values.reduce(0, +))"
        )
    }
}

/// Moves a thread-bound object from the set-up closure to the run closure of the same thread.
struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
