import Foundation
import Testing

/// `feed-client subscribe --latency`: the live rate and publish-to-arrival percentiles at the
/// end, over live messages only.
struct LiveLatencyTests {
    /// The numbers after `p50 `, `p99 `, `p99.9 ` and `max ` in a latency line.
    static func percentiles(in line: Substring) -> [Double] {
        ["p50 ", "p99 ", "p99.9 ", "max "].compactMap { label in
            guard let range = line.range(of: label) else { return nil }
            return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        }
    }

    @Test func liveMessagesAreMeasuredAndReplayedOnesAreNot() throws {
        let server = try ServerFixture(extraArguments: ["--demo", "2000"])
        let live = try server.client(["subscribe", "--from", server.publish, "--count", "500", "--latency", "--format", "ndjson"])
        #expect(live.exitStatus == 0, "\(live.stderr)")
        let line = try #require(live.stderr.split(separator: "\n").first { $0.contains("latency from publish") }, "\(live.stderr)")
        #expect(line.contains("over 500 live messages"), "\(line)")
        let figures = Self.percentiles(in: line)
        #expect(figures.count == 4 && figures == figures.sorted() && figures[0] >= 0, "\(line)")

        // Start-up replay is history, not latency: 300 messages all taken from history measure nothing.
        try server.waitForStatus("recorded", atLeast: 1000)
        let replayed = try server.client([
            "subscribe", "--from", server.publish, "--replay", server.replay, "--replay-from", "start", "--count", "300", "--latency",
        ])
        #expect(replayed.exitStatus == 0, "\(replayed.stderr)")
        #expect(replayed.stderr.contains("latency: no live message arrived"), "\(replayed.stderr)")

        let plain = try server.client(["subscribe", "--from", server.publish, "--count", "10"])
        #expect(plain.exitStatus == 0 && !plain.stderr.contains("latency"), "\(plain.stderr)")
        try server.stop()
    }
}
