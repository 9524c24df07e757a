import ChildProcesses
import Foundation

/// What every scenario of one `feed-bench run` shares: where the programs are, the run's work
/// folder, how large the run is, and where progress goes (stderr).
final class BenchRun {
    /// Folder holding the release `feed-server` and `feed-client`.
    let feedBinaries: URL
    /// Folder holding the C baselines built from `baselines/`.
    let baselineBinaries: URL
    /// This executable, for its helper commands (`record`, `latency-sub`).
    let benchTool: String
    /// Scratch space for history files and program output; removed by the caller.
    let folder: URL
    /// Smaller counts and shorter windows: checks that every scenario works, measures little.
    let quick: Bool
    /// Runs of each side of a throughput figure; the median is reported.
    let repeats: Int
    /// The symbol universes (distinct topics) the `universe-` scenarios measure at, ascending;
    /// the first is the one the others are compared with.
    let topicCounts: [Int]

    init(
        feedBinaries: URL, baselineBinaries: URL, benchTool: String, folder: URL, quick: Bool, repeats: Int,
        topicCounts: [Int] = [100]
    ) {
        self.feedBinaries = feedBinaries
        self.baselineBinaries = baselineBinaries
        self.benchTool = benchTool
        self.folder = folder
        self.quick = quick
        self.repeats = repeats
        self.topicCounts = topicCounts
    }

    var feedServer: String { feedBinaries.appendingPathComponent("feed-server").path }
    var feedClient: String { feedBinaries.appendingPathComponent("feed-client").path }

    /// A C baseline program by name (`pubsub_pub`, `sqlite_insert`, ...).
    func baseline(_ name: String) -> String { baselineBinaries.appendingPathComponent(name).path }

    /// A fresh subfolder of the work folder for one measurement.
    func scratch(_ name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `full` normally, `quick` in a quick run.
    func size<T>(_ full: T, quick small: T) -> T { quick ? small : full }

    /// A progress line on stderr.
    func log(_ message: String) {
        FileHandle.standardError.write(Data("feed-bench: \(message)\n".utf8))
    }
}

@available(*, unavailable)
extension BenchRun: Sendable {}

/// A `feed-server` started by a benchmark on wildcard loopback ports, with the endpoints its
/// `ready` line reported.
struct FeedServerProcess {
    let child: ChildProcess
    let publish: String
    let ingest: String
    let replay: String
    /// What `feed-client status` needs besides `--server` (a CURVE server's keys).
    let clientArguments: [String]

    /// Starts the server recording to `database` and waits until it is ready; with `curve`, CURVE
    /// on every endpoint, and the `feed-client`s this asks the server with connect as its client.
    init(
        _ run: BenchRun, label: String, database: URL, folder: URL, arguments: [String] = [], namespace: String? = nil,
        curve: BenchCurveKeys? = nil
    ) throws {
        clientArguments = curve?.clientArguments ?? []
        let endpoints = ["--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"]
        child = try ChildProcess(
            label, run.feedServer, endpoints + ["--db", database.path] + arguments + (curve?.serverArguments ?? []), folder: folder, namespace: namespace)
        let ready = try child.waitForStderrLine(containing: "feed-server ready", timeout: 60)
        func field(_ name: String) throws -> String {
            guard let part = ready.split(separator: " ").first(where: { $0.hasPrefix("\(name)=") }) else {
                throw BenchFailure("\(label): no \(name)= in its ready line: \(ready)")
            }
            return String(part.dropFirst(name.count + 1))
        }
        publish = String(try field("publish").split(separator: ",")[0])
        ingest = try field("ingest")
        replay = try field("replay")
    }

    /// The server's `status` counters, asked through `feed-client status`.
    func status(_ run: BenchRun, folder: URL) throws -> JSONObject {
        let client = try ChildProcess("status", run.feedClient, ["status", "--server", replay] + clientArguments, folder: folder)
        try client.waitForSuccess(timeout: 10)
        return try client.jsonResult()
    }

    /// Polls `status` (every 50 ms) until `counter` reaches `count`.
    func waitForCounter(_ run: BenchRun, _ counter: String, atLeast count: Int, folder: URL, timeout: Duration = .seconds(300))
        throws
    {
        let deadline = ContinuousClock.now + timeout
        while try status(run, folder: folder).number(counter) < Double(count) {
            guard ContinuousClock.now < deadline else { throw BenchFailure("feed-server: \(counter) below \(count) after \(timeout)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The counts of the `stopped: session S, published P, recorded R, rejected X` line the
    /// server logs when it exits.
    func summary() throws -> (published: Int, recorded: Int) {
        let counters = try child.stopSummary(timeout: 0)
        guard let published = counters["published"], let recorded = counters["recorded"] else {
            throw child.failure("cannot read its stop summary: \(counters)")
        }
        return (published, recorded)
    }
}
