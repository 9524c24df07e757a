import Foundation
import Histogram
import Synchronization

/// `subscribe --latency`: the time from each live message's publish time (stamped by the
/// feed-server) to its arrival here, in HdrHistogram, and the live rate.
///
/// Only live messages count: those replayed from history at start-up arrive long after they
/// were published by design. Messages repaired from history after a gap do count: they did
/// arrive that late. The publisher's and this host's clocks must agree (the same host, or
/// clocks synchronised by PTP), or the figures carry the clocks' offset.
///
/// Shared by the task printing events (which records) and the one writing the summary.
final class LiveLatency: Sendable {
    private struct State {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
        var firstArrival: Int64?
        var lastArrival: Int64 = 0
        /// Publish times in the future by this host's clock (clocks not in agreement), counted as 0.
        var aheadOfClock = 0
    }

    private let state = Mutex(State())

    /// Records one live message that arrived at `arrival` (ns since the epoch).
    func record(publishTime: Int64, arrival: Int64) {
        state.withLock { state in
            if state.firstArrival == nil { state.firstArrival = arrival }
            state.lastArrival = arrival
            let latency = arrival - publishTime
            if latency < 0 { state.aheadOfClock += 1 }
            state.histogram.record(UInt64(max(0, latency)))
        }
    }

    /// One line: count, rate, and percentiles in microseconds.
    var summary: String {
        state.withLock { Self.summary(of: $0) }
    }

    private static func summary(of state: State) -> String {
        let histogram = state.histogram
        guard let firstArrival = state.firstArrival, histogram.totalCount > 0 else { return "latency: no live message arrived" }
        let lastArrival = state.lastArrival
        let aheadOfClock = state.aheadOfClock
        func microseconds(_ value: UInt64) -> String { String(format: "%.1f", Double(value) / 1000) }
        let seconds = Double(lastArrival - firstArrival) / 1e9
        let rate = seconds > 0 ? String(format: "%.0f msg/s", Double(histogram.totalCount - 1) / seconds) : "n/a"
        var line = "latency from publish over \(histogram.totalCount) live messages in \(String(format: "%.2f", seconds)) s (\(rate)):"
        line += " p50 \(microseconds(histogram.valueAtPercentile(50))) us, p99 \(microseconds(histogram.valueAtPercentile(99))) us,"
        line += " p99.9 \(microseconds(histogram.valueAtPercentile(99.9))) us, max \(microseconds(histogram.max)) us"
        if aheadOfClock > 0 { line += "; \(aheadOfClock) published ahead of this host's clock (counted as 0: are the clocks synchronised?)" }
        return line
    }
}
