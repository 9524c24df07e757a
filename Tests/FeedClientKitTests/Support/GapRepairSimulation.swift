import FeedModel

@testable import FeedClientKit

/// A publisher, a lossy live line and a history, in memory, driving a ``GapRepairStateMachine``
/// the way ``SequencedFeed`` does, with the interleavings, losses and failures a ``Scenario``
/// picks; then ``GapRepairVerdict`` checks what the subscriber got against what was published.
/// Nothing here imitates libzmq or SQLite: the machine has no sockets, only these events.
struct GapRepairSimulation {
    /// What happens, message by message, and how the driver interleaves and fails.
    struct Scenario: Sendable, CustomStringConvertible {
        /// One published message: its topic (an index into ``topics``), whether it reaches the
        /// subscriber live (0–1: lost, 2: twice, the copy two events later), whether it is
        /// recorded (0–1: not), and what follows it (0: a restart, 1–3: a heartbeat).
        struct Step: Sendable {
            var topic: Int
            var live: Int
            var recorded: Int
            var after: Int
        }

        var steps: [Step]
        /// Replay from the session's start (else: live only).
        var fromSessionStart: Bool
        /// Where in the first session the subscriber goes live, in percent of its messages.
        var livePointPercent: Int
        /// Cycled through for every choice of the driver: live event or answer first, page
        /// sizes, how far the history runs ahead of the live line, failures.
        var choices: [Int]

        var description: String {
            let steps = steps.map { "\($0.topic)/\($0.live)/\($0.recorded)/\($0.after)" }.joined(separator: " ")
            return "start \(fromSessionStart ? "session" : "live") at \(livePointPercent)%, steps \(steps), choices \(choices)"
        }
    }

    /// Topics under one prefix, one of them a prefix of another (a topic's history query matches both).
    static let topics = ["X.A", "X.AB", "X.B"].map { try! Topic($0) }
    static let firstSession: UInt32 = 1000

    /// A published message and its fate.
    struct Published {
        var message: FeedMessage
        var receivedLive: Bool
        var recorded: Bool
    }

    /// Something on the live line, and how far the publisher had published when it was sent.
    enum LiveItem {
        case message(FeedMessage)
        case heartbeat(session: UInt32, feedSequence: UInt64)
    }

    let scenario: Scenario
    /// Everything published, in order.
    private(set) var published: [Published] = []
    /// The live line after the live point, each item with the index into `published` of the
    /// latest message published when it was sent.
    private(set) var line: [(item: LiveItem, publishedCount: Int)] = []
    let livePoint: FeedPoint
    private(set) var events: [FeedEvent] = []

    private var machine: GapRepairStateMachine
    private var request: HistoryRequest?
    /// The answers of a read not yet handed over, and whether it fails after them.
    private var readPages: [FeedMessage] = []
    private var readFails = false
    private var choiceIndex = 0
    /// Failures are injected while true; the final check runs without them.
    private var failing = true
    /// How much of `published` the history and the publisher's status can see now.
    private var visible = 0

    init(_ scenario: Scenario) {
        self.scenario = scenario
        var session = Self.firstSession
        var feedSequence: UInt64 = 0
        var topicSequences: [Topic: UInt64] = [:]
        var items: [(LiveItem, Int)] = []
        var duplicates: [(at: Int, item: LiveItem)] = []
        var published: [Published] = []
        for step in scenario.steps {
            let topic = Self.topics[step.topic % Self.topics.count]
            feedSequence += 1
            let topicSequence = topicSequences[topic, default: 0] + 1
            topicSequences[topic] = topicSequence
            let message = FeedMessage(
                topic: topic, session: session, feedSequence: feedSequence, topicSequence: topicSequence,
                eventTime: Int64(published.count + 1), publishTime: Int64(published.count + 1),
                payload: .trade(Trade(price: Price(mantissa: Int64(feedSequence)), size: 1, aggressor: .buy)))
            published.append(Published(message: message, receivedLive: step.live > 1, recorded: step.recorded > 1))
            if step.live > 1 { items.append((.message(message), published.count)) }
            if step.live == 2 { duplicates.append((items.count + 2, .message(message))) }
            while let first = duplicates.first, first.at <= items.count {
                items.append((first.item, published.count))
                duplicates.removeFirst()
            }
            if step.after <= 3 { items.append((.heartbeat(session: session, feedSequence: feedSequence), published.count)) }
            if step.after == 0 {  // A restart: the old session's last heartbeat went out above.
                session += 1
                feedSequence = 0
                topicSequences = [:]
            }
        }
        items += duplicates.map { ($0.item, published.count) }
        let firstSessionCount = published.count { $0.message.session == Self.firstSession }
        let livePoint = FeedPoint(session: Self.firstSession, feedSequence: UInt64(firstSessionCount * scenario.livePointPercent / 100))
        self.livePoint = livePoint
        self.published = published
        // The live line starts after the live point.
        let liveFrom = published.firstIndex { $0.message.session != Self.firstSession || $0.message.feedSequence > livePoint.feedSequence }
        machine = GapRepairStateMachine(
            configuration: .init(start: scenario.fromSessionStart ? .sessionStart : .live, canRepair: true))
        line = items.filter { item, publishedCount in
            if case .message(let message) = item, message.session == Self.firstSession,
                message.feedSequence <= livePoint.feedSequence
            {
                return false  // A copy of a message from before the live point: never on the line after it.
            }
            return publishedCount > (liveFrom ?? published.count)
        }.map { (item: $0.0, publishedCount: $0.1) }
        visible = Int(livePoint.feedSequence)
    }

    /// Runs the subscription over the whole live line, then one last heartbeat with no failures,
    /// until the machine is idle.
    mutating func run() {
        visible = min(published.count, visible + choice(3))
        // The live point's heartbeat went out right after its last message (publish times are
        // the index in `published`, across sessions); sometimes its time is not known.
        perform(machine.start(livePoint: livePoint, publishedAt: choice(4) == 0 ? nil : Timestamp(nanoseconds: Int64(livePoint.feedSequence))))
        var next = 0
        while next < line.count || request != nil {
            if request != nil && (next == line.count || choice(2) == 0) {
                answer()
                continue
            }
            let (item, publishedCount) = line[next]
            next += 1
            visible = max(visible, min(published.count, publishedCount + choice(3)))
            feed(item)
        }
        failing = false
        visible = published.count
        if let last = published.last?.message {
            feed(.heartbeat(session: last.session, feedSequence: last.feedSequence))
            while request != nil { answer() }
        }
    }

    private mutating func feed(_ item: LiveItem) {
        switch item {
        case .message(let message): perform(machine.liveMessage(message))
        case .heartbeat(let session, let feedSequence): perform(machine.heartbeat(session: session, feedSequence: feedSequence))
        }
    }

    private mutating func perform(_ actions: GapRepairActions) {
        events += actions.events
        if let next = actions.request {
            precondition(request == nil, "a second request while one is outstanding")
            request = next
            readPages = []
            readFails = false
            switch next {
            case .replay(let query, _):
                readPages = history { message in
                    message.session == query.session && message.feedSequence >= query.fromSequence ?? 1
                        && message.feedSequence <= query.toSequence ?? .max
                }
            case .topicRange(let range):
                readPages = history { message in
                    message.session == range.session && message.feedSequence > range.afterFeedSequence
                        && message.feedSequence <= (range.throughFeedSequence ?? .max)
                        && message.topic.rawValue.hasPrefix(range.topic.rawValue)
                }
                readFails = failing && choice(5) == 0
            default:
                break
            }
        }
    }

    /// The next answer to the outstanding request.
    private mutating func answer() {
        guard let current = request else { return }
        switch current {
        case .replay, .topicRange:
            let count = min(readPages.count, 1 + choice(3))
            let page = Array(readPages.prefix(count))
            readPages.removeFirst(count)
            let failsNow = readFails && (readPages.isEmpty || choice(2) == 0)
            let done = readPages.isEmpty || failsNow
            if done { request = nil }
            if !page.isEmpty { perform(machine.replayPage(page, expired: nil)) }
            if failsNow {
                perform(machine.replayFailed(.historyUnavailable("injected")))
            } else if done {
                perform(machine.replayDone(expired: nil))
            }
        case .awaitRecorded(let session, _, let required):
            request = nil
            let fault = failing && !required ? choice(6) : 9
            if fault == 0 { return perform(machine.recorded(through: nil)) }
            if fault == 1 { return perform(machine.lookUpFailed("injected")) }
            perform(machine.recorded(through: recordedThrough(session)))
        case .lastRecorded(let session, let atMost):
            request = nil
            if failing && choice(6) == 0 { return perform(machine.lookUpFailed("injected")) }
            let last = history { $0.session == session && $0.feedSequence <= atMost }.last?.feedSequence ?? 0
            perform(machine.lastRecorded(last))
        case .latestPerTopic(let required):
            request = nil
            if failing && !required && choice(6) == 0 { return perform(machine.lookUpFailed("injected")) }
            var latest: [Topic: FeedMessage] = [:]
            for message in history({ _ in true }) { latest[message.topic] = message }
            perform(machine.latestPerTopic(Array(latest.values)))
        case .livePositions(_, let publishedBy):
            request = nil
            if failing && choice(6) == 0 { return perform(machine.lookUpFailed("injected")) }
            var latest: [Topic: FeedMessage] = [:]
            for message in history({ $0.publishTime <= publishedBy?.nanoseconds ?? .max }) { latest[message.topic] = message }
            // No retention here: the history holds every session from its start, but the machine must cope with not knowing.
            perform(machine.livePositions(Array(latest.values), historyFromSessionStart: choice(4) != 0))
        case .status:
            request = nil
            let now = published[max(0, visible - 1)].message
            perform(machine.status(session: now.session, recorded: recordedThrough(now.session)))
        }
    }

    /// What the history holds now that matches `filter`, in publish order.
    private func history(_ filter: (FeedMessage) -> Bool) -> [FeedMessage] {
        published.prefix(visible).filter { $0.recorded && filter($0.message) }.map(\.message)
    }

    /// How far the history is settled for `session`: all of it for a session that is over.
    private func recordedThrough(_ session: UInt32) -> UInt64 {
        let now = published.prefix(visible).last?.message.session ?? Self.firstSession
        if session < now { return .max }
        return published.prefix(visible).last { $0.message.session == session }?.message.feedSequence ?? 0
    }

    private mutating func choice(_ range: Int) -> Int {
        defer { choiceIndex += 1 }
        guard !scenario.choices.isEmpty else { return 0 }
        return scenario.choices[choiceIndex % scenario.choices.count] % range
    }
}
