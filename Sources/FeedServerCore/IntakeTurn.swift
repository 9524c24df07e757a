import FeedModel

/// How much one turn of the publishing loop takes in before it looks at everything else
/// (subscriptions, stalled subscribers, block flushes, heartbeats): at most ``messages``, and
/// no longer than ``nanoseconds``. The time limit matters when each message is slow to publish:
/// beside 1,000 subscribers that read nothing, 4,096 messages took over a second, and the
/// stalled-subscriber checks that free the feed waited that long between looks.
struct IntakeTurn {
    static let messages = 4096
    static let nanoseconds: Int64 = 20_000_000

    private let deadline = MonotonicClock.nanoseconds() + Self.nanoseconds
    private(set) var taken = 0
    /// Whether the turn ended at a limit rather than because nothing more was waiting.
    private(set) var endedAtLimit = false

    /// Counts one more message in, and ends the turn at a limit. The clock is read every 64
    /// messages only.
    mutating func count() {
        taken += 1
        if taken >= Self.messages || (taken & 63 == 0 && MonotonicClock.nanoseconds() >= deadline) { endedAtLimit = true }
    }
}
