import ChildProcesses
import Foundation
import Testing

/// A three-host network lab (`scripts/netns-lab.sh`): hosts `pub`, `sub1`, `sub2` on a bridge,
/// each with interface `lab0`, and with `addSecondLine()` a second network on `lab1`. Multicast
/// stays inside these namespaces. The lab is torn down when this object goes away, pass or fail.
final class LabNetwork {
    let name: String
    /// Each host's IPv4 address by interface (`lab0`, `lab1`), as the script printed it.
    private var addresses: [String: [String: String]] = [:]
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
        note(addresses: up.stdout)
    }

    /// Adds the second network (`lab1`, a bridge of its own), as an exchange's B line: each
    /// line's link can then go down alone.
    func addSecondLine() throws {
        let line = try ChildProcess(Self.script, ["second-line", name])
        guard try line.waitForExit() == 0 else { throw line.failure("lab second-line failed") }
        note(addresses: line.stdout)
    }

    /// Sets `host`'s `interface` (`lab0` or `lab1`) up or down.
    func setLink(host: String, interface: String, up: Bool) throws {
        let link = try ChildProcess(Self.script, ["link", name, host, interface, up ? "up" : "down"])
        guard try link.waitForExit() == 0 else { throw link.failure("lab link failed") }
    }

    /// Takes in the script's lines like "pub        NAME-pub lab0 10.231.7.1".
    private func note(addresses output: String) {
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 4 { addresses[String(fields[2]), default: [:]][String(fields[0])] = String(fields[3]) }
        }
    }

    /// The namespace of a host: `pub`, `sub1` or `sub2`.
    func namespace(_ host: String) -> String { "\(name)-\(host)" }

    /// The address of a host on `interface`, reachable from the lab's other hosts on that network.
    func address(_ host: String, interface: String = "lab0") throws -> String {
        guard let address = addresses[interface]?[host] else { throw FixtureFailure("lab printed no \(interface) address for \(host)") }
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

    /// Waits until `host` has joined the multicast `group` on `interface` (the kernel lists it
    /// in `ip maddr`): a subscriber started before the feed then misses none of it.
    func waitUntilJoined(host: String, group: String, interface: String = "lab0", timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var listed = ""
        while Date() < deadline {
            let maddr = try ChildProcess(URL(fileURLWithPath: "/usr/sbin/ip"), ["-n", namespace(host), "maddr", "show", "dev", interface])
            guard try maddr.waitForExit() == 0 else { throw maddr.failure("ip maddr failed") }
            listed = maddr.stdout
            if listed.split(separator: "\n").contains(where: { $0.split(separator: " ").contains(Substring(group)) }) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw FixtureFailure("\(host) did not join \(group) on \(interface) within \(timeout) s: \(listed)")
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
