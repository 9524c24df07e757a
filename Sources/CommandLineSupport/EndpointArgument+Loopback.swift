import ZeroMQ

extension EndpointArgument {
    /// Whether `endpoint` binds only where this host alone can connect: `tcp://` on a loopback
    /// address (`127.x.x.x`, `::1`, `localhost`, the `lo` interface), or a transport that is not
    /// a network at all (`ipc://`, `inproc://`). `tcp://*`, `0.0.0.0` and every other host or
    /// interface listen beyond this host.
    public static func isLocal(_ endpoint: String) -> Bool {
        guard endpoint.hasPrefix("tcp://") else { return !PGMEndpoint.isPGM(endpoint) }
        let address = endpoint.dropFirst("tcp://".count)
        guard let colon = address.lastIndex(of: ":") else { return false }
        var host = address[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return host == "localhost" || host == "lo" || host == "::1" || host.hasPrefix("127.")
    }
}
