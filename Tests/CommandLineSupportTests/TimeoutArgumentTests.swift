import CommandLineSupport
import Testing

/// Timeout options have bounds, so no value reaches a clock or a libzmq option as an overflow.
struct TimeoutArgumentTests {
    @Test func valuesFromTheMinimumToADayPass() throws {
        try TimeoutArgument.check(1, option: "--timeout-ms")
        try TimeoutArgument.check(86_400_000, option: "--timeout-ms")
        try TimeoutArgument.check(0, option: "--connect-timeout-ms", minimum: 0)
    }

    @Test(arguments: [0, -1, 86_400_001, 10_000_000_000_000, Int.max, Int.min])
    func valuesOutsideAreUsageErrorsNamingTheOption(milliseconds: Int) {
        #expect {
            try TimeoutArgument.check(milliseconds, option: "--timeout-ms")
        } throws: { error in
            "\(error)" == "--timeout-ms must be 1-86400000 milliseconds (a day), not \(milliseconds)"
        }
    }
}
