import ArgumentParser
import Foundation

/// `feed-client`: subscribe to, publish into and query the history of a feed-server.
@main
struct FeedClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed-client",
        abstract: "Subscribe to, publish into, and query the history of a market-data feed.",
        subcommands: [SubscribeCommand.self, PublishCommand.self, HistoryCommand.self, SnapshotCommand.self, StatusCommand.self]
    )

    /// Runs the command; a usage error is one line on stderr and exit status 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("feed-client: \(message(for: error))\n".utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            exit(withError: error)
        }
    }
}
