import ArgumentParser
import Foundation

/// `feed-client`: subscribe to, publish into and query the history of a feed-server.
@main
struct FeedClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed-client",
        abstract: "Subscribe to, publish into, and query the history of a market-data feed.",
        subcommands: [SubscribeCommand.self, PublishCommand.self, HistoryCommand.self, StatusCommand.self]
    )

    /// Runs the command; a usage error is one line on stderr and exit status 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("feed-client: \(message(for: error))\n".utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            exit(withError: error)
        }
    }
}
