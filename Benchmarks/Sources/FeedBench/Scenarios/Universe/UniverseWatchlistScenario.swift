import Foundation

/// A large watchlist against a venue prefix carrying the same messages (issue 9, target 7): the
/// C producer pushes quotes round 10,000 topics (`NASDAQ.S0`-`NASDAQ.S4999`, `NYSE.S0`-
/// `NYSE.S4999`) into a fresh feed-server's ingest, recording on, and one C subscriber
/// (`pubsub_sub -P FILE`, a ZMQ_SUBSCRIBE per line) takes either the 5,000 Nasdaq symbols as
/// 5,000 prefixes or `NASDAQ.` alone. Runs interleaved, median of `repeats`; the watchlist's
/// receive rate is set beside the venue prefix's, held to ≥ 0.9x.
///
/// Checked: every message was published and recorded; the note says how many of the Nasdaq half
/// each subscriber received (libzmq drops at the send high-water mark).
struct UniverseWatchlistScenario {
    static let topics = 10_000

    func run(_ run: BenchRun) throws -> [Figure] {
        let messages = run.size(2_000_000, quick: 200_000)
        let symbols = Self.topics / 2
        let folder = try run.scratch("universe-watchlist")
        // The end marker (BENCH.END) ends each subscriber; heartbeats come last (pubsub_sub).
        let watchlist = folder.appendingPathComponent("watchlist.txt")
        let venue = folder.appendingPathComponent("venue.txt")
        try ((0..<symbols).map { "NASDAQ.S\($0)" } + ["BENCH."]).joined(separator: "\n").write(to: watchlist, atomically: true, encoding: .utf8)
        try "NASDAQ.\nBENCH.\n".write(to: venue, atomically: true, encoding: .utf8)
        let expected = messages / 2
        var rates: [[Double]] = [[], []]
        var fewest = [Int.max, Int.max]
        for attempt in 1...run.repeats {
            for (slot, file) in [watchlist, venue].enumerated() {
                run.log("symbol universe: \(slot == 0 ? "\(symbols) prefixes" : "venue prefix"), run \(attempt) of \(run.repeats)")
                let result = try IngestRun(
                    subscribers: 1, messages: messages, topics: Self.topics, subscriberArguments: ["-P", file.path]
                ).run(run, folder: try run.scratch("universe-watchlist-run"))
                rates[slot].append(result.rate)
                fewest[slot] = min(fewest[slot], result.fewestReceived)
            }
        }
        return [
            Figure(
                name: "subscriber with \(symbols) single-symbol prefixes (NASDAQ.S0 ... NASDAQ.S\(symbols - 1)), C producer over 10,000 topics through ingest",
                unit: .messagesPerSecond, better: .higher, ours: rates[0].median, baselineName: "one prefix NASDAQ.",
                baseline: rates[1].median, target: .ratio(0.9),
                note: "same messages (the Nasdaq half of \(messages)); received at least \(fewest[0]) and \(fewest[1]) of \(expected); "
                    + "pubsub_sub -P (a ZMQ_SUBSCRIBE per line, as feed-client subscribe --prefixes-from does); recording on; median of \(run.repeats), interleaved")
        ]
    }
}
