#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A network interface of this host as `getifaddrs` lists it: its name, flags and IPv4
/// addresses, in the calling thread's network namespace. ``PGMEndpoint/resolved(on:)`` judges a
/// multicast endpoint against a list of these; `feed-server doctor` gathers one and reports on it.
public struct NetworkInterface: Sendable, Equatable {
    /// The interface's name (`eth0`, `lab0`).
    public let name: String
    /// `IFF_*` flags (`IFF_UP`, `IFF_MULTICAST`, `IFF_LOOPBACK`).
    public let flags: UInt32
    /// IPv4 addresses in host byte order, in the order getifaddrs listed them.
    public let ipv4: [UInt32]

    public init(name: String, flags: UInt32, ipv4: [UInt32]) {
        self.name = name
        self.flags = flags
        self.ipv4 = ipv4
    }

    public var isUp: Bool { flags & Self.flag(IFF_UP) != 0 }
    public var isLoopback: Bool { flags & Self.flag(IFF_LOOPBACK) != 0 }
    public var supportsMulticast: Bool { flags & Self.flag(IFF_MULTICAST) != 0 }

    /// The interfaces of this host, one entry per name (getifaddrs lists one per address).
    /// Throws the errno of a failed getifaddrs.
    public static func list() throws(InterfaceListError) -> [NetworkInterface] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw InterfaceListError(errno: errno) }
        defer { freeifaddrs(list) }
        var names: [String] = []
        var flags: [String: UInt32] = [:]
        var addresses: [String: [UInt32]] = [:]
        var cursor = list
        while let entry = cursor {
            let name = String(cString: entry.pointee.ifa_name)
            if flags[name] == nil { names.append(name) }
            flags[name] = UInt32(entry.pointee.ifa_flags)
            if let address = entry.pointee.ifa_addr, Int32(address.pointee.sa_family) == AF_INET {
                addresses[name, default: []].append(
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) })
            }
            cursor = entry.pointee.ifa_next
        }
        return names.map { NetworkInterface(name: $0, flags: flags[$0] ?? 0, ipv4: addresses[$0] ?? []) }
    }

    /// Opens and closes a raw socket of IP protocol 113 (PGM), the kind libpgm opens for `pgm://`;
    /// returns nil when that works, else the errno (EPERM: not root and no CAP_NET_RAW).
    public static func rawPGMSocketError() -> Int32? {
        let probe = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 113)
        guard probe >= 0 else { return errno }
        close(probe)
        return nil
    }

    /// An IPv4 address in host byte order as a dotted quad.
    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    private static func flag<T: BinaryInteger>(_ value: T) -> UInt32 { UInt32(truncatingIfNeeded: value) }
}

/// `getifaddrs` failed; `errno` says why.
public struct InterfaceListError: Error, Sendable, Equatable {
    public let errno: Int32
}
