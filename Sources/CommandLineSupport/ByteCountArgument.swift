import ArgumentParser

/// Sizes given on the command line (`--retain-size`, `--subscriber-memory`): a whole number of
/// bytes, alone or with a unit, `KB`, `MB`, `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`,
/// `TiB` (powers of 1024), e.g. `512MB`, `2GiB`.
public enum ByteCountArgument {
    private static let units: [(suffix: String, factor: Int64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
    ]

    /// The bytes `text` names; throws a `ValidationError` naming `option` otherwise, or when
    /// it is not in `minimum...`.
    public static func parse(_ text: String, option: String, minimum: Int64 = 1) throws -> Int64 {
        let unit = units.first { text.hasSuffix($0.suffix) }
        let digits = unit.map { String(text.dropLast($0.suffix.count)) } ?? text
        guard let number = Int64(digits), number >= 0,
            case let (bytes, overflow) = number.multipliedReportingOverflow(by: unit?.factor ?? 1), !overflow
        else {
            throw ValidationError(
                "\(option) \(text): not a size; give a whole number of bytes, or with KB, MB, GB, TB, KiB, MiB, GiB, TiB (50GB)")
        }
        guard bytes >= minimum else { throw ValidationError("\(option) \(text): must be at least \(minimum) bytes") }
        return bytes
    }
}
