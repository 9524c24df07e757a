import FeedHistory
import FeedModel
import ChildProcesses
import Foundation
import Testing

/// A/B lines with the real binaries: one `feed-client subscribe` taking the same feed from two
/// relays of one origin (`--from A --from B`), the first copy of each message winning.
@Suite(.serialized)
struct LineArbitrationTests {
    typealias Delivered = GapRepairTests.Delivered

    /// A recording relay of `origin` (which subscribes to everything upstream at once).
    static func relay(of origin: ServerFixture, _ name: String) throws -> RelayFixture {
        try RelayFixture(
            ["--upstream", origin.publish, "--upstream-replay", origin.replay, "--publish", "tcp://127.0.0.1:*", "--db",
             origin.folder.path("\(name).sqlite"), "--replay", "tcp://127.0.0.1:*"])
    }

    /// The client's per-line summary lines, by endpoint: (first copies, later copies, lost, covered).
    static func lineFigures(_ stderr: String) -> [String: [Int]] {
        var figures: [String: [Int]] = [:]
        for line in stderr.split(separator: "\n") where line.hasPrefix("feed-client: line ") && line.contains("first copy of") {
            let words = line.split(separator: " ")
            let endpoint = String(words[2].dropLast())
            figures[endpoint] = words.compactMap { Int($0) }
        }
        return figures
    }

    @Test func twoRelaysGiveOneStreamAndWhenOneIsKilledMidStreamTheOtherCarriesItWithNoGap() throws {
        let origin = try ServerFixture()
        let relays = [try Self.relay(of: origin, "a"), try Self.relay(of: origin, "b")]
        // Handshake: both relays receive from the origin (each recorded the first batch).
        try origin.publishRecordedSample(count: 1000)
        for relay in relays { try relay.waitForStatus("recorded", atLeast: 1000) }

        let client = try ChildProcess(
            Binaries.client,
            ["subscribe", "--from", relays[0].publish, "--from", relays[1].publish, "--replay", origin.replay, "--format", "ndjson",
             "--line-silence-ms", "1000"])
        _ = try client.waitForStderrLine(containing: "(first copy wins)")
        let count = 20_000
        let publisher = try origin.startPublishingSample(count: count)
        try client.waitForStdoutLines(2000, timeout: 30)
        // Line A goes down mid-stream (its relay killed): line B carries on.
        relays[0].process.signal(SIGKILL)
        _ = try relays[0].process.waitForExit(timeout: 10)
        #expect(try publisher.waitForExit(timeout: 60) == 0, "\(publisher.stderr)")
        try client.waitForStdoutLines(count, timeout: 60)
        // The origin's idle heartbeats keep line B alive while line A says nothing.
        let silent = try client.waitForStderrLine(containing: "line \(relays[0].publish) silent for")
        #expect(silent.contains("the other lines carry the feed"), "\(silent)")
        client.signal(SIGINT)
        #expect(try client.waitForExit(timeout: 10) == 0, "\(client.stderr)")
        try relays[1].stop()
        try origin.stop()

        let history = try RelayHistoryTests.history(origin.databasePath)
        let received = try GapRepairTests.delivered(client)
        #expect(received == Array(history[1000...]), "missing, duplicated or out of order: \(received.count) of \(count)")
        #expect(!client.stderr.contains("gap:") && !client.stderr.contains("unverified:"), "\(client.stderr)")
        #expect(client.stderr.contains("took 0 from history"), "a line covered everything: nothing from history\n\(client.stderr)")
        let figures = Self.lineFigures(client.stderr)
        let (a, b) = (try #require(figures[relays[0].publish]), try #require(figures[relays[1].publish]))
        #expect(a[0] + b[0] == count, "first copies \(a[0]) + \(b[0]) are what was received")
        #expect(a[0] + a[1] < count, "line A stopped mid-stream: \(a)")
        #expect(b[2] == 0 && b[3] == 0, "line B lost nothing: \(b)")
    }
}
