#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ZeroMQ

/// Gathers ``HostFacts`` for a ``DoctorPlan``: interfaces (getifaddrs), the main routing table
/// (`/proc/net/route`), sysctls (`/proc/sys`), a raw-socket probe for `pgm://`, RLIMIT_NOFILE,
/// free space for the history (statvfs), and a bind of each TCP endpoint (released at once).
/// Reads the calling thread's network namespace; changes nothing on the host.
public enum HostProber {
    public static func gather(for plan: DoctorPlan) -> HostFacts {
        let interfaces: Result<[NetworkInterface], HostFacts.Unreadable>
        do {
            interfaces = .success(try NetworkInterface.list())
        } catch {
            interfaces = .failure(HostFacts.Unreadable("getifaddrs: \(ErrorText.describe(error.errno))"))
        }
        let routes = readText("/proc/net/route").map { IPv4Route.parse(procNetRoute: $0) }
        var sysctls: [String: Result<UInt64, HostFacts.Unreadable>] = [:]
        for name in DoctorPlan.socketBufferSysctls {
            sysctls[name] = readText("/proc/sys/" + name.replacingOccurrences(of: ".", with: "/")).flatMap { text in
                UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)).map { .success($0) }
                    ?? .failure(HostFacts.Unreadable("not a number: \(text)"))
            }
        }
        let needsRaw = plan.multicast.contains { $0.transport == .pgm }
        var binds: [String: HostFacts.BindOutcome] = [:]
        for bind in plan.bindEndpoints {
            binds[bind.endpoint] = probeBind(bind.endpoint, interfaces: (try? interfaces.get()) ?? [])
        }
        return HostFacts(
            interfaces: interfaces, routes: routes, sysctls: sysctls,
            rawSocketErrno: needsRaw ? NetworkInterface.rawPGMSocketError() : nil, fileLimit: fileLimit(),
            disk: diskSpace(for: plan.databasePath), binds: binds)
    }

    private static func readText(_ path: String) -> Result<String, HostFacts.Unreadable> {
        do {
            return .success(try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            return .failure(HostFacts.Unreadable("\(path): \(error.localizedDescription)"))
        }
    }

    private static func fileLimit() -> Result<HostFacts.FileLimit, HostFacts.Unreadable> {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue))
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return .failure(HostFacts.Unreadable(ErrorText.describe(errno))) }
        return .success(HostFacts.FileLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max)))
    }

    /// statvfs of the history's folder, or of its nearest existing parent (the server creates the folder).
    private static func diskSpace(for databasePath: String) -> Result<HostFacts.DiskSpace, HostFacts.Unreadable> {
        var folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().standardizedFileURL.path
        while !FileManager.default.fileExists(atPath: folder), folder != "/" {
            folder = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        }
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return .failure(HostFacts.Unreadable("\(folder): \(ErrorText.describe(errno))")) }
        return .success(HostFacts.DiskSpace(folder: folder, availableBytes: UInt64(stats.f_bavail) * UInt64(stats.f_frsize)))
    }

    /// Binds `tcp://HOST:PORT` as libzmq would (SO_REUSEADDR) and releases it; nil for endpoints
    /// that are not probed (not tcp, or port `*`). HOST may be `*`, an address, an interface name
    /// or a host name.
    private static func probeBind(_ endpoint: String, interfaces: [NetworkInterface]) -> HostFacts.BindOutcome? {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return nil }
        var host = String(endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon])
        let port = String(endpoint[endpoint.index(after: colon)...])
        guard port != "*" else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let interface = interfaces.first(where: { $0.name == host }), let address = interface.ipv4.first {
            host = NetworkInterface.format(address)
        }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = host.contains(":") ? AF_INET6 : AF_INET  // libzmq binds IPv4 unless ZMQ_IPV6 is set.
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host == "*" ? nil : host, port, &hints, &list) == 0, let first = list else { return .unresolvable(host) }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failed(errno: errno) }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return .failed(errno: errno) }
        return .free
    }
}
