import CZeroMQ
import Synchronization

/// Watches a socket's connection events through libzmq's socket monitor.
///
/// Used to turn "the peer is unreachable" into an answer instead of a silent queue: a client
/// waits for `connected` with a timeout and reports the last failure it saw. Owned by the same
/// thread as the socket it watches.
public final class ZMQMonitor {
    private static let counter = Atomic<Int>(0)
    private let pair: ZMQSocket

    /// The socket events arrive on: readable when ``next(timeoutMilliseconds:)`` has an event,
    /// for waiting on it together with other sockets (``ZMQPoller``). Read it only through
    /// ``next(timeoutMilliseconds:)``.
    public var eventSocket: ZMQSocket { pair }

    /// Events of listening sockets: connections accepted, refused by the system, and closed.
    public static let connectionEvents: Set<Event.Kind> = [.accepted, .acceptFailed, .disconnected]
    /// A connection made, and its handshake's outcome (CURVE refusals among them).
    public static let handshakeEvents: Set<Event.Kind> = [
        .connected, .handshakeSucceeded, .handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth,
    ]

    /// Starts monitoring `socket` for `events` (every kind by default).
    public init(_ socket: ZMQSocket, events: Set<Event.Kind> = Set(Event.Kind.allCases)) throws {
        let endpoint = "inproc://monitor-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        if zmq_socket_monitor(socket.handle, endpoint, Event.Kind.mask(events)) != 0 {
            throw ZMQError.last("monitor")
        }
        pair = try ZMQSocket(socket.context, .pair)
        try pair.set(.linger, 0)
        // libzmq 4.3.4 sends events with a blocking send on its I/O thread: once its queue held
        // 2,000 unread (its own high-water mark plus ours, 1,000 each), that thread stopped, and
        // every connection of the context with it. 0 here makes the inproc queue unbounded;
        // events are small, and each stands for a connection the process holds anyway.
        try pair.set(.receiveHighWaterMark, 0)
        try pair.connect(endpoint)
    }

    /// The next event within `timeoutMilliseconds`, or `nil`.
    public func next(timeoutMilliseconds: Int) throws -> Event? {
        guard try pair.waitReadable(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        return try next()
    }

    /// The next event already reported, or `nil` at once when there is none. Events of kinds
    /// ``Event/Kind`` does not name (libzmq's draft API) are passed over.
    public func next() throws -> Event? {
        while let frames = try pair.receiveFrames(dontWait: true) {
            guard frames.count >= 2, frames[0].count >= 6 else { continue }
            let head = frames[0]
            guard let kind = Event.Kind(code: Int32(head[0]) | Int32(head[1]) << 8) else { continue }
            let value = Int32(head[2]) | Int32(head[3]) << 8 | Int32(head[4]) << 16 | Int32(head[5]) << 24
            return Event(kind: kind, value: value, endpoint: String(decoding: frames[1], as: UTF8.self))
        }
        return nil
    }

    /// Waits until the socket is connected; returns `false` after `timeoutMilliseconds`.
    public func waitConnected(timeoutMilliseconds: Int) throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while true {
            let left = ContinuousClock.now.duration(to: deadline).components
            let leftMilliseconds = Int(left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000)
            if leftMilliseconds <= 0 { return false }
            if let event = try next(timeoutMilliseconds: leftMilliseconds), event.kind == .connected { return true }
        }
    }
}

@available(*, unavailable)
extension ZMQMonitor: Sendable {}

