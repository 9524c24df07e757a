import FeedModel
import ZeroMQ

/// Pushes quotes and trades into a feed-server's ingest endpoint (PUSH), on the caller's thread.
///
/// PUSH has no acknowledgements, so the producer watches its connection and never counts as
/// delivered what it knows may be lost. Rules:
/// 1. ``connect(timeoutMilliseconds:)`` waits for the connection and its handshake: an
///    unreachable server, or an endpoint that is not an ingest, is an error up front.
/// 2. Messages are queued only on a connection whose handshake is complete (`ZMQ_IMMEDIATE`):
///    a send that finds no such connection with room within `sendTimeoutMilliseconds` throws.
/// 3. A connection lost after messages were sent is an error, at the next send or at close:
///    libzmq drops what it had not yet written, and what was in flight is unknowable. A
///    connection lost before anything was sent (since the last loss) is no loss: sends wait for
///    the next one.
/// 4. ``close(flushTimeoutMilliseconds:)`` returns only once libzmq has written every queued
///    message to the connection; if that takes longer than the timeout, it throws.
///
/// Errors are ``ClientError``s of kind `unavailable` that say how many messages were sent.
/// Sequence fields are left at zero: the server assigns them. Not `Sendable`: one thread owns it.
public final class FeedProducer {
    /// `nil` once closed.
    private var socket: ZMQSocket?
    private let monitor: ZMQMonitor
    private let sendTimeoutMilliseconds: Int
    /// Messages queued since the last lost connection was noticed: at risk if a connection is
    /// lost now. (Events arrive late, so which connection took which message is unknowable.)
    private var sentSinceLoss = 0
    public let endpoint: String
    private let curve: Bool
    /// Messages handed to libzmq.
    public private(set) var sent = 0

    /// Connects a PUSH socket to `endpoint`. `sendTimeoutMilliseconds` bounds how long a send
    /// waits for a connection with room (server absent, restarting or not reading).
    /// `curve` connects with CURVE (``ZeroMQ/CurveSecurity/client(serverKey:keys:)``).
    public init(context: ZMQContext, endpoint: String, sendTimeoutMilliseconds: Int = 5000, curve: CurveSecurity? = nil) throws {
        self.endpoint = endpoint
        self.sendTimeoutMilliseconds = sendTimeoutMilliseconds
        let socket = try ZMQSocket(context, .push)
        try socket.set(.sendHighWaterMark, 100_000)
        try socket.set(.immediate, 1)
        try socket.set(.sendTimeout, Int32(clamping: sendTimeoutMilliseconds))
        try socket.set(.linger, 10_000)  // Bounded: a producer dropped without close() never hangs its process.
        if let curve { try socket.secure(curve) }
        self.curve = curve != nil
        monitor = try ZMQMonitor(socket)
        try socket.connect(endpoint)
        self.socket = socket
    }

    /// Waits until connected to the server, ZeroMQ handshake included. Throws ``ClientError``
    /// (unavailable) on timeout, saying whether anything accepted the connection and whether it
    /// spoke ZeroMQ, or at once when the peer drops the connection during the handshake, as a
    /// socket of another kind does (a feed-server's publish or replay endpoint given by
    /// mistake). `inproc://` endpoints are connected at once.
    public func connect(timeoutMilliseconds: Int) throws {
        var connection = ConnectionWatch(endpoint: endpoint, role: "ingest", curve: curve)
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        while connection.stage != .ready {
            if connection.stage == .refused { throw ClientError(.unavailable, connection.refusal) }
            if deadline.hasExpired {
                throw ClientError(
                    .unavailable,
                    "cannot connect to \(endpoint) within \(timeoutMilliseconds) ms: \(connection.explanation(lostSince: connection.losses))")
            }
            if let event = try monitor.next(timeoutMilliseconds: deadline.remainingMilliseconds) { connection.note(.init(event)) }
        }
    }

    /// Queues one message for the server.
    public func send(_ message: FeedMessage) throws {
        try message.topicBytes.withUnsafeBytes { topic in
            try message.encodedBody().withUnsafeBytes { body in
                try send(topic, body)
            }
        }
    }

    /// Waits up to `flushTimeoutMilliseconds` for every queued message to be written to the
    /// connection, then closes. Throws when the connection was lost with messages queued on it,
    /// or when they were not all written in time (libzmq then drops the rest).
    public func close(flushTimeoutMilliseconds: Int) throws {
        try open().set(.linger, Int32(clamping: flushTimeoutMilliseconds))
        socket = nil  // zmq_close: libzmq goes on writing for up to the linger period.
        let deadline = DeadlineClock(milliseconds: flushTimeoutMilliseconds)
        // libzmq stops the monitor when the socket is gone, which is when everything queued was
        // written or the linger period ran out.
        while !deadline.hasExpired {
            guard let event = try monitor.next(timeoutMilliseconds: deadline.remainingMilliseconds) else { continue }
            if event.kind == .monitorStopped { return }
            try note(event)
        }
        throw ClientError(
            .unavailable,
            "\(endpoint) did not take the last of \(sent) messages within \(flushTimeoutMilliseconds) ms; libzmq dropped what was still queued")
    }

    private func send(_ topic: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) throws {
        try checkConnection()
        let socket = try open()
        // Both frames or neither: once the first frame is queued, the second always is.
        guard try socket.send(topic, more: true) else {
            throw ClientError(
                .unavailable,
                "\(endpoint) took no message for \(sendTimeoutMilliseconds) ms (server gone or not reading); \(sent) messages sent before")
        }
        try socket.send(body)
        sent += 1
        sentSinceLoss += 1
    }

    private func open() throws -> ZMQSocket {
        guard let socket else { throw ClientError(.unavailable, "producer for \(endpoint) is closed") }
        return socket
    }

    /// Applies the connection events that arrived since the last look.
    private func checkConnection() throws {
        while let event = try monitor.next(timeoutMilliseconds: 0) { try note(event) }
    }

    private func note(_ event: ZMQMonitor.Event) throws {
        guard event.kind == .disconnected else { return }
        defer { sentSinceLoss = 0 }
        if sentSinceLoss > 0 {
            throw ClientError(
                .unavailable,
                "lost the connection to \(endpoint) with \(sentSinceLoss) of \(sent) messages possibly still queued on it; libzmq drops what it had not yet written, so some may be missing (check the history)")
        }
    }
}

@available(*, unavailable)
extension FeedProducer: Sendable {}
