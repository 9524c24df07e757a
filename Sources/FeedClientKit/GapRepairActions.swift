import FeedModel

/// What a ``GapRepairStateMachine`` asks of its driver after an event: events to hand to the
/// subscriber, in order, then at most one history request to start. Owned by the driver.
struct GapRepairActions: Equatable {
    /// Messages to deliver and reports (gaps, unverified ranges, restarts, heartbeats, lost
    /// connections, the end of the start-up replay), in the order the subscriber gets them.
    var events: [FeedEvent] = []
    /// A history request to start now. Until it is answered (``HistoryRequest`` says how), the
    /// machine runs nothing else: live events given to it meanwhile wait their turn.
    var request: HistoryRequest?
}

/// A point of the feed: a feed sequence of a publisher session.
struct FeedPoint: Equatable, Sendable {
    var session: UInt32
    var feedSequence: UInt64
}

/// Missing messages of one topic to read from history: messages of `topic` among feed
/// sequences after `afterFeedSequence` through `throughFeedSequence` (nil: the end of the session).
struct TopicRange: Equatable, Sendable {
    var topic: Topic
    var session: UInt32
    var afterFeedSequence: UInt64
    var throughFeedSequence: UInt64?
    /// Messages to ask for per page: usually the window holds just the missing ones.
    var pageSize: Int
}

/// A history request of a ``GapRepairStateMachine``, which its driver performs and answers.
///
/// Rules:
/// 1. A read (``replay(_:endingAfter:)``, ``topicRange(_:)``) is answered by pages of at most
///    ``HistoryMerge/pageBudget`` messages (``GapRepairStateMachine/replayPage(_:expired:)``),
///    then ``GapRepairStateMachine/replayDone(expired:)`` or, for a topic range,
///    ``GapRepairStateMachine/replayFailed(_:)``. A page is handed over only when the events of
///    the previous one were consumed, so memory holds a page.
/// 2. A look-up is answered by the event named after it, or
///    ``GapRepairStateMachine/lookUpFailed(_:)`` when the history could not be asked.
/// 3. A failure of a request marked `required` (the start-up's) ends the subscription instead:
///    the driver throws, and the machine hears nothing more.
enum HistoryRequest: Equatable {
    /// The start-up replay: `query` for every prefix, merged in publish order, stopping after
    /// `endingAfter` (for queries by time, which span sessions). Required.
    case replay(HistoryQuery, endingAfter: FeedPoint?)
    /// One topic's missing messages, read once the history holds the range's last feed sequence
    /// (a range the history did not reach in time fails as unavailable). Pages may hold other
    /// topics under the same prefix.
    case topicRange(TopicRange)
    /// Wait until the history holds `session` through `through`: answered by
    /// ``GapRepairStateMachine/recorded(through:)``.
    case awaitRecorded(session: UInt32, through: UInt64, required: Bool)
    /// The highest feed sequence, at most `atMost`, recorded of `session`: answered by
    /// ``GapRepairStateMachine/lastRecorded(_:)``.
    case lastRecorded(session: UInt32, atMost: UInt64)
    /// The latest recorded message of every topic under the prefixes: answered by
    /// ``GapRepairStateMachine/latestPerTopic(_:)``.
    case latestPerTopic(required: Bool)
    /// A live start's placing of topics at its live point, once the history holds it: the latest
    /// recorded message of every topic under the prefixes published by `publishedBy` (nil: the
    /// latest of all), and whether the history holds the point's session from its start
    /// (nothing of it expired). Answered by
    /// ``GapRepairStateMachine/livePositions(_:historyFromSessionStart:)``.
    case livePositions(FeedPoint, publishedBy: Timestamp?)
    /// The server's status, for the start-up replay to go on to what was recorded meanwhile.
    /// Required; answered by ``GapRepairStateMachine/status(session:recorded:)``.
    case status
}
