import FeedModel
import Foundation
import Synchronization

/// Buffered output in whole lines, for commands that print many messages.
///
/// Lines are flushed when the buffer is large, when the caller is about to wait (``flush()``),
/// or when the last flush is getting old (``flushIfOlder(thanMilliseconds:)``). Any thread may
/// call any method: the thread that prints writes, and another one (an idle timer, a signal
/// handler about to exit) can flush, so a line never waits in the buffer for the next one.
public final class LineWriter: Sendable {
    private struct State {
        var buffer = TextBuffer(capacity: 1 << 16)
        var lastFlush = MonotonicClock.nanoseconds()
    }

    private let state = Mutex(State())
    private let output: FileHandle

    /// A writer to `output`, standard output by default.
    public init(output: FileHandle = .standardOutput) {
        self.output = output
    }

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
            if state.buffer.count >= 1 << 16 { flush(&state) }
        }
    }

    /// Flushes when the last flush was at least `milliseconds` ago.
    public func flushIfOlder(thanMilliseconds milliseconds: Int64) {
        state.withLock { state in
            if MonotonicClock.nanoseconds() - state.lastFlush >= milliseconds * 1_000_000 { flush(&state) }
        }
    }

    /// Writes out every buffered line.
    public func flush() {
        state.withLock { flush(&$0) }
    }

    private func flush(_ state: inout State) {
        state.lastFlush = MonotonicClock.nanoseconds()
        guard state.buffer.count > 0 else { return }
        output.write(Data(state.buffer.bytes))
        state.buffer.removeAll()
    }
}
