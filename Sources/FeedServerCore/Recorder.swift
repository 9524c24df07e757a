import FeedClientKit
import FeedHistory
import FeedModel
import Foundation
import Logging
import Synchronization

/// Writes published messages to the SQLite history on its own thread, in batches of blocks,
/// so recording never sits on the fan-out path.
///
/// The engine calls ``submit(_:)`` with full blocks; the recorder thread writes every block
/// waiting at that moment in one transaction. Rules:
/// 1. A failed write is logged and retried with a growing pause. While the backlog is over its
///    limit, ``submit(_:)`` holds the engine until the recorder catches up, so a slow disk
///    loses nothing.
/// 2. A batch that still fails after ``giveUpAfterSeconds`` (a full disk, a file that went
///    away) is given up: logged with its count and counted as `unrecorded`, so the live feed
///    and the daemon's memory are never held hostage by a broken history. The daemon then
///    exits with a non-zero status at stop (see ``FeedServer/historyIsComplete``).
///    While a batch given up has not been followed by a successful write, the history counts
///    as broken and a failing batch gets one attempt only, so a full disk stalls the feed once,
///    not for every batch.
/// 3. Once a stop began (``beginStopping()``), a failing batch is given up after three
///    attempts, or after one once the stop is ``ShutdownBudget/recorderRetryMilliseconds``
///    old (a failing attempt at a large batch can itself take a few hundred milliseconds):
///    the daemon must exit within its 2 s budget.
/// 4. Between batches, ``RetentionRunner`` deletes the oldest history the retention policy
///    lets go, one small transaction at a time.
final class Recorder: Sendable {
    /// Messages the recorder may have waiting before the publisher waits for it: about a second
    /// of recording at full rate, and about 80 MiB of blocks at most.
    static let defaultBacklogLimit = 1_000_000
    /// How long a failing batch is retried while the daemon runs.
    static let giveUpAfterSeconds = 5.0
    /// Attempts at a failing batch once the daemon is stopping.
    static let attemptsWhenStopping = 3

    /// The hand-off from the publishing thread: bounded by messages, a block leaves it only once
    /// written, so the bound counts what is really held in memory.
    private let queue: BoundedBlockingQueue<MessageBlock>
    private let thread: WorkerThread
    /// When a stop began, for rule 3.
    private let stopping = StopSignal()
    /// Whether the publisher is in a stall behind the recorder (for logging it once).
    private let stalled = Atomic<Bool>(false)
    private let logger: Logger

    init(store: HistoryStore, counters: ServerCounters, backlogLimit: Int, retention: RetentionPolicy, logger: Logger) throws {
        let backlog = counters.recorderBacklog
        let queue = BoundedBlockingQueue<MessageBlock>(
            limit: backlogLimit, weight: { $0.count }, oldestChanged: { backlog.set(oldestSince: $0) })
        self.queue = queue
        self.logger = logger
        let stopping = self.stopping
        thread = try WorkerThread.start(name: "recorder", setUp: {}) { _ in
            var historyBroken = false
            var retention = RetentionRunner(store: store, policy: retention, counters: counters, logger: logger)
            while let batch = queue.waitForAll() {
                historyBroken = !Recorder.write(
                    batch, to: store, counters: counters, stopping: stopping, retrying: !historyBroken, logger: logger)
                queue.removeFirst(batch.count)
                retention.afterBatch()
            }
        }
    }

    /// Hands a block to the recorder; waits while its backlog is over the limit (rule 1). The
    /// first wait of a stall is logged when it begins, the end of the stall when it ends.
    func submit(_ block: MessageBlock) {
        func stallBegins() {
            if !stalled.exchange(true, ordering: .relaxed) {
                logger.warning("recorder is behind: intake waits for the history to catch up")
            }
        }
        // An empty block is not queued: there is nothing to write.
        let waited = !block.isEmpty && queue.push(block, beforeWaiting: stallBegins) == .takenAfterWaiting
        if !waited, stalled.exchange(false, ordering: .relaxed) {
            logger.notice("recorder caught up: intake flows again")
        }
    }

    /// From now on a failing write is given up quickly (rule 3). Call when a stop begins,
    /// before waiting for the publishing thread, which may be waiting for the recorder.
    func beginStopping() {
        stopping.begin()
    }

    /// Writes everything submitted so far, then ends the recorder thread.
    func stopAndFlush() {
        beginStopping()
        queue.finish()
        thread.join()
    }

    /// Writes `batch`; returns whether it was written. Without `retrying` (the history is
    /// broken, rule 2) a failing batch gets one attempt.
    private static func write(
        _ batch: [MessageBlock], to store: HistoryStore, counters: ServerCounters, stopping: StopSignal, retrying: Bool,
        logger: Logger
    ) -> Bool {
        let messages = batch.reduce(0) { $0 + $1.count }
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            do {
                try store.append(batch)
                counters.recorded.add(UInt64(messages), ordering: .relaxed)
                return true
            } catch {
                attempt += 1
                let failingFor = ContinuousClock.now - started
                let stoppingFor = stopping.millisecondsSinceBegin
                let retriesLeftWhileStopping = stoppingFor.map { attempt < attemptsWhenStopping && $0 < ShutdownBudget.recorderRetryMilliseconds }
                if !retrying || retriesLeftWhileStopping == false || failingFor >= .seconds(giveUpAfterSeconds) {
                    counters.unrecorded.add(UInt64(messages), ordering: .relaxed)
                    logger.critical(
                        "history write failing for \(failingFor) (\(attempt) attempts); \(messages) messages not recorded: \(error)")
                    return false
                }
                logger.error("history write failed (attempt \(attempt)), retrying: \(error)")
                // A growing pause, cut short when a stop begins.
                _ = stopping.latch.wait(timeoutMilliseconds: min(50 * attempt, 1000))
            }
        }
    }
}

/// A stop that may begin: a latch to cut waits short, and when it was opened.
private final class StopSignal: Sendable {
    let latch = Latch()
    private let beganAt = Atomic<Int64>(0)

    func begin() {
        _ = beganAt.compareExchange(expected: 0, desired: MonotonicClock.nanoseconds(), ordering: .relaxed)
        latch.open()
    }

    /// Milliseconds since the stop began, or `nil` before.
    var millisecondsSinceBegin: Int? {
        let began = beganAt.load(ordering: .relaxed)
        return began == 0 ? nil : Int((MonotonicClock.nanoseconds() - began) / 1_000_000)
    }
}
