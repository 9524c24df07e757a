import FeedHistory
import FeedModel
import Foundation
import Testing

/// PGM multicast between network namespaces: a publisher host and two subscriber hosts on a
/// bridge, running the real binaries. Skipped (not passed) where namespaces cannot be made.
@Suite(.serialized, .enabled(if: LabNetwork.isAvailable, "needs root and network namespaces (scripts/netns-lab.sh check)"))
struct MulticastLabTests {
    static let group = "239.192.7.1"
    static let port = 5601
    static var multicast: String { "epgm://lab0;\(group):\(port)" }

    /// A server in the lab's `pub` host, publishing on multicast; ingest and replay on ipc://
    /// sockets, which the test process reaches across namespaces through the file system.
    static func startServer(in lab: LabNetwork, extra: [String] = []) throws -> ServerFixture {
        let folder = try TemporaryFolder()
        return try ServerFixture(
            extraArguments: ["--multicast", multicast, "--multicast-rate", "100000"] + extra, folder: folder,
            endpoints: [
                "--publish", "tcp://127.0.0.1:*", "--ingest", "ipc://\(folder.path("ingest"))", "--replay",
                "ipc://\(folder.path("replay"))",
            ],
            namespace: lab.namespace("pub"))
    }

    static func subscriber(in lab: LabNetwork, host: String, prefixes: [String], count: Int, from endpoint: String = multicast) throws -> RunningProcess {
        let process = try LabNetwork.run(
            Binaries.client, ["subscribe"] + prefixes + ["--from", endpoint, "--format", "ndjson", "--count", String(count), "--connect-timeout-ms", "10000"],
            in: lab.namespace(host))
        _ = try process.waitForStderrLine(containing: "; live")
        return process
    }

    static func publish(_ server: ServerFixture, count: Int, offset: Int = 0) throws {
        let (csv, _) = FeedEndToEndTests.sampleInput(count: count)
        let file = server.folder.path("input-\(offset).csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let publisher = try server.client(["publish", "--to", server.ingest, file], timeout: 60)
        #expect(publisher.process.terminationStatus == 0, "\(publisher.stderr)")
    }

    /// Checks a subscriber got exactly the history's messages for its prefixes, once, in order.
    static func expectExactlyOnce(_ subscriber: RunningProcess, prefixes: [String], history: [FeedMessage], fromSequence: UInt64 = 1) throws {
        #expect(try subscriber.waitForExit(timeout: 60) == 0, "\(subscriber.stderr)")
        let received = try NDJSON.objects(subscriber.stdout).compactMap { ($0["seq"] as? NSNumber)?.uint64Value }
        let matchers = try prefixes.map { try TopicPrefix($0) }
        let expected = history.filter { message in
            message.feedSequence >= fromSequence && (matchers.isEmpty || matchers.contains { $0.matches(message.topic.rawValue) })
        }.map(\.feedSequence)
        #expect(received.count == expected.count, "received \(received.count) of \(expected.count)")
        #expect(received == expected, "missing, duplicated or out of order")
    }

    @Test func everySubscriberGetsItsPrefixesExactlyOnceInOrder() throws {
        let lab = try LabNetwork()
        let server = try Self.startServer(in: lab)
        let count = 20_000
        let (_, sample) = FeedEndToEndTests.sampleInput(count: count)
        let nasdaq = sample.filter { $0.topic.venue == "NASDAQ" }.count
        let sub1 = try Self.subscriber(in: lab, host: "sub1", prefixes: ["NASDAQ."], count: nasdaq)
        let sub2 = try Self.subscriber(in: lab, host: "sub2", prefixes: [], count: count)
        try Self.publish(server, count: count)
        try Self.expectExactlyOnceAfterStopping(server, [(sub1, ["NASDAQ."]), (sub2, [])])
    }

    @Test func pgmRepairsOnePercentRandomLoss() throws {
        let lab = try LabNetwork()
        try lab.addLoss(host: "sub2", percent: 1, port: Self.port)
        let server = try Self.startServer(in: lab)
        let count = 20_000
        let sub1 = try Self.subscriber(in: lab, host: "sub1", prefixes: [], count: count)
        let sub2 = try Self.subscriber(in: lab, host: "sub2", prefixes: [], count: count)
        try Self.publish(server, count: count)
        try Self.expectExactlyOnceAfterStopping(server, [(sub1, []), (sub2, [])])
    }

    @Test func lateSubscriberReceivesTheLiveStream() throws {
        let lab = try LabNetwork()
        let server = try Self.startServer(in: lab)
        try Self.publish(server, count: 5000)
        let late = try Self.subscriber(in: lab, host: "sub2", prefixes: ["NYSE."], count: 2000)
        // Everything published from now on reaches the late subscriber.
        let (_, sample) = FeedEndToEndTests.sampleInput(count: 5000)
        #expect(sample.filter { $0.topic.venue == "NYSE" }.count == 2000)
        try Self.publish(server, count: 5000, offset: 1)
        #expect(try late.waitForExit(timeout: 60) == 0, "\(late.stderr)")
        try server.stop()
        let history = try HistoryStore(path: server.databasePath, readOnly: true).queryAll(HistoryQuery(session: server.session)).decoded()
        let received = try NDJSON.objects(late.stdout).compactMap { ($0["seq"] as? NSNumber)?.uint64Value }
        let expected = history.filter { $0.feedSequence > 5000 && $0.topic.venue == "NYSE" }.map(\.feedSequence)
        #expect(received == expected)
    }

    @Test func relaysBridgeMulticastToTcpAndTcpToMulticast() throws {
        let lab = try LabNetwork()
        let folder = try TemporaryFolder()
        // Origin on the host side of nothing: in sub1, publishing over tcp inside sub1 and ipc.
        let server = try ServerFixture(
            folder: folder,
            endpoints: ["--publish", "ipc://\(folder.path("origin"))", "--ingest", "ipc://\(folder.path("ingest"))", "--replay", "ipc://\(folder.path("replay"))"],
            namespace: lab.namespace("sub1"))
        // TCP/IPC to multicast: a relay in pub forwards the origin's NASDAQ. onto multicast.
        let toMulticast = try LabNetwork.run(
            Binaries.server, ["relay", "--upstream", "ipc://\(folder.path("origin"))", "--subscribe", "NASDAQ.", "--multicast", Self.multicast],
            in: lab.namespace("pub"))
        _ = try toMulticast.waitForStderrLine(containing: "feed-relay ready")
        // Multicast to TCP: a relay in sub2 republishes what it hears on loopback tcp in sub2.
        let toTcp = try LabNetwork.run(
            Binaries.server, ["relay", "--upstream", Self.multicast, "--publish", "tcp://127.0.0.1:5700"], in: lab.namespace("sub2"))
        _ = try toTcp.waitForStderrLine(containing: "feed-relay ready")
        let (_, sample) = FeedEndToEndTests.sampleInput(count: 4000)
        let nasdaq = sample.filter { $0.topic.venue == "NASDAQ" }.count
        let client = try Self.subscriber(in: lab, host: "sub2", prefixes: ["NASDAQ.MSFT", "NYSE."], count: sample.filter { $0.topic.rawValue == "NASDAQ.MSFT" }.count, from: "tcp://127.0.0.1:5700")
        #expect(nasdaq > 0)
        try Self.publish(server, count: 4000)
        #expect(try client.waitForExit(timeout: 60) == 0, "\(client.stderr)")
        for relay in [toMulticast, toTcp] {
            relay.signal(SIGTERM)
            #expect(try relay.waitForExit(timeout: 5) == 0)
        }
        try server.stop()
        let history = try HistoryStore(path: server.databasePath, readOnly: true).queryAll(HistoryQuery(session: server.session)).decoded()
        let received = try NDJSON.objects(client.stdout)
        #expect(received.compactMap { ($0["seq"] as? NSNumber)?.uint64Value } == history.filter { $0.topic.rawValue == "NASDAQ.MSFT" }.map(\.feedSequence))
        #expect(received.allSatisfy { ($0["session"] as? NSNumber)?.uint32Value == server.session }, "origin session must pass through")
    }

    static func expectExactlyOnceAfterStopping(_ server: ServerFixture, _ subscribers: [(RunningProcess, [String])]) throws {
        for (subscriber, _) in subscribers { _ = try? subscriber.waitForExit(timeout: 60) }
        try server.stop()
        let history = try HistoryStore(path: server.databasePath, readOnly: true).queryAll(HistoryQuery(session: server.session)).decoded()
        for (subscriber, prefixes) in subscribers { try expectExactlyOnce(subscriber, prefixes: prefixes, history: history) }
    }
}
