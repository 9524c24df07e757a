import ChildProcesses
import Foundation

/// Issue 10, part 2: a healthy subscriber's rate and the server's memory while 1,000 subscribers
/// that never read come and go, against the same server and subscriber with none stalled.
///
/// A C producer pushes at full speed for the run's length into feed-server
/// (`--subscriber-memory 512MiB --max-connections 2000`, default `--slow-subscriber-ms 5000`:
/// beyond 512 MiB estimated in the stalled subscribers' queues the longest-stalled are dropped,
/// each queue holding at most `--send-hwm` messages); one C subscriber takes
/// everything and counts what it missed. The stalled ones are libzmq SUB sockets in one process
/// that stop reading once 1,000 messages wait for them: the server disconnects them (reading
/// nothing while the feed is behind, over the memory budget, or as slow). They do not come back: a libzmq SUB whose queue is full stops
/// reading its connection, so it never sees it closed. The same crowd then stands beside the
/// raw libzmq publisher in C (`pubsub_pub`, no slow-subscriber policy), for what libzmq alone does.
struct StalledSubscribersScenario {
    static let stalled = 1000
    static let limits = ["--subscriber-memory", "512MiB", "--max-connections", "2000"]
    /// What the server may hold with these limits: the subscriber memory budget, plus
    /// MemoryScenario's bound for the rest (ingest queue, recorder backlog, the process).
    static let bound = 512 * 1_048_576 + MemoryScenario.bound

    func run(_ run: BenchRun) throws -> [Figure] {
        let seconds = run.size(30, quick: 5)
        let alone = try measure(run, stalled: 0, seconds: seconds)
        let crowded = try measure(run, stalled: Self.stalled, seconds: seconds)
        let raw = try measureRaw(run, stalled: Self.stalled, seconds: seconds)
        return [
            Figure(
                name: "healthy subscriber's rate beside \(Self.stalled) stalled subscribers", unit: .messagesPerSecond,
                better: .higher, ours: crowded.rate, baselineName: "none stalled", baseline: alone.rate, target: .ratio(0.8),
                note: String(
                    format: "missed %.0f of %.0f (none stalled: %.0f of %.0f); stalled ones dropped: %.0f reading nothing while the feed was behind, %.0f over the memory budget, %.0f as slow",
                    crowded.missing, crowded.received + crowded.missing, alone.missing, alone.received + alone.missing,
                    crowded.droppedWhileBehind, crowded.droppedOverBudget, crowded.droppedSlow)),
            Figure(
                name: "feed-server peak RSS beside \(Self.stalled) stalled subscribers", unit: .bytes, better: .lower,
                ours: Double(crowded.peak), baselineName: "none stalled", baseline: Double(alone.peak),
                target: .value(Double(Self.bound)),
                note: "budget 512 MiB for the stalled subscribers' queues, each at most \(crowded.queueLimit) messages"),
            Figure(
                name: "healthy subscriber's rate beside \(Self.stalled) stalled subscribers, feed-server against raw libzmq",
                unit: .messagesPerSecond, better: .higher, ours: crowded.rate, baselineName: "raw C publisher, same crowd",
                baseline: raw.rate,
                note: String(
                    format: "the raw publisher sent %.0f msg/s beside them; its healthy subscriber missed %.0f of %.0f",
                    raw.sent, raw.missing, raw.received + raw.missing)),
        ]
    }

    /// The same crowd and healthy subscriber beside `pubsub_pub` at full speed: libzmq with no
    /// policy, where the stalled subscribers stay connected for the whole run.
    private func measureRaw(_ run: BenchRun, stalled: Int, seconds: Int) throws -> (rate: Double, received: Double, missing: Double, sent: Double) {
        run.log("stalled: \(seconds) s at full rate beside \(stalled) stalled subscribers (raw publisher)")
        let folder = try run.scratch("stalled-raw")
        let endpoint = try FreePort.loopbackEndpoint()
        let publisher = try ChildProcess(
            "pub", run.baseline("pubsub_pub"), ["-e", endpoint, "-s", String(stalled + 1), "-d", String(seconds)], folder: folder)
        let crowd = try ChildProcess(
            "stalled", run.baseline("pubsub_sub"),
            ["-e", endpoint, "-S", String(seconds + 60), "-n", String(stalled), "-H", "1000"], folder: folder)
        try crowd.waitForStderrLine(containing: "ready", timeout: 60)
        let live = try ChildProcess("live", run.baseline("pubsub_sub"), ["-e", endpoint], folder: folder)
        try publisher.waitForSuccess(timeout: Double(seconds + 120))
        try live.waitForSuccess()
        crowd.signal(SIGKILL)
        let result = try live.jsonResult()
        return (
            try result.number("rate"), try result.number("received"), try result.number("missing"),
            try publisher.jsonResult().number("rate")
        )
    }

    private struct Outcome {
        let rate: Double
        let received: Double
        let missing: Double
        let peak: Int
        let droppedSlow: Double
        let droppedWhileBehind: Double
        let droppedOverBudget: Double
        let queueLimit: Int
    }

    private func measure(_ run: BenchRun, stalled: Int, seconds: Int) throws -> Outcome {
        run.log("stalled: \(seconds) s at full rate beside \(stalled) stalled subscribers")
        let folder = try run.scratch("stalled-\(stalled)")
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder,
            arguments: Self.limits)
        let crowd = try stalled > 0
            ? ChildProcess(
                "stalled", run.baseline("pubsub_sub"),
                ["-e", server.publish, "-S", String(seconds + 60), "-n", String(stalled), "-H", "1000"], folder: folder)
            : nil
        try server.waitForCounter(run, "subscriptions", atLeast: stalled, folder: folder)
        let live = try ChildProcess("live", run.baseline("pubsub_sub"), ["-e", server.publish, "-w"], folder: folder)
        try live.waitForStderrLine(containing: "ready", timeout: 60)
        let producer = try ChildProcess(
            "producer", run.baseline("feed_push"), ["-e", server.ingest, "-d", String(seconds)], folder: folder)
        let memory = try MemoryScenario.sample(server.child, while: producer)
        try producer.waitForSuccess()
        try live.waitForSuccess()
        let status = try server.status(run, folder: folder)
        try server.child.terminate()
        crowd?.signal(SIGKILL)
        let result = try live.jsonResult()
        let dropped = try? status.object("dropped_subscribers")  // none dropped: no key
        return Outcome(
            rate: try result.number("rate"), received: try result.number("received"), missing: try result.number("missing"),
            peak: memory.peak, droppedSlow: (try? dropped?.number("slow")) ?? 0,
            droppedWhileBehind: (try? dropped?.number("stalled_while_behind")) ?? 0,
            droppedOverBudget: (try? dropped?.number("memory_budget")) ?? 0, queueLimit: Int(try status.number("subscriber_queue_limit")))
    }
}
