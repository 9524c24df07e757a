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
    /// Serves the recorded history, snapshots and status on this endpoint (ROUTER), with the
    /// server's replay protocol; needs ``databasePath``.
    public var replayEndpoint: String?
    /// Most messages in one replay reply.
    public var replayPageLimit = 10_000
    /// Fills the recorded history's gaps from this upstream replay endpoint; needs
    /// ``databasePath`` and no ``prefixes`` (gaps are found by feed sequence, contiguous only
    /// in the whole feed).
    public var upstreamReplayEndpoint: String?
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

    /// Throws when options contradict each other (the command line checks the same first).
    func validate() throws {
        if databasePath == nil, replayEndpoint != nil {
            throw RelayConfigurationError("a relay serves history (replay endpoint) only of what it records: give a database path")
        }
        if upstreamReplayEndpoint != nil {
            if databasePath == nil { throw RelayConfigurationError("an upstream replay endpoint fills the relay's history: give a database path") }
            if !prefixes.isEmpty {
                throw RelayConfigurationError(
                    "an upstream replay endpoint needs a relay that forwards every topic: gaps are found by feed sequence")
            }
        }
    }
}

/// Relay settings that contradict each other.
public struct RelayConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
