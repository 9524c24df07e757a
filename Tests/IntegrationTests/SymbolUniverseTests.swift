import Foundation
import Testing

/// A universe of 100,000 topics pushed through ingest: history by prefix, by time range and by
/// sequence, and snapshots now and as of a past time, from the server and from the file, each
/// compared with a brute-force read of the history file (Python, independent of FeedHistory).
/// 140,000 messages make two indexed segments and a tail, so both ways of reading a query
/// (the topic index, a scan) and both parts of the file are crossed. Broad answers are compared
/// message by message from the file and by count from the server (printing them twice in a debug
/// build would only cost time).
@Suite(.serialized)
struct SymbolUniverseTests {
    typealias Record = HistoryFile.Record

    @Test func queriesAndSnapshotsOverAHundredThousandTopicsMatchBruteForce() throws {
        let server = try ServerFixture(extraArguments: ["--block-messages", "4096"])
        let topics = WatchlistTests.topics("UA", 50_000) + WatchlistTests.topics("UB", 50_000)
        try WatchlistTests.publish(
            GapRepairTests.input(count: 140_000, topics: topics), to: server, name: "input.csv", recorded: 140_000)
        let records = try HistoryFile.records(server.databasePath)
        #expect(records.count == 140_000 && Set(records.map(\.topic)).count == 100_000)
        let times = records.map(\.publishTime)
        let (early, middle, late) = (times[20_000], times[70_000], times[125_000])

        // (arguments, the records they select)
        let histories: [([String], (Record) -> Bool)] = [
            (["UA.S01234"], { $0.topic == "UA.S01234" }),
            (["UB.S0004", "UA.S4999", "UA.S49990"], { record in ["UB.S0004", "UA.S4999"].contains { record.topic.hasPrefix($0) } }),
            (["UA."], { $0.topic.hasPrefix("UA.") }),
            (["UA.", "UB."], { _ in true }),
            (["UB.S012", "--since", String(early), "--until", String(late)],
             { $0.topic.hasPrefix("UB.S012") && $0.publishTime >= early && $0.publishTime < late }),
            (["UA.", "--since", String(middle)], { $0.topic.hasPrefix("UA.") && $0.publishTime >= middle }),
            (["UA.S0", "--from-seq", "100000"], { $0.topic.hasPrefix("UA.S0") && $0.feedSequence >= 100_000 }),
        ]
        let sources = [["--server", server.replay], ["--db", server.databasePath]]
        for (arguments, selects) in histories {
            let expected = records.filter(selects).map(\.delivered)
            #expect(!expected.isEmpty, "\(arguments)")
            for source in sources {
                let broad = expected.count > 10_000 && source[0] == "--server"
                let history = try server.client(
                    ["history"] + arguments + source + (broad ? ["--count-only"] : ["--format", "ndjson"]), timeout: 120)
                #expect(history.exitStatus == 0, "\(history.stderr)")
                if broad {
                    #expect(history.stdout == "\(expected.count)\n", "history \(arguments) \(source[0])")
                } else {
                    #expect(try GapRepairTests.delivered(history) == expected, "history \(arguments) \(source[0])")
                }
            }
        }

        let snapshots: [([String], Watchlist, Int64)] = [
            ([], Watchlist([""]), .max),
            (["UB.S0123"], Watchlist(["UB.S0123"]), .max),
            (["UA.", "--at", String(middle)], Watchlist(["UA."]), middle),
            (["UB.S4", "UA.S00007", "--at", String(early)], Watchlist(["UB.S4", "UA.S00007"]), early),
        ]
        for (arguments, prefixes, at) in snapshots {
            let expected = HistoryFile.lastValues(records, prefixes: prefixes, at: at).map(\.delivered)
            #expect(!expected.isEmpty, "\(arguments)")
            for source in expected.count > 10_000 ? [sources[1]] : sources {
                let snapshot = try server.client(["snapshot"] + arguments + source + ["--format", "ndjson"], timeout: 120)
                #expect(snapshot.exitStatus == 0, "\(snapshot.stderr)")
                #expect(try GapRepairTests.delivered(snapshot) == expected, "snapshot \(arguments) \(source[0])")
            }
        }
        try server.stop()
    }
}
