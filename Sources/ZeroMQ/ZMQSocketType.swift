import CZeroMQ

/// The ZeroMQ socket patterns this service uses.
public enum ZMQSocketType: Sendable {
    case pub, sub, xpub, xsub, push, pull, router, dealer, pair, req, rep
    /// Raw TCP: each message is `[peer id][bytes]`; an empty `[bytes]` received means the peer
    /// connected or went away, one sent closes the connection after what was queued before it.
    case stream

    var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .stream: ZMQ_STREAM
        }
    }
}
