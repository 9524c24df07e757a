#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PGM multicast endpoint, `epgm://IFACE;GROUP:PORT` or `pgm://IFACE;GROUP:PORT`, checked before
/// libzmq sees it.
///
/// libzmq 4.3.4 is a poor judge of these endpoints: it refuses an interface given by name
/// (`epgm://eth0;…` fails with EINVAL while the same interface's IPv4 address works), silently
/// accepts a port above 65535 or a missing interface, answers EAGAIN for port 0, has been
/// reported to assert on bad endpoints, and accepts the loopback interface although PGM over
/// `lo` delivers nothing. So a user names the interface (`lab0`, `eth0`) or gives its IPv4
/// address; `init(_:)` checks the syntax, and `resolved()` checks the interface on this host and
/// returns the string to hand to libzmq, with the interface replaced by its IPv4 address.
///
/// ```swift
/// let endpoint = try PGMEndpoint("epgm://eth0;239.192.7.1:5601")
/// try socket.connect(endpoint.resolved())   // "epgm://10.0.0.5;239.192.7.1:5601"
/// ```
public struct PGMEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// How PGM packets travel: `epgm` inside UDP datagrams (no privileges needed), `pgm` as raw
    /// IP protocol 113 (needs CAP_NET_RAW).
    public enum Transport: String, Sendable, Equatable {
        case pgm
        case epgm
    }

    /// The URL scheme.
    public let transport: Transport
    /// The interface as written: a name such as `eth0`, or an IPv4 address in dotted-quad form.
    public let interface: String
    /// The multicast group, an IPv4 address in 224.0.0.0/4, in dotted-quad form.
    public let group: String
    /// The UDP port (`epgm`) or PGM data-destination port (`pgm`), 1-65535.
    public let port: UInt16

    /// Parses and checks the syntax of `text`; does not look at the host's interfaces.
    public init(_ text: String) throws(PGMEndpointError) {
        let transport: Transport
        let rest: Substring
        if text.hasPrefix("epgm://") {
            transport = .epgm
            rest = text.dropFirst("epgm://".count)
        } else if text.hasPrefix("pgm://") {
            transport = .pgm
            rest = text.dropFirst("pgm://".count)
        } else {
            throw .missingScheme(endpoint: text)
        }
        let parts = rest.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw parts.count < 2 ? .missingInterface(endpoint: text) : .badInterface(endpoint: text, interface: String(rest))
        }
        let interface = String(parts[0])
        let groupAndPort = parts[1]

        if Self.looksLikeAddress(interface) {
            guard Self.parseIPv4(interface) != nil else {
                throw .badAddress(endpoint: text, address: interface)
            }
        } else {
            guard Self.isValidInterfaceName(interface) else {
                throw .badInterface(endpoint: text, interface: interface)
            }
        }

        guard let colon = groupAndPort.lastIndex(of: ":") else {
            throw .badPort(endpoint: text, port: "")
        }
        let group = String(groupAndPort[..<colon])
        let portText = String(groupAndPort[groupAndPort.index(after: colon)...])
        guard let groupValue = Self.parseIPv4(group) else {
            throw .badAddress(endpoint: text, address: group)
        }
        guard groupValue >> 28 == 0xE else {
            throw .notMulticast(endpoint: text, group: group)
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0 >= "0" && $0 <= "9" }),
              let port = Int(portText), (1...65535).contains(port)
        else {
            throw .badPort(endpoint: text, port: portText)
        }

        self.transport = transport
        self.interface = interface
        self.group = group
        self.port = UInt16(port)
    }

    /// The group in host byte order (checked by `init(_:)` to be a multicast address).
    public var groupAddress: UInt32 { Self.parseIPv4(group) ?? 0 }

    /// The endpoint as written (normalized): `epgm://eth0;239.192.7.1:5601`.
    public var description: String { "\(transport.rawValue)://\(interface);\(group):\(port)" }

    /// Checks the interface on this host and returns the endpoint for libzmq, with the interface
    /// replaced by its IPv4 address.
    ///
    /// The interface must exist, be up, support multicast, not be a loopback device, and have an
    /// IPv4 address (the first one is used when it has several). An interface given as an
    /// address must be one of this host's addresses. Reads the interfaces of the calling thread's
    /// network namespace. A `pgm://` endpoint also needs a process allowed to open raw IP sockets
    /// (root or CAP_NET_RAW): without one, libzmq 4.3.4 aborts the whole process
    /// ("Invalid argument (src/session_base.cpp:723)") instead of returning an error.
    public func resolved() throws(PGMEndpointError) -> String {
        let interfaces: [NetworkInterface]
        do {
            interfaces = try NetworkInterface.list()
        } catch {
            throw .interfaceLookupFailed(endpoint: description, errno: error.errno)
        }
        let endpoint = try resolved(on: interfaces)
        if transport == .pgm, let code = NetworkInterface.rawPGMSocketError() {
            throw .rawSocketUnavailable(endpoint: description, errno: code)
        }
        return endpoint
    }

    /// The interface checks of ``resolved()`` against `interfaces` (no raw-socket check): the
    /// endpoint for libzmq, or the first problem found.
    public func resolved(on interfaces: [NetworkInterface]) throws(PGMEndpointError) -> String {
        let endpoint = description
        let name: String
        if let wanted = Self.parseIPv4(interface) {
            guard let owner = interfaces.first(where: { $0.ipv4.contains(wanted) }) else {
                throw .noInterfaceWithAddress(endpoint: endpoint, address: interface)
            }
            name = owner.name
        } else {
            name = interface
        }
        guard let found = interfaces.first(where: { $0.name == name }) else {
            throw .unknownInterface(endpoint: endpoint, interface: name)
        }
        guard !found.isLoopback else { throw .loopbackInterface(endpoint: endpoint, interface: name) }
        guard found.isUp else { throw .interfaceDown(endpoint: endpoint, interface: name) }
        guard found.supportsMulticast else { throw .interfaceNotMulticast(endpoint: endpoint, interface: name) }
        guard let address = Self.parseIPv4(interface) ?? found.ipv4.first else {
            throw .noIPv4Address(endpoint: endpoint, interface: name)
        }
        return "\(transport.rawValue)://\(NetworkInterface.format(address));\(group):\(port)"
    }

    // MARK: - Helpers

    /// Digits and dots only: meant as an IPv4 address rather than an interface name.
    private static func looksLikeAddress(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0 == "." || ($0 >= "0" && $0 <= "9") }
    }

    /// Linux interface names: 1-15 bytes, none of the separators the endpoint syntax uses.
    private static func isValidInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15
            && name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && !"/;:,".unicodeScalars.contains($0) }
    }

    /// Strict dotted quad: four decimal parts 0-255, no leading zeros (libpgm would read some of
    /// those as octal). Returns the address in host byte order.
    static func parseIPv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= "0" && $0 <= "9" }),
                  part.count == 1 || part.first != "0",
                  let byte = UInt32(part), byte <= 255
            else { return nil }
            value = value << 8 | byte
        }
        return value
    }
}

/// Why a PGM endpoint was refused: a syntax error found by `PGMEndpoint.init(_:)`, or an interface
/// problem found by `PGMEndpoint.resolved()`. `description` is one line naming the endpoint.
public enum PGMEndpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Neither `epgm://` nor `pgm://`.
    case missingScheme(endpoint: String)
    /// No `;` separating the interface from the group.
    case missingInterface(endpoint: String)
    /// The interface part is not a possible interface name (or there are several `;`).
    case badInterface(endpoint: String, interface: String)
    /// Text meant as an IPv4 address that is not a dotted quad.
    case badAddress(endpoint: String, address: String)
    /// The group is an IPv4 address outside 224.0.0.0/4.
    case notMulticast(endpoint: String, group: String)
    /// The port is missing, not a number, or outside 1-65535.
    case badPort(endpoint: String, port: String)
    /// No interface of this host has that name.
    case unknownInterface(endpoint: String, interface: String)
    /// No interface of this host has that IPv4 address.
    case noInterfaceWithAddress(endpoint: String, address: String)
    /// The interface is a loopback device: PGM over it delivers nothing.
    case loopbackInterface(endpoint: String, interface: String)
    /// The interface is administratively down.
    case interfaceDown(endpoint: String, interface: String)
    /// The interface does not have multicast enabled.
    case interfaceNotMulticast(endpoint: String, interface: String)
    /// The interface has no IPv4 address.
    case noIPv4Address(endpoint: String, interface: String)
    /// getifaddrs failed.
    case interfaceLookupFailed(endpoint: String, errno: Int32)
    /// `pgm://` needs a raw IP socket, and this process may not open one (not root, no CAP_NET_RAW).
    case rawSocketUnavailable(endpoint: String, errno: Int32)

    public var description: String {
        switch self {
        case .missingScheme(let endpoint):
            "\(endpoint): a PGM endpoint starts with epgm:// or pgm:// (epgm://IFACE;GROUP:PORT)"
        case .missingInterface(let endpoint):
            "\(endpoint): no interface: write epgm://IFACE;GROUP:PORT with an interface name or IPv4 address before ';'"
        case .badInterface(let endpoint, let interface):
            "\(endpoint): '\(interface)' is not an interface name or IPv4 address"
        case .badAddress(let endpoint, let address):
            "\(endpoint): '\(address)' is not an IPv4 address (four numbers 0-255 separated by dots)"
        case .notMulticast(let endpoint, let group):
            "\(endpoint): group \(group) is not an IPv4 multicast address (224.0.0.0/4, e.g. 239.192.0.1)"
        case .badPort(let endpoint, let port):
            port.isEmpty
                ? "\(endpoint): missing port after the group (GROUP:PORT, 1-65535)"
                : "\(endpoint): port '\(port)' is not a number in 1-65535"
        case .unknownInterface(let endpoint, let interface):
            "\(endpoint): no network interface named '\(interface)' on this host"
        case .noInterfaceWithAddress(let endpoint, let address):
            "\(endpoint): no network interface on this host has the address \(address)"
        case .loopbackInterface(let endpoint, let interface):
            "\(endpoint): interface \(interface) is a loopback device; PGM over loopback delivers nothing, use a real interface"
        case .interfaceDown(let endpoint, let interface):
            "\(endpoint): interface \(interface) is down"
        case .interfaceNotMulticast(let endpoint, let interface):
            "\(endpoint): interface \(interface) does not have multicast enabled (ip link set \(interface) multicast on)"
        case .noIPv4Address(let endpoint, let interface):
            "\(endpoint): interface \(interface) has no IPv4 address"
        case .interfaceLookupFailed(let endpoint, let code):
            "\(endpoint): cannot list network interfaces: \(String(cString: strerror(code)))"
        case .rawSocketUnavailable(let endpoint, let code):
            "\(endpoint): pgm:// sends raw IP packets, which needs root or CAP_NET_RAW, and this process cannot open a raw socket (\(String(cString: strerror(code)))); use epgm:// (PGM over UDP), which needs no privileges"
        }
    }
}
