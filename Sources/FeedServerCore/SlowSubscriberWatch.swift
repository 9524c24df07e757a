import ZeroMQ

/// Tells which subscriber connections are stalled, since when, and which have been stalled
/// longer than allowed: their kernel send queue held unsent bytes at every look for that long
/// (the peer reads too slowly, or not at all, so libzmq's queue for it fills up to its
/// high-water mark).
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
    }

    let limitNanoseconds: Int64
    private(set) var stalls: [ConnectionDescriptor: Stall] = [:]

    /// `limitMilliseconds` 0 never finds a subscriber slow (stalls are still noted).
    init(limitMilliseconds: Int) { limitNanoseconds = Int64(limitMilliseconds) * 1_000_000 }

    /// How often connections are looked at: often enough that a subscriber that read anything
    /// in the meantime is unlikely to be missed, at most every 100 ms.
    var sampleIntervalNanoseconds: Int64 {
        limitNanoseconds > 0 ? max(10_000_000, min(100_000_000, limitNanoseconds / 10)) : 100_000_000
    }

    /// Notes one look at `connection` when `published` messages had been published; returns
    /// whether it has now been stalled too long.
    mutating func note(_ connection: ConnectionDescriptor, unsentBytes: Int, now: Int64, published: UInt64) -> Bool {
        guard unsentBytes > 0 else {
            stalls[connection] = nil
            return false
        }
        let stall = stalls[connection] ?? Stall(since: now, publishedBefore: published)
        stalls[connection] = stall
        return limitNanoseconds > 0 && now - stall.since >= limitNanoseconds
    }

    mutating func forget(_ connection: ConnectionDescriptor) { stalls[connection] = nil }
}
