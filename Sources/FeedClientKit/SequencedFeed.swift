import DequeModule
import FeedHistory
import FeedModel
import ZeroMQ

/// A live subscription that never skips silently: history merged into live for late joiners,
/// gaps repaired from the replay service, and what cannot be repaired reported as events.
///
/// How it works (the Clone pattern of the ZeroMQ Guide, Aeron's ReplayMerge):
/// 1. Subscribe live first. The server answers the subscription with a heartbeat carrying its
///    latest feed sequence L: everything after L arrives live, in libzmq's queue meanwhile.
/// 2. Replay history from the requested start through L (once the recorder has written L),
///    merged across prefixes into publish order, a page at a time. While the history runs far
///    ahead of L, the replay goes on to what is recorded, so a long catch-up does not depend
///    on libzmq's queue holding everything published meanwhile.
/// 3. Go on live. Every message passes the per-topic sequence check (``TopicSequences``): a
///    duplicate (already delivered from history) is dropped; a jump, or a topic first seen with
///    earlier messages it may have lost, is looked up in history between the two feed sequences
///    and delivered first; what history does not hold becomes a ``FeedEvent/gap(topic:session:missing:reason:)``.
/// 4. A heartbeat beyond what is known complete starts a tail check: the latest recorded
///    message of every topic is compared with the last delivered, and what was lost at a
///    topic's tail (where no later message shows the jump) is fetched.
/// 5. A message or heartbeat of a later session is a publisher restart. The old session's
///    history is final: its tail is checked as in 4, what was published but never recorded is
///    reported (``FeedEvent/unverified(session:feedSequences:reason:)``), then
///    ``FeedEvent/sessionChanged(from:to:)`` and the new session is followed from its start.
///
/// Order: each topic's messages come in topic-sequence order, each once. Across topics, live
/// messages keep the feed's order; a repaired message comes right before its topic's next
/// message, so it can follow messages of other topics published after it.
///
/// Memory: history is read a page at a time and only when the previous page was consumed, so a
/// late joiner's memory does not grow with the backlog.
///
/// Owned by one thread (the blocking calls are libzmq's); ``FeedSubscription`` runs it on a
/// thread of its own and offers it as an `AsyncSequence`.
public final class SequencedFeed {
    /// Settings of a sequenced subscription.
    public struct Options: Sendable {
        /// Topic prefixes; none means everything. A prefix under another one given is dropped.
        public var prefixes: [TopicPrefix] = []
        public var start: ReplayStart = .live
        /// The replay endpoint for history and gap repair; `nil` reports gaps without repair.
        /// Checked at the start: one that completes no ZeroMQ handshake within
        /// ``replayTimeoutMilliseconds`` (nothing listens, or a listener that is not ZeroMQ), or
        /// drops it (a socket of another kind), fails the subscription, named. A replay service
        /// that goes away later is reported by the repairs that need it, in their gaps.
        public var replayEndpoint: String?
        /// Messages libzmq queues for this subscriber before it drops (ZMQ_RCVHWM).
        public var receiveHighWaterMark: Int32 = 100_000
        /// How long to wait for the recorder to catch up before reporting a gap.
        public var repairTimeoutMilliseconds = 3000
        /// How long to wait for each answer of the replay service.
        public var replayTimeoutMilliseconds = 5000
        /// How long to wait for the first heartbeat.
        public var connectTimeoutMilliseconds = 5000
        /// CURVE toward the publish and replay endpoints (one server key for both); `nil` is plain.
        public var curve: CurveSecurity?

        public init(prefixes: [TopicPrefix] = [], start: ReplayStart = .live, replayEndpoint: String? = nil) {
            self.prefixes = prefixes
            self.start = start
            self.replayEndpoint = replayEndpoint
        }
    }

    let live: FeedSubscriber
    let replay: ReplayClient?
    let options: Options
    /// Events ready for the caller.
    var pending: Deque<FeedEvent> = []
    /// What must happen, in order, before the next live event is read (see ``Work``).
    var work: Deque<Work> = []
    var sequences = TopicSequences()
    /// The session and live point the subscription started from.
    var liveSince: (session: UInt32, feedSequence: UInt64)?
    /// What the history is known to hold: a session through a feed sequence.
    var knownRecorded: (session: UInt32, feedSequence: UInt64)?
    /// The range of the last ``FeedEvent/unverified(session:feedSequences:reason:)`` reported.
    var lastUnverified: (session: UInt32, feedSequences: ClosedRange<UInt64>)?
    /// What the history said about messages retention deleted, once a replay met it.
    var historyExpiry: HistoryExpiry?
    private var started = false

    /// Duplicates dropped (already delivered from history or repair).
    public internal(set) var duplicatesDropped = 0
    /// Messages delivered from history (replay and repair) rather than live.
    public internal(set) var fromHistory = 0
    /// Messages reported lost in ``FeedEvent/gap(topic:session:missing:reason:)`` events.
    public internal(set) var reportedLost: UInt64 = 0

    public init(context: ZMQContext, endpoint: String, options: Options) throws {
        self.options = options
        live = try FeedSubscriber(
            context: context, endpoint: endpoint, prefixes: TopicPrefix.covering(options.prefixes),
            receiveHighWaterMark: options.receiveHighWaterMark, curve: options.curve)
        replay = try options.replayEndpoint.map {
            try ReplayClient(
                context: context, endpoint: $0, timeoutMilliseconds: options.replayTimeoutMilliseconds, curve: options.curve)
        }
        if options.start != .live && replay == nil {
            throw ClientError(.rejected, "replay from \(options.start) needs a replay endpoint")
        }
    }

    /// The prefixes subscribed (everything when none were given), none under another.
    public var prefixes: [TopicPrefix] { live.prefixes }
    /// Messages that did not decode and were skipped.
    public var malformed: Int { live.malformed }
    /// Pieces of messages a multicast loss cut off, skipped (``FeedSubscriber/cutByLoss``).
    public var cutByLoss: Int { live.cutByLoss }

    /// The next event, waiting up to `timeoutMilliseconds` (-1: forever); `nil` on timeout.
    /// The first call subscribes and starts the replay as asked.
    public func next(timeoutMilliseconds: Int = -1) throws -> FeedEvent? {
        if !started {
            started = true
            try start()
        }
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        while pending.isEmpty {
            if !work.isEmpty {
                try advance()
                continue
            }
            guard let event = try live.next(timeoutMilliseconds: deadline.remainingMilliseconds) else { return nil }
            receive(event)
        }
        return pending.popFirst()
    }

    /// Queues a live event behind whatever must come before it.
    private func receive(_ event: FeedEvent) {
        switch event {
        case .message(let message):
            work.append(.message(message))
        case .heartbeat(let session, let feedSequence):
            work.append(.tailCheck(session: session, through: feedSequence))
            work.append(.emit(event))
        default:
            work.append(.emit(event))
        }
    }

    /// Takes the next step of the first piece of work.
    private func advance() throws {
        switch work[0] {
        case .replay(let replay):
            try advance(replay)
        case .fill(let fill):
            try advance(fill)
        case .message(let message):
            take(message)
        case .tailCheck(let session, let feedSequence):
            work.removeFirst()
            try checkTail(session: session, through: feedSequence)
        case .checked(let session, let feedSequence):
            work.removeFirst()
            sequences.noteChecked(through: feedSequence, in: session)
        case .endSession(let next):
            work.removeFirst()
            try endSession(next: next)
        case .beginSession(let next):
            work.removeFirst()
            try beginSession(next)
        case .emit(let event):
            work.removeFirst()
            pending.append(event)
        }
    }

    /// A live message: delivered, dropped as a duplicate, or held behind a look-up of what its
    /// topic is missing.
    private func take(_ message: FeedMessage) {
        let session = message.session
        if !sequences.follows(session) {
            if let current = sequences.current, session > current {
                work.prepend(.endSession(next: session))  // A restart: the old session's tail first.
                return
            }
            // Another origin's session through a relay (or one forgotten): joined from here.
            sequences.begin(session, wholeSession: false, checkedThrough: message.feedSequence.previous)
        }
        sequences.notePublished(message.feedSequence, in: session)
        switch sequences.verdict(for: message) {
        case .duplicate:
            work.removeFirst()
            duplicatesDropped += 1
        case .deliver:
            work.removeFirst()
            deliver(message, fromHistory: false)
        case .missing(let from, let through, let after):
            if from == nil && replay == nil {
                // First seen mid-session, nothing to look in: its earlier messages may predate us.
                work.removeFirst()
                deliver(message, fromHistory: false)
                return
            }
            let fill = Fill(
                topic: message.topic, session: session, from: from, through: through, afterFeedSequence: after,
                throughFeedSequence: message.feedSequence.previous)
            work.prepend(.fill(fill))
        }
    }

    /// A message from history (replay or repair): in a history, a jump cannot be repaired, so
    /// it is reported at once.
    func acceptFromHistory(_ message: FeedMessage) {
        if !sequences.follows(message.session) {
            // The replay's first session, or a replay from an earlier session reaching the next
            // one (a past restart): that one is then covered from its start.
            beginFollowing(message.session, checkedThrough: 0)
        }
        // A topic's first message in a history that lost its beginning to retention.
        let firstOfTopic = sequences.position(of: message.topic, in: message.session) == nil
        let expired = historyExpiry.flatMap { $0.session == nil || $0.session == message.session ? $0 : nil }
        switch sequences.verdict(for: message) {
        case .duplicate:
            duplicatesDropped += 1
        case .deliver:
            deliver(message, fromHistory: true)
        case .missing(let from, let through, _):
            let reason: GapReason = if firstOfTopic, let expired { .expired(expired) } else { .notInHistory }
            if let from { reportGap(message.topic, session: message.session, missing: from...through, reason: reason) }
            deliver(message, fromHistory: true)
        }
    }

    /// Follows `session` as the replay reaches it, reporting a restart if it follows another one.
    func beginFollowing(_ session: UInt32, checkedThrough: UInt64) {
        let previous = sequences.current
        if let previous, session > previous { pending.append(.sessionChanged(from: previous, to: session)) }
        sequences.begin(session, wholeSession: previous != nil || options.start.coversWholeSession, checkedThrough: checkedThrough)
    }

    /// Hands a message to the caller (unless it comes before the requested start) and records it.
    func deliver(_ message: FeedMessage, fromHistory history: Bool) {
        sequences.delivered(message)
        if isBeforeStart(message) { return }
        if history { fromHistory += 1 }
        pending.append(.message(message))
    }

    func reportGap(_ topic: Topic, session: UInt32, missing: ClosedRange<UInt64>, reason: GapReason) {
        reportedLost &+= (missing.upperBound - missing.lowerBound) &+ 1
        pending.append(.gap(topic: topic, session: session, missing: missing, reason: reason))
    }

    /// Whether a message precedes the start asked for (`--replay-from SEQ` beyond the live
    /// point, or a time not reached yet): it counts as seen, it is not delivered.
    private func isBeforeStart(_ message: FeedMessage) -> Bool {
        switch options.start {
        case .sequence(let sequence): message.session == liveSince?.session && message.feedSequence < sequence
        case .time(let time): message.publishTime < time.nanoseconds
        case .live, .sessionStart, .snapshot: false
        }
    }
}

@available(*, unavailable)
extension SequencedFeed: Sendable {}

extension UInt64 {
    /// The sequence before this one, 0 for 0: sequences come from peers, and a malformed one
    /// must not trap.
    var previous: UInt64 { self == 0 ? 0 : self - 1 }
}
