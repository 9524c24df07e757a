import ChildProcesses
import Foundation

/// Recording while retention deletes, beside recording without retention, in the same run:
/// `feed-bench record` writes the same messages twice, the second time with `--retain-size`
/// at a quarter of what it writes, so for three quarters of the run every transaction is
/// followed by the deletion of the oldest segment (as the server's recorder does between
/// batches). Reported: the median rate with retention against the median without over
/// `--repeats` alternated runs (target ≥ 0.9x), and
/// the file's size at the end against the size without retention.
///
/// Checked: messages kept + messages expired = messages written, and retention deleted some.
struct RetentionScenario {
    func run(_ run: BenchRun) throws -> [Figure] {
        let messages = run.size(4_000_000, quick: 600_000)
        let folder = try run.scratch("retention")
        func record(_ name: String, _ extra: [String]) throws -> JSONObject {
            run.log("retention: feed-bench record, \(messages) messages \(extra.joined(separator: " "))")
            let writer = try ChildProcess(
                name, run.benchTool,
                ["record", "-f", folder.appendingPathComponent("\(name).sqlite").path, "-n", String(messages)] + extra,
                folder: folder)
            try writer.waitForSuccess(timeout: 900)
            return try writer.jsonResult()
        }
        // Alternated `repeats` times, the median of each side reported: the machine is shared.
        var withoutRates: [Double] = []
        var withRates: [Double] = []
        var without = try record("without", [])
        let fullBytes = try without.number("file_bytes")
        let limit = Int64(fullBytes / 4)
        var with = try record("with", ["--retain-size", String(limit)])
        for attempt in 1...max(1, run.repeats) {
            if attempt > 1 {
                without = try record("without", [])
                with = try record("with", ["--retain-size", String(limit)])
            }
            withoutRates.append(try without.number("rate"))
            withRates.append(try with.number("rate"))
            let kept = Int(try with.number("count"))
            let expired = Int(try with.number("expired"))
            guard expired > 0, kept + expired == messages else {
                throw BenchFailure("record --retain-size \(limit): kept \(kept) + expired \(expired) of \(messages) messages")
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let kept = Int(try with.number("count"))
        let expired = Int(try with.number("expired"))
        return [
            Figure(
                name: "recording with retention deleting (feed-bench record --retain-size)", unit: .messagesPerSecond,
                better: .higher, ours: median(withRates), baselineName: "the same without retention",
                baseline: median(withoutRates), target: .ratio(0.9),
                note: "\(messages) messages, \(expired) expired in transactions of one segment, \(kept) kept (checked); "
                    + "median of \(withRates.count) alternated runs each; the last run spent "
                    + String(format: "%.2f of %.2f s", try with.number("expire_seconds"), try with.number("seconds"))
                    + " deleting"),
            Figure(
                name: "history file size with --retain-size \(limit / 1_048_576) MiB", unit: .bytes, better: .lower,
                ours: try with.number("file_bytes"), baselineName: "the same without retention", baseline: fullBytes,
                note: "free pages of deleted segments reused: the file stays near the limit"),
        ]
    }
}
