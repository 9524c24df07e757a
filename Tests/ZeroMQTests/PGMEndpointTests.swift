import ChildProcesses
import Foundation
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// PGM endpoints are checked before libzmq sees them: syntax first, then the interface on this host.
struct PGMEndpointTests {
    @Test func parsesInterfaceNameAndAddressForms() throws {
        let named = try PGMEndpoint("epgm://eth0;239.192.7.1:5601")
        #expect(named.transport == .epgm)
        #expect(named.interface == "eth0")
        #expect(named.group == "239.192.7.1")
        #expect(named.port == 5601)
        #expect(named.description == "epgm://eth0;239.192.7.1:5601")

        let addressed = try PGMEndpoint("pgm://10.231.0.1;224.0.0.251:65535")
        #expect(addressed.transport == .pgm)
        #expect(addressed.interface == "10.231.0.1")
        #expect(addressed.group == "224.0.0.251")
        #expect(addressed.port == 65535)
        #expect(try PGMEndpoint("epgm://lab0;239.255.255.255:1").group == "239.255.255.255")
    }

    @Test(arguments: [
        ("239.192.7.1:5601", PGMEndpointError.missingScheme(endpoint: "239.192.7.1:5601")),
        ("eth0;239.192.7.1:5601", .missingScheme(endpoint: "eth0;239.192.7.1:5601")),
        ("tcp://eth0;239.192.7.1:5601", .missingScheme(endpoint: "tcp://eth0;239.192.7.1:5601")),
        ("EPGM://eth0;239.192.7.1:5601", .missingScheme(endpoint: "EPGM://eth0;239.192.7.1:5601")),
        ("epgm://239.192.7.1:5601", .missingInterface(endpoint: "epgm://239.192.7.1:5601")),
        ("epgm://;239.192.7.1:5601", .badInterface(endpoint: "epgm://;239.192.7.1:5601", interface: "")),
        ("epgm://eth0;eth1;239.192.7.1:5601", .badInterface(endpoint: "epgm://eth0;eth1;239.192.7.1:5601", interface: "eth0;eth1;239.192.7.1:5601")),
        ("epgm://an-interface-name-too-long;239.192.7.1:5601",
         .badInterface(endpoint: "epgm://an-interface-name-too-long;239.192.7.1:5601", interface: "an-interface-name-too-long")),
        ("epgm://eth0;10.0.0.1:5601", .notMulticast(endpoint: "epgm://eth0;10.0.0.1:5601", group: "10.0.0.1")),
        ("epgm://eth0;240.0.0.1:5601", .notMulticast(endpoint: "epgm://eth0;240.0.0.1:5601", group: "240.0.0.1")),
        ("epgm://eth0;223.255.255.255:5601", .notMulticast(endpoint: "epgm://eth0;223.255.255.255:5601", group: "223.255.255.255")),
        ("epgm://eth0;239.192.7.1:0", .badPort(endpoint: "epgm://eth0;239.192.7.1:0", port: "0")),
        ("epgm://eth0;239.192.7.1:70000", .badPort(endpoint: "epgm://eth0;239.192.7.1:70000", port: "70000")),
        ("epgm://eth0;239.192.7.1:56x", .badPort(endpoint: "epgm://eth0;239.192.7.1:56x", port: "56x")),
        ("epgm://eth0;239.192.7.1:-1", .badPort(endpoint: "epgm://eth0;239.192.7.1:-1", port: "-1")),
        ("epgm://eth0;239.192.7.1:", .badPort(endpoint: "epgm://eth0;239.192.7.1:", port: "")),
        ("epgm://eth0;239.192.7.1", .badPort(endpoint: "epgm://eth0;239.192.7.1", port: "")),
        ("epgm://eth0;239.192.7:5601", .badAddress(endpoint: "epgm://eth0;239.192.7:5601", address: "239.192.7")),
        ("epgm://eth0;239.192.7.256:5601", .badAddress(endpoint: "epgm://eth0;239.192.7.256:5601", address: "239.192.7.256")),
        ("epgm://eth0;239.192.07.1:5601", .badAddress(endpoint: "epgm://eth0;239.192.07.1:5601", address: "239.192.07.1")),
        ("epgm://eth0;239..7.1:5601", .badAddress(endpoint: "epgm://eth0;239..7.1:5601", address: "239..7.1")),
        ("epgm://eth0;group:5601", .badAddress(endpoint: "epgm://eth0;group:5601", address: "group")),
        ("epgm://10.0.0;239.192.7.1:5601", .badAddress(endpoint: "epgm://10.0.0;239.192.7.1:5601", address: "10.0.0")),
        ("epgm://10.0.0.300;239.192.7.1:5601", .badAddress(endpoint: "epgm://10.0.0.300;239.192.7.1:5601", address: "10.0.0.300")),
    ])
    func syntaxErrorsAreRefusedWithTheirCause(text: String, expected: PGMEndpointError) {
        #expect(throws: expected) { try PGMEndpoint(text) }
    }

    @Test func messagesNameTheEndpointAndTheProblem() {
        let endpoint = "epgm://eth0;10.0.0.1:5601"
        #expect(throws: PGMEndpointError.self) { try PGMEndpoint(endpoint) }
        do throws(PGMEndpointError) {
            _ = try PGMEndpoint(endpoint)
        } catch {
            #expect(error.description == "epgm://eth0;10.0.0.1:5601: group 10.0.0.1 is not an IPv4 multicast address (224.0.0.0/4, e.g. 239.192.0.1)")
            #expect(!error.description.contains("\n"))
        }
        let loopback = PGMEndpointError.loopbackInterface(endpoint: "epgm://lo;239.192.7.1:5601", interface: "lo")
        #expect(loopback.description.hasPrefix("epgm://lo;239.192.7.1:5601: interface lo is a loopback device"))
    }

    // MARK: - Resolution against this host's interfaces (error cases only: the host's real
    // interfaces differ from machine to machine; the positive cases run in a namespace below).

    @Test func unknownInterfaceNameIsRefused() throws {
        let endpoint = try PGMEndpoint("epgm://nosuchif9;239.192.7.1:5601")
        #expect(throws: PGMEndpointError.unknownInterface(endpoint: "epgm://nosuchif9;239.192.7.1:5601", interface: "nosuchif9")) {
            try endpoint.resolved()
        }
    }

    @Test func loopbackIsRefusedByNameAndByAddress() throws {
        #expect(throws: PGMEndpointError.loopbackInterface(endpoint: "epgm://lo;239.192.7.1:5601", interface: "lo")) {
            try PGMEndpoint("epgm://lo;239.192.7.1:5601").resolved()
        }
        #expect(throws: PGMEndpointError.loopbackInterface(endpoint: "epgm://127.0.0.1;239.192.7.1:5601", interface: "lo")) {
            try PGMEndpoint("epgm://127.0.0.1;239.192.7.1:5601").resolved()
        }
    }

    @Test func addressOfNoInterfaceIsRefused() throws {
        // 192.0.2.0/24 is reserved for documentation (RFC 5737): no host has it.
        #expect(throws: PGMEndpointError.noInterfaceWithAddress(endpoint: "epgm://192.0.2.77;239.192.7.1:5601", address: "192.0.2.77")) {
            try PGMEndpoint("epgm://192.0.2.77;239.192.7.1:5601").resolved()
        }
    }

    // MARK: - Resolution inside a network namespace made for the test

    /// A namespace holding veth interfaces in known states. `resolved()` runs on a thread of its
    /// own that entered the namespace (setns affects only the calling thread), so neither the
    /// test process nor the host's interfaces are touched. Needs root; cancelled otherwise.
    @Test func resolvesInterfacesInsideANamespace() async throws {
        let lab = try NamespaceLab.make()
        defer { lab.delete() }
        try lab.ip("link", "add", "name", "lab0", "type", "veth", "peer", "name", "lab0p")
        try lab.ip("addr", "add", "10.231.250.1/24", "dev", "lab0")
        try lab.ip("link", "set", "lab0", "up", "multicast", "on")
        try lab.ip("link", "set", "lab0p", "up")
        try lab.ip("link", "add", "name", "quiet0", "type", "veth", "peer", "name", "quiet0p")
        try lab.ip("addr", "add", "10.231.251.1/24", "dev", "quiet0")
        try lab.ip("link", "set", "quiet0", "up", "multicast", "off")
        try lab.ip("link", "add", "name", "down0", "type", "veth", "peer", "name", "down0p")
        try lab.ip("addr", "add", "10.231.252.1/24", "dev", "down0")
        try lab.ip("link", "add", "name", "noaddr0", "type", "veth", "peer", "name", "noaddr0p")
        try lab.ip("link", "set", "noaddr0", "up", "multicast", "on")
        try lab.ip("link", "set", "lo", "up")

        let texts = [
            "epgm://lab0;239.192.7.1:5601",
            "pgm://10.231.250.1;239.192.7.1:5601",
            "epgm://quiet0;239.192.7.1:5601",
            "epgm://down0;239.192.7.1:5601",
            "epgm://10.231.252.1;239.192.7.1:5601",
            "epgm://noaddr0;239.192.7.1:5601",
            "epgm://eth0;239.192.7.1:5601",
            "epgm://lo;239.192.7.1:5601",
        ]
        let results = try await lab.inside {
            texts.map { text in Result { () throws(PGMEndpointError) in try PGMEndpoint(text).resolved() } }
        }
        #expect(try results[0].get() == "epgm://10.231.250.1;239.192.7.1:5601")
        #expect(try results[1].get() == "pgm://10.231.250.1;239.192.7.1:5601")
        #expect(throws: PGMEndpointError.interfaceNotMulticast(endpoint: texts[2], interface: "quiet0")) { try results[2].get() }
        #expect(throws: PGMEndpointError.interfaceDown(endpoint: texts[3], interface: "down0")) { try results[3].get() }
        #expect(throws: PGMEndpointError.interfaceDown(endpoint: texts[4], interface: "down0")) { try results[4].get() }
        #expect(throws: PGMEndpointError.noIPv4Address(endpoint: texts[5], interface: "noaddr0")) { try results[5].get() }
        #expect(throws: PGMEndpointError.unknownInterface(endpoint: texts[6], interface: "eth0")) { try results[6].get() }
        #expect(throws: PGMEndpointError.loopbackInterface(endpoint: texts[7], interface: "lo")) { try results[7].get() }
    }
}

/// One network namespace, named uniquely per test run, created with `ip netns add` and deleted
/// with `ip netns del`. Call `delete()` in a `defer`: a crashed test process leaves a namespace
/// named `pgmtest-PID-…` behind, which `ip netns del` removes.
private struct NamespaceLab: Sendable {
    let name: String
    let ipPath: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates the namespace, or cancels the test when this machine cannot (not root, no `ip`).
    static func make() throws -> NamespaceLab {
        guard geteuid() == 0 else { try Test.cancel("needs root to create a network namespace") }
        let candidates: [String] = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        guard let ipPath = candidates.first(where: { access($0, X_OK) == 0 }) else {
            try Test.cancel("needs the ip command (Debian package iproute2)")
        }
        let lab = NamespaceLab(name: "pgmtest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))", ipPath: ipPath)
        do {
            try lab.run(["netns", "add", lab.name])
        } catch {
            try Test.cancel("cannot create a network namespace here: \(error)")
        }
        return lab
    }

    /// Runs `ip -n NAME ARGUMENTS...`.
    func ip(_ arguments: String...) throws {
        try run(["-n", name] + arguments)
    }

    func delete() {
        try? run(["netns", "del", name])
    }

    private func run(_ arguments: [String]) throws {
        let ip = try ChildProcess(URL(fileURLWithPath: ipPath), arguments, stdin: .empty)
        let status = try ip.waitForExit()
        guard status == 0 else { throw ip.failure("exit \(status)") }
    }

    /// Runs `body` on a new thread that entered the namespace; the thread ends afterwards.
    func inside<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        let path = "/var/run/netns/\(name)"
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                typealias SetNS = @convention(c) (Int32, Int32) -> Int32
                // setns is declared only under _GNU_SOURCE, which the Glibc module does not set.
                guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else {
                    continuation.resume(throwing: Failure(description: "setns not found in libc"))
                    return
                }
                let setns = unsafeBitCast(symbol, to: SetNS.self)
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    continuation.resume(throwing: Failure(description: "open \(path): \(String(cString: strerror(errno)))"))
                    return
                }
                defer { close(fd) }
                let cloneNewNet: Int32 = 0x4000_0000 // CLONE_NEWNET
                guard setns(fd, cloneNewNet) == 0 else {
                    continuation.resume(throwing: Failure(description: "setns \(path): \(String(cString: strerror(errno)))"))
                    return
                }
                continuation.resume(returning: body())
            }
            thread.start()
        }
    }
}
