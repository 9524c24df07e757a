import FeedModel
import Foundation

/// The limits that keep hostile, slow and too many clients from hurting a server or relay:
/// what one subscriber may ask for, what all subscriber queues together may hold, how long a
/// subscriber may stall, and how many connections one endpoint may hold.
public struct SubscriberGuards: Sendable {
    /// Subscriptions one subscriber connection may hold; asking for more disconnects it.
    public var maximumSubscriptions = 12_000
    /// Bytes the queues of stalled subscribers together may hold (``SubscriberMemoryBudget``):
    /// beyond it the longest-stalled are disconnected. Each queue's own limit stays the
    /// configured high-water mark. Default ``defaultSubscriberMemoryBytes``.
    public var subscriberMemoryBytes = SubscriberGuards.defaultSubscriberMemoryBytes
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
    /// What one queued message may cost a subscriber queue, for the memory budget's estimate:
    /// two `zmq_msg_t` (64 bytes each, a short topic inside) and the body, which libzmq shares
    /// between subscribers but which a stalled subscriber alone may keep alive.
    public static let bytesPerQueuedMessage = 2 * 64 + WireLayout.maximumBodyLength
    /// The default memory budget: well under the machine's memory, 1 GiB or an eighth of
    /// physical memory, whichever is less.
    public static let defaultSubscriberMemoryBytes = defaultSubscriberMemory(physicalMemory: ProcessInfo.processInfo.physicalMemory)

    static func defaultSubscriberMemory(physicalMemory: UInt64) -> Int { Int(min(1 << 30, physicalMemory / 8)) }

    /// Connections each of `endpoints` listening sockets may hold.
    func connectionLimit(endpoints: Int) -> Int {
        connectionsPerEndpoint ?? ConnectionLimit.perEndpoint(endpoints: endpoints)
    }
}
