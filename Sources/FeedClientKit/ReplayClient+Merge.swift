import FeedHistory
import FeedModel

extension ReplayClient {
    /// Waits until the server's history holds its current session through `feedSequence`
    /// (the recorder writes a moment after publishing). Returns the server's session, or `nil`
    /// when the history did not get there within `timeoutMilliseconds`.
    func waitUntilRecorded(session: UInt32, through feedSequence: UInt64, timeoutMilliseconds: Int) throws -> Bool {
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        var pause = 2
        while true {
            let status = try status()
            if status.session != session { return true }  // That session is over: all of it was written.
            if status.recorded >= feedSequence { return true }
            if deadline.hasExpired { return false }
            // The recorder flushes every block-flush interval (100 ms by default): retry soon.
            ThreadPause.milliseconds(min(pause, max(1, deadline.remainingMilliseconds)))
            pause = min(pause * 2, 50)
        }
    }

    /// Every message matching `query`, page by page, in publish order, decoded; stops early
    /// when `body` returns `false`.
    func forEachMessage(_ query: HistoryQuery, _ body: (FeedMessage) throws -> Bool) throws {
        try forEachPage(query, pageSize: 10_000) { block in
            var goOn = true
            try block.forEach { topic, messageBody in
                goOn = try body(try FeedMessage(topic: topic, body: messageBody))
                return goOn
            }
            return goOn
        }
    }
}
