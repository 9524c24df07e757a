import FeedModel
import Foundation
import Testing

/// Issue 10, part 2: subscribers that stop reading. Once 500 of them took a server from 33 MB
/// to 5.1 GB (10 MiB queued for each), slowed publishing to 4-8 k msg/s, and when they were
/// killed a normal subscriber lost about 19,500 messages on each of its topics.
@Suite(.serialized)
struct SlowSubscriberTests {
    @Test func stalledSubscribersAreDisconnectedAndCountedWhileOthersLoseNothing() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "5000", "--slow-subscriber-ms", "1000", "--max-connections", "64"])
        let watcher = try server.subscriber(["--silence-timeout-ms", "3000", "--format", "csv", "NASDAQ."])
        let stalled = try HostilePeer("stall", 50, endpoint: server.publish)
        _ = try stalled.line("stalled 50")
        // Each queue may hold --send-hwm; the default memory budget is far from reached in 1 s.
        #expect(try server.statusCounter("subscriber_queue_limit") == 100_000)
        try server.waitForStatus("dropped_subscribers.slow", atLeast: 50, timeout: 60)
        try server.waitForStatus("connections.publish", atLeast: 1, atMost: true)
        let log = try server.process.waitForStderrLine(containing: "disconnected subscriber")
        #expect(log.contains("its send queue stayed full for 1000 ms"), "\(log)")
        // The watcher read all along: never found slow, never short of a message.
        #expect(try server.statusCounter("dropped_subscribers.slow") == 50)
        try HostileSubscriberTests.expectWatcherLostNothing(watcher)
        try server.stop()
    }

    /// 1,000 subscribers that read nothing held publishing to a few thousand messages a second
    /// for as long as they stayed (BENCHMARKS.md). While the feed is behind its producers (here a
    /// demo faster than any server), one whose peer acknowledges nothing for a second goes, long
    /// before --slow-subscriber-ms; one that reads stays.
    @Test func whileTheFeedIsBehindASubscriberReadingNothingGoesAndAReadingOneStays() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "100000000", "--slow-subscriber-ms", "600000"])
        let watcher = try server.subscriber(["--silence-timeout-ms", "10000", "--format", "csv", "NASDAQ.AAPL"])
        try watcher.waitForStdoutLines(1)
        let stalled = try HostilePeer("stall", 1, endpoint: server.publish)
        _ = try stalled.line("stalled 1")
        try server.waitForStatus("dropped_subscribers.stalled_while_behind", atLeast: 1, timeout: 30)
        let log = try server.process.waitForStderrLine(containing: "disconnected subscriber")
        #expect(log.contains("it read nothing for 1000 ms while the feed was behind its producers (stalled_while_behind #1)"), "\(log)")
        // The watcher goes on reading, and is never taken for a stalled one.
        let published = try #require(try server.statusCounter("published"))
        try server.waitForStatus("published", atLeast: published + 1_000_000, timeout: 60)
        let lines = watcher.stdout.split(separator: "\n").count
        try watcher.waitForStdoutLines(lines + 100)
        #expect(try server.statusCounter("dropped_subscribers.stalled_while_behind") == 1)
        #expect(try server.statusCounter("dropped_subscribers.slow") == nil)
        #expect(!watcher.stderr.contains("connection to \(server.publish) lost"), "\(watcher.stderr)")
        watcher.signal(SIGINT)
        #expect(try watcher.waitForExit(timeout: 10) == 0, "\(watcher.stderr)")
        try server.stop()
    }

    /// Once 300 subscribers that never read took a release server to 1.37 GB within 4 s, since
    /// each may queue --send-hwm messages until --slow-subscriber-ms drops it. Now the queues
    /// of stalled subscribers share --subscriber-memory: beyond it the longest-stalled go, long
    /// before they count as slow, and the server grows by about the budget at most.
    @Test func stalledSubscribersBeyondTheMemoryBudgetAreDisconnectedAndTheServerStaysWithinIt() throws {
        let budget = 32 << 20
        let server = try ServerFixture(extraArguments: [
            "--demo", "5000", "--subscriber-memory", "32MiB", "--slow-subscriber-ms", "600000",
        ])
        let watcher = try server.subscriber(["--silence-timeout-ms", "3000", "--format", "csv", "NASDAQ."])
        let before = try server.residentBytes
        let stalled = try HostilePeer("stall", 100, endpoint: server.publish)
        _ = try stalled.line("stalled 100")
        // One may stay: a queue at --send-hwm (100,000 messages of at most 192 bytes) fits the budget.
        try server.waitForStatus("dropped_subscribers.memory_budget", atLeast: 99, timeout: 60)
        let log = try server.process.waitForStderrLine(containing: "disconnected subscriber")
        #expect(log.contains("more than --subscriber-memory (\(budget) bytes) together"), "\(log)")
        #expect(try server.statusCounter("dropped_subscribers.slow") == nil)
        let grown = try server.peakResidentBytes - before
        #expect(grown < 2 * budget, "the server grew by \(grown) bytes beside 100 stalled subscribers")
        try HostileSubscriberTests.expectWatcherLostNothing(watcher)
        try server.stop()
    }

    /// glibc keeps what a process freed: once 300 stalled subscribers were dropped, a release
    /// server stayed at 1.9 GB. Now the server gives it back (malloc_trim) after disconnects.
    @Test func memoryStalledSubscribersHeldIsGivenBackOnceTheyAreGone() throws {
        let server = try ServerFixture(extraArguments: [
            "--demo", "10000", "--subscriber-memory", "256MiB", "--slow-subscriber-ms", "600000",
        ])
        let before = try server.residentBytes
        // Few, so that each queues well beyond what the kernel holds for it (up to 4 MiB).
        let stalled = try HostilePeer("stall", 20, endpoint: server.publish)
        _ = try stalled.line("stalled 20")
        try server.waitForStatus("dropped_subscribers.memory_budget", atLeast: 1, timeout: 60)
        stalled.process.signal(SIGKILL)  // The rest go too.
        try server.waitForStatus("connections.publish", atLeast: 0, atMost: true)
        let grown = try server.peakResidentBytes - before
        #expect(grown > 32 << 20, "the stalled subscribers' queues took only \(grown) bytes: nothing to give back")
        let deadline = Date().addingTimeInterval(10)
        var left = try server.residentBytes - before
        while left > grown / 4, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            left = try server.residentBytes - before
        }
        #expect(left <= grown / 4, "of \(grown) bytes taken by stalled subscribers, \(left) were kept after they left")
        try server.stop()
    }

    @Test func aSubscriberDroppedAsSlowSaysSoAndResumesWithoutAGap() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "5000", "--slow-subscriber-ms", "500"])
        let subscriber = try server.subscriber([
            "--replay", server.replay, "--replay-from", "1", "--format", "csv", "NASDAQ.",
        ])
        subscriber.signal(SIGSTOP)  // It reads nothing: its queue fills, the server drops it.
        try server.waitForStatus("dropped_subscribers.slow", atLeast: 1, timeout: 60)
        subscriber.signal(SIGCONT)
        _ = try subscriber.waitForStderrLine(containing: "connection to \(server.publish) lost", timeout: 30)
        let recorded = try #require(try server.statusCounter("recorded"))
        // Everything up to what was recorded before it came back arrives in order, no gap.
        try server.waitForStatus("recorded", atLeast: recorded + 5000)
        subscriber.signal(SIGINT)
        #expect(try subscriber.waitForExit(timeout: 20) == 0, "\(subscriber.stderr)")
        #expect(subscriber.stderr.contains("reported 0 lost"), "\(subscriber.stderr)")
        try server.stop()
    }
}
