import ArgumentParser
import CommandLineSupport
import Testing

/// Endpoint typos are usage errors naming the option and the reason, before libzmq sees them.
struct EndpointArgumentTests {
    static let unicast: [EndpointArgument.Transport] = [.tcp, .ipc, .inproc]

    /// The reason `check` gives, or `nil` when it accepts the endpoint.
    static func reason(_ endpoint: String, role: EndpointArgument.Role = .connect, _ transports: [EndpointArgument.Transport] = unicast) -> String? {
        do {
            try EndpointArgument.check(endpoint, option: "--to", role: role, transports: transports)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        "tcp://127.0.0.1:5557", "tcp://localhost:1", "tcp://feed.example.com:65535", "tcp://[::1]:5556",
        "ipc:///tmp/feed-ingest", "ipc://@abstract", "ipc://" + String(repeating: "p", count: 107), "inproc://feed",
    ])
    func wellFormedEndpointsPass(endpoint: String) {
        #expect(Self.reason(endpoint) == nil)
    }

    @Test(arguments: [
        ("", "--to: empty endpoint; expected tcp://HOST:PORT, ipc://PATH, inproc://NAME"),
        ("http://x", "--to http://x: expected tcp://HOST:PORT"),
        ("127.0.0.1:5557", "--to 127.0.0.1:5557: expected tcp://HOST:PORT"),
        ("TCP://127.0.0.1:5557", "expected tcp://HOST:PORT"),
        ("tcp://127.0.0.1", "--to tcp://127.0.0.1: expected tcp://HOST:PORT"),
        ("tcp://:5557", "expected tcp://HOST:PORT"),
        ("tcp://127.0.0.1:99999", "--to tcp://127.0.0.1:99999: port must be 1-65535"),
        ("tcp://127.0.0.1:0", "port must be 1-65535"),
        ("tcp://127.0.0.1:-1", "port must be 1-65535"),
        ("tcp://127.0.0.1:*", "port must be 1-65535"),
        ("tcp://127.0.0.1:５５５６", "port must be 1-65535"),
        ("tcp://*:5557", "host * is for binding"),
        ("tcp://local host:5557", "contains a space"),
        ("ipc://", "--to ipc://: missing path"),
        ("ipc://" + String(repeating: "p", count: 108), "path longer than 107 bytes"),
        ("inproc://", "missing name"),
        ("epgm://eth0;239.192.7.1:5601", "expected tcp://HOST:PORT, ipc://PATH, inproc://NAME"),
    ])
    func malformedEndpointsAreRejectedWithTheOptionAndReason(endpoint: String, reason: String) {
        let got = Self.reason(endpoint)
        #expect(got?.contains(reason) == true, "\(endpoint): \(got ?? "accepted")")
        #expect(got?.hasPrefix("--to") == true)
    }

    @Test func bindingAcceptsWildcardsThatConnectingRefuses() {
        #expect(Self.reason("tcp://127.0.0.1:*", role: .bind) == nil)
        #expect(Self.reason("tcp://*:5556", role: .bind) == nil)
        #expect(Self.reason("tcp://127.0.0.1:99999", role: .bind)?.contains("port must be 1-65535 or *") == true)
    }

    @Test func multicastSyntaxIsPGMEndpointsOwnCheck() {
        let pgm: [EndpointArgument.Transport] = [.tcp, .epgm, .pgm]
        #expect(Self.reason("epgm://eth0;239.192.7.1:5601", pgm) == nil)
        #expect(Self.reason("pgm://10.0.0.5;239.192.7.1:5601", pgm) == nil)
        #expect(Self.reason("epgm://eth0;10.1.2.3:5601", pgm)?.contains("not an IPv4 multicast address") == true)
        #expect(Self.reason("epgm://239.192.7.1:5601", pgm)?.contains("no interface") == true)
        #expect(Self.reason("epgm://eth0;239.192.7.1:99999", pgm)?.hasPrefix("--to epgm://eth0;239.192.7.1:99999: port") == true)
        #expect(Self.reason("ipc:///tmp/x", pgm)?.contains("expected tcp://HOST:PORT, epgm://IFACE;GROUP:PORT, pgm://IFACE;GROUP:PORT") == true)
    }
}
