import Synchronization

/// When the oldest block waiting for the recorder was handed over: kept by the recorder's queue
/// (`BoundedBlockingQueue`) under its lock, read by metrics.
final class RecorderBacklog: Sendable {
    /// Monotonic nanoseconds of the oldest waiting block's hand-over; 0 when none waits.
    private let oldestSince = Atomic<Int64>(0)

    func set(oldestSince nanoseconds: Int64?) {
        oldestSince.store(nanoseconds ?? 0, ordering: .relaxed)
    }

    /// Seconds the oldest waiting block has waited at `now`; 0 when none waits.
    func oldestAgeSeconds(now: Int64) -> Double {
        let since = oldestSince.load(ordering: .relaxed)
        return since == 0 ? 0 : Double(max(0, now - since)) / 1e9
    }
}
