import FeedModel

/// What a sequenced subscription knows about each session of the feed it has seen: the last
/// message delivered per topic, and up to where the whole subscription is known to be complete.
///
/// Rules:
/// 1. A topic's messages are delivered in topic-sequence order, each once: an arriving message
///    at or below the topic's last is a duplicate; one more than the last is next in line.
/// 2. A session's ``checkedThrough(in:)`` (W) only rises when everything of the subscription's
///    prefixes up to W is accounted for: delivered, reported as lost, or before the
///    subscription's start. It is raised by the start-up (to the live point) and by completed
///    tail checks, never by a message merely arriving.
/// 3. A topic not seen yet whose first message is not topic sequence 1 may have lost earlier
///    messages after W: those are looked for in history. In a session followed from its start
///    (``unseenTopicStart(_:in:)``) its earlier messages must all be there, from 1. So too in a
///    session placed at its live point (``begin(_:placedAt:positions:unplaced:absentUnpublished:)``): every topic's
///    position there is known, absent ones have published nothing, except the `unplaced`.
/// 4. Sessions are followed side by side: a publisher's restart begins a new one, and a relay
///    of several origins interleaves theirs. ``current`` is the latest begun; only the most
///    recent ``retainedSessions`` are kept.
struct TopicSequences {
    /// The last delivered message of a topic: its topic sequence and feed sequence.
    struct Position: Equatable {
        var topicSequence: UInt64
        var feedSequence: UInt64
    }

    /// What to do with an arriving message.
    enum Verdict: Equatable {
        case deliver
        case duplicate
        /// Earlier messages of the topic are missing: topic sequences `from...through` (`from`
        /// nil: the topic was first seen mid-session, so how far back it goes is unknown), to be
        /// looked for among feed sequences after `afterFeedSequence`.
        case missing(from: UInt64?, through: UInt64, afterFeedSequence: UInt64)
    }

    private struct Session {
        var last: [Topic: Position] = [:]
        var wholeSession: Bool
        var checkedThrough: UInt64
        var highestPublished: UInt64
        /// Placed at a live point from the history: an unseen topic's earlier messages are
        /// looked for from the session's start, in case the placing missed one published just
        /// before the live point (its time bound is a clock's).
        var placed = false
        /// Of a session placed, topics whose position at the live point is not known: checked
        /// as in a session joined midway.
        var unplaced: Set<Topic> = []
    }

    /// How many sessions are remembered at most (rule 4).
    static let retainedSessions = 16

    private var sessions: [UInt32: Session] = [:]
    /// The latest session begun.
    private(set) var current: UInt32?

    /// Starts following `session`: no topic seen yet, complete through `checkedThrough`. It
    /// becomes ``current`` unless a later session is already followed.
    mutating func begin(_ session: UInt32, wholeSession: Bool, checkedThrough: UInt64) {
        sessions[session] = Session(wholeSession: wholeSession, checkedThrough: checkedThrough, highestPublished: checkedThrough)
        current = max(current ?? session, session)
        if sessions.count > Self.retainedSessions, let oldest = sessions.keys.min() { sessions[oldest] = nil }
    }

    /// Starts following `session` from its live point `livePoint`, its topics placed there from
    /// the history: `positions` holds each topic's last message at or before it. With
    /// `absentUnpublished` (the history holds the session from its start), a topic absent from
    /// `positions` and from `unplaced` has published nothing yet (rule 3); without, where an
    /// absent topic's messages begin is not known.
    mutating func begin(
        _ session: UInt32, placedAt livePoint: UInt64, positions: [Topic: Position], unplaced: Set<Topic>, absentUnpublished: Bool
    ) {
        begin(session, wholeSession: absentUnpublished, checkedThrough: livePoint)
        sessions[session]?.last = positions
        sessions[session]?.placed = true
        sessions[session]?.unplaced = unplaced
    }

    /// Whether `session` is followed.
    func follows(_ session: UInt32) -> Bool { sessions[session] != nil }

    /// The last delivered message of `topic` in `session`, if any.
    func position(of topic: Topic, in session: UInt32) -> Position? { sessions[session]?.last[topic] }

    /// For a topic not seen yet in `session`: the feed sequence after which its messages from
    /// topic sequence 1 are to be looked for, or nil when where they begin is unknown (rule 3).
    func unseenTopicStart(_ topic: Topic, in session: UInt32) -> UInt64? {
        guard let state = sessions[session], state.wholeSession, !state.unplaced.contains(topic) else { return nil }
        return state.placed ? 0 : state.checkedThrough
    }

    /// W of rule 2 for `session`.
    func checkedThrough(in session: UInt32) -> UInt64 { sessions[session]?.checkedThrough ?? 0 }

    /// The highest feed sequence known to be published in `session` (messages, heartbeats).
    func highestPublished(in session: UInt32) -> UInt64 { sessions[session]?.highestPublished ?? 0 }

    /// The verdict on a message of a followed session.
    func verdict(for message: FeedMessage) -> Verdict {
        guard let state = sessions[message.session] else { return .deliver }
        let sequence = message.topicSequence
        if let previous = state.last[message.topic] {
            if sequence <= previous.topicSequence { return .duplicate }
            if sequence - previous.topicSequence == 1 { return .deliver }
            return .missing(from: previous.topicSequence + 1, through: sequence - 1, afterFeedSequence: previous.feedSequence)
        }
        if sequence <= 1 { return .deliver }
        if let after = unseenTopicStart(message.topic, in: message.session) {
            return .missing(from: 1, through: sequence - 1, afterFeedSequence: after)
        }
        if message.feedSequence > state.checkedThrough && message.feedSequence - state.checkedThrough > 1 {
            return .missing(from: nil, through: sequence - 1, afterFeedSequence: state.checkedThrough)
        }
        return .deliver
    }

    /// Records a delivered message of a followed session.
    mutating func delivered(_ message: FeedMessage) {
        sessions[message.session]?.last[message.topic] = Position(
            topicSequence: message.topicSequence, feedSequence: message.feedSequence)
        notePublished(message.feedSequence, in: message.session)
    }

    /// Records that `topic` is accounted for through `position` (delivered, reported lost, or
    /// before the start), so its next message is in line. Never moves a topic backwards.
    mutating func settle(_ topic: Topic, in session: UInt32, through position: Position) {
        if let current = sessions[session]?.last[topic], current.topicSequence >= position.topicSequence { return }
        sessions[session]?.last[topic] = position
    }

    /// Notes that the publisher reached `feedSequence` in `session` (a message or heartbeat).
    mutating func notePublished(_ feedSequence: UInt64, in session: UInt32) {
        guard let highest = sessions[session]?.highestPublished, feedSequence > highest else { return }
        sessions[session]?.highestPublished = feedSequence
    }

    /// Raises W of `session`: everything of the subscription through `feedSequence` is accounted for.
    mutating func noteChecked(through feedSequence: UInt64, in session: UInt32) {
        guard let checked = sessions[session]?.checkedThrough, feedSequence > checked else { return }
        sessions[session]?.checkedThrough = feedSequence
        notePublished(feedSequence, in: session)
    }
}
