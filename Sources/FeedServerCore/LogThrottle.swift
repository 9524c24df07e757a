/// Which occurrences of a repeated event get a log line: the first ten, then every thousandth, so
/// a flood of bad input stays visible in the log without filling it. The counters keep the exact
/// number; the log line names it (`#count`).
enum LogThrottle {
    /// Whether the `count`th occurrence (counting from 1) is logged.
    static func logs(_ count: UInt64) -> Bool {
        count <= 10 || count.isMultiple(of: 1000)
    }
}
