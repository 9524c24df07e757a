#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file descriptor limit (RLIMIT_NOFILE), and the share of it each endpoint may
/// fill with connections so that a flood on one never leaves the others without descriptors.
public enum ConnectionLimit {
    /// Descriptors kept for everything but connections: libzmq's own (a mailbox per socket,
    /// pollers), the history's files, logs.
    public static let reservedDescriptors = 128

    /// Raises the soft limit to the hard limit, as a daemon expecting many clients should (the
    /// soft limit is often 1,024 while the hard one allows far more). Returns both limits as
    /// they are afterwards, and the soft one before; `nil` if the system does not say.
    public static func raiseToHardLimit() -> (before: UInt64, soft: UInt64, hard: UInt64)? {
        var limits = rlimit()
        guard getrlimit(descriptorResource, &limits) == 0 else { return nil }
        let before = UInt64(limits.rlim_cur)
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(descriptorResource, &raised) == 0 { limits = raised }
        }
        return (before, UInt64(limits.rlim_cur), UInt64(limits.rlim_max))
    }

    #if canImport(Glibc)
    private static let descriptorResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let descriptorResource = RLIMIT_NOFILE
    #endif

    /// The soft limit in force now.
    static var softLimit: Int {
        var limits = rlimit()
        guard getrlimit(descriptorResource, &limits) == 0 else { return 1024 }
        return Int(clamping: limits.rlim_cur)
    }

    /// Connections each of `endpoints` listening sockets may hold: an equal share of the
    /// descriptors left after ``reservedDescriptors``, at least 16.
    static func perEndpoint(endpoints: Int, softLimit: Int = softLimit) -> Int {
        max(16, (softLimit - reservedDescriptors) / max(1, endpoints))
    }
}
