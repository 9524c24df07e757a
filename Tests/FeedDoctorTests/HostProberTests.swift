#if canImport(Glibc)
import Glibc
#endif
import FeedDoctor
import Foundation
import Testing
import ZeroMQ

/// The prober against this host's real sockets, limits and files.
struct HostProberTests {
    /// A TCP listener on a free loopback port, closed when the test ends.
    final class Listener {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = UInt16(bigEndian: address.sin_port)
            guard bound == 0, listen(fd, 1) == 0, named == 0 else { throw POSIXError(.EADDRINUSE) }
        }

        deinit { close(fd) }
    }

    @Test func aPortSomeoneListensOnIsInUseAndAFreedOneIsFree() throws {
        var plan = DoctorPlan()
        let port: UInt16
        do {
            let listener = try Listener()
            port = listener.port
            let endpoint = "tcp://127.0.0.1:\(port)"
            plan.bindEndpoints = [.init(option: "--replay", endpoint: endpoint), .init(option: "--publish", endpoint: "tcp://127.0.0.1:*")]
            let facts = HostProber.gather(for: plan)
            #expect(facts.binds[endpoint] == .failed(errno: EADDRINUSE))
            #expect(facts.binds["tcp://127.0.0.1:*"] == nil)
        }
        plan.bindEndpoints = [.init(option: "--replay", endpoint: "tcp://127.0.0.1:\(port)"), .init(option: "--ingest", endpoint: "tcp://192.0.2.77:\(port)")]
        let after = HostProber.gather(for: plan)
        #expect(after.binds["tcp://127.0.0.1:\(port)"] == .free)
        #expect(after.binds["tcp://192.0.2.77:\(port)"] == .failed(errno: EADDRNOTAVAIL))
    }

    @Test func factsMatchWhatTheKernelReportsHere() throws {
        var plan = DoctorPlan()
        plan.multicast = [try PGMEndpoint("epgm://lo;239.192.7.1:5601")]
        plan.databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-folder/x/feed.sqlite").path
        let facts = HostProber.gather(for: plan)
        #expect(try facts.interfaces.get().contains { $0.name == "lo" && $0.isLoopback && $0.ipv4.contains(0x7F00_0001) })
        let rmem = try String(contentsOfFile: "/proc/sys/net/core/rmem_max", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try facts.sysctls["net.core.rmem_max"]?.get() == UInt64(rmem))
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue)), &limit)
        #expect(try facts.fileLimit.get() == .init(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max)))
        #expect(try facts.disk.get().folder == FileManager.default.temporaryDirectory.standardizedFileURL.path)
    }
}
