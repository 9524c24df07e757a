import DequeModule
import FeedModel
import Foundation

/// The one hand-off between threads in this package: a producer thread pushes, one consumer
/// takes, and the producer waits while the queue is full, so memory stays bounded and nothing is
/// dropped. The bound counts each element's `weight` (1 by default; the recorder counts the
/// messages of each block). Package-internal: the server's recorder and ``FeedSubscription`` use it.
///
/// The consumer is either a thread or a task:
/// - a thread takes everything pending with ``waitForAll()`` and removes it with
///   ``removeFirst(_:)`` once handled, so the bound counts what is really still held;
/// - a task awaits one element at a time with ``next()`` (cancelling the task cancels the queue).
///
/// It ends from either side. The producer's ``finish()``: the consumer gets what is left, then
/// `nil`; a later push is still taken (without waiting), so nothing is lost. The consumer's
/// ``cancel()``: waiting and later pushes are refused, so the producer can stop.
package final class BoundedBlockingQueue<Element: Sendable>: @unchecked Sendable {  // State guarded by `condition`.
    /// What became of a pushed element.
    package enum Push: Equatable, Sendable {
        /// Queued (or handed to the waiting consumer) at once.
        case taken
        /// Queued after waiting for the consumer to make room.
        case takenAfterWaiting
        /// The consumer cancelled: the element was not queued.
        case refused
    }

    private let condition = NSCondition()
    /// Each pending element with when it was pushed (monotonic nanoseconds).
    private var pending: Deque<(element: Element, since: Int64)> = []
    private var pendingWeight = 0
    private var waiter: CheckedContinuation<Element?, Never>?
    private var finished = false
    private var cancelled = false
    private let limit: Int
    private let weight: @Sendable (Element) -> Int
    private let oldestChanged: @Sendable (Int64?) -> Void

    /// - Parameters:
    ///   - limit: the total weight at which a push waits.
    ///   - weight: an element's share of the limit.
    ///   - oldestChanged: called under the queue's lock with when the oldest pending element was
    ///     pushed (monotonic nanoseconds), `nil` once none is pending; for a backlog metric.
    package init(
        limit: Int, weight: @escaping @Sendable (Element) -> Int = { _ in 1 },
        oldestChanged: @escaping @Sendable (Int64?) -> Void = { _ in }
    ) {
        self.limit = limit
        self.weight = weight
        self.oldestChanged = oldestChanged
    }

    /// Producer: queues `element`, waiting while the pending weight is at the limit. Calls
    /// `beforeWaiting` (outside the lock) just before such a wait begins.
    @discardableResult
    package func push(_ element: Element, beforeWaiting: () -> Void = {}) -> Push {
        condition.lock()
        var waited = false
        while pendingWeight >= limit && !finished && !cancelled {
            if !waited {
                condition.unlock()
                beforeWaiting()
                condition.lock()
                waited = true
                continue  // The consumer may have made room meanwhile.
            }
            condition.wait()
        }
        if cancelled {
            condition.unlock()
            return .refused
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: element)
            return waited ? .takenAfterWaiting : .taken
        }
        pending.append((element, MonotonicClock.nanoseconds()))
        pendingWeight += weight(element)
        if pending.count == 1 { oldestChanged(pending.first?.since) }
        condition.broadcast()
        condition.unlock()
        return waited ? .takenAfterWaiting : .taken
    }

    /// Producer: no more elements; the consumer gets what is pending, then `nil`.
    package func finish() { end(cancelling: false) }

    /// Consumer thread: waits for elements and returns every element pending now, still counted
    /// as pending until ``removeFirst(_:)``; `nil` once the queue has ended and is empty.
    package func waitForAll() -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !finished && !cancelled { condition.wait() }
        if pending.isEmpty { return nil }
        return pending.map { $0.element }
    }

    /// Consumer thread: removes the first `count` elements once they are handled.
    package func removeFirst(_ count: Int) {
        condition.lock()
        defer { condition.unlock() }
        for _ in 0..<count { pendingWeight -= weight(pending.removeFirst().element) }
        oldestChanged(pending.first?.since)
        condition.broadcast()
    }

    /// Consumer task: the next element, or `nil` once the queue has ended and is empty.
    package func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                condition.lock()
                if let first = pending.popFirst() {
                    pendingWeight -= weight(first.element)
                    oldestChanged(pending.first?.since)
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: first.element)
                } else if finished || cancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Consumer: stop; the producer's waiting and later pushes return ``Push/refused``.
    package func cancel() { end(cancelling: true) }

    /// Ends the queue from either side and wakes everyone waiting on it.
    private func end(cancelling: Bool) {
        condition.lock()
        if cancelling { cancelled = true } else { finished = true }
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }
}
