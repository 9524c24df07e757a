import ZeroMQ

/// What `feed-server doctor` checks: the deployment as the server's options describe it, and
/// the thresholds the checks judge against.
public struct DoctorPlan: Sendable {
    /// An endpoint the server binds, with the option that names it (`--ingest`).
    public struct BindEndpoint: Sendable, Equatable {
        public let option: String
        public let endpoint: String
        public init(option: String, endpoint: String) {
            self.option = option
            self.endpoint = endpoint
        }
    }

    public var multicast: [PGMEndpoint] = []
    /// `--multicast-rate`, kbit/s.
    public var multicastRateKilobits: Int32 = 100_000
    public var databasePath: String = "./data/feed.sqlite"
    public var bindEndpoints: [BindEndpoint] = []
    /// A hard RLIMIT_NOFILE below this is a warning: each subscriber and producer connection
    /// holds a descriptor.
    public var wantedFileLimit: UInt64 = 65_536
    /// Below this many free bytes for the history, a warning. When retention (`--retain-size`)
    /// is configured, the doctor can raise this to the retained size plus a margin.
    public var minimumFreeBytes: UInt64 = 1 << 30
    /// How long a burst the kernel's socket buffers should hold at the multicast rate.
    public var socketBufferMilliseconds: UInt64 = 100

    public init() {}

    /// The sysctls the socket-buffer checks read: the ceilings of what a socket may ask for. Every
    /// PGM socket asks for ``ZMQSocket/pgmSocketBufferBytes`` (the `*_default` values no longer
    /// matter to them), and the kernel grants at most these.
    public static let socketBufferSysctls = ["net.core.rmem_max", "net.core.wmem_max"]

    /// Bytes the multicast rate carries in ``socketBufferMilliseconds``.
    public var wantedSocketBufferBytes: UInt64 {
        UInt64(max(multicastRateKilobits, 0)) * 1000 / 8 * socketBufferMilliseconds / 1000
    }

    /// Every check over `facts`, in a fixed order: multicast, descriptors, disk, ports.
    public func checks(facts: HostFacts) -> [CheckResult] {
        var results: [CheckResult] = []
        for endpoint in multicast {
            results += MulticastChecks.checks(endpoint, facts: facts)
        }
        if !multicast.isEmpty {
            results += Self.socketBufferSysctls.map { SocketBufferCheck.check($0, value: facts.sysctls[$0], plan: self) }
        }
        results.append(HostLimitChecks.descriptors(facts.fileLimit, wanted: wantedFileLimit))
        results.append(HostLimitChecks.disk(facts.disk, databasePath: databasePath, minimumFreeBytes: minimumFreeBytes))
        results += PortChecks.checks(bindEndpoints, binds: facts.binds)
        return results
    }
}
