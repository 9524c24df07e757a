import DequeModule
import Foundation

/// A dedicated thread that writes byte chunks to a file handle in the order they were queued,
/// so that a blocking `write` on a stalled pipe stalls this thread only, never a caller.
///
/// Callers queue without waiting; they wait, if they choose, for a number of bytes to be written:
/// threads by blocking (``waitUntilWritten(_:)``), tasks by suspending
/// (``written(_:)``), which a cancellation ends at once. The thread ends after ``close()``, once
/// the queue is empty.
final class OutputThread: @unchecked Sendable {  // All state is guarded by `condition`.
    private let condition = NSCondition()
    private var chunks: Deque<[UInt8]> = []
    private var queuedTotal = 0
    private var writtenTotal = 0
    private var closed = false
    private var waiters: [Int: (target: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var cancelled: Set<Int> = []
    private var nextWaiter = 0

    /// Starts the thread writing to `output`.
    init(output: FileHandle) {
        Thread.detachNewThread { [self] in run(output) }
    }

    /// Queues `chunk` behind everything queued before; returns the total of bytes queued so far.
    @discardableResult
    func enqueue(_ chunk: [UInt8]) -> Int {
        condition.lock()
        defer { condition.unlock() }
        if !chunk.isEmpty {
            chunks.append(chunk)
            queuedTotal += chunk.count
            condition.broadcast()
        }
        return queuedTotal
    }

    /// Bytes queued and bytes written since the start.
    var totals: (queued: Int, written: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queuedTotal, writtenTotal)
    }

    /// Blocks the calling thread until `total` bytes were written (all of them in total).
    func waitUntilWritten(_ total: Int) {
        condition.lock()
        while writtenTotal < total { condition.wait() }
        condition.unlock()
    }

    /// Suspends until `total` bytes were written, or the task is cancelled.
    func written(_ total: Int) async {
        let id = newWaiterID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                condition.lock()
                if writtenTotal >= total || cancelled.remove(id) != nil {
                    condition.unlock()
                    continuation.resume()
                } else {
                    waiters[id] = (total, continuation)
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let waiter = waiters.removeValue(forKey: id)
            if waiter == nil { cancelled.insert(id) }  // Cancelled before it began to wait.
            condition.unlock()
            waiter?.continuation.resume()
        }
    }

    private func newWaiterID() -> Int {
        condition.lock()
        defer { condition.unlock() }
        nextWaiter += 1
        return nextWaiter
    }

    /// No more chunks will come: the thread writes what is queued and ends.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func run(_ output: FileHandle) {
        while true {
            condition.lock()
            while chunks.isEmpty && !closed { condition.wait() }
            guard let chunk = chunks.popFirst() else {
                condition.unlock()
                return
            }
            condition.unlock()
            // A reader that went away loses the output; the bytes still count as done, so no
            // one waits for them forever.
            try? output.write(contentsOf: chunk)
            condition.lock()
            writtenTotal += chunk.count
            condition.broadcast()
            let ready = waiters.filter { $0.value.target <= writtenTotal }
            for id in ready.keys { waiters[id] = nil }
            condition.unlock()
            for waiter in ready.values { waiter.continuation.resume() }
        }
    }
}
