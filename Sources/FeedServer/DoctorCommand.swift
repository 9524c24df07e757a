import ArgumentParser
import CommandLineSupport
import FeedDoctor
import FeedHistory
import FeedServerCore
import Foundation
import ZeroMQ

/// `feed-server doctor`: checks this host for what a first deployment trips over, for the
/// endpoints, history file and multicast rate the server would be started with.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this host for what the server needs: multicast interfaces and routes, raw sockets, socket buffers, descriptors, disk, ports.",
        discussion: """
            Give the options the server will run with (the same defaults as `serve`). One line per \
            check: ok, warn or fail, what was found, and for warn and fail the command that fixes it. \
            Checks read this process's network namespace and limits: run the doctor as the service runs \
            (same user, same namespace; under systemd: systemd-run -p DynamicUser=yes ... feed-server doctor).

            Exit status: 0 when no check fails (warnings allowed), 1 when at least one fails, \
            64 for bad arguments.
            """
    )

    @Option(name: .customLong("publish"), help: "Endpoint for subscribers; repeatable. Default tcp://127.0.0.1:5556.")
    var publish: [String] = []

    @OptionGroup var multicastOptions: MulticastOptions

    @Option(help: "Endpoint for producers.")
    var ingest = ServerConfiguration().ingestEndpoint

    @Option(help: "Endpoint for history requests.")
    var replay = ServerConfiguration().replayEndpoint

    @Option(help: "SQLite history file.")
    var db = ServerConfiguration().databasePath

    @Option(help: ArgumentHelp("The server's --retain-size: the disk must hold that much history beyond the file as it is.", valueName: "BYTES"))
    var retainSize: String?

    @OptionGroup var curve: CurveServerOptions

    func validate() throws {
        try ServeCommand.checkEndpoints(publish: publish, multicast: multicastOptions, ingest: ingest, replay: replay)
        try curve.validate(
            binding: publish.map { ("--publish", $0) } + [("--ingest", ingest), ("--replay", replay)],
            multicast: multicastOptions.multicast)
        if db.isEmpty { throw ValidationError("--db must not be empty") }
        _ = try retainSize.map { try ByteCountArgument.parse($0, option: "--retain-size") }
    }

    func run() throws {
        var plan = DoctorPlan()
        plan.multicast = try multicastOptions.multicast.map { try PGMEndpoint($0) }
        plan.multicastRateKilobits = multicastOptions.multicastRate
        plan.databasePath = db
        if let retainSize {
            // What the history may still grow by: the room retention needs less the file's size now.
            let needed = RetentionPolicy.diskNeeded(maximumBytes: try ByteCountArgument.parse(retainSize, option: "--retain-size"))
            let current = (try? FileManager.default.attributesOfItem(atPath: db)[.size] as? Int64) ?? 0
            plan.minimumFreeBytes = UInt64(max(needed - current, 0))
        }
        plan.bindEndpoints = (publish.isEmpty ? ServerConfiguration().publishEndpoints : publish).map { .init(option: "--publish", endpoint: $0) }
            + [.init(option: "--ingest", endpoint: ingest), .init(option: "--replay", endpoint: replay)]
        let results = plan.checks(facts: HostProber.gather(for: plan))
        for result in results { print(result.line) }
        let count = { (verdict: CheckResult.Verdict) in results.filter { $0.verdict == verdict }.count }
        print("doctor: \(count(.ok)) ok, \(count(.warn)) warn, \(count(.fail)) fail")
        if count(.fail) > 0 { throw ExitStatus.failure.exitCode }
    }
}
