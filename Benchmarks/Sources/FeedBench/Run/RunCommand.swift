import ArgumentParser
import Foundation

/// `feed-bench run`: runs the chosen scenarios one after the other and prints one Markdown table
/// of every figure, its baseline from the same run, the ratio, and the target.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the benchmarks and print the table (progress on stderr).",
        discussion: "Scenarios: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")). `make bench` builds everything and runs this."
    )

    /// The benchmarks, in the order they run. The `universe-` ones measure at each `--topics`
    /// count (issue 9, a real market's symbol universe), except `universe-watchlist` (10,000).
    enum Scenario: String, CaseIterable, ExpressibleByArgument {
        case fanout, latency, history, memory, stalled, flood, multicast, latejoiner, relay
        case universeRecord = "universe-record"
        case universeIngest = "universe-ingest"
        case universeQuery = "universe-query"
        case universeSnapshot = "universe-snapshot"
        case universeReplay = "universe-replay"
        case universeWatchlist = "universe-watchlist"
        case retention
        case curve
    }

    @Option(help: "Folder with the release feed-server and feed-client.")
    var feedBinaries: String

    @Option(help: "Folder with the C baselines (make -C Benchmarks/baselines).")
    var baselineBinaries: String

    @Option(help: "The repository (for scripts/netns-lab.sh).")
    var repository = "."

    @Option(parsing: .upToNextOption, help: "Scenarios to run (default: all).")
    var only: [Scenario] = Scenario.allCases

    @Option(parsing: .upToNextOption, help: "Symbol universes (distinct topics) the universe- scenarios measure at.")
    var topics: [Int] = [100, 10_000, 1_000_000]

    @Option(help: "Runs of each side of a throughput figure; the median is reported.")
    var repeats = 3

    @Flag(help: "Small counts and short windows: checks that everything runs, measures little.")
    var quick = false

    @Option(help: "Also write the table to this file.")
    var output: String?

    func validate() throws {
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
        if topics.isEmpty || topics.contains(where: { !(2...20_000_000).contains($0) }) {
            throw ValidationError("--topics: each count must be 2...20000000")
        }
        for (option, folder) in [("--feed-binaries", feedBinaries), ("--baseline-binaries", baselineBinaries)] {
            guard FileManager.default.fileExists(atPath: folder) else { throw ValidationError("\(option) \(folder): no such folder") }
        }
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feed-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = BenchRun(
            feedBinaries: URL(fileURLWithPath: feedBinaries), baselineBinaries: URL(fileURLWithPath: baselineBinaries),
            benchTool: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path, folder: folder,
            quick: quick, repeats: quick ? 1 : repeats, topicCounts: Array(Set(topics)).sorted())
        let histories = UniverseHistories(run)

        var rows: [String] = []
        var failures: [String] = []
        for scenario in Scenario.allCases where only.contains(scenario) {
            do {
                for figure in try figures(of: scenario, run, histories) {
                    rows.append(figure.markdownRow)
                    print(figure.markdownRow)
                }
            } catch {
                // One scenario failing does not hide the others' figures.
                failures.append("\(scenario.rawValue): \(error)")
                run.log("\(scenario.rawValue) FAILED: \(error)")
            }
        }
        let table = ([Figure.markdownHeader] + rows).joined(separator: "\n")
        print("\n" + table)
        if let output { try (table + "\n").write(toFile: output, atomically: true, encoding: .utf8) }
        if !failures.isEmpty {
            print("\nFailed:\n" + failures.map { "- \($0)" }.joined(separator: "\n"))
            throw ExitCode(1)
        }
    }

    private func figures(of scenario: Scenario, _ run: BenchRun, _ histories: UniverseHistories) throws -> [Figure] {
        switch scenario {
        case .fanout: try FanOutScenario(subscribers: 1).run(run) + FanOutScenario(subscribers: 4).run(run)
        case .latency: try LatencyScenario(rate: 10_000).run(run) + LatencyScenario(rate: 100_000).run(run)
        case .history: try HistoryScenario().run(run)
        case .memory: try MemoryScenario().run(run)
        case .stalled: try StalledSubscribersScenario().run(run)
        case .flood: try ConnectionFloodScenario().run(run)
        case .multicast: try MulticastScenario(repository: URL(fileURLWithPath: repository)).run(run)
        case .latejoiner: try LateJoinerScenario().run(run)
        case .relay: try RelaySubscriptionsScenario(count: 10_000).run(run) + RelaySubscriptionsScenario(count: 20_000).run(run)
        case .universeRecord: try UniverseRecordScenario(histories: histories).run(run)
        case .universeIngest: try UniverseIngestScenario().run(run)
        case .universeQuery: try UniverseQueryScenario(histories: histories).run(run)
        case .universeSnapshot: try UniverseSnapshotScenario(histories: histories).run(run)
        case .universeReplay: try UniverseReplayScenario(histories: histories).run(run)
        case .universeWatchlist: try UniverseWatchlistScenario().run(run)
        case .retention: try RetentionScenario().run(run)
        case .curve: try CurveScenario().run(run)
        }
    }
}
