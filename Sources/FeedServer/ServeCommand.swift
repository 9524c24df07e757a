import ArgumentParser
import CommandLineSupport
import FeedHistory
import FeedServerCore
import Foundation
import Logging
import ServiceLifecycle
import ZeroMQ

/// `feed-server [serve]`: run the publisher daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the publisher daemon (the default command)."
    )

    @Option(name: .customLong("publish"), help: "Endpoint for subscribers (XPUB); repeatable. Default tcp://127.0.0.1:5556.")
    var publish: [String] = []

    @OptionGroup var multicastOptions: MulticastOptions

    @OptionGroup var curve: CurveServerOptions

    @OptionGroup var metricsOptions: MetricsOptions

    @Option(help: "Endpoint for producers (PULL).")
    var ingest = "tcp://127.0.0.1:5557"

    @Option(help: "Endpoint for history requests (ROUTER).")
    var replay = "tcp://127.0.0.1:5558"

    @Option(help: "SQLite history file, created with its folder.")
    var db = "./data/feed.sqlite"

    @Option(help: ArgumentHelp("Delete history older than DURATION (7d, 12h, 30m), oldest first.", valueName: "DURATION"))
    var retain: String?

    @Option(help: ArgumentHelp("Keep the history file under about BYTES (50GB, 512MiB), deleting the oldest.", valueName: "BYTES"))
    var retainSize: String?

    @Option(name: .customLong("demo"), help: ArgumentHelp("Generate demo quotes and trades at RATE msg/s (default \(DemoArgument.defaultRate) when RATE is omitted).", valueName: "RATE"))
    var demoRate: Int?

    @Option(help: "Seed of the demo generator: the same seed gives the same symbols and messages.")
    var demoSeed: UInt64 = 0x5EED

    @Option(
        help: ArgumentHelp(
            "Spread demo messages over N synthetic symbols (1-\(ServerConfiguration.maximumDemoSymbols)) instead of 30 "
                + "real names: tickers on NASDAQ, NYSE, ARCA, BATS and IEX, beyond 10000 option series on them. Each "
                + "message picks its symbol uniformly at random.",
            valueName: "N"))
    var demoSymbols: Int?

    @Option(help: "Heartbeat after this many milliseconds without a message.")
    var heartbeatMs = 1000

    @Option(help: "Messages per history block (one SQLite row).")
    var blockMessages = 4096

    @Option(help: "Hand a partial block to the recorder after this many milliseconds.")
    var blockFlushMs = 100

    @Option(help: "Messages the recorder may fall behind before intake waits for it (bounds the server's memory).")
    var recorderBacklog = ServerConfiguration().recorderBacklogLimit

    @Option(help: "Messages queued per subscriber before libzmq drops for it (ZMQ_SNDHWM).")
    var sendHwm: Int32 = 100_000

    @OptionGroup var guardOptions: SubscriberGuardOptions

    @Option(help: "Most messages the replay service sends in one reply; clients page for more.")
    var replayPageLimit = 10_000

    @Option(help: "libzmq I/O threads (ZMQ_IO_THREADS), 1-\(Self.maximumIOThreads).")
    var ioThreads = 1

    @Option(help: "How much to log.")
    var logLevel = Logger.Level.info

    /// The fastest demo generator: far above what one engine thread publishes.
    static let maximumDemoRate = 100_000_000
    static let maximumBlockMessages = ServerConfiguration.maximumBlockMessages
    static let maximumReplayPageLimit = ServerConfiguration.maximumReplayPageLimit
    /// More I/O threads than this only cost memory: libzmq spreads connections, not messages.
    static let maximumIOThreads = 16

    func validate() throws {
        try Self.checkEndpoints(publish: publish, multicast: multicastOptions, ingest: ingest, replay: replay)
        try curve.validate(
            binding: publish.map { ("--publish", $0) } + [("--ingest", ingest), ("--replay", replay)],
            multicast: multicastOptions.multicast)
        try metricsOptions.validate()
        if let demoRate, !(1...Self.maximumDemoRate).contains(demoRate) {
            throw ValidationError("--demo RATE must be 1-\(Self.maximumDemoRate) messages per second, not \(demoRate)")
        }
        if let demoSymbols {
            try CountArgument.check(demoSymbols, option: "--demo-symbols", maximum: ServerConfiguration.maximumDemoSymbols)
            if demoRate == nil { throw ValidationError("--demo-symbols needs --demo") }
        }
        try TimeoutArgument.check(heartbeatMs, option: "--heartbeat-ms")
        try TimeoutArgument.check(blockFlushMs, option: "--block-flush-ms")
        try CountArgument.check(blockMessages, option: "--block-messages", maximum: Self.maximumBlockMessages)
        try CountArgument.check(replayPageLimit, option: "--replay-page-limit", maximum: Self.maximumReplayPageLimit)
        try CountArgument.check(recorderBacklog, option: "--recorder-backlog", maximum: 100_000_000)
        try CountArgument.check(ioThreads, option: "--io-threads", maximum: Self.maximumIOThreads)
        if sendHwm < 0 { throw ValidationError("--send-hwm must not be negative") }
        if db.isEmpty { throw ValidationError("--db must not be empty") }
        _ = try retention()
    }

    /// The retention policy of `--retain` and `--retain-size`.
    private func retention() throws -> RetentionPolicy {
        RetentionPolicy(
            maximumAge: try retain.map { try RetentionArgument.duration($0, option: "--retain") },
            maximumBytes: try retainSize.map { try ByteCountArgument.parse($0, option: "--retain-size") })
    }

    /// The endpoint options' syntax, shared with `doctor`, which takes the same ones.
    static func checkEndpoints(publish: [String], multicast: MulticastOptions, ingest: String, replay: String) throws {
        let bindable: [EndpointArgument.Transport] = [.tcp, .ipc, .inproc]
        for endpoint in publish { try EndpointArgument.check(endpoint, option: "--publish", role: .bind, transports: bindable) }
        try multicast.validate()
        try EndpointArgument.check(ingest, option: "--ingest", role: .bind, transports: bindable)
        try EndpointArgument.check(replay, option: "--replay", role: .bind, transports: bindable)
    }

    func run() async throws {
        let logger = ServerLogging.bootstrap(level: logLevel, label: "feed-server")

        var configuration = ServerConfiguration()
        if !publish.isEmpty { configuration.publishEndpoints = publish }
        configuration.multicastEndpoints = multicastOptions.multicast
        configuration.multicast = multicastOptions.settings
        configuration.ingestEndpoint = ingest
        configuration.replayEndpoint = replay
        configuration.databasePath = db
        configuration.demoRate = demoRate
        configuration.demoSeed = demoSeed
        configuration.demoSymbols = demoSymbols
        configuration.heartbeatIntervalMilliseconds = heartbeatMs
        configuration.blockMessages = blockMessages
        configuration.blockFlushMilliseconds = blockFlushMs
        configuration.recorderBacklogLimit = recorderBacklog
        configuration.sendHighWaterMark = sendHwm
        configuration.replayPageLimit = replayPageLimit
        configuration.ioThreads = ioThreads
        configuration.retention = try retention()
        configuration.guards = try guardOptions.guards(logger: logger)
        configuration.curve = try curve.settings()

        let export = metricsOptions.bootstrap()
        let server: FeedServer
        let metrics: MetricsHTTPEndpoint?
        do {
            server = try FeedServer.start(configuration: configuration, logger: logger)
            do {
                metrics = try metricsOptions.serve(export, counters: server.counters, logger: logger)
            } catch {
                server.stop()
                throw error
            }
        } catch {
            ServerLogging.writeLine("feed-server: cannot start: \(error)")
            throw ExitStatus.unavailable.exitCode
        }
        let ready = "feed-server ready session=\(server.session) publish=\(server.endpoints.publish.joined(separator: ",")) "
            + "ingest=\(server.endpoints.ingest) replay=\(server.endpoints.replay) db=\(db)"
            + (demoRate.map { " demo=\($0)/s" } ?? "") + (metrics.map { " metrics=\($0.endpoint)" } ?? "")
            + (configuration.curve == nil ? "" : " curve=on")
        let session = server.session
        let clients = configuration.curve?.clients
        let hangup: @Sendable () -> Void = {
            clients?.reload(logger: logger)
            let status = server.counters.status(session: session)
            logger.notice(
                "status: session \(session), published \(status.published), recorded \(status.recorded), unrecorded \(status.unrecorded ?? 0), rejected \(status.rejected.values.reduce(0, +)), subscriptions \(status.subscriptions)"
            )
        }
        try await ShutdownOnSignal.run(logger: logger, started: { ServerLogging.writeLine(ready) }, hangup: hangup, stop: {
            metrics?.stop()
            server.stop()
            return server.historyIsComplete
        })
    }
}
