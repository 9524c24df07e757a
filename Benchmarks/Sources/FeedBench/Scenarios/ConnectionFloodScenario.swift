import ChildProcesses
import Foundation

/// Issue 10, part 3: 10,000 idle connections (`tcp_flood`: plain TCP, never a ZeroMQ greeting,
/// all connects at once) on the publish port, then on the ingest port, while a C producer
/// pushes at full speed and one C subscriber takes everything; against the same run without
/// the flood. Reports the healthy subscriber's rate, how long `feed-client status` takes to be
/// answered during the flood (process start included, on both sides), and how fast the flood's
/// connections were taken in or refused, beside the raw libzmq XPUB in C (`pubsub_pub` waiting
/// for a subscription that never comes) flooded the same way.
struct ConnectionFloodScenario {
    static let connections = 10_000
    static let statusSamples = 10

    private enum Target: String {
        case none, publish, ingest
    }

    private struct Outcome {
        let rate: Double
        let statusMilliseconds: [Double]
        let floodRate: Double
        let held: Double
        let refused: Double
    }

    func run(_ run: BenchRun) throws -> [Figure] {
        let seconds = run.size(15, quick: 5)
        let calm = try measure(run, flooding: .none, seconds: seconds)
        let publish = try measure(run, flooding: .publish, seconds: seconds)
        let ingest = try measure(run, flooding: .ingest, seconds: seconds)
        let raw = try rawFloodRate(run)
        func slowest(_ outcome: Outcome) -> Double { outcome.statusMilliseconds.max() ?? 0 }
        func median(_ outcome: Outcome) -> Double { outcome.statusMilliseconds.isEmpty ? 0 : outcome.statusMilliseconds.median }
        var figures: [Figure] = []
        for (name, flooded) in [("publish", publish), ("ingest", ingest)] {
            figures.append(
                Figure(
                    name: "healthy subscriber's rate while \(Self.connections) idle connections flood the \(name) port",
                    unit: .messagesPerSecond, better: .higher, ours: flooded.rate, baselineName: "no flood", baseline: calm.rate,
                    target: .ratio(0.8),
                    note: String(
                        format: "the server held %.0f of them and refused %.0f (its share of descriptors per endpoint)",
                        flooded.held, flooded.refused)))
            figures.append(
                Figure(
                    name: "feed-client status answered while \(Self.connections) idle connections flood the \(name) port, slowest of \(Self.statusSamples)",
                    unit: .milliseconds, better: .lower, ours: slowest(flooded), baselineName: "no flood", baseline: slowest(calm),
                    note: String(format: "medians %.1f ms and %.1f ms; process start included", median(flooded), median(calm))))
        }
        figures.append(
            Figure(
                name: "idle connections taken in or refused a second, \(Self.connections) at once on the publish port",
                unit: .connectionsPerSecond, better: .higher, ours: publish.floodRate, baselineName: "raw libzmq XPUB in C",
                baseline: raw,
                note: "each connect completed (accepted, or accepted and closed at once past the share) as tcp_flood saw it"))
        return figures
    }

    private func measure(_ run: BenchRun, flooding target: Target, seconds: Int) throws -> Outcome {
        run.log("flood: \(seconds) s at full rate, \(target == .none ? "no flood" : "\(Self.connections) idle connections on \(target.rawValue)")")
        let folder = try run.scratch("flood-\(target.rawValue)")
        let server = try FeedServerProcess(run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder)
        let live = try ChildProcess("live", run.baseline("pubsub_sub"), ["-e", server.publish, "-w"], folder: folder)
        try live.waitForStderrLine(containing: "ready", timeout: 60)
        let producer = try ChildProcess(
            "producer", run.baseline("feed_push"), ["-e", server.ingest, "-d", String(seconds)], folder: folder)
        let flood: ChildProcess? =
            switch target {
            case .none: nil
            case .publish, .ingest:
                try ChildProcess(
                    "flood", run.baseline("tcp_flood"),
                    ["-e", target == .publish ? server.publish : server.ingest, "-n", String(Self.connections), "-t", String(seconds)],
                    folder: folder)
            }
        try flood?.waitForStderrLine(containing: "flooding", timeout: 90)
        var statusMilliseconds: [Double] = []
        var lastStatus: JSONObject?
        for _ in 0..<Self.statusSamples where producer.isRunning {
            let started = ContinuousClock.now
            lastStatus = try server.status(run, folder: folder)
            statusMilliseconds.append((ContinuousClock.now - started).seconds * 1000)
            Thread.sleep(forTimeInterval: 0.2)
        }
        try producer.waitForSuccess(timeout: Double(seconds + 60))
        try live.waitForSuccess()
        try flood?.waitForSuccess(timeout: Double(seconds + 120))
        try server.child.terminate()
        let floodResult = try flood?.jsonResult()
        let endpoint = target == .publish ? "publish" : "ingest"
        return Outcome(
            rate: try live.jsonResult().number("rate"), statusMilliseconds: statusMilliseconds,
            floodRate: try floodResult.map { try $0.number("opened") / max(0.001, try $0.number("seconds_to_open")) } ?? 0,
            held: (try? lastStatus?.object("connections").number(endpoint)) ?? 0,
            refused: (try? lastStatus?.object("refused_connections").number(endpoint)) ?? 0)
    }

    /// The same flood against a raw libzmq XPUB: connections a second.
    private func rawFloodRate(_ run: BenchRun) throws -> Double {
        run.log("flood: \(Self.connections) idle connections on a raw libzmq XPUB")
        let folder = try run.scratch("flood-raw")
        let endpoint = try FreePort.loopbackEndpoint()
        // It waits for a subscription the flood never sends; killed once the flood is done.
        let publisher = try ChildProcess("pub", run.baseline("pubsub_pub"), ["-e", endpoint, "-s", "1", "-n", "1"], folder: folder)
        try publisher.waitForStderrLine(containing: "bound", timeout: 30)
        let flood = try ChildProcess(
            "flood", run.baseline("tcp_flood"), ["-e", endpoint, "-n", String(Self.connections), "-t", "0"], folder: folder)
        try flood.waitForSuccess(timeout: 120)
        publisher.signal(SIGKILL)
        let result = try flood.jsonResult()
        return try result.number("opened") / max(0.001, try result.number("seconds_to_open"))
    }
}
