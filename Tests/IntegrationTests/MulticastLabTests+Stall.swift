import FeedModel
import Foundation
import Testing

/// Losses past PGM's recovery window: libzmq's receiver stalls after one (``MulticastRejoin``),
/// so relays and subscribers rejoin the group and fill what they missed from history.
extension MulticastLabTests {
    /// A recovery window too short for most repairs: losses stay lost on the multicast hop.
    static let shortRecoveryWindow = ["--multicast-recovery-ms", "20"]

    @Test func aRelayThatLostMulticastPastTheRecoveryWindowFillsItsHistoryFromTheOrigin() throws {
        let lab = try LabNetwork()
        try lab.addLoss(host: "sub1", percent: 5, port: Self.port)
        let server = try Self.startServer(in: lab, extra: Self.shortRecoveryWindow)
        let relayAddress = try lab.address("sub1")
        let relay = try RelayFixture(
            ["--upstream", Self.multicast, "--upstream-replay", server.replay, "--publish", "tcp://\(relayAddress):*", "--db",
             server.folder.path("relay.sqlite"), "--replay", "tcp://\(relayAddress):*", "--insecure"],
            namespace: lab.namespace("sub1"))
        let count = 20_000
        try server.publishRecordedSample(count: count)
        try relay.waitForStatus("recorded", atLeast: count, timeout: 60)
        try relay.stop()
        let summary = try relay.process.stopSummary()
        try server.stop()
        #expect(try RelayHistoryTests.history(server.folder.path("relay.sqlite")) == RelayHistoryTests.history(server.databasePath))
        #expect(try #require(summary["filled"]) > 0, "nothing was lost past the recovery window: \(summary)")
        #expect(try lab.droppedPackets(host: "sub1") > 0)
    }

    @Test func aSubscriberWhoseMulticastStalledAfterAnUnrepairableLossRejoinsAndRepairsFromHistory() throws {
        let lab = try LabNetwork()
        try lab.addLoss(host: "sub1", percent: 5, port: Self.port)
        let server = try Self.startServer(in: lab, extra: Self.shortRecoveryWindow)
        let count = 20_000
        let subscriber = try Self.subscriber(in: lab, host: "sub1", prefixes: [], count: count, extra: ["--replay", server.replay])
        try Self.publish(server, count: count)
        #expect(try subscriber.waitForExit(timeout: 90) == 0, "\(subscriber.stderr)")
        try server.stop()
        // Repaired messages come right before their topic's next one: each topic in order, every message once.
        let history = try Self.history(server).map(GapRepairTests.Delivered.init)
        let received = try GapRepairTests.delivered(subscriber)
        #expect(received.count == count && Set(received) == Set(history), "\(received.count) received, \(Set(received).count) distinct")
        #expect(Dictionary(grouping: received, by: \.topic).values.allSatisfy { $0.map(\.topicSequence) == Array(1...UInt64($0.count)) })
        #expect(subscriber.stderr.contains("rejoined multicast"), "no stall shown: \(subscriber.stderr)")
        #expect(try lab.droppedPackets(host: "sub1") > 0)
    }
}
