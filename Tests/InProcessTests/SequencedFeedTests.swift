@testable import FeedClientKit
import FeedHistory
import FeedModel
import Foundation
import Testing
import ZeroMQ

/// The sequenced feed against scripted losses: a test-driven publish socket decides which
/// messages a subscriber receives, a real replay service serves a history file the test wrote,
/// and every stream is compared with the one exact answer.
@Suite(.serialized)
struct SequencedFeedTests {
    static let first: UInt32 = 1000
    static let second: UInt32 = 1001

    /// A subscription to a scripted publisher, with a replay service over the history written so far.
    struct Rig {
        let fixture: ReplayFixture
        let publisher: ScriptedPublisher
        let feed: SequencedFeed

        init(
            _ fixture: ReplayFixture, prefixes: [String], start: ReplayStart = .live, replayEndpoint: String? = nil,
            configure: (inout SequencedFeed.Options) -> Void = { _ in }
        ) throws {
            self.fixture = fixture
            publisher = try ScriptedPublisher(context: fixture.context)
            var options = SequencedFeed.Options(
                prefixes: try prefixes.map { try TopicPrefix($0) }, start: start,
                replayEndpoint: try replayEndpoint ?? fixture.startReplay())
            // Bounds only, generous for a loaded machine: every wait ends on an event.
            options.connectTimeoutMilliseconds = 20_000
            options.replayTimeoutMilliseconds = 20_000
            configure(&options)
            feed = try SequencedFeed(context: fixture.context, endpoint: publisher.endpoint, options: options)
            try publisher.awaitSubscription()
        }
    }

    // MARK: Live subscribers

    @Test func liveSubscriberGetsOnlyWhatFollowsTheLivePointNotTheSessionsHistory() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        session.add(["NASDAQ.A", "NASDAQ.B"], count: 100)
        try session.record(1...100, into: fixture.databasePath)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."])
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 60)
        try rig.publisher.publish(session.messages(61...100))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 100)

        let got = try events(of: rig.feed, throughHeartbeat: 100, of: Self.first)
        #expect(got == ["hb 1000:60"] + brief(session.messages(61...100)) + ["hb 1000:100"])
        #expect(rig.feed.fromHistory == 0)
    }

    @Test func lossAtATopicsTailIsFetchedWhenAHeartbeatShowsIt() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        for topic in ["NASDAQ.A", "NASDAQ.B", "NASDAQ.A", "NASDAQ.A", "NASDAQ.B"] { session.add(topic) }
        try session.record(1...5, into: fixture.databasePath)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."])
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 0)
        // A's last two are lost; a later message of B arrives, so no feed-wide jump shows.
        try rig.publisher.publish(session.messages(1...2) + session.messages(5...5))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 5)

        let got = try events(of: rig.feed, throughHeartbeat: 5, of: Self.first)
        #expect(got == ["hb 1000:0", "NASDAQ.A#1@1000:1", "NASDAQ.B#1@1000:2", "NASDAQ.B#2@1000:5", "NASDAQ.A#2@1000:3", "NASDAQ.A#3@1000:4", "hb 1000:5"])
    }

    @Test func topicFirstSeenAfterTheLivePointGetsItsEarlierMessagesFromHistory() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        for topic in ["NASDAQ.A", "NASDAQ.B", "NASDAQ.C", "NASDAQ.C", "NASDAQ.A"] { session.add(topic) }
        try session.record(1...5, into: fixture.databasePath)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."])
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 2)
        // C's first message (after the live point) is lost; its second arrives.
        try rig.publisher.publish(session.messages(4...5))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 5)

        let got = try events(of: rig.feed, throughHeartbeat: 5, of: Self.first)
        #expect(got == ["hb 1000:2", "NASDAQ.C#1@1000:3", "NASDAQ.C#2@1000:4", "NASDAQ.A#2@1000:5", "hb 1000:5"])
    }

    @Test func whatHistoryDoesNotHoldIsAGapEventNamingTheReason() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        session.add(["NASDAQ.A"], count: 4)
        // The history lacks feed sequence 2 (as if the recorder had failed on it).
        try session.record(1...1, into: fixture.databasePath)
        try session.record(3...4, into: fixture.databasePath)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."])
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 0)
        try rig.publisher.publish(session.messages(1...1) + session.messages(4...4))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 4)

        let got = try events(of: rig.feed, throughHeartbeat: 4, of: Self.first)
        #expect(got == ["hb 1000:0", "NASDAQ.A#1@1000:1", "gap NASDAQ.A@1000 2-2 lost and not in history", "NASDAQ.A#3@1000:3", "NASDAQ.A#4@1000:4", "hb 1000:4"])
        #expect(rig.feed.reportedLost == 1)
    }

    @Test func unreachableHistoryIsReportedAsUnavailableNotAsMissing() throws {
        let fixture = try ReplayFixture()
        // A replay endpoint that takes requests and never answers.
        let silent = try ZMQSocket(fixture.context, .router)
        try silent.set(.linger, 0)
        try silent.bind("inproc://silent-\(UUID().uuidString)")
        var session = ScriptedSession(session: Self.first)
        session.add(["NASDAQ.A"], count: 3)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."], replayEndpoint: try silent.get(.lastEndpoint)) {
            $0.replayTimeoutMilliseconds = 200
        }
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 0)
        try rig.publisher.publish(session.messages(1...1) + session.messages(3...3))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 3)

        let got = try events(of: rig.feed, throughHeartbeat: 3, of: Self.first)
        #expect(got.count == 5)
        #expect(got.first == "hb 1000:0" && got[1] == "NASDAQ.A#1@1000:1" && got[3] == "NASDAQ.A#3@1000:3" && got.last == "hb 1000:3")
        #expect(got[2].hasPrefix("gap NASDAQ.A@1000 2-2 lost; history unavailable: no answer from"), "\(got[2])")
    }

    @Test func nonsenseSequencesFromAPublisherAreReportedNotTrapped() throws {
        let fixture = try ReplayFixture()
        let rig = try Rig(fixture, prefixes: ["NASDAQ."])
        func trade(_ topicSequence: UInt64, at feedSequence: UInt64) -> FeedMessage {
            FeedMessage(
                topic: try! Topic("NASDAQ.A"), session: Self.first, feedSequence: feedSequence, topicSequence: topicSequence,
                eventTime: 1, publishTime: 1, payload: .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: .buy)))
        }
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 0)
        try rig.publisher.publish([trade(1, at: 5), trade(.max, at: 0), trade(.max, at: .max)])
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 5)

        let got = try events(of: rig.feed, throughHeartbeat: 5, of: Self.first)
        #expect(got.prefix(4) == ["hb 1000:0", "NASDAQ.A#1@1000:5", "gap NASDAQ.A@1000 2-18446744073709551614 lost and not in history", "NASDAQ.A#18446744073709551615@1000:0"])
        #expect(rig.feed.duplicatesDropped == 1)
    }

    // MARK: Restarts

    @Test func restartDeliversTheOldSessionsTailBeforeTheNewSession() throws {
        let fixture = try ReplayFixture()
        var old = ScriptedSession(session: Self.first)
        old.add(["NASDAQ.A", "NASDAQ.B"], count: 20)
        try old.record(1...20, into: fixture.databasePath)
        var new = ScriptedSession(session: Self.second, startTime: old.startTime + 1_000_000_000)
        new.add(["NASDAQ.A", "NASDAQ.B"], count: 3)
        try new.record(1...3, into: fixture.databasePath)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."])
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 0)
        // The subscriber fell behind: the old publisher's last 8 never reached it, then it stopped.
        try rig.publisher.publish(old.messages(1...12))
        try rig.publisher.heartbeat(session: Self.second, feedSequence: 0)
        try rig.publisher.publish(new.messages(1...3))
        try rig.publisher.heartbeat(session: Self.second, feedSequence: 3)

        let got = try events(of: rig.feed, throughHeartbeat: 3, of: Self.second)
        let restart = try #require(got.firstIndex(of: "restart 1000->1001"), "\(got)")
        let before = got[1..<restart].filter { !$0.hasPrefix("hb") }
        #expect(Set(before) == Set(brief(old.messages)) && before.count == old.messages.count, "\(got)")
        for topic in ["NASDAQ.A", "NASDAQ.B"] {
            #expect(before.filter { $0.hasPrefix(topic + "#") } == brief(old.messages.filter { $0.topic.rawValue == topic }))
        }
        #expect(Array(got[(restart + 1)...]) == ["hb 1001:0"] + brief(new.messages) + ["hb 1001:3"])
        #expect(!got.contains { $0.hasPrefix("gap") || $0.hasPrefix("unverified") })
    }

    @Test func killedPublishersUnrecordedTailIsReportedAsUnverified() throws {
        let fixture = try ReplayFixture()
        var old = ScriptedSession(session: Self.first)
        old.add(["NASDAQ.A", "NASDAQ.B"], count: 20)
        // Killed: its last 5 messages were published but never written to the history.
        try old.record(1...15, into: fixture.databasePath)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."])
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 0)
        try rig.publisher.publish(old.messages(1...10))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 20)
        try rig.publisher.heartbeat(session: Self.second, feedSequence: 0)

        let got = try events(of: rig.feed, throughHeartbeat: 0, of: Self.second)
        #expect(got.contains("unverified 1000:16-20"), "\(got)")
        let delivered = got.filter { $0.hasPrefix("NASDAQ.") }
        #expect(Set(delivered) == Set(brief(old.messages(1...15))) && delivered.count == 15, "\(got)")
        #expect(got.suffix(2) == ["restart 1000->1001", "hb 1001:0"])
    }

    // MARK: Late joiners

    @Test func overlappingPrefixesDeliverEachMessageOnce() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        session.add(["NASDAQ.A", "NASDAQ.B", "NYSE.C"], count: 30)
        try session.record(1...30, into: fixture.databasePath)
        let prefixes = ["NASDAQ.A", "NASDAQ.", "NASDAQ.A", "NYSE."]
        let all = try TopicPrefix.covering(prefixes.map { try TopicPrefix($0) })
        #expect(all.map(\.rawValue) == ["NASDAQ.", "NYSE."])

        let snapshot = try Rig(fixture, prefixes: prefixes, start: .snapshot)
        try snapshot.publisher.heartbeat(session: Self.first, feedSequence: 30)
        let latest = try events(of: snapshot.feed, throughHeartbeat: 30, of: Self.first)
        #expect(latest == ["NASDAQ.A#10@1000:28", "NASDAQ.B#10@1000:29", "NYSE.C#10@1000:30", "replayed 3", "hb 1000:30"])

        let whole = try Rig(fixture, prefixes: prefixes, start: .sessionStart)
        try whole.publisher.heartbeat(session: Self.first, feedSequence: 30)
        let replayed = try events(of: whole.feed, throughHeartbeat: 30, of: Self.first)
        #expect(replayed == brief(session.messages) + ["replayed 30", "hb 1000:30"])
    }

    @Test func replayFromASequenceBeyondTheLivePointStartsThere() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        session.add(["NASDAQ.A"], count: 20)
        try session.record(1...20, into: fixture.databasePath)
        let rig = try Rig(fixture, prefixes: ["NASDAQ."], start: .sequence(15))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 10)
        try rig.publisher.publish(session.messages(11...20))
        try rig.publisher.heartbeat(session: Self.first, feedSequence: 20)

        let got = try events(of: rig.feed, throughHeartbeat: 20, of: Self.first)
        #expect(got == ["replayed 0", "hb 1000:10"] + brief(session.messages(15...20)) + ["hb 1000:20"])
    }

    @Test func replayFromATimeInAnEarlierSessionCrossesTheRestart() throws {
        let fixture = try ReplayFixture()
        var old = ScriptedSession(session: Self.first)
        old.add(["NASDAQ.A", "NYSE.B"], count: 6)
        try old.record(1...6, into: fixture.databasePath)
        var new = ScriptedSession(session: Self.second, startTime: old.startTime + 1_000_000_000)
        new.add(["NASDAQ.A", "NYSE.B"], count: 8)
        try new.record(1...8, into: fixture.databasePath)
        let from = Timestamp(nanoseconds: old.messages[2].publishTime)
        let rig = try Rig(fixture, prefixes: ["NYSE.", "NASDAQ."], start: .time(from))
        try rig.publisher.heartbeat(session: Self.second, feedSequence: 6)
        try rig.publisher.publish(new.messages(7...8))
        try rig.publisher.heartbeat(session: Self.second, feedSequence: 8)

        let got = try events(of: rig.feed, throughHeartbeat: 8, of: Self.second)
        #expect(
            got == brief(old.messages(3...6)) + ["restart 1000->1001"] + brief(new.messages(1...6))
                + ["replayed 10", "hb 1001:6"] + brief(new.messages(7...8)) + ["hb 1001:8"])
    }

    @Test func replayingALongHistoryHoldsAPageAtATime() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        let count = 3 * HistoryMerge.pageBudget + 123
        session.add(["NASDAQ.A", "NASDAQ.B", "NYSE.C"], count: count)
        try session.record(1...UInt64(count), into: fixture.databasePath, blockSize: 4096)
        let rig = try Rig(fixture, prefixes: ["NASDAQ.", "NYSE."], start: .sessionStart)
        try rig.publisher.heartbeat(session: Self.first, feedSequence: UInt64(count))

        var delivered: [UInt64] = []
        var mostWaiting = 0
        while true {
            let event = try #require(try rig.feed.next(timeoutMilliseconds: 20_000))
            mostWaiting = max(mostWaiting, rig.feed.pending.count)
            if case .message(let message) = event { delivered.append(message.feedSequence) }
            if case .replayCompleted = event { break }
        }
        #expect(delivered == Array(1...UInt64(count)))
        // Events wait for the caller a page at a time, never the whole history.
        #expect(mostWaiting <= HistoryMerge.pageBudget + 2, "\(mostWaiting) events were waiting at once")
    }
}
