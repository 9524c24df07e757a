import Testing

@testable import FeedServerCore

@Suite("log throttle")
struct LogThrottleTests {
    @Test("the first ten occurrences and then every thousandth are logged, nothing else")
    func firstTenThenEveryThousandth() {
        let logged = (1...5000 as ClosedRange<UInt64>).filter(LogThrottle.logs)
        #expect(logged == Array(1...10) + [1000, 2000, 3000, 4000, 5000])
    }
}
