import FeedModel
import Synchronization

/// Why the server disconnected a subscriber (the keys of `dropped_subscribers` in status).
public enum SubscriberDropReason: String, Sendable, CaseIterable {
    /// It asked for more subscriptions than `--max-subscriptions`.
    case tooManySubscriptions = "too_many_subscriptions"
    /// It sent a subscription longer than a topic can be (49 bytes) but short enough for the
    /// server to read it (longer frames libzmq refuses itself, closing the connection unread).
    case subscriptionTooLong = "subscription_too_long"
    /// Its kernel send queue stayed full for longer than `--slow-subscriber-ms`.
    case slow
    /// It read nothing for a second (or `--slow-subscriber-ms` if shorter) while the feed was
    /// behind its producers (see ``SlowSubscriberWatch``).
    case stalledWhileBehind = "stalled_while_behind"
    /// What the stalled subscribers' queues may hold together went over `--subscriber-memory`,
    /// and it was stalled longest (see ``SubscriberMemoryBudget``).
    case memoryBudget = "memory_budget"
}

/// Counters shared by the server's threads; read by the `status` request and the exit summary.
public final class ServerCounters: Sendable {
    let published = Atomic<UInt64>(0)
    let recorded = Atomic<UInt64>(0)
    /// Messages a relay took from its upstream's history to fill gaps in its own (recorded,
    /// never forwarded: see ``RelayRecording``).
    let filledFromUpstream = Atomic<UInt64>(0)
    /// Messages a relay forwarded and did not record: duplicates of what it recorded (two
    /// upstreams of one origin) and implausible feed sequences (see ``RelayRecording``).
    let forwardedNotRecorded = Atomic<UInt64>(0)
    /// Published messages the recorder gave up on (see ``Recorder``).
    let unrecorded = Atomic<UInt64>(0)
    let lastFeedSequence = Atomic<UInt64>(0)
    let subscriptions = Atomic<UInt64>(0)
    private let rejectedByKind = Mutex<[String: UInt64]>([:])
    /// Live connections per endpoint role (`publish`, `ingest`, `replay`).
    private let connectionsByRole = Mutex<[String: UInt64]>([:])
    /// Connections closed at once because their endpoint had as many as it may hold, per role.
    private let refusedByRole = Mutex<[String: UInt64]>([:])
    /// Subscribers the server disconnected, by reason (see ``SubscriberDropReason``).
    private let droppedSubscribersByReason = Mutex<[String: UInt64]>([:])
    /// Messages each subscriber's queue may hold (ZMQ_SNDHWM, `--send-hwm`).
    let subscriberQueueLimit = Atomic<Int64>(0)
    /// What the stalled subscribers' queues may hold together (`--subscriber-memory`), bytes.
    let subscriberMemoryBudget = Atomic<Int64>(0)
    /// What the stalled subscribers' queues may hold now, estimated from above (bytes, see
    /// ``SubscriberMemoryBudget``), as of the fan-out's last look.
    let stalledSubscriberBytes = Atomic<Int64>(0)
    /// Whether a recorder writes what is published (a relay without `--db` has none).
    let recording: Bool
    let recorderBacklog = RecorderBacklog()
    private let multicast = Mutex<[MulticastCounters]>([])
    /// The history's retained range and size, refreshed by the recorder about once a second
    /// and after retention deleted (nil until the history was first measured).
    let history = Mutex<RetainedRange?>(nil)
    /// CURVE handshakes the ZAP handler refused (reported only when `curve`).
    let refusedKeys = Atomic<UInt64>(0)
    /// Subscriptions with no entitled part (reported only when `curve`).
    let notEntitledSubscriptions = Atomic<UInt64>(0)
    /// Whether CURVE is on (its counters are reported only then).
    let curve: Bool

    init(recording: Bool = true, curve: Bool = false) {
        self.recording = recording
        self.curve = curve
    }

    /// Counts one CURVE key refused; returns how many were so far.
    @discardableResult
    func refuseKey() -> UInt64 { refusedKeys.add(1, ordering: .relaxed).newValue }

    /// Counts one subscription with no entitled part; returns how many were so far.
    @discardableResult
    func refuseSubscription() -> UInt64 { notEntitledSubscriptions.add(1, ordering: .relaxed).newValue }

    /// Counts one dropped ingest message; returns how many of that kind have been dropped.
    @discardableResult
    func reject(_ kind: String) -> UInt64 {
        rejectedByKind.withLock { counts in
            counts[kind, default: 0] += 1
            return counts[kind]!
        }
    }

    /// Sets how many connections the endpoint of `role` holds now.
    func setConnections(_ count: Int, role: String) {
        connectionsByRole.withLock { $0[role] = UInt64(count) }
    }

    /// Counts one connection refused on the endpoint of `role`; returns how many were so far.
    @discardableResult
    func refuseConnection(role: String) -> UInt64 {
        refusedByRole.withLock { counts in
            counts[role, default: 0] += 1
            return counts[role]!
        }
    }

    /// Counts one subscriber disconnected for `reason`; returns how many were so far.
    @discardableResult
    func dropSubscriber(_ reason: SubscriberDropReason) -> UInt64 {
        droppedSubscribersByReason.withLock { counts in
            counts[reason.rawValue, default: 0] += 1
            return counts[reason.rawValue]!
        }
    }

    /// Live connections per endpoint role, for status and metrics.
    public var connections: [String: UInt64] { connectionsByRole.withLock { $0 } }
    /// Connections refused per endpoint role, for status and metrics.
    public var refusedConnections: [String: UInt64] { refusedByRole.withLock { $0 } }
    /// Subscribers disconnected by reason, for status and metrics.
    public var droppedSubscribers: [String: UInt64] { droppedSubscribersByReason.withLock { $0 } }
    /// Dropped ingest messages by kind, for metrics.
    var rejectedCounts: [String: UInt64] { rejectedByKind.withLock { $0 } }

    /// Messages published (or filled) and not yet written to the history, nor given up.
    var recorderLagMessages: UInt64 {
        let handedOver = toRecord
        let done = recorded.load(ordering: .relaxed) + unrecorded.load(ordering: .relaxed)
        return handedOver > done ? handedOver - done : 0
    }

    /// Counters of a new multicast endpoint of the fan-out, listed from now on.
    func addMulticast(endpoint: String, rateKilobits: Int32) -> MulticastCounters {
        let added = MulticastCounters(endpoint: endpoint, rateLimitBytesPerSecond: Int64(rateKilobits) * 1000 / 8)
        multicast.withLock { $0.append(added) }
        return added
    }

    /// The multicast endpoints' counters.
    var multicastEndpoints: [MulticastCounters] { multicast.withLock { $0 } }

    /// Whether everything published is recorded (exact once the publisher and recorder stopped).
    var historyIsComplete: Bool { recorded.load(ordering: .relaxed) == toRecord }

    /// Messages handed to the recorder: those published, and those a relay filled gaps with, less
    /// those a relay did not record.
    private var toRecord: UInt64 {
        let handed = published.load(ordering: .relaxed) + filledFromUpstream.load(ordering: .relaxed)
        let left = forwardedNotRecorded.load(ordering: .relaxed)
        return handed > left ? handed - left : 0
    }

    /// The history's retained range and size as last measured, for `status` and metrics.
    public var historyRange: RetainedRange? { history.withLock { $0 } }

    /// A consistent-enough picture for reporting.
    public func status(session: UInt32) -> ServerStatus {
        var status = ServerStatus(
            session: session, lastFeedSeq: lastFeedSequence.load(ordering: .relaxed),
            published: published.load(ordering: .relaxed), recorded: recorded.load(ordering: .relaxed),
            unrecorded: unrecorded.load(ordering: .relaxed), rejected: rejectedByKind.withLock { $0 },
            subscriptions: subscriptions.load(ordering: .relaxed), connections: connections,
            refusedConnections: refusedConnections, droppedSubscribers: droppedSubscribers,
            subscriberQueueLimit: subscriberQueueLimit.load(ordering: .relaxed), history: historyRange)
        status.refusedKeys = curve ? refusedKeys.load(ordering: .relaxed) : nil
        status.notEntitledSubscriptions = curve ? notEntitledSubscriptions.load(ordering: .relaxed) : nil
        return status
    }
}
