import ArgumentParser
import FeedClientKit
import FeedHistory
import FeedModel
import ZeroMQ

/// `feed-client history`: print recorded messages, from a server or a database file.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Print recorded messages whose topic starts with any PREFIX.",
        discussion: """
            Without a prefix, everything is printed. Times are ISO 8601 (2026-11-22T14:30:00Z), relative \
            (-5m, -2h, -30s, -1d) or nanoseconds since 1970; they select by publish time, since inclusive, \
            until exclusive. --from-seq selects by feed sequence within --session (default: the latest session).

            Examples:
              feed-client history NASDAQ.AAPL --since -5m --format csv
              feed-client history NYSE. --db ./data/feed.sqlite --from-seq 1000 --limit 50
              feed-client history --prefixes-from watchlist.txt --since -1h

            Written to a file (stdout not a terminal) while stderr is a terminal, the query shows its \
            progress on stderr: messages, rate, and time left judged from --since/--until or --limit.
            """
    )

    @OptionGroup var prefixes: PrefixOptions

    @Option(parsing: .unconditional, help: "Only messages published at or after TIME.")
    var since: String?

    @Option(parsing: .unconditional, help: "Only messages published before TIME.")
    var until: String?

    @Option(parsing: .unconditional, help: "Only messages with feed sequence >= N.")
    var fromSeq: UInt64?

    @Option(parsing: .unconditional, help: "Only this session (publisher run).")
    var session: UInt32?

    @Option(parsing: .unconditional, help: "Print at most N messages.")
    var limit: Int?

    @OptionGroup var source: HistorySourceOptions

    @OptionGroup var output: FormatOptions

    @Flag(help: "Print only how many messages match (each is still fetched and decoded).")
    var countOnly = false

    func validate() throws {
        _ = try query(prefixes: [.all])
    }

    /// The query for `prefixes`.
    private func query(prefixes: [TopicPrefix]) throws -> HistoryQuery {
        let since = try TimeArgument.parse(since, option: "--since")
        let until = try TimeArgument.parse(until, option: "--until")
        if let since, let until, since >= until {
            throw ValidationError("--since \(since) must be before --until \(until)")
        }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        return HistoryQuery(prefixes: prefixes, since: since, until: until, fromSequence: fromSeq, session: session, limit: limit)
    }

    func run() throws {
        do {
            let query = try query(prefixes: prefixes.resolved())
            let context = try ZMQContext()
            let source = try source.open(context: context)
            let writer = LineWriter()
            let format = output.format  // Read once: a property wrapper's getter is not free per message.
            if !countOnly, let header = format.header { writer.write(header) }
            var count = 0
            var progress = HistoryProgress(since: query.since, until: query.until, limit: query.limit)
            try source.forEachPage(query, pageSize: 10_000) { block in
                let messages = try block.decoded()
                count += messages.count
                if let first = messages.first, let last = messages.last {
                    progress.advance(by: messages.count, firstPublishTime: first.publishTime, lastPublishTime: last.publishTime)
                }
                if !countOnly {
                    for message in messages { writer.write(message, as: format) }
                    writer.flush()
                }
                return true
            }
            if countOnly { writer.write(String(count)) }
            writer.flush()
            progress.finish()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ClientFailure.exit(error)
        }
    }
}
