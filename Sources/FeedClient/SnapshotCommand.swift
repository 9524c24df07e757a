import ArgumentParser
import FeedClientKit
import FeedModel
import ZeroMQ

/// `feed-client snapshot`: the last value of every topic under some prefixes, now or as of a time.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print the latest message of every topic starting with any PREFIX, now or as of --at TIME.",
        discussion: """
            Without a prefix, every topic. Topics come in the order the history first recorded them, \
            read from the server a page at a time.

            Examples:
              feed-client snapshot NASDAQ.
              feed-client snapshot NYSE. --at 2026-11-22T15:00:00Z --db ./data/feed.sqlite
              feed-client snapshot --prefixes-from watchlist.txt --format csv
            """
    )

    @OptionGroup var prefixes: PrefixOptions

    @Option(help: "As of this time (publish time at or before it): ISO 8601, -5m, or nanoseconds.")
    var at: String?

    @OptionGroup var source: HistorySourceOptions

    @OptionGroup var output: FormatOptions

    func validate() throws {
        _ = try TimeArgument.parse(at, option: "--at")
    }

    func run() throws {
        do {
            let prefixes = try prefixes.resolved()
            let at = try TimeArgument.parse(at, option: "--at")
            let context = try ZMQContext()
            let source = try source.open(context: context)
            let writer = LineWriter()
            let format = output.format  // Read once: a property wrapper's getter is not free per message.
            if let header = format.header { writer.write(header) }
            try source.forEachSnapshotPage(
                prefixes: prefixes, at: at, pageSize: 10_000, skipped: { HistoryNotes.write(expired: nil, skipped: $0) }
            ) { block in
                for message in try block.decoded() { writer.write(message, as: format) }
                writer.flush()
                return true
            }
            writer.flush()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ClientFailure.exit(error)
        }
    }
}
