import ArgumentParser

/// The values of `--retain` (a duration: `7d`, `12h`, `30m`, `90s`) and `--retain-size` (bytes:
/// `50GB`, `512MiB`, `1000000`), with a usage error that says what is accepted.
public enum RetentionArgument {
    private static let durationUnits: [(suffix: String, seconds: Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
    private static let sizeUnits: [(suffix: String, bytes: Int64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
    ]

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

    /// Bytes in `text`: a positive whole number, alone or with KB, MB, GB, TB (powers of 1000)
    /// or KiB, MiB, GiB, TiB (powers of 1024).
    public static func bytes(_ text: String, option: String) throws -> Int64 {
        let unit = sizeUnits.first(where: { text.hasSuffix($0.suffix) }) ?? ("", 1)
        guard let count = Int64(text.dropLast(unit.suffix.count)), count > 0,
            case let (bytes, overflow) = count.multipliedReportingOverflow(by: unit.bytes), !overflow
        else {
            throw ValidationError(
                "\(option) \(text): not a size; give a whole number of bytes, or with KB, MB, GB, TB, KiB, MiB, GiB, TiB (50GB)")
        }
        return bytes
    }
}
