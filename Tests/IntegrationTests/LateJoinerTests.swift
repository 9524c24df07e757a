import FeedHistory
import FeedModel
import Foundation
import Testing
import ZeroMQ

/// Late joiners, restarts and snapshots, with the real binaries against the real history.
@Suite(.serialized)
struct LateJoinerTests {
    static func sequences(_ process: RunningProcess) throws -> [UInt64] {
        try NDJSON.objects(process.stdout).compactMap { ($0["seq"] as? NSNumber)?.uint64Value }
    }

    @Test func lateJoinerAtFullRateEndsWithExactlyTheDatabaseSequence() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "20000"])
        // Let a backlog build up: this subscriber ends once 30,000 messages were published.
        let early = try RunningProcess(Binaries.client, ["subscribe", "--from", server.publish, "--format", "csv", "--count", "30000"])
        #expect(try early.waitForExit() == 0)
        let late = try RunningProcess(
            Binaries.client,
            ["subscribe", "NASDAQ.AAPL", "NYSE.", "--from", server.publish, "--replay", server.replay, "--replay-from", "start",
             "--format", "ndjson", "--duration", "3"])
        #expect(try late.waitForExit() == 0, "\(late.stderr)")
        try server.stop()

        #expect(late.stderr.contains("replayed "), "\(late.stderr)")
        #expect(!late.stderr.contains("gap:"), "\(late.stderr)")
        let received = try Self.sequences(late)
        let last = try #require(received.last)
        #expect(last > 30_000)
        let prefixes = [try TopicPrefix("NASDAQ.AAPL"), try TopicPrefix("NYSE.")]
        let expected = try HistoryStore(path: server.databasePath, readOnly: true).queryAll(HistoryQuery(session: server.session))
            .decoded().filter { message in
                message.feedSequence <= last && prefixes.contains { $0.matches(message.topic.rawValue) }
            }.map(\.feedSequence)
        #expect(received.count == expected.count)
        #expect(received == expected, "late joiner's stream differs from the history: gap, duplicate or disorder")
    }

    @Test func replayFromASequenceAndFromATimeStartThere() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "5000"])
        let early = try RunningProcess(Binaries.client, ["subscribe", "--from", server.publish, "--format", "csv", "--count", "4000"])
        #expect(try early.waitForExit() == 0)
        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        let recorded = try store.queryAll(HistoryQuery(prefix: try TopicPrefix("NYSE."), session: server.session)).decoded()
        let pivot = try #require(recorded.dropFirst(recorded.count / 2).first)
        for (point, first) in [(String(pivot.feedSequence), pivot.feedSequence), (Timestamp(nanoseconds: pivot.publishTime).description, pivot.feedSequence)] {
            let late = try RunningProcess(
                Binaries.client,
                ["subscribe", "NYSE.", "--from", server.publish, "--replay", server.replay, "--replay-from", point,
                 "--format", "ndjson", "--count", "500"])
            #expect(try late.waitForExit() == 0, "\(late.stderr)")
            let received = try Self.sequences(late)
            #expect(received.first == first, "--replay-from \(point)")
            #expect(received == received.sorted() && Set(received).count == received.count)
        }
        try server.stop()
    }

    @Test func publisherKilledAndRestartedIsASessionChangeWithNoIdentityReused() throws {
        let folder = try TemporaryFolder()
        let endpoints = [
            "--publish", "ipc://\(folder.path("pub"))", "--ingest", "ipc://\(folder.path("ingest"))", "--replay", "ipc://\(folder.path("replay"))",
        ]
        let first = try ServerFixture(folder: folder, endpoints: endpoints)
        let subscriber = try RunningProcess(
            Binaries.client,
            ["subscribe", "--from", first.publish, "--replay", first.replay, "--format", "ndjson", "--count", "2000"])
        _ = try subscriber.waitForStderrLine(containing: "; live")
        let (csv, _) = FeedEndToEndTests.sampleInput(count: 1000)
        let input = folder.path("input.csv")
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        #expect(try first.client(["publish", "--to", first.ingest, input]).process.terminationStatus == 0)
        // Wait until the subscriber has all of the first run, then kill the server outright.
        try subscriber.waitForStdoutLines(1000)
        first.process.signal(SIGKILL)
        _ = try first.process.waitForExit()

        let second = try ServerFixture(databasePath: first.databasePath, folder: folder, endpoints: endpoints)
        #expect(second.session > first.session)
        _ = try subscriber.waitForStderrLine(containing: "publisher restarted: session \(first.session) -> \(second.session)")
        #expect(try second.client(["publish", "--to", second.ingest, input]).process.terminationStatus == 0)
        #expect(try subscriber.waitForExit() == 0, "\(subscriber.stderr)")
        try second.stop()

        let received = try NDJSON.objects(subscriber.stdout).map {
            (($0["session"] as? NSNumber)?.uint32Value ?? 0, ($0["seq"] as? NSNumber)?.uint64Value ?? 0)
        }
        #expect(received.filter { $0.0 == first.session }.map(\.1) == Array(1...1000))
        #expect(received.filter { $0.0 == second.session }.map(\.1) == Array(1...1000))
        let history = try HistoryStore(path: first.databasePath, readOnly: true).queryAll(HistoryQuery()).decoded()
        let identities = history.map { "\($0.session):\($0.feedSequence)" }
        #expect(Set(identities).count == identities.count, "a (session, sequence) pair names two messages")
        #expect(history.filter { $0.session == second.session }.count == 1000)
    }

    @Test func snapshotAsOfATimeMatchesBruteForce() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "5000", "--block-messages", "300"])
        let early = try RunningProcess(Binaries.client, ["subscribe", "--from", server.publish, "--format", "csv", "--count", "3000"])
        #expect(try early.waitForExit() == 0)
        try server.stop()
        let restarted = try ServerFixture(databasePath: server.databasePath, folder: server.folder)
        defer { try? restarted.stop() }
        let all = try HistoryStore(path: server.databasePath, readOnly: true).queryAll(HistoryQuery()).decoded()
        let at = all[1700].publishTime
        var latest: [Topic: FeedMessage] = [:]
        for message in all where message.publishTime <= at && message.topic.venue == "NASDAQ" { latest[message.topic] = message }
        let expected = latest.values.sorted { $0.topic < $1.topic }.map(\.feedSequence)
        #expect(expected.count > 5)
        for source in [["--db", server.databasePath], ["--server", restarted.replay]] {
            let snapshot = try restarted.client(["snapshot", "NASDAQ.", "--at", String(at), "--format", "ndjson"] + source)
            #expect(snapshot.process.terminationStatus == 0, "\(snapshot.stderr)")
            #expect(try Self.sequences(snapshot) == expected, "snapshot from \(source[0])")
        }
        let late = try restarted.client(["subscribe", "NASDAQ.", "--from", restarted.publish, "--replay", restarted.replay, "--replay-from", "snapshot", "--format", "ndjson", "--duration", "0.5"])
        #expect(late.process.terminationStatus == 0, "\(late.stderr)")
    }

    @Test func replayServiceAnswersBadRequestsWithErrorsAndCapsPages() throws {
        let server = try ServerFixture(extraArguments: ["--replay-page-limit", "100", "--block-messages", "50"])
        let (csv, _) = FeedEndToEndTests.sampleInput(count: 1000)
        let input = server.folder.path("input.csv")
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        #expect(try server.client(["publish", "--to", server.ingest, input]).process.terminationStatus == 0)
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.set(.linger, 0)
        try dealer.connect(server.replay)
        let requests: [(String, String)] = [
            ("not json", "malformed request"),
            (#"{"op":"explode"}"#, "malformed request"),
            (#"{"prefix":"NASDAQ."}"#, "missing field 'op'"),
            (#"{"op":"history","since":200,"until":100}"#, "empty time range"),
            (#"{"op":"history","prefix":"bad prefix"}"#, "bad prefix"),
            (#"{"op":"history","cursor":"x"}"#, "bad cursor"),
        ]
        for (request, reason) in requests {
            try dealer.send(Array(request.utf8))
            #expect(try dealer.waitReadable(timeoutMilliseconds: 5000))
            let frames = try #require(try dealer.receiveFrames())
            let reply = String(decoding: frames[0], as: UTF8.self)
            #expect(reply.contains("\"ok\":false") && reply.contains(reason), "\(request) -> \(reply)")
        }
        // However much a client asks for, one reply holds at most the server's page limit; the
        // rest is pulled page by page, so a slow reader never makes the server buffer.
        try server.waitForStatus("recorded", atLeast: 1000)
        try dealer.send(Array(#"{"op":"history","page_size":1000000}"#.utf8))
        #expect(try dealer.waitReadable(timeoutMilliseconds: 5000))
        let page = try #require(try dealer.receiveFrames())
        let header = String(decoding: page[0], as: UTF8.self)
        #expect(header.contains("\"count\":100") && header.contains("\"next\""), "\(header)")
        let everything = try server.client(["history", "--server", server.replay, "--format", "csv"])
        #expect(everything.stdout.split(separator: "\n").count == 1001)
        try dealer.send(Array(#"{"op":"status"}"#.utf8))
        #expect(try dealer.waitReadable(timeoutMilliseconds: 5000))
        #expect(String(decoding: try #require(try dealer.receiveFrames())[0], as: UTF8.self).contains("\"ok\":true"))
        try server.stop()
    }
}
