import ArgumentParser
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

    @Option(help: "Endpoint for producers (PULL).")
    var ingest = "tcp://127.0.0.1:5557"

    @Option(help: "Endpoint for history requests (ROUTER).")
    var replay = "tcp://127.0.0.1:5558"

    @Option(help: "SQLite history file, created with its folder.")
    var db = "./data/feed.sqlite"

    @Option(name: .customLong("demo"), help: ArgumentHelp("Generate demo quotes and trades at RATE msg/s (default \(DemoArgument.defaultRate) when RATE is omitted).", valueName: "RATE"))
    var demoRate: Int?

    @Option(help: "Seed of the demo generator.")
    var demoSeed: UInt64 = 0x5EED

    @Option(help: "Heartbeat after this many milliseconds without a message.")
    var heartbeatMs = 1000

    @Option(help: "Messages per history block (one SQLite row).")
    var blockMessages = 4096

    @Option(help: "Hand a partial block to the recorder after this many milliseconds.")
    var blockFlushMs = 100

    @Option(help: "Messages queued per subscriber before libzmq drops for it (ZMQ_SNDHWM).")
    var sendHwm: Int32 = 100_000

    @Option(help: "Most messages the replay service sends in one reply; clients page for more.")
    var replayPageLimit = 10_000

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        for endpoint in publish { try EndpointValidation.check(endpoint, option: "--publish") }
        try multicastOptions.validate()
        try EndpointValidation.check(ingest, option: "--ingest")
        try EndpointValidation.check(replay, option: "--replay")
        if let demoRate, demoRate <= 0 { throw ValidationError("--demo RATE must be a positive number of messages per second") }
        if heartbeatMs <= 0 { throw ValidationError("--heartbeat-ms must be positive") }
        if blockMessages <= 0 { throw ValidationError("--block-messages must be positive") }
        if blockFlushMs <= 0 { throw ValidationError("--block-flush-ms must be positive") }
        if replayPageLimit <= 0 { throw ValidationError("--replay-page-limit must be positive") }
        if sendHwm < 0 { throw ValidationError("--send-hwm must not be negative") }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level \(logLevel): not a log level") }
        if db.isEmpty { throw ValidationError("--db must not be empty") }
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
        configuration.heartbeatIntervalMilliseconds = heartbeatMs
        configuration.blockMessages = blockMessages
        configuration.blockFlushMilliseconds = blockFlushMs
        configuration.sendHighWaterMark = sendHwm
        configuration.replayPageLimit = replayPageLimit

        let server: FeedServer
        do {
            server = try FeedServer.start(configuration: configuration, logger: logger)
        } catch {
            ServerLogging.writeLine("feed-server: cannot start: \(error)")
            throw ExitCode(69)  // EX_UNAVAILABLE
        }
        let ready = "feed-server ready session=\(server.session) publish=\(server.endpoints.publish.joined(separator: ",")) "
            + "ingest=\(server.endpoints.ingest) replay=\(server.endpoints.replay) db=\(db)"
            + (demoRate.map { " demo=\($0)/s" } ?? "")
        try await ShutdownOnSignal.run(logger: logger, started: { ServerLogging.writeLine(ready) }, stop: { server.stop() })
    }
}
