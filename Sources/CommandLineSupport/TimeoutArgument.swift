import ArgumentParser

/// The bounds of millisecond timeout options, so an absurd value is a usage error instead of
/// an overflow deep inside a clock or a libzmq option.
public enum TimeoutArgument {
    /// The longest timeout accepted: one day.
    public static let maximumMilliseconds = 86_400_000

    /// Throws a `ValidationError` naming `option` unless `milliseconds` is in
    /// `minimum...maximumMilliseconds`.
    public static func check(_ milliseconds: Int, option: String, minimum: Int = 1) throws {
        guard (minimum...maximumMilliseconds).contains(milliseconds) else {
            throw ValidationError("\(option) must be \(minimum)-\(maximumMilliseconds) milliseconds (a day), not \(milliseconds)")
        }
    }
}
