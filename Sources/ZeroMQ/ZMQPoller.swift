import CZeroMQ

/// `zmq_poll` over sockets owned by the calling thread.
public enum ZMQPoller {
    /// What a socket is waited for, and what it is ready for.
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }

        /// A message can be received without blocking (ZMQ_POLLIN).
        public static let readable = Events(rawValue: Int16(ZMQ_POLLIN))
        /// A message can be sent without blocking (ZMQ_POLLOUT).
        public static let writable = Events(rawValue: Int16(ZMQ_POLLOUT))
    }

    /// Waits until any socket is ready for what it is waited for, or the timeout (milliseconds,
    /// -1 forever) passes. Returns, per socket, what it is ready for among what was asked.
    public static func poll(_ items: [(socket: ZMQSocket, events: Events)], timeoutMilliseconds: Int) throws -> [Events] {
        var pollItems = items.map { zmq_pollitem_t(socket: $0.socket.handle, fd: 0, events: $0.events.rawValue, revents: 0) }
        if retryingOnInterrupt({ zmq_poll(&pollItems, Int32(pollItems.count), timeoutMilliseconds) }) < 0 {
            throw ZMQError.last("poll")
        }
        return zip(items, pollItems).map { $0.events.intersection(Events(rawValue: $1.revents)) }
    }

    /// Waits until any socket is readable or the timeout (milliseconds, -1 forever) passes.
    /// Returns, per socket, whether it is readable.
    public static func poll(_ sockets: [ZMQSocket], timeoutMilliseconds: Int) throws -> [Bool] {
        try poll(sockets.map { ($0, .readable) }, timeoutMilliseconds: timeoutMilliseconds).map { $0.contains(.readable) }
    }
}
