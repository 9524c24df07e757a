import Testing

@testable import FeedServerCore

/// How a relay that fills its history from upstream judges what it records: each rule of
/// ``RecordedFeedSequences`` by example.
struct RecordedFeedSequencesTests {
    @Test func aSessionIsJoinedWhereFirstSeenThenFollowedOneByOne() {
        var sequences = RecordedFeedSequences()
        #expect(sequences.note(session: 7, feedSequence: 500) == .next, "joined mid-session: nothing before is missing")
        #expect(sequences.note(session: 7, feedSequence: 501) == .next)
        #expect(sequences.note(session: 7, feedSequence: 501) == .duplicate)
        #expect(sequences.note(session: 7, feedSequence: 400) == .duplicate)
    }

    @Test func aJumpIsAGapOfTheSequencesInBetween() {
        var sequences = RecordedFeedSequences()
        _ = sequences.note(session: 7, feedSequence: 1)
        #expect(sequences.note(session: 7, feedSequence: 5) == .afterGap(2...4))
        #expect(sequences.note(session: 7, feedSequence: 6) == .next)
        #expect(sequences.note(session: 7, feedSequence: 3) == .duplicate, "inside a gap already asked for")
    }

    @Test func sessionsAreFollowedSideBySide() {
        var sequences = RecordedFeedSequences()
        _ = sequences.note(session: 7, feedSequence: 10)
        #expect(sequences.note(session: 9, feedSequence: 1) == .next)
        #expect(sequences.note(session: 7, feedSequence: 11) == .next)
        #expect(sequences.note(session: 9, feedSequence: 3) == .afterGap(2...2))
        #expect(sequences.note(session: 5, feedSequence: 40) == .next, "an earlier session (another origin) is joined where seen")
    }

    @Test func aRestartedOriginsSessionIsFollowedFromItsStart() {
        var sequences = RecordedFeedSequences()
        _ = sequences.note(session: 7, feedSequence: 10)
        #expect(sequences.note(session: 8, feedSequence: 4) == .afterGap(1...3), "its first messages were lost")
        #expect(sequences.noteHeartbeat(session: 9, feedSequence: 0) == nil, "nothing published yet")
        #expect(sequences.note(session: 9, feedSequence: 1) == .next)
        #expect(sequences.noteHeartbeat(session: 10, feedSequence: 2) == 1...2, "a heartbeat shows what was lost")
    }

    @Test func aHeartbeatBeyondTheLastMessageRevealsALostTail() {
        var sequences = RecordedFeedSequences()
        #expect(sequences.noteHeartbeat(session: 7, feedSequence: 100) == nil, "joined at the heartbeat")
        #expect(sequences.note(session: 7, feedSequence: 101) == .next)
        #expect(sequences.noteHeartbeat(session: 7, feedSequence: 101) == nil)
        #expect(sequences.noteHeartbeat(session: 7, feedSequence: 104) == 102...104)
        #expect(sequences.note(session: 7, feedSequence: 103) == .duplicate, "the tail is asked for already")
        #expect(sequences.note(session: 7, feedSequence: 105) == .next)
    }

    @Test func anImplausibleJumpMovesNothing() {
        var sequences = RecordedFeedSequences()
        _ = sequences.note(session: 7, feedSequence: 8_000)
        #expect(sequences.note(session: 7, feedSequence: 792_633_534_417_208_568) == .implausible)
        #expect(sequences.noteHeartbeat(session: 7, feedSequence: 792_633_534_417_208_568) == nil)
        #expect(sequences.note(session: 7, feedSequence: 8_001) == .next)
        #expect(sequences.note(session: 7, feedSequence: 8_001 + RecordedFeedSequences.maximumJump) == .afterGap(8_002...8_000 + RecordedFeedSequences.maximumJump))
    }
}
