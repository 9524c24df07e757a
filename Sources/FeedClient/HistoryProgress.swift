#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FeedModel
import Foundation

/// Progress of `feed-client history` on stderr, for a person watching a long query written to a
/// file: messages so far, rate, and time left judged from the query's known time range (`--since`
/// to `--until`, or from the first message to the time the query started) or its `--limit`.
///
/// Shown only when stderr is a terminal and stdout is not (progress between output lines would
/// garble them); otherwise every method does nothing. One line, redrawn at most four times a
/// second, finished with a summary when the query ends.
struct HistoryProgress {
    private let enabled: Bool
    private let since: Int64?
    private let until: Int64
    private let limit: Int?
    private let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var firstTime: Int64?
    private(set) var count = 0

    init(since: Timestamp?, until: Timestamp?, limit: Int?) {
        enabled = isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 0
        self.since = since?.nanoseconds
        self.until = until?.nanoseconds ?? Timestamp.now().nanoseconds
        self.limit = limit
    }

    /// Counts a page of messages, the last of them published at `lastPublishTime`.
    mutating func advance(by messages: Int, firstPublishTime: Int64, lastPublishTime: Int64) {
        guard enabled else { return }
        if firstTime == nil { firstTime = firstPublishTime }
        count += messages
        let now = ContinuousClock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(250) { return }
        lastDrawn = now
        draw("history: \(count) messages, \(rate) msg/s" + remaining(at: lastPublishTime))
    }

    /// Replaces the progress line with a summary.
    func finish() {
        guard enabled else { return }
        draw("history: \(count) messages in \(String(format: "%.1f", seconds)) s, \(rate) msg/s", final: true)
    }

    private var seconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private var rate: Int { seconds > 0 ? Int(Double(count) / seconds) : 0 }

    /// `, 40% of the range, 3 s left`: the share of the range (or of the limit) done so far.
    private func remaining(at publishTime: Int64) -> String {
        var done = 0.0
        if let start = since ?? firstTime, until > start {
            done = Double(publishTime - start) / Double(until - start)
        }
        if let limit { done = max(done, Double(count) / Double(limit)) }
        guard done > 0 else { return "" }
        done = min(done, 1)
        return ", \(Int(done * 100))% of the range, \(Int((seconds * (1 - done) / done).rounded())) s left"
    }

    /// Carriage return, the text, "erase to the end of the line", and a newline after the last.
    private func draw(_ text: String, final: Bool = false) {
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K" + (final ? "\n" : "")).utf8))
    }
}
