import ZeroMQ

/// What ``HostProber`` found on this host (in the calling thread's network namespace and as the
/// calling process): the facts the doctor's checks judge. Built by hand in unit tests.
public struct HostFacts: Sendable {
    /// A fact the prober could not read, and why (`/proc/net/route: No such file or directory`).
    public struct Unreadable: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// RLIMIT_NOFILE: how many descriptors the process may open now (soft) and may raise to (hard).
    public struct FileLimit: Sendable, Equatable {
        public let soft: UInt64
        public let hard: UInt64
        public init(soft: UInt64, hard: UInt64) {
            self.soft = soft
            self.hard = hard
        }
    }

    /// Free space where the history file goes.
    public struct DiskSpace: Sendable, Equatable {
        /// The folder measured: the history's folder, or its nearest existing parent.
        public let folder: String
        /// Bytes an unprivileged process may still write there (statvfs `f_bavail`).
        public let availableBytes: UInt64
        public init(folder: String, availableBytes: UInt64) {
            self.folder = folder
            self.availableBytes = availableBytes
        }
    }

    /// What binding a TCP endpoint's address and port did.
    public enum BindOutcome: Sendable, Equatable {
        /// The address and port could be bound (and were released at once).
        case free
        /// bind or socket failed with this errno (EADDRINUSE, EADDRNOTAVAIL, EACCES, ...).
        case failed(errno: Int32)
        /// The host part names no address of this host.
        case unresolvable(String)
    }

    public var interfaces: Result<[NetworkInterface], Unreadable>
    /// The main routing table (`/proc/net/route`).
    public var routes: Result<[IPv4Route], Unreadable>
    /// Values of sysctls by name (`net.core.rmem_max`).
    public var sysctls: [String: Result<UInt64, Unreadable>]
    /// nil when this process may open a raw PGM socket, else the errno that refused it.
    public var rawSocketErrno: Int32?
    public var fileLimit: Result<FileLimit, Unreadable>
    public var disk: Result<DiskSpace, Unreadable>
    /// By endpoint as given (`tcp://127.0.0.1:5557`); endpoints not probed (ipc, inproc, port *) are absent.
    public var binds: [String: BindOutcome]

    public init(
        interfaces: Result<[NetworkInterface], Unreadable>, routes: Result<[IPv4Route], Unreadable>,
        sysctls: [String: Result<UInt64, Unreadable>], rawSocketErrno: Int32?, fileLimit: Result<FileLimit, Unreadable>,
        disk: Result<DiskSpace, Unreadable>, binds: [String: BindOutcome]
    ) {
        self.interfaces = interfaces
        self.routes = routes
        self.sysctls = sysctls
        self.rawSocketErrno = rawSocketErrno
        self.fileLimit = fileLimit
        self.disk = disk
        self.binds = binds
    }
}
