import FeedModel

/// Assigns the feed-wide and per-topic sequence numbers of one session.
///
/// Owned by the engine thread. Feed and topic sequences both start at 1 and never skip, so a
/// subscriber filtering on any prefix can detect its own gaps from the topic sequence.
struct Sequencer {
    let session: UInt32
    private(set) var lastFeedSequence: UInt64 = 0
    private var topicSequences: [String: UInt64] = [:]

    init(session: UInt32) { self.session = session }

    /// Stamps an encoded body in place with the next sequences and the publish time.
    mutating func stamp(topic: String, body: UnsafeMutableRawBufferPointer, publishTime: Int64) {
        lastFeedSequence += 1
        let topicSequence = topicSequences[topic, default: 0] + 1
        topicSequences[topic] = topicSequence
        WireHeader.stamp(
            body, session: session, feedSequence: lastFeedSequence, topicSequence: topicSequence,
            publishTime: publishTime)
    }

    /// A heartbeat carrying the latest feed sequence.
    func heartbeat(now: Int64) -> FeedMessage {
        FeedMessage(
            topic: .heartbeat, session: session, feedSequence: lastFeedSequence, topicSequence: 0, eventTime: now,
            publishTime: now, payload: .heartbeat)
    }
}
