import ChildProcesses
import Foundation

/// One run of the C producer (`feed_push`) pushing `messages` into a fresh feed-server's ingest as
/// fast as the server takes them, with counting subscribers on its publish port and recording on.
///
/// Checked: the server published and recorded every message sent. Measured: the subscribers'
/// receive rate, the producer's send rate, and the server's CPU time (all threads, user + system)
/// and resident memory (VmRSS, VmHWM), both from /proc once everything was published and
/// recorded, before it stops.
struct IngestRun {
    /// What one run measured.
    struct Result {
        /// Mean receive rate of the subscribers (msg/s).
        var rate: Double
        /// The largest share of messages a subscriber missed (libzmq's SNDHWM).
        var lossShare: Double
        /// The fewest data messages a subscriber received.
        var fewestReceived: Int
        /// The producer's send rate (msg/s), which the ingest paces.
        var producerRate: Double
        /// feed-server's CPU seconds from its start until everything was recorded.
        var serverCPU: Double
        /// feed-server's resident memory after the run, and its peak, in bytes.
        var resident: Int
        var peak: Int
    }

    var subscribers: Int
    var messages: Int
    /// Distinct topics the producer goes round (feed_push -t).
    var topics: Int = 100
    /// More arguments for each subscriber (`pubsub_sub`), such as `-P FILE`.
    var subscriberArguments: [String] = []
    /// With CURVE: the keys of the server, the producer and the subscribers.
    var curve: BenchCurveKeys? = nil

    func run(_ run: BenchRun, folder: URL) throws -> Result {
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder,
            curve: curve)
        let counting = try CountingSubscribers(
            run, count: subscribers, endpoint: server.publish, folder: folder, handshake: true,
            arguments: subscriberArguments + (curve?.baselineArguments ?? []))
        // End markers for 2 s (feed_push's default is 200 ms): a subscriber far behind loses what
        // overflows its send queue at the server, and once it lost every marker it would wait
        // forever (heartbeats keep it from idling out). A full queue drains in under a second.
        let producer = try ChildProcess(
            "producer", run.baseline("feed_push"),
            ["-e", server.ingest, "-n", String(messages), "-t", String(topics), "-m", "200"] + (curve?.baselineArguments ?? []),
            folder: folder)
        try producer.waitForSuccess(timeout: 600)
        let received = try counting.meanRate()
        try server.waitForCounter(run, "recorded", atLeast: messages, folder: folder)
        guard let memory = server.child.memory, let cpu = server.child.cpuSeconds else {
            throw BenchFailure("feed-server: no reading in /proc")
        }
        try server.child.terminate()
        let summary = try server.summary()
        guard summary.recorded == summary.published, summary.published >= messages else {
            throw BenchFailure("feed-server took \(messages): published \(summary.published), recorded \(summary.recorded)")
        }
        return Result(
            rate: received.rate, lossShare: received.lossShare, fewestReceived: received.fewestReceived, producerRate: try producer.jsonResult().number("rate"),
            serverCPU: cpu, resident: memory.resident, peak: memory.peak)
    }
}
