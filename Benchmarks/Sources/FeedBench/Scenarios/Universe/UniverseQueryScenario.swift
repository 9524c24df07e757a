import ChildProcesses
import Foundation

/// History queries whose cost should follow what they return, not the number of topics: on each
/// universe's history (``UniverseHistories``: 10,000,000 messages), `feed-client history --db`
/// beside the raw C reader `history_read` answering the same query on the same file, both timed
/// from process start to exit (median of `repeats`):
///
/// - every message: the empty prefix, and a list of prefixes covering every topic (held to 0.8x
///   the empty prefix's rate);
/// - `--limit 10`, for one topic and for a venue (held to 50 ms);
/// - one topic's messages (about 1,000 at 10,000 topics; held to 50 ms);
/// - 1% and 10% of the history's time span: the time should scale with the range;
/// - start-up: a prefix that matches no topic (opening the file and looking in the dictionary),
///   with `feed-client --help` beside it for the process alone.
///
/// Checked: every query's count (or line count) against what the universe holds.
struct UniverseQueryScenario {
    let histories: UniverseHistories

    /// One query asked of both readers.
    private struct Query {
        var name: String
        /// `feed-client history` arguments, without `--db`.
        var ours: [String]
        /// `history_read` arguments after the file: prefixes (','-separated), since, until, [limit].
        var raw: [String]
        var expected: Int
        /// Printed as CSV lines instead of counted.
        var printed = false
    }

    func run(_ run: BenchRun) throws -> [Figure] {
        var figures: [Figure] = []
        for topics in run.topicCounts {
            let history = try histories.history(topics: topics, run)
            figures += try queries(history, run)
        }
        return figures
    }

    private func queries(_ history: UniverseHistories.History, _ run: BenchRun) throws -> [Figure] {
        let folder = try run.scratch("universe-query")
        let label = BenchmarkMessages.universeLabel(history.topics)
        let messages = history.messages
        let everything = ["0", String(Int64.max)]
        let (singleIndex, single) = BenchmarkMessages.singleTopic(of: history.topics, messages: messages)
        let singleCount = BenchmarkMessages.count(ofTopic: singleIndex, topics: history.topics, messages: messages)
        let list = try prefixList(history, run, folder: folder)
        // Short commands are run more often: their wall time is mostly the machine's noise.
        let shortRepeats = run.size(max(5, run.repeats), quick: 1)

        func measure(_ query: Query, short: Bool = true) throws -> (ours: TimedCommand.Timing, raw: TimedCommand.Timing, rawResult: JSONObject) {
            run.log("symbol universe: \(label): \(query.name)")
            let repeats = short ? shortRepeats : run.repeats
            let format = query.printed ? ["--format", "csv"] : ["--count-only"]
            let ours = try TimedCommand("feed-client", run.feedClient, ["history"] + query.ours + ["--db", history.file.path] + format)
                .measure(repeats: repeats, folder: folder) { child in
                    if query.printed {
                        let lines = child.stdout.split(separator: "\n").count - 1
                        guard lines == query.expected else {
                            throw BenchFailure("\(child.label) \(query.name): \(lines) messages, expected \(query.expected)")
                        }
                    } else {
                        try TimedCommand.expectCount(query.expected)(child)
                    }
                }
            var rawResult: JSONObject?
            let raw = try TimedCommand("history_read", run.baseline("history_read"), [history.file.path] + query.raw)
                .measure(repeats: repeats, folder: folder) { child in
                    let result = try child.jsonResult()
                    let matched = Int(try result.number("matched"))
                    guard matched == query.expected else {
                        throw BenchFailure("history_read \(query.name): \(matched) messages, expected \(query.expected)")
                    }
                    rawResult = result
                }
            return (ours, raw, rawResult!)
        }

        let startup = try TimedCommand.feedClientStartup(run, folder: folder)
        let nothing = try measure(Query(name: "a prefix no topic has", ours: ["ZZZZ."], raw: ["ZZZZ."] + everything, expected: 0))
        let all = try measure(Query(name: "the empty prefix", ours: [""], raw: [""] + everything, expected: messages), short: false)
        let covering = try measure(
            Query(name: "prefixes covering every topic", ours: list.ours, raw: [list.raw] + everything, expected: messages), short: false)
        let limitOne = try measure(
            Query(
                name: "--limit 10, one topic", ours: [single, "--limit", "10"], raw: [single] + everything + ["10"],
                expected: min(10, singleCount), printed: true))
        let limitVenue = try measure(
            Query(
                name: "--limit 10, a venue", ours: ["NASDAQ.", "--limit", "10"], raw: ["NASDAQ."] + everything + ["10"], expected: 10,
                printed: true))
        let one = try measure(Query(name: "one topic", ours: [single], raw: [single] + everything, expected: singleCount))
        let ranges = try [100, 10].map { divisor in
            let first = messages / 2
            let since = String(BenchmarkMessages.time(of: first))
            let until = String(BenchmarkMessages.time(of: first + messages / divisor))
            return try measure(
                Query(
                    name: "1/\(divisor) of the time span", ours: ["", "--since", since, "--until", until], raw: ["", since, until],
                    expected: messages / divisor))
        }

        let cReader = "raw SQLite C"
        func note(_ timing: TimedCommand.Timing) -> String { TimedCommand.startupNote(timing, startup: startup) }
        func rate(_ timing: TimedCommand.Timing) -> Double { Double(messages) / timing.wall }
        func cpu(_ timing: TimedCommand.Timing) -> String { String(format: "CPU %.2f s", timing.cpu) }
        func blocks(_ result: JSONObject) -> Int { Int((try? result.number("blocks")) ?? -1) }
        func milliseconds(
            _ what: String, _ measured: (ours: TimedCommand.Timing, raw: TimedCommand.Timing, rawResult: JSONObject), target: Double?,
            _ detail: String
        ) -> Figure {
            Figure(
                name: "history from the file, \(label): \(what)", unit: .milliseconds, better: .lower, ours: measured.ours.wall * 1000,
                baselineName: cReader, baseline: measured.raw.wall * 1000, target: target.map { .value($0) },
                note: detail + "; " + note(measured.ours))
        }
        // CPU beyond opening the file (a prefix no topic has): 10x for ten times the range.
        let scaling = (ranges[1].ours.cpu - nothing.ours.cpu) / max(1e-6, ranges[0].ours.cpu - nothing.ours.cpu)
        return [
            milliseconds("start-up, a prefix no topic has", nothing, target: nil, "0 messages (checked)"),
            Figure(
                name: "history from the file, \(label): every message, empty prefix", unit: .messagesPerSecond, better: .higher,
                ours: rate(all.ours), baselineName: cReader, baseline: rate(all.raw),
                note: "\(messages) messages counted (checked); \(cpu(all.ours)); median of \(run.repeats)"),
            Figure(
                name: "history from the file, \(label): every message, \(list.name)", unit: .messagesPerSecond, better: .higher,
                ours: rate(covering.ours), baselineName: "ours, empty prefix", baseline: rate(all.ours), target: .ratio(0.8),
                note: "\(messages) messages counted (checked); \(cpu(covering.ours)), "
                    + String(format: "%.2fx the empty prefix's rate per CPU second; ", all.ours.cpu / covering.ours.cpu) + list.note
                    + String(format: "; raw SQLite C %.2f M msg/s", rate(covering.raw) / 1e6) + " (\(way(covering.rawResult)))"),
            milliseconds("--limit 10, one topic (\(single))", limitOne, target: 50, "\(min(10, singleCount)) lines printed (checked)"),
            milliseconds("--limit 10, a venue (NASDAQ.)", limitVenue, target: 50, "10 lines printed (checked)"),
            // The bound is for a topic of about 1,000 messages (10,000 topics).
            milliseconds(
                "one topic's messages (\(single))", one, target: singleCount <= 1000 ? 50 : nil,
                "\(singleCount) messages counted (checked); C read \(blocks(one.rawResult)) blocks (\(way(one.rawResult)))"),
            milliseconds(
                "1% of the time span", ranges[0], target: nil,
                "\(messages / 100) messages counted (checked); C read \(blocks(ranges[0].rawResult)) blocks"),
            milliseconds(
                "10% of the time span", ranges[1], target: nil,
                "\(messages / 10) messages counted (checked); C read \(blocks(ranges[1].rawResult)) blocks; "
                    + String(format: "CPU beyond opening the file %.1fx the 1%% range's (10x: it reads only the range)", scaling)),
        ]
    }

    /// How the C reader chose its blocks ("scan" or "index").
    private func way(_ result: JSONObject) -> String { result.string("way") ?? "?" }

    /// Prefixes covering every topic: both venues, `NASDAQ.` and `NYSE.`, when this feed-client
    /// takes several prefixes; otherwise the one prefix `N` (which every topic starts with).
    private func prefixList(_ history: UniverseHistories.History, _ run: BenchRun, folder: URL) throws -> (
        name: String, ours: [String], raw: String, note: String
    ) {
        let probe = try ChildProcess(
            "feed-client-prefixes", run.feedClient, ["history", "NASDAQ.", "NYSE.", "--limit", "1", "--db", history.file.path],
            folder: folder)
        if try probe.waitForExit(timeout: 120) == 0 {
            return ("prefixes NASDAQ. NYSE.", ["NASDAQ.", "NYSE."], "NASDAQ.,NYSE.", "both venues as a prefix list")
        }
        return ("prefix N", ["N"], "N", "this feed-client takes one prefix, so N (every topic starts with it) stands for the list")
    }
}
