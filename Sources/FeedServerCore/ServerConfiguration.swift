import FeedModel

/// Everything a ``FeedServer`` needs to start: endpoints, history file and tuning.
public struct ServerConfiguration: Sendable {
    /// Endpoints the XPUB binds for subscribers (`tcp://`, `ipc://`, `inproc://`).
    public var publishEndpoints: [String] = ["tcp://127.0.0.1:5556"]
    /// Endpoint the PULL binds for producers.
    public var ingestEndpoint: String = "tcp://127.0.0.1:5557"
    /// Endpoint the ROUTER binds for history requests.
    public var replayEndpoint: String = "tcp://127.0.0.1:5558"
    /// The SQLite history file.
    public var databasePath: String = "./data/feed.sqlite"
    /// Messages per second of the built-in demo generator; `nil` runs no generator.
    public var demoRate: Int?
    /// Seed of the demo generator, for reproducible runs.
    public var demoSeed: UInt64 = 0x5EED
    /// A heartbeat goes out when nothing was published for this long (milliseconds).
    public var heartbeatIntervalMilliseconds: Int = 1000
    /// Messages per history block (one SQLite row).
    public var blockMessages: Int = 4096
    /// A partly filled block is handed to the recorder after this long (milliseconds).
    public var blockFlushMilliseconds: Int = 100
    /// Messages the recorder may have pending before the engine waits for it (nothing is dropped).
    public var recorderBacklogLimit: Int = 4_000_000
    /// Messages queued per subscriber before libzmq drops for that subscriber (ZMQ_SNDHWM).
    public var sendHighWaterMark: Int32 = 100_000
    /// Largest message history page the replay service sends in one reply.
    public var replayPageLimit: Int = 10_000

    public init() {}
}
