import FeedHistory
import FeedModel
import Foundation
import Logging
import Synchronization
import ZeroMQ

/// The publisher daemon: ingest, sequencer, fan-out, recorder and replay service, started
/// together and stopped together.
///
/// Rules:
/// 1. ``start(configuration:logger:)`` returns only when every socket is bound and the history
///    is open, or throws saying which one failed.
/// 2. ``stop()`` takes in what producers already delivered, publishes it, writes every message
///    to the history, and then returns. It may be called from any thread, more than once.
/// 3. Every socket is created, used and closed on its own thread.
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
    private let engineThread: WorkerThread
    private let replayThread: WorkerThread
    private let recorder: Recorder
    private let stopped = Mutex(false)
    private let logger: Logger

    private static let instances = Atomic<Int>(0)

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
        let store = try HistoryStore(path: configuration.databasePath)
        let now = Timestamp.now()
        let session = max(UInt32(clamping: now.nanoseconds / 1_000_000_000), (try store.lastSession() ?? 0) &+ 1)
        try store.registerSession(session, startedAt: now)
        self.session = session
        let counters = ServerCounters()
        self.counters = counters
        let context = try context ?? ZMQContext()
        self.context = context
        controlEndpoint = "inproc://feed-server-control-\(Self.instances.add(1, ordering: .relaxed).newValue)"
        recorder = try Recorder(
            store: store, counters: counters, backlogLimit: configuration.recorderBacklogLimit, logger: logger)

        let boundEngine = BoundEndpoints()
        let controlEndpoint = self.controlEndpoint
        let recorder = self.recorder
        do {
            engineThread = try WorkerThread.start(name: "engine") {
                let engine = try FeedEngine(
                    context: context, configuration: configuration, controlEndpoint: controlEndpoint,
                    session: session, recorder: recorder, counters: counters, logger: logger)
                boundEngine.set(publish: engine.publishEndpoints, ingest: engine.ingestEndpoint)
                return UncheckedTransfer(engine)
            } run: { engine in
                engine.value.run()
            }
        } catch {
            recorder.stopAndFlush()
            throw error
        }
        do {
            replayThread = try WorkerThread.start(name: "replay") {
                let service = try ReplayService(
                    context: context, endpoint: configuration.replayEndpoint,
                    controlEndpoint: controlEndpoint + "-replay", store: store,
                    pageLimit: configuration.replayPageLimit, status: { counters.status(session: session) },
                    logger: logger)
                boundEngine.set(replay: service.endpoint)
                return UncheckedTransfer(service)
            } run: { service in
                service.value.run()
            }
        } catch {
            Self.sendStop(context: context, endpoint: controlEndpoint)
            engineThread.join()
            recorder.stopAndFlush()
            throw error
        }
        endpoints = boundEngine.endpoints
    }

    /// Stops intake, publishes and records what was delivered, and ends every thread.
    public func stop() {
        let first = stopped.withLock { wasStopped in
            defer { wasStopped = true }
            return !wasStopped
        }
        guard first else { return }
        Self.sendStop(context: context, endpoint: controlEndpoint)
        engineThread.join()
        Self.sendStop(context: context, endpoint: controlEndpoint + "-replay")
        replayThread.join()
        recorder.stopAndFlush()
        let status = counters.status(session: session)
        logger.info(
            "stopped: session \(session), published \(status.published), recorded \(status.recorded), rejected \(status.rejected.values.reduce(0, +))"
        )
    }

    /// Tells the engine to stop, from any thread, through a socket made and closed right here.
    private static func sendStop(context: ZMQContext, endpoint: String) {
        do {
            let push = try ZMQSocket(context, .push)
            try push.set(.linger, 1000)
            try push.connect(endpoint)
            try push.send([UInt8(1)])
        } catch {
            context.shutdown()  // Fallback: ETERM ends the engine's poll too.
        }
    }
}

/// Moves a thread-bound object from the set-up closure to the run closure of the same thread.
struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Collects bound endpoints from the worker threads during start-up.
private final class BoundEndpoints: Sendable {
    private let state = Mutex<(publish: [String], ingest: String, replay: String)>(([], "", ""))

    func set(publish: [String], ingest: String) {
        state.withLock { $0.publish = publish; $0.ingest = ingest }
    }

    func set(replay: String) { state.withLock { $0.replay = replay } }

    var endpoints: FeedServer.Endpoints {
        state.withLock { FeedServer.Endpoints(publish: $0.publish, ingest: $0.ingest, replay: $0.replay) }
    }
}
