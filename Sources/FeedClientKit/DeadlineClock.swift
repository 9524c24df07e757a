import FeedModel

/// A deadline for blocking calls that take milliseconds, where `-1` means "no deadline".
public struct DeadlineClock: Sendable {
    private let deadline: Int64?

    /// A deadline `milliseconds` from now; negative means none.
    public init(milliseconds: Int) {
        deadline = milliseconds < 0 ? nil : MonotonicClock.nanoseconds() + Int64(milliseconds) * 1_000_000
    }

    /// A deadline `seconds` from now; `nil` means none.
    public init(seconds: Double?) {
        self.init(milliseconds: seconds.map { Int(($0 * 1000).rounded(.up)) } ?? -1)
    }

    /// Milliseconds left (at least 0), or -1 when there is no deadline.
    public var remainingMilliseconds: Int {
        guard let deadline else { return -1 }
        return Int(max(0, (deadline - MonotonicClock.nanoseconds() + 999_999) / 1_000_000))
    }

    public var hasExpired: Bool { deadline.map { MonotonicClock.nanoseconds() >= $0 } ?? false }
}
