import ChildProcesses
import Foundation
import Testing

/// A three-host network lab (`scripts/netns-lab.sh`): hosts `pub`, `sub1`, `sub2` on a bridge,
/// each with interface `lab0`. Multicast stays inside these namespaces. The lab is torn down
/// when this object goes away, pass or fail.
final class LabNetwork {
    let name: String
    /// Each host's lab0 IPv4 address, as the script printed it.
    private let addresses: [String: String]
    private static let script = Binaries.repositoryRoot.appendingPathComponent("scripts/netns-lab.sh")
    private static let counter = LockedCounter()

    /// Whether namespaces can be made here (root, iproute2); tests needing them are skipped otherwise.
    static let isAvailable: Bool = {
        guard let check = try? ChildProcess(script, ["check"]), let status = try? check.waitForExit() else { return false }
        return status == 0
    }()

    init() throws {
        name = "fl\(getpid() % 100_000)x\(Self.counter.next())"
        let up = try ChildProcess(Self.script, ["up", name])
        guard try up.waitForExit() == 0 else {
            _ = try? ChildProcess(Self.script, ["down", name]).waitForExit()
            throw up.failure("lab up failed")
        }
        // Lines like "pub        NAME-pub lab0 10.231.7.1".
        addresses = Dictionary(
            uniqueKeysWithValues: up.stdout.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                return fields.count == 4 ? (String(fields[0]), String(fields[3])) : nil
            })
    }

    /// The namespace of a host: `pub`, `sub1` or `sub2`.
    func namespace(_ host: String) -> String { "\(name)-\(host)" }

    /// The lab0 address of a host, reachable from the lab's other hosts.
    func address(_ host: String) throws -> String {
        guard let address = addresses[host] else { throw FixtureFailure("lab printed no address for \(host)") }
        return address
    }

    /// Drops `percent`% of incoming UDP to `port` on `host`.
    func addLoss(host: String, percent: Int, port: Int) throws {
        let loss = try ChildProcess(Self.script, ["loss", name, host, String(percent), String(port)])
        guard try loss.waitForExit() == 0 else { throw loss.failure("lab loss failed") }
    }

    /// How many packets the loss rule on `host` has dropped so far.
    func droppedPackets(host: String) throws -> Int {
        let dropped = try ChildProcess(Self.script, ["dropped", name, host])
        guard try dropped.waitForExit() == 0, let count = Int(dropped.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw dropped.failure("lab dropped failed")
        }
        return count
    }

    deinit {
        _ = try? ChildProcess(Self.script, ["down", name]).waitForExit()
    }

    /// Runs `executable` on the host, or inside `namespace` through `ip netns exec`; as the
    /// unprivileged user `nobody` (no capabilities at all) when `unprivileged` is set.
    static func run(
        _ executable: URL, _ arguments: [String], in namespace: String?, unprivileged: Bool = false,
        stdin: ChildProcess.Input = .open
    ) throws -> ChildProcess {
        guard unprivileged else { return try ChildProcess(executable, arguments, stdin: stdin, namespace: namespace) }
        let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--"]
        return try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/setpriv"), nobody + [executable.path] + arguments, stdin: stdin, namespace: namespace)
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
