import ArgumentParser

/// Sizes given on the command line: a number of bytes with an optional unit, `KB`, `MB`, `GB`,
/// `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024), e.g. `512MB`, `2GiB`.
public enum ByteCountArgument {
    private static let units: [(suffix: String, factor: Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
    ]

    /// The bytes `text` names; throws a `ValidationError` naming `option` otherwise, or when
    /// it is not in `minimum...`.
    public static func parse(_ text: String, option: String, minimum: Int = 1) throws -> Int {
        let unit = units.first { text.hasSuffix($0.suffix) }
        let digits = unit.map { String(text.dropLast($0.suffix.count)) } ?? text
        guard let number = Int(digits), number >= 0 else {
            throw ValidationError("\(option) \(text): not a size (bytes, or a number with KB, MB, GB, KiB, MiB, GiB)")
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit?.factor ?? 1)
        guard !overflow, bytes >= minimum else { throw ValidationError("\(option) \(text): must be at least \(minimum) bytes") }
        return bytes
    }
}
