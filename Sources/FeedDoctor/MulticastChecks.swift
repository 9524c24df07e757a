import ZeroMQ

/// The checks of one multicast endpoint: its interface (exists, not loopback, up, multicast, has
/// IPv4: ``PGMEndpoint/resolved(on:)`` names the first problem), raw sockets for `pgm://`, and a
/// route for the group.
enum MulticastChecks {
    static func checks(_ endpoint: PGMEndpoint, facts: HostFacts) -> [CheckResult] {
        var results: [CheckResult] = []
        let interfaces: [NetworkInterface]
        switch facts.interfaces {
        case .failure(let unreadable):
            return [CheckResult(.fail, "interface \(endpoint.interface) (\(endpoint))", "cannot list network interfaces: \(unreadable)")]
        case .success(let list):
            interfaces = list
        }
        results.append(interface(endpoint, interfaces: interfaces))
        if endpoint.transport == .pgm {
            results.append(rawSockets(endpoint, errno: facts.rawSocketErrno))
        }
        let name = interfaces.first { $0.name == endpoint.interface || $0.ipv4.map(NetworkInterface.format).contains(endpoint.interface) }?.name
        results.append(route(endpoint, interfaceName: name ?? endpoint.interface, routes: facts.routes))
        return results
    }

    static func interface(_ endpoint: PGMEndpoint, interfaces: [NetworkInterface]) -> CheckResult {
        let subject = "interface \(endpoint.interface) (\(endpoint))"
        do {
            let resolved = try endpoint.resolved(on: interfaces)
            return CheckResult(.ok, subject, "up, multicast, libzmq gets \(resolved)")
        } catch {
            // The subject names the endpoint already: leave out the description's "ENDPOINT: ".
            let finding = error.description.hasPrefix("\(endpoint): ") ? String(error.description.dropFirst("\(endpoint): ".count)) : error.description
            return CheckResult(.fail, subject, finding, fix: fix(for: error))
        }
    }

    private static func fix(for error: PGMEndpointError) -> String? {
        switch error {
        case .unknownInterface, .loopbackInterface: "name an interface that `ip -br link` lists (not lo) in --multicast"
        case .noInterfaceWithAddress: "give an address that `ip -br -4 addr` lists, or the interface's name, in --multicast"
        case .interfaceDown(_, let name): "ip link set \(name) up"
        case .interfaceNotMulticast(_, let name): "ip link set \(name) multicast on"
        case .noIPv4Address(_, let name): "ip addr add ADDRESS/PREFIX dev \(name)"
        default: nil
        }
    }

    static func rawSockets(_ endpoint: PGMEndpoint, errno: Int32?) -> CheckResult {
        let subject = "raw sockets (\(endpoint))"
        guard let errno else { return CheckResult(.ok, subject, "this process may open raw IP sockets (root or CAP_NET_RAW)") }
        return CheckResult(
            .fail, subject,
            "pgm:// sends raw IP packets and this process cannot open a raw socket (\(ErrorText.describe(errno))); without one libzmq aborts the server",
            fix: "run with CAP_NET_RAW (systemd: AmbientCapabilities=CAP_NET_RAW, see deploy/feed-server.service; "
                + "or setcap cap_net_raw+ep $(command -v feed-server)), or use epgm://, which needs no privilege")
    }

    static func route(_ endpoint: PGMEndpoint, interfaceName: String, routes: Result<[IPv4Route], HostFacts.Unreadable>) -> CheckResult {
        let subject = "route for \(endpoint.group)"
        let fix = "ip route add 224.0.0.0/4 dev \(interfaceName)"
        switch routes {
        case .failure(let unreadable):
            return CheckResult(.warn, subject, "cannot read the routing table: \(unreadable)")
        case .success(let routes):
            guard let route = IPv4Route.lookup(endpoint.groupAddress, in: routes) else {
                return CheckResult(
                    .warn, subject,
                    "no route: the server names \(interfaceName) so it still sends, but receivers that join without naming an interface get ENODEV",
                    fix: fix)
            }
            guard route.interface == interfaceName else {
                return CheckResult(
                    .warn, subject, "goes via \(route.interface) (\(route.prefix)), not \(interfaceName): programs that follow the routing table use \(route.interface)",
                    fix: fix)
            }
            return CheckResult(.ok, subject, "via \(interfaceName) (\(route.prefix))")
        }
    }
}
