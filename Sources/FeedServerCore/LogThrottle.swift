import Logging

/// Which occurrences of a repeated event get a log line: the first ten, then every thousandth, so
/// a flood of bad input stays visible in the log without filling it. The counters keep the exact
/// number; the log line names it (`#count`). Log through ``Logging/Logger/warning(occurrence:_:)``.
enum LogThrottle {
    /// Whether the `count`th occurrence (counting from 1) is logged.
    static func logs(_ count: UInt64) -> Bool {
        count <= 10 || count.isMultiple(of: 1000)
    }
}

extension Logger {
    /// Logs the `count`th occurrence of a repeated event as a warning when ``LogThrottle`` says
    /// so; `message` is made only then.
    func warning(occurrence count: UInt64, _ message: @autoclosure () -> Logger.Message) {
        if LogThrottle.logs(count) { warning(message()) }
    }
}
