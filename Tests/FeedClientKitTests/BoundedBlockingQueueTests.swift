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

    /// A push on a thread of its own that has begun to wait for room.
    final class WaitingPush: Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let outcome = Mutex<BoundedBlockingQueue<[Int]>.Push?>(nil)

        /// Starts pushing `element` and returns once the push waits (or after 30 s, failing).
        init(_ element: [Int], to queue: BoundedBlockingQueue<[Int]>) {
            let waiting = DispatchSemaphore(value: 0)
            Thread { [self] in
                let pushed = queue.push(element) { waiting.signal() }
                outcome.withLock { $0 = pushed }
                done.signal()
            }.start()
            #expect(waiting.wait(timeout: .now() + 30) == .success, "the push did not wait")
        }

        /// What became of the push once it returned within `seconds`; `nil` if it still waits.
        func outcome(within seconds: Double) -> BoundedBlockingQueue<[Int]>.Push? {
            guard done.wait(timeout: .now() + seconds) == .success else { return nil }
            return outcome.withLock { $0 }
        }
    }

    @Test func aFullQueueMakesTheProducerWaitUntilTheConsumerRemoves() {
        let queue = Self.queue(limit: 3)
        #expect(queue.push([1, 2]) == .taken)
        #expect(queue.push([3]) == .taken)
        let push = WaitingPush([4], to: queue)
        #expect(queue.waitForAll() == [[1, 2], [3]])  // Taken but still counted: the producer waits on.
        #expect(push.outcome(within: 0) == nil)
        queue.removeFirst(1)
        #expect(push.outcome(within: 30) == .takenAfterWaiting)
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
        let push = WaitingPush([2], to: queue)
        queue.cancel()
        #expect(push.outcome(within: 30) == .refused)
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
