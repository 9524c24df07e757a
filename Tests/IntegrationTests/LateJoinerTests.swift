import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// Late joiners, restarts and snapshots, with the real binaries against the real history.
@Suite(.serialized)
struct LateJoinerTests {
    typealias Delivered = GapRepairTests.Delivered

    /// The history's messages of `session` under `prefixes`, none under another, in publish order.
    static func recorded(_ server: ServerFixture, prefixes: [String], session: UInt32? = nil) throws -> [FeedMessage] {
        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        return try prefixes.flatMap { try store.queryAll(HistoryQuery(prefix: try TopicPrefix($0), session: session)).decoded() }
            .sorted { ($0.session, $0.feedSequence) < ($1.session, $1.feedSequence) }
    }

    @Test func lateJoinerAtFullRateEndsWithExactlyTheDatabaseSequence() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "100000"])
        // A backlog of 200,000 messages, still growing at full rate while the late joiner catches up.
        try server.waitForStatus("recorded", atLeast: 200_000, timeout: 30)
        // Two of the thirty symbols (NYSE.I covers NYSE.IBM): all a debug build prints fast enough.
        let prefixes = ["NASDAQ.AAPL", "NYSE.IBM", "NYSE.I"]
        let late = try ChildProcess(
            Binaries.client,
            ["subscribe"] + prefixes + ["--from", server.publish, "--replay", server.replay, "--replay-from", "start",
             "--format", "ndjson", "--heartbeats"])
        let replayedLine = try late.waitForStderrLine(containing: "now live", timeout: 60)
        let replayed = try #require(Int(replayedLine.split(separator: " ")[2]))
        // Well into live (about half a second of the feed for these two topics), then stop it.
        try late.waitForStdoutLines(replayed + 3_000, timeout: 60)
        late.signal(SIGKILL)
        _ = try late.waitForExit()
        try server.stop()

        // The live point: the first heartbeat, the server's answer to the subscription.
        let heartbeat = try #require(late.stderr.split(separator: "\n").first { $0.contains("heartbeat session=") }, "\(late.stderr)")
        let livePoint = try #require(UInt64(heartbeat.split(separator: "seq=")[1]))
        #expect(livePoint >= 200_000)
        #expect(!late.stderr.contains("gap:") && !late.stderr.contains("unverified:"), "\(late.stderr)")
        let received = try GapRepairTests.delivered(late.stdout)
        #expect(received.count >= replayed + 3_000)
        #expect(try #require(received.map(\.feedSequence).max()) > livePoint, "never merged into live")
        let recorded = try Self.recorded(server, prefixes: ["NASDAQ.AAPL", "NYSE.I"], session: server.session).map(Delivered.init)
        #expect(replayed >= recorded.filter { $0.feedSequence <= livePoint }.count, "\(replayedLine)")
        #expect(received.filter { $0.topic == "NYSE.IBM" }.count > 1000)
        // Each topic from its first message, in order, nothing missing, nothing twice (the client
        // was stopped mid-stream, so each topic's part is a beginning of its history).
        let history = GapRepairTests.byTopic(recorded)
        for (topic, messages) in GapRepairTests.byTopic(received) {
            #expect(messages == Array((history[topic] ?? []).prefix(messages.count)), "\(topic)")
        }
        #expect(Set(received).count == received.count)
    }

    @Test func liveSubscriberGetsOnlyWhatFollowsTheLivePoint() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 1000)
        // With a replay endpoint, as the CLI has by default: it must repair gaps, not replay the session.
        let live = try ChildProcess(
            Binaries.client,
            ["subscribe", "NYSE.", "--from", server.publish, "--replay", server.replay, "--format", "ndjson", "--count", "400"])
        _ = try live.waitForStderrLine(containing: "; live")
        #expect(try server.client(["publish", "--to", server.ingest, server.folder.path("input.csv")]).exitStatus == 0)
        #expect(try live.waitForExit() == 0, "\(live.stderr)")
        try server.stop()

        let expected = try Self.recorded(server, prefixes: ["NYSE."]).filter { $0.feedSequence > 1000 }.map(Delivered.init)
        #expect(try GapRepairTests.delivered(live) == expected)
    }

    @Test func replayFromASequenceAndFromATimeIsExactlyTheHistoryFromThere() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "5000"])
        try server.waitForStatus("recorded", atLeast: 4000)
        let recorded = try Self.recorded(server, prefixes: ["NYSE."], session: server.session)
        let pivot = try #require(recorded.dropFirst(recorded.count / 2).first)
        for point in [String(pivot.feedSequence), Timestamp(nanoseconds: pivot.publishTime).description] {
            let late = try ChildProcess(
                Binaries.client,
                ["subscribe", "NYSE.", "--from", server.publish, "--replay", server.replay, "--replay-from", point,
                 "--format", "ndjson", "--count", "2500"])
            #expect(try late.waitForExit() == 0, "\(late.stderr)")
            let received = try GapRepairTests.delivered(late)
            let expected = try Self.recorded(server, prefixes: ["NYSE."], session: server.session)
                .filter { $0.feedSequence >= pivot.feedSequence }.prefix(2500).map(Delivered.init)
            #expect(received.count == 2500)
            #expect(received == Array(expected), "--replay-from \(point)")
        }
        try server.stop()
    }

    @Test func publisherKilledAtFullRateIsASessionChangeWithNothingRecordedLostAndNoIdentityReused() throws {
        let folder = try TemporaryFolder()
        let endpoints = [
            "--publish", "ipc://\(folder.path("pub"))", "--ingest", "ipc://\(folder.path("ingest"))", "--replay", "ipc://\(folder.path("replay"))",
        ]
        // A second between history flushes: a kill loses the last part of the session.
        let first = try ServerFixture(extraArguments: ["--demo", "20000", "--block-flush-ms", "1000"], folder: folder, endpoints: endpoints)
        let subscriber = try ChildProcess(
            Binaries.client,
            ["subscribe", "NASDAQ.", "--from", first.publish, "--replay", first.replay, "--format", "ndjson", "--heartbeats", "--count", "30000"])
        try subscriber.waitForStdoutLines(5_000)
        first.process.signal(SIGKILL)
        _ = try first.process.waitForExit()
        let second = try ServerFixture(extraArguments: ["--demo", "20000"], databasePath: first.databasePath, folder: folder, endpoints: endpoints)
        #expect(second.session > first.session)
        #expect(try subscriber.waitForExit(timeout: 60) == 0, "\(subscriber.stderr)")
        try second.stop()

        #expect(subscriber.stderr.contains("publisher restarted: session \(first.session) -> \(second.session)"), "\(subscriber.stderr)")
        let heartbeat = try #require(subscriber.stderr.split(separator: "\n").first { $0.contains("heartbeat session=") })
        let livePoint = try #require(UInt64(heartbeat.split(separator: "seq=")[1]))
        let got = try GapRepairTests.delivered(subscriber)
        let history = try HistoryStore(path: first.databasePath, readOnly: true).queryAll(HistoryQuery()).decoded()
        let nasdaq = history.filter { $0.topic.venue == "NASDAQ" }
        let old = nasdaq.filter { $0.session == first.session && $0.feedSequence > livePoint }.map(Delivered.init)
        let new = nasdaq.filter { $0.session == second.session }.map(Delivered.init)
        #expect(old.count >= 1_000 && !new.isEmpty, "\(old.count) and \(new.count) recorded: nothing to compare")
        // Everything the history holds of the old session after the live point, each topic in
        // order; more may have come live that was never recorded.
        let recordedThrough = history.filter { $0.session == first.session }.last?.feedSequence ?? 0
        let oldGot = got.filter { $0.session == first.session }
        // Messages published between the prefix subscription and the heartbeat answer arrive
        // before the live point, and are rightly delivered: compare what follows it.
        let afterLive = oldGot.filter { $0.feedSequence > livePoint && $0.feedSequence <= recordedThrough }
        #expect(GapRepairTests.byTopic(afterLive) == GapRepairTests.byTopic(old))
        // The subscriber knew the old session had reached (at least) its last message's sequence.
        let seenThrough = oldGot.map(\.feedSequence).max() ?? 0
        if seenThrough > recordedThrough {
            #expect(
                subscriber.stderr.contains("unverified: session \(first.session) feed_seq \(recordedThrough + 1)-"),
                "\(subscriber.stderr)")
        }
        // The new session from each topic's first message, in order (what was published before
        // the subscriber reconnected comes from history), and each identity names one message.
        let newGot = GapRepairTests.byTopic(got.filter { $0.session == second.session })
        let newRecorded = GapRepairTests.byTopic(new)
        #expect(!newGot.isEmpty)
        for (topic, messages) in newGot {
            #expect(messages == Array((newRecorded[topic] ?? []).prefix(messages.count)), "\(topic) in the new session")
        }
        let identities = history.map { "\($0.session):\($0.feedSequence)" }
        #expect(Set(identities).count == identities.count, "a (session, sequence) pair names two messages")
        #expect(Set(got.map { "\($0.session):\($0.feedSequence)" }).count == got.count, "a message delivered twice")
    }

    /// Last value per topic under `prefix` as of each instant (publish time at or before it),
    /// from the SQLite file read by Python: independent of FeedHistory.
    static func bruteForceSnapshots(database: String, prefix: String, at instants: [Int64]) throws -> [Int64: [UInt64]] {
        let records = try HistoryFile.records(database)
        return Dictionary(uniqueKeysWithValues: instants.map { at in
            (at, HistoryFile.lastValues(records, prefixes: Watchlist([prefix]), at: at).map(\.feedSequence))
        })
    }

    @Test func snapshotAsOfAnyTimeMatchesBruteForceOverTheFile() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "5000", "--block-messages", "300"])
        try server.waitForStatus("recorded", atLeast: 3000)
        try server.stop()
        let restarted = try ServerFixture(databasePath: server.databasePath, folder: server.folder)
        defer { try? restarted.stop() }
        let times = try Self.recorded(restarted, prefixes: [""]).map(\.publishTime)
        // Before everything, at block edges and inside blocks, at and just after the last message.
        let instants = [times[0] - 1, times[0], times[299], times[300], times[1234], times[1700] + 1, times[2999], times.last!, times.last! + 1]
        let expected = try Self.bruteForceSnapshots(database: restarted.databasePath, prefix: "NASDAQ.", at: instants)
        #expect(expected[times[0] - 1] == [] && (expected[times.last!]?.count ?? 0) > 5)
        for at in instants {
            for source in [["--db", restarted.databasePath], ["--server", restarted.replay]] {
                let snapshot = try restarted.client(["snapshot", "NASDAQ.", "--at", String(at), "--format", "ndjson"] + source)
                #expect(snapshot.exitStatus == 0, "\(snapshot.stderr)")
                #expect(try GapRepairTests.delivered(snapshot).map(\.feedSequence) == expected[at], "snapshot at \(at) from \(source[0])")
            }
        }
    }

    @Test func snapshotThenLiveGivesEachTopicsLastValueOnceThenItsNextMessages() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 1000)
        // NASDAQ.AAPL lies under NASDAQ.: given both, each message still comes once.
        let late = try ChildProcess(
            Binaries.client,
            ["subscribe", "NASDAQ.AAPL", "NASDAQ.", "--from", server.publish, "--replay", server.replay, "--replay-from", "snapshot",
             "--format", "ndjson", "--count", "402"])
        _ = try late.waitForStderrLine(containing: "now live")
        #expect(try server.client(["publish", "--to", server.ingest, server.folder.path("input.csv")]).exitStatus == 0)
        #expect(try late.waitForExit() == 0, "\(late.stderr)")
        try server.stop()

        let history = try Self.recorded(server, prefixes: ["NASDAQ."])
        var latest: [String: FeedMessage] = [:]
        for message in history where message.feedSequence <= 1000 { latest[message.topic.rawValue] = message }
        let lastValues = latest.values.sorted { $0.feedSequence < $1.feedSequence }.map(Delivered.init)
        let next = history.filter { $0.feedSequence > 1000 }.map(Delivered.init)
        #expect(try GapRepairTests.delivered(late) == lastValues + next)
    }
}
