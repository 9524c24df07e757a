import FeedModel

/// The limits that keep hostile, slow and too many clients from hurting a server or relay:
/// what one subscriber may ask for, what all subscriber queues together may hold, how long a
/// subscriber may stall, and how many connections one endpoint may hold.
public struct SubscriberGuards: Sendable {
    /// Subscriptions one subscriber connection may hold; asking for more disconnects it.
    public var maximumSubscriptions = 12_000
    /// Bytes all subscriber queues together may hold, if bounded: each subscriber's queue limit
    /// (ZMQ_SNDHWM) is then this budget shared by as many subscribers as the publish endpoints may
    /// hold, at most the configured high-water mark, at least ``minimumQueueLimit``. It is set
    /// once, at start (see ``FanOut``), so it cannot follow the number of subscribers connected;
    /// `nil` (the default) keeps the configured high-water mark, which a default budget shared by
    /// thousands of possible subscribers would cut to ``minimumQueueLimit`` for everyone.
    public var subscriberMemoryBytes: Int?
    /// A subscriber whose kernel send queue stays full this long (milliseconds) is disconnected;
    /// 0 never disconnects one.
    public var slowSubscriberMilliseconds = 5_000
    /// Connections one endpoint (publish, ingest, replay) may hold; a further one is closed at once.
    /// `nil`: an equal share of the process's descriptors (``ConnectionLimit``).
    public var connectionsPerEndpoint: Int?

    public init() {}

    /// Longest subscription a subscriber may send: a topic, since a longer prefix matches nothing.
    public static let maximumSubscriptionLength = Topic.maximumLength
    /// Largest frame the publish socket reads (ZMQ_MAXMSGSIZE): a subscription of
    /// ``maximumSubscriptionLength`` as ZMTP 3.1 sends it (a 10-byte `SUBSCRIBE` command name
    /// before the prefix), with room for a handshake's READY command. libzmq closes a connection
    /// that sends a larger frame before reading it, so a subscription costs at most this much.
    public static let maximumSubscriptionFrame: Int64 = 64
    /// The same limit with CURVE, whose handshake commands (HELLO 200 bytes, INITIATE with the
    /// client's metadata) and encrypted MESSAGE frames are larger: libzmq applies the limit to
    /// every frame it decodes. Subscriptions longer than a topic are still refused by the
    /// subscription book.
    public static let maximumCurveSubscriptionFrame: Int64 = 1024
    /// What one queued message costs a subscriber queue, for sharing the memory budget: two
    /// `zmq_msg_t` (64 bytes each, a short topic inside) and the body, which libzmq shares
    /// between subscribers but which a stalled subscriber alone may keep alive.
    public static let bytesPerQueuedMessage = 2 * 64 + WireLayout.maximumBodyLength
    /// The smallest queue limit the budget hands out, however many subscribers share it: below
    /// it a subscriber that keeps up on average would lose messages in every burst. With more
    /// subscribers than the budget allows at this limit, they may together hold more.
    public static let minimumQueueLimit: Int32 = 1000

    /// Connections each of `endpoints` listening sockets may hold.
    func connectionLimit(endpoints: Int) -> Int {
        connectionsPerEndpoint ?? ConnectionLimit.perEndpoint(endpoints: endpoints)
    }

    /// A subscriber's queue limit (messages) when `subscribers` share the memory budget.
    func queueLimit(subscribers: Int, ceiling: Int32) -> Int32 {
        guard let subscriberMemoryBytes else { return ceiling }
        let share = subscriberMemoryBytes / max(1, subscribers) / Self.bytesPerQueuedMessage
        guard ceiling > 0 else { return Int32(clamping: max(share, Int(Self.minimumQueueLimit))) }  // 0: libzmq's "no limit"
        return max(min(Int32(clamping: share), ceiling), min(Self.minimumQueueLimit, ceiling))
    }
}
