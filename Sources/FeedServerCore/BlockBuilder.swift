import FeedModel

/// Collects published messages into history blocks, one open block per session, and hands a
/// block to the recorder when it is full or old enough.
///
/// A block never mixes sessions (a relay forwards several origins at once). The open blocks
/// are few (one per origin), so they sit in a small array searched in place: appending a
/// message hashes nothing. Owned by the thread that publishes: the engine or the relay.
struct BlockBuilder {
    private struct OpenBlock {
        let session: UInt32
        var block: MessageBlock
        let startedAt: Int64
    }

    private let recorder: Recorder
    private let messagesPerBlock: Int
    private let flushAfterNanoseconds: Int64
    private var open: [OpenBlock] = []

    init(recorder: Recorder, messagesPerBlock: Int, flushAfterMilliseconds: Int) {
        self.recorder = recorder
        self.messagesPerBlock = messagesPerBlock
        flushAfterNanoseconds = Int64(flushAfterMilliseconds) * 1_000_000
    }

    /// Adds one message; submits its block when full.
    mutating func append(session: UInt32, topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) {
        let index =
            open.firstIndex { $0.session == session }
            ?? {
                open.append(
                    OpenBlock(
                        session: session, block: MessageBlock(reservingCapacity: min(messagesPerBlock, 65_536) * 80),
                        startedAt: MonotonicClock.nanoseconds()))
                return open.count - 1
            }()
        open[index].block.append(topic: topic, body: body)
        if open[index].block.count >= messagesPerBlock {
            recorder.submit(open.remove(at: index).block)
        }
    }

    /// When the oldest open block is due, in monotonic nanoseconds; `nil` when none is open.
    var nextDeadline: Int64? { open.lazy.map { $0.startedAt + flushAfterNanoseconds }.min() }

    /// Submits every block older than the flush interval.
    mutating func flushDue(now: Int64 = MonotonicClock.nanoseconds()) {
        let deadline = flushAfterNanoseconds
        for entry in open where now - entry.startedAt >= deadline { recorder.submit(entry.block) }
        open.removeAll { now - $0.startedAt >= deadline }
    }

    /// Submits every open block.
    mutating func flushAll() {
        for entry in open { recorder.submit(entry.block) }
        open.removeAll()
    }
}
