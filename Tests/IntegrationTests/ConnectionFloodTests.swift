import ChildProcesses
import Foundation
import Testing

/// Issue 10, part 3: descriptors. Once 1,099 idle connections to the ingest port used up the
/// server's 1,024 descriptors: `status` got no answer, new subscribers got nothing and
/// `feed-client publish` failed until they left.
@Suite(.serialized)
struct ConnectionFloodTests {
    /// With 1,024 descriptors, each of the three endpoints holds at most (1024 - 128) / 3.
    static let share = (1024 - 128) / 3

    @Test func idleConnectionsFloodingThePublishPortLeaveIngestAndReplayAnswering() throws {
        let server = try ServerFixture(descriptorLimit: 1024)
        let flood = try HostilePeer("flood", 1100, endpoint: server.publish)
        let closed = try flood.line("closed ", timeout: 60)
        #expect(Int(closed.dropFirst("closed ".count)) ?? 0 >= 1100 - Self.share, "\(closed)")
        #expect(try server.statusCounter("connections.publish") == Self.share)
        #expect(try server.statusCounter("refused_connections.publish") ?? 0 >= 1100 - Self.share)
        _ = try server.process.waitForStderrLine(containing: "publish endpoint holds \(Self.share) connections")
        try server.publishRecordedSample(count: 100)
        try server.stop()
    }

    @Test func idleConnectionsFloodingTheIngestPortLeaveSubscribersAndReplayServed() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "1000"], descriptorLimit: 1024)
        let flood = try HostilePeer("flood", 1100, endpoint: server.ingest)
        _ = try flood.line("closed ", timeout: 60)
        #expect(try server.statusCounter("connections.ingest") == Self.share)
        let subscriber = try server.subscriber(["--count", "100", "--format", "csv"])
        #expect(try subscriber.waitForExit() == 0, "\(subscriber.stderr)")
        try server.stop()
    }

    @Test func theDescriptorLimitIsRaisedToTheHardLimitAndLogged() throws {
        let server = try ServerFixture(extraArguments: [], descriptorLimit: 1024)
        let line = try server.process.waitForStderrLine(containing: "descriptors: soft limit")
        #expect(line.contains("soft limit 1024 (was 1024), hard limit 1024"), "\(line)")
        try server.stop()
        let raised = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/prlimit"),
            ["--nofile=512:4096", "--", Binaries.server.path, "--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*",
             "--replay", "tcp://127.0.0.1:*", "--db", server.folder.path("raised.sqlite")])
        let raisedLine = try raised.waitForStderrLine(containing: "descriptors: soft limit")
        #expect(raisedLine.contains("soft limit 4096 (was 512), hard limit 4096"), "\(raisedLine)")
        _ = try raised.waitForStderrLine(containing: "publish endpoint: at most \((4096 - 128) / 3) connections")
        _ = try raised.waitForStderrLine(containing: "feed-server ready")
        try raised.expectCleanStop()
    }
}
