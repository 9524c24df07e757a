import Foundation
import Testing
import ZeroMQ

/// Socket monitor events arrive typed, and a monitor reports only the kinds it was asked for.
struct MonitorEventTests {
    /// The kinds `monitor` reports within `timeoutMilliseconds` of the first, until `last` arrives.
    private static func kinds(
        of monitor: ZMQMonitor, until last: ZMQMonitor.Event.Kind, timeoutMilliseconds: Int = 5000
    ) throws -> [ZMQMonitor.Event.Kind] {
        var kinds: [ZMQMonitor.Event.Kind] = []
        while kinds.last != last, let event = try monitor.next(timeoutMilliseconds: timeoutMilliseconds) {
            kinds.append(event.kind)
        }
        return kinds
    }

    @Test func aConnectionIsReportedByKindOnBothSidesAndOnlyForTheKindsAsked() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        try pull.set(.linger, 0)
        let listening = try ZMQMonitor(pull, events: ZMQMonitor.connectionEvents)
        try pull.bind("tcp://127.0.0.1:*")
        var push: ZMQSocket? = try ZMQSocket(context, .push)
        try push?.set(.linger, 0)
        let connecting = try ZMQMonitor(try #require(push), events: ZMQMonitor.handshakeEvents)
        try push?.connect(try pull.get(.lastEndpoint))

        #expect(try Self.kinds(of: connecting, until: .handshakeSucceeded) == [.connected, .handshakeSucceeded])
        // Listening and the handshake are not among connectionEvents: only the accept comes.
        let accepted = try #require(try listening.next(timeoutMilliseconds: 5000))
        #expect(accepted.kind == .accepted && accepted.value >= 0, "\(accepted)")

        push = nil  // Closed: the listening side sees the connection end.
        let ended = try #require(try listening.next(timeoutMilliseconds: 5000))
        #expect(ended.kind == .disconnected && ended.value == accepted.value, "\(ended)")
        #expect(try listening.next(timeoutMilliseconds: 100) == nil)
    }

    /// libzmq 4.3.4 sends monitor events with a blocking send: once 1,000 waited unread, its I/O
    /// thread stopped until they were read, every connection of the context with it (a burst of
    /// 10,000 connections to the server froze it). Every event of a burst is queued, however
    /// late it is read, and the burst goes on meanwhile.
    @Test func aBurstOfConnectionsNeitherStallsLibzmqNorLosesAnEventWhileNobodyReads() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        try pull.set(.linger, 0)
        let listening = try ZMQMonitor(pull, events: ZMQMonitor.connectionEvents)
        let endpoint = try pull.bind("tcp://127.0.0.1:*")
        let port = try #require(UInt16(endpoint.split(separator: ":").last!))
        // Connected and closed: an accept and a disconnect each, 3,000 events; libzmq's monitor queue
        // took 2,000 (its own high-water mark and the reading socket's, 1,000 each).
        let cycles = 1_500
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for cycle in 0..<cycles {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            // A listener whose I/O thread stopped leaves its accept queue full: connect times out
            // (after the kernel's SYN retries at 1, 3 and 7 s, so a merely busy machine passes).
            var timeout = timeval(tv_sec: 15, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                Issue.record("connection \(cycle + 1) of \(cycles) not accepted within 15 s: errno \(errno)")
                return
            }
        }
        var accepted = 0
        var disconnected = 0
        while accepted + disconnected < 2 * cycles, let event = try listening.next(timeoutMilliseconds: 5000) {
            if event.kind == .accepted { accepted += 1 }
            if event.kind == .disconnected { disconnected += 1 }
        }
        #expect(accepted == cycles && disconnected == cycles)
    }
}
