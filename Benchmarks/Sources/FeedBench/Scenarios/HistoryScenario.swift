import ChildProcesses
import Foundation

/// Recording and reading the SQLite history, each beside raw SQLite in C in the same run.
///
/// Writing: `feed-bench record` appends the benchmark messages through `HistoryStore` in the
/// recorder's blocks, `sqlite_insert` the same messages a row each with a (topic, seq) index
/// (the naive design); then feed-server records what its own generator publishes at full speed.
/// Reading: a prefix and time-range query (`NASDAQ.`, the middle 80% of the time span) decoded
/// by `feed-client history --count-only` from the file and through the replay service, against
/// `history_read` (raw C walking the same blocks) and `sqlite_read` (raw C on the row file).
/// Every reader must count the same messages.
struct HistoryScenario {
    func run(_ run: BenchRun) throws -> [Figure] {
        let folder = try run.scratch("history")
        let messages = run.size(5_000_000, quick: 200_000)
        let naiveRows = run.size(1_000_000, quick: 100_000)
        let oursFile = folder.appendingPathComponent("blocks.sqlite").path
        let naiveFile = folder.appendingPathComponent("rows.sqlite").path

        run.log("history: writing \(messages) messages in blocks, \(naiveRows) as rows")
        let writer = try ChildProcess("record", run.benchTool, ["record", "-f", oursFile, "-n", String(messages)], folder: folder)
        try writer.waitForSuccess(timeout: 600)
        let naiveWriter = try ChildProcess(
            "sqlite_insert", run.baseline("sqlite_insert"), ["-f", naiveFile, "-n", String(naiveRows)], folder: folder)
        try naiveWriter.waitForSuccess(timeout: 600)
        let naiveWriteRate = try naiveWriter.jsonResult().number("rate")
        let sustained = try serverRecordingRate(run)

        run.log("history: reading NASDAQ. over the middle 80% of the time span")
        let (since, until, expected) = Self.window(messages: messages)
        let range = [String(since), String(until)]
        let sameBlocks = try ChildProcess(
            "history_read", run.baseline("history_read"), [oursFile, "NASDAQ."] + range, folder: folder)
        try sameBlocks.waitForSuccess()
        let sameBlocksResult = try sameBlocks.jsonResult()
        try Self.expect(Int(try sameBlocksResult.number("matched")), expected, "history_read")

        let (naiveSince, naiveUntil, naiveExpected) = Self.window(messages: naiveRows)
        let naiveReader = try ChildProcess(
            "sqlite_read", run.baseline("sqlite_read"),
            ["-f", naiveFile, "-p", "NASDAQ.", "-s", String(naiveSince), "-u", String(naiveUntil)], folder: folder)
        try naiveReader.waitForSuccess()
        let naiveResult = try naiveReader.jsonResult()
        try Self.expect(Int(try naiveResult.number("rows")), naiveExpected, "sqlite_read")

        let query = ["history", "NASDAQ.", "--since", String(since), "--until", String(until), "--count-only"]
        let fromFile = try timedReads(run, query + ["--db", oursFile], expected: expected, folder: folder)
        let server = try FeedServerProcess(
            run, label: "feed-server", database: URL(fileURLWithPath: oursFile), folder: folder)
        let fromServer = try timedReads(run, query + ["--server", server.replay], expected: expected, folder: folder)
        try server.child.terminate()

        let rawSameBlocks = try sameBlocksResult.number("rate")
        let blockNote = "raw C walks the same blocks and reads only the header fields it filters on"
        return [
            Figure(
                name: "recording into SQLite, blocks of 4096 messages (HistoryStore)", unit: .messagesPerSecond,
                better: .higher, ours: try writer.jsonResult().number("rate"), baselineName: "a row per message, C",
                baseline: naiveWriteRate, target: .value(1_000_000),
                note: "\(messages) messages, all stored (checked); baseline: (topic, seq) index, 10,000 rows per transaction"),
            Figure(
                name: "recording inside feed-server, its generator at full speed, no subscriber", unit: .messagesPerSecond,
                better: .higher, ours: sustained, baselineName: "a row per message, C", baseline: naiveWriteRate,
                target: .value(1_000_000), note: "growth of the history over the window; every published message recorded (checked)"),
            Figure(
                name: "history read, prefix + time range, decoded by feed-client from the file", unit: .messagesPerSecond,
                better: .higher, ours: fromFile, baselineName: "raw SQLite C, same rows", baseline: rawSameBlocks,
                target: .value(3_000_000), note: "\(expected) messages, median of 3 runs; " + blockNote),
            Figure(
                name: "history read, prefix + time range, through the replay service", unit: .messagesPerSecond,
                better: .higher, ours: fromServer, baselineName: "raw SQLite C, same rows", baseline: rawSameBlocks,
                target: .value(3_000_000), note: "pages of 10,000 over tcp loopback, decoded by feed-client; median of 3"),
            Figure(
                name: "history read from the file, against the row-per-message design", unit: .messagesPerSecond,
                better: .higher, ours: fromFile, baselineName: "raw SQLite C, a row per message",
                baseline: try naiveResult.number("rate"), note: "the C reader decodes every row through the (topic, seq) index"),
        ]
    }

    /// Publish times `[since, until)` covering the middle 80% of `messages` benchmark messages,
    /// and how many `NASDAQ.` messages lie in it (topics 0-49 of every 100).
    static func window(messages: Int) -> (since: Int64, until: Int64, nasdaq: Int) {
        let first = messages / 10
        let end = messages - messages / 10
        let nasdaq = (first..<end).count(where: { ($0 - 1) % BenchmarkMessages.topicCount < 50 })
        return (BenchmarkMessages.time(of: first), BenchmarkMessages.time(of: end), nasdaq)
    }

    private static func expect(_ counted: Int, _ expected: Int, _ reader: String) throws {
        guard counted == expected else { throw BenchFailure("\(reader) counted \(counted) messages, expected \(expected)") }
    }

    /// Runs a `feed-client` query three times; the median rate, process start to exit.
    private func timedReads(_ run: BenchRun, _ arguments: [String], expected: Int, folder: URL) throws -> Double {
        let timing = try TimedCommand("feed-client", run.feedClient, arguments)
            .measure(repeats: 3, folder: folder, check: TimedCommand.expectCount(expected))
        return Double(expected) / timing.wall
    }

    /// feed-server's generator publishing as fast as it can with no subscriber: past its backlog
    /// limit the engine waits for the recorder, so the rate at which the history grows over a
    /// window is the daemon's sustained recording rate. At the end, everything published must be
    /// in the history.
    private func serverRecordingRate(_ run: BenchRun) throws -> Double {
        run.log("history: feed-server recording its generator's output")
        let folder = try run.scratch("history-server")
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder,
            arguments: ["--demo", "100000000"])
        // Past start-up: the recorder has written its first blocks.
        try server.waitForCounter(run, "recorded", atLeast: 100_000, folder: folder)
        let first = try server.status(run, folder: folder).number("recorded")
        let started = ContinuousClock.now
        Thread.sleep(forTimeInterval: run.size(5.0, quick: 1.0))  // The measurement window.
        let last = try server.status(run, folder: folder).number("recorded")
        let seconds = (ContinuousClock.now - started).seconds
        try server.child.terminate()
        let summary = try server.summary()
        guard summary.recorded == summary.published else {
            throw BenchFailure("feed-server published \(summary.published), recorded \(summary.recorded)")
        }
        return (last - first) / seconds
    }
}
