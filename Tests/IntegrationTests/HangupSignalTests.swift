import ChildProcesses
import Foundation
import Testing

/// SIGHUP on a running daemon: it logs one status line and keeps serving (the signal's default
/// action would kill it).
@Suite(.serialized)
struct HangupSignalTests {
    @Test func sighupLogsTheStatusAndTheServerKeepsServing() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 200)

        server.process.signal(SIGHUP)
        let line = try server.process.waitForStderrLine(containing: "status: session \(server.session),")
        #expect(line.contains("published 200, recorded 200,"), "\(line)")
        #expect(line.contains("subscriptions "), "\(line)")

        // Still the same process, still taking in, publishing and recording.
        #expect(server.process.isRunning)
        let (csv, _) = FeedEndToEndTests.sampleInput(count: 100)
        try server.folder.write(csv, to: "more.csv")
        let publisher = try server.client(["publish", "--to", server.ingest, server.folder.path("more.csv")])
        #expect(publisher.exitStatus == 0, "\(publisher.stderr)")
        try server.waitForStatus("recorded", atLeast: 300)
        try server.stop()
    }

    @Test func sighupLogsTheRelayStatusAndTheRelayKeepsRunning() throws {
        let origin = try ServerFixture()
        let relay = try ChildProcess(
            Binaries.server, ["relay", "--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*"])
        _ = try relay.waitForStderrLine(containing: "feed-relay ready")
        relay.signal(SIGHUP)
        let line = try relay.waitForStderrLine(containing: "status: forwarded ")
        #expect(line.contains("rejected 0"), "\(line)")
        #expect(relay.isRunning)
        try relay.expectCleanStop()
        try origin.stop()
    }
}
