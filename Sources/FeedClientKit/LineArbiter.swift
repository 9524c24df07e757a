import DequeModule
import FeedModel

/// A/B line arbitration: the same sequenced feed received on several lines (two multicast
/// groups, multicast and TCP, two relays) becomes one stream, before the gap repair sees it.
/// A pure state machine: no sockets and no clocks (`now` is given, in monotonic nanoseconds);
/// ``SequencedFeed`` drives it when it has more than one line, on its thread. A class, so that
/// the driver's look at ``nextDeadline`` for every message copies nothing.
///
/// Rules:
/// 1. The first copy of each message wins: per (session, topic), a message at or below what was
///    passed on is a later copy, dropped and counted for its line.
/// 2. A message one past what was passed on goes on at once, with any held ones it makes
///    contiguous. One further ahead (this line lost something, or runs ahead) is held for the
///    grace period, so that another line can cover what is missing before anything asks the
///    history; when the grace ends, the held messages up to the next gap go on in order and the
///    gap repair sees the jump (a loss every line had); a further gap gets a grace of its own.
///    Other topics are never held back.
/// 3. A topic's first message passes at once: where it starts is the gap repair's business.
/// 4. Heartbeats are held for the grace period too: a tail check must not ask the history for
///    what a slower line is still bringing. One copy of each passes (an idle publisher repeats
///    its heartbeat every period: one per period, from whichever line brings it first).
/// 5. A line that brought nothing for ``silenceNanoseconds`` while another went on (bringing
///    something at least half that time after it) is reported silent, once, and resumed when it
///    brings something again. A feed quiet on every line reports nothing.
///
/// Figures per line (``LineFigures``, without their endpoint): a line's loss is a jump in its own topic sequences (a
/// loss at a topic's tail shows with the topic's next message); it was covered when another
/// line brought the missing message first.
final class LineArbiter {
    /// What goes on to the gap repair, or news of a line.
    enum Output: Equatable {
        case message(FeedMessage)
        case heartbeat(session: UInt32, feedSequence: UInt64)
        /// `line` brought nothing for `milliseconds` while another did.
        case lineSilent(line: Int, milliseconds: Int)
        /// `line` brings messages again after it was reported silent.
        case lineResumed(line: Int)
    }

    private struct Key: Hashable {
        let session: UInt32
        let topic: Topic
    }

    /// A message held until what comes before it arrives or the grace ends.
    private struct Held {
        let message: FeedMessage
        let line: Int
    }

    /// What the arbiter keeps of every topic: small, as a feed may carry a million of them
    /// (about 350 bytes a topic when the rarely used fields below lived here too).
    private struct TopicState {
        /// The highest topic sequence passed on.
        var passed: UInt64
        /// The highest topic sequence each line brought (0: none yet).
        var seen: LineSequences
        /// Whether ``LineArbiter/unsettled`` holds something of the topic.
        var isUnsettled = false
    }

    /// The highest topic sequence of each line: the first two inline (no allocation for the
    /// usual A and B lines), any others in an array.
    private struct LineSequences {
        private var first: UInt64 = 0
        private var second: UInt64 = 0
        private var others: [UInt64]

        init(lines: Int) { others = lines > 2 ? Array(repeating: 0, count: lines - 2) : [] }

        subscript(line: Int) -> UInt64 {
            get { line == 0 ? first : line == 1 ? second : others[line - 2] }
            set {
                switch line {
                case 0: first = newValue
                case 1: second = newValue
                default: others[line - 2] = newValue
                }
            }
        }
    }

    /// What a topic holds only while its lines disagree, or after a loss on every line.
    private struct Unsettled {
        /// Held messages by topic sequence, all above what was passed on.
        var held: [UInt64: Held] = [:]
        /// When the current hold began (`nil`: nothing held).
        var heldSince: Int64?
        /// Topic sequences above what was passed on that lines skipped, with those lines (a bit
        /// each): whoever passes one on covered it for them.
        var skipped: [UInt64: UInt32] = [:]
        /// The latest ranges passed over when a grace ended (lost on every line), most recent last.
        var jumped: [ClosedRange<UInt64>] = []

        var isEmpty: Bool { held.isEmpty && skipped.isEmpty && jumped.isEmpty }
    }

    /// The longest run of skipped messages noted one by one for ``LineFigures/covered``.
    static let trackedSkip: UInt64 = 4096
    /// How many ranges lost on every line each topic remembers for ``LineFigures/covered``.
    static let trackedJumps = 4

    let lineCount: Int
    let graceNanoseconds: Int64
    let silenceNanoseconds: Int64
    private(set) var figures: [LineFigures]
    private var topics: [Key: TopicState] = [:]
    /// The ``Unsettled`` part of the topics that have one (``TopicState/isUnsettled``).
    private var unsettled: [Key: Unsettled] = [:]
    /// Topics holding messages, in the order their holds began (grace ends in the same order).
    private var holds: Deque<(key: Key, since: Int64)> = []
    /// Heartbeats waiting out the grace, oldest first; the newest per session only.
    private var heartbeats: Deque<(session: UInt32, feedSequence: UInt64, since: Int64)> = []
    /// Per session: the newest heartbeat's feed sequence, and how often each line and the
    /// arbiter passed it (an idle publisher repeats it every period, on every line).
    private var heartbeatTallies: [UInt32: (feedSequence: UInt64, passed: Int, perLine: [Int])] = [:]
    private var lastHeard: [Int64]
    private var silent: [Bool]
    /// Sessions seen, to forget the oldest ones' topics (as ``TopicSequences`` does).
    private var sessions: Set<UInt32> = []

    init(lines: Int, graceMilliseconds: Int, silenceMilliseconds: Int, now: Int64) {
        precondition((2...32).contains(lines), "arbitration takes 2 to 32 lines")
        lineCount = lines
        graceNanoseconds = Int64(graceMilliseconds) * 1_000_000
        silenceNanoseconds = Int64(silenceMilliseconds) * 1_000_000
        figures = Array(repeating: LineFigures(), count: lines)
        lastHeard = Array(repeating: now, count: lines)
        silent = Array(repeating: false, count: lines)
    }

    /// A message arrived on `line`; what goes on is appended to `outputs`.
    func message(_ message: FeedMessage, line: Int, now: Int64, into outputs: inout [Output]) {
        heard(line, now: now, into: &outputs)
        let key = Key(session: message.session, topic: message.topic)
        let sequence = message.topicSequence
        // Taken out and put back, so that nothing it holds is shared while it changes (no copy).
        guard var state = topics.removeValue(forKey: key) else {
            noteSession(message.session)
            var seen = LineSequences(lines: lineCount)
            seen[line] = sequence
            topics[key] = TopicState(passed: sequence, seen: seen)
            figures[line].first += 1
            outputs.append(.message(message))
            return
        }
        var extra = state.isUnsettled ? unsettled.removeValue(forKey: key) ?? Unsettled() : Unsettled()
        noteLoss(on: line, arriving: sequence, in: state, &extra)
        state.seen[line] = max(state.seen[line], sequence)
        if sequence <= state.passed || extra.held[sequence] != nil {
            figures[line].laterCopies += 1
        } else if sequence == state.passed + 1 {
            pass(Held(message: message, line: line), in: &state, &extra, to: &outputs)
            while let next = extra.held.removeValue(forKey: state.passed + 1) { pass(next, in: &state, &extra, to: &outputs) }
            if extra.held.isEmpty { extra.heldSince = nil }
        } else {
            extra.held[sequence] = Held(message: message, line: line)
            if extra.heldSince == nil {
                extra.heldSince = now
                holds.append((key, now))
            }
        }
        store(state, extra, for: key)
    }

    /// Puts a topic's state back, its ``Unsettled`` part only if it holds anything.
    private func store(_ state: TopicState, _ extra: Unsettled, for key: Key) {
        var state = state
        state.isUnsettled = !extra.isEmpty
        if state.isUnsettled { unsettled[key] = extra }
        topics[key] = state
    }

    /// A heartbeat arrived on `line`: passed on by ``tick(now:)`` after the grace, unless it is
    /// another line's copy of one taken (an idle publisher's repeated heartbeat counts again).
    func heartbeat(session: UInt32, feedSequence: UInt64, line: Int, now: Int64, into outputs: inout [Output]) {
        heard(line, now: now, into: &outputs)
        var tally = heartbeatTallies[session] ?? (feedSequence, 0, Array(repeating: 0, count: lineCount))
        if feedSequence > tally.feedSequence {
            tally = (feedSequence, 0, Array(repeating: 0, count: lineCount))
        } else if feedSequence < tally.feedSequence {
            return  // Older than one already taken.
        }
        tally.perLine[line] += 1
        // A line's first, second... heartbeat at this sequence passes if no other line's did:
        // one per period, whichever line brings it first.
        if tally.perLine[line] > tally.passed {
            tally.passed += 1
            heartbeats.append((session, feedSequence, now))
        }
        heartbeatTallies[session] = tally
    }

    /// Ends the holds whose grace is over, then passes due heartbeats on (so a heartbeat never
    /// overtakes what was held before it), and finds silent lines.
    func tick(now: Int64, into outputs: inout [Output]) {
        while let first = holds.first, first.since + graceNanoseconds <= now {
            holds.removeFirst()
            guard var state = topics[first.key], state.isUnsettled, var extra = unsettled.removeValue(forKey: first.key) else { continue }
            guard extra.heldSince == first.since, let lowest = extra.held.keys.min(), let held = extra.held.removeValue(forKey: lowest)
            else {
                unsettled[first.key] = extra
                continue
            }
            // Over the first gap only: a later one was found after this hold began.
            pass(held, in: &state, &extra, to: &outputs)
            while let next = extra.held.removeValue(forKey: state.passed + 1) { pass(next, in: &state, &extra, to: &outputs) }
            if extra.held.isEmpty {
                extra.heldSince = nil
            } else {
                extra.heldSince = now
                holds.append((first.key, now))
            }
            store(state, extra, for: first.key)
        }
        while let first = heartbeats.first, first.since + graceNanoseconds <= now {
            heartbeats.removeFirst()
            outputs.append(.heartbeat(session: first.session, feedSequence: first.feedSequence))
        }
        for line in 0..<lineCount where isFallingSilent(line) && now - lastHeard[line] >= silenceNanoseconds {
            silent[line] = true
            outputs.append(.lineSilent(line: line, milliseconds: Int((now - lastHeard[line]) / 1_000_000)))
        }
    }

    /// When ``tick(now:)`` has something to do next, if ever. Looked at for every message:
    /// allocates nothing.
    var nextDeadline: Int64? {
        var due = holds.first.map { $0.since + graceNanoseconds }
        if let heartbeat = heartbeats.first { due = min(due ?? .max, heartbeat.since + graceNanoseconds) }
        for line in 0..<lineCount where isFallingSilent(line) { due = min(due ?? .max, lastHeard[line] + silenceNanoseconds) }
        return due
    }

    // MARK: Private

    /// Whether `line`, not reported yet, heard nothing for at least half the silence limit
    /// before another line last heard something: it is reported once the limit is reached, and a
    /// feed quiet on every line reports nothing.
    private func isFallingSilent(_ line: Int) -> Bool {
        !silent[line] && (lastHeard.max() ?? 0) - lastHeard[line] >= silenceNanoseconds / 2
    }

    private func heard(_ line: Int, now: Int64, into outputs: inout [Output]) {
        lastHeard[line] = now
        guard silent[line] else { return }
        silent[line] = false
        outputs.append(.lineResumed(line: line))
    }

    /// Passes `held` on as the topic's next message (after a jump, if the grace ended): the
    /// lines that skipped it had it covered by this one.
    private func pass(_ held: Held, in state: inout TopicState, _ extra: inout Unsettled, to outputs: inout [Output]) {
        let sequence = held.message.topicSequence
        if sequence > state.passed + 1 {
            extra.skipped = extra.skipped.filter { $0.key >= sequence }
            extra.jumped = Array((extra.jumped + [(state.passed + 1)...(sequence - 1)]).suffix(Self.trackedJumps))
        }
        state.passed = sequence
        figures[held.line].first += 1
        if !extra.skipped.isEmpty, let lines = extra.skipped.removeValue(forKey: sequence) {
            for other in 0..<lineCount where lines & (1 << other) != 0 { figures[other].covered += 1 }
        }
        outputs.append(.message(held.message))
    }

    /// Counts what `line` skipped when its next message of a topic is `sequence`: those another
    /// line already brought are covered; the others are noted, to be counted as covered by
    /// ``pass(_:in:to:)`` if another line brings them (up to ``trackedSkip`` of them).
    private func noteLoss(on line: Int, arriving sequence: UInt64, in state: TopicState, _ extra: inout Unsettled) {
        let seen = state.seen[line]
        guard seen > 0, sequence > seen + 1 else { return }
        figures[line].lost += sequence - seen - 1
        let alreadyPassed = min(sequence - 1, state.passed)
        if alreadyPassed > seen {
            let range = (seen + 1)...alreadyPassed
            let neverPassed = extra.jumped.reduce(UInt64(0)) { count, jump in
                count + (jump.overlaps(range) ? min(jump.upperBound, range.upperBound) - max(jump.lowerBound, range.lowerBound) + 1 : 0)
            }
            figures[line].covered += UInt64(range.count) - neverPassed
        }
        let pending = max(seen, state.passed) + 1
        guard pending < sequence, sequence - pending <= Self.trackedSkip else { return }
        for skipped in pending..<sequence { extra.skipped[skipped, default: 0] |= 1 << line }
    }

    private func noteSession(_ session: UInt32) {
        guard sessions.insert(session).inserted, sessions.count > TopicSequences.retainedSessions, let oldest = sessions.min() else { return }
        sessions.remove(oldest)
        topics = topics.filter { $0.key.session != oldest }
        unsettled = unsettled.filter { $0.key.session != oldest }
        heartbeatTallies[oldest] = nil
    }
}

@available(*, unavailable)
extension LineArbiter: Sendable {}
