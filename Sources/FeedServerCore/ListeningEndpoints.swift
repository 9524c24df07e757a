import Logging
import ZeroMQ

/// Binds a socket that peers connect to (the publish XPUB, the ingest PULL, the replay ROUTER),
/// the one way all of them are bound; call on the thread that owns the socket, after its other
/// options are set.
///
/// Rules:
/// 1. Its connections are guarded (``ConnectionGuard``) from before the first bind, so none goes
///    unseen.
/// 2. With CURVE, the socket is a CURVE server with the daemon's secret key on every endpoint.
/// 3. ``endpoints`` are the endpoints as bound (wildcard ports resolved), in the order given; a
///    bind that fails throws with its endpoint in the message.
struct ListeningEndpoints {
    /// The socket's connections, counted and limited.
    let connections: ConnectionGuard
    /// The endpoints as bound.
    let endpoints: [String]

    init(
        socket: ZMQSocket, endpoints: [String], role: String, connectionLimit: Int, curve: CurveServerSettings?,
        counters: ServerCounters, logger: Logger
    ) throws {
        connections = try ConnectionGuard(socket: socket, role: role, limit: connectionLimit, counters: counters, logger: logger)
        if let curve { try socket.secure(.server(secretKey: curve.secretKey)) }
        self.endpoints = try endpoints.map { try socket.bind($0) }
    }
}

@available(*, unavailable)
extension ListeningEndpoints: Sendable {}
