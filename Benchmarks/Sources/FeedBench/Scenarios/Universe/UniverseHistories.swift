import ChildProcesses
import Foundation

/// The history files of the symbol-universe scenarios: one per topic count, each written once
/// per run by `feed-bench record --topics N` (the benchmark messages going round N topics) and
/// shared by the recording, query and snapshot scenarios, so a file is measured being written
/// and then read. Owned by the thread that runs the benchmarks; the files live in the run's
/// work folder.
final class UniverseHistories {
    /// One written history.
    struct History {
        let file: URL
        let topics: Int
        let messages: Int
        /// What `feed-bench record` printed: rate, cpu_seconds, count.
        let record: JSONObject
    }

    /// Messages in every file: 10,000,000 (about 1,000 a topic at 10,000 topics).
    let messages: Int
    private let folder: URL
    private var written: [Int: History] = [:]

    init(_ run: BenchRun) {
        messages = run.size(10_000_000, quick: 300_000)
        folder = run.folder.appendingPathComponent("universe-histories")
    }

    /// The history of `topics` topics, written now if this run has not written it yet; fails
    /// unless every message was stored.
    func history(topics: Int, _ run: BenchRun) throws -> History {
        if let history = written[topics] { return history }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("topics-\(topics).sqlite")
        run.log("symbol universe: writing \(messages) messages over \(topics) topics (feed-bench record)")
        let writer = try ChildProcess(
            "record-\(topics)", run.benchTool, ["record", "-f", file.path, "-n", String(messages), "--topics", String(topics)],
            folder: folder)
        try writer.waitForSuccess(timeout: 900)
        let result = try writer.jsonResult()
        let stored = Int(try result.number("count"))
        guard stored == messages else { throw BenchFailure("record --topics \(topics): stored \(stored) of \(messages) messages") }
        let history = History(file: file, topics: topics, messages: messages, record: result)
        written[topics] = history
        return history
    }
}

@available(*, unavailable)
extension UniverseHistories: Sendable {}
