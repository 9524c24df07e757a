import ChildProcesses
import Foundation

/// A late joiner catching up: feed-server's generator runs at `rate` until `backlog` messages are
/// recorded; then `feed-client subscribe --replay-from start --format csv` replays them and
/// merges into the live stream while the generator keeps running. Measured: the time until the
/// client reports "now live", and its replay rate against raw SQLite in C reading the same rows.
/// Checked: no gap reported, and every topic's sequence in the output runs 1, 2, 3... without a
/// hole or a repeat across the switch from history to live.
struct LateJoinerScenario {
    func run(_ run: BenchRun) throws -> [Figure] {
        let backlog = run.size(1_000_000, quick: 100_000)
        let rate = run.size(200_000, quick: 50_000)
        let folder = try run.scratch("late-joiner")
        let database = folder.appendingPathComponent("feed.sqlite")
        run.log("late joiner: building a backlog of \(backlog) messages at \(rate) msg/s")
        let server = try FeedServerProcess(
            run, label: "feed-server", database: database, folder: folder, arguments: ["--demo", String(rate)])
        try server.waitForCounter(run, "recorded", atLeast: backlog, folder: folder)

        run.log("late joiner: --replay-from start while the feed keeps running")
        let started = ContinuousClock.now
        let client = try ChildProcess(
            "late-joiner", run.feedClient,
            ["subscribe", "--from", server.publish, "--replay", server.replay, "--replay-from", "start", "--format", "csv"],
            folder: folder)
        let liveLine = try client.waitForStderrLine(containing: "now live", timeout: 600)
        let catchUp = (ContinuousClock.now - started).seconds
        guard let replayed = liveLine.split(separator: " ").compactMap({ Int($0) }).first else {
            throw BenchFailure("late joiner: cannot read the replayed count from '\(liveLine)'")
        }
        // Merged with the live feed: watch it for a while, then stop the client and the server.
        Thread.sleep(forTimeInterval: 2)
        client.signal(SIGINT)
        _ = try client.waitForExit(timeout: 120)
        try server.child.terminate()
        let gaps = client.stderr.split(separator: "\n").filter { $0.contains("gap:") }
        guard gaps.isEmpty else { throw BenchFailure("late joiner reported gaps:\n\(gaps.joined(separator: "\n"))") }
        let delivered = try Self.checkTopicSequences(csv: client.stdout)

        let reader = try ChildProcess(
            "history_read", run.baseline("history_read"), [database.path, "", "0", String(Int64.max)], folder: folder)
        try reader.waitForSuccess()
        let raw = try reader.jsonResult().number("rate")
        return [
            Figure(
                name: "late joiner: replay a \(backlog / 1000)k backlog and merge into live, feed at \(rate / 1000)k msg/s",
                unit: .seconds, better: .lower, ours: catchUp,
                note: "\(replayed) replayed, \(delivered) delivered in all, no gap, every topic's sequence contiguous (checked)"),
            Figure(
                name: "late joiner replay rate, history to CSV on stdout", unit: .messagesPerSecond, better: .higher,
                ours: Double(replayed) / catchUp, baselineName: "raw SQLite C, same rows", baseline: raw,
                note: "includes connecting, the live buffer and formatting every message as CSV"),
        ]
    }

    /// Checks that every topic's `topic_seq` in the CSV output goes up by exactly one from line
    /// to line; returns the number of messages.
    static func checkTopicSequences(csv: String) throws -> Int {
        var lines = csv.split(separator: "\n")
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false),
            let topicColumn = header.firstIndex(of: "topic"), let sequenceColumn = header.firstIndex(of: "topic_seq")
        else { throw BenchFailure("late joiner: no CSV header in its output") }
        lines.removeFirst()
        // The client was interrupted: its last line may be cut short.
        if csv.last != "\n", !lines.isEmpty { lines.removeLast() }
        var last: [Substring: UInt64] = [:]
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count, let sequence = UInt64(fields[sequenceColumn]) else {
                throw BenchFailure("late joiner: malformed CSV line: \(line)")
            }
            let topic = fields[topicColumn]
            if let previous = last[topic], sequence != previous + 1 {
                throw BenchFailure("late joiner: \(topic) went from topic_seq \(previous) to \(sequence)")
            }
            last[topic] = sequence
        }
        return lines.count
    }
}
