#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP endpoint with a port that was free a moment ago, for the C baselines, which
/// bind the endpoint they are given (feed-server binds `*` and reports its ports instead).
enum FreePort {
    static func loopbackEndpoint() throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socket, socketAddress, length) == 0 && getsockname(socket, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BenchFailure("cannot find a free loopback port: \(String(cString: strerror(errno)))") }
        return "tcp://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }
}
