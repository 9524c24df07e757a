import Foundation
import Synchronization
import Testing

@testable import FeedClientKit

/// The hand-off queue of the recorder and of ``FeedSubscription``: a full queue makes the
/// producer wait (nothing dropped), the pending weight counts until the consumer removes, and
/// either side can end it. Waits are handshakes (`beforeWaiting`), bounded by a timeout.
struct BoundedBlockingQueueTests {
    /// A queue of arrays weighing their element count, as the recorder's blocks weigh messages.
    static func queue(limit: Int, oldestChanged: @escaping @Sendable (Int64?) -> Void = { _ in }) -> BoundedBlockingQueue<[Int]> {
        BoundedBlockingQueue(limit: limit, weight: { $0.count }, oldestChanged: oldestChanged)
    }

    /// Pushes `element` on a thread of its own; `waiting` is signalled when the push starts to
    /// wait, `result` receives what became of it.
    static func pushOnThread(
        _ element: [Int], to queue: BoundedBlockingQueue<[Int]>, waiting: DispatchSemaphore,
        result: @escaping @Sendable (BoundedBlockingQueue<[Int]>.Push) -> Void
    ) {
        Thread { result(queue.push(element) { waiting.signal() }) }.start()
    }

    @Test func aFullQueueMakesTheProducerWaitUntilTheConsumerRemoves() {
        let queue = Self.queue(limit: 3)
        #expect(queue.push([1, 2]) == .taken)
        #expect(queue.push([3]) == .taken)
        let waiting = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<BoundedBlockingQueue<[Int]>.Push?>(nil)
        Self.pushOnThread([4], to: queue, waiting: waiting) { pushed in
            outcome.withLock { $0 = pushed }
            done.signal()
        }
        #expect(waiting.wait(timeout: .now() + 30) == .success)
        #expect(queue.waitForAll() == [[1, 2], [3]])  // Taken but still counted: the producer waits on.
        #expect(done.wait(timeout: .now()) == .timedOut)
        queue.removeFirst(1)
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(outcome.withLock { $0 } == .takenAfterWaiting)
        #expect(queue.waitForAll() == [[3], [4]])
    }

    @Test func finishHandsOverWhatIsLeftThenNilAndLosesNoLatePush() {
        let queue = Self.queue(limit: 1)
        #expect(queue.push([1]) == .taken)
        queue.finish()
        #expect(queue.push([2]) == .taken)  // Over the limit, yet taken at once: nobody would make room.
        #expect(queue.waitForAll() == [[1], [2]])
        queue.removeFirst(2)
        #expect(queue.waitForAll() == nil)
    }

    @Test func cancelRefusesTheWaitingAndLaterPushes() {
        let queue = Self.queue(limit: 1)
        #expect(queue.push([1]) == .taken)
        let waiting = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<BoundedBlockingQueue<[Int]>.Push?>(nil)
        Self.pushOnThread([2], to: queue, waiting: waiting) { pushed in
            outcome.withLock { $0 = pushed }
            done.signal()
        }
        #expect(waiting.wait(timeout: .now() + 30) == .success)
        queue.cancel()
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(outcome.withLock { $0 } == .refused)
        #expect(queue.push([3]) == .refused)
    }

    @Test func aTaskTakesElementsInOrderThenNilAtTheEnd() async {
        let queue = BoundedBlockingQueue<Int>(limit: 2)
        #expect(queue.push(1) == .taken)
        #expect(queue.push(2) == .taken)
        #expect(await queue.next() == 1)
        #expect(await queue.next() == 2)
        let third = Task { await queue.next() }
        Thread {
            queue.push(3)
            queue.finish()
        }.start()
        #expect(await third.value == 3)
        #expect(await queue.next() == nil)
    }

    @Test func cancellingTheConsumingTaskCancelsTheQueue() async {
        let queue = BoundedBlockingQueue<Int>(limit: 2)
        let consumer = Task { await queue.next() }
        consumer.cancel()
        #expect(await consumer.value == nil)
        #expect(queue.push(1) == .refused)
    }

    @Test func oldestChangedFollowsTheOldestPendingPush() {
        let reports = Mutex<[Int64?]>([])
        let queue = Self.queue(limit: 10) { since in reports.withLock { $0.append(since) } }
        queue.push([1])
        queue.push([2])  // Not the oldest: no report.
        queue.removeFirst(1)
        queue.removeFirst(1)
        let seen = reports.withLock { $0 }
        #expect(seen.count == 3)
        if seen.count == 3, let first = seen[0], let second = seen[1] {
            #expect(first > 0 && first <= second)
            #expect(seen[2] == nil)
        }
    }
}
