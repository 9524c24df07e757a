import FeedModel

/// Assigns the feed-wide and per-topic sequence numbers of one session.
///
/// Owned by the engine thread. Feed and topic sequences both start at 1 and never skip, so a
/// subscriber filtering on any prefix can detect its own gaps from the topic sequence. Topics
/// are looked up by their bytes, in place: stamping a message allocates nothing.
struct Sequencer {
    let session: UInt32
    private(set) var lastFeedSequence: UInt64 = 0
    private var topics = TopicTable()
    /// The last topic sequence of each topic, by the table's id.
    private var topicSequences: [UInt64] = []

    init(session: UInt32) { self.session = session }

    /// Stamps an encoded body in place with the next sequences and the publish time.
    mutating func stamp(topic: UnsafeRawBufferPointer, body: UnsafeMutableRawBufferPointer, publishTime: Int64) {
        lastFeedSequence += 1
        let (id, inserted) = topics.insert(topic)
        if inserted { topicSequences.append(0) }
        topicSequences[id] += 1
        WireHeader.stamp(
            body, session: session, feedSequence: lastFeedSequence, topicSequence: topicSequences[id],
            publishTime: publishTime)
    }

    /// A heartbeat carrying the latest feed sequence.
    func heartbeat(now: Int64) -> FeedMessage {
        FeedMessage(
            topic: .heartbeat, session: session, feedSequence: lastFeedSequence, topicSequence: 0, eventTime: now,
            publishTime: now, payload: .heartbeat)
    }
}
