import Logging
import ZeroMQ

/// With CURVE, for the ingest and replay endpoints: closes the connections of clients whose key
/// was revoked (left out of the clients folder at a reload, or replaced by another key under the
/// same name), within the owner's next turn.
///
/// A connection is known by the client it authenticated as (its ZAP `User-Id`) from the first
/// message that arrives on it (``ConnectionGuard/noteClient(on:name:)``). After a reload, every known
/// connection of a client no longer let in is shut down and logged; a connection whose first
/// message comes from such a client is shut down at that message. A connection that never sent
/// anything is not known by name (libzmq names the client only on its messages), so when a
/// reload revoked any key, every such connection is shut down too: a revoked client's idle
/// connection cannot stay, and a client still let in is reconnected by libzmq and handshakes
/// again (a producer that had sent nothing loses nothing).
/// Owned by the thread that owns the endpoint's socket.
struct RevokedConnections {
    private let clients: ClientAllowList
    private let logger: Logger
    private var seenGeneration: UInt64

    init(clients: ClientAllowList, logger: Logger) {
        self.clients = clients
        self.logger = logger
        seenGeneration = clients.generation
    }

    /// Notes who sent `message` (frame `index` is one it sent, with its `User-Id`) on `connections`.
    func noteSender(of message: ZMQMultipartMessage, frame index: Int, on connections: ConnectionGuard) throws {
        guard let descriptor = message.sourceDescriptor(of: index).map(ConnectionDescriptor.init),
            let name = try connections.noteClient(on: descriptor, name: { message.userID(of: index) }),
            clients.client(named: name) == nil
        else { return }
        close(descriptor, of: name, on: connections)
    }

    /// After a reload of the clients folder: shuts down every known connection of a client no
    /// longer let in. Does nothing when nothing was reloaded since the last call; cheap to call
    /// every turn.
    mutating func closeRevoked(on connections: ConnectionGuard) throws {
        let generation = clients.generation
        guard generation != seenGeneration else { return }
        defer { seenGeneration = generation }
        for (descriptor, name) in connections.namedConnections
        where clients.client(named: name) == nil || clients.keyReplaced(named: name, since: seenGeneration) {
            close(descriptor, of: name, on: connections)
        }
        guard clients.revokedAny(since: seenGeneration) else { return }
        try connections.update()  // Connections accepted since the owner last looked are among them.
        for descriptor in connections.unnamedConnections {
            guard let peer = connections.disconnect(descriptor) else { continue }
            logger.notice(
                "closed \(connections.role) connection \(peer) (\(descriptor)), not yet known by name when keys were revoked (clients reloaded); a client still let in reconnects")
        }
    }

    private func close(_ descriptor: ConnectionDescriptor, of name: String, on connections: ConnectionGuard) {
        guard let peer = connections.disconnect(descriptor) else { return }
        logger.notice("closed \(connections.role) connection \(peer) (\(descriptor)) of \(name): its key was revoked (clients reloaded)")
    }
}
