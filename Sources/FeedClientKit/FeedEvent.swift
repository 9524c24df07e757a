import FeedModel

/// What a subscriber receives: a message, or news about the stream itself.
public enum FeedEvent: Sendable, Equatable {
    /// A quote or trade.
    case message(FeedMessage)
    /// The publisher is alive; `feedSequence` is the latest it published in `session`.
    case heartbeat(session: UInt32, feedSequence: UInt64)
    /// Messages of `topic` that were lost and could not be repaired from the history: topic
    /// sequences `missing` of `session`. Never skipped silently.
    case gap(topic: Topic, session: UInt32, missing: ClosedRange<UInt64>)
    /// The publisher restarted: a new session began. Sequences start again at 1.
    case sessionChanged(from: UInt32, to: UInt32)
    /// History up to the live stream was delivered: what follows is live.
    case replayCompleted(messages: Int)
}
