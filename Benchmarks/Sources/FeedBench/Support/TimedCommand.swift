import ChildProcesses
import Foundation

/// A command run several times one after the other, timed from process start to exit (wall
/// clock) and by the CPU time it used (user + system, from `getrusage` of the reaped child):
/// how the history and snapshot figures of `feed-client` are taken, start-up included. On a
/// shared machine the wall time carries the other processes' load; the CPU time does not.
/// Every run's output is checked before its time counts. Runs must not overlap with other
/// children of this process ending (the CPU time is this process's children's growth).
struct TimedCommand {
    /// Medians over the runs, in seconds.
    struct Timing {
        var wall: Double
        var cpu: Double
    }

    let label: String
    let executable: String
    let arguments: [String]

    init(_ label: String, _ executable: String, _ arguments: [String]) {
        self.label = label
        self.executable = executable
        self.arguments = arguments
    }

    /// The median wall and CPU time of `repeats` runs; `check` reads each run's output and
    /// throws when it is not what was expected.
    func measure(repeats: Int, folder: URL, timeout: Double = 120, check: (ChildProcess) throws -> Void)
        throws -> Timing
    {
        var walls: [Double] = []
        var cpus: [Double] = []
        for attempt in 1...repeats {
            let cpuBefore = ProcessCPU.childrenSeconds()
            let started = ContinuousClock.now
            let child = try ChildProcess("\(label)-\(attempt)", executable, arguments, folder: folder)
            try child.waitForSuccess(timeout: timeout)
            walls.append((ContinuousClock.now - started).seconds)
            cpus.append(ProcessCPU.childrenSeconds() - cpuBefore)
            try check(child)
        }
        return Timing(wall: walls.median, cpu: cpus.median)
    }

    /// `feed-client --help`, five times at least: starting the process and its runtime, which
    /// every timed `feed-client` command includes.
    static func feedClientStartup(_ run: BenchRun, folder: URL) throws -> Timing {
        try TimedCommand("feed-client-help", run.feedClient, ["--help"]).measure(repeats: max(5, run.repeats), folder: folder) { _ in }
    }

    /// "whole command; CPU 31.0 ms; starting feed-client (--help) 20.1 ms, CPU 11.0 ms", for a
    /// figure in milliseconds: how much of the command is process start.
    static func startupNote(_ timing: Timing, startup: Timing) -> String {
        String(
            format: "whole command; CPU %.1f ms; starting feed-client (--help) %.1f ms, CPU %.1f ms", timing.cpu * 1000,
            startup.wall * 1000, startup.cpu * 1000)
    }

    /// Fails unless the last line of stdout is the number `expected` (`--count-only`).
    static func expectCount(_ expected: Int) -> (ChildProcess) throws -> Void {
        { child in
            let counted = Int(child.stdout.split(separator: "\n").last ?? "") ?? -1
            guard counted == expected else {
                throw BenchFailure("\(child.label) counted \(counted) messages, expected \(expected)")
            }
        }
    }
}
