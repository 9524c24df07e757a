import ChildProcesses
import Foundation

/// A `feed-server` or relay with a replay endpoint whose `status` a test reads and waits on.
protocol ReplayStatusSource {
    /// The replay endpoint.
    var replay: String { get }
    /// Runs `feed-client` to completion (in the process's network namespace, if any).
    func client(_ arguments: [String], stdin: ChildProcess.Input, timeout: Double) throws -> ChildProcess
}

extension ReplayStatusSource {
    /// The `status` of the replay endpoint, as `feed-client status` prints it.
    /// `credentials` are the CURVE options of a client with the replay role, for a server or relay with CURVE.
    func status(credentials: [String] = []) throws -> [String: Any] {
        let status = try client(["status", "--server", replay] + credentials, stdin: .open, timeout: 30)
        guard status.exitStatus == 0,
            let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        else {
            throw status.failure("status is not a JSON object: \(status.stdout)")
        }
        return json
    }

    /// A counter of `status`: top level (`recorded`), or inside an object (`connections.publish`).
    func statusCounter(_ path: String, credentials: [String] = []) throws -> Int? {
        var value: Any? = try status(credentials: credentials)
        for key in path.split(separator: ".") { value = (value as? [String: Any])?[String(key)] }
        return value as? Int
    }

    /// Waits until a counter of the server's `status` (`subscriptions`, `recorded`,
    /// `dropped_subscribers.slow`, ...) reaches `count`, or with `atMost` falls to it.
    func waitForStatus(
        _ counter: String, atLeast count: Int, atMost: Bool = false, timeout: Double = 20, credentials: [String] = []
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: Int?
        var failure: (any Error)?
        while Date() < deadline {
            do {
                seen = try statusCounter(counter, credentials: credentials)
                failure = nil
            } catch {
                failure = error  // A status request that failed is asked again until the deadline.
            }
            if let seen, atMost ? seen <= count : seen >= count { return }
        }
        throw FixtureFailure(
            "status \(counter) did not \(atMost ? "fall to" : "reach") \(count) within \(timeout) s (last seen: \(seen.map(String.init) ?? "none")\(failure.map { "; last status failed: \($0)" } ?? ""))")
    }
}
