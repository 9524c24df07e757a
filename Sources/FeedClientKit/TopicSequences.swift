import FeedModel

/// Per-topic sequence bookkeeping of one session: what was delivered last for each topic, and
/// what a newly arrived message means (next in line, duplicate, or after a gap).
struct TopicSequences {
    /// What to do with an arriving message.
    enum Verdict: Equatable {
        case deliver
        case duplicate
        /// Topic sequences `missing` were not seen; the last one delivered had feed sequence
        /// `afterFeedSequence` (0: none).
        case gap(missing: ClosedRange<UInt64>, afterFeedSequence: UInt64)
    }

    private struct Last {
        var topicSequence: UInt64
        var feedSequence: UInt64
    }

    private(set) var session: UInt32?
    private var last: [Topic: Last] = [:]
    /// Whether a topic never seen must start at topic sequence 1 (the stream covers the session
    /// from its start) or may start anywhere (joined mid-session).
    private var expectsWholeSession: Bool
    /// The highest feed sequence delivered in this session.
    private(set) var highestFeedSequence: UInt64 = 0

    init(expectsWholeSession: Bool) { self.expectsWholeSession = expectsWholeSession }

    /// Starts a new session: every topic starts again at 1.
    mutating func begin(session: UInt32, wholeSession: Bool) {
        self.session = session
        last.removeAll()
        expectsWholeSession = wholeSession
        highestFeedSequence = 0
    }

    func verdict(for message: FeedMessage) -> Verdict {
        guard let previous = last[message.topic] else {
            if expectsWholeSession && message.topicSequence > 1 {
                return .gap(missing: 1...(message.topicSequence - 1), afterFeedSequence: 0)
            }
            return .deliver
        }
        if message.topicSequence <= previous.topicSequence { return .duplicate }
        if message.topicSequence == previous.topicSequence + 1 { return .deliver }
        return .gap(
            missing: (previous.topicSequence + 1)...(message.topicSequence - 1), afterFeedSequence: previous.feedSequence)
    }

    /// Records a delivered message.
    mutating func delivered(_ message: FeedMessage) {
        last[message.topic] = Last(topicSequence: message.topicSequence, feedSequence: message.feedSequence)
        highestFeedSequence = max(highestFeedSequence, message.feedSequence)
    }

    /// Records that history was checked through `feedSequence`: no tail check below it again.
    mutating func noteChecked(through feedSequence: UInt64) {
        highestFeedSequence = max(highestFeedSequence, feedSequence)
    }

    /// Marks topic sequences as given up (reported as a gap), so later ones are in line.
    mutating func skip(topic: Topic, through topicSequence: UInt64, feedSequence: UInt64) {
        last[topic] = Last(topicSequence: topicSequence, feedSequence: feedSequence)
    }
}
