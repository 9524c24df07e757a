import ArgumentParser
import CommandLineSupport

/// `feed-server`: the publisher daemon's command line.
@main
struct FeedServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed-server",
        abstract: "Sequence, publish and record a market-data feed over ZeroMQ.",
        discussion: """
            Producers push quotes and trades to the ingest endpoint (or --demo generates them); the \
            server stamps session and sequence numbers, publishes them on every publish endpoint, \
            records them to SQLite, and serves history on the replay endpoint. SIGINT or SIGTERM \
            stops intake, flushes the history and exits 0. `feed-server serve --help` lists the \
            daemon's options (serve is the default command), `feed-server relay --help` the relay's, \
            `feed-server migrate --help` how to upgrade a history file written by an older version, \
            `feed-server doctor --help` how to check a host before the first start. SIGHUP logs one \
            status line and changes nothing.
            """,
        subcommands: [ServeCommand.self, RelayCommand.self, MigrateCommand.self, DoctorCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    /// Runs the command; a usage error is one line on stderr and exit status 64.
    static func main() async {
        await mainWithOneLineUsageErrors(DemoArgument.expand(Array(CommandLine.arguments.dropFirst())), name: "feed-server")
    }
}
