import CZeroMQ

/// A typed socket option: the libzmq option code and the Swift type of its value.
///
/// The table below is the one place where option codes meet their types, as in cppzmq.
public struct ZMQSocketOption<Value>: Sendable {
    public let code: Int32
    public let name: String
}

extension ZMQSocketOption where Value == Int32 {
    public static var linger: Self { .init(code: ZMQ_LINGER, name: "LINGER") }
    public static var sendHighWaterMark: Self { .init(code: ZMQ_SNDHWM, name: "SNDHWM") }
    public static var receiveHighWaterMark: Self { .init(code: ZMQ_RCVHWM, name: "RCVHWM") }
    public static var receiveTimeout: Self { .init(code: ZMQ_RCVTIMEO, name: "RCVTIMEO") }
    public static var sendTimeout: Self { .init(code: ZMQ_SNDTIMEO, name: "SNDTIMEO") }
    public static var xpubVerbose: Self { .init(code: ZMQ_XPUB_VERBOSE, name: "XPUB_VERBOSE") }
    /// Makes an XPUB pass on every subscription and every cancel of every subscriber, also those
    /// that change nothing in its filter (XPUB_VERBOSE passes on cancels only of a last holder).
    public static var xpubVerboser: Self { .init(code: ZMQ_XPUB_VERBOSER, name: "XPUB_VERBOSER") }
    /// Makes a PUB/XPUB wait (or return EAGAIN) at its high-water mark instead of dropping.
    public static var xpubNoDrop: Self { .init(code: ZMQ_XPUB_NODROP, name: "XPUB_NODROP") }
    public static var routerMandatory: Self { .init(code: ZMQ_ROUTER_MANDATORY, name: "ROUTER_MANDATORY") }
    public static var immediate: Self { .init(code: ZMQ_IMMEDIATE, name: "IMMEDIATE") }
    /// PGM send rate in kilobits per second (libzmq's default of 100 is far too low for a feed).
    public static var multicastRate: Self { .init(code: ZMQ_RATE, name: "RATE") }
    /// How long, in milliseconds, a PGM receiver can recover lost data.
    public static var recoveryInterval: Self { .init(code: ZMQ_RECOVERY_IVL, name: "RECOVERY_IVL") }
    /// The kernel receive buffer of the socket's UDP sockets, in bytes (ZMQ_RCVBUF; -1 keeps the
    /// system's `net.core.rmem_default`). The kernel caps it at `net.core.rmem_max`, silently.
    public static var receiveBuffer: Self { .init(code: ZMQ_RCVBUF, name: "RCVBUF") }
    /// The kernel send buffer, in bytes (ZMQ_SNDBUF; -1 keeps `net.core.wmem_default`), capped
    /// at `net.core.wmem_max`.
    public static var sendBuffer: Self { .init(code: ZMQ_SNDBUF, name: "SNDBUF") }
    /// Multicast time-to-live (hop count).
    public static var multicastHops: Self { .init(code: ZMQ_MULTICAST_HOPS, name: "MULTICAST_HOPS") }
    public static var reconnectInterval: Self { .init(code: ZMQ_RECONNECT_IVL, name: "RECONNECT_IVL") }
    public static var ipv6: Self { .init(code: ZMQ_IPV6, name: "IPV6") }
    public static var receiveMore: Self { .init(code: ZMQ_RCVMORE, name: "RCVMORE") }
    public static var events: Self { .init(code: ZMQ_EVENTS, name: "EVENTS") }
    /// Makes the socket the CURVE server of its connections (set before binding).
    public static var curveServer: Self { .init(code: ZMQ_CURVE_SERVER, name: "CURVE_SERVER") }
    /// An XPUB hands every subscription to its owner, which applies it (or not) with
    /// ``subscribe`` on the XPUB itself: nothing reaches a subscriber that the owner did not allow.
    public static var xpubManual: Self { .init(code: ZMQ_XPUB_MANUAL, name: "XPUB_MANUAL") }
}

extension ZMQSocketOption where Value == Int64 {
    /// Largest inbound message in bytes; a peer sending more is disconnected by libzmq.
    public static var maxMessageSize: Self { .init(code: ZMQ_MAXMSGSIZE, name: "MAXMSGSIZE") }
}

extension ZMQSocketOption where Value == [UInt8] {
    public static var subscribe: Self { .init(code: ZMQ_SUBSCRIBE, name: "SUBSCRIBE") }
    public static var unsubscribe: Self { .init(code: ZMQ_UNSUBSCRIBE, name: "UNSUBSCRIBE") }
    public static var routingID: Self { .init(code: ZMQ_ROUTING_ID, name: "ROUTING_ID") }
    /// CURVE keys, as 40-character Z85 text.
    public static var curveSecretKey: Self { .init(code: ZMQ_CURVE_SECRETKEY, name: "CURVE_SECRETKEY") }
    public static var curvePublicKey: Self { .init(code: ZMQ_CURVE_PUBLICKEY, name: "CURVE_PUBLICKEY") }
    public static var curveServerKey: Self { .init(code: ZMQ_CURVE_SERVERKEY, name: "CURVE_SERVERKEY") }
}

extension ZMQSocketOption where Value == String {
    /// The endpoint the socket last bound, with the port filled in for `tcp://host:*`.
    public static var lastEndpoint: Self { .init(code: ZMQ_LAST_ENDPOINT, name: "LAST_ENDPOINT") }
}
