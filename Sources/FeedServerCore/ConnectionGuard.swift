import Logging
import ZeroMQ

/// Keeps count of the connections of one listening socket (publish, ingest or replay) through its
/// socket monitor, closes at once those beyond the endpoint's share of descriptors, and ends a
/// connection on request only when its descriptor still names that connection.
///
/// Owned by the thread that owns the socket; that thread polls ``eventSocket`` with its others
/// and calls ``update()`` when it is readable (and before it acts on a descriptor).
///
/// Rules:
/// 1. A connection counts from libzmq's ACCEPTED event until its DISCONNECTED event. libzmq
///    reports the disconnect before it closes the descriptor, so after ``update()`` a descriptor
///    the guard counts as live has not been closed and given to another connection since.
/// 2. Beyond ``limit`` live connections, a new one is shut down as soon as it is seen, logged and
///    counted as refused: a flood on one endpoint uses at most its share of descriptors.
/// 3. ``disconnect(_:)`` shuts a connection down only if it is live and its addresses are still
///    those seen when it was accepted (a descriptor closed since, or given to another connection,
///    fails that check). It takes in no events itself: every connection that ended is reported by
///    the owner's ``update()``, in order, before a new connection on the same descriptor.
/// 4. With CURVE, a live connection is known by the client it authenticated as once a message
///    arrived on it (``noteClient(on:name:)``); the name goes with the connection when it ends.
final class ConnectionGuard {
    /// What was seen of a live connection when it was accepted.
    struct Connection {
        let local: String
        let peer: String
        /// The client it authenticated as (ZAP `User-Id`), once a message arrived (rule 4).
        var client: String? = nil
    }

    let role: String
    let limit: Int
    private let monitor: ZMQMonitor
    private let counters: ServerCounters
    private let logger: Logger
    private var live: [ConnectionDescriptor: Connection] = [:]
    /// Connections shut down by rule 2, until libzmq reports them closed.
    private var refusing: Set<ConnectionDescriptor> = []

    /// Starts watching `socket`, the endpoint of `role`; call before it binds, so no connection
    /// goes unseen.
    init(socket: ZMQSocket, role: String, limit: Int, counters: ServerCounters, logger: Logger) throws {
        monitor = try ZMQMonitor(socket, events: ZMQMonitor.connectionEvents)
        self.role = role
        self.limit = limit
        self.counters = counters
        self.logger = logger
        counters.setConnections(0, role: role)
        logger.info("\(role) endpoint: at most \(limit) connections")
    }

    /// Readable when connection events wait for ``update()``.
    var eventSocket: ZMQSocket { monitor.eventSocket }

    /// The live connections.
    var connections: Dictionary<ConnectionDescriptor, Connection>.Keys { live.keys }

    func isLive(_ descriptor: ConnectionDescriptor) -> Bool { live[descriptor] != nil }

    /// What the kernel could not send yet on a live connection, and what its peer acknowledged
    /// so far (see ``ConnectionDescriptor/unsentBytes(unix:)``, ``ConnectionDescriptor/acknowledgedBytes()``).
    func sendQueue(_ descriptor: ConnectionDescriptor) -> SendQueueLook? {
        guard let connection = live[descriptor] else { return nil }
        let unix = connection.local == ConnectionDescriptor.unixAddress
        guard let unsent = descriptor.unsentBytes(unix: unix) else { return nil }
        return SendQueueLook(unsentBytes: unsent, acknowledgedBytes: unix ? nil : descriptor.acknowledgedBytes())
    }

    /// Rule 4: notes the client a message arriving on live connection `descriptor` came from
    /// (`name` is asked only for a connection not known by name yet). Returns the name when it
    /// was learnt now.
    func noteClient(on descriptor: ConnectionDescriptor, name: () -> String?) throws -> String? {
        // libzmq reports a connection before anything arrives on it (rule 1).
        if live[descriptor] == nil { try update() }
        guard live[descriptor] != nil, live[descriptor]!.client == nil, let name = name() else { return nil }
        live[descriptor]!.client = name
        return name
    }

    /// The live connections not yet known by client name: nothing arrived on them yet.
    var unnamedConnections: [ConnectionDescriptor] {
        live.compactMap { descriptor, connection in connection.client == nil ? descriptor : nil }
    }

    /// The live connections known by client name (rule 4).
    var namedConnections: [(descriptor: ConnectionDescriptor, client: String)] {
        live.compactMap { descriptor, connection in connection.client.map { (descriptor, $0) } }
    }

    /// Takes in every event reported so far; returns the live connections that ended.
    @discardableResult
    func update() throws -> [ConnectionDescriptor] {
        var ended: [ConnectionDescriptor] = []
        while let event = try monitor.next() {
            let descriptor = ConnectionDescriptor(event.value)
            switch event.kind {
            case .accepted:
                accept(descriptor)
            case .disconnected:
                if refusing.remove(descriptor) == nil, live.removeValue(forKey: descriptor) != nil { ended.append(descriptor) }
            case .acceptFailed:
                let count = counters.refuseConnection(role: role)
                logger.warning(
                    occurrence: count, "\(role) endpoint \(event.endpoint) could not accept a connection (#\(count)): errno \(event.value)")
            default:
                break  // Not among ZMQMonitor.connectionEvents: never reported here.
            }
        }
        counters.setConnections(live.count, role: role)
        return ended
    }

    /// Shuts a live connection down (rule 3); libzmq then closes it and reports it. Returns
    /// the peer's address, or `nil` when the descriptor no longer names that connection.
    @discardableResult
    func disconnect(_ descriptor: ConnectionDescriptor) -> String? {
        guard let connection = live[descriptor], let now = descriptor.addresses(),
            now.local == connection.local, now.peer == connection.peer
        else {
            logger.debug("\(role) connection \(descriptor) not disconnected: it is no longer the one accepted")
            return nil
        }
        descriptor.shutdown()
        return connection.peer
    }

    private func accept(_ descriptor: ConnectionDescriptor) {
        // Closed again before this event was read: libzmq's DISCONNECTED event follows.
        guard let addresses = descriptor.addresses() else {
            refusing.insert(descriptor)
            return
        }
        guard live.count < limit else {
            descriptor.shutdown()
            refusing.insert(descriptor)
            let count = counters.refuseConnection(role: role)
            logger.warning(
                occurrence: count,
                "\(role) endpoint holds \(limit) connections, its share of descriptors: closed a new one from \(addresses.peer) at once (#\(count))"
            )
            return
        }
        live[descriptor] = Connection(local: addresses.local, peer: addresses.peer)
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
