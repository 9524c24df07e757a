import CZeroMQ
import Synchronization

/// Watches a socket's connection events through libzmq's socket monitor.
///
/// Used to turn "the peer is unreachable" into an answer instead of a silent queue: a client
/// waits for `connected` with a timeout and reports the last failure it saw. Owned by the same
/// thread as the socket it watches.
public final class ZMQMonitor {
    /// One event from the monitor.
    public struct Event: Sendable {
        public let kind: Int32
        public let value: Int32
        public let endpoint: String

        public var isConnected: Bool { kind == ZMQ_EVENT_CONNECTED }
        /// A listening socket accepted a connection; ``value`` is its file descriptor.
        public var isAccepted: Bool { kind == ZMQ_EVENT_ACCEPTED }
        /// A listening socket could not accept a connection; ``value`` is the errno.
        public var isAcceptFailed: Bool { kind == ZMQ_EVENT_ACCEPT_FAILED }
        /// A connection was closed, by either side or by libzmq; ``value`` is its file descriptor,
        /// which libzmq closes right after reporting this (so this event always comes before the
        /// descriptor can name another connection).
        public var isDisconnected: Bool { kind == ZMQ_EVENT_DISCONNECTED }
        /// A connection's ZMTP handshake completed (with CURVE: the server's ZAP handler let it in).
        public var isHandshakeSucceeded: Bool { kind == ZMQ_EVENT_HANDSHAKE_SUCCEEDED }
        public var isFailure: Bool {
            kind == ZMQ_EVENT_CONNECT_RETRIED || kind == ZMQ_EVENT_CLOSED
                || kind == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL || kind == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                || kind == ZMQ_EVENT_DISCONNECTED
        }
    }

    private static let counter = Atomic<Int>(0)
    private let pair: ZMQSocket

    /// The socket events arrive on: readable when ``next(timeoutMilliseconds:)`` has an event,
    /// for waiting on it together with other sockets (``ZMQPoller``). Read it only through
    /// ``next(timeoutMilliseconds:)``.
    public var eventSocket: ZMQSocket { pair }

    /// Events of listening sockets: connections accepted, refused by the system, and closed.
    public static let connectionEvents = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_DISCONNECTED
    /// A connection made, and its handshake's outcome (CURVE refusals among them).
    public static let handshakeEvents =
        ZMQ_EVENT_CONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
        | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH

    /// Starts monitoring `socket` for `events` (ZMQ_EVENT_* bits; every event by default).
    public init(_ socket: ZMQSocket, events: Int32 = ZMQ_EVENT_ALL) throws {
        let endpoint = "inproc://monitor-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        if zmq_socket_monitor(socket.handle, endpoint, events) != 0 {
            throw ZMQError.last("monitor")
        }
        pair = try ZMQSocket(socket.context, .pair)
        try pair.set(.linger, 0)
        try pair.connect(endpoint)
    }

    /// The next event within `timeoutMilliseconds`, or `nil`.
    public func next(timeoutMilliseconds: Int) throws -> Event? {
        guard try pair.waitReadable(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        return try next()
    }

    /// The next event already reported, or `nil` at once when there is none.
    public func next() throws -> Event? {
        guard let frames = try pair.receiveFrames(dontWait: true), frames.count >= 2, frames[0].count >= 6 else { return nil }
        let head = frames[0]
        let kind = Int32(head[0]) | Int32(head[1]) << 8
        let value = Int32(head[2]) | Int32(head[3]) << 8 | Int32(head[4]) << 16 | Int32(head[5]) << 24
        return Event(kind: kind, value: value, endpoint: String(decoding: frames[1], as: UTF8.self))
    }

    /// Waits until the socket is connected; returns `false` after `timeoutMilliseconds`.
    public func waitConnected(timeoutMilliseconds: Int) throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while true {
            let left = ContinuousClock.now.duration(to: deadline).components
            let leftMilliseconds = Int(left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000)
            if leftMilliseconds <= 0 { return false }
            if let event = try next(timeoutMilliseconds: leftMilliseconds), event.isConnected { return true }
        }
    }
}

@available(*, unavailable)
extension ZMQMonitor: Sendable {}

