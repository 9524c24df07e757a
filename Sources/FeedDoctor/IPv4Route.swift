import ZeroMQ

/// A route of the main IPv4 routing table, as `/proc/net/route` lists it, and the lookup the
/// kernel does for a destination (longest prefix, then lowest metric; policy rules and other
/// tables are not read).
public struct IPv4Route: Sendable, Equatable {
    public let interface: String
    /// Destination network and mask, host byte order.
    public let destination: UInt32
    public let mask: UInt32
    public let metric: UInt32

    public init(interface: String, destination: UInt32, mask: UInt32, metric: UInt32 = 0) {
        self.interface = interface
        self.destination = destination
        self.mask = mask
        self.metric = metric
    }

    /// `224.0.0.0/4`
    public var prefix: String { "\(NetworkInterface.format(destination))/\(mask.nonzeroBitCount)" }

    /// The routes that are up in the text of `/proc/net/route` (a header line, then one
    /// tab-separated line per route; addresses are the kernel's network-order words in hex).
    public static func parse(procNetRoute text: String) -> [IPv4Route] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16), let flags = UInt32(fields[3], radix: 16),
                  let metric = UInt32(fields[6]), let mask = UInt32(fields[7], radix: 16), flags & 1 != 0  // RTF_UP
            else { return nil }
            return IPv4Route(
                interface: String(fields[0]), destination: UInt32(bigEndian: destination), mask: UInt32(bigEndian: mask), metric: metric)
        }
    }

    /// The route the kernel would pick for `address` among `routes`, if any.
    public static func lookup(_ address: UInt32, in routes: [IPv4Route]) -> IPv4Route? {
        routes.filter { address & $0.mask == $0.destination & $0.mask }
            .min { ($0.mask.nonzeroBitCount, $1.metric) > ($1.mask.nonzeroBitCount, $0.metric) }
    }
}
