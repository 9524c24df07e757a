import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing

/// Relays that serve what they recorded (`--replay`) and fill their history from the origin's
/// (`--upstream-replay`): late joiners at the edge, a chain through an origin restart, a relay
/// that lost messages on the way.
@Suite(.serialized)
struct RelayHistoryTests {
    typealias Delivered = GapRepairTests.Delivered

    /// Every message of the history file at `path`, in the order a query returns them.
    static func history(_ path: String) throws -> [Delivered] {
        try HistoryStore(path: path, readOnly: true).queryAll(HistoryQuery()).decoded().map(Delivered.init)
    }

    /// A late-joining `feed-client subscribe` from everything at the start of the session, at a
    /// relay's publish and replay endpoints, stopping after `count` messages.
    static func lateJoiner(at relay: RelayFixture, count: Int) throws -> ChildProcess {
        try ChildProcess(
            Binaries.client,
            ["subscribe", "--from", relay.publish, "--replay", relay.replay, "--replay-from", "start", "--format", "ndjson",
             "--count", String(count)])
    }

    @Test func aLateJoinerAtTheRelayGetsTheRelaysHistoryThenLiveWithNoGapOrDuplicate() throws {
        let origin = try ServerFixture()
        let relayHistory = origin.folder.path("relay.sqlite")
        let relay = try RelayFixture(
            ["--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*", "--db", relayHistory, "--replay", "tcp://127.0.0.1:*"])
        // Handshake: the recording relay's two subscriptions (everything, heartbeats) reached the origin.
        try origin.waitForStatus("subscriptions", atLeast: 2)
        try origin.publishRecordedSample(count: 2000)
        try relay.waitForStatus("recorded", atLeast: 2000)

        let late = try Self.lateJoiner(at: relay, count: 4000)
        _ = try late.waitForStderrLine(containing: "replayed 2000 messages from history; now live")
        try origin.publishRecordedSample(count: 2000)
        #expect(try late.waitForExit() == 0, "\(late.stderr)")
        try relay.waitForStatus("recorded", atLeast: 4000)
        let snapshot = try relay.client(["snapshot", "--server", relay.replay, "--format", "ndjson"])
        let originSnapshot = try origin.client(["snapshot", "--server", origin.replay, "--format", "ndjson"])
        #expect(!snapshot.stdout.isEmpty && snapshot.stdout == originSnapshot.stdout, "the relay's snapshot is not the origin's")
        try relay.stop()
        try origin.stop()

        let received = try GapRepairTests.delivered(late)
        #expect(received.count == 4000)
        #expect(Set(received).count == received.count, "duplicates delivered")
        #expect(received == (try Self.history(relayHistory)), "what the late joiner got is not the relay's history")
        #expect((try Self.history(relayHistory)) == (try Self.history(origin.databasePath)))
        #expect(!late.stderr.contains("gap:"), "\(late.stderr)")
    }

    @Test func aChainOfRelaysCarriesHistoryAndAnOriginRestartToTheEdgeAsOneSessionChange() throws {
        let folder = try TemporaryFolder()
        let endpoints = [
            "--publish", "ipc://\(folder.path("pub"))", "--ingest", "ipc://\(folder.path("ingest"))", "--replay",
            "ipc://\(folder.path("replay"))",
        ]
        let first = try ServerFixture(folder: folder, endpoints: endpoints)
        // origin → relay 1 over ipc, relay 1 → relay 2 over tcp, the edge client on ipc; each
        // relay fills its history from the hop before it.
        let relay1 = try RelayFixture(
            ["--upstream", first.publish, "--upstream-replay", first.replay, "--publish", "tcp://127.0.0.1:*", "--db",
             folder.path("relay1.sqlite"), "--replay", "tcp://127.0.0.1:*"])
        let relay2 = try RelayFixture(
            ["--upstream", relay1.publish, "--upstream-replay", relay1.replay, "--publish", "ipc://\(folder.path("edge"))", "--db",
             folder.path("relay2.sqlite"), "--replay", "ipc://\(folder.path("edge-replay"))"])
        // Handshake: each recording relay's two subscriptions reached the hop before it.
        try first.waitForStatus("subscriptions", atLeast: 2)
        try relay1.waitForStatus("subscriptions", atLeast: 2)
        try first.publishRecordedSample(count: 2000)
        try relay2.waitForStatus("recorded", atLeast: 2000)

        let edge = try Self.lateJoiner(at: relay2, count: 4000)
        _ = try edge.waitForStderrLine(containing: "replayed 2000 messages from history; now live")
        try first.stop()
        let second = try ServerFixture(databasePath: first.databasePath, folder: folder, endpoints: endpoints)
        #expect(second.session > first.session)
        // Handshake: relay 1 reconnected and subscribed again.
        try second.waitForStatus("subscriptions", atLeast: 2)
        try second.publishRecordedSample(count: 2000)
        #expect(try edge.waitForExit(timeout: 60) == 0, "\(edge.stderr)")
        var filled: [Int] = []
        for relay in [relay2, relay1] {
            try relay.stop()
            filled.append(try #require(try relay.process.stopSummary()["filled"]))
        }
        try second.stop()
        #expect(filled == [0, 0], "nothing was lost on the way, so nothing was filled")

        let origin = try Self.history(first.databasePath)
        #expect(origin.count == 4000 && Set(origin.map(\.session)) == [first.session, second.session])
        let received = try GapRepairTests.delivered(edge)
        #expect(received == origin, "the edge client's stream is not the origin's history")
        #expect((try Self.history(folder.path("relay1.sqlite"))) == origin)
        #expect((try Self.history(folder.path("relay2.sqlite"))) == origin)
        #expect(edge.stderr.components(separatedBy: "publisher restarted:").count == 2, "\(edge.stderr)")
        #expect(edge.stderr.contains("publisher restarted: session \(first.session) -> \(second.session)"))
        #expect(!edge.stderr.contains("gap:") && !edge.stderr.contains("unverified:"), "\(edge.stderr)")
    }

    @Test func aRelayThatLostMessagesOnTheWayFillsItsHistoryFromTheOriginAndRepairsItsClients() throws {
        // One message queued toward each subscriber: the origin drops for the relay whenever its
        // connection lags, as a multicast receiver loses past PGM's recovery window.
        let origin = try ServerFixture(extraArguments: ["--send-hwm", "1"])
        let relayHistory = origin.folder.path("relay.sqlite")
        let relay = try RelayFixture(
            ["--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*", "--db", relayHistory, "--replay", "tcp://127.0.0.1:*",
             "--upstream-replay", origin.replay])
        try origin.waitForStatus("subscriptions", atLeast: 2)
        // A live client of the relay sees the relay's losses and repairs them from the relay.
        let count = 30_000
        let client = try ChildProcess(
            Binaries.client,
            ["subscribe", "--from", relay.publish, "--replay", relay.replay, "--format", "ndjson", "--count", String(count)])
        _ = try client.waitForStderrLine(containing: "; live")
        try origin.publishRecordedSample(count: count)
        // The origin's heartbeats carry its last sequence, so a lost tail is filled too.
        try relay.waitForStatus("recorded", atLeast: count, timeout: 60)
        #expect(try client.waitForExit(timeout: 90) == 0, "\(client.stderr)")
        try relay.stop()
        let summary = try relay.process.stopSummary()
        try origin.stop()

        let forwarded = try #require(summary["forwarded"])
        let filled = try #require(summary["filled"])
        #expect(forwarded < count && filled > 0, "the relay lost nothing on the way (forwarded \(forwarded)): nothing was shown")
        #expect(forwarded + filled == count, "forwarded \(forwarded) and filled \(filled) of \(count)")
        let history = try Self.history(origin.databasePath)
        #expect(try Self.history(relayHistory) == history, "the relay's history is not the origin's")
        // A repaired message comes right before its topic's next one: each topic in order, every message once.
        let received = try GapRepairTests.delivered(client)
        #expect(received.count == count && Set(received) == Set(history), "\(received.count) received")
        #expect(Dictionary(grouping: received, by: \.topic).values.allSatisfy { $0.map(\.topicSequence) == Array(1...UInt64($0.count)) })
        #expect(!client.stderr.contains("gap:"), "\(client.stderr)")
    }

    @Test func aRelayWhoseUpstreamReplayIsNotThereRecordsWhatItGotSaysWhatIsMissingAndStopsInTime() throws {
        let origin = try ServerFixture(extraArguments: ["--send-hwm", "1"])
        let relayHistory = origin.folder.path("relay.sqlite")
        let relay = try RelayFixture(
            ["--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*", "--db", relayHistory,
             "--upstream-replay", "ipc://\(origin.folder.path("nothing-listens-here"))"])
        try origin.waitForStatus("subscriptions", atLeast: 2)
        try origin.publishRecordedSample(count: 10_000)
        // Each fill is given up once nothing came of it for its timeout; the messages held behind it are recorded then.
        let lacking = try relay.process.waitForStderrLine(containing: "not filled from upstream", timeout: 30)
        #expect(lacking.contains("lacks"), "\(lacking)")
        try relay.stop()
        let summary = try relay.process.stopSummary()
        try origin.stop()

        let forwarded = try #require(summary["forwarded"])
        #expect(summary["filled"] == 0 && forwarded < 10_000, "\(summary)")
        let recorded = try Self.history(relayHistory)
        #expect(recorded.count == forwarded, "everything forwarded is recorded")
        let sequences = recorded.map(\.feedSequence)
        #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 }, "the relay's history is out of order")
        #expect(Set(recorded).isSubset(of: Set(try Self.history(origin.databasePath))))
    }

    @Test func aRelayServesHistoryWithCurveAndEntitlementsAsTheServerDoes() throws {
        let origin = try ServerFixture()
        let keys = try CurveKeys()
        let alice = try keys.client("alice", roles: "subscribe,replay", prefixes: "NASDAQ.")
        let dave = try keys.client("dave", roles: "subscribe", prefixes: "*")
        let relayHistory = origin.folder.path("relay.sqlite")
        let relay = try RelayFixture(
            ["--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*", "--db", relayHistory, "--replay", "tcp://127.0.0.1:*"]
                + keys.serverArguments)
        try origin.waitForStatus("subscriptions", atLeast: 2)
        try origin.publishRecordedSample(count: 500)
        try relay.waitForStatus("recorded", atLeast: 500, credentials: alice)

        let history = try relay.client(["history", "--server", relay.replay, "--format", "ndjson"] + alice)
        #expect(history.exitStatus == 0, "\(history.stderr)")
        let nasdaq = try Self.history(origin.databasePath).filter { $0.topic.hasPrefix("NASDAQ.") }
        #expect(!nasdaq.isEmpty)
        #expect(try GapRepairTests.delivered(history) == nasdaq, "alice gets exactly the NASDAQ. part of the history")
        let refused = try relay.client(["history", "NYSE.", "--server", relay.replay] + alice)
        #expect(refused.exitStatus == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("not entitled to prefix 'NYSE.' (client alice)"), "\(refused.stderr)")
        let status = try relay.client(["status", "--server", relay.replay] + dave)
        #expect(status.exitStatus == 65, "\(status.stderr)")
        #expect(status.stderr.contains("status needs the replay role (client dave)"), "\(status.stderr)")
        try relay.stop()
        try origin.stop()
    }

    @Test func replayWithoutAHistoryIsAUsageError() throws {
        for extra in [["--replay", "tcp://127.0.0.1:*"], ["--upstream-replay", "tcp://127.0.0.1:5558"]] {
            let relay = try ChildProcess(
                Binaries.server, ["relay", "--upstream", "tcp://127.0.0.1:5556", "--publish", "tcp://127.0.0.1:*"] + extra)
            #expect(try relay.waitForExit() == 64)
            #expect(relay.stderr.split(separator: "\n").count == 1, "\(relay.stderr)")
        }
    }
}
