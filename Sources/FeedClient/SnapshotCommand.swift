import ArgumentParser
import FeedClientKit
import FeedModel
import ZeroMQ

/// `feed-client snapshot`: the last value of every topic under a prefix, now or as of a time.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print the latest message of every topic starting with PREFIX, now or as of --at TIME.",
        discussion: """
            Examples:
              feed-client snapshot NASDAQ.
              feed-client snapshot NYSE. --at 2026-11-22T15:00:00Z --db ./data/feed.sqlite
            """
    )

    @Argument(help: "Topic prefix; omit for every topic.")
    var prefix = ""

    @Option(help: "As of this time (publish time at or before it): ISO 8601, -5m, or nanoseconds.")
    var at: String?

    @OptionGroup var source: HistorySourceOptions

    @OptionGroup var output: FormatOptions

    func validate() throws {
        _ = try PrefixArguments.parse([prefix])
        _ = try TimeArgument.parse(at, option: "--at")
    }

    func run() throws {
        do {
            let prefix = try PrefixArguments.parse([prefix])[0]
            let at = try TimeArgument.parse(at, option: "--at")
            let context = try ZMQContext()
            let block = try source.open(context: context).snapshot(prefix: prefix, at: at)
            let writer = LineWriter()
            if let header = output.format.header { writer.write(header) }
            for message in try block.decoded() { writer.write(message, as: output.format) }
            writer.flush()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ClientFailure.exit(error)
        }
    }
}
