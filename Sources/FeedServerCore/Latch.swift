import Foundation

/// A one-time event: once ``open()`` was called, every ``wait()`` returns at once, on any thread.
final class Latch: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func open() { semaphore.signal() }

    /// Blocks the calling thread until the latch is open.
    func wait() {
        semaphore.wait()
        semaphore.signal()  // Passes the opening on to the next waiter.
    }

    /// Waits for at most `milliseconds`. Returns whether the latch is open.
    func wait(timeoutMilliseconds milliseconds: Int) -> Bool {
        guard semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else { return false }
        semaphore.signal()
        return true
    }
}
