import ArgumentParser

/// The bounds of count options (messages per block, page sizes), so an absurd value is a usage
/// error instead of an allocation or an overflow at run time.
public enum CountArgument {
    /// Throws a `ValidationError` naming `option` unless `count` is in `minimum...maximum`.
    public static func check(_ count: Int, option: String, minimum: Int = 1, maximum: Int) throws {
        guard (minimum...maximum).contains(count) else {
            throw ValidationError("\(option) must be \(minimum)-\(maximum), not \(count)")
        }
    }
}
