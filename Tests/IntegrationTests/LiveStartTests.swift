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
}
