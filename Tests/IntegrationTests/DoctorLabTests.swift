import ChildProcesses
import Foundation
import Testing

/// `feed-server doctor` inside a lab namespace (scripts/netns-lab.sh), against what a first
/// deployment trips over, each made real: a missing multicast route, an interface down, a small
/// net.core.rmem_max, pgm:// without CAP_NET_RAW. Skipped (not passed) where namespaces cannot be made.
@Suite(.serialized, .enabled(if: LabNetwork.isAvailable, "needs root and network namespaces (scripts/netns-lab.sh check)"))
struct DoctorLabTests {
    static let multicast = "epgm://lab0;239.192.7.1:5601"

    /// Runs the doctor in the lab's `pub` host; returns its exit status and output.
    static func doctor(
        _ lab: LabNetwork, _ extra: [String] = [], multicast: String = multicast, unprivileged: Bool = false, wrapper: [String] = []
    ) throws -> (status: Int32, output: String) {
        let folder = try TemporaryFolder()
        let arguments = ["doctor", "--multicast", multicast, "--db", folder.path("data/feed.sqlite")] + extra
        let process: ChildProcess
        if wrapper.isEmpty {
            process = try LabNetwork.run(Binaries.server, arguments, in: lab.namespace("pub"), unprivileged: unprivileged)
        } else {
            process = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["ip", "netns", "exec", lab.namespace("pub")] + wrapper + [Binaries.server.path] + arguments)
        }
        let status = try process.waitForExit(timeout: 30)
        #expect(process.stderr.isEmpty, "\(process.stderr)")
        return (status, process.stdout)
    }

    static func ip(_ arguments: [String]) throws {
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["ip"] + arguments)
        guard try process.waitForExit() == 0 else { throw process.failure("failed") }
    }

    static func line(_ output: String, _ prefix: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
    }

    @Test func aWellSetUpLabHostPassesTheInterfaceRouteAndPortChecks() throws {
        let lab = try LabNetwork()
        let (status, output) = try Self.doctor(lab)
        #expect(status == 0, "\(output)")
        #expect(Self.line(output, "ok    interface lab0 (\(Self.multicast)): up, multicast, libzmq gets epgm://\(try lab.address("pub"));") != nil, "\(output)")
        #expect(Self.line(output, "ok    route for 239.192.7.1: via lab0 (224.0.0.0/4)") != nil, "\(output)")
        #expect(Self.line(output, "ok    --ingest tcp://127.0.0.1:5557: free") != nil, "\(output)")
        #expect(output.split(separator: "\n").last?.hasPrefix("doctor: ") == true, "\(output)")
    }

    @Test func aMissingRouteForTheGroupIsNamed() throws {
        let lab = try LabNetwork()
        try Self.ip(["-n", lab.namespace("pub"), "route", "del", "224.0.0.0/4", "dev", "lab0"])
        let (status, output) = try Self.doctor(lab)
        #expect(status == 0, "a missing route is a warning (PGM names its interface): \(output)")
        let line = Self.line(output, "warn  route for 239.192.7.1: no route")
        #expect(line?.hasSuffix("fix: ip route add 224.0.0.0/4 dev lab0") == true, "\(output)")
    }

    @Test func anInterfaceThatIsDownFailsTheDoctor() throws {
        let lab = try LabNetwork()
        try Self.ip(["-n", lab.namespace("pub"), "link", "set", "lab0", "down"])
        let (status, output) = try Self.doctor(lab)
        #expect(status == 1, "\(output)")
        #expect(Self.line(output, "fail  interface lab0 (\(Self.multicast)): interface lab0 is down; fix: ip link set lab0 up") != nil, "\(output)")
        #expect(output.contains(", 1 fail"), "\(output)")
    }

    /// net.core.rmem_max is read-only inside a network namespace on this kernel (6.18: the
    /// namespace shows the host's value, and writing it is EACCES), and lowering the host's own
    /// would hit every other process. So the doctor runs in a private mount namespace
    /// (`unshare --mount`) where a file holding 65536 is bind-mounted over
    /// /proc/sys/net/core/rmem_max: the doctor reads the real path, the way it always does.
    @Test func aSmallRmemMaxIsNamedWithTheSysctlThatRaisesIt() throws {
        let lab = try LabNetwork()
        let folder = try TemporaryFolder()
        try folder.write("65536\n", to: "rmem_max")
        let wrapper = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                       "mount --bind \"$0\" /proc/sys/net/core/rmem_max && exec \"$@\"", folder.path("rmem_max")]
        let (status, output) = try Self.doctor(lab, ["--multicast-rate", "100000"], wrapper: wrapper)
        #expect(status == 0, "a small buffer is a warning: \(output)")
        #expect(
            Self.line(output, "warn  net.core.rmem_max: 65536 bytes hold 5 ms at 100000 kbit/s; 100 ms wants 1250000; fix: sysctl -w net.core.rmem_max=1250000")
                != nil, "\(output)")
        // The host's own value is untouched.
        #expect(try String(contentsOfFile: "/proc/sys/net/core/rmem_max", encoding: .utf8) != "65536\n")
    }

    @Test func pgmWithoutCapNetRawFailsNamingTheCapability() throws {
        let lab = try LabNetwork()
        let (status, output) = try Self.doctor(lab, multicast: "pgm://lab0;239.192.7.1:5601", unprivileged: true)
        #expect(status == 1, "\(output)")
        let line = Self.line(output, "fail  raw sockets (pgm://lab0;239.192.7.1:5601)")
        #expect(line?.contains("AmbientCapabilities=CAP_NET_RAW") == true, "\(output)")
        // As root (all capabilities) the same check passes.
        let (_, privileged) = try Self.doctor(lab, multicast: "pgm://lab0;239.192.7.1:5601")
        #expect(Self.line(privileged, "ok    raw sockets") != nil, "\(privileged)")
    }
}

/// `feed-server doctor` on the host's loopback: ports and arguments.
struct DoctorCommandTests {
    @Test func aPortInUseFailsAndBadArgumentsExit64() throws {
        let server = try ServerFixture()
        let doctor = try ChildProcess(Binaries.server, ["doctor", "--ingest", server.ingest, "--replay", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*"])
        #expect(try doctor.waitForExit() == 1, "\(doctor.stdout)")
        let port = server.ingest.split(separator: ":").last!
        #expect(DoctorLabTests.line(doctor.stdout, "fail  --ingest \(server.ingest): port \(port) is in use; fix: ss -ltnp 'sport = :\(port)'") != nil, "\(doctor.stdout)")
        try server.stop()

        // Retention that the disk cannot hold is a warning naming the room it needs.
        let huge = try ChildProcess(
            Binaries.server, ["doctor", "--retain-size", "1000000TB", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*"])
        #expect(try huge.waitForExit() == 0, "\(huge.stdout)")
        #expect(DoctorLabTests.line(huge.stdout, "warn  disk for ./data/feed.sqlite:")?.contains(", below 909494.7 TiB") == true, "\(huge.stdout)")
        let modest = try ChildProcess(
            Binaries.server, ["doctor", "--retain-size", "1MB", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*", "--publish", "tcp://127.0.0.1:*"])
        #expect(try modest.waitForExit() == 0, "\(modest.stdout)")
        #expect(DoctorLabTests.line(modest.stdout, "ok    disk for ./data/feed.sqlite:") != nil, "\(modest.stdout)")
        let badSize = try ChildProcess(Binaries.server, ["doctor", "--retain-size", "lots"])
        #expect(try badSize.waitForExit() == 64)
        #expect(badSize.stderr.contains("--retain-size"), "\(badSize.stderr)")

        let bad = try ChildProcess(Binaries.server, ["doctor", "--multicast", "epgm://lab0;10.0.0.1:5601"])
        #expect(try bad.waitForExit() == 64)
        #expect(bad.stderr.hasPrefix("feed-server: --multicast epgm://lab0;10.0.0.1:5601: group 10.0.0.1 is not"), "\(bad.stderr)")
    }
}
