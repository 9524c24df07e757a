import FeedModel

/// Collects published messages into history blocks, one open block per session, and hands a
/// block to the recorder when it is full or old enough.
///
/// A block never mixes sessions (a relay forwards several origins at once). Owned by the thread
/// that publishes: the engine or the relay.
struct BlockBuilder {
    private struct OpenBlock {
        var block: MessageBlock
        var startedAt: Int64
    }

    private let recorder: Recorder
    private let messagesPerBlock: Int
    private let flushAfterNanoseconds: Int64
    private var open: [UInt32: OpenBlock] = [:]

    init(recorder: Recorder, messagesPerBlock: Int, flushAfterMilliseconds: Int) {
        self.recorder = recorder
        self.messagesPerBlock = messagesPerBlock
        flushAfterNanoseconds = Int64(flushAfterMilliseconds) * 1_000_000
    }

    /// Adds one message; submits its block when full.
    mutating func append(session: UInt32, topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) {
        var entry =
            open.removeValue(forKey: session)
            ?? OpenBlock(
                block: MessageBlock(reservingCapacity: min(messagesPerBlock, 65_536) * 80),
                startedAt: MonotonicClock.nanoseconds())
        entry.block.append(topic: topic, body: body)
        if entry.block.count >= messagesPerBlock {
            recorder.submit(entry.block)
        } else {
            open[session] = entry
        }
    }

    /// When the oldest open block is due, in monotonic nanoseconds; `nil` when none is open.
    var nextDeadline: Int64? { open.values.map { $0.startedAt + flushAfterNanoseconds }.min() }

    /// Submits every block older than the flush interval.
    mutating func flushDue(now: Int64 = MonotonicClock.nanoseconds()) {
        for (session, entry) in open where now - entry.startedAt >= flushAfterNanoseconds {
            recorder.submit(entry.block)
            open[session] = nil
        }
    }

    /// Submits every open block.
    mutating func flushAll() {
        for entry in open.values { recorder.submit(entry.block) }
        open.removeAll()
    }
}
