import FeedModel

/// A deadline for blocking calls that take milliseconds, where `-1` means "no deadline".
///
/// Arithmetic saturates: a deadline too far away to represent (`Int.max` milliseconds,
/// `Double.infinity` seconds) is the latest representable instant, never an overflow trap.
public struct DeadlineClock: Sendable {
    /// Monotonic nanoseconds, or `nil` for no deadline.
    private let deadline: Int64?

    /// A deadline `milliseconds` from now; negative means none.
    public init(milliseconds: Int) {
        guard milliseconds >= 0 else {
            deadline = nil
            return
        }
        let (nanoseconds, overflow) = Int64(milliseconds).multipliedReportingOverflow(by: 1_000_000)
        deadline = overflow ? .max : MonotonicClock.nanoseconds().addingSaturating(nanoseconds)
    }

    /// A deadline `seconds` from now (rounded up to whole milliseconds); `nil` means none.
    /// NaN is no deadline; negative is already expired.
    public init(seconds: Double?) {
        guard let seconds, !seconds.isNaN else {
            self.init(milliseconds: -1)
            return
        }
        let milliseconds = (seconds * 1000).rounded(.up)
        self.init(milliseconds: milliseconds >= Double(Int.max) ? .max : milliseconds <= 0 ? 0 : Int(milliseconds))
    }

    /// Milliseconds left (at least 0), or -1 when there is no deadline.
    public var remainingMilliseconds: Int {
        guard let deadline else { return -1 }
        let left = max(0, deadline - MonotonicClock.nanoseconds())
        return Int(left / 1_000_000 + (left % 1_000_000 == 0 ? 0 : 1))
    }

    public var hasExpired: Bool { deadline.map { MonotonicClock.nanoseconds() >= $0 } ?? false }
}

extension Int64 {
    fileprivate func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
