import CZeroMQ

extension ZMQSocket {
    /// Stops the socket monitor of this socket (``ZMQMonitor``), so that no more events are
    /// queued for a reader that has stopped reading them.
    public func stopMonitor() {
        _ = zmq_socket_monitor(handle, nil, 0)
    }
}
