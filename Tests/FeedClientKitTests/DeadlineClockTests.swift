import Testing

@testable import FeedClientKit

/// Deadlines saturate instead of trapping on overflow, whatever a user typed.
struct DeadlineClockTests {
    @Test(arguments: [Int.max, Int.max / 1_000_000 + 1, 10_000_000_000_000])
    func aDeadlineTooFarAwayIsTheLatestOneNotATrap(milliseconds: Int) {
        let deadline = DeadlineClock(milliseconds: milliseconds)
        #expect(!deadline.hasExpired)
        #expect(deadline.remainingMilliseconds > 1_000_000_000_000)
    }

    @Test(arguments: [Double.infinity, 1e10, 1e300, Double.greatestFiniteMagnitude])
    func hugeOrInfiniteSecondsAreTheLatestDeadline(seconds: Double) {
        let deadline = DeadlineClock(seconds: seconds)
        #expect(!deadline.hasExpired)
        #expect(deadline.remainingMilliseconds > 1_000_000_000_000)
    }

    @Test func noDeadlineNaNAndThePast() {
        #expect(DeadlineClock(milliseconds: -1).remainingMilliseconds == -1)
        #expect(DeadlineClock(seconds: nil).remainingMilliseconds == -1)
        #expect(DeadlineClock(seconds: .nan).remainingMilliseconds == -1)
        #expect(DeadlineClock(seconds: -Double.infinity).hasExpired)
        #expect(DeadlineClock(milliseconds: 0).hasExpired)
        #expect(DeadlineClock(milliseconds: 0).remainingMilliseconds == 0)
    }

    @Test func remainingMillisecondsRoundUpAndCountDown() {
        let deadline = DeadlineClock(seconds: 0.0005)
        #expect((0...1).contains(deadline.remainingMilliseconds))
        let minute = DeadlineClock(milliseconds: 60_000)
        #expect((59_000...60_000).contains(minute.remainingMilliseconds))
    }
}
