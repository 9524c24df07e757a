import FeedModel
import ZeroMQ

/// The publishing side: one XPUB bound to every publish endpoint, owned by the engine thread.
///
/// libzmq filters by prefix at the publisher for tcp/ipc/inproc subscribers. The XPUB is verbose
/// so every subscription arrives here, which lets the engine answer a new subscription to the
/// heartbeat topic with an immediate heartbeat: a subscriber knows it is live without waiting.
final class FanOut {
    private let xpub: ZMQSocket
    /// The endpoints as bound (wildcard ports resolved).
    let boundEndpoints: [String]

    init(context: ZMQContext, endpoints: [String], sendHighWaterMark: Int32) throws {
        xpub = try ZMQSocket(context, .xpub)
        try xpub.set(.linger, 0)
        try xpub.set(.sendHighWaterMark, sendHighWaterMark)
        try xpub.set(.xpubVerbose, 1)
        var bound: [String] = []
        for endpoint in endpoints {
            try xpub.bind(endpoint)
            bound.append(try xpub.get(.lastEndpoint))
        }
        boundEndpoints = bound
    }

    var socket: ZMQSocket { xpub }

    func publish(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws {
        try xpub.send(topic, more: true)
        try xpub.send(body)
    }

    func publish(_ message: FeedMessage) throws {
        try message.topicBytes.withUnsafeBytes { topic in
            try message.encodedBody().withUnsafeBytes { try publish(topic: topic, body: $0) }
        }
    }

    /// Reads pending subscription changes. Returns how many subscriptions arrived and whether
    /// one of them was to the heartbeat topic.
    func readSubscriptions(into frames: ZMQMultipartMessage) throws -> (subscribed: Int, heartbeatWanted: Bool) {
        var subscribed = 0
        var heartbeatWanted = false
        let heartbeat = Array(Topic.heartbeat.rawValue.utf8)
        while try xpub.receive(into: frames, dontWait: true) {
            guard frames.count == 1 else { continue }
            let event = frames[0]
            guard let kind = event.first, kind == 1 else { continue }
            subscribed += 1
            let prefix = event.dropFirst()
            if heartbeat.starts(with: prefix) { heartbeatWanted = true }
        }
        return (subscribed, heartbeatWanted)
    }
}

@available(*, unavailable)
extension FanOut: Sendable {}
