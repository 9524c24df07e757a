import FeedHistory
import FeedModel
import Logging

/// Retention and history measurement, run by the recorder thread between batches.
///
/// Rules:
/// 1. After each batch, at most one oldest segment (about 65,536 messages) is deleted, in its
///    own transaction (``FeedHistory/HistoryStore/expireOldestSegment(_:now:)``): recording
///    waits for one small transaction at a time, never for a backlog of deletions. While there
///    is more to delete, every batch deletes one more; otherwise the policy is looked at again
///    after ``checkIntervalNanoseconds``.
/// 2. The history's range and size in ``ServerCounters`` are measured again after a deletion,
///    and at most once per ``checkIntervalNanoseconds`` otherwise.
/// 3. A failed deletion is logged and tried again at the next check: recording goes on.
struct RetentionRunner {
    static let checkIntervalNanoseconds: Int64 = 1_000_000_000

    let store: HistoryStore
    let policy: RetentionPolicy
    let counters: ServerCounters
    let logger: Logger
    private var nextCheck: Int64 = 0
    private var behind = false

    init(store: HistoryStore, policy: RetentionPolicy, counters: ServerCounters, logger: Logger) {
        self.store = store
        self.policy = policy
        self.counters = counters
        self.logger = logger
        measure()
    }

    /// Runs after a batch was written.
    mutating func afterBatch() {
        let now = MonotonicClock.nanoseconds()
        guard behind || now >= nextCheck else { return }
        nextCheck = now + Self.checkIntervalNanoseconds
        behind = false
        if policy.deletes {
            do {
                if let expired = try store.expireOldestSegment(policy, now: .now()) {
                    behind = true
                    logger.debug("retention deleted \(expired.blocks) blocks, \(expired.messages) messages")
                }
            } catch {
                logger.error("history retention failed, retrying in a second: \(error)")
            }
        }
        measure()
    }

    private func measure() {
        do {
            let range = try store.retainedRange()
            counters.history.withLock { $0 = range }
        } catch {
            logger.warning("cannot measure the history: \(error)")
        }
    }
}
