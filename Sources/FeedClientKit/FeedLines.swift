import DequeModule
import FeedModel
import ZeroMQ

/// The lines of one subscription: a ``FeedSubscriber`` per endpoint carrying the same feed (A/B
/// lines), read together on the caller's thread, each event tagged with its line.
///
/// Lines are read in turn (one event from each that has one), so a busy line cannot starve the
/// others; with one line this is that line's own ``FeedSubscriber/next(timeoutMilliseconds:)``.
/// Not `Sendable`: one thread owns it, as it owns the subscribers.
final class FeedLines {
    let subscribers: [FeedSubscriber]
    /// Events read while waiting for the first line to go live.
    private var pending: Deque<(line: Int, event: FeedEvent)> = []
    /// The line read first next time.
    private var cursor = 0

    init(_ subscribers: [FeedSubscriber]) {
        precondition(!subscribers.isEmpty, "a subscription needs a line")
        self.subscribers = subscribers
    }

    /// Waits until any line is live (its first heartbeat, or over PGM its first message) and
    /// returns that line, or `nil` if none was within the timeout. Events read meanwhile are
    /// the first ``next(timeoutMilliseconds:)`` returns.
    func waitUntilAnyLive(timeoutMilliseconds: Int) throws -> Int? {
        if subscribers.count == 1 {
            return try subscribers[0].waitUntilLive(timeoutMilliseconds: timeoutMilliseconds) ? 0 : nil
        }
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        while true {
            for (line, subscriber) in subscribers.enumerated() {
                while let event = try subscriber.next(timeoutMilliseconds: 0) {
                    pending.append((line, event))
                    if subscriber.liveSince != nil { return line }
                }
            }
            guard try poll(timeoutMilliseconds: deadline.remainingMilliseconds) else { return nil }
        }
    }

    /// The next event of any line, waiting up to `timeoutMilliseconds` (-1: forever); `nil` on timeout.
    func next(timeoutMilliseconds: Int) throws -> (line: Int, event: FeedEvent)? {
        if let event = pending.popFirst() { return event }
        if subscribers.count == 1 {
            return try subscribers[0].next(timeoutMilliseconds: timeoutMilliseconds).map { (0, $0) }
        }
        var deadline: DeadlineClock?  // Read the clock only when there is nothing to read.
        while true {
            // What is queued first (no system call), then each line's full look (its connection,
            // a PGM stall) before waiting.
            if let event = try readInTurn({ try $0.nextQueued() }) { return event }
            if let event = try readInTurn({ try $0.next(timeoutMilliseconds: 0) }) { return event }
            if deadline == nil { deadline = DeadlineClock(milliseconds: timeoutMilliseconds) }
            guard try poll(timeoutMilliseconds: deadline!.remainingMilliseconds) else { return nil }
        }
    }

    /// The first event `read` gives, trying the lines in turn from the cursor.
    private func readInTurn(_ read: (FeedSubscriber) throws -> FeedEvent?) throws -> (line: Int, event: FeedEvent)? {
        for offset in subscribers.indices {
            let line = (cursor + offset) % subscribers.count
            if let event = try read(subscribers[line]) {
                cursor = (line + 1) % subscribers.count
                return (line, event)
            }
        }
        return nil
    }

    /// Waits until a socket of any line is readable, or a line's PGM stall check is due (each
    /// line's own read makes it); `false` on timeout.
    private func poll(timeoutMilliseconds: Int) throws -> Bool {
        var wait = timeoutMilliseconds
        if let due = subscribers.compactMap(\.rejoinDeadline).min() {
            wait = DeadlineClock.wait(wait, until: due, now: MonotonicClock.nanoseconds())
            if wait != timeoutMilliseconds {
                _ = try ZMQPoller.poll(subscribers.flatMap(\.sockets), timeoutMilliseconds: wait)
                return true  // Read every line again: that checks the stall.
            }
        }
        return try ZMQPoller.poll(subscribers.flatMap(\.sockets), timeoutMilliseconds: wait).contains(true)
    }
}

@available(*, unavailable)
extension FeedLines: Sendable {}
