import FeedClientKit
import FeedModel
import Synchronization

/// Why `subscribe` stopped before its `--count` was reached or the feed ended.
enum SubscriptionStop: Equatable, Sendable {
    /// SIGINT or SIGTERM, by name.
    case signal(String)
    /// `--duration` elapsed.
    case duration
    /// Nothing arrived, not even a heartbeat, for `--silence-timeout-ms`.
    case silence(milliseconds: Int)
}

/// Watches a running subscription from beside the loop that prints it, which may be waiting for
/// the next event for any length of time: flushes printed lines while the feed is idle, and
/// names the moment to stop at the `--duration` deadline or when the publisher has gone silent.
///
/// Silence is measured only while the printing loop waits for an event, so output blocked by a
/// slow reader (a pager) is never mistaken for a dead publisher.
final class SubscriptionWatch: Sendable {
    /// How often the watch looks (and flushes), in milliseconds.
    static let tickMilliseconds = 100

    private let writer: LineWriter
    private let deadline: DeadlineClock
    private let silenceLimitNanoseconds: Int64?
    /// Monotonic nanoseconds at which the loop began waiting for an event; 0 while it works.
    private let waitingSince = Atomic<Int64>(0)
    private let received = Atomic<Int>(0)

    /// A watch over output to `writer`; `silenceLimitMilliseconds` of 0 never calls a feed silent.
    init(writer: LineWriter, deadline: DeadlineClock, silenceLimitMilliseconds: Int) {
        self.writer = writer
        self.deadline = deadline
        silenceLimitNanoseconds = silenceLimitMilliseconds > 0 ? Int64(silenceLimitMilliseconds) * 1_000_000 : nil
    }

    /// Messages printed so far.
    var messagesReceived: Int { received.load(ordering: .relaxed) }

    /// The printing loop is about to wait for the next event.
    func beginWaiting() { waitingSince.store(MonotonicClock.nanoseconds(), ordering: .relaxed) }

    /// An event arrived; `isMessage` when it was a message (counted).
    func eventArrived(isMessage: Bool) {
        waitingSince.store(0, ordering: .relaxed)
        if isMessage { received.add(1, ordering: .relaxed) }
    }

    /// Flushes idle output until the deadline passes or the feed falls silent, and says which;
    /// `nil` when cancelled first.
    func untilStop() async -> SubscriptionStop? {
        while !Task.isCancelled {
            writer.flushIfOlder(thanMilliseconds: Int64(Self.tickMilliseconds))
            if deadline.hasExpired { return .duration }
            let since = waitingSince.load(ordering: .relaxed)
            if let limit = silenceLimitNanoseconds, since != 0, MonotonicClock.nanoseconds() - since >= limit {
                return .silence(milliseconds: Int(limit / 1_000_000))
            }
            try? await Task.sleep(for: .milliseconds(Self.tickMilliseconds))
        }
        return nil
    }
}
