/// A price as an integer mantissa with the fixed exponent ``exponent`` (10^-8): no floating point.
///
/// `Price(mantissa: 18_235_000_000)` is 182.35. Decimal text converts exactly both ways.
public struct Price: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Every price on the wire and in the history is `mantissa × 10^exponent`.
    public static let exponent = -8
    static let scale: Int64 = 100_000_000

    public var mantissa: Int64

    public init(mantissa: Int64) { self.mantissa = mantissa }

    /// Parses decimal text such as `182.35`, `-0.5` or `100`; at most 8 decimals.
    public init(_ text: some StringProtocol) throws(PriceError) {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        } else if bytes.first == UInt8(ascii: "+") {
            bytes = bytes.dropFirst()
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var decimals = 0
        var seenDot = false
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") && !seenDot {
                seenDot = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw .notANumber(String(text)) }
            let digit = Int64(byte - UInt8(ascii: "0"))
            digits += 1
            if seenDot {
                decimals += 1
                guard decimals <= 8 else { throw .tooPrecise(String(text)) }
                fraction = fraction * 10 + digit
            } else {
                let (times, overflow1) = whole.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(digit)
                guard !overflow1, !overflow2, plus <= Int64.max / Price.scale else { throw .outOfRange(String(text)) }
                whole = plus
            }
        }
        guard digits > 0 else { throw .notANumber(String(text)) }
        for _ in decimals..<8 { fraction *= 10 }
        // `whole * scale` cannot overflow (checked above), but adding the fraction can
        // (92233720368.9); counting down for negatives reaches Int64.min exactly.
        let scaled = whole * Price.scale
        let (value, overflow) =
            negative ? (-scaled).subtractingReportingOverflow(fraction) : scaled.addingReportingOverflow(fraction)
        guard !overflow else { throw .outOfRange(String(text)) }
        mantissa = value
    }

    /// Decimal text with at least two and at most eight decimals, trailing zeros trimmed.
    public var description: String {
        var text = TextBuffer(capacity: 24)
        write(to: &text)
        return text.string
    }

    /// Appends the decimal text of ``description`` to `text`.
    public func write(to text: inout TextBuffer) {
        let magnitude = mantissa.magnitude
        if mantissa < 0 { text.append(UInt8(ascii: "-")) }
        text.append(magnitude / UInt64(Price.scale))
        text.append(UInt8(ascii: "."))
        // Eight decimals less the trailing zeros, keeping at least two.
        var fraction = magnitude % UInt64(Price.scale)
        var decimals = 8
        while decimals > 2 && fraction % 10 == 0 {
            fraction /= 10
            decimals -= 1
        }
        text.append(fraction, width: decimals)
    }

    public static func < (lhs: Price, rhs: Price) -> Bool { lhs.mantissa < rhs.mantissa }
}

/// Why text is not a price.
public enum PriceError: Error, Equatable, Sendable, CustomStringConvertible {
    case notANumber(String)
    case tooPrecise(String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .notANumber(let text): "'\(text)' is not a decimal price"
        case .tooPrecise(let text): "price '\(text)' has more than 8 decimals"
        case .outOfRange(let text): "price '\(text)' is out of range"
        }
    }
}
