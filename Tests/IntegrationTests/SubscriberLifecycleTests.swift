import Foundation
import Testing

/// How `feed-client subscribe` ends, and that its output is never left in a buffer: lines of
/// a quiet feed appear without waiting for the next message, a signal flushes and summarises,
/// `--duration` holds on a feed with nothing to say, and a publisher that falls silent is an error.
@Suite(.serialized)
struct SubscriberLifecycleTests {
    /// A server whose heartbeats are a minute apart, so nothing but the subscriber's own idle
    /// flush can bring a lone message to its output in time.
    static func quietServer() throws -> ServerFixture {
        try ServerFixture(extraArguments: ["--heartbeat-ms", "60000"])
    }

    static func publish(_ rows: [String], to server: ServerFixture) throws {
        let publisher = try server.client(["publish", "--to", server.ingest, "-"], stdin: .bytes(Data((["topic,price,size,side"] + rows).joined(separator: "\n").utf8 + [0x0A])))
        #expect(publisher.exitStatus == 0, "\(publisher.stderr)")
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalEndsTheSubscriptionWithEveryLinePrintedAndASummary(signal: Int32) throws {
        let server = try Self.quietServer()
        let subscriber = try server.subscriber(["--format", "csv", "QUIET."])
        try Self.publish(["QUIET.A,1.5,10,buy", "QUIET.B,2.5,20,sell", "OTHER.C,3,30,buy"], to: server)
        try subscriber.waitForStdoutLines(3, timeout: 10)  // header and two trades, flushed while idle
        subscriber.signal(signal)
        #expect(try subscriber.waitForExit(timeout: 5) == 0, "\(subscriber.stderr)")
        let lines = subscriber.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[1].contains(",QUIET.A,trade,") && lines[2].contains(",QUIET.B,trade,"), "\(subscriber.stdout)")
        #expect(subscriber.stderr.contains("received 2 messages"), "\(subscriber.stderr)")
        try server.stop()
    }

    /// Printing happens off the cooperative pool: a reader that stopped reading (the pipe is
    /// full) neither starves the task that handles the signal nor keeps the process alive.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalEndsASubscriptionWhoseOutputNobodyReads(signal: Int32) throws {
        let server = try ServerFixture(extraArguments: ["--demo", "20000"])
        let subscriber = try server.subscriber(["--format", "csv", "NASDAQ."], stdout: .unread)
        // Linux's pipe holds 64 KiB, filled by pages, so a full one may hold a little less; from
        // 48 KiB on the demo fills the rest within milliseconds.
        try subscriber.waitForUnreadStdout(48 << 10, timeout: 30)
        subscriber.signal(signal)
        // Its budget for output after a signal is 2 s; the rest is exiting.
        #expect(try subscriber.waitForExit(timeout: 10) == 0, "\(subscriber.stderr)")
        #expect(subscriber.stderr.contains("received "), "\(subscriber.stderr)")
        try server.stop()
    }

    @Test func durationEndsASubscriptionToAFeedWithNothingToSay() throws {
        let server = try Self.quietServer()
        let started = Date()
        let subscriber = try server.subscriber(["--duration", "1", "NOTHING."])
        #expect(try subscriber.waitForExit(timeout: 10) == 0, "\(subscriber.stderr)")
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 1 && elapsed < 8, "took \(elapsed) s")
        #expect(subscriber.stderr.contains("received 0 messages"), "\(subscriber.stderr)")
        try server.stop()
    }

    @Test func aPublisherThatFallsSilentIsReportedAndExits69() throws {
        let server = try ServerFixture()  // heartbeats every 200 ms
        let subscriber = try server.subscriber(["--silence-timeout-ms", "1500"])
        server.process.signal(SIGKILL)
        #expect(try subscriber.waitForExit(timeout: 10) == 69, "\(subscriber.stderr)")
        let reason = try subscriber.waitForStderrLine(containing: "not even a heartbeat")
        #expect(reason.contains("nothing from \(server.publish) for 1500 ms"), "\(reason)")
    }

    @Test func heartbeatsKeepAQuietFeedAlive() throws {
        let server = try ServerFixture()  // heartbeats every 200 ms, never silent for 1000 ms
        let subscriber = try server.subscriber(["--silence-timeout-ms", "1000", "--duration", "3", "NOTHING."])
        #expect(try subscriber.waitForExit(timeout: 10) == 0, "\(subscriber.stderr)")
        try server.stop()
    }
}
