import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// Large watchlists (`--prefixes-from`) and paged snapshots against a real feed-server holding
/// many topics, each result compared with a brute-force read of the history file.
@Suite(.serialized)
struct WatchlistTests {
    typealias Delivered = GapRepairTests.Delivered

    /// `count` topics `VENUE.Snnnnn`.
    static func topics(_ venue: String, _ count: Int) -> [String] {
        (0..<count).map { "\(venue).S\(String(format: "%05d", $0))" }
    }

    /// The topics of a CSV of quotes (`GapRepairTests.input`), one per message.
    static func topics(ofCSV csv: String) -> [String] {
        csv.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
    }

    /// Publishes `csv` through ingest with `feed-client publish` and waits until the history
    /// holds `recorded` messages.
    static func publish(_ csv: String, to server: ServerFixture, name: String, recorded: Int) throws {
        try server.folder.write(csv, to: name)
        let publisher = try server.client(["publish", "--to", server.ingest, server.folder.path(name)], timeout: 120)
        #expect(publisher.exitStatus == 0, "\(publisher.stderr)")
        try server.waitForStatus("recorded", atLeast: recorded, timeout: 60)
    }

    @Test func subscriberWithTenThousandPrefixesGetsExactlyTheTopicsUnderThem() throws {
        let server = try ServerFixture()
        let (wa, wb) = (Self.topics("WA", 10_000), Self.topics("WB", 10_000))
        // Whole topics, two shorter prefixes over some of them (WB.S099 covers WB.S09900-WB.S09999,
        // WA.S0001 WA.S00010-WA.S00019), and topics nobody publishes.
        let watchlist = Watchlist(
            wa.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) + wb.enumerated().filter { $0.offset % 4 == 1 }.map(\.element)
                + ["WB.S099", "WA.S0001"] + Self.topics("WC", 2_498))
        #expect(watchlist.prefixes.count == 10_000)
        try server.folder.write(watchlist.file, to: "watchlist.txt")
        // Two messages of each of the 20,000 topics, then one of a watched topic: whatever came
        // unasked would take the place of an expected message in what is printed.
        let csv = GapRepairTests.input(count: 40_000, topics: wa + wb, burst: 1, burstTopic: "WA.S00000")
        let wanted = Self.topics(ofCSV: csv).filter(watchlist.matches).count
        let subscriber = try server.subscriber(
            ["--prefixes-from", server.folder.path("watchlist.txt"), "--format", "ndjson", "--count", String(wanted)])
        try Self.publish(csv, to: server, name: "input.csv", recorded: 40_001)
        #expect(try subscriber.waitForExit(timeout: 120) == 0, "\(subscriber.stderr)")
        try server.stop()

        let expected = try HistoryFile.records(server.databasePath).filter { watchlist.matches($0.topic) }.map(\.delivered)
        #expect(expected.count == wanted && wanted > 10_000)
        #expect(try GapRepairTests.delivered(subscriber) == expected)
        #expect(!subscriber.stderr.contains("gap:"), "\(subscriber.stderr)")
        #expect(subscriber.stderr.contains("for 10000 prefixes; live"), "\(subscriber.stderr)")
    }

    @Test func lateJoinerWithFiveThousandPrefixesGetsExactlyTheirHistoryThenLive() throws {
        let server = try ServerFixture()
        let (wa, wb) = (Self.topics("WA", 10_000), Self.topics("WB", 10_000))
        // More prefixes than one request carries (1000): five requests a page, merged.
        let watchlist = Watchlist(
            wa.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
                + wb.enumerated().filter { $0.offset % 4 == 2 }.map(\.element).dropLast() + ["WB.S0999"])
        #expect(watchlist.prefixes.count == 5_000)
        try server.folder.write(watchlist.file, to: "watchlist.txt")
        let history = GapRepairTests.input(count: 40_000, topics: wa + wb)
        let live = GapRepairTests.input(count: 40_000, topics: wb + wa, burst: 1, burstTopic: "WA.S00000")
        let wanted = [history, live].map { Self.topics(ofCSV: $0).filter(watchlist.matches).count }
        try Self.publish(history, to: server, name: "history.csv", recorded: 40_000)
        let requestsBefore = try ReplayServiceTests.replayCounters(server).requests

        let late = try ChildProcess(
            Binaries.client,
            ["subscribe", "--prefixes-from", server.folder.path("watchlist.txt"), "--from", server.publish, "--replay", server.replay,
             "--replay-from", "start", "--format", "ndjson", "--count", String(wanted[0] + wanted[1])])
        let replayed = try late.waitForStderrLine(containing: "now live", timeout: 120)
        #expect(replayed.contains("replayed \(wanted[0]) messages from history"), "\(replayed)")
        // A page asks for a thousand prefixes at once: a request per prefix would be 5,000 at least.
        let requests = try ReplayServiceTests.replayCounters(server).requests - requestsBefore
        #expect(requests < 200, "\(requests) replay requests to replay \(wanted[0]) messages")
        try Self.publish(live, to: server, name: "live.csv", recorded: 80_001)
        #expect(try late.waitForExit(timeout: 120) == 0, "\(late.stderr)")

        // The same history through `feed-client history`, which merges the five groups too.
        let listed = try server.client(
            ["history", "--prefixes-from", "-", "--server", server.replay, "--format", "ndjson"], stdin: .bytes(Data(watchlist.file.utf8)),
            timeout: 120)
        #expect(listed.exitStatus == 0, "\(listed.stderr)")
        try server.stop()

        let expected = try HistoryFile.records(server.databasePath).filter { watchlist.matches($0.topic) }.map(\.delivered)
        #expect(expected.count == wanted[0] + wanted[1])
        // History then live in publish order: no gap, no duplicate, nothing else.
        #expect(try GapRepairTests.delivered(late) == expected)
        #expect(!late.stderr.contains("gap:") && !late.stderr.contains("unverified:"), "\(late.stderr)")
        #expect(try GapRepairTests.delivered(listed) == expected)
    }

    @Test func pagedSnapshotOfMoreTopicsThanAPageIsTheLastValueOfEachTopic() throws {
        let server = try ServerFixture(extraArguments: ["--replay-page-limit", "100", "--block-messages", "500"])
        let (wa, wb) = (Self.topics("WA", 1_000), Self.topics("WB", 1_000))
        try Self.publish(GapRepairTests.input(count: 6_000, topics: wa + wb), to: server, name: "input.csv", recorded: 6_000)
        // 200 whole topics, 100 under WA.S001 (given twice over), and topics nobody publishes.
        let watchlist = Watchlist(
            ["WA.S001", "WA.S0010"] + wb.enumerated().filter { $0.offset % 5 == 0 }.map(\.element) + Self.topics("WC", 98))
        try server.folder.write(watchlist.file, to: "watchlist.txt")
        let records = try HistoryFile.records(server.databasePath)
        let cases: [(arguments: [String], prefixes: Watchlist)] = [
            (["--prefixes-from", server.folder.path("watchlist.txt")], watchlist),
            ([], Watchlist([""])),  // Everything: 2,000 topics, 20 pages.
            (["WA.S0005", "WB.S0009"], Watchlist(["WA.S0005", "WB.S0009"])),
        ]
        for (arguments, prefixes) in cases {
            let expected = HistoryFile.lastValues(records, prefixes: prefixes).map(\.delivered)
            #expect(expected.count >= (arguments.isEmpty ? 2_000 : 10))
            for source in [["--server", server.replay], ["--db", server.databasePath]] {
                let snapshot = try server.client(["snapshot"] + arguments + source + ["--format", "ndjson"])
                #expect(snapshot.exitStatus == 0, "\(snapshot.stderr)")
                #expect(try GapRepairTests.delivered(snapshot) == expected, "snapshot \(arguments) \(source[0])")
            }
        }

        // On the wire: no page over the server's limit, each continued after its last topic.
        let context = try ZMQContext()
        let dealer = try ReplayServiceTests.dealer(context, server.replay)
        var pages = 0
        var request = ["op": "snapshot", "page_size": 1_000_000] as [String: Any]
        while true {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
            let (reply, _) = try ReplayServiceTests.exchange(dealer, text)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])
            pages += 1
            guard let next = json["next"] as? String else { break }
            #expect(json["count"] as? Int == 100, "\(reply)")
            request["cursor"] = next
        }
        #expect(pages == 20)
        // A client that reads one reply, as before paging: whole when it fits in one page.
        let old = try ReplayServiceTests.exchange(dealer, #"{"op":"snapshot","prefix":"WA.S001"}"#).reply
        #expect(old.contains("\"count\":100") && !old.contains("\"next\""), "\(old)")
        try server.stop()
    }
}
