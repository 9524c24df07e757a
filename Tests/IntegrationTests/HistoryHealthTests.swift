import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing

/// A damaged history (issue 10, part 4): the server refuses to record into it and says what to
/// do, `feed-server repair` salvages every readable block into a new file with a count, and a
/// block found damaged while serving is skipped with a note, never a crash.
struct HistoryHealthTests {
    /// Writes 64 KiB of fixed pseudo-random bytes into the middle of the file at `path`.
    static func writeGarbage(intoMiddleOf path: String) throws {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let garbage = (0..<65_536).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(size / 2))
        try handle.write(contentsOf: Data(garbage))
        try handle.close()
    }

    /// Runs Python on `script` with `arguments`; returns its stdout.
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        let python = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script] + arguments)
        #expect(try python.waitForExit(timeout: 60) == 0, "\(python.stderr)")
        return python.stdout
    }

    /// The first whole number after `label` in `text`.
    static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func serverRefusesHistoryWithGarbageInItsMiddleAndRepairSalvagesTheRest() throws {
        let folder = try TemporaryFolder()
        let count = 100_000
        let path = try HistoryMigrationCommandTests.versionTwoFile(in: folder, count: count)
        try Self.writeGarbage(intoMiddleOf: path)

        // Before: the server started, recorded into it and exited 0. Now it refuses, saying what to do.
        let refused = try ChildProcess(
            Binaries.server,
            ["--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*", "--db", path])
        #expect(try refused.waitForExit(timeout: 30) == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("is damaged"), "\(refused.stderr)")
        #expect(refused.stderr.contains("feed-server repair --db \(path) --output"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("feed-server ready"))

        // Repair salvages what reads back and counts what it lost: together, every message.
        let output = folder.path("salvaged.sqlite")
        let repair = try ChildProcess(Binaries.server, ["repair", "--db", path, "--output", output])
        #expect(try repair.waitForExit(timeout: 60) == 0, "\(repair.stderr)")
        let salvaged = try #require(Self.number(after: "blocks, ", in: repair.stderr), "\(repair.stderr)")
        let lost = try #require(Self.number(after: "blocks, ", in: String(repair.stderr[repair.stderr.range(of: "lost ")!.upperBound...])))
        #expect(!repair.stderr.contains("unknown size"), "\(repair.stderr)")
        #expect(salvaged + lost == count, "\(repair.stderr)")
        #expect(lost > 0, "the garbage should have hit stored blocks: \(repair.stderr)")

        // Read as it is, the damaged file gives the same messages, each damaged block noted.
        let direct = try ChildProcess(Binaries.client, ["history", "--db", path, "--count-only"])
        #expect(try direct.waitForExit() == 0, "\(direct.stderr)")
        #expect(direct.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(salvaged), "\(direct.stderr)")
        #expect(direct.stderr.split(separator: "\n").filter { $0.contains("damaged, skipped") }.count > 0, "\(direct.stderr)")

        // The new file holds exactly what was salvaged, and a server records into it.
        let counted = try ChildProcess(Binaries.client, ["history", "--db", output, "--count-only"])
        #expect(try counted.waitForExit() == 0, "\(counted.stderr)")
        #expect(counted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(salvaged))
        let server = try ServerFixture(databasePath: output, folder: folder)
        try server.publishRecordedSample(count: 100)
        try server.stop()

        // The output is never overwritten.
        let again = try ChildProcess(Binaries.server, ["repair", "--db", path, "--output", output])
        #expect(try again.waitForExit() == 73, "\(again.stderr)")
        #expect(again.stderr.contains("exists"), "\(again.stderr)")
    }

    @Test func blockFoundDamagedWhileServingIsSkippedWithANote() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 5000)
        // Block 3's first record now claims a 65535-byte topic: it no longer reads back.
        let block = try Self.python(
            """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=10)
            print(*c.execute('SELECT first_feed_seq, last_feed_seq, message_count FROM blocks WHERE block_id = 3').fetchone())
            c.execute("UPDATE blocks SET payload = x'ffff' || substr(payload, 3) WHERE block_id = 3")
            c.commit()
            """, [server.databasePath]
        ).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(block.count == 3)

        for source in [["--server", server.replay], ["--db", server.databasePath]] {
            let history = try server.client(["history", "--count-only"] + source)
            #expect(history.exitStatus == 0, "\(source): \(history.stderr)")
            #expect(history.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(5000 - block[2]), "\(source)")
            #expect(
                history.stderr.contains(
                    "warning: history block 3 (session \(server.session) feed_seq \(block[0])-\(block[1])) damaged, skipped"),
                "\(source): \(history.stderr)")
        }
        // The server is still serving, and stops cleanly.
        let status = try server.client(["status", "--server", server.replay])
        #expect(status.exitStatus == 0, "\(status.stderr)")
        try server.stop()
        #expect(server.process.stderr.contains("block 3"), "the server logs what it skipped")
    }

    @Test func snapshotMeetingADamagedBlockSkipsItWithANoteAndGivesTheValuesBeforeIt() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 5000)
        let messages = try HistoryStore(path: server.databasePath, readOnly: true).queryAll(HistoryQuery()).decoded()
        // The last block now claims a 65535-byte topic in its first record: it no longer reads back.
        let block = try Self.python(
            """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=10)
            print(*c.execute('SELECT block_id, first_feed_seq, last_feed_seq FROM blocks ORDER BY block_id DESC LIMIT 1').fetchone())
            c.execute("UPDATE blocks SET payload = x'ffff' || substr(payload, 3) WHERE block_id = (SELECT max(block_id) FROM blocks)")
            c.commit()
            """, [server.databasePath]
        ).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(block.count == 3)
        // Each topic's last message outside the damaged block.
        var expected: [String: UInt64] = [:]
        for message in messages where !(block[1]...block[2]).contains(Int(message.feedSequence)) {
            expected[message.topic.rawValue] = message.feedSequence
        }
        #expect(expected.count > 1)

        for source in [["--server", server.replay], ["--db", server.databasePath]] {
            let snapshot = try server.client(["snapshot", "--format", "ndjson"] + source)
            #expect(snapshot.exitStatus == 0, "\(source): \(snapshot.stderr)")
            let received = try NDJSON.objects(snapshot.stdout).compactMap { object -> (String, UInt64)? in
                guard let topic = object["topic"] as? String, let seq = (object["seq"] as? NSNumber)?.uint64Value else { return nil }
                return (topic, seq)
            }
            #expect(Dictionary(received, uniquingKeysWith: { _, last in last }) == expected, "\(source)")
            #expect(received.count == expected.count, "\(source): each topic once")
            #expect(
                snapshot.stderr.contains(
                    "warning: history block \(block[0]) (session \(server.session) feed_seq \(block[1])-\(block[2])) damaged, skipped"),
                "\(source): \(snapshot.stderr)")
        }
        try server.stop()
    }
}
