import ChildProcesses
import Foundation
import Testing

/// Issue 10, part 1: what one hostile subscriber can do to a publisher, tried with raw ZMTP
/// against a real server (and a relay) while a normal subscriber watches the feed. Each case
/// was once measured doing harm: a 10 MiB subscription took the server from 29 to 369 MB and
/// froze the feed when it left; 1 M random prefixes took it to 469 MB and froze it for 2.8 s.
@Suite(.serialized)
struct HostileSubscriberTests {
    /// A demo feed with a normal subscriber that would exit 69 if the feed fell silent for
    /// `silence` ms (heartbeats come every 200 ms), so a freeze fails the test. (How long the feed
    /// pauses when a subscriber with many prefixes leaves is measured in BENCHMARKS.md.)
    static func watchedServer(_ arguments: [String] = [], silence: Int = 1500) throws -> (ServerFixture, ChildProcess) {
        let server = try ServerFixture(extraArguments: ["--demo", "2000"] + arguments)
        let watcher = try server.subscriber(["--silence-timeout-ms", String(silence), "--format", "csv", "NASDAQ."])
        return (server, watcher)
    }

    /// The normal subscriber is still running, then stops with nothing lost.
    static func expectWatcherLostNothing(_ watcher: ChildProcess, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = watcher.stdout.count
        try watcher.waitForStdoutLines(watcher.stdout.split(separator: "\n").count + 5, timeout: 10)
        #expect(watcher.stdout.count > before, sourceLocation: sourceLocation)
        watcher.signal(SIGINT)
        #expect(try watcher.waitForExit(timeout: 10) == 0, "\(watcher.stderr)", sourceLocation: sourceLocation)
        #expect(watcher.stderr.contains("reported 0 lost"), "\(watcher.stderr)", sourceLocation: sourceLocation)
    }

    @Test func anOversizedSubscriptionFrameIsRefusedUnreadAndCostsNothing() throws {
        let (server, watcher) = try Self.watchedServer()
        let before = try server.residentBytes
        let hostile = try HostilePeer("big", 10 << 20, endpoint: server.publish)
        #expect(try hostile.wasClosed(), "a 10 MiB subscription frame was not refused")
        let grown = try server.residentBytes - before
        #expect(grown < 20 << 20, "the server grew by \(grown) bytes")
        try server.waitForStatus("connections.publish", atLeast: 1, atMost: true)
        try Self.expectWatcherLostNothing(watcher)
        try server.stop()
    }

    @Test func aSubscriptionLongerThanATopicDisconnectsTheSubscriber() throws {
        let (server, watcher) = try Self.watchedServer()
        let hostile = try HostilePeer("long", 55, endpoint: server.publish)  // a 56-byte frame: read, then refused
        #expect(try hostile.wasClosed())
        try server.waitForStatus("dropped_subscribers.subscription_too_long", atLeast: 1)
        let log = try server.process.waitForStderrLine(containing: "disconnected subscriber")
        #expect(log.contains("longer than 49 bytes"), "\(log)")
        try Self.expectWatcherLostNothing(watcher)
        try server.stop()
    }

    @Test func aSubscriberAskingForMoreThanItsShareIsDisconnectedWithoutFreezingTheFeed() throws {
        let (server, watcher) = try Self.watchedServer(["--max-subscriptions", "5000"], silence: 5000)
        let before = try server.residentBytes
        let hostile = try HostilePeer("many", 200_000, endpoint: server.publish)
        #expect(try hostile.wasClosed(timeout: 60), "200,000 subscriptions did not get the subscriber disconnected")
        try server.waitForStatus("dropped_subscribers.too_many_subscriptions", atLeast: 1)
        let log = try server.process.waitForStderrLine(containing: "disconnected subscriber")
        #expect(log.contains("asked for more than 5000 subscriptions"), "\(log)")
        let grown = try server.residentBytes - before
        #expect(grown < 64 << 20, "the server grew by \(grown) bytes")
        // The watcher's 5 s silence timeout would have ended it had the feed frozen that long.
        try Self.expectWatcherLostNothing(watcher)
        try server.stop()
    }

    @Test func aRelayDisconnectsASubscriberAskingForTooMuchAndGoesOnForwarding() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "2000"])
        let relay = try ChildProcess(
            Binaries.server,
            ["relay", "--upstream", server.publish, "--publish", "tcp://127.0.0.1:*", "--max-subscriptions", "100"])
        let ready = try relay.waitForStderrLine(containing: "feed-relay ready")
        let relayPublish = String(ready.split(separator: " ").first { $0.hasPrefix("publish=") }!.dropFirst("publish=".count))
        let watcher = try ChildProcess(
            Binaries.client, ["subscribe", "--from", relayPublish, "--silence-timeout-ms", "1500", "--format", "csv", "NASDAQ."])
        _ = try watcher.waitForStderrLine(containing: "; live")
        let hostile = try HostilePeer("many", 1000, endpoint: relayPublish)
        #expect(try hostile.wasClosed())
        let log = try relay.waitForStderrLine(containing: "disconnected subscriber")
        #expect(log.contains("asked for more than 100 subscriptions"), "\(log)")
        try Self.expectWatcherLostNothing(watcher)
        try relay.expectCleanStop()
        try server.stop()
    }
}
