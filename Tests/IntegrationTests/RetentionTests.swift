import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing

/// `--retain` and `--retain-size` (issue 10, part 5): the oldest history goes in small
/// transactions, the file stops growing, the index stays consistent, and whoever asks for what
/// went is told so: `history` on stderr, the subscriber in its gap lines, `status` in its range.
struct RetentionTests {
    /// Checks a history file as an outside reader would: SQLite's integrity check, segments that
    /// cover exactly the blocks before the tail, index rows only of segments, topic ids 1...n,
    /// and Python's reader (schemas/python/feed_history.py) reading every message. Prints the
    /// number of messages it read.
    static let consistency = """
        import sqlite3, subprocess, sys
        path, reader = sys.argv[1:3]
        c = sqlite3.connect(path)
        assert c.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
        segments = c.execute('SELECT segment_id, first_block_id, last_block_id, message_count FROM segments ORDER BY segment_id').fetchall()
        first_block = c.execute('SELECT min(block_id) FROM blocks').fetchone()[0]
        assert segments and segments[0][1] == first_block, (segments[:1], first_block)
        for (segment, first, last, count) in segments:
            held = c.execute('SELECT count(*), sum(message_count) FROM blocks WHERE block_id BETWEEN ? AND ?', (first, last)).fetchone()
            assert held == (last - first + 1, count), (segment, held)
        ids = set(s[0] for s in segments)
        assert all(row[0] in ids for row in c.execute('SELECT DISTINCT segment_id FROM segment_topics'))
        topics = [row[0] for row in c.execute('SELECT topic_id FROM topics ORDER BY topic_id')]
        assert topics == list(range(1, len(topics) + 1))
        lines = subprocess.run([sys.executable, reader, path], capture_output=True, check=True).stdout.count(b'\\n')
        print(lines)
        """

    /// The server's `status` as JSON.
    static func status(_ server: ServerFixture) throws -> [String: Any] {
        let status = try server.client(["status", "--server", server.replay])
        return try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stderr)")
    }

    @Test func retainSizeStopsTheFileGrowingAndKeepsTheIndexConsistent() throws {
        let limit = 3_000_000
        let server = try ServerFixture(extraArguments: [
            "--demo", "40000", "--block-messages", "256", "--retain-size", "3MB",
        ])
        // Wait until retention deleted something, then for three times the limit more to be recorded.
        var history: [String: Any] = [:]
        var recordedAtFirstExpiry: Int?
        var largestFile = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let status = try Self.status(server)
            history = try #require(status["history"] as? [String: Any], "status has no history range: \(status)")
            let recorded = status["recorded"] as! Int
            if (history["expired_messages"] as! Int) > 0 {
                recordedAtFirstExpiry = recordedAtFirstExpiry ?? recorded
                largestFile = max(largestFile, history["file_bytes"] as! Int)
                // About 80 bytes a message: 3x the limit written since retention began.
                if recorded - recordedAtFirstExpiry! > 3 * limit / 80 { break }
            }
        }
        try #require(recordedAtFirstExpiry != nil, "retention never deleted anything: \(history)")
        try server.stop()

        // A segment here is 64 blocks of 256 messages (under 2 MB): the file stays within the
        // limit and a few segments while three times the limit was written.
        let fileBytes = try FileManager.default.attributesOfItem(atPath: server.databasePath)[.size] as! Int
        #expect(largestFile < limit + 6_000_000, "file grew to \(largestFile) bytes")
        #expect(fileBytes < limit + 6_000_000, "file is \(fileBytes) bytes")
        #expect((history["bytes_in_use"] as! Int) < limit + 4_000_000, "\(history)")
        #expect((history["first_time_ns"] as! Int) > 0 && (history["last_time_ns"] as! Int) > (history["first_time_ns"] as! Int))

        let read = try HistoryHealthTests.python(
            Self.consistency, [server.databasePath, Binaries.repositoryRoot.appendingPathComponent("schemas/python/feed_history.py").path])
        let counted = try server.client(["history", "--db", server.databasePath, "--count-only"])
        #expect(counted.stdout == read, "feed-client and the Python reader read the same messages")
        #expect(counted.stderr.contains("expired from history (retained from "), "\(counted.stderr)")
    }

    @Test func retainDurationTellsHistoryAndLateJoinersWhatExpired() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "20000", "--block-messages", "256", "--retain", "2s"])
        // Wait until the oldest second of the session is gone.
        var history: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            history = try #require(try Self.status(server)["history"] as? [String: Any])
            if (history["expired_messages"] as! Int) > 0 { break }
        }
        #expect(history["first_time_ns"] is Int, "\(history)")
        #expect((history["expired_messages"] as! Int) > 0, "\(history)")

        // A query from the start says where the history starts now, on stderr; its answer starts there.
        let query = try server.client(["history", "--server", server.replay, "--limit", "5", "--format", "ndjson"])
        #expect(query.exitStatus == 0, "\(query.stderr)")
        #expect(query.stderr.contains("expired from history (retained from "), "\(query.stderr)")
        #expect(query.stdout.split(separator: "\n").count == 5)
        // So does one of more prefixes than a request carries (asked in groups, merged).
        try server.folder.write((["NASDAQ."] + (0..<1_000).map { "NYSE.Z\($0)." }).joined(separator: "\n") + "\n", to: "many.txt")
        let merged = try server.client(
            ["history", "--server", server.replay, "--prefixes-from", server.folder.path("many.txt"), "--limit", "5"])
        #expect(merged.exitStatus == 0, "\(merged.stderr)")
        #expect(merged.stderr.contains("expired from history (retained from "), "\(merged.stderr)")
        // A query by sequence from 1 of this session names the session and the sequences gone.
        let bySequence = try server.client(["history", "--server", server.replay, "--from-seq", "1", "--limit", "1"])
        #expect(bySequence.stderr.contains("(session \(server.session) through feed_seq "), "\(bySequence.stderr)")
        // A query within the last 2 s is not told anything.
        let recent = try server.client(["history", "--server", server.replay, "--since", "-1s", "--limit", "1"])
        #expect(!recent.stderr.contains("expired"), "\(recent.stderr)")

        // A late joiner from the session's start: each topic's beginning is an explicit gap.
        let joiner = try server.client(
            ["subscribe", "NASDAQ.", "--from", server.publish, "--replay", server.replay, "--replay-from", "start", "--count", "200"])
        #expect(joiner.exitStatus == 0, "\(joiner.stderr)")
        let gaps = joiner.stderr.split(separator: "\n").filter { $0.contains("gap: NASDAQ.") }
        #expect(!gaps.isEmpty, "\(joiner.stderr)")
        #expect(gaps.allSatisfy { $0.contains("topic_seq 1-") && $0.contains("expired from history (retained from ") }, "\(gaps)")
        // From a feed sequence that expired: the sequences gone are named (they cannot be by topic).
        let fromSequence = try server.client(
            ["subscribe", "NASDAQ.", "--from", server.publish, "--replay", server.replay, "--replay-from", "1", "--count", "50"])
        #expect(fromSequence.exitStatus == 0, "\(fromSequence.stderr)")
        #expect(
            fromSequence.stderr.contains("unverified: session \(server.session) feed_seq 1-")
                && fromSequence.stderr.contains("expired from history (retained from "), "\(fromSequence.stderr)")
        // From a time before the horizon: the session that lost what it asks for is named, with
        // the sequences gone (a time names no sequence: the server says which).
        let fromTime = try server.client(
            ["subscribe", "NASDAQ.", "--from", server.publish, "--replay", server.replay, "--replay-from=-1h", "--count", "50"])
        #expect(fromTime.exitStatus == 0, "\(fromTime.stderr)")
        #expect(
            fromTime.stderr.contains("unverified: session \(server.session) feed_seq 1-")
                && fromTime.stderr.contains("expired from history (retained from "), "\(fromTime.stderr)")
        try server.stop()
    }

    @Test func badRetentionArgumentsExit64WithOneLine() throws {
        for arguments in [["--retain", "7x"], ["--retain", "0d"], ["--retain-size", "50XB"], ["--retain-size", "-1"]] {
            let server = try ChildProcess(Binaries.server, arguments + ["--db", "/nonexistent/never-created.sqlite"])
            #expect(try server.waitForExit() == 64, "\(arguments): \(server.stderr)")
            let lines = server.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(arguments[0]), "\(arguments): \(server.stderr)")
        }
    }
}
