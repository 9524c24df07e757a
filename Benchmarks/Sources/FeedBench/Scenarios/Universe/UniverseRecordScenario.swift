import ChildProcesses
import Foundation

/// Recording into the history across symbol universes: `feed-bench record --topics N` appends
/// the benchmark messages through `HistoryStore` (the recorder's blocks, segment index and topic
/// dictionary), beside `sqlite_insert -t N` writing messages of the same topics a row each with
/// a (topic, seq) index, in the same run. Reported for each N: the rate, and the CPU time per
/// message (getrusage of the writing process, user + system, over its write loop), each also as
/// a ratio to the smallest universe's figure.
///
/// Checked: every message is stored (`count` after writing; `sqlite_insert` likewise).
struct UniverseRecordScenario {
    let histories: UniverseHistories

    func run(_ run: BenchRun) throws -> [Figure] {
        let rows = run.size(1_000_000, quick: 100_000)
        var figures: [Figure] = []
        var reference: (topics: Int, rate: Double, cpu: Double)?
        for topics in run.topicCounts {
            let history = try histories.history(topics: topics, run)
            let rate = try history.record.number("rate")
            let cpu = try history.record.number("cpu_seconds") * 1e9 / Double(history.messages)

            run.log("symbol universe: sqlite_insert, \(rows) rows over \(topics) topics")
            let rowsFolder = try run.scratch("universe-rows")
            let naive = try ChildProcess(
                "sqlite_insert-\(topics)", run.baseline("sqlite_insert"),
                ["-f", rowsFolder.appendingPathComponent("rows.sqlite").path, "-n", String(rows), "-t", String(topics)],
                folder: rowsFolder)
            try naive.waitForSuccess(timeout: 600)
            let naiveResult = try naive.jsonResult()
            let naiveStored = Int(try naiveResult.number("count"))
            guard naiveStored == rows else { throw BenchFailure("sqlite_insert -t \(topics): stored \(naiveStored) of \(rows) rows") }

            let base = reference ?? (topics, rate, cpu)
            reference = base
            let label = BenchmarkMessages.universeLabel(topics)
            // "; 1.05x the 100 topics' figure", nothing for the smallest universe itself.
            func versus(_ value: Double, _ baseValue: Double) -> String {
                topics == base.topics
                    ? "" : "; " + String(format: "%.2fx", value / baseValue) + " the \(BenchmarkMessages.universeLabel(base.topics))' figure"
            }
            figures.append(
                Figure(
                    name: "recording into HistoryStore, \(label) (feed-bench record)", unit: .messagesPerSecond, better: .higher,
                    ours: rate, baselineName: "a row per message, C", baseline: try naiveResult.number("rate"),
                    target: .value(topics >= 1_000_000 ? 500_000 : 1_000_000),
                    note: "\(history.messages) messages, all stored (checked)\(versus(rate, base.rate)); "
                        + String(format: "%.2f M msg/s per CPU second of the writer; ", 1e3 / cpu)
                        + "baseline \(rows) rows of the same topics, (topic, seq) index"))
            // The issue holds CPU per message to the small universe's up to 10,000 topics.
            let cpuBound = topics != base.topics && topics <= 10_000 ? 1.25 * base.cpu : nil
            figures.append(
                Figure(
                    name: "recording CPU time per message, \(label) (user + sys of the writer)", unit: .nanoseconds,
                    better: .lower, ours: cpu, baselineName: "a row per message, C",
                    baseline: try naiveResult.number("cpu_seconds") * 1e9 / Double(rows), target: cpuBound.map { .value($0) },
                    note: "getrusage over the write loop\(versus(cpu, base.cpu))"
                        + (cpuBound == nil ? "" : " (target: ≤ 1.25x that)")))
        }
        return figures
    }
}
