import ChildProcesses
import Foundation

/// TCP fan-out throughput to N subscribers: raw libzmq PUB/SUB in C against feed-server with
/// recording on, each subscriber the same C program (`pubsub_sub`) counting two-frame messages.
///
/// feed-server is measured fed two ways: by its own generator (`--demo` at an unreachable rate,
/// so it publishes as fast as it can, as the raw publisher does), and by a C producer pushing
/// into its ingest (one more process and one more hop than the raw pair has). Every side runs
/// `repeats` times, interleaved, and reports the median of its per-subscriber mean rate.
struct FanOutScenario {
    let subscribers: Int

    func run(_ run: BenchRun) throws -> [Figure] {
        var raw: [Double] = []
        var rawCPU: [Double] = []
        var generated: [Double] = []
        var generatorCPU: [Double] = []
        var ingested: [Double] = []
        var rawLoss = 0.0
        var ingestLoss = 0.0
        for attempt in 1...run.repeats {
            run.log("fan-out to \(subscribers): run \(attempt) of \(run.repeats)")
            let rawRun = try rawRate(run)
            raw.append(rawRun.rate)
            rawCPU.append(rawRun.nanosecondsPerMessage)
            rawLoss = max(rawLoss, rawRun.lossShare)
            let generatorRun = try generatorRate(run)
            generated.append(generatorRun.rate)
            generatorCPU.append(generatorRun.nanosecondsPerMessage)
            let ingestRun = try ingestRate(run)
            ingested.append(ingestRun.rate)
            ingestLoss = max(ingestLoss, ingestRun.lossShare)
        }
        let who = subscribers == 1 ? "1 subscriber" : "\(subscribers) subscribers"
        let baselineName = "raw PUB/SUB in C"
        let dropNote = String(format: "raw subscribers lost up to %.0f%% at SNDHWM (PUB semantics); ", rawLoss * 100)
        return [
            Figure(
                name: "TCP fan-out to \(who), feed-server's own generator, recording on", unit: .messagesPerSecond,
                better: .higher, ours: generated.median, baselineName: baselineName, baseline: raw.median,
                target: .ratio(0.9), note: dropNote + "median of \(run.repeats)"),
            Figure(
                name: "TCP fan-out to \(who), fed by a C producer through ingest, recording on", unit: .messagesPerSecond,
                better: .higher, ours: ingested.median, baselineName: baselineName, baseline: raw.median,
                note: String(format: "history complete (checked); subscribers lost up to %.1f%% at SNDHWM; ", ingestLoss * 100)
                    + "the producer process and the ingest hop share the 2 cores"),
            Figure(
                name: "publisher CPU time per message, \(who): feed-server (generator, recording on) vs raw publisher",
                unit: .nanoseconds, better: .lower, ours: generatorCPU.median, baselineName: "raw PUB in C",
                baseline: rawCPU.median,
                note: "all threads of the publishing process (user + system) over messages published; does not depend on the machine's load"),
        ]
    }

    private var count: Int { 2_000_000 }

    private func rawRate(_ run: BenchRun) throws -> (rate: Double, lossShare: Double, nanosecondsPerMessage: Double) {
        let folder = try run.scratch("fanout-raw")
        let endpoint = try FreePort.loopbackEndpoint()
        let sent = run.size(count, quick: count / 10)
        let publisher = try ChildProcess(
            "pub", run.baseline("pubsub_pub"), ["-e", endpoint, "-s", String(subscribers), "-n", String(sent)], folder: folder)
        let counting = try CountingSubscribers(run, count: subscribers, endpoint: endpoint, folder: folder, handshake: false)
        try publisher.waitForSuccess()
        let result = try counting.meanRate()
        return (result.rate, result.lossShare, publisher.lastCPUSeconds * 1e9 / Double(sent))
    }

    /// feed-server's generator runs from start-up at an unreachable rate; subscribers join it,
    /// measure for a few seconds, and end one second after the server stopped. The server's CPU
    /// time over the window is divided by what it published in the window.
    private func generatorRate(_ run: BenchRun) throws -> (rate: Double, nanosecondsPerMessage: Double) {
        let folder = try run.scratch("fanout-generator")
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder,
            arguments: ["--demo", "100000000"])
        let counting = try CountingSubscribers(
            run, count: subscribers, endpoint: server.publish, folder: folder, handshake: true, idleMilliseconds: 1000)
        let published = try server.status(run, folder: folder).number("published")
        let cpu = server.child.cpuSeconds ?? 0
        Thread.sleep(forTimeInterval: run.size(3.0, quick: 1.0))  // The measurement window.
        let cpuUsed = (server.child.cpuSeconds ?? 0) - cpu
        let publishedInWindow = try server.status(run, folder: folder).number("published") - published
        try server.child.terminate()
        let summary = try server.summary()
        guard summary.recorded == summary.published else {
            throw BenchFailure("feed-server published \(summary.published) but recorded \(summary.recorded)")
        }
        return (try counting.meanRate().rate, cpuUsed * 1e9 / max(1, publishedInWindow))
    }

    /// A C producer pushes `count` messages into feed-server's ingest as fast as it takes them
    /// (it waits at the ingest's HWM); the history must hold every one.
    private func ingestRate(_ run: BenchRun) throws -> (rate: Double, lossShare: Double) {
        let result = try IngestRun(subscribers: subscribers, messages: run.size(count, quick: count / 10))
            .run(run, folder: try run.scratch("fanout-ingest"))
        return (result.rate, result.lossShare)
    }
}
