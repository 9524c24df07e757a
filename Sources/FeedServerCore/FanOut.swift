import FeedModel
import Foundation
import Logging
import ZeroMQ

/// The publishing side: one XPUB bound to every publish endpoint, plus one PGM sender per
/// multicast endpoint, owned by the publishing thread (engine or relay).
///
/// libzmq filters by prefix at the publisher for tcp/ipc/inproc subscribers; PGM subscribers
/// receive every topic and filter on their side. The XPUB is verbose
/// so every subscription arrives here, which lets the engine answer a new subscription to the
/// heartbeat topic with an immediate heartbeat: a subscriber knows it is live without waiting.
///
/// Rules for multicast:
/// 1. While running, nothing is dropped: when the multicast rate is the bottleneck, publishing
///    waits for the PGM sender (the XPUB never waits: a slow TCP subscriber loses messages past
///    its high-water mark, as before).
/// 2. That wait watches the owning thread's stop channel: a stop request ends it at once, and
///    from then on (or after ``stopWaitingForMulticast()``) a message that does not fit in a PGM
///    queue is given up and counted. TCP fan-out and recording are never given up.
/// 3. ``finishMulticast()`` reports what was given up and keeps the PGM senders open for
///    the repair window.
final class FanOut {
    private let xpub: ZMQSocket
    private let multicast: [MulticastSender]
    private let stopRequests: ZMQSocket
    private let logger: Logger
    private var waitsForMulticast = true
    /// The endpoints as bound (wildcard ports resolved), multicast ones last.
    let boundEndpoints: [String]

    /// - Parameters:
    ///   - multicastEndpoints: already validated and resolved to interface addresses.
    ///   - stopRequests: the owning thread's control socket, only polled here, never read.
    init(
        context: ZMQContext, endpoints: [String], multicastEndpoints: [String], multicastSettings: MulticastSettings,
        sendHighWaterMark: Int32, curve: CurveSecurity? = nil, stopRequests: ZMQSocket, counters: ServerCounters,
        logger: Logger
    ) throws {
        self.stopRequests = stopRequests
        self.logger = logger
        xpub = try ZMQSocket(context, .xpub)
        try xpub.set(.linger, 0)
        try xpub.set(.sendHighWaterMark, sendHighWaterMark)
        try xpub.set(.xpubVerbose, 1)
        if let curve { try xpub.secure(curve) }
        var bound: [String] = []
        for endpoint in endpoints {
            try xpub.bind(endpoint)
            bound.append(try xpub.get(.lastEndpoint))
        }
        multicast = try multicastEndpoints.map {
            try MulticastSender(
                context: context, endpoint: $0, settings: multicastSettings, maximumQueue: sendHighWaterMark,
                counters: counters.addMulticast(endpoint: $0, rateKilobits: multicastSettings.rateKilobits))
        }
        boundEndpoints = bound + multicastEndpoints
    }

    var socket: ZMQSocket { xpub }

    func publish(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws {
        try xpub.send(topic, more: true)
        try xpub.send(body)
        for sender in multicast {
            while try !sender.send(topic: topic, body: body, waiting: waitsForMulticast) {
                if waitsForMulticast {
                    if sender.noteFullQueue() {
                        logger.notice(
                            "multicast \(sender.endpoint) is the bottleneck: publishing now waits for its rate (queue of \(sender.queueLimit) messages full)"
                        )
                    }
                    if try !stopRequests.waitReadable(timeoutMilliseconds: 0) { continue }
                    waitsForMulticast = false
                }
                sender.giveUp()
                break
            }
        }
    }

    func publish(_ message: FeedMessage) throws {
        try message.topicBytes.withUnsafeBytes { topic in
            try message.encodedBody().withUnsafeBytes { try publish(topic: topic, body: $0) }
        }
    }

    /// From now on a message that does not fit in a PGM queue is given up instead of waited for.
    func stopWaitingForMulticast() { waitsForMulticast = false }

    /// Reports what multicast gave up, then keeps the PGM senders open for the repair window so
    /// receivers that lost the last packets can still have them resent. Returns at once without
    /// multicast.
    func finishMulticast() {
        guard !multicast.isEmpty else { return }
        for sender in multicast where sender.givenUp > 0 {
            logger.warning(
                "multicast \(sender.endpoint): \(sender.givenUp) messages were not sent at shutdown (the multicast rate could not keep up), and up to \(sender.queueLimit) sent before may still have been queued; all of them are in the history"
            )
        }
        Thread.sleep(forTimeInterval: Double(ShutdownBudget.multicastRepairMilliseconds) / 1000)
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
