import FeedModel
import Foundation
import Logging
import ZeroMQ

/// Serves `GET /metrics` over plain HTTP on its own thread, with a libzmq ZMQ_STREAM socket
/// (raw TCP) on a context of its own, so scrapes never touch the feed's sockets.
///
/// Rules (the HTTP side is ``MetricsHTTPExchange``):
/// 1. At most ``maximumPeers`` connections wait for an answer; a further one closes the one that
///    waited longest, so idle connections never keep a scraper out.
/// 2. A connection that has not sent a whole request head within ``idleTimeoutMilliseconds`` is
///    closed, and so is one whose head outgrows ``MetricsHTTPExchange/maximumHeadBytes``: a peer
///    costs at most that many bytes, and nothing it sends can stop the endpoint.
/// 3. `exposition` runs on this thread, once per `GET /metrics`.
/// 4. Nothing waits on a peer: an answer to a connection that is gone or does not read is
///    dropped (a blocking send to a closed ZMQ_STREAM peer would wait forever).
public final class MetricsHTTPEndpoint: Sendable {
    /// Connections that may wait for an answer at the same time (rule 1).
    static let maximumPeers = 64
    /// How long a connection may take to send its request head (rule 2).
    static let idleTimeoutMilliseconds: Int64 = 5000

    /// The endpoint as bound (a wildcard port resolved).
    public let endpoint: String
    private let context: ZMQContext
    private let controlEndpoint: String
    private let thread: WorkerThread
    private let stopping = FirstCall()

    /// Binds `endpoint` (`tcp://HOST:PORT`, `*` for any free port) and starts serving.
    public static func start(
        endpoint: String, logger: Logger, exposition: @escaping @Sendable () -> [UInt8]
    ) throws -> MetricsHTTPEndpoint {
        try MetricsHTTPEndpoint(endpoint: endpoint, logger: logger, exposition: exposition)
    }

    private init(endpoint: String, logger: Logger, exposition: @escaping @Sendable () -> [UInt8]) throws {
        let context = try ZMQContext(ioThreads: 1)
        self.context = context
        let controlEndpoint = ControlChannel.makeEndpoint("metrics")
        self.controlEndpoint = controlEndpoint
        let bound = SetUpValue("")
        thread = try WorkerThread.start(name: "metrics") {
            let server = try MetricsHTTPServer(
                context: context, endpoint: endpoint, controlEndpoint: controlEndpoint, logger: logger, exposition: exposition)
            bound.value = server.endpoint
            return UncheckedTransfer(server)
        } run: { server in
            server.value.run()
        }
        self.endpoint = bound.value
    }

    /// Stops serving and closes the socket; from any thread, more than once.
    public func stop() {
        guard stopping.claim() else { return }
        thread.stop(context: context, controlEndpoint: controlEndpoint)
    }
}

/// The metrics thread's socket and the connections waiting for an answer.
private final class MetricsHTTPServer {
    private let stream: ZMQSocket
    /// The endpoint as bound (a wildcard port resolved).
    let endpoint: String
    private let control: ZMQSocket
    private let logger: Logger
    private let exposition: @Sendable () -> [UInt8]
    private let frames = ZMQMultipartMessage(capacity: 2)
    /// Per connection id: what it sent so far and when it connected.
    private var peers: [[UInt8]: (received: [UInt8], since: Int64)] = [:]

    init(
        context: ZMQContext, endpoint: String, controlEndpoint: String, logger: Logger,
        exposition: @escaping @Sendable () -> [UInt8]
    ) throws {
        control = try ControlChannel.bind(context, controlEndpoint)
        stream = try ZMQSocket(context, .stream)
        try stream.set(.linger, 0)
        self.endpoint = try stream.bind(endpoint)
        self.logger = logger
        self.exposition = exposition
    }

    func run() {
        do {
            while true {
                let ready = try ZMQPoller.poll([control, stream], timeoutMilliseconds: 1000)
                if ready[0] { return }
                while try stream.receive(into: frames, dontWait: true) { try handleFrame() }
                try closeIdlePeers()
            }
        } catch {
            logger.error("metrics endpoint stopped on error: \(error)")
        }
    }

    /// `[id][bytes]`; empty bytes announce a connection or its end.
    private func handleFrame() throws {
        guard frames.count == 2 else { return }
        let id = Array(frames[0])
        if frames[1].isEmpty {
            if peers.removeValue(forKey: id) == nil {
                if peers.count >= MetricsHTTPEndpoint.maximumPeers, let oldest = peers.min(by: { $0.value.since < $1.value.since }) {
                    logger.debug("metrics endpoint: \(peers.count) connections wait; closing the oldest")
                    peers[oldest.key] = nil
                    try close(oldest.key)
                }
                peers[id] = ([], MonotonicClock.nanoseconds())
            }
            return
        }
        guard var peer = peers[id] else { return }  // Data after the answer, or from a peer closed.
        peer.received += frames[1].prefix(MetricsHTTPExchange.maximumHeadBytes + 4 - peer.received.count)
        guard let answer = MetricsHTTPExchange.answer(toReceived: peer.received) else {
            peers[id] = peer
            return
        }
        peers[id] = nil
        if case .error(let status, _) = answer { logger.debug("metrics endpoint: answered \(status)") }
        try send(MetricsHTTPExchange.response(answer, metrics: exposition), to: id)
        try close(id)
    }

    /// Closes connections that did not send a whole request in time (rule 2).
    private func closeIdlePeers() throws {
        let oldest = MonotonicClock.nanoseconds() - MetricsHTTPEndpoint.idleTimeoutMilliseconds * 1_000_000
        for (id, peer) in peers where peer.since < oldest {
            peers[id] = nil
            try close(id)
        }
    }

    /// An empty message closes the connection once what was queued for it is sent.
    private func close(_ id: [UInt8]) throws { try send([], to: id) }

    /// Queues `data` for connection `id` without ever waiting (rule 4): when the connection is
    /// gone or its queue is full, the data is dropped.
    private func send(_ data: [UInt8], to id: [UInt8]) throws {
        do {
            guard try stream.send(id, more: true, dontWait: true) else { return }
            try stream.send(data, dontWait: true)
        } catch let error as ZMQError where error.code == EHOSTUNREACH {
            return
        }
    }
}

@available(*, unavailable)
extension MetricsHTTPServer: Sendable {}
