import FeedModel
import ZeroMQ

/// The publishing side: one XPUB bound to every publish endpoint, plus one PUB per PGM
/// multicast endpoint, owned by the engine thread.
///
/// libzmq filters by prefix at the publisher for tcp/ipc/inproc subscribers; PGM subscribers
/// receive every topic and filter on their side. The XPUB is verbose
/// so every subscription arrives here, which lets the engine answer a new subscription to the
/// heartbeat topic with an immediate heartbeat: a subscriber knows it is live without waiting.
final class FanOut {
    private let xpub: ZMQSocket
    private let multicast: [ZMQSocket]
    /// The endpoints as bound (wildcard ports resolved), multicast ones last.
    let boundEndpoints: [String]

    /// - Parameter multicastEndpoints: already validated and resolved to interface addresses.
    init(
        context: ZMQContext, endpoints: [String], multicastEndpoints: [String], multicastSettings: MulticastSettings,
        sendHighWaterMark: Int32
    ) throws {
        xpub = try ZMQSocket(context, .xpub)
        try xpub.set(.linger, 0)
        try xpub.set(.sendHighWaterMark, sendHighWaterMark)
        try xpub.set(.xpubVerbose, 1)
        var bound: [String] = []
        for endpoint in endpoints {
            try xpub.bind(endpoint)
            bound.append(try xpub.get(.lastEndpoint))
        }
        multicast = try multicastEndpoints.map { endpoint in
            let pub = try ZMQSocket(context, .pub)
            try pub.set(.linger, 0)
            try pub.set(.sendHighWaterMark, sendHighWaterMark)
            try pub.set(.multicastRate, multicastSettings.rateKilobits)
            try pub.set(.recoveryInterval, multicastSettings.recoveryIntervalMilliseconds)
            try pub.set(.multicastHops, multicastSettings.hops)
            // A rate-limited PGM PUB otherwise discards what exceeds its queue without a word
            // (measured: 3,850 of 100,000 left). Waiting instead means nothing is lost; the
            // price is that the whole fan-out is paced to the multicast rate when it is reached.
            try pub.set(.xpubNoDrop, 1)
            try pub.connect(endpoint)
            return pub
        }
        boundEndpoints = bound + multicastEndpoints
    }

    var socket: ZMQSocket { xpub }

    func publish(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws {
        try xpub.send(topic, more: true)
        try xpub.send(body)
        for pub in multicast {
            try pub.send(topic, more: true)
            try pub.send(body)
        }
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
