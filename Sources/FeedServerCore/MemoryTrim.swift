import FeedModel
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import CMalloc
#endif

/// Gives memory back to the system after subscribers were disconnected or stalled ones left:
/// what their queues held is freed, but glibc keeps freed memory for the process, which then
/// stays as large as at its peak (1.9 GB after 300 stalled subscribers left, before this).
///
/// Owned by the publishing thread (``FanOut``). A trim (glibc's `malloc_trim`) runs on a
/// thread of its own, so it never holds publishing up, one second after such a queue was let go
/// (by then libzmq has freed it), at most once a second, and never two at once.
/// Elsewhere than glibc, nothing is done.
struct MemoryTrim {
    static let delayNanoseconds: Int64 = 1_000_000_000
    private var dueAt: Int64?
    private var lastTrimAt: Int64 = .min
    private static let running = Atomic<Bool>(false)

    /// A subscriber's queue was let go at `now` (it was disconnected, or left while stalled).
    mutating func noteQueueFreed(now: Int64) {
        if dueAt == nil { dueAt = max(now, lastTrimAt) + Self.delayNanoseconds }
    }

    /// Starts a trim if one is due and none is running.
    mutating func trimIfDue(now: Int64, logger: Logger) {
        guard let dueAt, now >= dueAt else { return }
        #if canImport(Glibc)
        guard !Self.running.exchange(true, ordering: .acquiring) else { return }
        self.dueAt = nil
        lastTrimAt = now
        Thread.detachNewThread {
            let started = MonotonicClock.nanoseconds()
            let released = malloc_trim(0) != 0
            logger.debug(
                "memory trim after subscribers left: \(released ? "gave memory back" : "nothing to give back") in \((MonotonicClock.nanoseconds() - started) / 1_000_000) ms"
            )
            Self.running.store(false, ordering: .releasing)
        }
        #else
        self.dueAt = nil
        #endif
    }
}
