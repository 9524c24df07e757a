#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating system's socket behind one connection of a libzmq socket, as its monitor
/// reports it (``ZMQMonitor/Event/Kind/accepted``, ``ZMQMonitor/Event/Kind/disconnected``) and ZMQ_SRCFD names it.
///
/// libzmq owns the descriptor: this never closes it. ``shutdown()`` ends the connection the way a
/// peer closing it would, so libzmq tears the connection down itself, cleanly, and reports the
/// disconnect. A descriptor number is reused once libzmq closed it, so callers compare
/// ``addresses()`` with what they saw when the connection was accepted before acting on it.
public struct ConnectionDescriptor: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public var description: String { "fd \(rawValue)" }

    /// What ``addresses()`` says of either end of an IPC connection.
    public static let unixAddress = "unix"

    /// Both ends of the connection (`host:port` for TCP, ``unixAddress`` for IPC), or `nil` when the
    /// descriptor is not a connected socket (any more).
    public func addresses() -> (local: String, peer: String)? {
        guard let local = Self.address(rawValue, peer: false), let peer = Self.address(rawValue, peer: true) else { return nil }
        return (local, peer)
    }

    /// Shuts both directions down: the peer sees the connection end, and libzmq closes it.
    public func shutdown() {
        _ = systemShutdown(rawValue, Int32(SHUT_RDWR))
    }

    /// Bytes the kernel holds for the peer that it has not been able to send yet: for TCP those
    /// not yet sent (the peer's receive window is full or the path is too slow), for IPC (`unix`)
    /// those the peer has not read. `nil` if the kernel does not say.
    public func unsentBytes(unix: Bool) -> Int? {
        var bytes: Int32 = 0
        // SIOCOUTQNSD (linux/sockios.h): unsent bytes of a TCP socket; SIOCOUTQ (TIOCOUTQ) on a
        // Unix socket: bytes written that the peer has not read.
        let request: UInt = unix ? UInt(TIOCOUTQ) : 0x894B
        guard ioctl(rawValue, request, &bytes) == 0 else { return nil }
        return Int(bytes)
    }

    /// All the bytes of a TCP connection the peer has acknowledged so far: it grows while the
    /// peer's application reads (which opens its receive window) and stands still while it reads
    /// nothing. `nil` for IPC or if the kernel does not say.
    public func acknowledgedBytes() -> UInt64? {
        // struct tcp_info of linux/tcp.h, which Glibc's netinet/tcp.h predates: tcpi_bytes_acked
        // is the UInt64 at byte 120 (Linux 4.1 and later; the struct only ever grows).
        let offset = 120
        return withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { info in
            var length = socklen_t(info.count)
            guard getsockopt(rawValue, Int32(IPPROTO_TCP), TCP_INFO, info.baseAddress, &length) == 0, Int(length) >= offset + 8
            else { return nil }
            return info.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
    }

    private func systemShutdown(_ descriptor: Int32, _ how: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.shutdown(descriptor, how)
        #else
        Darwin.shutdown(descriptor, how)
        #endif
    }

    private static func address(_ descriptor: Int32, peer: Bool) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> String? in
                let status = peer ? getpeername(descriptor, address, &length) : getsockname(descriptor, address, &length)
                guard status == 0 else { return nil }
                if Int32(address.pointee.sa_family) == AF_UNIX { return unixAddress }
                var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
                guard
                    getnameinfo(
                        address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                        NI_NUMERICHOST | NI_NUMERICSERV) == 0
                else { return nil }
                func text(_ characters: [CChar]) -> String {
                    String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
                return text(host) + ":" + text(service)
            }
        }
    }
}
