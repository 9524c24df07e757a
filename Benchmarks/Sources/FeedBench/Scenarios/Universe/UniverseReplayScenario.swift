import FeedClientKit
import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Histogram
import ZeroMQ

/// The replay service of a feed-server serving each universe's 10 M-message history file
/// (``UniverseHistories``), asked from this process through `FeedClientKit`'s ``ReplayClient``
/// (no process start in the figures): round trips of `status`, of a small query (one topic,
/// limit 10) and of one topic's snapshot, first against the idle service, then while
/// `feed-client history --server ... --count-only` exports the whole history through the same
/// service. p50 / p99 / max of each, the busy figures beside the idle ones of the same run.
///
/// Held to: `status` and the small query within 50 ms while the export runs (issue 9, target 6);
/// one topic's last value within 10 ms whatever the history's length (target 4), beside an idle
/// `status` round trip, which is what any request costs at least.
///
/// Checked: the query returns 10 messages (fewer when the topic has fewer), the snapshot one, the
/// export every message of the file.
struct UniverseReplayScenario {
    let histories: UniverseHistories

    /// The round trips of one kind of request, in nanoseconds.
    private struct RoundTrips {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

        mutating func time(_ body: () throws -> Void) rethrows {
            let start = ContinuousClock.now
            try body()
            let elapsed = (ContinuousClock.now - start).components
            histogram.record(UInt64(elapsed.seconds) * 1_000_000_000 + UInt64(elapsed.attoseconds / 1_000_000_000))
        }

        /// Milliseconds at `percentile` (0-100).
        func milliseconds(_ percentile: Double) -> Double {
            Double(percentile >= 100 ? histogram.max : histogram.valueAtPercentile(percentile)) / 1e6
        }
    }

    /// The three kinds of request, each against the idle and the busy service.
    private struct Samples {
        var status = RoundTrips()
        var query = RoundTrips()
        var snapshot = RoundTrips()
    }

    func run(_ run: BenchRun) throws -> [Figure] {
        var figures: [Figure] = []
        for topics in run.topicCounts {
            figures += try measure(try histories.history(topics: topics, run), run)
        }
        return figures
    }

    private func measure(_ history: UniverseHistories.History, _ run: BenchRun) throws -> [Figure] {
        let folder = try run.scratch("universe-replay")
        let label = BenchmarkMessages.universeLabel(history.topics)
        // The server records a session of its own into the file: nothing, without a feed.
        let server = try FeedServerProcess(run, label: "feed-server", database: history.file, folder: folder)
        defer { try? server.child.terminate() }
        let client = try ReplayClient(context: ZMQContext(), endpoint: server.replay, timeoutMilliseconds: 10_000)
        let (singleIndex, singleName) = BenchmarkMessages.singleTopic(of: history.topics, messages: history.messages)
        let single = try TopicPrefix(singleName)
        let small = HistoryQuery(prefixes: [single], limit: 10)
        // 10, unless the topic has fewer (a quick run's million topics).
        let smallCount = min(10, BenchmarkMessages.count(ofTopic: singleIndex, topics: history.topics, messages: history.messages))
        func round(_ samples: inout Samples) throws {
            try samples.status.time { _ = try client.status() }
            try samples.query.time {
                let page = try client.page(small, after: nil, maxMessages: 10)
                guard page.messages.count == smallCount else {
                    throw BenchFailure("\(single): \(page.messages.count) messages, expected \(smallCount)")
                }
            }
            try samples.snapshot.time {
                let page = try client.snapshot(prefixes: [single], at: nil, after: nil, maxMessages: 100)
                guard page.messages.count == 1 else { throw BenchFailure("snapshot \(single): \(page.messages.count) topics, expected 1") }
            }
        }

        run.log("symbol universe: \(label): replay round trips, idle service")
        var warmUp = Samples()
        for _ in 0..<run.size(20, quick: 2) { try round(&warmUp) }
        var idle = Samples()
        for _ in 0..<run.size(300, quick: 20) { try round(&idle) }

        run.log("symbol universe: \(label): replay round trips while exporting \(history.messages) messages")
        var busy = Samples()
        let exportStart = ContinuousClock.now
        let export = try ChildProcess(
            "export", run.feedClient, ["history", "--server", server.replay, "--count-only", "--timeout-ms", "60000"],
            folder: folder)
        while export.isRunning { try round(&busy) }
        let exportSeconds = (ContinuousClock.now - exportStart) / .seconds(1)
        try export.waitForSuccess(timeout: 300)
        let exported = Int(export.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        guard exported == history.messages else { throw BenchFailure("export: \(exported) messages, expected \(history.messages)") }

        let during = "while `feed-client history --count-only` exports all \(history.messages) messages through the service"
        let exportNote = String(format: "export took %.1f s (%.2f M msg/s)", exportSeconds, Double(exported) / exportSeconds / 1e6)
        let counts = "\(busy.status.histogram.totalCount) busy and \(idle.status.histogram.totalCount) idle round trips of each kind"
        var figures: [Figure] = []
        for (what, busySide, idleSide) in [
            ("status", busy.status, idle.status), ("one topic --limit 10 (\(single))", busy.query, idle.query),
        ] {
            for (percentile, name) in [(50.0, "p50"), (99.0, "p99"), (100.0, "max")] {
                figures.append(
                    Figure(
                        name: "replay service, \(label): \(what) \(name) \(during)", unit: .milliseconds, better: .lower,
                        ours: busySide.milliseconds(percentile), baselineName: "idle service",
                        baseline: idleSide.milliseconds(percentile), target: percentile > 50 ? .value(50) : nil,
                        note: "round trip from FeedClientKit's ReplayClient in the benchmark process; \(counts); \(exportNote)"))
            }
        }
        for (percentile, name) in [(50.0, "p50"), (99.0, "p99")] {
            figures.append(
                Figure(
                    name: "replay service, \(label): snapshot of one topic (\(single)) \(name), idle service", unit: .milliseconds,
                    better: .lower, ours: idle.snapshot.milliseconds(percentile), baselineName: "status round trip",
                    baseline: idle.status.milliseconds(percentile), target: .value(10),
                    note: String(
                        format: "its last value of %d messages, checked; FeedClientKit's ReplayClient, no process start; "
                            + "while the export runs: %.2f ms", history.messages, busy.snapshot.milliseconds(percentile))
                        + "; \(counts)"))
        }
        return figures
    }
}
