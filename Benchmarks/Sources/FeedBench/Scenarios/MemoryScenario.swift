import ChildProcesses
import Foundation

/// Resident memory over a long run at full rate with one subscriber that never reads: feed-server
/// fed by a C producer at full speed against the raw C publisher sending as fast as it can, each
/// with one stalled and one live subscriber. RSS is sampled every second.
///
/// The bound the server is held to follows from its configuration (see `bound`): what libzmq
/// queues per subscriber and for ingest, what the recorder may hold, and the process itself.
struct MemoryScenario {
    /// feed-server's fixed bound in bytes with default settings: two subscriber queues at
    /// SNDHWM 100,000 and the ingest queue at 100,000 messages (about 200 bytes each in libzmq,
    /// frames and pipe entries), the recorder backlog limit (1,000,000 messages of ~80 bytes in
    /// blocks), and 64 MiB for the process itself (code, SQLite page cache, stacks).
    static let bound = 3 * 100_000 * 200 + 1_000_000 * 80 + 64 * 1_048_576

    func run(_ run: BenchRun) throws -> [Figure] {
        let seconds = run.size(60, quick: 5)
        run.log("memory: \(seconds) s at full rate, one subscriber stalled (feed-server)")
        let folder = try run.scratch("memory-feed")
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder)
        let stalled = try ChildProcess(
            "stalled", run.baseline("pubsub_sub"), ["-e", server.publish, "-S", String(seconds + 60)], folder: folder)
        let live = try ChildProcess("live", run.baseline("pubsub_sub"), ["-e", server.publish, "-w"], folder: folder)
        try live.waitForStderrLine(containing: "ready", timeout: 60)
        // Both subscriptions have reached the server: the stalled one is really subscribed.
        try server.waitForCounter(run, "subscriptions", atLeast: 2, folder: folder)
        let producer = try ChildProcess(
            "producer", run.baseline("feed_push"), ["-e", server.ingest, "-d", String(seconds)], folder: folder)
        let ours = try Self.sample(server.child, while: producer)
        try producer.waitForSuccess()
        try live.waitForSuccess()
        try server.child.terminate()
        stalled.signal(SIGKILL)
        let liveResult = try live.jsonResult()

        run.log("memory: \(seconds) s at full rate, one subscriber stalled (raw publisher)")
        let rawFolder = try run.scratch("memory-raw")
        let endpoint = try FreePort.loopbackEndpoint()
        let publisher = try ChildProcess(
            "pub", run.baseline("pubsub_pub"), ["-e", endpoint, "-s", "2", "-d", String(seconds)], folder: rawFolder)
        let rawStalled = try ChildProcess(
            "stalled", run.baseline("pubsub_sub"), ["-e", endpoint, "-S", String(seconds + 60)], folder: rawFolder)
        let rawLive = try ChildProcess("live", run.baseline("pubsub_sub"), ["-e", endpoint], folder: rawFolder)
        let raw = try Self.sample(publisher, while: publisher)
        try publisher.waitForSuccess()
        try rawLive.waitForSuccess()
        rawStalled.signal(SIGKILL)

        let received = Int(try liveResult.number("received"))
        return [
            Figure(
                name: "feed-server peak RSS, \(seconds) s at full rate, one subscriber stalled", unit: .bytes, better: .lower,
                ours: Double(ours.peak), baselineName: "raw C publisher", baseline: Double(raw.peak),
                target: .value(Double(Self.bound)),
                note: String(
                    format: "RSS after %d s %.0f MiB, at the end %.0f MiB; live subscriber got %d messages; recording on",
                    ours.early.seconds, Double(ours.early.bytes) / 1_048_576, Double(ours.last) / 1_048_576, received)),
        ]
    }

    /// Samples `process`'s resident memory every second until `driver` exits.
    static func sample(_ process: ChildProcess, while driver: ChildProcess) throws -> (
        peak: Int, last: Int, early: (seconds: Int, bytes: Int)
    ) {
        var peak = 0
        var last = 0
        var early = (seconds: 0, bytes: 0)
        var elapsed = 0
        while driver.isRunning {
            Thread.sleep(forTimeInterval: 1)
            elapsed += 1
            guard let memory = process.memory else { break }
            peak = max(peak, memory.peak)
            last = memory.resident
            if elapsed == 10 || early.seconds == 0 { early = (elapsed, memory.resident) }
        }
        guard peak > 0 else { throw BenchFailure("\(process.label): no memory sample taken") }
        return (peak, last, early)
    }
}
