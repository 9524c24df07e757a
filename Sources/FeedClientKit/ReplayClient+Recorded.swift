import FeedModel
import Foundation

extension ReplayClient {
    /// Waits until the server's history holds `session` through `feedSequence` (the recorder
    /// writes a moment after publishing). Returns the feed sequence the history is known to
    /// hold that session through (`UInt64.max` for a session that is over: all of it that will
    /// ever be written is written), or `nil` when it did not get there within `timeoutMilliseconds`.
    func waitUntilRecorded(session: UInt32, through feedSequence: UInt64, timeoutMilliseconds: Int) throws -> UInt64? {
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        var pause = 2
        while true {
            let status = try status()
            if status.session != session { return .max }
            // Messages the recorder gave up on will never be written: the history is settled there.
            let (settled, overflow) = status.recorded.addingReportingOverflow(status.unrecorded ?? 0)
            if overflow { return .max }  // Nonsense from the server: nothing more to wait for.
            if settled >= feedSequence { return settled }
            if deadline.hasExpired { return nil }
            // The recorder flushes every block-flush interval (100 ms by default): retry soon, at
            // most 10 ms later, as a subscriber's live stream waits behind this (a status
            // request costs the server little; at 50 ms the wait overshot the flush by up to that).
            Thread.sleep(forTimeInterval: Double(min(pause, max(1, deadline.remainingMilliseconds))) / 1000)
            pause = min(pause * 2, 10)
        }
    }

    /// The highest feed sequence, at most `atMost`, that the history holds for `session`
    /// (0: none). A session is recorded in order from 1, so this is a binary search of
    /// one-message queries; the common case, everything recorded, takes one.
    func lastRecorded(session: UInt32, atMost: UInt64) throws -> UInt64 {
        func holds(_ sequence: UInt64) throws -> Bool {
            let query = HistoryQuery(fromSequence: sequence, toSequence: sequence, session: session)
            return try !page(query, after: nil, maxMessages: 1).messages.isEmpty
        }
        guard atMost > 0, try !holds(atMost) else { return atMost }
        var low: UInt64 = 0  // held (or nothing)
        var high = atMost  // not held
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if try holds(middle) { low = middle } else { high = middle }
        }
        return low
    }
}
