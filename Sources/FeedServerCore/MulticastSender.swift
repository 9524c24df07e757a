import FeedModel
import ZeroMQ

/// One PGM multicast PUB of the fan-out, owned by the publishing thread (engine or relay).
///
/// libzmq queues at most about a second of messages at the configured rate (``queueLimit``), so
/// multicast subscribers never fall far behind TCP ones and a stop knows how much it may leave
/// unsent. A full queue means the rate is the bottleneck: ``send(topic:body:waiting:)`` then
/// waits in slices of ``ShutdownBudget/multicastWaitSliceMilliseconds`` (returning `false` after
/// each) or, when not waiting, gives the message up and counts it.
final class MulticastSender {
    /// The endpoint as handed to libzmq (interface resolved to its address).
    let endpoint: String
    /// Messages libzmq may hold for this sender before sends wait (its ZMQ_SNDHWM).
    let queueLimit: Int32
    /// Waits and messages given up because the queue was full and waiting was no longer allowed.
    let counters: MulticastCounters
    private var reportedBottleneck = false
    private let socket: ZMQSocket

    /// About 86 bytes on the wire per feed message (a 64-byte quote, its topic and framing,
    /// PGM/UDP/IP headers shared by a packet): 100 Mbit/s carried 145,000 messages a second here.
    static let wireBytesPerMessage = 86

    /// - Parameter maximumQueue: the fan-out's ZMQ_SNDHWM; 0 means no limit of its own.
    init(context: ZMQContext, endpoint: String, settings: MulticastSettings, maximumQueue: Int32, counters: MulticastCounters) throws {
        self.endpoint = endpoint
        self.counters = counters
        queueLimit = Self.queueLimit(rateKilobits: settings.rateKilobits, maximumQueue: maximumQueue)
        socket = try ZMQSocket(context, .pub)
        try socket.set(.linger, 0)
        try socket.set(.sendHighWaterMark, queueLimit)
        try socket.set(.multicastRate, settings.rateKilobits)
        try socket.set(.recoveryInterval, settings.recoveryIntervalMilliseconds)
        try socket.set(.multicastHops, settings.hops)
        try socket.set(.sendBuffer, ZMQSocket.pgmSocketBufferBytes)
        // A rate-limited PGM PUB otherwise discards what exceeds its queue without a word
        // (measured: 3,850 of 100,000 left). With NODROP a full queue makes a send wait, bounded
        // by SNDTIMEO so the publishing thread can look for a stop request in between: zmq_poll
        // cannot be used for that, it reports a PUB as writable even when its queue is full.
        try socket.set(.xpubNoDrop, 1)
        try socket.set(.sendTimeout, ShutdownBudget.multicastWaitSliceMilliseconds)
        try socket.connect(endpoint)
    }

    /// One second of messages at `rateKilobits`, capped by `maximumQueue` (0: no cap), at least 1
    /// (0 would mean unlimited to libzmq).
    static func queueLimit(rateKilobits: Int32, maximumQueue: Int32) -> Int32 {
        let perSecond = Int64(rateKilobits) * 1000 / 8 / Int64(wireBytesPerMessage)
        let capped = maximumQueue > 0 ? min(perSecond, Int64(maximumQueue)) : perSecond
        return Int32(clamping: max(1, capped))
    }

    /// Sends one message. Returns `false` if the queue stayed full for a wait slice (`waiting`)
    /// or was full at once (not `waiting`); the caller decides whether to try again or
    /// ``giveUp()``. A send that waits is counted with the time it waited; one that need not
    /// wait costs nothing more.
    func send(topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, waiting: Bool) throws -> Bool {
        if try !socket.send(topic, more: true, dontWait: true) {
            guard waiting else { return false }
            let started = MonotonicClock.nanoseconds()
            let sent = try socket.send(topic, more: true)  // Waits up to SNDTIMEO.
            counters.noteWait(nanoseconds: MonotonicClock.nanoseconds() - started)
            guard sent else { return false }
        }
        // libzmq checks its queue limit on the first frame of a message only, so the body frame
        // is always accepted; the loop guards the message against ever being left half sent.
        while try !socket.send(body) {}
        return true
    }

    /// Counts a message that will not be sent on this endpoint.
    func giveUp() { counters.givenUp.add(1, ordering: .relaxed) }

    /// Messages given up so far.
    var givenUp: UInt64 { counters.givenUp.load(ordering: .relaxed) }

    /// Whether this is the first time the queue was found full (for a one-time notice).
    func noteFullQueue() -> Bool {
        defer { reportedBottleneck = true }
        return !reportedBottleneck
    }
}

@available(*, unavailable)
extension MulticastSender: Sendable {}
