/// The feed sequences a relay has recorded, per origin session: tells a message next in line
/// from a duplicate and from one after a gap.
///
/// Rules:
/// 1. The first session seen is joined where it is first seen (a message or a heartbeat): what
///    came before the relay joined is not its to record. A session later than every one
///    followed (the origin restarted) is followed from its start, so losing its first
///    messages is a gap too; an earlier one (another origin's) is joined where first seen.
/// 2. A message one past the last is next in line; at or below the last, a duplicate; further
///    on, it follows a gap of the feed sequences in between, and becomes the last.
/// 3. A heartbeat carries the origin's latest feed sequence: one beyond the last reveals a
///    gap at the session's tail, which no later message may show for a long time.
/// 4. A jump of more than ``maximumJump`` is implausible (a message mangled on the way, as a
///    PGM receiver has delivered after an unrecoverable loss): it leaves the last unchanged, so
///    one bad header can neither ask for billions of messages nor make every later message look
///    like a duplicate.
/// 5. Feed sequences are contiguous only in the whole feed, so this serves a relay that records
///    every topic (no prefixes). At most ``retainedSessions`` sessions are followed, the
///    latest ones (a relay of several origins interleaves theirs).
struct RecordedFeedSequences {
    /// What an arriving message is.
    enum Verdict: Equatable {
        case next
        case duplicate
        /// The feed sequences in the range were lost before this message.
        case afterGap(ClosedRange<UInt64>)
        /// Too far ahead to be true (rule 4).
        case implausible
    }

    static let retainedSessions = 16
    /// Rule 4: more than a day of a feed at 40,000 messages a second.
    static let maximumJump: UInt64 = 1 << 32

    private var last: [UInt32: UInt64] = [:]

    /// The verdict on a message (rules 1 and 2); the message then counts as recorded.
    mutating func note(session: UInt32, feedSequence: UInt64) -> Verdict {
        guard let previous = last[session] ?? startOfNew(session) else {
            follow(session, from: feedSequence)
            return .next
        }
        if feedSequence <= previous { return .duplicate }
        if feedSequence - previous > Self.maximumJump { return .implausible }
        last[session] = feedSequence
        return feedSequence == previous + 1 ? .next : .afterGap(previous + 1...feedSequence - 1)
    }

    /// The gap a heartbeat reveals (rule 3), if any; the session is then known through it.
    mutating func noteHeartbeat(session: UInt32, feedSequence: UInt64) -> ClosedRange<UInt64>? {
        guard let previous = last[session] ?? startOfNew(session) else {
            follow(session, from: feedSequence)
            return nil
        }
        guard feedSequence > previous, feedSequence - previous <= Self.maximumJump else { return nil }
        last[session] = feedSequence
        return previous + 1...feedSequence
    }

    /// Where an unfollowed session starts (rule 1): before its first message when it is later
    /// than every session followed, nil when it is joined where seen.
    private mutating func startOfNew(_ session: UInt32) -> UInt64? {
        guard let latest = last.keys.max(), session > latest else { return nil }
        follow(session, from: 0)
        return 0
    }

    private mutating func follow(_ session: UInt32, from feedSequence: UInt64) {
        last[session] = feedSequence
        if last.count > Self.retainedSessions, let oldest = last.keys.min() { last[oldest] = nil }
    }
}
