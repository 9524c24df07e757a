import DequeModule
import FeedModel
import ZeroMQ

/// A live subscription to a feed-server's publish endpoint, read on the caller's thread.
///
/// Subscribes to the given prefixes and to the heartbeat topic; since the server answers a
/// heartbeat subscription with an immediate heartbeat, the first heartbeat proves that every
/// subscription of this subscriber is in place at the publisher (``waitUntilLive(timeoutMilliseconds:)``).
/// Malformed messages are counted in ``malformed`` and skipped; over PGM, what a loss cut off
/// is counted in ``cutByLoss`` instead. Not `Sendable`: one thread owns it.
public final class FeedSubscriber {
    private let socket: ZMQSocket
    /// With CURVE, until live: what the monitor showed of the handshake, so a refused one is
    /// reported as such instead of as a silent server.
    private var handshake: ConnectionWatch?
    /// Watches for the publisher closing the connection (tcp:// and ipc:// only).
    private let monitor: ZMQMonitor?
    private let frames = ZMQMultipartMessage(capacity: 8)
    private var live = false
    /// Over PGM no subscription travels upstream, so there is no handshake to wait for: the
    /// first message of any kind proves the path works.
    private let liveOnAnyMessage: Bool
    private var pending: Deque<FeedEvent> = []
    /// The session and latest feed sequence the publisher reported when this subscriber became
    /// live: every message after that sequence reaches this subscriber live.
    public private(set) var liveSince: (session: UInt32, feedSequence: UInt64)?
    /// The publish time of what made this subscriber live (the heartbeat, or over PGM the first message).
    public private(set) var liveSincePublished: Timestamp?
    public let endpoint: String
    public let prefixes: [TopicPrefix]
    /// Messages that did not decode; they are skipped.
    public private(set) var malformed = 0
    /// The reason the last malformed message was rejected.
    public private(set) var lastMalformedReason: String?
    /// Pieces of messages that a multicast loss PGM could not repair cut off (see
    /// ``MulticastFrames``): skipped, not malformed; the messages lost show as gaps.
    public private(set) var cutByLoss = 0
    /// Over PGM: rejoins the group when nothing arrived for a while (``MulticastRejoin``).
    private var rejoin = MulticastRejoin(endpoints: [], now: 0)
    /// Times this PGM subscription was rejoined after it delivered nothing for a while (a loss
    /// PGM could not repair stalls libzmq's receiver); what it missed meanwhile shows as gaps.
    public var multicastRejoins: Int { rejoin.rejoins }
    /// When this subscriber must be looked at even if nothing arrives (a PGM stall), if ever.
    var rejoinDeadline: Int64? { rejoin.deadline }

    /// Connects and subscribes. An empty `prefixes` means everything. `endpoint` may be
    /// `tcp://`, `ipc://`, `inproc://`, or PGM multicast `epgm://IFACE;GROUP:PORT` (validated
    /// and resolved to the interface's address first; PGM subscribers filter on their side and
    /// become live with the next periodic heartbeat).
    /// `curve` connects with CURVE (tcp and ipc; PGM is never encrypted).
    public init(
        context: ZMQContext, endpoint: String, prefixes: [TopicPrefix], receiveHighWaterMark: Int32 = 100_000,
        multicastRateKilobits: Int32 = 100_000, curve: CurveSecurity? = nil
    ) throws {
        self.endpoint = endpoint
        liveOnAnyMessage = PGMEndpoint.isPGM(endpoint)
        self.prefixes = prefixes.isEmpty ? [.all] : prefixes
        socket = try ZMQSocket(context, .sub)
        let watchesHandshake = curve != nil && !PGMEndpoint.isPGM(endpoint)
        monitor = endpoint.hasPrefix("tcp://") || endpoint.hasPrefix("ipc://")
            ? try ZMQMonitor(socket, events: ZMQMonitor.connectionEvents.union(watchesHandshake ? ZMQMonitor.handshakeEvents : [])) : nil
        try socket.set(.linger, 0)
        try socket.set(.receiveHighWaterMark, receiveHighWaterMark)
        try socket.set(.maxMessageSize, 4096)
        // Subscriptions queue behind this limit until the connection is up, and libzmq drops
        // those past it: none may be lost, however long the watchlist.
        try socket.set(.sendHighWaterMark, 0)
        if PGMEndpoint.isPGM(endpoint) {
            try socket.preparePGMReceiver(rateKilobits: multicastRateKilobits, recoveryIntervalMilliseconds: 10_000)
            let resolved = try PGMEndpoint(endpoint).resolved()
            try socket.connect(resolved)
            rejoin = MulticastRejoin(endpoints: [resolved], now: MonotonicClock.nanoseconds())
        } else {
            if let curve {
                try socket.secure(curve)
                handshake = ConnectionWatch(endpoint: endpoint, role: "publish", curve: true)
            }
            try socket.connect(endpoint)
        }
        // Subscribed after connecting, so libzmq sends them in this order (subscriptions made
        // before are sent from its trie in bytewise order, `$HB` among the first), and the
        // heartbeat last: its answer comes after the publisher applied every prefix above.
        for prefix in self.prefixes { try socket.set(.subscribe, Array(prefix.rawValue.utf8)) }
        try socket.set(.subscribe, Array(Topic.heartbeat.rawValue.utf8))
    }

    /// Waits for the first heartbeat: from then on nothing published for these prefixes is missed.
    /// Returns `false` if none came within the timeout (server down or unreachable); throws
    /// ``ClientError`` (unavailable) at once when the server refuses the CURVE handshake.
    public func waitUntilLive(timeoutMilliseconds: Int) throws -> Bool {
        if live { return true }
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        while !live {
            guard let event = try receive(timeoutMilliseconds: deadline.remainingMilliseconds) else { return false }
            pending.append(event)
        }
        return true
    }

    /// The next event, waiting up to `timeoutMilliseconds` (-1: forever); `nil` on timeout.
    public func next(timeoutMilliseconds: Int = -1) throws -> FeedEvent? {
        if let event = pending.popFirst() { return event }
        return try receive(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// The next event already queued, without waiting or looking at the connection: the cheap
    /// read for a caller polling several subscribers, which calls
    /// ``next(timeoutMilliseconds:)`` with 0 before it waits.
    func nextQueued() throws -> FeedEvent? {
        if let event = pending.popFirst() { return event }
        while try socket.receive(into: frames, dontWait: true) {
            if let event = decode() { return event }
        }
        return nil
    }

    /// The sockets to poll for this subscriber's events (its own, and its monitor's).
    var sockets: [ZMQSocket] { [socket] + (monitor.map { [$0.eventSocket] } ?? []) }

    private func receive(timeoutMilliseconds: Int) throws -> FeedEvent? {
        // What is queued already needs no poll: at full rate that was a system call per message.
        while try socket.receive(into: frames, dontWait: true) {
            if let event = decode() { return event }
        }
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        while true {
            var wait = deadline.remainingMilliseconds
            if let due = rejoin.deadline {
                let now = MonotonicClock.nanoseconds()
                if try rejoin.rejoinIfStalled(socket, now: now) { continue }
                wait = DeadlineClock.wait(wait, until: due, now: now)
            }
            let ready = try ZMQPoller.poll(sockets, timeoutMilliseconds: wait)
            guard ready.contains(true) else {
                if deadline.hasExpired { return nil }
                continue  // Time to look for a PGM stall.
            }
            // What arrived before the connection was lost comes first.
            while try socket.receive(into: frames, dontWait: true) {
                if let event = decode() { return event }
            }
            if let monitor, ready[1], try connectionWasLost(monitor) { return .connectionLost(endpoint: endpoint) }
        }
    }

    /// Takes in the monitor's events; returns whether one was a lost connection.
    private func connectionWasLost(_ monitor: ZMQMonitor) throws -> Bool {
        var lost = false
        while let event = try monitor.next() {
            if var watch = handshake {
                watch.note(.init(event))
                if watch.stage == .refused { throw ClientError(.unavailable, watch.refusal) }
                handshake = watch
            }
            lost = lost || event.kind == .disconnected
        }
        return lost
    }

    private func decode() -> FeedEvent? {
        if rejoin.deadline != nil { rejoin.noteDelivery(now: MonotonicClock.nanoseconds()) }
        guard frames.count == 2 || liveOnAnyMessage else {
            noteMalformed(WireError.wrongFrameCount(frames.count))
            return nil
        }
        guard let first = MulticastFrames.firstOfWholeMessage(count: frames.count, readable: frames.capacity) else {
            cutByLoss += 1
            return nil
        }
        do {
            let topic = frames[first]
            if first > 0 {
                cutByLoss += first
                // SUB filters on a message's first frame: here that was the cut one's topic.
                guard topic.elementsEqual(Topic.heartbeat.rawValue.utf8) || prefixes.contains(where: { $0.matches(topic) }) else { return nil }
            }
            let message = try FeedMessage(topic: topic, body: frames[first + 1])
            if case .heartbeat = message.payload {
                becomeLive(session: message.session, feedSequence: message.feedSequence, publishTime: message.publishTime)
                return .heartbeat(session: message.session, feedSequence: message.feedSequence)
            }
            if liveOnAnyMessage {
                becomeLive(session: message.session, feedSequence: message.feedSequence &- 1, publishTime: message.publishTime)
            }
            return .message(message)
        } catch {
            noteMalformed(error)
            return nil
        }
    }

    private func becomeLive(session: UInt32, feedSequence: UInt64, publishTime: Int64) {
        guard !live else { return }
        live = true
        handshake = nil
        liveSince = (session, feedSequence)
        liveSincePublished = Timestamp(nanoseconds: publishTime)
    }

    private func noteMalformed(_ error: WireError) {
        malformed += 1
        lastMalformedReason = error.description
    }
}

@available(*, unavailable)
extension FeedSubscriber: Sendable {}
