/// A deadline for blocking calls that take milliseconds, where `-1` means "no deadline", on the
/// standard library's `ContinuousClock`.
///
/// A deadline too far away for milliseconds in an `Int` (`Int.max` milliseconds, `Double.infinity`
/// seconds) is the latest one, never an overflow trap: `Duration` counts in 128 bits.
public struct DeadlineClock: Sendable {
    private let deadline: ContinuousClock.Instant?

    /// A deadline `milliseconds` from now; negative means none.
    public init(milliseconds: Int) {
        deadline = milliseconds >= 0 ? .now + .milliseconds(milliseconds) : nil
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

    /// Milliseconds left, rounded up (at least 0), or -1 when there is no deadline.
    public var remainingMilliseconds: Int {
        guard let deadline else { return -1 }
        let left = max(.zero, ContinuousClock.now.duration(to: deadline)).attoseconds
        return Int(clamping: (left + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    public var hasExpired: Bool { deadline.map { .now >= $0 } ?? false }
}

extension DeadlineClock {
    /// A wait of `remaining` milliseconds (-1: none) cut short to end at `due`, in monotonic
    /// nanoseconds as `now` (rounded up to whole milliseconds).
    static func wait(_ remaining: Int, until due: Int64, now: Int64) -> Int {
        let untilDue = Int(max(0, due - now + 999_999) / 1_000_000)
        return remaining < 0 ? untilDue : min(remaining, untilDue)
    }
}
