import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing

/// Subscribers that lose messages live (tiny queues and a slow consumer, publisher restarts)
/// and still end with exactly what the history holds, with the real binaries.
@Suite(.serialized)
struct GapRepairTests {
    /// `count` quotes cycling over `topics`, then `burst` more of `burstTopic`: a loss at the end
    /// of a burst is a loss at a topic's tail, which no later message of that topic reveals.
    static func input(count: Int, topics: [String], burst: Int = 0, burstTopic: String = "NYSE.AAA") -> String {
        var lines = ["topic,bid,bid_size,ask,ask_size"]
        for index in 0..<(count + burst) {
            let topic = index < count ? topics[index % topics.count] : burstTopic
            lines.append("\(topic),\(100 + index % 50).25,\(index % 900 + 1),\(101 + index % 50).5,\(index % 700 + 1)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `feed-client ARGUMENTS` with its standard output read by a slow consumer: a reader that
    /// takes 16 KiB, then pauses `pauseMilliseconds`, and reads nothing at all while the file
    /// `hold` exists. The client blocks on its output, so its queues fill and libzmq drops for
    /// it, as for any subscriber slower than the feed. Returns once the client is live.
    static func slowSubscriber(_ arguments: [String], hold: String, pauseMilliseconds: Int = 1) throws -> ChildProcess {
        let command = ([Binaries.client.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let reader = """
            import os, sys, time
            hold, pause = sys.argv[1], float(sys.argv[2])
            while True:
                while os.path.exists(hold):
                    time.sleep(0.005)
                data = sys.stdin.buffer.read1(16384)
                if not data:
                    break
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
                time.sleep(pause)
            """
        _ = FileManager.default.createFile(atPath: hold, contents: nil)
        let process = try ChildProcess(
            URL(fileURLWithPath: "/bin/bash"),
            ["-c", "set -o pipefail; \(command.joined(separator: " ")) | /usr/bin/python3 -c \"$0\" \"$1\" \"$2\"", reader, hold,
             String(Double(pauseMilliseconds) / 1000)])
        _ = try process.waitForStderrLine(containing: "; live")
        return process
    }

    /// Lets a held slow consumer read.
    static func release(_ hold: String) throws { try FileManager.default.removeItem(atPath: hold) }

    /// The messages a subscriber printed as NDJSON, as (session, feed sequence, topic, topic sequence).
    static func delivered(_ process: ChildProcess) throws -> [Delivered] { try delivered(process.stdout) }

    /// The messages in NDJSON text, up to its last complete line (a killed client may leave half a line).
    static func delivered(_ text: String) throws -> [Delivered] {
        try NDJSON.objects(String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)])).map { object in
            Delivered(
                session: (object["session"] as? NSNumber)?.uint32Value ?? 0, feedSequence: (object["seq"] as? NSNumber)?.uint64Value ?? 0,
                topic: object["topic"] as? String ?? "", topicSequence: (object["topic_seq"] as? NSNumber)?.uint64Value ?? 0)
        }
    }

    /// One delivered or recorded message, by identity.
    struct Delivered: Hashable, CustomStringConvertible {
        let session: UInt32
        let feedSequence: UInt64
        let topic: String
        let topicSequence: UInt64

        init(session: UInt32, feedSequence: UInt64, topic: String, topicSequence: UInt64) {
            self.session = session
            self.feedSequence = feedSequence
            self.topic = topic
            self.topicSequence = topicSequence
        }

        init(_ message: FeedMessage) {
            self.init(
                session: message.session, feedSequence: message.feedSequence, topic: message.topic.rawValue,
                topicSequence: message.topicSequence)
        }

        var description: String { "\(topic)#\(topicSequence)@\(session):\(feedSequence)" }
    }

    /// The history's messages under `prefixes`, by identity, in publish order.
    static func recorded(_ path: String, prefixes: [String], session: UInt32? = nil) throws -> [Delivered] {
        try HistoryStore(path: path, readOnly: true).queryAll(HistoryQuery(session: session)).decoded()
            .filter { message in prefixes.contains { message.topic.rawValue.hasPrefix($0) } }.map(Delivered.init)
    }

    /// Each topic's messages in the order delivered, to compare with the history per topic
    /// (repairs come before their topic's next message, so topics interleave differently).
    static func byTopic(_ messages: [Delivered]) -> [String: [Delivered]] {
        Dictionary(grouping: messages) { "\($0.session) \($0.topic)" }
    }

    @Test func slowSubscriberBehindTinyQueuesEndsWithExactlyTheHistory() throws {
        let folder = try TemporaryFolder()
        let server = try ServerFixture(
            extraArguments: ["--send-hwm", "1"], folder: folder,
            endpoints: ["--publish", "ipc://\(folder.path("pub"))", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"])
        let prefixes = ["NASDAQ.", "NYSE."]
        let topics = ["NASDAQ.AAPL", "NYSE.IBM", "ARCA.SPY", "NASDAQ.MSFT"]
        let parts = [Self.input(count: 8_000, topics: topics), Self.input(count: 8_000, topics: topics, burst: 2_000)]
        let wanted = parts.joined().split(separator: "\n").filter { line in prefixes.contains { line.hasPrefix($0) } }.count
        let hold = folder.path("hold")
        let subscriber = try Self.slowSubscriber(
            ["subscribe"] + prefixes + ["--from", server.publish, "--replay", server.replay, "--receive-hwm", "1", "--format", "ndjson",
             "--count", String(wanted)],
            hold: hold)
        // The first part while the consumer does not read at all (it must lose most of it), the
        // second, ending with a burst of one topic, while it reads slowly.
        for (index, part) in parts.enumerated() {
            try folder.write(part, to: "part\(index).csv")
            #expect(try server.client(["publish", "--to", server.ingest, folder.path("part\(index).csv")]).exitStatus == 0)
            if index == 0 { try Self.release(hold) }
        }
        #expect(try subscriber.waitForExit(timeout: 60) == 0, "\(subscriber.stderr)")
        try server.stop()

        let got = try Self.delivered(subscriber)
        let history = try Self.recorded(server.databasePath, prefixes: prefixes)
        #expect(history.count == wanted)
        #expect(Set(got) == Set(history) && got.count == history.count, "\(got.count) delivered, \(history.count) recorded")
        #expect(Self.byTopic(got) == Self.byTopic(history))
        #expect(!subscriber.stderr.contains("gap:") && !subscriber.stderr.contains("unverified:"), "\(subscriber.stderr)")
        // Proof that the queues did drop: part of the stream came from history.
        let summary = try #require(subscriber.stderr.split(separator: "\n").first { $0.contains("received \(wanted) messages") })
        let afterTook = summary.components(separatedBy: "took ").dropFirst().first ?? ""
        let repaired = try #require(Int(afterTook.split(separator: " ").first ?? ""), "no history count in: \(summary)")
        #expect(repaired > 0, "nothing was lost live, so nothing was proven: \(summary)")
    }

    @Test func restartWhileASubscriberIsBehindDeliversTheOldSessionsTailFirst() throws {
        let folder = try TemporaryFolder()
        let endpoints = [
            "--publish", "ipc://\(folder.path("pub"))", "--ingest", "ipc://\(folder.path("ingest"))", "--replay", "ipc://\(folder.path("replay"))",
        ]
        let first = try ServerFixture(extraArguments: ["--send-hwm", "1"], folder: folder, endpoints: endpoints)
        let prefixes = ["NASDAQ."]
        let before = Self.input(count: 9_000, topics: ["NASDAQ.AAPL", "NYSE.IBM", "NASDAQ.MSFT"])
        let after = Self.input(count: 300, topics: ["NASDAQ.AAPL", "NASDAQ.TSLA"])
        let wanted = [before, after].map { $0.split(separator: "\n").filter { $0.hasPrefix("NASDAQ.") }.count }
        let hold = folder.path("hold")
        let subscriber = try Self.slowSubscriber(
            ["subscribe"] + prefixes + ["--from", first.publish, "--replay", first.replay, "--receive-hwm", "1", "--format", "ndjson",
             "--count", String(wanted[0] + wanted[1])],
            hold: hold)
        try folder.write(before, to: "before.csv")
        try folder.write(after, to: "after.csv")
        #expect(try first.client(["publish", "--to", first.ingest, folder.path("before.csv")]).exitStatus == 0)
        // Stopped while the subscriber reads nothing: most of the session never reached it live.
        try first.stop()
        let second = try ServerFixture(databasePath: first.databasePath, folder: folder, endpoints: endpoints)
        try Self.release(hold)
        _ = try subscriber.waitForStderrLine(containing: "publisher restarted: session \(first.session) -> \(second.session)", timeout: 60)
        #expect(try second.client(["publish", "--to", second.ingest, folder.path("after.csv")]).exitStatus == 0)
        #expect(try subscriber.waitForExit(timeout: 60) == 0, "\(subscriber.stderr)")
        try second.stop()

        let got = try Self.delivered(subscriber)
        let old = try Self.recorded(first.databasePath, prefixes: prefixes, session: first.session)
        let new = try Self.recorded(first.databasePath, prefixes: prefixes, session: second.session)
        #expect((old.count, new.count) == (wanted[0], wanted[1]))
        let firstNew = try #require(got.firstIndex { $0.session == second.session })
        let lastOld = try #require(got.lastIndex { $0.session == first.session })
        #expect(lastOld < firstNew, "the old session's tail must come before the new session")
        #expect(Self.byTopic(got.filter { $0.session == first.session }) == Self.byTopic(old), "the old session's stream differs from its history")
        #expect(Self.byTopic(got.filter { $0.session == second.session }) == Self.byTopic(new), "the new session's stream differs from its history")
        #expect(got.count == old.count + new.count)
        #expect(!subscriber.stderr.contains("gap:") && !subscriber.stderr.contains("unverified:"), "\(subscriber.stderr)")
    }
}
