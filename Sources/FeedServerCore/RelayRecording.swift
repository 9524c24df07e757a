import DequeModule
import FeedModel
import Logging

/// What a relay records, in the order its history must hold it: each origin session in
/// feed-sequence order, gaps filled from the upstream's replay service when one is given.
///
/// Owned by the relay's forwarding thread. Rules:
/// 1. ``RecordedFeedSequences`` judges each message: a duplicate (the same origin through two
///    upstreams) is not recorded twice, nor is a message with an implausible feed sequence.
///    Without an ``UpstreamGapFiller`` the others go to the history as they arrive.
/// 2. With one, after a gap the session's messages are held back while the filler fetches the
///    missing range, so the filled messages are recorded before those that followed them: a
///    history query (which returns messages in the order stored) gets the session in
///    feed-sequence order.
/// 3. Held messages are bounded by ``heldMessageLimit``: beyond it the oldest fill waited for
///    is given up (logged), and so are those still waited for at ``flushAll()``; the gap then
///    stays in the history, said so in the log.
final class RelayRecording {
    /// Messages held back behind fills at most (rule 3).
    static let heldMessageLimit = 1_000_000

    private enum Held {
        case fill(UpstreamGapFiller.Request)
        case messages(MessageBlock)
    }

    private var blocks: BlockBuilder
    private let filler: UpstreamGapFiller?
    private var sequences = RecordedFeedSequences()
    /// Per session with a fill outstanding: what must be recorded, in order.
    private var held: [UInt32: Deque<Held>] = [:]
    private var heldMessages = 0
    /// Fills that arrived before their turn.
    private var arrived: [UpstreamGapFiller.Request: UpstreamGapFiller.Fill] = [:]
    /// Fills given up on before they arrived (rule 3): dropped when they come.
    private var abandoned: Set<UpstreamGapFiller.Request> = []
    private let replayStatus: RelayReplayStatus?
    private let counters: ServerCounters
    private let logger: Logger

    /// - Parameter replayStatus: told of each session seen, for the relay's replay service.
    init(
        blocks: BlockBuilder, filler: UpstreamGapFiller?, replayStatus: RelayReplayStatus?, counters: ServerCounters,
        logger: Logger
    ) {
        self.blocks = blocks
        self.filler = filler
        self.replayStatus = replayStatus
        self.counters = counters
        self.logger = logger
    }

    /// Records a forwarded message (not a heartbeat), now or after the fill it waits for.
    func record(_ header: WireHeader, topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) {
        let session = header.session
        replayStatus?.saw(session)
        switch sequences.note(session: session, feedSequence: header.feedSequence) {
        case .duplicate:
            counters.forwardedNotRecorded.add(1, ordering: .relaxed)
            return
        case .implausible:
            let count = counters.forwardedNotRecorded.add(1, ordering: .relaxed).newValue
            logger.warning(
                occurrence: count,
                "not recorded: session \(session) feed sequence \(header.feedSequence) is implausibly far ahead (a mangled message?)")
            return
        case .next:
            break
        case .afterGap(let missing):
            if filler != nil { requestFill(UpstreamGapFiller.Request(session: session, sequences: missing)) }
        }
        guard var queue = held[session] else {
            blocks.append(session: session, topic: topic, body: body)
            return
        }
        held[session] = nil  // Keeps the queue uniquely referenced while it changes.
        if case .messages(var block) = queue.last {
            queue.removeLast()
            block.append(topic: topic, body: body)
            queue.append(.messages(block))
        } else {
            var block = MessageBlock(reservingCapacity: 4096 * 80)
            block.append(topic: topic, body: body)
            queue.append(.messages(block))
        }
        held[session] = queue
        heldMessages += 1
        if heldMessages > Self.heldMessageLimit, let oldest = held.first(where: { !$0.value.isEmpty })?.key {
            giveUpFirstFill(of: oldest, reason: "more than \(Self.heldMessageLimit) messages held back behind it")
        }
    }

    /// Takes note of a heartbeat: one past the last message recorded shows a lost tail (rule 2).
    func noteHeartbeat(_ header: WireHeader) {
        replayStatus?.saw(header.session)
        guard filler != nil, let missing = sequences.noteHeartbeat(session: header.session, feedSequence: header.feedSequence)
        else { return }
        requestFill(UpstreamGapFiller.Request(session: header.session, sequences: missing))
    }

    /// When the next thing is due: an open block's flush, or a look for fills while some are awaited.
    var nextDeadline: Int64? {
        let fills = held.isEmpty ? nil : MonotonicClock.nanoseconds() + 5_000_000
        return [blocks.nextDeadline, fills].compactMap { $0 }.min()
    }

    /// Records the fills that arrived and what waited for them; hands due blocks to the recorder.
    func flushDue() {
        if let filler, !held.isEmpty {
            take(filler.takeFills())
            for session in Array(held.keys) { release(session) }
        }
        blocks.flushDue()
    }

    /// Gives up every fill still awaited (rule 3), records everything held, and hands every
    /// block to the recorder.
    func flushAll() {
        if let filler {
            take(filler.takeFills())
        }
        for session in Array(held.keys) {
            release(session)
            while held[session] != nil { giveUpFirstFill(of: session, reason: "the relay is stopping") }
        }
        blocks.flushAll()
    }

    private func take(_ fills: [UpstreamGapFiller.Fill]) {
        for fill in fills where abandoned.remove(fill.request) == nil { arrived[fill.request] = fill }
    }

    private func requestFill(_ request: UpstreamGapFiller.Request) {
        held[request.session, default: []].append(.fill(request))
        filler?.submit(request)
    }

    /// Records the session's held items in order up to the first fill not arrived yet.
    private func release(_ session: UInt32) {
        guard var queue = held.removeValue(forKey: session) else { return }
        while let first = queue.first {
            switch first {
            case .messages(let block):
                append(block, session: session)
                heldMessages -= block.count
            case .fill(let request):
                guard let fill = arrived.removeValue(forKey: request) else {
                    held[session] = queue
                    return
                }
                append(fill.messages, session: session)
                counters.filledFromUpstream.add(UInt64(fill.messages.count), ordering: .relaxed)
                if fill.missing > 0 {
                    logger.error(
                        "history of session \(session) lacks \(fill.missing) of feed sequences \(request.sequences), not filled from upstream: \(fill.reason ?? "not found")"
                    )
                }
            }
            queue.removeFirst()
        }
    }

    /// Records the session as if its first awaited fill came back empty, then what followed it.
    private func giveUpFirstFill(of session: UInt32, reason: String) {
        guard let queue = held[session], let index = queue.firstIndex(where: { if case .fill = $0 { true } else { false } }),
            case .fill(let request) = queue[index]
        else { return }
        if arrived[request] == nil {
            abandoned.insert(request)
            arrived[request] = UpstreamGapFiller.Fill(
                request: request, messages: MessageBlock(), missing: UInt64(request.sequences.count), reason: reason)
        }
        release(session)
    }

    private func append(_ block: MessageBlock, session: UInt32) {
        // Blocks built here were checked on arrival or came from a history that checks them.
        try? block.forEach { topic, body in
            blocks.append(session: session, topic: topic, body: body)
            return true
        }
    }
}

@available(*, unavailable)
extension RelayRecording: Sendable {}
