import FeedModel
import ZeroMQ

/// Pushes quotes and trades into a feed-server's ingest endpoint (PUSH), on the caller's thread.
///
/// ``connect(timeoutMilliseconds:)`` waits for the TCP/IPC connection so an unreachable server
/// is an error up front, not a silent queue. ``close(flushTimeoutMilliseconds:)`` waits for
/// queued messages to leave. Sequence fields are left at zero: the server assigns them.
public final class FeedProducer {
    private let socket: ZMQSocket
    private let monitor: ZMQMonitor
    public let endpoint: String
    public private(set) var sent = 0

    public init(context: ZMQContext, endpoint: String) throws {
        self.endpoint = endpoint
        socket = try ZMQSocket(context, .push)
        try socket.set(.sendHighWaterMark, 100_000)
        try socket.set(.linger, 10_000)  // Bounded: a process never hangs on exit for an absent server.
        monitor = try ZMQMonitor(socket)
        try socket.connect(endpoint)
    }

    /// Waits until connected to the server. Throws ``ClientError`` (unavailable) on timeout.
    /// `inproc://` endpoints are connected at once.
    public func connect(timeoutMilliseconds: Int) throws {
        if endpoint.hasPrefix("inproc://") { return }
        guard try monitor.waitConnected(timeoutMilliseconds: timeoutMilliseconds) else {
            throw ClientError(.unavailable, "cannot connect to \(endpoint) within \(timeoutMilliseconds) ms: is feed-server running?")
        }
    }

    /// Queues one message for the server.
    public func send(_ message: FeedMessage) throws {
        try message.topicBytes.withUnsafeBytes { topic in
            try message.encodedBody().withUnsafeBytes { body in
                try socket.send(topic, more: true)
                try socket.send(body)
            }
        }
        sent += 1
    }

    /// Sends raw frames as they are (for tools and tests that need to send anything at all).
    public func sendRaw(frames: [[UInt8]]) throws {
        try socket.send(frames: frames)
    }

    /// Gives queued messages up to `flushTimeoutMilliseconds` to leave, then closes.
    public func close(flushTimeoutMilliseconds: Int) throws {
        try socket.set(.linger, Int32(clamping: flushTimeoutMilliseconds))
    }
}

@available(*, unavailable)
extension FeedProducer: Sendable {}
