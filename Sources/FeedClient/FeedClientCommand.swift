import ArgumentParser
import CommandLineSupport

/// `feed-client`: subscribe to, publish into and query the history of a feed-server.
@main
struct FeedClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed-client",
        abstract: "Subscribe to, publish into, and query the history of a market-data feed.",
        subcommands: [SubscribeCommand.self, PublishCommand.self, HistoryCommand.self, SnapshotCommand.self, StatusCommand.self, KeygenCommand.self]
    )

    /// Runs the command; a usage error is one line on stderr and exit status 64.
    static func main() async {
        await mainWithOneLineUsageErrors(Array(CommandLine.arguments.dropFirst()), name: "feed-client")
    }
}
