import FeedModel

extension SequencedFeed {
    /// What a ``SequencedFeed`` must do before it reads the next live event, in order. Each step
    /// delivers at most a page of history, so the events waiting for the caller stay few.
    enum Work {
        /// The start-up replay, until it reaches the live point.
        case replay(StartupReplay)
        /// One topic's missing messages, looked up in history.
        case fill(Fill)
        /// A live message, delivered once its topic's missing messages were looked up.
        case message(FeedMessage)
        /// A heartbeat says the publisher reached `through` in `session`: look for losses at the tail.
        case tailCheck(session: UInt32, through: UInt64)
        /// Everything of the subscription through this feed sequence of `session` is accounted for.
        case checked(session: UInt32, through: UInt64)
        /// The publisher moved on to session `next`: check the old session's tail.
        case endSession(next: UInt32)
        /// Report what the old session lacks, then follow session `next` from its start.
        case beginSession(UInt32)
        /// An event delivered in its turn.
        case emit(FeedEvent)
    }

    /// The history of the subscription's prefixes from the requested start to the live point,
    /// read as it is delivered.
    final class StartupReplay {
        /// The live session and how far the replay goes in it.
        let session: UInt32
        var through: UInt64
        var merge: HistoryMerge
        /// How far the recorded history was ahead of `through` when the replay was last extended.
        var lead: UInt64 = .max
        var delivered = 0

        init(session: UInt32, through: UInt64, merge: HistoryMerge) {
            self.session = session
            self.through = through
            self.merge = merge
        }
    }

    /// Missing messages of one topic: topic sequences `from...through` (bounds unknown when nil),
    /// looked for among the feed sequences after `afterFeedSequence`, through
    /// `throughFeedSequence` (nil: the end of the session).
    final class Fill {
        let topic: Topic
        let session: UInt32
        let from: UInt64?
        let through: UInt64?
        let afterFeedSequence: UInt64
        let throughFeedSequence: UInt64?
        var stream: HistoryStream?
        /// Why the history could not be read, when it could not.
        var failure: GapReason?

        init(
            topic: Topic, session: UInt32, from: UInt64?, through: UInt64?, afterFeedSequence: UInt64,
            throughFeedSequence: UInt64?
        ) {
            self.topic = topic
            self.session = session
            self.from = from
            self.through = through
            self.afterFeedSequence = afterFeedSequence
            self.throughFeedSequence = throughFeedSequence
        }

        /// No feed sequence can hold what is missing: nothing to read.
        var windowIsEmpty: Bool { afterFeedSequence == .max || throughFeedSequence.map { $0 <= afterFeedSequence } ?? false }
    }
}

extension ReplayStart {
    /// Whether the stream holds the live session from its first message.
    var coversWholeSession: Bool { self == .sessionStart }
}
