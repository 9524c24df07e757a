import FeedModel

/// Missing messages of one topic, to look up in history: topic sequences `from...through`
/// (bounds unknown when nil), among the feed sequences after `afterFeedSequence` through
/// `throughFeedSequence` (nil: the end of the session). Made and settled by ``GapRepairStateMachine``.
struct TopicGap: Equatable {
    var topic: Topic
    var session: UInt32
    var from: UInt64?
    var through: UInt64?
    var afterFeedSequence: UInt64
    var throughFeedSequence: UInt64?
    /// Why the history could not be read, when it could not.
    var failure: GapReason?

    /// No feed sequence can hold what is missing: nothing to read.
    var windowIsEmpty: Bool { afterFeedSequence == .max || throughFeedSequence.map { $0 <= afterFeedSequence } ?? false }

    /// Whether `queued` (live messages of the topic, in topic-sequence order) holds every message
    /// of the gap: its messages from `from` on, one after another, up to `through` or past the
    /// window's last feed sequence. A tail check on a busy feed finds most topics behind their
    /// latest only because their next messages wait in the agenda behind the check; reading each
    /// from history (a request a topic) held the live stream for 0.3-0.9 s whenever a new
    /// subscriber made the origin send a heartbeat.
    func isHeld(inOrderBy queued: [FeedMessage]) -> Bool {
        guard var expected = from else { return false }
        for message in queued where message.topicSequence >= expected {
            guard message.topicSequence == expected else { return false }
            if message.feedSequence > throughFeedSequence ?? .max || through.map({ expected >= $0 }) ?? false { return true }
            expected += 1
        }
        return false
    }

    /// The request that reads the window: usually it holds just the missing messages, so that
    /// many are asked for at once.
    var range: TopicRange {
        let missing = from.flatMap { from in through.map { $0 >= from ? $0 - from + 1 : 1 } }
        let pageSize = Int(min(missing ?? UInt64(HistoryMerge.pageBudget), UInt64(HistoryMerge.pageBudget)))
        return TopicRange(
            topic: topic, session: session, afterFeedSequence: afterFeedSequence, throughFeedSequence: throughFeedSequence,
            pageSize: pageSize)
    }
}

extension TopicSequences {
    /// The gap that brings a topic up to `latest`, its latest recorded message, if the topic is
    /// behind it in that message's session.
    func tailGap(for latest: FeedMessage) -> TopicGap? {
        let session = latest.session
        let checked = checkedThrough(in: session)
        let from: UInt64?
        let after: UInt64
        if let position = position(of: latest.topic, in: session) {
            guard latest.topicSequence > position.topicSequence else { return nil }
            (from, after) = (position.topicSequence + 1, position.feedSequence)
        } else if let start = unseenTopicStart(latest.topic, in: session) {
            (from, after) = (1, start)
        } else {
            guard latest.feedSequence > checked else { return nil }  // Before the start.
            (from, after) = (nil, checked)
        }
        return TopicGap(
            topic: latest.topic, session: session, from: from, through: latest.topicSequence, afterFeedSequence: after,
            throughFeedSequence: latest.feedSequence)
    }

    /// The gaps at the tail of `session` through feed sequence `limit` (nil: its end, for a
    /// session that is over), given the latest recorded message of every topic (`latest`, in
    /// publish order). A topic whose latest is beyond the limit or in a later session is read up
    /// to there, however many messages that is: the live line brings what follows, and whatever
    /// of the topic it may still bring must not be taken for a duplicate.
    func tailGaps(of session: UInt32, latest: [FeedMessage], through limit: UInt64? = nil) -> [TopicGap] {
        latest.compactMap { latest in
            if latest.session == session && latest.feedSequence <= limit ?? .max { return tailGap(for: latest) }
            guard latest.session >= session else { return nil }
            let position = position(of: latest.topic, in: session)
            return TopicGap(
                topic: latest.topic, session: session, from: position.map { $0.topicSequence &+ 1 }, through: nil,
                afterFeedSequence: position?.feedSequence ?? checkedThrough(in: session), throughFeedSequence: limit)
        }
    }
}
