import ArgumentParser

/// The value of `--retain`, a duration: `7d`, `12h`, `30m`, `90s`, with a usage error that says
/// what is accepted (`--retain-size` is a ``ByteCountArgument``).
public enum RetentionArgument {
    private static let durationUnits: [(suffix: String, seconds: Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// Nanoseconds in `text`, a positive whole number with a unit d, h, m or s.
    public static func duration(_ text: String, option: String) throws -> Int64 {
        guard let unit = durationUnits.first(where: { text.hasSuffix($0.suffix) }),
            let count = Int64(text.dropLast(unit.suffix.count)), count > 0,
            case let (seconds, overflow) = count.multipliedReportingOverflow(by: unit.seconds), !overflow,
            seconds <= Int64.max / 1_000_000_000
        else {
            throw ValidationError("\(option) \(text): not a duration; give a whole number with d, h, m or s (7d, 12h, 30m)")
        }
        return seconds * 1_000_000_000
    }
}
