import DequeModule
import FeedModel
import ZeroMQ

/// A live subscription that never skips silently: history merged into live for late joiners,
/// gaps repaired from the replay service, and what cannot be repaired reported as events.
///
/// The driver of a ``GapRepairStateMachine``, which makes every decision (its documentation
/// says how history and live are merged, and the rules): this class owns the sockets, feeds
/// the machine live events and the answers to its history requests, and hands its events to
/// the caller.
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
        /// With several lines: how long a message that arrived after a loss on its line waits for
        /// another line to bring what is missing before the history is asked.
        public var arbitrationGraceMilliseconds = 50
        /// With several lines: a line that brings nothing this long while another brings
        /// something is reported (``FeedEvent/lineSilent(endpoint:milliseconds:)``).
        public var lineSilenceMilliseconds = 2000

        public init(prefixes: [TopicPrefix] = [], start: ReplayStart = .live, replayEndpoint: String? = nil) {
            self.prefixes = prefixes
            self.start = start
            self.replayEndpoint = replayEndpoint
        }
    }

    let lines: FeedLines
    let replay: ReplayClient?
    let options: Options
    /// The endpoints of the lines, in the order given.
    public let endpoints: [String]
    /// Events ready for the caller.
    var pending: Deque<FeedEvent> = []
    var machine: GapRepairStateMachine
    /// With two lines or more: the first copy of each message wins (``LineArbiter``).
    private var arbiter: LineArbiter?
    /// What the arbiter passed on last, reused.
    private var arbitrated: [LineArbiter.Output] = []
    /// The machine's history request not answered yet.
    var request: HistoryRequest?
    /// The history read under way, between its pages.
    var read: HistoryRead?
    /// What the history is known to hold: a session through a feed sequence.
    var knownRecorded: FeedPoint?
    private var started = false

    /// Duplicates dropped (already delivered from history or repair).
    public var duplicatesDropped: Int { machine.duplicatesDropped }
    /// Messages delivered from history (replay and repair) rather than live.
    public var fromHistory: Int { machine.fromHistory }
    /// Messages reported lost in ``FeedEvent/gap(topic:session:missing:reason:)`` events.
    public var reportedLost: UInt64 { machine.reportedLost }
    /// With two lines or more, what each contributed, in the order of ``endpoints``; empty with one.
    public var lineFigures: [LineFigures] {
        guard let arbiter else { return [] }
        return zip(endpoints, arbiter.figures).map { endpoint, figures in
            var figures = figures
            figures.endpoint = endpoint
            return figures
        }
    }

    /// A subscription to one publish endpoint.
    public convenience init(context: ZMQContext, endpoint: String, options: Options) throws {
        try self.init(context: context, endpoints: [endpoint], options: options)
    }

    /// A subscription to the same feed on several lines (A/B: two multicast groups, multicast
    /// and TCP, two relays): the first copy of each message wins, and a loss on one line that
    /// another covers within ``Options/arbitrationGraceMilliseconds`` never reaches the history.
    public init(context: ZMQContext, endpoints: [String], options: Options) throws {
        guard !endpoints.isEmpty else { throw ClientError(.rejected, "a subscription needs at least one endpoint") }
        self.options = options
        self.endpoints = endpoints
        lines = FeedLines(
            try endpoints.map {
                try FeedSubscriber(
                    context: context, endpoint: $0, prefixes: TopicPrefix.covering(options.prefixes),
                    receiveHighWaterMark: options.receiveHighWaterMark, curve: options.curve)
            })
        replay = try options.replayEndpoint.map {
            try ReplayClient(
                context: context, endpoint: $0, timeoutMilliseconds: options.replayTimeoutMilliseconds, curve: options.curve)
        }
        if options.start != .live && replay == nil {
            throw ClientError(.rejected, "replay from \(options.start) needs a replay endpoint")
        }
        machine = GapRepairStateMachine(configuration: .init(start: options.start, canRepair: replay != nil))
    }

    /// The prefixes subscribed (everything when none were given), none under another.
    public var prefixes: [TopicPrefix] { lines.subscribers[0].prefixes }
    /// Messages that did not decode and were skipped, on every line.
    public var malformed: Int { lines.subscribers.reduce(0) { $0 + $1.malformed } }
    /// Pieces of messages a multicast loss cut off, skipped (``FeedSubscriber/cutByLoss``), on every line.
    public var cutByLoss: Int { lines.subscribers.reduce(0) { $0 + $1.cutByLoss } }
    /// Times a PGM line was rejoined after it stalled (``FeedSubscriber/multicastRejoins``), on every line.
    public var multicastRejoins: Int { lines.subscribers.reduce(0) { $0 + $1.multicastRejoins } }

    /// The next event, waiting up to `timeoutMilliseconds` (-1: forever); `nil` on timeout.
    /// The first call subscribes and starts the replay as asked.
    public func next(timeoutMilliseconds: Int = -1) throws -> FeedEvent? {
        if !started {
            started = true
            try start()
        }
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        while pending.isEmpty {
            if request != nil {
                try answerRequest()
                continue
            }
            var wait = deadline.remainingMilliseconds
            if let due = arbiter?.nextDeadline {
                let now = MonotonicClock.nanoseconds()
                if due <= now {
                    arbitrate { $0.tick(now: now, into: &$1) }
                    continue
                }
                wait = DeadlineClock.wait(wait, until: due, now: now)
            }
            guard let (line, event) = try lines.next(timeoutMilliseconds: wait) else {
                if deadline.hasExpired { return nil }
                continue  // The arbiter's deadline came first.
            }
            take(event, from: line)
        }
        return pending.popFirst()
    }

    /// Live events a tail check takes in before its answer: about a second of a busy line.
    static let queuedLiveEventsLimit = 100_000

    /// Hands a live event to the machine, through the arbiter when there are several lines.
    func take(_ event: FeedEvent, from line: Int) {
        switch event {
        case .message(let message):
            if arbiter == nil { return perform(machine.liveMessage(message)) }
            let now = MonotonicClock.nanoseconds()
            arbitrate { $0.message(message, line: line, now: now, into: &$1) }
        case .heartbeat(let session, let feedSequence):
            if arbiter == nil { return perform(machine.heartbeat(session: session, feedSequence: feedSequence)) }
            let now = MonotonicClock.nanoseconds()
            arbitrate { $0.heartbeat(session: session, feedSequence: feedSequence, line: line, now: now, into: &$1) }
        case .connectionLost(let endpoint): perform(machine.connectionLost(endpoint: endpoint))
        case .gap, .unverified, .sessionChanged, .replayCompleted, .lineSilent, .lineResumed:
            preconditionFailure("a live subscriber yields messages, heartbeats and lost connections, not \(event)")
        }
    }

    /// Runs one step of the arbiter and hands on what it passed.
    private func arbitrate(_ step: (LineArbiter, inout [LineArbiter.Output]) -> Void) {
        guard let arbiter else { return }
        arbitrated.removeAll(keepingCapacity: true)
        step(arbiter, &arbitrated)
        for output in arbitrated {
            switch output {
            case .message(let message): perform(machine.liveMessage(message))
            case .heartbeat(let session, let feedSequence): perform(machine.heartbeat(session: session, feedSequence: feedSequence))
            case .lineSilent(let line, let milliseconds): pending.append(.lineSilent(endpoint: endpoints[line], milliseconds: milliseconds))
            case .lineResumed(let line): pending.append(.lineResumed(endpoint: endpoints[line]))
            }
        }
    }

    /// Live first (any line); then the machine starts from the live point.
    private func start() throws {
        guard let first = try lines.waitUntilAnyLive(timeoutMilliseconds: options.connectTimeoutMilliseconds),
            let since = lines.subscribers[first].liveSince
        else {
            throw ClientError(
                .unavailable,
                "nothing from \(endpoints.joined(separator: " or ")) within \(options.connectTimeoutMilliseconds) ms (no heartbeat): is feed-server running?")
        }
        // A replay endpoint that is not there or is no replay service fails the subscription now,
        // named, rather than every repair later (each would wait for its timeout).
        try replay?.checkEndpoint()
        if endpoints.count > 1 {
            arbiter = LineArbiter(
                lines: endpoints.count, graceMilliseconds: options.arbitrationGraceMilliseconds,
                silenceMilliseconds: options.lineSilenceMilliseconds, now: MonotonicClock.nanoseconds())
        }
        perform(
            machine.start(
                livePoint: FeedPoint(session: since.session, feedSequence: since.feedSequence),
                publishedAt: lines.subscribers[first].liveSincePublished))
    }

    /// Hands the machine's events to the caller and takes on its request.
    func perform(_ actions: GapRepairActions) {
        pending.append(contentsOf: actions.events)
        if let next = actions.request {
            precondition(request == nil, "a second history request while \(String(describing: request)) is outstanding")
            request = next
        }
    }
}

@available(*, unavailable)
extension SequencedFeed: Sendable {}
