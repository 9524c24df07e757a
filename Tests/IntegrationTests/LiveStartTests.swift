import Foundation
import Testing

/// A live subscriber with a replay endpoint, on a busy feed of many topics (issue 12): its topics
/// are placed at the live point with a few history requests, not one per topic first seen (each
/// of which held the live stream until the recorder had written it), and nothing is lost.
struct LiveStartTests {
    @Test func aLiveStartAsksTheHistoryAFewTimesNotOncePerTopicFirstSeen() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "10000", "--demo-symbols", "1000"])
        func requests() throws -> Int {
            let replay = try #require(try RetentionTests.status(server)["replay"] as? [String: Any])
            return try #require(replay["requests"] as? Int)
        }
        let before = try requests()
        let live = try server.client(
            ["subscribe", "NASDAQ.", "--from", server.publish, "--replay", server.replay, "--duration", "3", "--format", "csv"])
        let asked = try requests() - before - 1  // Less this status request.
        try server.stop()
        #expect(live.exitStatus == 0, "\(live.stderr)")
        let topics = Set(live.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] })
        // Per topic first seen, this was one history read and status requests; now the wait
        // for the recorder (status requests, at most one per 50 ms), one query, one snapshot page.
        #expect(topics.count >= 100, "\(topics.count) topics")
        #expect(asked < topics.count / 2, "\(asked) replay requests for \(topics.count) topics")
        #expect(live.stderr.contains("reported 0 lost"), "\(live.stderr)")
    }

    /// A relay that forwards only what its subscribers want forwarded nothing while it had none:
    /// where the feed stood then is no live point for a new subscriber, who would read everything
    /// since from history while its live stream waited. The origin's answer, passed on, is current.
    @Test func aLiveStartThroughARelayThatForwardedNothingForAWhileReadsNothingFromHistory() throws {
        let origin = try ServerFixture(extraArguments: ["--demo", "10000", "--demo-symbols", "1000"])
        let relay = try RelayFixture(["--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*"])
        // At its start the relay passed the origin's answer to its own heartbeat subscription on
        // to nobody; the feed moves on 20,000 messages from there.
        let published = try #require(try origin.statusCounter("published"))
        try origin.waitForStatus("published", atLeast: published + 20_000)
        let live = try relay.client(
            ["subscribe", "NASDAQ.", "--from", relay.publish, "--replay", origin.replay, "--duration", "2", "--format", "csv"],
            stdin: .open, timeout: 30)
        try relay.stop()
        try origin.stop()
        #expect(live.exitStatus == 0, "\(live.stderr)")
        #expect(live.stdout.split(separator: "\n").count > 100, "\(live.stderr)")
        #expect(live.stderr.contains("took 0 from history") && live.stderr.contains("reported 0 lost"), "\(live.stderr)")
    }
}
