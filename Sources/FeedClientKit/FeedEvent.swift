import FeedModel

/// What a subscriber receives: a message, or news about the stream itself.
public enum FeedEvent: Sendable, Equatable {
    /// A quote or trade.
    case message(FeedMessage)
    /// The publisher is alive; `feedSequence` is the latest it published in `session`. With a
    /// replay endpoint, every message of the subscription up to there was delivered before this
    /// event or reported lost, unless the history could not be asked (the next heartbeat's check
    /// covers it then).
    case heartbeat(session: UInt32, feedSequence: UInt64)
    /// Messages of `topic` that were lost and could not be repaired: topic sequences `missing`
    /// of `session`, and why not. Never skipped silently.
    case gap(topic: Topic, session: UInt32, missing: ClosedRange<UInt64>, reason: GapReason)
    /// Feed sequences `feedSequences` of `session` could not be checked for losses of this
    /// subscription (`reason`: never recorded because the publisher was killed first, or history
    /// unavailable). Whatever of the subscription among them did not arrive live is lost, and
    /// cannot be named by topic.
    case unverified(session: UInt32, feedSequences: ClosedRange<UInt64>, reason: String)
    /// The publisher restarted: a new session began. Sequences start again at 1.
    case sessionChanged(from: UInt32, to: UInt32)
    /// History up to the live stream was delivered: what follows is live.
    case replayCompleted(messages: Int)
    /// The publisher closed the connection: it stopped, or it dropped this subscriber (as slow,
    /// or for asking too much). libzmq reconnects and subscribes again; with a replay endpoint
    /// what was published in between is repaired from history, otherwise reported as gaps.
    case connectionLost(endpoint: String)
    /// With several lines (A/B): the line at `endpoint` brought nothing for `milliseconds` while
    /// another line brought messages; the others carry the feed meanwhile.
    case lineSilent(endpoint: String, milliseconds: Int)
    /// The line at `endpoint`, reported silent, brings messages again.
    case lineResumed(endpoint: String)

    /// Whether this is a quote or trade rather than news about the stream.
    public var isMessage: Bool {
        if case .message = self { true } else { false }
    }
}

/// Why lost messages could not be repaired.
public enum GapReason: Sendable, Equatable, CustomStringConvertible {
    /// The history does not hold them either.
    case notInHistory
    /// The history could not be asked (no answer, or an error): they may well be there.
    case historyUnavailable(String)
    /// The subscription has no replay endpoint to repair from.
    case noReplayEndpoint
    /// Retention deleted them from the history; it holds messages from a later time on.
    case expired(HistoryExpiry)

    public var description: String {
        switch self {
        case .notInHistory: "lost and not in history"
        case .historyUnavailable(let reason): "lost; history unavailable: \(reason)"
        case .noReplayEndpoint: "lost; no replay endpoint to repair from"
        case .expired(let expiry): "expired from history (\(expiry))"
        }
    }
}

/// An event in a few characters, for logs and for expected streams that read at a glance:
/// `NASDAQ.A#3@1000:5` (topic, topic sequence, session, feed sequence), `hb 1000:5`,
/// `gap NASDAQ.A@1000 2-3 lost and not in history`, `restart 1000->1001`, `replayed 4`,
/// `unverified 1000:16-20`, `lost tcp://127.0.0.1:5556`, `silent EP`, `resumed EP`.
extension FeedEvent: CustomStringConvertible {
    public var description: String {
        switch self {
        case .message(let message): "\(message.topic)#\(message.topicSequence)@\(message.session):\(message.feedSequence)"
        case .heartbeat(let session, let feedSequence): "hb \(session):\(feedSequence)"
        case .gap(let topic, let session, let missing, let reason): "gap \(topic)@\(session) \(missing.lowerBound)-\(missing.upperBound) \(reason)"
        case .sessionChanged(let old, let new): "restart \(old)->\(new)"
        case .replayCompleted(let messages): "replayed \(messages)"
        case .unverified(let session, let sequences, _): "unverified \(session):\(sequences.lowerBound)-\(sequences.upperBound)"
        case .connectionLost(let endpoint): "lost \(endpoint)"
        case .lineSilent(let endpoint, _): "silent \(endpoint)"
        case .lineResumed(let endpoint): "resumed \(endpoint)"
        }
    }
}
