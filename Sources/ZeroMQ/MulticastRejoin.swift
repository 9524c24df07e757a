/// Rejoins the PGM endpoints of a receiving socket that stopped delivering.
///
/// After a loss PGM could not repair (past the sender's recovery window), libzmq 4.3.4's PGM
/// receiver can stop reading its socket until libpgm's next timer, which may be minutes away
/// (the peer expiry), while data keeps arriving: measured in the namespace lab, a receiver with
/// 5 % loss and a 20 ms window stalled within seconds, every time. Disconnecting and connecting
/// again makes a fresh receiver, which joins at the next whole message; what was missed in
/// between is a jump in the feed's sequences, for the owner's gap repair.
///
/// A socket counts as stalled when it delivered nothing for ``stallNanoseconds``: above the
/// feed's heartbeat interval (an idle publisher still sends a heartbeat every second by
/// default), so an idle feed is not taken for a stalled one; one that really stopped is rejoined
/// at that pace, which costs nothing. Decisions and the rejoin only: the owner (the socket's
/// thread) notes deliveries and calls ``rejoinIfStalled(_:now:)`` when ``deadline`` passes.
/// Times are monotonic nanoseconds.
public struct MulticastRejoin: Sendable {
    /// How long a PGM socket may deliver nothing before it is rejoined, by default.
    public static let defaultStallMilliseconds = 3000

    /// The PGM endpoints as connected (resolved to interface addresses).
    public let endpoints: [String]
    public let stallNanoseconds: Int64
    private var lastDelivery: Int64
    /// Rejoins so far.
    public private(set) var rejoins = 0

    /// `endpoints`: the socket's endpoints as connected; only the PGM ones are rejoined, and
    /// without any the guard does nothing.
    public init(endpoints: [String], stallMilliseconds: Int = defaultStallMilliseconds, now: Int64) {
        self.endpoints = endpoints.filter(PGMEndpoint.isPGM)
        stallNanoseconds = Int64(stallMilliseconds) * 1_000_000
        lastDelivery = now
    }

    /// Something arrived on the socket.
    public mutating func noteDelivery(now: Int64) { lastDelivery = now }

    /// When the socket counts as stalled if nothing arrives before; `nil` without PGM endpoints.
    public var deadline: Int64? { endpoints.isEmpty ? nil : lastDelivery + stallNanoseconds }

    /// Disconnects and connects the PGM endpoints again if nothing arrived since ``deadline``;
    /// returns whether it did.
    public mutating func rejoinIfStalled(_ socket: ZMQSocket, now: Int64) throws -> Bool {
        guard let deadline, now >= deadline else { return false }
        for endpoint in endpoints {
            try socket.disconnect(endpoint)
            try socket.connect(endpoint)
        }
        lastDelivery = now
        rejoins += 1
        return true
    }
}
