import Synchronization

/// What one multicast sender counts, written by the publishing thread on its slow paths only
/// (a full queue, a stop), read by metrics.
final class MulticastCounters: Sendable {
    /// The endpoint as handed to libzmq.
    let endpoint: String
    /// The configured PGM rate.
    let rateLimitBytesPerSecond: Int64
    /// Sends that found the queue full and waited.
    let waits = Atomic<UInt64>(0)
    /// Time those waits took.
    let waitNanoseconds = Atomic<UInt64>(0)
    /// Messages given up at a stop.
    let givenUp = Atomic<UInt64>(0)

    init(endpoint: String, rateLimitBytesPerSecond: Int64) {
        self.endpoint = endpoint
        self.rateLimitBytesPerSecond = rateLimitBytesPerSecond
    }

    func noteWait(nanoseconds: Int64) {
        waits.add(1, ordering: .relaxed)
        waitNanoseconds.add(UInt64(max(0, nanoseconds)), ordering: .relaxed)
    }
}
