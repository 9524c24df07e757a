import Foundation
import Testing

/// A three-host network lab (`scripts/netns-lab.sh`): hosts `pub`, `sub1`, `sub2` on a bridge,
/// each with interface `lab0`. Multicast stays inside these namespaces. The lab is torn down
/// when this object goes away, pass or fail.
final class LabNetwork {
    let name: String
    private static let script = Binaries.repositoryRoot.appendingPathComponent("scripts/netns-lab.sh")
    private static let counter = LockedCounter()

    /// Whether namespaces can be made here (root, iproute2); tests needing them are skipped otherwise.
    static let isAvailable: Bool = {
        guard let check = try? RunningProcess(script, ["check"]), let status = try? check.waitForExit() else { return false }
        return status == 0
    }()

    init() throws {
        name = "fl\(getpid() % 100_000)x\(Self.counter.next())"
        let up = try RunningProcess(Self.script, ["up", name])
        guard try up.waitForExit() == 0 else {
            _ = try? RunningProcess(Self.script, ["down", name]).waitForExit()
            throw ProcessFailure("lab up failed: \(up.stderr)")
        }
    }

    /// The namespace of a host: `pub`, `sub1` or `sub2`.
    func namespace(_ host: String) -> String { "\(name)-\(host)" }

    /// Drops `percent`% of incoming UDP to `port` on `host`.
    func addLoss(host: String, percent: Int, port: Int) throws {
        let loss = try RunningProcess(Self.script, ["loss", name, host, String(percent), String(port)])
        guard try loss.waitForExit() == 0 else { throw ProcessFailure("lab loss failed: \(loss.stderr)") }
    }

    deinit {
        _ = try? RunningProcess(Self.script, ["down", name]).waitForExit()
    }

    /// Runs `executable` on the host, or inside `namespace` through `ip netns exec`.
    static func run(_ executable: URL, _ arguments: [String], in namespace: String?, stdin: Data? = nil) throws -> RunningProcess {
        guard let namespace else { return try RunningProcess(executable, arguments, stdin: stdin) }
        return try RunningProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["ip", "netns", "exec", namespace, executable.path] + arguments, stdin: stdin)
    }
}

/// A counter safe to use from parallel tests.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
