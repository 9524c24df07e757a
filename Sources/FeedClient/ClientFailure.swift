import ArgumentParser
import FeedClientKit
import FeedHistory
import FeedModel
import Foundation

/// Reports a runtime failure as one line on stderr and picks the sysexits code for it.
enum ClientFailure {
    static func exit(_ error: any Error) -> ExitCode {
        let code: Int32
        switch error {
        case let error as ClientError:
            switch error.kind {
            case .unavailable: code = 69  // EX_UNAVAILABLE
            case .rejected, .badData: code = 65  // EX_DATAERR
            }
        case is HistoryError:
            code = 66  // EX_NOINPUT
        default:
            code = 1
        }
        writeError("\(error)")
        return ExitCode(code)
    }

    static func writeError(_ line: String) {
        FileHandle.standardError.write(Data("feed-client: \(line)\n".utf8))
    }
}

/// Buffered standard output: whole lines, flushed when the caller is about to wait, when the
/// buffer is large, or when the oldest buffered line is getting old.
final class LineWriter {
    private var buffer: [UInt8] = []
    private var lastFlush = MonotonicClock.nanoseconds()

    init() { buffer.reserveCapacity(1 << 16) }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flushIfOlder(thanMilliseconds milliseconds: Int64) {
        if MonotonicClock.nanoseconds() - lastFlush >= milliseconds * 1_000_000 { flush() }
    }

    func flush() {
        lastFlush = MonotonicClock.nanoseconds()
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
