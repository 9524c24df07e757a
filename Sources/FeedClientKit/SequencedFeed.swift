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
/// 2. Read history from the requested start through L (waiting for the recorder to have
///    written L), in publish order, merged across prefixes.
/// 3. Go on live. Every message passes the per-topic sequence check: a duplicate (already
///    delivered from history) is dropped; a jump is repaired from history, and what history
///    does not hold becomes a ``FeedEvent/gap(topic:session:missing:)`` event.
/// 4. A heartbeat whose feed sequence is beyond what was delivered triggers a check of history
///    for messages lost at the tail (a per-topic jump only shows with the topic's next message).
/// 5. A message or heartbeat of another session is a publisher restart:
///    ``FeedEvent/sessionChanged(from:to:)``, and the new session is followed from its start.
///
/// Owned by one thread (the blocking calls are libzmq's); ``FeedSubscription`` runs it on a
/// thread of its own and offers it as an `AsyncSequence`.
public final class SequencedFeed {
    /// Settings of a sequenced subscription.
    public struct Options: Sendable {
        public var prefixes: [TopicPrefix] = []
        public var start: ReplayStart = .live
        /// The replay endpoint for history and gap repair; `nil` reports gaps without repair.
        public var replayEndpoint: String?
        /// Messages libzmq queues for this subscriber before it drops (ZMQ_RCVHWM).
        public var receiveHighWaterMark: Int32 = 100_000
        /// How long to wait for the recorder to catch up before reporting a gap.
        public var repairTimeoutMilliseconds = 3000
        /// How long to wait for the first heartbeat.
        public var connectTimeoutMilliseconds = 5000

        public init(prefixes: [TopicPrefix] = [], start: ReplayStart = .live, replayEndpoint: String? = nil) {
            self.prefixes = prefixes
            self.start = start
            self.replayEndpoint = replayEndpoint
        }
    }

    private let live: FeedSubscriber
    private let replay: ReplayClient?
    private let options: Options
    private var pending: Deque<FeedEvent> = []
    private var sequences: TopicSequences
    private var started = false
    /// Duplicates dropped (already delivered from history or repair).
    public private(set) var duplicatesDropped = 0
    /// Why history could not be asked the last time a repair or tail check needed it.
    public private(set) var lastRepairFailure: String?
    /// Messages delivered from history (replay and repair) rather than live.
    public private(set) var fromHistory = 0

    public init(context: ZMQContext, endpoint: String, options: Options) throws {
        self.options = options
        live = try FeedSubscriber(
            context: context, endpoint: endpoint, prefixes: options.prefixes,
            receiveHighWaterMark: options.receiveHighWaterMark)
        replay = try options.replayEndpoint.map { try ReplayClient(context: context, endpoint: $0) }
        sequences = TopicSequences(expectsWholeSession: options.start == .sessionStart)
        if options.start != .live && replay == nil {
            throw ClientError(.rejected, "replay from \(options.start) needs a replay endpoint")
        }
    }

    /// The prefixes subscribed (everything when none were given).
    public var prefixes: [TopicPrefix] { live.prefixes }
    /// Messages that did not decode and were skipped.
    public var malformed: Int { live.malformed }

    /// The next event, waiting up to `timeoutMilliseconds` (-1: forever); `nil` on timeout.
    /// The first call subscribes and replays history as asked.
    public func next(timeoutMilliseconds: Int = -1) throws -> FeedEvent? {
        if !started { try start() }
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        while pending.isEmpty {
            guard let event = try live.next(timeoutMilliseconds: deadline.remainingMilliseconds) else { return nil }
            try handle(event)
        }
        return pending.popFirst()
    }

    // MARK: Start-up: live first, then history through the live point

    private func start() throws {
        started = true
        guard try live.waitUntilLive(timeoutMilliseconds: options.connectTimeoutMilliseconds), let since = live.liveSince
        else {
            throw ClientError(.unavailable, "nothing from \(live.endpoint) within \(options.connectTimeoutMilliseconds) ms (no heartbeat): is feed-server running?")
        }
        sequences.begin(session: since.session, wholeSession: options.start == .sessionStart)
        guard let replay, options.start != .live else { return }
        guard try replay.waitUntilRecorded(session: since.session, through: since.feedSequence, timeoutMilliseconds: options.repairTimeoutMilliseconds) else {
            throw ClientError(.unavailable, "history at \(replay.endpoint) did not reach sequence \(since.feedSequence) in time")
        }
        var delivered = 0
        switch options.start {
        case .live:
            break
        case .snapshot:
            var latest: [FeedMessage] = []
            for prefix in prefixes { latest += try replay.snapshot(prefix: prefix, at: nil).decoded() }
            for message in latest.sorted(by: { $0.feedSequence < $1.feedSequence }) where message.session == since.session {
                sequences.delivered(message)
                pending.append(.message(message))
                delivered += 1
            }
        case .sessionStart, .sequence, .time:
            let query = historyQuery(session: since.session)
            try mergedHistory(query, through: (since.session, since.feedSequence)) { message in
                if message.session == since.session {
                    try accept(message, fromHistory: true)
                } else {
                    pending.append(.message(message))  // An earlier session: history as recorded.
                }
                delivered += 1
            }
        }
        fromHistory += delivered
        pending.append(.replayCompleted(messages: delivered))
    }

    private func historyQuery(session: UInt32) -> HistoryQuery {
        switch options.start {
        case .sequence(let sequence): HistoryQuery(fromSequence: sequence, session: session)
        case .time(let time): HistoryQuery(since: time)
        default: HistoryQuery(fromSequence: 1, session: session)
        }
    }

    /// History for every prefix, merged into publish order, up to `through` in its session.
    private func mergedHistory(
        _ query: HistoryQuery, through: (session: UInt32, feedSequence: UInt64), _ body: (FeedMessage) throws -> Void
    ) throws {
        guard let replay else { return }
        var messages: [FeedMessage] = []
        for prefix in prefixes {
            var prefixQuery = query
            prefixQuery.prefix = prefix
            try replay.forEachMessage(prefixQuery) { message in
                if message.session == through.session && message.feedSequence > through.feedSequence { return false }
                messages.append(message)
                return true
            }
        }
        if prefixes.count > 1 {
            messages.sort { ($0.session, $0.feedSequence) < ($1.session, $1.feedSequence) }
        }
        for message in messages { try body(message) }
    }

    // MARK: Live

    private func handle(_ event: FeedEvent) throws {
        switch event {
        case .message(let message):
            try accept(message, fromHistory: false)
        case .heartbeat(let session, let feedSequence):
            if session != sequences.session {
                changeSession(to: session)
            } else if feedSequence > sequences.highestFeedSequence {
                try recoverTail(through: feedSequence)
            }
            pending.append(event)
        default:
            pending.append(event)
        }
    }

    private func changeSession(to session: UInt32) {
        if let old = sequences.session { pending.append(.sessionChanged(from: old, to: session)) }
        sequences.begin(session: session, wholeSession: true)
    }

    /// Delivers `message` in sequence: drops duplicates, repairs gaps first.
    private func accept(_ message: FeedMessage, fromHistory: Bool) throws {
        if message.session != sequences.session { changeSession(to: message.session) }
        switch sequences.verdict(for: message) {
        case .duplicate:
            duplicatesDropped += 1
            return
        case .gap(let missing, let afterFeedSequence):
            try repair(topic: message.topic, missing: missing, afterFeedSequence: afterFeedSequence, before: message)
        case .deliver:
            break
        }
        sequences.delivered(message)
        pending.append(.message(message))
    }

    /// Fetches a topic's missing messages from history; reports what is not there.
    private func repair(topic: Topic, missing: ClosedRange<UInt64>, afterFeedSequence: UInt64, before next: FeedMessage) throws {
        let session = next.session
        var found: [FeedMessage] = []
        do {
            if let replay,
                try replay.waitUntilRecorded(session: session, through: next.feedSequence - 1, timeoutMilliseconds: options.repairTimeoutMilliseconds)
            {
                let query = HistoryQuery(prefix: try TopicPrefix(topic.rawValue), fromSequence: afterFeedSequence + 1, session: session)
                try replay.forEachMessage(query) { message in
                    if message.feedSequence >= next.feedSequence { return false }
                    if message.topic == topic && missing.contains(message.topicSequence) { found.append(message) }
                    return true
                }
            }
        } catch let error as ClientError {
            lastRepairFailure = error.description  // History unreachable: what is missing is reported below.
        }
        var expected = missing.lowerBound
        for message in found where message.topicSequence >= expected {
            if message.topicSequence > expected {
                pending.append(.gap(topic: topic, session: session, missing: expected...(message.topicSequence - 1)))
            }
            sequences.delivered(message)
            pending.append(.message(message))
            fromHistory += 1
            expected = message.topicSequence + 1
        }
        if expected <= missing.upperBound {
            pending.append(.gap(topic: topic, session: session, missing: expected...missing.upperBound))
            sequences.skip(topic: topic, through: missing.upperBound, feedSequence: afterFeedSequence)
        }
    }

    /// After a heartbeat: anything of our prefixes published up to `feedSequence` that did not
    /// arrive live (lost at the tail, where no later message of its topic shows the jump).
    private func recoverTail(through feedSequence: UInt64) throws {
        guard let replay, let session = sequences.session else { return }
        do {
            guard try replay.waitUntilRecorded(session: session, through: feedSequence, timeoutMilliseconds: options.repairTimeoutMilliseconds) else { return }
            let query = HistoryQuery(fromSequence: sequences.highestFeedSequence + 1, session: session)
            try mergedHistory(query, through: (session, feedSequence)) { message in
                try accept(message, fromHistory: true)
            }
        } catch let error as ClientError {
            lastRepairFailure = error.description  // Cannot check now; the next heartbeat tries again.
            return
        }
        // Nothing of ours up to here is missing any more.
        sequences.noteChecked(through: feedSequence)
    }
}

@available(*, unavailable)
extension SequencedFeed: Sendable {}
