import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing

/// A history file written by the previous version (schema 1): the server refuses to record into
/// it and names the command that upgrades it, clients read it with a note, and
/// `feed-server migrate` upgrades it with every message kept.
struct HistoryMigrationCommandTests {
    /// Rewrites a version-2 file as the version-1 recorder wrote it: the same blocks, a
    /// `block_topics` row per topic per block (computed here by Python from the payloads), no
    /// dictionary or segments, user_version 1.
    static let downgrade = """
        import sqlite3, struct, sys
        source, target, schema = sys.argv[1:4]
        old = sqlite3.connect(target)
        old.executescript(open(schema).read())
        columns = 'block_id, session_id, first_feed_seq, last_feed_seq, first_time_ns, last_time_ns, message_count, time_high_ns, time_low_ns, payload'
        new = sqlite3.connect(source)
        for row in new.execute('SELECT session_id, started_ns FROM sessions'):
            old.execute('INSERT INTO sessions VALUES (?, ?)', row)
        for row in new.execute('SELECT ' + columns + ' FROM blocks ORDER BY block_id'):
            old.execute('INSERT INTO blocks (' + columns + ') VALUES (?,?,?,?,?,?,?,?,?,?)', row)
            payload, offset, topics = row[9], 0, {}
            while offset < len(payload):
                (topic_length,) = struct.unpack_from('<H', payload, offset)
                topic = payload[offset + 2:offset + 2 + topic_length].decode()
                (body_length,) = struct.unpack_from('<H', payload, offset + 2 + topic_length)
                body = payload[offset + 4 + topic_length:offset + 4 + topic_length + body_length]
                offset += 4 + topic_length + body_length
                _, _, _, _, _, topic_seq, _, published = struct.unpack_from('<BBHIQQqq', body, 0)
                low_seq, high_seq, low_time, high_time, count = topics.get(topic, (topic_seq, topic_seq, published, published, 0))
                topics[topic] = (min(low_seq, topic_seq), max(high_seq, topic_seq), min(low_time, published), max(high_time, published), count + 1)
            for topic, (low_seq, high_seq, low_time, high_time, count) in topics.items():
                old.execute('INSERT INTO block_topics VALUES (?, ?, ?, ?, ?, ?, ?)', (topic, row[0], low_seq, high_seq, low_time, high_time, count))
        old.commit()
        """

    /// A version-1 file of `count` messages over 50 topics: ``versionTwoFile(in:count:)``, downgraded.
    static func versionOneFile(in folder: TemporaryFolder, count: Int) throws -> String {
        let modern = try versionTwoFile(in: folder, count: count)
        let old = folder.path("old.sqlite")
        let python = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            ["-c", downgrade, modern, old, Binaries.repositoryRoot.appendingPathComponent("schemas/history-v1.sql").path])
        #expect(try python.waitForExit() == 0, "\(python.stderr)")
        return old
    }

    /// A version-2 file of `count` messages over 50 topics (`NASDAQ.S0`, `NYSE.S1`, ...), in
    /// blocks of 4096.
    static func versionTwoFile(in folder: TemporaryFolder, count: Int) throws -> String {
        let modern = folder.path("modern.sqlite")
        let store = try HistoryStore(path: modern)
        try store.registerSession(7, startedAt: Timestamp(nanoseconds: 1_700_000_000_000_000_000))
        var block = MessageBlock()
        var topicSequences = [UInt64](repeating: 0, count: 50)
        for sequence in 1...UInt64(count) {
            let symbol = Int(sequence * 7 % 50)
            topicSequences[symbol] += 1
            let time = 1_700_000_000_000_000_000 + Int64(sequence) * 1000
            block.append(
                FeedMessage(
                    topic: try Topic(symbol.isMultiple(of: 2) ? "NASDAQ.S\(symbol)" : "NYSE.S\(symbol)"), session: 7,
                    feedSequence: sequence, topicSequence: topicSequences[symbol], eventTime: time, publishTime: time,
                    payload: .trade(Trade(price: Price(mantissa: Int64(sequence)), size: 1, aggressor: .buy))))
            if block.count == 4096 || sequence == UInt64(count) {
                try store.append([block])
                block.removeAll()
            }
        }
        return modern
    }

    @Test func serverRefusesClientsReadAndMigrateUpgradesEveryMessage() throws {
        let folder = try TemporaryFolder()
        let count = 100_000
        let path = try Self.versionOneFile(in: folder, count: count)

        // The recorder refuses it, naming the command, and changes nothing.
        let server = try ChildProcess(
            Binaries.server,
            ["--db", path, "--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        #expect(try server.waitForExit() == 69)
        #expect(server.stderr.contains("`feed-server migrate --db \(path)`"), "\(server.stderr)")

        // A client reads it as it is, with a note.
        let before = try ChildProcess(Binaries.client, ["history", "--db", path, "--format", "csv"])
        #expect(try before.waitForExit() == 0, "\(before.stderr)")
        #expect(before.stderr.contains("is a version-1 history"), "\(before.stderr)")
        #expect(before.stdout.split(separator: "\n").count == count + 1)  // A header line and every message.

        let migrate = try ChildProcess(Binaries.server, ["migrate", "--db", path])
        #expect(try migrate.waitForExit() == 0, "\(migrate.stderr)")
        #expect(migrate.stderr.contains("\(count) of \(count) messages indexed (100%)"), "\(migrate.stderr)")
        #expect(migrate.stderr.contains("migrated \(path) to history schema version 2"), "\(migrate.stderr)")
        #expect(migrate.stderr.contains("\(count) messages") && migrate.stderr.contains("50 topics"), "\(migrate.stderr)")

        // The same messages, byte for byte, and no note; prefix queries agree too.
        let after = try ChildProcess(Binaries.client, ["history", "--db", path, "--format", "csv"])
        #expect(try after.waitForExit() == 0)
        #expect(after.stdout == before.stdout)
        #expect(!after.stderr.contains("version-1"))
        let nyse = try ChildProcess(Binaries.client, ["history", "NYSE.S1", "--db", path, "--format", "csv"])
        #expect(try nyse.waitForExit() == 0)
        let expected = before.stdout.split(separator: "\n").dropFirst().filter { $0.contains(",NYSE.S1") }  // A prefix: S1, S11, S13, ...
        #expect(Array(nyse.stdout.split(separator: "\n").dropFirst()) == expected)

        // Done once: a second run says so; the server now records into it.
        let again = try ChildProcess(Binaries.server, ["migrate", "--db", path, "--vacuum"])
        #expect(try again.waitForExit() == 0)
        #expect(again.stderr.contains("already history schema version 2"), "\(again.stderr)")
    }

    @Test func migrateNamesWhatIsWrong() throws {
        let folder = try TemporaryFolder()
        let missing = try ChildProcess(Binaries.server, ["migrate", "--db", folder.path("none.sqlite")])
        #expect(try missing.waitForExit() == 66)
        #expect(missing.stderr.contains("no history database at"), "\(missing.stderr)")
        try folder.write("not a database at all, but long enough to look like a header of something else entirely", to: "text.sqlite")
        let text = try ChildProcess(Binaries.server, ["migrate", "--db", folder.path("text.sqlite")])
        #expect(try text.waitForExit() == 65)
        #expect(text.stderr.contains("is not a feed history database"), "\(text.stderr)")
        let empty = try ChildProcess(Binaries.server, ["migrate", "--db", ""])
        #expect(try empty.waitForExit() == 64)
    }

    /// Another language reads version 2 from the documented layout: schemas/python/feed_history.py
    /// follows the topic index (several segments and a tail here) and finds exactly what the
    /// Swift store returns, for narrow prefixes, overlapping ones and everything.
    @Test func pythonReadsVersionTwoThroughTheIndex() throws {
        let folder = try TemporaryFolder()
        // Two segments of 65,536 messages and a tail.
        let modern = try Self.versionTwoFile(in: folder, count: 140_000)
        let store = try HistoryStore(path: modern, readOnly: true)
        let reader = Binaries.repositoryRoot.appendingPathComponent("schemas/python/feed_history.py").path
        for prefixes in [["NYSE.S1"], ["NASDAQ.S2", "NASDAQ.S22", "NYSE.S49"]] {
            let python = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), [reader, modern] + prefixes)
            #expect(try python.waitForExit() == 0, "\(python.stderr)")
            let got = try python.stdout.split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return "\(object["topic"] ?? "")#\(object["feed_seq"] ?? "")"
            }
            let query = HistoryQuery(prefixes: prefixes.isEmpty ? [.all] : try prefixes.map { try TopicPrefix($0) })
            let expected = try store.queryAll(query).decoded().map { "\($0.topic.rawValue)#\($0.feedSequence)" }
            #expect(!expected.isEmpty)
            #expect(got == expected, "\(prefixes)")
        }
    }
}
