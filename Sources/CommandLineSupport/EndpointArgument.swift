import ArgumentParser
import ZeroMQ

/// Checks the syntax of a ZeroMQ endpoint given on a command line before libzmq sees it, so a
/// typo is a usage error (exit status 64) naming the option and the reason, instead of a libzmq
/// errno or a silent wait later. Shared by every command of both executables.
///
/// Syntax only: whether a host answers or a multicast interface exists is for run time
/// (``PGMEndpoint/resolved()`` checks the interface).
public enum EndpointArgument {
    /// A ZeroMQ transport, named by its URL scheme.
    public enum Transport: String, CaseIterable, Sendable {
        case tcp, ipc, inproc, epgm, pgm

        /// How an endpoint of this transport is written, for error messages.
        var form: String {
            switch self {
            case .tcp: "tcp://HOST:PORT"
            case .ipc: "ipc://PATH"
            case .inproc: "inproc://NAME"
            case .epgm: "epgm://IFACE;GROUP:PORT"
            case .pgm: "pgm://IFACE;GROUP:PORT"
            }
        }
    }

    /// Whether the endpoint is bound, where a TCP port of `*` picks a free port, or connected to.
    public enum Role: Sendable {
        case bind, connect
    }

    /// The longest `ipc://` path the kernel takes (`sun_path` holds 108 bytes with the NUL).
    static let maximumIPCPathBytes = 107

    /// Throws a `ValidationError` starting with `option` unless `endpoint` is a well-formed
    /// endpoint of one of `transports`.
    public static func check(_ endpoint: String, option: String, role: Role, transports: [Transport]) throws {
        let forms = transports.map(\.form).joined(separator: ", ")
        guard !endpoint.isEmpty else { throw ValidationError("\(option): empty endpoint; expected \(forms)") }
        guard let transport = transports.first(where: { endpoint.hasPrefix("\($0.rawValue)://") }) else {
            throw ValidationError("\(option) \(endpoint): expected \(forms)")
        }
        let address = endpoint.dropFirst(transport.rawValue.count + 3)
        let problem: String?
        switch transport {
        case .tcp: problem = tcpProblem(address, role: role)
        case .ipc:
            problem = address.isEmpty
                ? "missing path (ipc://PATH)"
                : address.utf8.count > maximumIPCPathBytes ? "path longer than \(maximumIPCPathBytes) bytes" : nil
        case .inproc: problem = address.isEmpty ? "missing name (inproc://NAME)" : nil
        case .epgm, .pgm:
            do {
                _ = try PGMEndpoint(endpoint)
                problem = nil
            } catch {
                throw ValidationError("\(option) \(error)")
            }
        }
        if let problem { throw ValidationError("\(option) \(endpoint): \(problem)") }
    }

    private static func tcpProblem(_ address: Substring, role: Role) -> String? {
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex else {
            return "expected tcp://HOST:PORT"
        }
        let host = address[..<colon]
        let port = address[address.index(after: colon)...]
        if host.contains(where: \.isWhitespace) { return "host '\(host)' contains a space" }
        if role == .connect && host == "*" { return "host * is for binding; name the server's host" }
        if role == .bind && port == "*" { return nil }
        guard port.allSatisfy(\.isASCII), let number = Int(port), (1...65535).contains(number) else {
            return role == .bind ? "port must be 1-65535 or *" : "port must be 1-65535"
        }
        return nil
    }
}
