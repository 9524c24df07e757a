import DequeModule
import FeedModel
import Foundation

/// The hand-off from the engine thread to the recorder thread: blocks waiting to be written.
///
/// Bounded without loss: ``push(_:)`` waits while more than `limit` messages are pending.
/// A block leaves the queue only after it was written (``markWritten(_:)``), so the bound
/// counts what is really held in memory.
final class BlockQueue: @unchecked Sendable {  // All state is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: Deque<MessageBlock> = []
    /// When each pending block was pushed (monotonic nanoseconds), for ``RecorderBacklog``.
    private var pushedAt: Deque<Int64> = []
    private var pendingMessages = 0
    private var closed = false
    private let limit: Int
    private let backlog: RecorderBacklog

    init(limit: Int, backlog: RecorderBacklog = RecorderBacklog()) {
        self.limit = limit
        self.backlog = backlog
    }

    /// Adds a block; returns `true` if it had to wait for the writer to catch up, and calls
    /// `beforeWaiting` (outside the lock) just before such a wait begins.
    @discardableResult
    func push(_ block: MessageBlock, beforeWaiting: () -> Void = {}) -> Bool {
        guard !block.isEmpty else { return false }
        condition.lock()
        defer { condition.unlock() }
        var waited = false
        while pendingMessages >= limit && !closed {
            if !waited {
                condition.unlock()
                beforeWaiting()
                condition.lock()
                waited = true
                continue  // The writer may have made room meanwhile.
            }
            condition.wait()
        }
        pending.append(block)
        pushedAt.append(MonotonicClock.nanoseconds())
        if pushedAt.count == 1 { backlog.set(oldestSince: pushedAt.first) }
        pendingMessages += block.count
        condition.broadcast()
        return waited
    }

    /// Waits for blocks and returns every block pending now (still counted as pending);
    /// `nil` once the queue is closed and empty.
    func waitForBlocks() -> [MessageBlock]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !closed { condition.wait() }
        if pending.isEmpty { return nil }
        return Array(pending)
    }

    /// Removes the first `count` blocks after the writer stored them.
    func markWritten(_ count: Int) {
        condition.lock()
        defer { condition.unlock() }
        for _ in 0..<count { pendingMessages -= pending.removeFirst().count }
        pushedAt.removeFirst(count)
        backlog.set(oldestSince: pushedAt.first)
        condition.broadcast()
    }

    /// No more pushes will come; the writer drains what is left and stops.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
