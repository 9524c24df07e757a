import FeedModel
import Foundation
import Testing

/// A chain with a multicast hop (issue 12 part 4): origin → relay 1 over epgm → relay 2 over
/// TCP → a late joiner at the edge, each relay recording and filling its history from the hop
/// before it.
extension MulticastLabTests {
    @Test func aChainWithAMulticastHopCarriesHistoryAndARestartToTheEdgeWithNoGapOrDuplicate() throws {
        let lab = try LabNetwork()
        let folder = try TemporaryFolder()
        // A fixed replay port: relay 1 fills from the same endpoint after the origin restarts.
        let endpoints = [
            "--publish", "tcp://127.0.0.1:*", "--ingest", "ipc://\(folder.path("ingest"))", "--replay",
            "tcp://\(try lab.address("pub")):5558",
        ]
        let origin = ["--multicast", Self.multicast, "--insecure"]
        let first = try ServerFixture(extraArguments: origin, folder: folder, endpoints: endpoints, namespace: lab.namespace("pub"))
        let relay1Address = try lab.address("sub1")
        let relay1 = try RelayFixture(
            ["--upstream", Self.multicast, "--upstream-replay", first.replay, "--publish", "tcp://\(relay1Address):*", "--db",
             folder.path("relay1.sqlite"), "--replay", "tcp://\(relay1Address):*", "--insecure"],
            namespace: lab.namespace("sub1"))
        let relay2 = try RelayFixture(
            ["--upstream", relay1.publish, "--upstream-replay", relay1.replay, "--publish", "ipc://\(folder.path("edge"))", "--db",
             folder.path("relay2.sqlite"), "--replay", "ipc://\(folder.path("edge-replay"))"],
            namespace: lab.namespace("sub2"))
        // Handshake: relay 2's subscriptions reached relay 1 (relay 1 takes everything over multicast).
        try relay1.waitForStatus("subscriptions", atLeast: 2)
        try first.publishRecordedSample(count: 2000)
        try relay2.waitForStatus("recorded", atLeast: 2000, timeout: 60)

        let edge = try RelayHistoryTests.lateJoiner(at: relay2, count: 4000)
        _ = try edge.waitForStderrLine(containing: "replayed 2000 messages from history; now live", timeout: 60)
        try first.stop()
        let second = try ServerFixture(
            extraArguments: origin, databasePath: first.databasePath, folder: folder, endpoints: endpoints, namespace: lab.namespace("pub"))
        #expect(second.session > first.session)
        try second.publishRecordedSample(count: 2000)
        #expect(try edge.waitForExit(timeout: 90) == 0, "\(edge.stderr)")
        for relay in [relay2, relay1] { try relay.stop() }
        try second.stop()
        let overMulticast = try relay1.process.stopSummary()
        #expect(try #require(overMulticast["forwarded"]) > 0, "relay 1 got nothing over multicast: \(overMulticast)")

        let history = try RelayHistoryTests.history(first.databasePath)
        #expect(history.count == 4000 && Set(history.map(\.session)) == [first.session, second.session])
        #expect(try GapRepairTests.delivered(edge) == history, "the edge client's stream is not the origin's history")
        #expect(try RelayHistoryTests.history(folder.path("relay1.sqlite")) == history, "relay 1 (multicast upstream)")
        #expect(try RelayHistoryTests.history(folder.path("relay2.sqlite")) == history, "relay 2")
        #expect(edge.stderr.components(separatedBy: "publisher restarted:").count == 2, "\(edge.stderr)")
        #expect(edge.stderr.contains("publisher restarted: session \(first.session) -> \(second.session)"), "\(edge.stderr)")
        #expect(!edge.stderr.contains("gap:") && !edge.stderr.contains("unverified:"), "\(edge.stderr)")
    }
}
