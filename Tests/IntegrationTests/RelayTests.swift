import FeedHistory
import FeedModel
import Foundation
import Testing

/// Relays on loopback and ipc: chains, prefix filtering at the source, recording, origin
/// sequence numbers passing through.
@Suite(.serialized)
struct RelayTests {
    @Test func chainedRelaysForwardOnlyTheirPrefixesWithOriginSequences() throws {
        let folder = try TemporaryFolder()
        let nasdaq = try ServerFixture(folder: folder)
        var nyse = try ServerFixture(databasePath: folder.path("second.sqlite"), folder: folder)
        if nyse.session == nasdaq.session {
            // Started in the same second: a restart on the same history always takes a later session.
            try nyse.stop()
            nyse = try ServerFixture(databasePath: folder.path("second.sqlite"), folder: folder)
        }
        // Relay 1 takes two origins and republishes on ipc, recording; relay 2 chains to tcp.
        let relay1 = try RunningProcess(
            Binaries.server,
            ["relay", "--upstream", nasdaq.publish, "--upstream", nyse.publish, "--subscribe", "NASDAQ.", "--subscribe", "NYSE.IBM",
             "--publish", "ipc://\(folder.path("relay1"))", "--db", folder.path("relay1.sqlite")])
        _ = try relay1.waitForStderrLine(containing: "feed-relay ready")
        let relay2 = try RunningProcess(
            Binaries.server, ["relay", "--upstream", "ipc://\(folder.path("relay1"))", "--publish", "tcp://127.0.0.1:*"])
        let ready = try relay2.waitForStderrLine(containing: "feed-relay ready")
        let endpoint = String(ready.split(separator: " ").first { $0.hasPrefix("publish=") }!.dropFirst("publish=".count))

        let (csv, sample) = FeedEndToEndTests.sampleInput(count: 2000)
        let wanted = sample.filter { $0.topic.venue == "NASDAQ" || $0.topic.rawValue == "NYSE.IBM" }.count
        let client = try RunningProcess(Binaries.client, ["subscribe", "--from", endpoint, "--format", "ndjson", "--count", String(2 * wanted)])
        _ = try client.waitForStderrLine(containing: "; live")
        let input = folder.path("input.csv")
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        for origin in [nasdaq, nyse] {
            // Handshake: relay 1's subscriptions (its prefixes and heartbeats) reached this origin.
            try origin.waitForStatus("subscriptions", atLeast: 3)
            let publisher = try origin.client(["publish", "--to", origin.ingest, input])
            #expect(publisher.process.terminationStatus == 0)
        }
        #expect(try client.waitForExit() == 0, "\(client.stderr)")
        let received = try NDJSON.objects(client.stdout)
        #expect(received.allSatisfy { ($0["topic"] as? String).map { $0.hasPrefix("NASDAQ.") || $0 == "NYSE.IBM" } ?? false })
        for relay in [relay2, relay1] {
            relay.signal(SIGTERM)
            #expect(try relay.waitForExit(timeout: 5) == 0)
        }
        let recorded = try HistoryStore(path: folder.path("relay1.sqlite"), readOnly: true).messageCount()
        #expect(recorded == 2 * wanted)
        // Stopping an origin flushes its history, so what it recorded is complete only now.
        try nasdaq.stop()
        try nyse.stop()
        for origin in [nasdaq, nyse] {
            let fromOrigin = received.filter { ($0["session"] as? NSNumber)?.uint32Value == origin.session }
            let history = try HistoryStore(path: origin.databasePath, readOnly: true).queryAll(HistoryQuery()).decoded()
                .filter { $0.topic.venue == "NASDAQ" || $0.topic.rawValue == "NYSE.IBM" }
            let sequences = fromOrigin.compactMap { ($0["seq"] as? NSNumber)?.uint64Value }
            #expect(
                sequences == history.map(\.feedSequence),
                "origin session \(origin.session): \(sequences.count) received, \(history.count) recorded; sessions \(nasdaq.session), \(nyse.session)")
        }
    }
}
