import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// Relays on loopback and ipc: chains, prefix filtering at the source, recording, origin
/// sequence numbers passing through.
@Suite(.serialized)
struct RelayTests {
    /// A heartbeat on the wire: two ZMTP frames of a one-byte flag and a one-byte length each,
    /// the topic and the body.
    static let heartbeatWireBytes = wireBytes([FeedMessage(topic: .heartbeat, eventTime: 0, payload: .heartbeat)])

    static func wireBytes(_ messages: [FeedMessage]) -> Int {
        messages.reduce(0) { $0 + 4 + $1.topic.rawValue.utf8.count + $1.encodedBody().count }
    }

    /// Bytes the kernel sent on every TCP connection from `port` (an origin's publish port, which
    /// only the relay under test connects to): what crossed the link. (Not the bytes acknowledged:
    /// a delayed acknowledgement can still be on its way when the subscriber has the last message.)
    static func bytesSent(fromPort port: Substring) throws -> Int {
        let ss = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["ss", "-tinH", "state", "established", "( sport = :\(port) )"])
        guard try ss.waitForExit() == 0 else { throw ss.failure("failed") }
        let counts = ss.stdout.split(whereSeparator: \.isWhitespace).compactMap { $0.hasPrefix("bytes_sent:") ? Int($0.dropFirst("bytes_sent:".count)) : nil }
        guard !counts.isEmpty else { throw FixtureFailure("no connection from port \(port): \(ss.stdout)") }
        return counts.reduce(0, +)
    }

    /// Checks that `carried` bytes are exactly `wanted` on the wire plus some heartbeats, nothing else.
    static func expectLinkCarried(_ carried: Int, only wanted: [FeedMessage], sourceLocation: SourceLocation = #_sourceLocation) {
        let extra = carried - wireBytes(wanted)
        #expect(
            extra >= 0 && extra % heartbeatWireBytes == 0 && extra / heartbeatWireBytes < 100,
            "\(carried) bytes crossed: \(wireBytes(wanted)) for the \(wanted.count) wanted messages and \(extra) more, not a few heartbeats",
            sourceLocation: sourceLocation)
    }

    /// Starts `feed-server relay` with `arguments` and waits until it is ready; returns it and
    /// the first endpoint it publishes on.
    static func startRelay(_ arguments: [String]) throws -> (relay: ChildProcess, endpoint: String) {
        let relay = try RelayFixture(arguments)
        return (relay.process, relay.publish)
    }

    @Test func upstreamCarriesOnlyWhatSubscribersWantAndStopsWhenTheyLeave() throws {
        let origin = try ServerFixture()
        let (relay, endpoint) = try Self.startRelay(
            ["--upstream", origin.publish, "--subscribe", "NASDAQ.", "--subscribe", "NYSE.IBM", "--publish", "tcp://127.0.0.1:*",
             "--log-level", "debug"])
        let port = origin.publish.split(separator: ":").last!
        let (csv, sample) = FeedEndToEndTests.sampleInput(count: 2000)
        let input = origin.folder.path("input.csv")
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        func subscriber(_ prefix: String, count: Int) throws -> ChildProcess {
            let client = try ChildProcess(Binaries.client, ["subscribe", prefix, "--from", endpoint, "--format", "ndjson", "--count", String(count)])
            _ = try client.waitForStderrLine(containing: "; live")
            return client
        }
        func publish() throws {
            #expect(try origin.client(["publish", "--to", origin.ingest, input]).exitStatus == 0)
        }

        // A subscriber of NASDAQ.AAPL: the relay may forward all of NASDAQ., but asks the origin
        // for NASDAQ.AAPL only. Handshake: the origin saw the relay's heartbeat subscription,
        // NASDAQ.AAPL, and the heartbeat subscription passed on after it (3 in all).
        let aapl = sample.filter { $0.topic.rawValue == "NASDAQ.AAPL" }
        let first = try subscriber("NASDAQ.AAPL", count: aapl.count)
        try origin.waitForStatus("subscriptions", atLeast: 3)
        var before = try Self.bytesSent(fromPort: port)
        try publish()
        #expect(try first.waitForExit() == 0, "\(first.stderr)")
        Self.expectLinkCarried(try Self.bytesSent(fromPort: port) - before, only: aapl)

        // It left: the relay cancels NASDAQ.AAPL upstream. A subscriber of NYSE.IBM joins; its
        // subscriptions reach the origin after that cancel (2 more), so the origin applied it.
        _ = try relay.waitForStderrLine(containing: "upstream unsubscribe 'NASDAQ.AAPL'")
        let ibm = sample.filter { $0.topic.rawValue == "NYSE.IBM" }
        let second = try subscriber("NYSE.IBM", count: ibm.count)
        try origin.waitForStatus("subscriptions", atLeast: 5)
        before = try Self.bytesSent(fromPort: port)
        try publish()
        #expect(try second.waitForExit() == 0, "\(second.stderr)")
        Self.expectLinkCarried(try Self.bytesSent(fromPort: port) - before, only: ibm)

        try relay.expectCleanStop()
        try origin.stop()
    }

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
        let relay1 = try ChildProcess(
            Binaries.server,
            ["relay", "--upstream", nasdaq.publish, "--upstream", nyse.publish, "--subscribe", "NASDAQ.", "--subscribe", "NYSE.IBM",
             "--publish", "ipc://\(folder.path("relay1"))", "--db", folder.path("relay1.sqlite")])
        _ = try relay1.waitForStderrLine(containing: "feed-relay ready")
        let (relay2, endpoint) = try Self.startRelay(["--upstream", "ipc://\(folder.path("relay1"))", "--publish", "tcp://127.0.0.1:*"])

        let (csv, sample) = FeedEndToEndTests.sampleInput(count: 2000)
        let wanted = sample.filter { $0.topic.venue == "NASDAQ" || $0.topic.rawValue == "NYSE.IBM" }.count
        let client = try ChildProcess(Binaries.client, ["subscribe", "--from", endpoint, "--format", "ndjson", "--count", String(2 * wanted)])
        _ = try client.waitForStderrLine(containing: "; live")
        let input = folder.path("input.csv")
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        for origin in [nasdaq, nyse] {
            // Handshake: relay 1's subscriptions (its prefixes and heartbeats) reached this origin.
            try origin.waitForStatus("subscriptions", atLeast: 3)
            let publisher = try origin.client(["publish", "--to", origin.ingest, input])
            #expect(publisher.exitStatus == 0)
        }
        #expect(try client.waitForExit() == 0, "\(client.stderr)")
        let received = try NDJSON.objects(client.stdout)
        #expect(received.allSatisfy { ($0["topic"] as? String).map { $0.hasPrefix("NASDAQ.") || $0 == "NYSE.IBM" } ?? false })
        for relay in [relay2, relay1] { try relay.expectCleanStop() }
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

    @Test func aRelayHoldingTenThousandSubscriptionsForwardsAfterTheyAllChange() throws {
        let origin = try ServerFixture()
        let (relay, endpoint) = try Self.startRelay(
            ["--upstream", origin.publish, "--subscribe", "NASDAQ.", "--subscribe", "NYSE.", "--publish", "tcp://127.0.0.1:*"])
        let port = origin.publish.split(separator: ":").last!
        let (csv, sample) = FeedEndToEndTests.sampleInput(count: 2000)
        try origin.folder.write(csv, to: "input.csv")
        func publish() throws {
            #expect(try origin.client(["publish", "--to", origin.ingest, origin.folder.path("input.csv")]).exitStatus == 0)
        }

        // 10,000 distinct prefixes: NASDAQ.AAPL and 9,999 symbols the sample never has. Handshake:
        // the origin saw the relay's heartbeat subscription, the subscriber's passed on, and the
        // 10,000 (10,002 in all).
        let held = ["NASDAQ.AAPL"] + (1..<10_000).map { "NASDAQ.Q\($0)" }
        let context = try ZMQContext()
        let subscriber = try RawSubscriber(context: context, endpoint: endpoint, prefixes: held)
        try origin.waitForStatus("subscriptions", atLeast: 10_002)
        let aapl = sample.filter { $0.topic.rawValue == "NASDAQ.AAPL" }
        var before = try Self.bytesSent(fromPort: port)
        try publish()
        #expect(try subscriber.receive(count: aapl.count).allSatisfy { $0[0] == Array("NASDAQ.AAPL".utf8) })
        Self.expectLinkCarried(try Self.bytesSent(fromPort: port) - before, only: aapl)

        // All 10,000 change: cancelled, then NYSE.IBM taken, in that order on one connection, so
        // the origin seeing NYSE.IBM means the relay passed on every cancel before it.
        for prefix in held { try subscriber.socket.set(.unsubscribe, Array(prefix.utf8)) }
        try subscriber.socket.set(.subscribe, Array("NYSE.IBM".utf8))
        try origin.waitForStatus("subscriptions", atLeast: 10_003)
        let ibm = sample.filter { $0.topic.rawValue == "NYSE.IBM" }
        before = try Self.bytesSent(fromPort: port)
        try publish()
        #expect(try subscriber.receive(count: ibm.count).allSatisfy { $0[0] == Array("NYSE.IBM".utf8) })
        Self.expectLinkCarried(try Self.bytesSent(fromPort: port) - before, only: ibm)

        try relay.expectCleanStop()
        try origin.stop()
    }

    @Test func aRelayForwardsOnlyThePrefixesItsTenThousandLineFileLists() throws {
        let origin = try ServerFixture()
        // NYSE.IBM and 9,999 symbols the sample never has, none a prefix of another.
        let listed = (1..<10_000).map { String(format: "LSE.W%05d", $0) } + ["NYSE.IBM"]
        try origin.folder.write(listed.joined(separator: "\n") + "\n", to: "watchlist.txt")
        let (relay, endpoint) = try Self.startRelay(
            ["--upstream", origin.publish, "--subscribe-from", origin.folder.path("watchlist.txt"), "--publish", "tcp://127.0.0.1:*"])
        let (csv, sample) = FeedEndToEndTests.sampleInput(count: 2000)
        try origin.folder.write(csv, to: "input.csv")
        let ibm = sample.filter { $0.topic.rawValue == "NYSE.IBM" }
        let client = try ChildProcess(Binaries.client, ["subscribe", "--from", endpoint, "--format", "ndjson", "--count", String(ibm.count)])
        _ = try client.waitForStderrLine(containing: "; live")
        // Handshake: the origin saw all 10,003 subscriptions: the relay's heartbeat, the 10,000
        // listed prefixes the subscriber's everything stands for, and a heartbeat passed on for
        // each of the subscriber's two ("" and the heartbeat topic).
        try origin.waitForStatus("subscriptions", atLeast: 10_003)
        #expect(try origin.client(["publish", "--to", origin.ingest, origin.folder.path("input.csv")]).exitStatus == 0)
        #expect(try client.waitForExit() == 0, "\(client.stderr)")
        #expect(try NDJSON.objects(client.stdout).map { $0["topic"] as? String } == ibm.map { $0.topic.rawValue })
        try relay.expectCleanStop()
        #expect(try relay.stopSummary()["forwarded"] == ibm.count, "\(relay.stderr)")
        try origin.stop()
    }

    @Test func aBadSubscribeFromListExits64WithOneLineNamingIt() throws {
        let folder = try TemporaryFolder()
        try folder.write("NASDAQ.\n# a comment\nnasdaq.aapl\n", to: "watchlist.txt")
        try folder.write("# nothing yet\n\n", to: "empty.txt")
        for (file, reason) in [("watchlist.txt", "--subscribe-from \(folder.path("watchlist.txt")) line 3:"), ("empty.txt", "lists no prefix")] {
            let relay = try ChildProcess(
                Binaries.server,
                ["relay", "--upstream", "tcp://127.0.0.1:5556", "--publish", "tcp://127.0.0.1:*", "--subscribe-from", folder.path(file)])
            #expect(try relay.waitForExit() == 64, "\(relay.stderr)")
            let lines = relay.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(reason), "\(relay.stderr)")
        }
    }
}
