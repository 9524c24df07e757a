import Testing

@testable import FeedClientKit

/// What a client says about an endpoint that does not serve it, from the socket monitor's
/// events as libzmq 4.3.4 reports them for each kind of wrong endpoint (seen with a monitor on
/// a DEALER connecting to each).
struct ConnectionWatchTests {
    private static func watch(_ events: [ConnectionWatch.Event], endpoint: String = "tcp://127.0.0.1:5556") -> ConnectionWatch {
        var watch = ConnectionWatch(endpoint: endpoint, role: "replay")
        for event in events { watch.note(event) }
        return watch
    }

    @Test func aSocketOfAnotherKindRefusesTheHandshake() {
        // An XPUB or PULL accepts the connection and closes it when it reads the socket type.
        let refused = Self.watch([.other, .connected, .disconnected])
        #expect(refused.stage == .refused)
        #expect(refused.refusal.hasPrefix("tcp://127.0.0.1:5556 closed the connection during the ZeroMQ handshake: is that a feed-server's replay endpoint?"))
        #expect(refused.explanation(lostSince: 0) == refused.refusal)
        #expect(Self.watch([.connected, .handshakeFailed]).stage == .refused)
    }

    @Test func aListenerThatNeverSpeaksZeroMQIsNamed() {
        // A silent TCP listener, or an HTTP server waiting for a request line.
        let silent = Self.watch([.other, .connected])
        #expect(silent.stage == .handshaking)
        #expect(silent.explanation(lostSince: 0).contains("accepted the connection but never completed a ZeroMQ handshake"))
    }

    @Test func nothingListeningIsAnAbsentServer() {
        let absent = Self.watch([.other, .other, .other, .other, .other, .other])
        #expect(absent.stage == .unconnected)
        #expect(absent.explanation(lostSince: 0) == "nothing accepted a connection there: is feed-server running?")
    }

    @Test func aZeroMQPeerThatDoesNotAnswer() {
        let silent = Self.watch([.other, .connected, .handshakeSucceeded])
        #expect(silent.stage == .ready)
        #expect(silent.explanation(lostSince: 0) == "connected, but no answer came: is that the replay endpoint?")
    }

    @Test func aConnectionClosedAfterTheRequestIsNamedEvenOnceReconnected() {
        // A feed-server closes the connection of a request over 64 KiB; libzmq reconnects.
        var watch = Self.watch([.connected, .handshakeSucceeded])
        let before = watch.losses
        for event: ConnectionWatch.Event in [.disconnected, .other, .other, .connected, .handshakeSucceeded] {
            watch.note(event)
        }
        #expect(watch.stage == .ready && watch.losses == before + 1)
        #expect(watch.explanation(lostSince: before).contains("closed the connection after the request"))
        #expect(watch.explanation(lostSince: watch.losses).contains("no answer came"))
    }

    @Test func inprocConnectionsAreReadyAtOnce() {
        #expect(Self.watch([], endpoint: "inproc://replay").stage == .ready)
    }
}
