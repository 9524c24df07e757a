#if canImport(Glibc)
import Glibc
#endif
import FeedDoctor
import Testing
import ZeroMQ

/// The doctor's checks over facts written by hand: each finding a first deployment trips over
/// gets its verdict, names what it found, and says how to fix it.
struct DoctorChecksTests {
    static let up = UInt32(IFF_UP) | UInt32(IFF_MULTICAST) | UInt32(IFF_RUNNING)
    static let lab0 = NetworkInterface(name: "lab0", flags: up, ipv4: [0x0AE7_0701])  // 10.231.7.1
    static let multicastRoute = IPv4Route(interface: "lab0", destination: 0xE000_0000, mask: 0xF000_0000)

    static func facts(
        interfaces: [NetworkInterface] = [lab0], routes: [IPv4Route] = [multicastRoute], sysctl: UInt64 = 8 << 20,
        raw: Int32? = nil, limit: HostFacts.FileLimit = .init(soft: 1024, hard: 1 << 20), free: UInt64 = 100 << 30,
        binds: [String: HostFacts.BindOutcome] = [:]
    ) -> HostFacts {
        HostFacts(
            interfaces: .success(interfaces), routes: .success(routes),
            sysctls: Dictionary(uniqueKeysWithValues: DoctorPlan.socketBufferSysctls.map { ($0, .success(sysctl)) }),
            rawSocketErrno: raw, fileLimit: .success(limit), disk: .success(.init(folder: "/var/lib/feed-server", availableBytes: free)),
            binds: binds)
    }

    static func plan(_ multicast: String = "epgm://lab0;239.192.7.1:5601") throws -> DoctorPlan {
        var plan = DoctorPlan()
        plan.multicast = [try PGMEndpoint(multicast)]
        plan.databasePath = "/var/lib/feed-server/feed.sqlite"
        plan.bindEndpoints = [.init(option: "--ingest", endpoint: "tcp://127.0.0.1:5557")]
        return plan
    }

    static func line(_ results: [CheckResult], _ subject: String) throws -> CheckResult {
        try #require(results.first { $0.subject.hasPrefix(subject) }, "no \(subject) in \(results.map(\.line))")
    }

    @Test func aHealthyHostHasNoWarningOrFailure() throws {
        let results = try Self.plan().checks(facts: Self.facts(binds: ["tcp://127.0.0.1:5557": .free]))
        #expect(results.allSatisfy { $0.verdict == .ok }, "\(results.map(\.line))")
        #expect(try Self.line(results, "interface lab0").line.contains("libzmq gets epgm://10.231.7.1;239.192.7.1:5601"))
        #expect(results.map(\.subject).contains("--ingest tcp://127.0.0.1:5557"))
    }

    @Test func anInterfaceThatIsDownFailsWithTheCommandThatBringsItUp() throws {
        let down = NetworkInterface(name: "lab0", flags: UInt32(IFF_MULTICAST), ipv4: [0x0AE7_0701])
        let result = try Self.line(try Self.plan().checks(facts: Self.facts(interfaces: [down])), "interface lab0")
        #expect(result.line == "fail  interface lab0 (epgm://lab0;239.192.7.1:5601): interface lab0 is down; fix: ip link set lab0 up")
    }

    @Test func eachInterfaceProblemIsNamedWithItsFix() throws {
        let cases: [(NetworkInterface?, String)] = [
            (nil, "no network interface named 'lab0'"),
            (NetworkInterface(name: "lab0", flags: Self.up & ~UInt32(IFF_MULTICAST), ipv4: [1]), "fix: ip link set lab0 multicast on"),
            (NetworkInterface(name: "lab0", flags: Self.up, ipv4: []), "has no IPv4 address; fix: ip addr add ADDRESS/PREFIX dev lab0"),
            (NetworkInterface(name: "lab0", flags: Self.up | UInt32(IFF_LOOPBACK), ipv4: [1]), "loopback"),
        ]
        for (interface, expected) in cases {
            let results = try Self.plan().checks(facts: Self.facts(interfaces: interface.map { [$0] } ?? []))
            let result = try Self.line(results, "interface lab0")
            #expect(result.verdict == .fail && result.line.contains(expected), "\(result.line)")
        }
    }

    @Test func anInterfaceGivenByItsAddressIsJudgedAndRoutedByItsName() throws {
        let results = try Self.plan("epgm://10.231.7.1;239.192.7.1:5601").checks(facts: Self.facts())
        #expect(try Self.line(results, "interface 10.231.7.1").verdict == .ok)
        #expect(try Self.line(results, "route for").line == "ok    route for 239.192.7.1: via lab0 (224.0.0.0/4)")
        let elsewhere = try Self.plan("epgm://10.9.9.9;239.192.7.1:5601").checks(facts: Self.facts())
        #expect(try Self.line(elsewhere, "interface 10.9.9.9").finding == "no network interface on this host has the address 10.9.9.9")
    }

    @Test func aMissingRouteForTheGroupIsAWarningNamingTheRouteToAdd() throws {
        let result = try Self.line(try Self.plan().checks(facts: Self.facts(routes: [])), "route for 239.192.7.1")
        #expect(result.verdict == .warn)
        #expect(result.line.contains("no route") && result.line.contains("fix: ip route add 224.0.0.0/4 dev lab0"), "\(result.line)")
    }

    @Test func aRouteThroughAnotherInterfaceIsAWarning() throws {
        let routes = [IPv4Route(interface: "eth0", destination: 0, mask: 0), IPv4Route(interface: "lab0", destination: 0x0AE7_0700, mask: 0xFFFF_FF00)]
        let result = try Self.line(try Self.plan().checks(facts: Self.facts(routes: routes)), "route for")
        #expect(result.verdict == .warn)
        #expect(result.finding.contains("goes via eth0 (0.0.0.0/0), not lab0"), "\(result.line)")
    }

    @Test func theLongestPrefixWinsAndThenTheLowestMetric() {
        let routes = [
            IPv4Route(interface: "eth0", destination: 0, mask: 0),
            IPv4Route(interface: "lab1", destination: 0xE000_0000, mask: 0xF000_0000, metric: 10),
            IPv4Route(interface: "lab0", destination: 0xE000_0000, mask: 0xF000_0000, metric: 5),
            IPv4Route(interface: "lab2", destination: 0xEFC0_0701, mask: 0xFFFF_FFFF),
        ]
        #expect(IPv4Route.lookup(0xEFC0_0701, in: routes)?.interface == "lab2")
        #expect(IPv4Route.lookup(0xEFC0_0702, in: routes)?.interface == "lab0")
        #expect(IPv4Route.lookup(0x0A00_0001, in: routes)?.interface == "eth0")
        #expect(IPv4Route.lookup(0x0A00_0001, in: Array(routes.dropFirst())) == nil)
    }

    @Test func procNetRouteIsReadInNetworkByteOrderAndRoutesThatAreDownAreLeftOut() {
        let text = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
            lab0\t000000E0\t00000000\t0001\t0\t0\t0\t000000F0\t0\t0\t0
            lab1\t0007E70A\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0

            """
        let routes = IPv4Route.parse(procNetRoute: text)
        #expect(routes == [
            IPv4Route(interface: "eth0", destination: 0, mask: 0, metric: 100),
            IPv4Route(interface: "lab0", destination: 0xE000_0000, mask: 0xF000_0000),
        ])
        #expect(routes[1].prefix == "224.0.0.0/4")
    }

    @Test func aSmallSocketBufferIsAWarningNamingTheSysctlAndTheSizeTheRateWants() throws {
        var plan = try Self.plan()
        plan.multicastRateKilobits = 100_000  // 12.5 MB/s: 100 ms is 1,250,000 bytes
        let results = plan.checks(facts: Self.facts(sysctl: 212_992))
        let result = try Self.line(results, "net.core.rmem_max")
        #expect(result.verdict == .warn)
        #expect(result.line == "warn  net.core.rmem_max: 212992 bytes hold 17 ms at 100000 kbit/s; 100 ms wants 1250000; fix: sysctl -w net.core.rmem_max=1250000 (keep it in /etc/sysctl.d/90-feed-server.conf)")
        // Only the ceilings: every PGM socket asks for its buffer, so the *_default values do not apply.
        #expect(results.filter { $0.subject.hasPrefix("net.core.") }.map(\.subject) == ["net.core.rmem_max", "net.core.wmem_max"])
        plan.multicastRateKilobits = 10_000
        #expect(try Self.line(plan.checks(facts: Self.facts(sysctl: 212_992)), "net.core.wmem_max").verdict == .ok)
    }

    @Test func withoutMulticastNoMulticastCheckRuns() {
        var plan = DoctorPlan()
        plan.bindEndpoints = []
        let results = plan.checks(facts: Self.facts(interfaces: [], routes: [], sysctl: 1))
        #expect(results.map(\.subject) == ["descriptors (RLIMIT_NOFILE)", "disk for ./data/feed.sqlite"])
        #expect(results.allSatisfy { $0.verdict == .ok })
    }

    @Test func rawSocketsAreCheckedOnlyForPGMAndFailWithTheCapabilityToGrant() throws {
        let epgm = try Self.plan().checks(facts: Self.facts(raw: EPERM))
        #expect(!epgm.contains { $0.subject.hasPrefix("raw sockets") })
        let result = try Self.line(try Self.plan("pgm://lab0;239.192.7.1:5601").checks(facts: Self.facts(raw: EPERM)), "raw sockets")
        #expect(result.verdict == .fail)
        #expect(result.line.contains("Operation not permitted") && result.line.contains("AmbientCapabilities=CAP_NET_RAW"), "\(result.line)")
    }

    @Test func descriptorLimitsBelowTheWantedHardLimitWarnAndBelow1024Fail() throws {
        let plan = try Self.plan()
        let low = try Self.line(plan.checks(facts: Self.facts(limit: .init(soft: 1024, hard: 4096))), "descriptors")
        #expect(low.verdict == .warn)
        #expect(low.line.hasPrefix("warn  descriptors (RLIMIT_NOFILE): soft 1024, hard 4096, below the 65536 wanted; each connection holds one; fix: LimitNOFILE=65536"), "\(low.line)")
        #expect(try Self.line(plan.checks(facts: Self.facts(limit: .init(soft: 256, hard: 512))), "descriptors").verdict == .fail)
        #expect(try Self.line(plan.checks(facts: Self.facts(limit: .init(soft: .max, hard: .max))), "descriptors").line.contains("hard unlimited"))
    }

    @Test func littleFreeDiskIsAWarningWithTheFolderMeasured() throws {
        let result = try Self.line(try Self.plan().checks(facts: Self.facts(free: 300 << 20)), "disk for")
        #expect(result.verdict == .warn)
        #expect(result.line.contains("300.0 MiB free in /var/lib/feed-server, below 1.0 GiB"), "\(result.line)")
    }

    @Test func aPortInUseFailsNamingTheCommandThatShowsItsOwner() throws {
        let results = try Self.plan().checks(facts: Self.facts(binds: ["tcp://127.0.0.1:5557": .failed(errno: EADDRINUSE)]))
        let result = try Self.line(results, "--ingest")
        #expect(result.line == "fail  --ingest tcp://127.0.0.1:5557: port 5557 is in use; fix: ss -ltnp 'sport = :5557' names the process holding it; stop it or give --ingest another port")
    }
}
