import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// The daemon and the CLI as a user runs them: real processes, real sockets, real SQLite files.
@Suite(.serialized)
struct FeedEndToEndTests {
    /// `count` quotes and trades over five topics, as publish would send them.
    static func sampleMessages(count: Int) -> [FeedMessage] {
        let topics = ["NASDAQ.AAPL", "NASDAQ.MSFT", "NYSE.IBM", "NYSE.BRK.B", "ARCA.SPY"]
        return (0..<count).map { index in
            let topic = try! Topic(topics[index % topics.count])
            let eventTime = Int64(1_763_800_000_000_000_000) + Int64(index) * 1_000_123
            let cents = Int64(10_000 + index)
            if index % 4 == 3 {
                let trade = Trade(price: Price(mantissa: cents * 1_000_000), size: UInt32(index + 1), aggressor: index % 8 == 3 ? .buy : .sell)
                return FeedMessage(topic: topic, eventTime: eventTime, payload: .trade(trade))
            }
            let quote = Quote(
                bidPrice: Price(mantissa: cents * 1_000_000), askPrice: Price(mantissa: (cents + 1) * 1_000_000 + 5),
                bidSize: UInt32(100 * (index % 7 + 1)), askSize: UInt32(index))
            return FeedMessage(topic: topic, eventTime: eventTime, payload: .quote(quote))
        }
    }

    /// A CSV of `count` quotes and trades over five topics, with the values each row should carry.
    static func sampleInput(count: Int) -> (csv: String, expected: [FeedMessage]) {
        let messages = sampleMessages(count: count)
        let rows = messages.map { message in
            let time = Timestamp(nanoseconds: message.eventTime)
            switch message.payload {
            case .trade(let trade): return "\(message.topic),trade,,,,,\(trade.price),\(trade.size),\(trade.aggressor),\(time)"
            case .quote(let quote):
                return "\(message.topic),quote,\(quote.bidPrice),\(quote.bidSize),\(quote.askPrice),\(quote.askSize),,,,\(time)"
            case .heartbeat: return ""
            }
        }
        let header = "topic,type,bid,bid_size,ask,ask_size,price,size,side,event_time"
        return (([header] + rows).joined(separator: "\n") + "\n", messages)
    }

    /// The same messages as NDJSON, types left to be inferred from the fields, starting with a
    /// byte order mark as files saved by some editors do.
    static func sampleNDJSON(count: Int) -> (ndjson: String, expected: [FeedMessage]) {
        let messages = sampleMessages(count: count)
        let lines = messages.map { message in
            let time = Timestamp(nanoseconds: message.eventTime)
            switch message.payload {
            case .trade(let trade):
                return #"{"topic":"\#(message.topic)","price":\#(trade.price),"size":\#(trade.size),"side":"\#(trade.aggressor)","event_time":"\#(time)"}"#
            case .quote(let quote):
                return #"{ "topic": "\#(message.topic)", "bid": \#(quote.bidPrice), "bid_size": \#(quote.bidSize), "ask": "\#(quote.askPrice)", "ask_size": \#(quote.askSize), "event_time": "\#(time)" }"#
            case .heartbeat: return ""
            }
        }
        return ("\u{FEFF}" + lines.joined(separator: "\n") + "\n", messages)
    }

    @Test(arguments: ["csv", "ndjson"])
    func ingestToFanOutToHistoryIsLosslessByteForByte(format: String) throws {
        let server = try ServerFixture()
        let context = try ZMQContext()
        let raw = try RawSubscriber(context: context, endpoint: server.publish)
        try raw.waitUntilLive()

        let (text, expected) = format == "csv" ? Self.sampleInput(count: 3000) : Self.sampleNDJSON(count: 3000)
        let input = server.folder.path("input.\(format)")
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let publisher = try server.client(["publish", "--to", server.ingest, input])
        #expect(publisher.exitStatus == 0, "\(publisher.stderr)")
        #expect(publisher.stderr.contains("published 3000 messages, rejected 0 lines"))

        let received = try raw.receive(count: expected.count)
        try server.stop()

        let decoded = try received.map { try FeedMessage(topic: $0[0], body: $0[1]) }
        for (index, (message, want)) in zip(decoded, expected).enumerated() {
            #expect(message.topic == want.topic && message.payload == want.payload && message.eventTime == want.eventTime)
            #expect(message.session == server.session)
            #expect(message.feedSequence == UInt64(index + 1))
        }
        var topicSequences: [Topic: UInt64] = [:]
        for message in decoded {
            topicSequences[message.topic, default: 0] += 1
            #expect(message.topicSequence == topicSequences[message.topic])
        }

        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        var recorded: [[[UInt8]]] = []
        try store.queryAll(HistoryQuery()).forEach { topic, body in
            recorded.append([Array(topic), Array(body)])
            return true
        }
        #expect(recorded.count == received.count)
        #expect(recorded == received, "history differs from what was published")
    }

    @Test func prefixFilteringIsExactAgainstTheHistory() throws {
        // Also with two libzmq I/O threads, which the server really starts.
        let server = try ServerFixture(extraArguments: ["--demo", "5000", "--io-threads", "2"])
        let tasks = "/proc/\(server.process.processIdentifier)/task"
        let threadNames = try FileManager.default.contentsOfDirectory(atPath: tasks).map { task in
            try String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(threadNames.filter { $0.hasPrefix("ZMQbg/IO/") }.count == 2, "\(threadNames)")
        let subscriber = try ChildProcess(
            Binaries.client, ["subscribe", "NASDAQ.AAPL", "NYSE.", "--from", server.publish, "--format", "ndjson", "--count", "400"])
        #expect(try subscriber.waitForExit() == 0, "\(subscriber.stderr)")
        try server.stop()

        let received = try NDJSON.objects(subscriber.stdout)
        #expect(received.count == 400)
        let prefixes = [try TopicPrefix("NASDAQ.AAPL"), try TopicPrefix("NYSE.")]
        for object in received {
            let topic = object["topic"] as? String ?? ""
            #expect(prefixes.contains { $0.matches(topic) }, "\(topic) is outside the prefixes")
        }
        let sequences = received.compactMap { ($0["seq"] as? NSNumber)?.uint64Value }
        let first = try #require(sequences.first)
        let last = try #require(sequences.last)
        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        let expected = try store.queryAll(HistoryQuery(fromSequence: first, session: server.session)).decoded()
            .filter { message in
                message.feedSequence <= last && prefixes.contains { $0.matches(message.topic.rawValue) }
            }
        #expect(sequences == expected.map(\.feedSequence), "subscriber missed or added messages inside its prefixes")
        #expect(expected.contains { $0.topic.rawValue == "NASDAQ.AAPL" } && expected.contains { $0.topic.venue == "NYSE" })
    }

    @Test func cleanShutdownFlushesEveryPublishedMessage() throws {
        // Blocks this large never flush by size or timer during the test: only shutdown writes them.
        let server = try ServerFixture(extraArguments: ["--demo", "20000", "--block-messages", "8000000", "--block-flush-ms", "600000"])
        let subscriber = try ChildProcess(
            Binaries.client, ["subscribe", "--from", server.publish, "--format", "csv", "--count", "5000"])
        #expect(try subscriber.waitForExit() == 0)
        try server.stop()

        let summary = try #require(server.process.stderr.split(separator: "\n").last { $0.contains("stopped: session") })
        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        let messages = try store.queryAll(HistoryQuery(session: server.session)).decoded()
        #expect(messages.count >= 5000)
        #expect(messages.map(\.feedSequence) == Array(1...UInt64(messages.count)), "history has gaps or duplicates")
        #expect(summary.contains("published \(messages.count), recorded \(messages.count)"), "\(summary)")
    }

    @Test func badIngestFramesAreCountedAndDroppedWhileGoodOnesFlow() throws {
        let server = try ServerFixture()
        let context = try ZMQContext()
        let raw = try RawSubscriber(context: context, endpoint: server.publish)
        try raw.waitUntilLive()

        let good = FeedMessage(
            topic: try Topic("NASDAQ.AAPL"), eventTime: 1, payload: .quote(Quote(bidPrice: Price(mantissa: 1), askPrice: Price(mantissa: 2), bidSize: 3, askSize: 4)))
        let trade = FeedMessage(topic: try Topic("NYSE.IBM"), eventTime: 2, payload: .trade(Trade(price: Price(mantissa: 5), size: 6, aggressor: .buy)))
        var badSide = trade.encodedBody()
        badSide[52] = 9
        var badVersion = good.encodedBody()
        badVersion[0] = 2
        var unknownType = good.encodedBody()
        unknownType[1] = 7
        let heartbeat = FeedMessage(topic: .heartbeat, eventTime: 3, payload: .heartbeat)
        let push = try ZMQSocket(context, .push)
        try push.set(.linger, 5000)
        try push.connect(server.ingest)
        let sends: [[[UInt8]]] = [
            [good.topicBytes, good.encodedBody()],
            [good.topicBytes],  // wrong frame count
            [good.topicBytes, good.encodedBody(), [1]],  // wrong frame count
            [Array("nasdaq.aapl".utf8), good.encodedBody()],  // invalid topic
            [Array("NOSEPARATOR".utf8), good.encodedBody()],  // invalid topic
            [good.topicBytes, Array(good.encodedBody().prefix(20))],  // too short
            [trade.topicBytes, trade.encodedBody() + [0]],  // wrong length
            [good.topicBytes, good.encodedBody() + [UInt8](repeating: 0, count: 2000)],  // oversized
            [good.topicBytes, badVersion],  // unsupported version
            [good.topicBytes, unknownType],  // unknown type
            [trade.topicBytes, badSide],  // invalid field
            [heartbeat.topicBytes, heartbeat.encodedBody()],  // producers cannot send heartbeats
            [trade.topicBytes, trade.encodedBody()],
        ]
        for frames in sends { try push.send(frames: frames) }

        // A message beyond ZMQ_MAXMSGSIZE makes libzmq drop that producer's connection; others carry on.
        let oversized = try ZMQSocket(context, .push)
        try oversized.set(.linger, 0)
        try oversized.connect(server.ingest)
        try oversized.send(frames: [good.topicBytes, [UInt8](repeating: 0, count: 100_000)])
        try push.send(frames: [good.topicBytes, good.encodedBody()])

        let received = try raw.receive(count: 3).map { try FeedMessage(topic: $0[0], body: $0[1]) }
        #expect(received.map(\.topic) == [good.topic, trade.topic, good.topic])
        #expect(received.map(\.feedSequence) == [1, 2, 3])

        let status = try server.client(["status", "--server", server.replay])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let rejected = try #require(json?["rejected"] as? [String: Int])
        #expect(rejected == [
            "wrong_frame_count": 2, "invalid_topic": 2, "too_short": 1, "wrong_length": 1, "oversized": 1, "unsupported_version": 1,
            "unknown_type": 1, "invalid_field": 2,
        ])
        #expect((json?["published"] as? Int) == 3)
        try server.stop()
        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        #expect(try store.messageCount() == 3)
    }

    @Test func historyFromServerAndFromFileAgreeWithBruteForce() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "5000", "--block-messages", "256"])
        let subscriber = try ChildProcess(Binaries.client, ["subscribe", "--from", server.publish, "--format", "csv", "--count", "3000"])
        #expect(try subscriber.waitForExit() == 0)
        try server.stop()
        let restarted = try ServerFixture(databasePath: server.databasePath, folder: server.folder)
        defer { try? restarted.stop() }

        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        let all = try store.queryAll(HistoryQuery()).decoded()
        let since = all[500].publishTime
        let until = all[2500].publishTime
        let queries: [(arguments: [String], expected: [FeedMessage])] = [
            (["NASDAQ."], all.filter { $0.topic.venue == "NASDAQ" }),
            (["NYSE.IBM", "--since", String(since), "--until", String(until)],
             all.filter { $0.topic.rawValue == "NYSE.IBM" && $0.publishTime >= since && $0.publishTime < until }),
            (["", "--from-seq", "1234", "--limit", "77", "--session", String(server.session)],
             Array(all.filter { $0.feedSequence >= 1234 }.prefix(77))),
            (["NASDAQ.AAPL", "--limit", "5"], Array(all.filter { $0.topic.rawValue == "NASDAQ.AAPL" }.prefix(5))),
        ]
        for (arguments, expected) in queries {
            let fromServer = try restarted.client(["history"] + arguments + ["--server", restarted.replay, "--format", "ndjson"])
            let fromFile = try restarted.client(["history"] + arguments + ["--db", server.databasePath, "--format", "ndjson"])
            #expect(fromServer.exitStatus == 0, "\(fromServer.stderr)")
            #expect(fromServer.stdout == fromFile.stdout, "server and file disagree for \(arguments)")
            let sequences = try NDJSON.objects(fromFile.stdout).compactMap { ($0["seq"] as? NSNumber)?.uint64Value }
            #expect(sequences == expected.map(\.feedSequence), "wrong messages for \(arguments)")
            #expect(!expected.isEmpty)
            let counted = try restarted.client(["history"] + arguments + ["--db", server.databasePath, "--count-only"])
            #expect(counted.stdout == "\(expected.count)\n")
        }
    }
}
