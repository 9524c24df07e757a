import ZeroMQ

/// What a client's socket monitor has shown of its connection to one endpoint, and how to say
/// it when the endpoint does not serve the client: nothing accepts connections there, a peer
/// accepts them but never completes a ZeroMQ handshake (an HTTP server, a silent listener), a
/// ZeroMQ peer drops the handshake (a socket of another kind: a feed-server's publish, ingest
/// and replay endpoints each refuse the others' clients), or the handshake completes and no
/// answer comes.
///
/// Decisions only: the client feeds it its monitor's events (``note(_:)``) on the thread that
/// owns the socket, and words its errors with ``refusal`` and ``explanation(lostSince:)``.
struct ConnectionWatch {
    /// Where the connection stands.
    enum Stage: Equatable {
        /// No connection: none accepted yet, or the last one was lost (libzmq reconnects).
        case unconnected
        /// A peer accepted the connection; the ZeroMQ handshake has not completed.
        case handshaking
        /// The handshake completed: the peer speaks ZeroMQ with a socket type that fits.
        case ready
        /// The peer dropped the connection during the handshake, or failed it: not a peer for
        /// this client. Stays until another connection is accepted.
        case refused
    }

    /// A socket monitor event, as far as the watch is concerned.
    enum Event: Equatable {
        /// A peer accepted the connection (``ZeroMQ/ZMQMonitor/Event/Kind/connected``).
        case connected
        /// The ZeroMQ handshake completed (``ZeroMQ/ZMQMonitor/Event/Kind/handshakeSucceeded``).
        case handshakeSucceeded
        /// The handshake failed: a protocol error, or no detail (`handshakeFailedNoDetail`, `handshakeFailedProtocol`).
        case handshakeFailed
        /// The server's ZAP handler refused this client's CURVE key (``ZeroMQ/ZMQMonitor/Event/Kind/handshakeFailedAuth``).
        case keyRefused
        /// The connection was closed (``ZeroMQ/ZMQMonitor/Event/Kind/disconnected``).
        case disconnected
        /// Anything else (connects delayed, failed and retried, the monitor's own events).
        case other

        init(_ event: ZMQMonitor.Event) {
            self =
                switch event.kind {
                case .connected: .connected
                case .handshakeSucceeded: .handshakeSucceeded
                case .handshakeFailedNoDetail, .handshakeFailedProtocol: .handshakeFailed
                case .handshakeFailedAuth: .keyRefused
                case .disconnected: .disconnected
                case .connectDelayed, .connectRetried, .listening, .bindFailed, .accepted, .acceptFailed, .closed,
                    .closeFailed, .monitorStopped:
                    .other
                }
        }
    }

    let endpoint: String
    /// What the client expects at the endpoint: `replay`, `ingest`.
    let role: String
    /// Whether the client connects with CURVE (then a failed handshake is a refused one).
    let curve: Bool
    /// Whether the server refused this client's CURVE key.
    private(set) var keyRefused = false
    private(set) var stage: Stage
    /// Completed connections lost so far (the peer closed them; libzmq reconnects).
    private(set) var losses = 0

    /// A watch of a client's connection to `endpoint`, which should be a feed-server's `role`
    /// endpoint. `inproc://` connections have no handshake: they are ready at once.
    init(endpoint: String, role: String, curve: Bool = false) {
        self.endpoint = endpoint
        self.role = role
        self.curve = curve
        stage = endpoint.hasPrefix("inproc://") ? .ready : .unconnected
    }

    /// Applies one event of the socket monitor.
    mutating func note(_ event: Event) {
        switch event {
        case .connected:
            stage = .handshaking
        case .handshakeSucceeded:
            stage = .ready
        case .handshakeFailed:
            stage = .refused
        case .keyRefused:
            stage = .refused
            keyRefused = true
        case .disconnected:
            switch stage {
            case .handshaking: stage = .refused
            case .ready:
                losses += 1
                stage = .unconnected
            case .unconnected, .refused: break
            }
        case .other:
            break
        }
    }

    /// The error for a refused handshake, naming the endpoint and what it should have been.
    var refusal: String {
        if keyRefused {
            return "\(endpoint) refused the CURVE handshake: this client's key is not let in there "
                + "(its public certificate must be in the server's --clients folder)"
        }
        if curve {
            return "\(endpoint) refused the CURVE handshake: is --curve-server-key that server's public certificate, "
                + "and does its \(role) endpoint use CURVE?"
        }
        return "\(endpoint) closed the connection during the ZeroMQ handshake: is that a feed-server's \(role) endpoint? "
            + "(publish, ingest and replay endpoints each refuse the others' clients; one with CURVE refuses clients "
            + "without --curve-server-key and --curve-key)"
    }

    /// What was found at the endpoint, for an error after waiting in vain: `lostSince` is
    /// ``losses`` when the wait began (a connection lost since then is named).
    func explanation(lostSince: Int) -> String {
        switch stage {
        case .unconnected where losses == lostSince:
            "nothing accepted a connection there: is feed-server running?"
        case .handshaking:
            "it accepted the connection but never completed a ZeroMQ handshake: is it a ZeroMQ endpoint at all "
                + "(not an HTTP server or another service)?"
        case .refused:
            refusal
        case .ready where losses == lostSince:
            "connected, but no answer came: is that the \(role) endpoint?"
        case .unconnected, .ready:
            "the peer closed the connection after the request and did not answer (the server stopped, "
                + "or the request was over 64 KiB)"
        }
    }
}
