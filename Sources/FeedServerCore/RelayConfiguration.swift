import FeedModel
import ZeroMQ

/// Everything a ``FeedRelay`` needs: where to collect from, what to forward, where to republish.
public struct RelayConfiguration: Sendable {
    /// Publish endpoints of upstream servers or relays (`tcp://`, `ipc://`, `epgm://`).
    public var upstreamEndpoints: [String] = []
    /// Only topics under these prefixes are forwarded; empty forwards everything.
    public var prefixes: [TopicPrefix] = []
    /// Endpoints the relay's XPUB binds for its subscribers.
    public var publishEndpoints: [String] = []
    /// PGM endpoints the relay republishes on.
    public var multicastEndpoints: [String] = []
    public var multicast = MulticastSettings()
    /// Records what it forwards to this history file, if set.
    public var databasePath: String?
    public var blockMessages = 4096
    public var blockFlushMilliseconds = 100
    public var sendHighWaterMark: Int32 = 100_000
    /// Limits on subscribers and connections (hostile, slow, too many), as for a server.
    public var guards = SubscriberGuards()
    /// CURVE on the relay's own tcp and ipc publish endpoints, with its own clients folder.
    public var curve: CurveServerSettings?
    /// How the relay connects to its tcp and ipc upstreams when they use CURVE (a `.client`).
    public var upstreamCurve: CurveSecurity?

    public init() {}
}
