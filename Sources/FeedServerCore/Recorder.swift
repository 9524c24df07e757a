import FeedHistory
import FeedModel
import Foundation
import Logging

/// Writes published messages to the SQLite history on its own thread, in batches of blocks,
/// so recording never sits on the fan-out path.
///
/// The engine calls ``submit(_:)`` with full blocks; the recorder thread writes every block
/// waiting at that moment in one transaction. Nothing is dropped: a failed write is logged and
/// retried, and when the backlog is over its limit ``submit(_:)`` holds the engine until the
/// recorder catches up.
final class Recorder: Sendable {
    /// Messages the recorder may have waiting before the publisher waits for it: about a second
    /// of recording at full rate, and about 80 MiB of blocks at most.
    static let defaultBacklogLimit = 1_000_000

    private let queue: BlockQueue
    private let thread: WorkerThread
    private let logger: Logger

    init(store: HistoryStore, counters: ServerCounters, backlogLimit: Int, logger: Logger) throws {
        let queue = BlockQueue(limit: backlogLimit)
        self.queue = queue
        self.logger = logger
        thread = try WorkerThread.start(name: "recorder", setUp: {}) { _ in
            while let batch = queue.waitForBlocks() {
                Recorder.write(batch, to: store, counters: counters, giveUp: { queue.isClosed }, logger: logger)
                queue.markWritten(batch.count)
            }
        }
    }

    /// Hands a block to the recorder.
    func submit(_ block: MessageBlock) {
        if queue.push(block) {
            logger.warning("recorder fell behind; intake waited for the history to catch up")
        }
    }

    /// Writes everything submitted so far, then ends the recorder thread.
    func stopAndFlush() {
        queue.close()
        thread.join()
    }

    private static func write(
        _ batch: [MessageBlock], to store: HistoryStore, counters: ServerCounters, giveUp: () -> Bool,
        logger: Logger
    ) {
        var attempt = 0
        while true {
            do {
                try store.append(batch)
                counters.recorded.add(UInt64(batch.reduce(0) { $0 + $1.count }), ordering: .relaxed)
                return
            } catch {
                attempt += 1
                let messages = batch.reduce(0) { $0 + $1.count }
                if giveUp() && attempt >= 3 {  // Shutting down: the daemon must still exit promptly.
                    logger.critical("history write failed at shutdown; \(messages) messages not recorded: \(error)")
                    return
                }
                logger.error("history write failed (attempt \(attempt)), retrying: \(error)")
                Thread.sleep(forTimeInterval: min(0.05 * Double(attempt), 1.0))
            }
        }
    }
}
