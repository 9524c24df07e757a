import ChildProcesses
import Foundation

/// Last-value snapshots from each universe's history file (``UniverseHistories``):
/// `feed-client snapshot --db F --format csv` of every topic and of one topic, now and `--at` the
/// middle of the history, beside the raw C reader `history_snapshot` (blocks read newest first
/// until every topic has its last message), both timed from process start to exit, median of
/// `repeats`. Held to 2 s for every topic and 10 ms for one, `--at` included.
///
/// Checked: one line per topic, each the topic's last message by then (its feed sequence within
/// the last N before that point, which with one line per topic means exactly the last); the C
/// reader finds as many topics.
struct UniverseSnapshotScenario {
    let histories: UniverseHistories

    func run(_ run: BenchRun) throws -> [Figure] {
        var figures: [Figure] = []
        for topics in run.topicCounts {
            figures += try snapshots(try histories.history(topics: topics, run), run)
        }
        return figures
    }

    private func snapshots(_ history: UniverseHistories.History, _ run: BenchRun) throws -> [Figure] {
        let folder = try run.scratch("universe-snapshot")
        let label = BenchmarkMessages.universeLabel(history.topics)
        let middle = history.messages / 2
        // Written by the middle too, so the same topic serves the `--at` rows.
        let (singleIndex, single) = BenchmarkMessages.singleTopic(of: history.topics, messages: middle)
        let startup = try TimedCommand.feedClientStartup(run, folder: folder)
        var figures: [Figure] = []
        for (prefix, at) in [("", nil), (single, nil), ("", middle), (single, middle)] as [(String, Int?)] {
            // What the snapshot must hold: the last message at or before message `last` of each topic.
            let last = at ?? history.messages
            let topicCount = prefix.isEmpty ? min(history.topics, last) : 1
            let singleLast = Self.lastIndex(of: singleIndex, history.topics, upTo: last)
            let expected = prefix.isEmpty ? max(1, last - history.topics + 1)...last : singleLast...singleLast
            let what = prefix.isEmpty ? "every topic" : "one topic (\(single))"
            let when = at.map { " --at the middle (message \($0))" } ?? ""
            run.log("symbol universe: \(label): snapshot of \(what)\(when)")
            // Short commands are run more often: their wall time is mostly the machine's noise.
            let repeats = prefix.isEmpty && history.topics > 100_000 ? run.repeats : run.size(max(5, run.repeats), quick: 1)
            let atArguments = at.map { ["--at", String(BenchmarkMessages.time(of: $0))] } ?? []
            let ours = try TimedCommand(
                "feed-client", run.feedClient, ["snapshot"] + (prefix.isEmpty ? [] : [prefix]) + atArguments
                    + ["--db", history.file.path, "--format", "csv"]
            ).measure(repeats: repeats, folder: folder) { child in
                let lines = try CSVOutput.forEachInteger(in: child.stdout, column: "seq") { sequence in
                    guard expected.contains(sequence) else {
                        throw BenchFailure("\(child.label) snapshot of \(what)\(when): seq \(sequence), expected in \(expected)")
                    }
                }
                guard lines == topicCount else {
                    throw BenchFailure("\(child.label) snapshot of \(what)\(when): \(lines) topics, expected \(topicCount)")
                }
            }
            var blocks = 0
            let raw = try TimedCommand(
                "history_snapshot", run.baseline("history_snapshot"),
                [history.file.path, prefix] + (at.map { [String(BenchmarkMessages.time(of: $0))] } ?? [])
            ).measure(repeats: repeats, folder: folder) { child in
                let result = try child.jsonResult()
                let found = Int(try result.number("topics"))
                guard found == topicCount else { throw BenchFailure("history_snapshot \(what)\(when): \(found) topics, expected \(topicCount)") }
                blocks = Int(try result.number("blocks"))
            }
            figures.append(
                Figure(
                    name: "snapshot from the file, \(label): \(what)\(when)", unit: .milliseconds, better: .lower,
                    ours: ours.wall * 1000, baselineName: "raw SQLite C", baseline: raw.wall * 1000,
                    target: .value(prefix.isEmpty ? 2000 : 10),
                    note: "\(topicCount == 1 ? "its last value" : "\(topicCount) last values") as CSV, checked; " + TimedCommand.startupNote(ours, startup: startup)
                        + "; C read the newest \(blocks) blocks"))
        }
        return figures
    }

    /// The number of the last message on topic `index` among the first `count` messages.
    private static func lastIndex(of index: Int, _ topics: Int, upTo count: Int) -> Int {
        index + 1 + (count - 1 - index) / topics * topics
    }
}
