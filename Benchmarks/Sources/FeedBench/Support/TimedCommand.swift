import Foundation

/// A command run several times one after the other, timed from process start to exit (wall
/// clock): how the history and snapshot figures of `feed-client` are taken, start-up included.
/// Every run's output is checked before its time counts.
struct TimedCommand {
    let label: String
    let executable: String
    let arguments: [String]

    init(_ label: String, _ executable: String, _ arguments: [String]) {
        self.label = label
        self.executable = executable
        self.arguments = arguments
    }

    /// The median of `repeats` runs' seconds; `check` reads each run's output and throws when
    /// it is not what was expected.
    func medianSeconds(repeats: Int, folder: URL, timeout: Duration = .seconds(120), check: (ChildProcess) throws -> Void)
        throws -> Double
    {
        var times: [Double] = []
        for attempt in 1...repeats {
            let started = ContinuousClock.now
            let child = try ChildProcess("\(label)-\(attempt)", executable, arguments, folder: folder)
            try child.waitForSuccess(timeout: timeout)
            times.append((ContinuousClock.now - started).seconds)
            try check(child)
        }
        return times.median
    }

    /// The median time of `feed-client --help`: starting the process and its runtime, which
    /// every timed `feed-client` command includes (notes give what a command took beyond it).
    static func feedClientStartup(_ run: BenchRun, folder: URL) throws -> Double {
        try TimedCommand("feed-client-help", run.feedClient, ["--help"]).medianSeconds(repeats: max(3, run.repeats), folder: folder) { _ in }
    }

    /// "whole command; 12.3 ms beyond starting feed-client (--help: 20.1 ms)", for a figure in ms.
    static func startupNote(_ seconds: Double, startup: Double) -> String {
        String(format: "whole command; %.1f ms beyond starting feed-client (--help: %.1f ms)", (seconds - startup) * 1000, startup * 1000)
    }

    /// Fails unless the last line of stdout is the number `expected` (`--count-only`).
    static func expectCount(_ expected: Int) -> (ChildProcess) throws -> Void {
        { child in
            let counted = Int(child.standardOutput.split(separator: "\n").last ?? "") ?? -1
            guard counted == expected else {
                throw BenchFailure("\(child.label) counted \(counted) messages, expected \(expected)")
            }
        }
    }
}
