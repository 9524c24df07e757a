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
}
