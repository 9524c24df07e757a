import ChildProcesses
import Foundation

/// Latency from publish to subscriber receive at a steady rate: a paced raw C publisher against
/// feed-server fed by a paced C producer, both received by `feed-bench latency-sub` (the client
/// library's subscriber, HdrHistogram).
///
/// "Publish" is the moment the publisher stamps the message and sends it: the raw publisher's
/// send, feed-server's sequencer. The producer-to-receive time through feed-server (one more
/// hop) is reported beside it.
struct LatencyScenario {
    let rate: Int

    func run(_ run: BenchRun) throws -> [Figure] {
        run.log("latency at \(rate) msg/s")
        let paced = Self.paced(run, rate: rate)

        let rawFolder = try run.scratch("latency-raw")
        let endpoint = try FreePort.loopbackEndpoint()
        let rawSubscriber = try ChildProcess(
            "latency-sub", run.benchTool, ["latency-sub", "-e", endpoint], folder: rawFolder)
        try rawSubscriber.waitForStderrLine(containing: "ready", timeout: 60)
        let publisher = try ChildProcess(
            "pub", run.baseline("pubsub_pub"), ["-e", endpoint, "-s", "1"] + paced, folder: rawFolder)
        try publisher.waitForSuccess()
        try rawSubscriber.waitForSuccess()
        let raw = try rawSubscriber.jsonResult().object("publish_to_receive")

        let result = try Self.throughFeedServer(run, rate: rate, folder: try run.scratch("latency-feed"))
        let ours = try result.object("publish_to_receive")
        let endToEnd = try result.object("event_to_receive")

        let at = rate >= 1000 ? "\(rate / 1000)k" : String(rate)
        var figures: [Figure] = []
        for (label, field) in [("p50", "p50_us"), ("p99", "p99_us"), ("p99.9", "p999_us")] {
            figures.append(
                Figure(
                    name: "latency publish → receive at \(at) msg/s, \(label)", unit: .microseconds, better: .lower,
                    ours: try ours.number(field), baselineName: "raw PUB/SUB", baseline: try raw.number(field),
                    target: .ratio(1.2), note: "\(Int(try ours.number("n"))) samples"))
        }
        figures.append(
            Figure(
                name: "latency producer → feed-server → receive at \(at) msg/s, p99", unit: .microseconds, better: .lower,
                ours: try endToEnd.number("p99_us"), baselineName: "raw publish → receive", baseline: try raw.number("p99_us"),
                note: "one hop more than the raw pair; no target"))
        return figures
    }

    /// The paced C sender's options: `rate` messages a second for 10 s (2 s in a quick run).
    private static func paced(_ run: BenchRun, rate: Int) -> [String] {
        ["-d", String(run.size(10, quick: 2)), "-R", String(rate)]
    }

    /// A paced C producer → a fresh feed-server (recording on) → `feed-bench latency-sub`, with
    /// CURVE on every hop when `curve` is given; the subscriber's JSON result.
    static func throughFeedServer(_ run: BenchRun, rate: Int, folder: URL, curve: BenchCurveKeys? = nil) throws -> JSONObject {
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder,
            curve: curve)
        let subscriber = try ChildProcess(
            "latency-sub", run.benchTool, ["latency-sub", "-e", server.publish, "--wait-live"] + (curve?.clientArguments ?? []),
            folder: folder)
        try subscriber.waitForStderrLine(containing: "ready", timeout: 60)
        let producer = try ChildProcess(
            "producer", run.baseline("feed_push"), ["-e", server.ingest] + paced(run, rate: rate) + (curve?.baselineArguments ?? []),
            folder: folder)
        try producer.waitForSuccess()
        try subscriber.waitForSuccess()
        try server.child.terminate()
        return try subscriber.jsonResult()
    }
}
