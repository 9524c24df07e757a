import CZeroMQ

extension ZMQMonitor {
    /// One event of a socket monitor: what happened, on which endpoint, and the number libzmq
    /// attaches to it. Callers switch over ``kind``; libzmq's `ZMQ_EVENT_*` codes stay in this module.
    public struct Event: Sendable {
        /// What happened: libzmq's `ZMQ_EVENT_*` codes, named (see zmq_socket_monitor(3)).
        public enum Kind: Sendable, Hashable, CaseIterable {
            /// A connection to a peer was made; its handshake follows. Value: the file descriptor.
            case connected
            /// A connect did not complete at once; libzmq goes on trying.
            case connectDelayed
            /// A connect failed; libzmq retries after the interval in the value (ms).
            case connectRetried
            /// The socket listens on the endpoint. Value: the file descriptor.
            case listening
            /// The socket could not listen on the endpoint. Value: errno.
            case bindFailed
            /// A listening socket accepted a connection. Value: its file descriptor.
            case accepted
            /// A listening socket could not accept a connection. Value: errno.
            case acceptFailed
            /// A listening or connecting socket's descriptor was closed. Value: the file descriptor.
            case closed
            /// Closing a descriptor failed. Value: errno.
            case closeFailed
            /// A connection was closed, by either side or by libzmq. Value: its file descriptor,
            /// which libzmq closes right after reporting this (so this event always comes before
            /// the descriptor can name another connection).
            case disconnected
            /// The monitor stopped: its socket was closed (and, with linger, done writing).
            case monitorStopped
            /// A handshake failed without detail (the peer dropped it, or a transport error).
            case handshakeFailedNoDetail
            /// A connection's ZMTP handshake completed (with CURVE: the server's ZAP handler let it in).
            case handshakeSucceeded
            /// A handshake failed on a ZMTP protocol error. Value: libzmq's protocol error code.
            case handshakeFailedProtocol
            /// A CURVE handshake was refused by the server's ZAP handler. Value: the ZAP status (400).
            case handshakeFailedAuth

            /// libzmq's code for this kind: one bit, as `zmq_socket_monitor` takes them in its mask.
            var code: Int32 {
                switch self {
                case .connected: ZMQ_EVENT_CONNECTED
                case .connectDelayed: ZMQ_EVENT_CONNECT_DELAYED
                case .connectRetried: ZMQ_EVENT_CONNECT_RETRIED
                case .listening: ZMQ_EVENT_LISTENING
                case .bindFailed: ZMQ_EVENT_BIND_FAILED
                case .accepted: ZMQ_EVENT_ACCEPTED
                case .acceptFailed: ZMQ_EVENT_ACCEPT_FAILED
                case .closed: ZMQ_EVENT_CLOSED
                case .closeFailed: ZMQ_EVENT_CLOSE_FAILED
                case .disconnected: ZMQ_EVENT_DISCONNECTED
                case .monitorStopped: ZMQ_EVENT_MONITOR_STOPPED
                case .handshakeFailedNoDetail: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                case .handshakeSucceeded: ZMQ_EVENT_HANDSHAKE_SUCCEEDED
                case .handshakeFailedProtocol: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                case .handshakeFailedAuth: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                }
            }

            /// The kind libzmq's `code` names; nil for codes this wrapper does not name (draft API events).
            init?(code: Int32) {
                guard let kind = Self.allCases.first(where: { $0.code == code }) else { return nil }
                self = kind
            }

            /// The mask `zmq_socket_monitor` takes for `kinds`.
            static func mask(_ kinds: Set<Kind>) -> Int32 {
                kinds.reduce(0) { $0 | $1.code }
            }
        }

        public let kind: Kind
        /// The number libzmq attaches to the event: a file descriptor, an errno, an interval or a
        /// status, as ``Kind`` says for each.
        public let value: Int32
        /// The endpoint the event concerns, as libzmq reports it.
        public let endpoint: String
    }
}
