import FeedModel
import Testing

@testable import FeedClientKit

/// Single transitions of the gap repair machine: one event in, the exact actions out.
struct GapRepairStateMachineTests {
    static let session: UInt32 = 1000

    static func trade(_ topic: String, _ topicSequence: UInt64, at feedSequence: UInt64, session: UInt32 = session) -> FeedMessage {
        FeedMessage(
            topic: try! Topic(topic), session: session, feedSequence: feedSequence, topicSequence: topicSequence,
            eventTime: Int64(feedSequence), publishTime: Int64(feedSequence),
            payload: .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: .buy)))
    }

    /// A machine live from feed sequence 0 of ``session``, with topic `A` delivered through #1.
    static func liveMachine(canRepair: Bool = true) -> GapRepairStateMachine {
        var machine = GapRepairStateMachine(configuration: .init(start: .live, canRepair: canRepair))
        #expect(machine.start(livePoint: FeedPoint(session: session, feedSequence: 0)) == GapRepairActions())
        #expect(machine.liveMessage(trade("X.A", 1, at: 1)) == GapRepairActions(events: [.message(trade("X.A", 1, at: 1))]))
        return machine
    }

    static let missingA2 = HistoryRequest.topicRange(
        TopicRange(topic: try! Topic("X.A"), session: session, afterFeedSequence: 1, throughFeedSequence: 2, pageSize: 1))

    @Test func aJumpAsksForTheTopicsMissingRangeAndDeliversItFirst() {
        var machine = Self.liveMachine()
        #expect(machine.liveMessage(Self.trade("X.A", 3, at: 3)) == GapRepairActions(request: Self.missingA2))
        #expect(machine.replayPage([Self.trade("X.A", 2, at: 2)], expired: nil) == GapRepairActions(events: [.message(Self.trade("X.A", 2, at: 2))]))
        #expect(machine.replayDone(expired: nil) == GapRepairActions(events: [.message(Self.trade("X.A", 3, at: 3))]))
        #expect(machine.fromHistory == 1 && machine.reportedLost == 0)
    }

    @Test func whatTheHistoryLacksIsOneGapNamingTheReason() {
        var machine = Self.liveMachine()
        _ = machine.liveMessage(Self.trade("X.A", 3, at: 3))
        let gap = FeedEvent.gap(topic: try! Topic("X.A"), session: Self.session, missing: 2...2, reason: .notInHistory)
        #expect(machine.replayDone(expired: nil) == GapRepairActions(events: [gap, .message(Self.trade("X.A", 3, at: 3))]))
        #expect(machine.reportedLost == 1)
    }

    @Test func aFailedReadIsAGapSayingTheHistoryWasUnavailable() {
        var machine = Self.liveMachine()
        _ = machine.liveMessage(Self.trade("X.A", 3, at: 3))
        let gap = FeedEvent.gap(topic: try! Topic("X.A"), session: Self.session, missing: 2...2, reason: .historyUnavailable("down"))
        #expect(machine.replayFailed(.historyUnavailable("down")) == GapRepairActions(events: [gap, .message(Self.trade("X.A", 3, at: 3))]))
    }

    @Test func liveEventsWaitBehindAnOutstandingRequestInArrivalOrder() {
        var machine = Self.liveMachine()
        _ = machine.liveMessage(Self.trade("X.A", 3, at: 3))
        #expect(machine.liveMessage(Self.trade("X.B", 1, at: 4)) == GapRepairActions())
        #expect(machine.heartbeat(session: Self.session, feedSequence: 4) == GapRepairActions())
        // The repair, then the waiting message, then the heartbeat's tail check (which must come before the heartbeat).
        #expect(
            machine.replayPage([Self.trade("X.A", 2, at: 2)], expired: nil)
                == GapRepairActions(events: [.message(Self.trade("X.A", 2, at: 2))]))
        #expect(
            machine.replayDone(expired: nil)
                == GapRepairActions(
                    events: [.message(Self.trade("X.A", 3, at: 3)), .message(Self.trade("X.B", 1, at: 4))],
                    request: .awaitRecorded(session: Self.session, through: 4, required: false)))
        #expect(machine.recorded(through: 4) == GapRepairActions(request: .latestPerTopic(required: false)))
        #expect(
            machine.latestPerTopic([Self.trade("X.B", 1, at: 4), Self.trade("X.A", 3, at: 3)])
                == GapRepairActions(events: [.heartbeat(session: Self.session, feedSequence: 4)]))
    }

    /// A heartbeat's tail check on a busy feed: while the check waits, the topics' next messages
    /// queue behind it, so the history holds them beyond what was delivered. Those held in order
    /// by the queue (A #2-#3, past the heartbeat) need no read; B, whose #2 is not queued, does.
    @Test func aTailCheckReadsNoTopicWhoseMissingMessagesWaitInTheAgenda() {
        var machine = Self.liveMachine()
        _ = machine.liveMessage(Self.trade("X.B", 1, at: 2))
        #expect(machine.heartbeat(session: Self.session, feedSequence: 4) == GapRepairActions(request: .awaitRecorded(session: Self.session, through: 4, required: false)))
        for message in [Self.trade("X.A", 2, at: 3), Self.trade("X.A", 3, at: 5), Self.trade("X.B", 3, at: 6)] {
            #expect(machine.liveMessage(message) == GapRepairActions())
        }
        #expect(machine.recorded(through: 6) == GapRepairActions(request: .latestPerTopic(required: false)))
        let missingB2 = HistoryRequest.topicRange(
            TopicRange(topic: try! Topic("X.B"), session: Self.session, afterFeedSequence: 2, throughFeedSequence: 4, pageSize: 10_000))
        #expect(
            machine.latestPerTopic([Self.trade("X.A", 3, at: 5), Self.trade("X.B", 3, at: 6)])
                == GapRepairActions(request: missingB2))
        #expect(machine.replayPage([Self.trade("X.B", 2, at: 4)], expired: nil) == GapRepairActions(events: [.message(Self.trade("X.B", 2, at: 4))]))
        #expect(
            machine.replayDone(expired: nil)
                == GapRepairActions(events: [
                    .heartbeat(session: Self.session, feedSequence: 4), .message(Self.trade("X.A", 2, at: 3)),
                    .message(Self.trade("X.A", 3, at: 5)), .message(Self.trade("X.B", 3, at: 6)),
                ]))
        #expect(machine.fromHistory == 1 && machine.duplicatesDropped == 0)
    }

    @Test func aDuplicateIsDroppedAndCounted() {
        var machine = Self.liveMachine()
        #expect(machine.liveMessage(Self.trade("X.A", 1, at: 1)) == GapRepairActions())
        #expect(machine.duplicatesDropped == 1)
    }

    @Test func withoutAReplayEndpointAJumpIsReportedAtOnce() {
        var machine = Self.liveMachine(canRepair: false)
        let gap = FeedEvent.gap(topic: try! Topic("X.A"), session: Self.session, missing: 2...2, reason: .noReplayEndpoint)
        #expect(machine.liveMessage(Self.trade("X.A", 3, at: 3)) == GapRepairActions(events: [gap, .message(Self.trade("X.A", 3, at: 3))]))
    }

    @Test func aLaterSessionChecksTheOldSessionsTailThenRestarts() {
        var machine = Self.liveMachine()
        let next = Self.trade("X.A", 1, at: 1, session: Self.session + 1)
        #expect(machine.liveMessage(next) == GapRepairActions(request: .latestPerTopic(required: false)))
        // A's last in the old session was #2, lost live: fetched before the restart.
        let range = TopicRange(topic: try! Topic("X.A"), session: Self.session, afterFeedSequence: 1, throughFeedSequence: 2, pageSize: 1)
        #expect(machine.latestPerTopic([Self.trade("X.A", 2, at: 2)]) == GapRepairActions(request: .topicRange(range)))
        #expect(
            machine.replayPage([Self.trade("X.A", 2, at: 2)], expired: nil)
                == GapRepairActions(events: [.message(Self.trade("X.A", 2, at: 2))]))
        #expect(machine.replayDone(expired: nil) == GapRepairActions(request: .lastRecorded(session: Self.session, atMost: 2)))
        // The history holds the old session through 2, all it published: nothing is unverified.
        #expect(
            machine.lastRecorded(2)
                == GapRepairActions(events: [.sessionChanged(from: Self.session, to: Self.session + 1), .message(next)]))
    }

    @Test func aTailThatCouldNotBeReadIsCheckedAgainAtTheNextHeartbeat() {
        var machine = Self.liveMachine()
        #expect(
            machine.heartbeat(session: Self.session, feedSequence: 2)
                == GapRepairActions(request: .awaitRecorded(session: Self.session, through: 2, required: false)))
        _ = machine.recorded(through: 2)
        let range = TopicRange(topic: try! Topic("X.A"), session: Self.session, afterFeedSequence: 1, throughFeedSequence: 2, pageSize: 1)
        #expect(machine.latestPerTopic([Self.trade("X.A", 2, at: 2)]) == GapRepairActions(request: .topicRange(range)))
        let gap = FeedEvent.gap(topic: try! Topic("X.A"), session: Self.session, missing: 2...2, reason: .historyUnavailable("down"))
        #expect(
            machine.replayFailed(.historyUnavailable("down"))
                == GapRepairActions(events: [gap, .heartbeat(session: Self.session, feedSequence: 2)]))
        // Not marked complete: the next heartbeat through the same point checks again.
        #expect(
            machine.heartbeat(session: Self.session, feedSequence: 2)
                == GapRepairActions(request: .awaitRecorded(session: Self.session, through: 2, required: false)))
    }

    /// A live start at feed sequence 10 of ``session``, its topics placed with `latest`.
    static func placedMachine(latest: [FeedMessage], historyFromSessionStart: Bool = true) -> GapRepairStateMachine {
        var machine = GapRepairStateMachine(configuration: .init(start: .live, canRepair: true))
        let livePoint = FeedPoint(session: session, feedSequence: 10)
        let time = Timestamp(nanoseconds: 10)
        #expect(
            machine.start(livePoint: livePoint, publishedAt: time)
                == GapRepairActions(request: .awaitRecorded(session: session, through: 10, required: false)))
        #expect(machine.recorded(through: 12) == GapRepairActions(request: .livePositions(livePoint, publishedBy: time)))
        #expect(machine.livePositions(latest, historyFromSessionStart: historyFromSessionStart) == GapRepairActions())
        return machine
    }

    static func range(_ topic: String, after: UInt64, through: UInt64, pageSize: Int) -> HistoryRequest {
        .topicRange(TopicRange(topic: try! Topic(topic), session: session, afterFeedSequence: after, throughFeedSequence: through, pageSize: pageSize))
    }

    static func delivers(_ message: FeedMessage) -> GapRepairActions { GapRepairActions(events: [.message(message)]) }

    @Test func aLiveStartPlacesEveryTopicAtTheLivePointSoTopicsFirstSeenNeedNoLookUp() {
        // X.C published after the live point by the time the history answered: not placed.
        var machine = Self.placedMachine(latest: [Self.trade("X.A", 2, at: 5), Self.trade("X.B", 1, at: 9), Self.trade("X.C", 1, at: 11)])
        for message in [Self.trade("X.A", 3, at: 11), Self.trade("X.B", 2, at: 12), Self.trade("X.D", 1, at: 13)] {
            #expect(machine.liveMessage(message) == Self.delivers(message))
        }
        // X.E, absent from the history at the live point, arrives at topic_seq 3: 1-2 are looked
        // for (anywhere in the session) and, not there, reported.
        #expect(machine.liveMessage(Self.trade("X.E", 3, at: 14)) == GapRepairActions(request: Self.range("X.E", after: 0, through: 13, pageSize: 2)))
        let gap = FeedEvent.gap(topic: try! Topic("X.E"), session: Self.session, missing: 1...2, reason: .notInHistory)
        #expect(machine.replayDone(expired: nil) == GapRepairActions(events: [gap, .message(Self.trade("X.E", 3, at: 14))]))
        // A real jump after the start is repaired.
        #expect(machine.liveMessage(Self.trade("X.A", 5, at: 16)) == GapRepairActions(request: Self.range("X.A", after: 11, through: 15, pageSize: 1)))
        #expect(machine.replayPage([Self.trade("X.A", 4, at: 15)], expired: nil) == Self.delivers(Self.trade("X.A", 4, at: 15)))
        #expect(machine.replayDone(expired: nil) == Self.delivers(Self.trade("X.A", 5, at: 16)))
        // The topic not placed is looked up as one first seen mid-session: its #1 was lost live.
        #expect(
            machine.liveMessage(Self.trade("X.C", 2, at: 17))
                == GapRepairActions(request: Self.range("X.C", after: 10, through: 16, pageSize: HistoryMerge.pageBudget)))
        #expect(machine.replayPage([Self.trade("X.C", 1, at: 11)], expired: nil) == Self.delivers(Self.trade("X.C", 1, at: 11)))
        #expect(machine.replayDone(expired: nil) == Self.delivers(Self.trade("X.C", 2, at: 17)))
        #expect(machine.fromHistory == 2 && machine.reportedLost == 2)
    }

    @Test func aLiveStartOnAHistoryMissingTheSessionsStartLooksUpTopicsItHoldsNothingOf() {
        // Retention deleted the session's beginning: X.E may have published before the live point.
        var machine = Self.placedMachine(latest: [Self.trade("X.A", 2, at: 5)], historyFromSessionStart: false)
        #expect(machine.liveMessage(Self.trade("X.A", 3, at: 11)) == Self.delivers(Self.trade("X.A", 3, at: 11)))
        #expect(
            machine.liveMessage(Self.trade("X.E", 3, at: 14))
                == GapRepairActions(request: Self.range("X.E", after: 10, through: 13, pageSize: HistoryMerge.pageBudget)))
        #expect(machine.replayDone(expired: nil) == Self.delivers(Self.trade("X.E", 3, at: 14)))
        #expect(machine.reportedLost == 0)
    }

    @Test func aLiveStartWhoseHistoryCannotPlaceTopicsLooksEachUpAsBefore() {
        var machine = GapRepairStateMachine(configuration: .init(start: .live, canRepair: true))
        _ = machine.start(livePoint: FeedPoint(session: Self.session, feedSequence: 10), publishedAt: nil)
        #expect(machine.liveMessage(Self.trade("X.A", 3, at: 12)) == GapRepairActions())  // Waits behind the start-up.
        #expect(
            machine.recorded(through: 10)
                == GapRepairActions(request: .livePositions(FeedPoint(session: Self.session, feedSequence: 10), publishedBy: nil)))
        #expect(
            machine.lookUpFailed("down")
                == GapRepairActions(request: Self.range("X.A", after: 10, through: 11, pageSize: HistoryMerge.pageBudget)))
        #expect(machine.replayDone(expired: nil) == Self.delivers(Self.trade("X.A", 3, at: 12)))

        // A history whose latest session is another one (a restart since, or another publisher's) places nothing either.
        var other = GapRepairStateMachine(configuration: .init(start: .live, canRepair: true))
        _ = other.start(livePoint: FeedPoint(session: Self.session, feedSequence: 10), publishedAt: nil)
        #expect(other.recorded(through: .max) == GapRepairActions())
        #expect(
            other.liveMessage(Self.trade("X.A", 3, at: 12))
                == GapRepairActions(request: Self.range("X.A", after: 10, through: 11, pageSize: HistoryMerge.pageBudget)))
    }

    @Test func aReplayFromATimeBeforeTheRetentionHorizonNamesTheSequencesThatExpired() {
        let time = Timestamp(nanoseconds: 1)
        var machine = GapRepairStateMachine(configuration: .init(start: .time(time), canRepair: true))
        let livePoint = FeedPoint(session: Self.session, feedSequence: 60)
        #expect(machine.start(livePoint: livePoint) == GapRepairActions(request: .awaitRecorded(session: Self.session, through: 60, required: true)))
        #expect(machine.recorded(through: 60) == GapRepairActions(request: .replay(HistoryQuery(since: time), endingAfter: livePoint)))
        // The history starts at feed sequence 41 of the live session: the server names 1-40 as gone.
        let expired = HistoryExpiry(
            retainedFrom: 41, expiredSessions: [ExpiredSession(session: Self.session, expiredThroughSequence: 40)])
        let unverified = FeedEvent.unverified(session: Self.session, feedSequences: 1...40, reason: "\(GapReason.expired(expired))")
        #expect(
            machine.replayPage([Self.trade("X.A", 7, at: 41)], expired: expired)
                == GapRepairActions(events: [unverified, .message(Self.trade("X.A", 7, at: 41))]))
    }
}
