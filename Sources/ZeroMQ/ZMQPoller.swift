import CZeroMQ

/// `zmq_poll` over sockets owned by the calling thread.
public enum ZMQPoller {
    /// Waits until any socket is readable or the timeout (milliseconds, -1 forever) passes.
    /// Returns, per socket, whether it is readable.
    public static func poll(_ sockets: [ZMQSocket], timeoutMilliseconds: Int) throws -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        while true {
            let status = zmq_poll(&items, Int32(items.count), timeoutMilliseconds)
            if status >= 0 { break }
            let error = ZMQError.last("poll")
            if error.isInterrupted { continue }
            throw error
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
