@testable import FeedClientKit
import FeedModel
import Testing

/// The per-topic bookkeeping of a sequenced feed, rule by rule.
struct TopicSequencesTests {
    func message(_ topic: String, _ topicSequence: UInt64, at feedSequence: UInt64, session: UInt32 = 7) -> FeedMessage {
        FeedMessage(
            topic: try! Topic(topic), session: session, feedSequence: feedSequence, topicSequence: topicSequence, eventTime: 0,
            publishTime: 0, payload: .trade(Trade(price: Price(mantissa: 1), size: 1, aggressor: .buy)))
    }

    @Test func nextInLineDuplicateAndJump() {
        var sequences = TopicSequences()
        sequences.begin(7, wholeSession: true, checkedThrough: 0)
        #expect(sequences.verdict(for: message("N.A", 1, at: 1)) == .deliver)
        sequences.delivered(message("N.A", 1, at: 1))
        #expect(sequences.verdict(for: message("N.A", 1, at: 1)) == .duplicate)
        #expect(sequences.verdict(for: message("N.A", 2, at: 5)) == .deliver)
        #expect(sequences.verdict(for: message("N.A", 4, at: 9)) == .missing(from: 2, through: 3, afterFeedSequence: 1))
    }

    @Test func topicFirstSeenMidSessionIsLookedUpOnlyAfterWhatIsKnownComplete() {
        var sequences = TopicSequences()
        sequences.begin(7, wholeSession: false, checkedThrough: 100)
        // Right after the live point: nothing can be missing between.
        #expect(sequences.verdict(for: message("N.B", 9, at: 101)) == .deliver)
        // Later: its earlier messages after 100 may be lost, how many is unknown.
        #expect(sequences.verdict(for: message("N.B", 9, at: 150)) == .missing(from: nil, through: 8, afterFeedSequence: 100))
        sequences.noteChecked(through: 149, in: 7)
        #expect(sequences.verdict(for: message("N.B", 9, at: 150)) == .deliver)
        #expect(sequences.checkedThrough(in: 7) == 149)
        sequences.noteChecked(through: 120, in: 7)
        #expect(sequences.checkedThrough(in: 7) == 149, "W never goes down")
    }

    @Test func inAWholeSessionEveryTopicStartsAtOne() {
        var sequences = TopicSequences()
        sequences.begin(7, wholeSession: true, checkedThrough: 100)
        #expect(sequences.verdict(for: message("N.C", 3, at: 101)) == .missing(from: 1, through: 2, afterFeedSequence: 100))
        #expect(sequences.verdict(for: message("N.C", 1, at: 101)) == .deliver)
    }

    @Test func settlingNeverMovesATopicBack() {
        var sequences = TopicSequences()
        sequences.begin(7, wholeSession: false, checkedThrough: 0)
        sequences.delivered(message("N.A", 5, at: 50))
        sequences.settle(try! Topic("N.A"), in: 7, through: .init(topicSequence: 3, feedSequence: 30))
        #expect(sequences.position(of: try! Topic("N.A"), in: 7) == .init(topicSequence: 5, feedSequence: 50))
        sequences.settle(try! Topic("N.A"), in: 7, through: .init(topicSequence: 8, feedSequence: 80))
        #expect(sequences.verdict(for: message("N.A", 9, at: 90)) == .deliver)
    }

    @Test func sessionsAreFollowedSideBySide() {
        var sequences = TopicSequences()
        sequences.begin(7, wholeSession: false, checkedThrough: 0)
        sequences.delivered(message("N.A", 5, at: 50))
        sequences.begin(9, wholeSession: true, checkedThrough: 0)
        #expect(sequences.current == 9)
        // The earlier session (another origin through a relay) keeps its own state.
        #expect(sequences.verdict(for: message("N.A", 6, at: 51)) == .deliver)
        #expect(sequences.verdict(for: message("N.A", 6, at: 51, session: 9)) == .missing(from: 1, through: 5, afterFeedSequence: 0))
        sequences.begin(8, wholeSession: false, checkedThrough: 0)
        #expect(sequences.current == 9, "an earlier session begun later does not become current")
        for session in 10..<UInt32(10 + TopicSequences.retainedSessions) { sequences.begin(session, wholeSession: true, checkedThrough: 0) }
        #expect(!sequences.follows(7))
    }
}
