import DequeModule
import FeedModel

/// The decisions of a sequenced subscription (``SequencedFeed``) as a pure state machine: what
/// to deliver, what to look up in history, what to report lost. No sockets and no clocks: its
/// driver feeds it events (the live point, live messages and heartbeats, answers to its history
/// requests) and performs the ``GapRepairActions`` each returns. Owned by the driver's thread.
///
/// How it works (the Clone pattern of the ZeroMQ Guide, Aeron's ReplayMerge):
/// 1. The driver subscribes live first and starts the machine at the live point L (the first
///    heartbeat): everything after L arrives live.
/// 2. As asked, history is replayed from the requested start through L (once the recorder has
///    written L), a page at a time. While the history runs far ahead of L, the replay goes on to
///    what is recorded, so a long catch-up does not depend on libzmq's queue holding everything
///    published meanwhile. A live start places every topic at L instead, with one look-up (once
///    the recorder has written L: the latest recorded message of every topic published by L's
///    time): a topic first seen live then needs no look-up of its own, only a real jump does
///    (what such a look-up finds at or before L counts as seen, not delivered). A history that
///    cannot place them leaves each topic first seen to its own look-up, as in 3.
/// 3. Every live message passes the per-topic sequence check (``TopicSequences``): a duplicate
///    is dropped; a jump, or a topic first seen with earlier messages it may have lost, is looked
///    up in history between the two feed sequences and delivered first; what history does not
///    hold becomes a ``FeedEvent/gap(topic:session:missing:reason:)``.
/// 4. A heartbeat beyond what is known complete starts a tail check: the latest recorded message
///    of every topic is compared with the last delivered, and what was lost at a topic's tail
///    (where no later message shows the jump) is fetched, up to the heartbeat only: what the
///    live line may still bring after it must not be taken for a duplicate then. A topic whose
///    missing messages already wait in the agenda, in order, is not read (the driver takes in
///    what its lines hold before it answers). A tail that could not be read is not marked
///    complete, so the next heartbeat checks it again.
/// 5. A message or heartbeat of a later session is a publisher restart. The old session's
///    history is final: its tail is checked as in 4, what was published but never recorded is
///    reported (``FeedEvent/unverified(session:feedSequences:reason:)``), then
///    ``FeedEvent/sessionChanged(from:to:)`` and the new session is followed from its start.
///
/// Rules of the machine:
/// 1. One thing at a time: while a history request is outstanding, live events wait in the
///    agenda, in arrival order, behind the steps they caused; nothing is ever reordered.
/// 2. Each topic's messages come in topic-sequence order, each once; each loss is delivered from
///    history or reported, once. A repaired message comes right before its topic's next message.
/// 3. An event the state cannot take (an answer to a request not made, a live event before the
///    start) is a programming error of the driver: `preconditionFailure` naming the state.
struct GapRepairStateMachine {
    /// What the machine needs to know of the subscription.
    struct Configuration: Equatable {
        var start: ReplayStart
        /// Whether a replay endpoint is there to repair from; without one, losses are reported.
        var canRepair: Bool
    }

    /// The history is replayed past the live point while it is recorded this far ahead of it.
    static let replayLeadLimit: UInt64 = 10_000

    private enum State {
        /// Before ``start(livePoint:)``.
        case awaitingLivePoint
        /// The start-up: history reaching the live point, the snapshot, or the replay up to it.
        case startingUp(Startup)
        /// No request outstanding: the agenda's steps run as they come.
        case following
        /// A topic's missing messages are read.
        case filling(TopicGap)
        /// A heartbeat's tail check waits for an answer.
        case checkingTail(TailCheck)
        /// A restart: the latest messages of the old session are asked for.
        case endingSession(old: UInt32, next: UInt32)
        /// A restart: how far the old session was recorded is asked for.
        case beginningSession(old: UInt32, next: UInt32)
    }

    /// A step of the agenda: what must happen, in order, before the next live event is taken.
    private enum Step {
        /// A live message, delivered once its topic's missing messages were looked up.
        case message(FeedMessage)
        /// One topic's missing messages, looked up in history.
        case fill(TopicGap)
        /// A heartbeat says the publisher reached `through` in `session`: look for losses at the tail.
        case tailCheck(session: UInt32, through: UInt64)
        /// Everything of the subscription through this feed sequence of `session` is accounted for.
        case checked(session: UInt32, through: UInt64)
        /// The publisher moved on to session `next`: check the old session's tail.
        case endSession(next: UInt32)
        /// Report what the old session lacks, then follow session `next` from its start.
        case beginSession(UInt32)
        /// An event reported in its turn.
        case report(FeedEvent)
    }

    /// The start-up replay from the requested start to the live point.
    private struct Startup {
        enum Phase: Equatable { case awaitingRecorded, snapshot, placing, replaying, askingStatus }
        var phase: Phase
        /// The live session and how far the replay goes in it.
        let session: UInt32
        var through: UInt64
        /// When the live point was published, if known (a live start places topics as of then).
        var publishedAt: Timestamp? = nil
        /// How far the recorded history was ahead of `through` when the replay was last extended.
        var lead: UInt64 = .max
        var delivered = 0
    }

    /// A tail check of `session` through `through` (rule 4 of the type).
    private struct TailCheck {
        enum Phase: Equatable { case awaitingRecorded, lastRecorded, latest }
        let session: UInt32
        let through: UInt64
        var phase: Phase
    }

    let configuration: Configuration
    private var state: State = .awaitingLivePoint
    private var agenda: Deque<Step> = []
    private var sequences = TopicSequences()
    /// The session and live point the subscription started from.
    private var livePoint: FeedPoint?
    /// The range of the last ``FeedEvent/unverified(session:feedSequences:reason:)`` reported.
    private var lastUnverified: (session: UInt32, feedSequences: ClosedRange<UInt64>)?
    /// Whether a fill could not read the history since the last tail check began.
    private var historyFailedSinceCheck = false
    /// What the history said about messages retention deleted, once a replay met it.
    private var historyExpiry: HistoryExpiry?
    /// What the event being taken asks for.
    private var actions = GapRepairActions()

    /// Duplicates dropped (already delivered from history or repair).
    private(set) var duplicatesDropped = 0
    /// Messages delivered from history (replay and repair) rather than live.
    private(set) var fromHistory = 0
    /// Messages reported lost in ``FeedEvent/gap(topic:session:missing:reason:)`` events.
    private(set) var reportedLost: UInt64 = 0

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    // MARK: Live events

    /// The subscription is live from `livePoint` (the first heartbeat's, published at
    /// `publishedAt`): the start-up begins.
    mutating func start(livePoint since: FeedPoint, publishedAt: Timestamp? = nil) -> GapRepairActions {
        guard case .awaitingLivePoint = state else { preconditionFailure("start(livePoint:) while \(state)") }
        livePoint = since
        state = .following
        guard configuration.canRepair else {
            sequences.begin(since.session, wholeSession: false, checkedThrough: since.feedSequence)
            return proceed()
        }
        if configuration.start == .live {
            guard since.feedSequence > 0 else {
                sequences.begin(since.session, wholeSession: true, checkedThrough: 0)  // Nothing published yet: all of it comes live.
                return proceed()
            }
            state = .startingUp(
                Startup(phase: .awaitingRecorded, session: since.session, through: since.feedSequence, publishedAt: publishedAt))
            return request(.awaitRecorded(session: since.session, through: since.feedSequence, required: false))
        }
        if case .sequence(let first) = configuration.start, first > since.feedSequence {
            // Starts beyond the live point: nothing to replay, and nothing before it is wanted.
            sequences.begin(since.session, wholeSession: false, checkedThrough: first - 1)
            actions.events.append(.replayCompleted(messages: 0))
            return proceed()
        }
        state = .startingUp(Startup(phase: .awaitingRecorded, session: since.session, through: since.feedSequence))
        return request(.awaitRecorded(session: since.session, through: since.feedSequence, required: true))
    }

    /// A message arrived live.
    mutating func liveMessage(_ message: FeedMessage) -> GapRepairActions {
        takeLive(.message(message))
    }

    /// A heartbeat arrived live: the publisher reached `feedSequence` in `session`.
    mutating func heartbeat(session: UInt32, feedSequence: UInt64) -> GapRepairActions {
        takeLive(.tailCheck(session: session, through: feedSequence), .report(.heartbeat(session: session, feedSequence: feedSequence)))
    }

    /// The live connection was lost (libzmq reconnects); reported in its turn.
    mutating func connectionLost(endpoint: String) -> GapRepairActions {
        takeLive(.report(.connectionLost(endpoint: endpoint)))
    }

    private mutating func takeLive(_ steps: Step...) -> GapRepairActions {
        if case .awaitingLivePoint = state { preconditionFailure("a live event while \(state)") }
        agenda.append(contentsOf: steps)
        return proceed()
    }

    // MARK: Answers to history requests

    /// A page of the read requested, in publish order.
    mutating func replayPage(_ messages: [FeedMessage], expired: HistoryExpiry?) -> GapRepairActions {
        switch state {
        case .startingUp(var startup) where startup.phase == .replaying:
            if historyExpiry == nil, let expired { noteExpired(expired) }
            for message in messages {
                let before = fromHistory
                acceptFromHistory(message)
                startup.delivered += fromHistory - before
            }
            state = .startingUp(startup)
        case .filling(let fill):
            // The query is by prefix: a longer topic can start with this one.
            for message in messages where message.topic == fill.topic { acceptFromHistory(message) }
        default:
            preconditionFailure("replayPage while \(state)")
        }
        return takeActions()
    }

    /// The read requested ended; `expired`: what its first page said about history retention deleted.
    mutating func replayDone(expired: HistoryExpiry?) -> GapRepairActions {
        switch state {
        case .startingUp(var startup) where startup.phase == .replaying:
            startup.phase = .askingStatus
            state = .startingUp(startup)
            return request(.status)
        case .filling(var fill):
            if let expired { fill.failure = .expired(expired) }
            state = .following
            finish(fill)
            return proceed()
        default:
            preconditionFailure("replayDone while \(state)")
        }
    }

    /// The topic range requested could not be read, for `reason`.
    mutating func replayFailed(_ reason: GapReason) -> GapRepairActions {
        guard case .filling(var fill) = state else { preconditionFailure("replayFailed while \(state)") }
        fill.failure = reason
        state = .following
        finish(fill)
        return proceed()
    }

    /// How far the history holds the session waited for (`UInt64.max`: the session is over and its
    /// history final), or `nil`: it did not get there in time.
    mutating func recorded(through recorded: UInt64?) -> GapRepairActions {
        switch state {
        case .startingUp(var startup) where startup.phase == .awaitingRecorded && configuration.start == .live:
            // Not in time, or the history's latest session is another one: the placing would not hold.
            guard let recorded, recorded != .max else { return joinMidway(startup) }
            startup.phase = .placing
            state = .startingUp(startup)
            return request(
                .livePositions(FeedPoint(session: startup.session, feedSequence: startup.through), publishedBy: startup.publishedAt))
        case .startingUp(var startup) where startup.phase == .awaitingRecorded:
            guard recorded != nil else { preconditionFailure("recorded(nil) while \(state): a required look-up ends the subscription") }
            if configuration.start == .snapshot {
                sequences.begin(startup.session, wholeSession: true, checkedThrough: startup.through)
                startup.phase = .snapshot
                state = .startingUp(startup)
                return request(.latestPerTopic(required: true))
            }
            startup.phase = .replaying
            state = .startingUp(startup)
            return request(startupReplay(through: FeedPoint(session: startup.session, feedSequence: startup.through)))
        case .checkingTail(var check) where check.phase == .awaitingRecorded:
            guard let recorded else {
                state = .following  // Cannot check now: the next heartbeat tries again.
                return proceed()
            }
            // A session that is over may have ended before it was all recorded.
            if recorded == .max, check.through > sequences.checkedThrough(in: check.session) {
                check.phase = .lastRecorded
                state = .checkingTail(check)
                return request(.lastRecorded(session: check.session, atMost: check.through))
            }
            check.phase = .latest
            state = .checkingTail(check)
            return request(.latestPerTopic(required: false))
        default:
            preconditionFailure("recorded(through:) while \(state)")
        }
    }

    /// The highest feed sequence recorded of the session asked about, at most the one asked.
    mutating func lastRecorded(_ recorded: UInt64) -> GapRepairActions {
        switch state {
        case .checkingTail(var check) where check.phase == .lastRecorded:
            reportUnrecorded(in: check.session, published: check.through, recorded: recorded)
            check.phase = .latest
            state = .checkingTail(check)
            return request(.latestPerTopic(required: false))
        case .beginningSession(let old, let next):
            reportUnrecorded(in: old, published: sequences.highestPublished(in: old), recorded: recorded)
            beginSession(next, after: old)
            state = .following
            return proceed()
        default:
            preconditionFailure("lastRecorded while \(state)")
        }
    }

    /// The latest recorded message of every topic under the prefixes, in any order.
    mutating func latestPerTopic(_ messages: [FeedMessage]) -> GapRepairActions {
        let latest = messages.filter { $0.topic != .heartbeat }.sorted { ($0.session, $0.feedSequence) < ($1.session, $1.feedSequence) }
        switch state {
        case .startingUp(let startup) where startup.phase == .snapshot:
            deliverSnapshot(latest, of: startup.session)
        case .checkingTail(let check) where check.phase == .latest:
            let queued = queuedLiveMessages(of: check.session)
            let fills = sequences.tailGaps(of: check.session, latest: latest, through: check.through)
                .filter { !$0.isHeld(inOrderBy: queued[$0.topic] ?? []) }.map(Step.fill)
            historyFailedSinceCheck = false
            agenda.prepend(contentsOf: fills + [.checked(session: check.session, through: check.through)])
        case .endingSession(let old, let next):
            agenda.prepend(contentsOf: sequences.tailGaps(of: old, latest: latest).map(Step.fill) + [.beginSession(next)])
        default:
            preconditionFailure("latestPerTopic while \(state)")
        }
        state = .following
        return proceed()
    }

    /// A live start's placing of topics at the live point: the latest recorded message of every
    /// topic published by then, and whether the history holds the live session from its start.
    mutating func livePositions(_ latest: [FeedMessage], historyFromSessionStart: Bool) -> GapRepairActions {
        guard case .startingUp(let startup) = state, startup.phase == .placing else {
            preconditionFailure("livePositions while \(state)")
        }
        var positions: [Topic: TopicSequences.Position] = [:]
        var unplaced: Set<Topic> = []
        for message in latest where message.topic != .heartbeat && message.session >= startup.session {
            if message.session == startup.session && message.feedSequence <= startup.through {
                positions[message.topic] = .init(topicSequence: message.topicSequence, feedSequence: message.feedSequence)
            } else {
                unplaced.insert(message.topic)  // Published after the live point: where it stood then is not known.
            }
        }
        sequences.begin(
            startup.session, placedAt: startup.through, positions: positions, unplaced: unplaced,
            absentUnpublished: historyFromSessionStart)
        state = .following
        return proceed()
    }

    /// The server's status: the start-up replay goes on to what was recorded meanwhile, or ends.
    mutating func status(session: UInt32, recorded: UInt64) -> GapRepairActions {
        guard case .startingUp(var startup) = state, startup.phase == .askingStatus else {
            preconditionFailure("status while \(state)")
        }
        if session == startup.session, recorded > startup.through {
            let lead = recorded - startup.through
            if lead > Self.replayLeadLimit, lead < startup.lead {
                let query = HistoryQuery(fromSequence: startup.through + 1, toSequence: recorded, session: startup.session)
                startup.through = recorded
                startup.lead = lead
                startup.phase = .replaying
                state = .startingUp(startup)
                return request(.replay(query, endingAfter: nil))
            }
        }
        if !sequences.follows(startup.session) {
            beginFollowing(startup.session, checkedThrough: startup.through)  // Nothing of it in the history replayed.
        }
        sequences.noteChecked(through: startup.through, in: startup.session)
        actions.events.append(.replayCompleted(messages: startup.delivered))
        state = .following
        return proceed()
    }

    /// A look-up that is not required could not be answered: `reason` says why.
    mutating func lookUpFailed(_ reason: String) -> GapRepairActions {
        switch state {
        case .startingUp(let startup) where configuration.start == .live:
            return joinMidway(startup)
        case .checkingTail:
            break  // Cannot check now: the next heartbeat tries again.
        case .endingSession(let old, let next):
            reportUnverified(session: old, reason: "history unavailable: \(reason)")
            agenda.prepend(.beginSession(next))
        case .beginningSession(let old, let next):
            reportUnverified(session: old, reason: "history unavailable: \(reason)")
            beginSession(next, after: old)
        default:
            preconditionFailure("lookUpFailed while \(state)")
        }
        state = .following
        return proceed()
    }

    /// A live start whose topics the history could not place: each topic first seen is looked up on its own.
    private mutating func joinMidway(_ startup: Startup) -> GapRepairActions {
        sequences.begin(startup.session, wholeSession: false, checkedThrough: startup.through)
        state = .following
        return proceed()
    }

    // MARK: Running the agenda

    /// Runs the agenda's steps until one needs the history or none is left.
    private mutating func proceed() -> GapRepairActions {
        while case .following = state, let step = agenda.popFirst() {
            switch step {
            case .message(let message): take(message)
            case .fill(let fill): start(fill)
            case .tailCheck(let session, let through): checkTail(session: session, through: through)
            case .checked(let session, let through):
                // A tail that could not be read is not complete: the next heartbeat's check tries again.
                if !historyFailedSinceCheck { sequences.noteChecked(through: through, in: session) }
            case .endSession(let next): endSession(next: next)
            case .beginSession(let next): beginSession(next)
            case .report(let event): actions.events.append(event)
            }
        }
        return takeActions()
    }

    /// Enters the waiting state already set and hands over what was asked for so far with `request`.
    private mutating func request(_ request: HistoryRequest) -> GapRepairActions {
        actions.request = request
        return takeActions()
    }

    private mutating func takeActions() -> GapRepairActions {
        defer { actions = GapRepairActions() }
        return actions
    }

    /// A live message: delivered, dropped as a duplicate, or held behind a look-up of what its
    /// topic is missing.
    private mutating func take(_ message: FeedMessage) {
        let session = message.session
        if !sequences.follows(session) {
            if let current = sequences.current, session > current {
                agenda.prepend(contentsOf: [.endSession(next: session), .message(message)])  // A restart: the old session's tail first.
                return
            }
            // Another origin's session through a relay (or one forgotten): joined from here.
            sequences.begin(session, wholeSession: false, checkedThrough: message.feedSequence.previous)
        }
        sequences.notePublished(message.feedSequence, in: session)
        switch sequences.verdict(for: message) {
        case .duplicate:
            duplicatesDropped += 1
        case .deliver:
            deliver(message, fromHistory: false)
        case .missing(let from, let through, let after):
            if from == nil && !configuration.canRepair {
                // First seen mid-session, nothing to look in: its earlier messages may predate us.
                deliver(message, fromHistory: false)
                return
            }
            let fill = TopicGap(
                topic: message.topic, session: session, from: from, through: through, afterFeedSequence: after,
                throughFeedSequence: message.feedSequence.previous)
            agenda.prepend(contentsOf: [.fill(fill), .message(message)])
        }
    }

    /// Starts reading a fill's window, or finishes it when there is nothing to read or no way to.
    private mutating func start(_ fill: TopicGap) {
        var fill = fill
        if !fill.windowIsEmpty {
            guard configuration.canRepair else {
                fill.failure = .noReplayEndpoint
                finish(fill)
                return
            }
            state = .filling(fill)
            actions.request = .topicRange(fill.range)
            return
        }
        finish(fill)
    }

    /// The request of the start-up replay through the live point `since`.
    private func startupReplay(through since: FeedPoint) -> HistoryRequest {
        switch configuration.start {
        case .sequence(let sequence):
            .replay(HistoryQuery(fromSequence: sequence, toSequence: since.feedSequence, session: since.session), endingAfter: nil)
        case .time(let time):
            // Across sessions: only the stream knows where to stop.
            .replay(HistoryQuery(since: time), endingAfter: since)
        case .live, .sessionStart, .snapshot:
            .replay(HistoryQuery(fromSequence: 1, toSequence: since.feedSequence, session: since.session), endingAfter: nil)
        }
    }

    /// The latest message of every topic, then live. A topic not in the snapshot has not
    /// published yet, so the stream holds the session's last values from its start on.
    private mutating func deliverSnapshot(_ latest: [FeedMessage], of session: UInt32) {
        var delivered = 0
        for message in latest where message.session == session && sequences.position(of: message.topic, in: session) == nil {
            deliver(message, fromHistory: true)
            delivered += 1
        }
        actions.events.append(.replayCompleted(messages: delivered))
    }

    /// Reports what a fill did not find and settles the topic through the fill's end.
    private mutating func finish(_ fill: TopicGap) {
        if case .historyUnavailable = fill.failure { historyFailedSinceCheck = true }
        guard let through = fill.through else {
            if case .historyUnavailable(let reason) = fill.failure {
                // The end of a session could not be read: say so, without topics.
                reportUnverified(session: fill.session, reason: "history unavailable for \(fill.topic): \(reason)")
            }
            return
        }
        let position = sequences.position(of: fill.topic, in: fill.session)
        let next = position.map { $0.topicSequence &+ 1 } ?? fill.from
        if let next, next <= through {
            reportGap(fill.topic, session: fill.session, missing: next...through, reason: fill.failure ?? .notInHistory)
        } else if next == nil, case .historyUnavailable(let reason) = fill.failure {
            // First seen mid-session and its history unreadable: how much it lost is unknown.
            reportUnverified(
                session: fill.session, from: fill.afterFeedSequence + 1, through: fill.throughFeedSequence,
                reason: "history unavailable for \(fill.topic): \(reason)")
        }
        let last = max(fill.throughFeedSequence ?? fill.afterFeedSequence, position?.feedSequence ?? 0)
        sequences.settle(fill.topic, in: fill.session, through: .init(topicSequence: through, feedSequence: last))
    }

    /// The live messages of `session` waiting in the agenda, by topic, in topic-sequence order:
    /// they arrived while a request was outstanding and are taken after it.
    private func queuedLiveMessages(of session: UInt32) -> [Topic: [FeedMessage]] {
        var queued: [Topic: [FeedMessage]] = [:]
        for case .message(let message) in agenda where message.session == session { queued[message.topic, default: []].append(message) }
        return queued.mapValues { $0.sorted { $0.topicSequence < $1.topicSequence } }
    }

    /// Compares the latest recorded message of every topic with what was delivered, and fetches
    /// what is missing (a loss at a topic's tail shows no jump until its next message).
    private mutating func checkTail(session: UInt32, through feedSequence: UInt64) {
        if !sequences.follows(session) {
            if let current = sequences.current, session > current {
                agenda.prepend(contentsOf: [.endSession(next: session), .tailCheck(session: session, through: feedSequence)])
            } else {
                // Another origin's session through a relay: joined from here.
                sequences.begin(session, wholeSession: false, checkedThrough: feedSequence)
            }
            return
        }
        sequences.notePublished(feedSequence, in: session)
        guard feedSequence > sequences.checkedThrough(in: session), configuration.canRepair else { return }
        state = .checkingTail(TailCheck(session: session, through: feedSequence, phase: .awaitingRecorded))
        actions.request = .awaitRecorded(session: session, through: feedSequence, required: false)
    }

    /// The publisher moved on to `next`: the old session's history is final, so its tail is
    /// fetched before the new session begins.
    private mutating func endSession(next: UInt32) {
        guard let old = sequences.current, next > old else { return }
        guard configuration.canRepair else {
            agenda.prepend(.beginSession(next))
            return
        }
        state = .endingSession(old: old, next: next)
        actions.request = .latestPerTopic(required: false)
    }

    /// Asks what the old session published but never recorded, unless nothing can be.
    private mutating func beginSession(_ next: UInt32) {
        guard let old = sequences.current else { return }
        let published = sequences.highestPublished(in: old)
        guard configuration.canRepair, published > sequences.checkedThrough(in: old) else {
            beginSession(next, after: old)
            return
        }
        state = .beginningSession(old: old, next: next)
        actions.request = .lastRecorded(session: old, atMost: published)
    }

    /// Reports the restart and follows `next` from its start.
    private mutating func beginSession(_ next: UInt32, after old: UInt32) {
        actions.events.append(.sessionChanged(from: old, to: next))
        sequences.begin(next, wholeSession: true, checkedThrough: 0)
    }

    // MARK: Delivering and reporting

    /// A message from history (replay or repair): in a history, a jump cannot be repaired, so
    /// it is reported at once.
    private mutating func acceptFromHistory(_ message: FeedMessage) {
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
    private mutating func beginFollowing(_ session: UInt32, checkedThrough: UInt64) {
        let previous = sequences.current
        if let previous, session > previous { actions.events.append(.sessionChanged(from: previous, to: session)) }
        sequences.begin(
            session, wholeSession: previous != nil || configuration.start == .sessionStart, checkedThrough: checkedThrough)
    }

    /// Hands a message to the caller (unless it comes before the requested start) and records it.
    private mutating func deliver(_ message: FeedMessage, fromHistory history: Bool) {
        sequences.delivered(message)
        if isBeforeStart(message, fromHistory: history) { return }
        if history { fromHistory += 1 }
        actions.events.append(.message(message))
    }

    private mutating func reportGap(_ topic: Topic, session: UInt32, missing: ClosedRange<UInt64>, reason: GapReason) {
        reportedLost &+= (missing.upperBound - missing.lowerBound) &+ 1
        actions.events.append(.gap(topic: topic, session: session, missing: missing, reason: reason))
    }

    /// Whether a message precedes the start asked for (`--replay-from SEQ` beyond the live
    /// point, a time not reached yet, or for a live start, one from history at or before the
    /// live point: a look-up of a topic placed there can find what its placing missed): it
    /// counts as seen, it is not delivered.
    private func isBeforeStart(_ message: FeedMessage, fromHistory: Bool) -> Bool {
        switch configuration.start {
        case .sequence(let sequence): message.session == livePoint?.session && message.feedSequence < sequence
        case .time(let time): message.publishTime < time.nanoseconds
        case .live: fromHistory && message.session == livePoint?.session && message.feedSequence <= livePoint?.feedSequence ?? 0
        case .sessionStart, .snapshot: false
        }
    }

    /// Reports what a session that is over published through `published` but the history holds
    /// only through `recorded` (its publisher was killed before writing it), beyond what is known complete.
    private mutating func reportUnrecorded(in session: UInt32, published: UInt64, recorded: UInt64) {
        let checked = sequences.checkedThrough(in: session)
        guard recorded < published, published > checked else { return }
        reportUnverified(
            session: session, from: max(recorded, checked) + 1, through: published,
            reason: "never recorded: the publisher stopped before writing them to history")
    }

    /// Reports feed sequences of `session` that could not be checked for losses: by default,
    /// everything after what is known complete up to the highest known published. The same
    /// range is reported once, however many look-ups failed on it.
    private mutating func reportUnverified(session: UInt32, from: UInt64? = nil, through: UInt64? = nil, reason: String) {
        let first = from ?? (sequences.checkedThrough(in: session) &+ 1)
        let last = through ?? sequences.highestPublished(in: session)
        guard first > 0, first <= last else { return }
        if let previous = lastUnverified, previous.session == session, previous.feedSequences == first...last { return }
        lastUnverified = (session, first...last)
        actions.events.append(.unverified(session: session, feedSequences: first...last, reason: reason))
    }

    /// The start-up replay reaches into history retention deleted. Each topic's missing
    /// beginning is reported as a gap with that reason when its first message comes
    /// (``acceptFromHistory(_:)``); a start from a feed sequence also gets the sequences that
    /// expired, as they cannot be named by topic, and so does a start from a time, for each
    /// session the server names (all of the session's sequences deleted, some perhaps
    /// published before that time: which, the history no longer knows).
    private mutating func noteExpired(_ expired: HistoryExpiry) {
        historyExpiry = expired
        let reason = "\(GapReason.expired(expired))"
        switch configuration.start {
        case .sequence(let first):
            if let session = expired.session, let through = expired.expiredThroughSequence, first <= through {
                actions.events.append(.unverified(session: session, feedSequences: first...through, reason: reason))
            }
        case .time:
            for lost in expired.expiredSessions ?? [] where lost.expiredThroughSequence > 0 {
                actions.events.append(.unverified(session: lost.session, feedSequences: 1...lost.expiredThroughSequence, reason: reason))
            }
        case .live, .sessionStart, .snapshot:
            break
        }
    }
}

extension UInt64 {
    /// The sequence before this one, 0 for 0: sequences come from peers, and a malformed one
    /// must not trap.
    var previous: UInt64 { self == 0 ? 0 : self - 1 }
}
