import FeedModel
import Foundation
import Testing

/// A/B lines over multicast (issue 12): the server publishes the same sequenced feed on two
/// groups, and one subscriber takes both.
extension MulticastLabTests {
    /// Line B: its own group, on the lab's second network (`lab1`), so line A's link can go down alone.
    static let lineB = "epgm://lab1;239.192.7.2:5602"

    /// Each group loses 5 % of its packets on the way into the subscriber's host, independently
    /// (a rule per port). PGM repairs each line in order, so a line stalls on its losses while
    /// the other brings the same messages: both lines win first copies, and nothing is asked of
    /// the history. Then line A's link goes down mid-stream (`ip link set lab0 down` in the
    /// subscriber's host; line B and the replay endpoint are on `lab1`): no gap, line A reported
    /// silent, the output equal to the history.
    @Test func twoGroupsWithIndependentLossGiveOneCompleteStreamAndLineAGoingDownLeavesNoGap() throws {
        let lab = try LabNetwork()
        try lab.addSecondLine()
        try lab.addLoss(host: "sub1", percent: 5, port: Self.port)
        try lab.addLoss(host: "sub1", percent: 5, port: 5602)
        let server = try Self.startServer(in: lab, extra: ["--multicast", Self.lineB], replayInterface: "lab1")
        let client = try LabNetwork.run(
            Binaries.client,
            ["subscribe", "--from", Self.multicast, "--from", Self.lineB, "--replay", server.replay, "--format", "ndjson",
             "--connect-timeout-ms", "10000", "--line-silence-ms", "1000"],
            in: lab.namespace("sub1"))
        _ = try client.waitForStderrLine(containing: "(first copy wins)")
        let count = 20_000
        let publisher = try server.startPublishingSample(count: count)
        try client.waitForStdoutLines(5000, timeout: 60)
        try lab.setLink(host: "sub1", interface: "lab0", up: false)
        #expect(try publisher.waitForExit(timeout: 60) == 0, "\(publisher.stderr)")
        try client.waitForStdoutLines(count, timeout: 60)
        // The server's idle heartbeats keep line B alive while line A brings nothing.
        _ = try client.waitForStderrLine(containing: "line \(Self.multicast) silent for")
        client.signal(SIGINT)
        #expect(try client.waitForExit(timeout: 10) == 0, "\(client.stderr)")
        try server.stop()

        let received = try Self.sequences(client)
        let published = try Self.history(server).map(\.feedSequence)
        #expect(received.count == count && received == published, "missing, duplicated or out of order: \(received.count) of \(count)")
        #expect(!client.stderr.contains("gap:") && !client.stderr.contains("unverified:"), "\(client.stderr)")
        #expect(client.stderr.contains("took 0 from history"), "the lines covered each other: nothing from history\n\(client.stderr)")
        let figures = LineArbitrationTests.lineFigures(client.stderr)
        let (a, b) = (try #require(figures[Self.multicast]), try #require(figures[Self.lineB]))
        #expect(a[0] > 0 && b[0] > 0 && a[0] + b[0] == count, "each line won first copies while the other repaired: \(a) \(b)")
        #expect(try lab.droppedPackets(host: "sub1") > 0, "the loss rule dropped nothing")
    }
}
