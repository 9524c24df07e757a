import ArgumentParser
import CommandLineSupport
import FeedModel
import FeedServerCore
import Foundation
import Logging
import ServiceLifecycle
import ZeroMQ

/// `feed-server relay`: collect from upstream publishers and republish locally.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Forward the feeds of several upstream publishers, filtered by prefix, to local subscribers.",
        discussion: """
            Example: feed-server relay --upstream tcp://10.0.0.5:5556 --upstream tcp://10.0.0.6:5556 \
            --subscribe NASDAQ. --publish ipc:///tmp/nasdaq-feed --db ./data/relay.sqlite
            Session and sequence numbers of the origin pass through untouched. With --db and --replay the relay             serves what it recorded to late joiners and gap repairs, as a server does; --upstream-replay fills what             it lost on the way from the origin's replay endpoint.
            """
    )

    @Option(help: "Publish endpoint of an upstream server or relay (tcp://, ipc://, epgm://); repeatable.")
    var upstream: [String] = []

    @Option(name: .customLong("subscribe"), help: "Forward only topics with this prefix; repeatable; none forwards everything.")
    var prefixes: [String] = []

    @Option(
        name: .customLong("subscribe-from"),
        help: ArgumentHelp(
            "Forward only topics with a prefix listed in FILE (one a line, # comments; - reads stdin), besides any --subscribe.",
            valueName: "FILE"))
    var prefixFile: String?

    @Option(help: "Endpoint for local subscribers (XPUB); repeatable.")
    var publish: [String] = []

    @OptionGroup var multicastOptions: MulticastOptions

    @OptionGroup var curve: CurveServerOptions

    @OptionGroup(title: "CURVE toward the upstreams") var upstreamCurve: CurveClientOptions

    @OptionGroup var guardOptions: SubscriberGuardOptions
    @OptionGroup var metricsOptions: MetricsOptions

    @Option(help: "Record what is forwarded to this SQLite history file.")
    var db: String?

    @Option(help: "Serve the recorded history, snapshots and status here (ROUTER, the server's replay protocol); needs --db.")
    var replay: String?

    @Option(
        help: ArgumentHelp(
            "Fill gaps in the recorded history from this upstream replay endpoint (a server's or relay's --replay); "
                + "needs --db and a relay forwarding every topic (no --subscribe).", valueName: "ENDPOINT"))
    var upstreamReplay: String?

    @Option(help: "How much to log.")
    var logLevel = Logger.Level.info

    func validate() throws {
        if upstream.isEmpty { throw ValidationError("give at least one --upstream endpoint") }
        if publish.isEmpty && multicastOptions.multicast.isEmpty {
            throw ValidationError("give at least one --publish or --multicast endpoint")
        }
        for endpoint in upstream {
            try EndpointArgument.check(endpoint, option: "--upstream", role: .connect, transports: [.tcp, .ipc, .epgm, .pgm])
        }
        for endpoint in publish {
            try EndpointArgument.check(endpoint, option: "--publish", role: .bind, transports: [.tcp, .ipc, .inproc])
        }
        if let replay {
            if db == nil { throw ValidationError("--replay serves the relay's history: give --db FILE") }
            try EndpointArgument.check(replay, option: "--replay", role: .bind, transports: [.tcp, .ipc, .inproc])
        }
        if let upstreamReplay {
            if db == nil { throw ValidationError("--upstream-replay fills the relay's history: give --db FILE") }
            if !prefixes.isEmpty || prefixFile != nil {
                throw ValidationError(
                    "--upstream-replay needs a relay that forwards every topic (gaps are found by feed sequence): drop --subscribe")
            }
            try EndpointArgument.check(upstreamReplay, option: "--upstream-replay", role: .connect, transports: [.tcp, .ipc])
        }
        try multicastOptions.validate()
        try curve.validate(
            binding: publish.map { ("--publish", $0) } + (replay.map { [("--replay", $0)] } ?? []),
            multicast: multicastOptions.multicast)
        try metricsOptions.validate()
        for prefix in prefixes {
            do { _ = try TopicPrefix(prefix) } catch { throw ValidationError("--subscribe: \(error)") }
        }
    }

    func run() async throws {
        let listed = try listedPrefixes()
        let logger = ServerLogging.bootstrap(level: logLevel, label: "feed-relay")
        var configuration = RelayConfiguration()
        configuration.upstreamEndpoints = upstream
        configuration.prefixes = try prefixes.map { try TopicPrefix($0) } + listed
        configuration.publishEndpoints = publish
        configuration.multicastEndpoints = multicastOptions.multicast
        configuration.multicast = multicastOptions.settings
        configuration.databasePath = db
        configuration.replayEndpoint = replay
        configuration.upstreamReplayEndpoint = upstreamReplay
        configuration.guards = try guardOptions.guards(logger: logger)
        configuration.curve = try curve.settings()
        configuration.upstreamCurve = try upstreamCurve.security()
        let export = metricsOptions.bootstrap()
        let relay: FeedRelay
        let metrics: MetricsHTTPEndpoint?
        do {
            relay = try FeedRelay.start(configuration: configuration, logger: logger)
            do {
                metrics = try metricsOptions.serve(export, counters: relay.counters, logger: logger)
            } catch {
                relay.stop()
                throw error
            }
        } catch {
            ServerLogging.writeLine("feed-server relay: cannot start: \(error)")
            throw ExitStatus.unavailable.exitCode
        }
        let ready =
            "feed-relay ready publish=\(relay.publishEndpoints.joined(separator: ",")) upstream=\(upstream.joined(separator: ","))"
            + (relay.replayEndpoint.map { " replay=\($0)" } ?? "") + (db.map { " db=\($0)" } ?? "") + (metrics.map { " metrics=\($0.endpoint)" } ?? "")
        let clients = configuration.curve?.clients
        let hangup: @Sendable () -> Void = {
            clients?.reload(logger: logger)
            let status = relay.counters.status(session: 0)  // A relay has no session of its own.
            logger.notice(
                "status: forwarded \(status.published), recorded \(status.recorded), rejected \(status.rejected.values.reduce(0, +)), subscriptions \(status.subscriptions)"
            )
        }
        try await ShutdownOnSignal.run(logger: logger, started: { ServerLogging.writeLine(ready) }, hangup: hangup, stop: {
            metrics?.stop()
            relay.stop()
            return relay.historyIsComplete
        })
    }

    /// The prefixes `--subscribe-from` lists: read when running, not in `validate()`, because
    /// `-` is standard input, which can be read only once. A bad line is a usage error, and so is
    /// a list with no prefix at all: most likely a mistake, which without `--subscribe` would
    /// forward everything.
    private func listedPrefixes() throws -> [TopicPrefix] {
        guard let prefixFile else { return [] }
        let listed = try PrefixListFile.read(prefixFile, option: "--subscribe-from")
        if listed.isEmpty { throw ValidationError("--subscribe-from \(prefixFile): lists no prefix") }
        return listed
    }
}
