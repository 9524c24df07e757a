import ZeroMQ

/// Tells which subscriber connections have been stalled longer than allowed: their kernel send
/// queue held unsent bytes at every look for that long (the peer reads too slowly, or not at
/// all, so libzmq's queue for it sits at its high-water mark).
///
/// Decisions only: ``FanOut`` looks at its connections every ``sampleIntervalNanoseconds`` and
/// notes what it saw; a single look with nothing unsent clears a connection.
struct SlowSubscriberWatch {
    let limitNanoseconds: Int64
    private var blockedSince: [ConnectionDescriptor: Int64] = [:]

    /// `limitMilliseconds` 0 never finds a subscriber slow.
    init(limitMilliseconds: Int) { limitNanoseconds = Int64(limitMilliseconds) * 1_000_000 }

    var isEnabled: Bool { limitNanoseconds > 0 }

    /// How often connections are looked at: often enough that a subscriber that read anything
    /// in the meantime is unlikely to be missed, at most every 100 ms.
    var sampleIntervalNanoseconds: Int64 { max(10_000_000, min(100_000_000, limitNanoseconds / 10)) }

    /// Notes one look at `connection`; returns whether it has now been stalled too long.
    mutating func note(_ connection: ConnectionDescriptor, unsentBytes: Int, now: Int64) -> Bool {
        guard isEnabled, unsentBytes > 0 else {
            blockedSince[connection] = nil
            return false
        }
        let since = blockedSince[connection] ?? now
        blockedSince[connection] = since
        return now - since >= limitNanoseconds
    }

    mutating func forget(_ connection: ConnectionDescriptor) { blockedSince[connection] = nil }
}
