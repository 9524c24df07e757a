import FeedHistory
import FeedModel

/// Everything a ``FeedServer`` needs to start: endpoints, history file and tuning.
public struct ServerConfiguration: Sendable {
    /// Endpoints the XPUB binds for subscribers (`tcp://`, `ipc://`, `inproc://`).
    public var publishEndpoints: [String] = ["tcp://127.0.0.1:5556"]
    /// PGM multicast endpoints (`epgm://IFACE;GROUP:PORT`) the same stream is also sent to.
    public var multicastEndpoints: [String] = []
    /// Multicast tuning, used when `multicastEndpoints` is not empty.
    public var multicast = MulticastSettings()
    /// Endpoint the PULL binds for producers.
    public var ingestEndpoint: String = "tcp://127.0.0.1:5557"
    /// Endpoint the ROUTER binds for history requests.
    public var replayEndpoint: String = "tcp://127.0.0.1:5558"
    /// The SQLite history file.
    public var databasePath: String = "./data/feed.sqlite"
    /// Messages per second of the built-in demo generator; `nil` runs no generator.
    public var demoRate: Int?
    /// Seed of the demo generator, for reproducible runs: the same seed gives the same symbols
    /// and the same sequence of messages.
    public var demoSeed: UInt64 = 0x5EED
    /// How many synthetic symbols the demo generator spreads its messages over
    /// (1-``maximumDemoSymbols``, tickers then option series); `nil` uses 30 real names.
    public var demoSymbols: Int?
    /// A heartbeat goes out when nothing was published for this long (milliseconds).
    public var heartbeatIntervalMilliseconds: Int = 1000
    /// Messages per history block (one SQLite row).
    public var blockMessages: Int = 4096
    /// A partly filled block is handed to the recorder after this long (milliseconds).
    public var blockFlushMilliseconds: Int = 100
    /// Messages the recorder may have pending before the engine waits for it (nothing is dropped).
    public var recorderBacklogLimit: Int = Recorder.defaultBacklogLimit
    /// Messages queued per subscriber before libzmq drops for that subscriber (ZMQ_SNDHWM).
    public var sendHighWaterMark: Int32 = 100_000
    /// Limits on subscribers and connections (hostile, slow, too many).
    public var guards = SubscriberGuards()
    /// Largest message history page the replay service sends in one reply.
    public var replayPageLimit: Int = 10_000
    /// How much history to keep; the default keeps everything.
    public var retention = RetentionPolicy()
    /// libzmq I/O threads of the server's context (ZMQ_IO_THREADS), when the server makes it.
    public var ioThreads: Int = 1
    /// CURVE on every tcp and ipc endpoint, with the clients let in; `nil` leaves them plain.
    public var curve: CurveServerSettings?

    public init() {}

    /// The most messages a history block may hold: its payload stays under SQLite's 1 GB blob
    /// limit whatever the topics and types.
    public static let maximumBlockMessages = 1_000_000_000 / (4 + Topic.maximumLength + WireLayout.maximumBodyLength)
    /// The most synthetic symbols the demo generator makes.
    public static let maximumDemoSymbols = DemoSymbols.maximumCount
    /// The largest replay page: what fits in one reply of the replay service.
    public static let maximumReplayPageLimit = ReplayService.pageMessageLimit
}

/// PGM settings for multicast publishing (see `zmq_pgm(7)`).
public struct MulticastSettings: Sendable {
    /// Send rate in kilobits per second. libzmq's default of 100 kbit/s carries only about 150
    /// quotes a second; 100 Mbit/s suits a feed on a LAN.
    public var rateKilobits: Int32 = 100_000
    /// How long receivers can ask for lost data to be repaired, in milliseconds.
    public var recoveryIntervalMilliseconds: Int32 = 10_000
    /// Multicast TTL: 1 keeps packets on the local network.
    public var hops: Int32 = 1

    public init() {}
}
