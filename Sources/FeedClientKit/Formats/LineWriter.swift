import FeedModel
import Foundation
import Synchronization

/// Buffered output in whole lines, for commands that print many messages.
///
/// Lines are handed to the output when the buffer is large, when the caller is about to wait
/// (``flush()``), or when the last flush is getting old (``flushIfOlder(thanMilliseconds:)``).
/// The blocking `write`s happen on a thread of their own (``OutputThread``), in order, so a
/// stalled reader (a pipe nobody reads, a paused pager) never blocks a caller that does not
/// choose to wait: ``write(_:)`` and ``flushIfOlder(thanMilliseconds:)`` never wait; a thread
/// waits for the output with ``flush()``, a task with ``flushed()`` and, to keep the memory held
/// bounded, ``waitForRoom()``. Any thread may call any method.
public final class LineWriter: Sendable {
    private struct State {
        var buffer = TextBuffer(capacity: LineWriter.chunkSize)
        var lastFlush = ContinuousClock.now
    }

    /// Bytes handed to the output thread at a time.
    static let chunkSize = 1 << 16

    private let state = Mutex(State())
    let output: OutputThread
    private let backlogLimit: Int

    /// A writer to `output`, standard output by default; ``waitForRoom()`` waits while more than
    /// `backlogLimit` bytes are waiting for the output.
    public init(output: FileHandle = .standardOutput, backlogLimit: Int = 1 << 20) {
        self.output = OutputThread(output: output)
        self.backlogLimit = backlogLimit
    }

    deinit { output.close() }

    /// Appends `line` and a newline.
    public func write(_ line: String) {
        writeLine { $0.append(line) }
    }

    /// Appends `message` as a line of `format`.
    public func write(_ message: FeedMessage, as format: OutputFormat) {
        writeLine { format.write(message, to: &$0) }
    }

    /// Appends the line that `body` writes into the buffer, and a newline.
    private func writeLine(_ body: (inout TextBuffer) -> Void) {
        state.withLock { state in
            body(&state.buffer)
            state.buffer.append(UInt8(ascii: "\n"))
            if state.buffer.count >= Self.chunkSize { handOff(&state) }
        }
    }

    /// Hands the buffered lines to the output when the last flush was at least `milliseconds` ago.
    public func flushIfOlder(thanMilliseconds milliseconds: Int64) {
        state.withLock { state in
            if ContinuousClock.now - state.lastFlush >= .milliseconds(milliseconds) { handOff(&state) }
        }
    }

    /// Writes out every buffered line, blocking the calling thread until the output took them.
    public func flush() {
        output.waitUntilWritten(state.withLock { handOff(&$0) })
    }

    /// Writes out every buffered line, suspending until the output took them or the task is cancelled.
    public func flushed() async {
        await output.written(state.withLock { handOff(&$0) })
    }

    /// Writes out every buffered line, waiting at most `limit` for the output to take them;
    /// returns whether it did (a reader that stopped reading loses the rest).
    public func flushed(waitingAtMost limit: Duration) async -> Bool {
        let target = state.withLock { handOff(&$0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.output.written(target) }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return output.totals.written >= target
    }

    /// Suspends while more than the backlog limit waits for the output, or until the task is
    /// cancelled; a printing loop calls it between lines so a stalled reader holds its memory
    /// bounded without blocking a thread.
    public func waitForRoom() async {
        let totals = output.totals
        guard totals.queued - totals.written > backlogLimit else { return }
        await output.written(totals.queued - backlogLimit)
    }

    /// Hands the buffer to the output thread; returns the total of bytes handed over so far.
    @discardableResult
    private func handOff(_ state: inout State) -> Int {
        state.lastFlush = .now
        let total = output.enqueue(state.buffer.bytes)
        state.buffer.removeAll()
        return total
    }
}
