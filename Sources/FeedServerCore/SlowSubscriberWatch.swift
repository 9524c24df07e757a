import ZeroMQ

/// One look at a subscriber connection's kernel send queue.
struct SendQueueLook {
    /// Bytes not sent yet (see ``ConnectionDescriptor/unsentBytes(unix:)``).
    let unsentBytes: Int
    /// All the bytes the peer acknowledged so far; `nil` for IPC (see
    /// ``ConnectionDescriptor/acknowledgedBytes()``).
    let acknowledgedBytes: UInt64?
}

/// Tells which subscriber connections are stalled, since when, and which to disconnect:
///
/// - **slow**: its kernel send queue held unsent bytes at every look for longer than
///   `--slow-subscriber-ms` (the peer reads too slowly, or not at all, so libzmq's queue for it
///   fills up to its high-water mark);
/// - **stalled while the feed is behind**: while the feed has been behind its producers for
///   ``behindNanoseconds`` (``FeedBacklog``), a TCP subscriber whose peer acknowledged nothing
///   for ``idleWhileBehindNanoseconds`` (or `--slow-subscriber-ms` if shorter) with bytes
///   waiting for it. It reads nothing, yet libzmq writes every message into its queue on the
///   publishing thread until the queue is full, which is what holds the others back: 1,000 such
///   subscribers slowed publishing to a few thousand messages a second (BENCHMARKS.md). A peer
///   that reads at all, however slowly, acknowledges bytes between two looks and is left to the
///   slow rule.
///
/// Decisions only: ``FanOut`` looks at its connections every ``sampleIntervalNanoseconds`` and
/// notes what it saw with how many messages it had published by then; a single look with
/// nothing unsent clears a connection. The stalls feed ``SubscriberMemoryBudget``.
struct SlowSubscriberWatch {
    /// A connection found stalled at every look since `since`.
    struct Stall {
        let since: Int64
        /// Messages the fan-out had published when it was first found stalled.
        let publishedBefore: UInt64
        /// What the peer had acknowledged at the last look, and since when that has not grown.
        var acknowledged: UInt64?
        var idleSince: Int64
    }

    /// Why a connection is to be disconnected.
    enum Verdict {
        case slow
        case stalledWhileBehind
    }

    /// How long the feed must have been behind, and a peer silent, for ``Verdict/stalledWhileBehind``.
    static let behindNanoseconds: Int64 = 1_000_000_000
    static let idleWhileBehindNanoseconds: Int64 = 1_000_000_000

    let limitNanoseconds: Int64
    private(set) var stalls: [ConnectionDescriptor: Stall] = [:]

    /// How long a peer may acknowledge nothing while the feed is behind: a second, or the slow
    /// limit if shorter.
    var idleLimitWhileBehindNanoseconds: Int64 { min(limitNanoseconds, Self.idleWhileBehindNanoseconds) }

    /// `limitMilliseconds` 0 disconnects no subscriber (stalls are still noted).
    init(limitMilliseconds: Int) { limitNanoseconds = Int64(limitMilliseconds) * 1_000_000 }

    /// How often connections are looked at: often enough that a subscriber that read anything
    /// in the meantime is unlikely to be missed, at most every 100 ms.
    var sampleIntervalNanoseconds: Int64 {
        limitNanoseconds > 0 ? max(10_000_000, min(100_000_000, limitNanoseconds / 10)) : 100_000_000
    }

    /// Notes one look at `connection` when `published` messages had been published and the feed
    /// was behind its producers (or not); returns whether to disconnect it, and why.
    mutating func note(_ connection: ConnectionDescriptor, _ look: SendQueueLook, now: Int64, published: UInt64, feedBehind: Bool) -> Verdict? {
        guard look.unsentBytes > 0 else {
            stalls[connection] = nil
            return nil
        }
        var stall = stalls[connection] ?? Stall(since: now, publishedBefore: published, acknowledged: look.acknowledgedBytes, idleSince: now)
        if look.acknowledgedBytes != stall.acknowledged {
            stall.acknowledged = look.acknowledgedBytes
            stall.idleSince = now
        }
        stalls[connection] = stall
        guard limitNanoseconds > 0 else { return nil }
        if now - stall.since >= limitNanoseconds { return .slow }
        if feedBehind, look.acknowledgedBytes != nil, now - stall.idleSince >= idleLimitWhileBehindNanoseconds {
            return .stalledWhileBehind
        }
        return nil
    }

    mutating func forget(_ connection: ConnectionDescriptor) { stalls[connection] = nil }
}
