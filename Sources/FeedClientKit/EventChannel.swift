import DequeModule
import Foundation

/// Hands batches of events from a producer thread to an async consumer, with backpressure:
/// the producer waits while `capacity` batches are unread, so memory stays bounded and a slow
/// consumer slows the reading thread (libzmq then queues up to its high-water mark, and the
/// sequenced feed repairs anything dropped beyond it).
final class EventChannel<Element: Sendable>: @unchecked Sendable {  // State guarded by `condition`.
    private let condition = NSCondition()
    private var batches: Deque<[Element]> = []
    private var waiter: CheckedContinuation<[Element]?, any Error>?
    private var ending: Result<Void, any Error>?
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Producer: queues a batch, waiting while the channel is full. Returns `false` once the
    /// consumer has gone, so the producer can stop.
    func send(_ batch: [Element]) -> Bool {
        condition.lock()
        while batches.count >= capacity && !cancelled { condition.wait() }
        if cancelled {
            condition.unlock()
            return false
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: batch)
            return true
        }
        batches.append(batch)
        condition.unlock()
        return true
    }

    /// Producer: no more batches; `error` ends the consumer's iteration with it.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        ending = error.map { .failure($0) } ?? .success(())
        let waiter = self.waiter
        self.waiter = nil
        condition.unlock()
        if let waiter {
            switch ending! {
            case .success: waiter.resume(returning: nil)
            case .failure(let error): waiter.resume(throwing: error)
            }
        }
    }

    /// Consumer: the next batch, or `nil` at the end.
    func receive() async throws -> [Element]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if let batch = batches.popFirst() {
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: batch)
                } else if let ending {
                    condition.unlock()
                    switch ending {
                    case .success: continuation.resume(returning: nil)
                    case .failure(let error): continuation.resume(throwing: error)
                    }
                } else if cancelled {
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

    /// Consumer: stop; the producer's next `send` returns `false`.
    func cancel() {
        condition.lock()
        cancelled = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }
}
