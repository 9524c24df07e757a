import ArgumentParser

/// `feed-bench`: the benchmark runner (`run`) and the helper programs it starts.
@main
struct FeedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed-bench",
        abstract: "Benchmarks of the feed, each side by side with its raw libzmq or SQLite baseline in C.",
        subcommands: [RunCommand.self, RecordCommand.self, LatencySubscriberCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
