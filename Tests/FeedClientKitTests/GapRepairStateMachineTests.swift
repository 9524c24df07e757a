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

    @Test func anAnswerTheMachineDidNotAskForIsAProgrammingError() async {
        await #expect(processExitsWith: .failure) {
            var machine = GapRepairStateMachine(configuration: .init(start: .live, canRepair: true))
            _ = machine.start(livePoint: FeedPoint(session: 1, feedSequence: 0))
            _ = machine.replayDone(expired: nil)
        }
    }
}
