import FeedModel

/// What a subscriber receives: a message, or news about the stream itself.
public enum FeedEvent: Sendable, Equatable {
    /// A quote or trade.
    case message(FeedMessage)
    /// The publisher is alive; `feedSequence` is the latest it published in `session`.
    case heartbeat(session: UInt32, feedSequence: UInt64)
}
