#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds since 1970-01-01T00:00:00Z, with ISO 8601 text both ways (UTC, nanoseconds).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The wall clock now.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// `2026-11-22T14:30:05.123456789Z`.
    public var description: String {
        var text = TextBuffer(capacity: 30)
        write(to: &text)
        return text.string
    }

    /// Appends the ISO 8601 text of ``description`` to `text`.
    public func write(to text: inout TextBuffer) {
        // Floor division without overflow (`nanoseconds - 999_999_999` traps near Int64.min).
        var seconds = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000_000
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Timestamp.civil(fromDays: days)
        if year < 0 { text.append(UInt8(ascii: "-")) }
        text.append(year.magnitude, width: 4)
        text.append(UInt8(ascii: "-"))
        text.append(UInt64(month), width: 2)
        text.append(UInt8(ascii: "-"))
        text.append(UInt64(day), width: 2)
        text.append(UInt8(ascii: "T"))
        text.append(UInt64(secondOfDay / 3600), width: 2)
        text.append(UInt8(ascii: ":"))
        text.append(UInt64(secondOfDay / 60 % 60), width: 2)
        text.append(UInt8(ascii: ":"))
        text.append(UInt64(secondOfDay % 60), width: 2)
        text.append(UInt8(ascii: "."))
        text.append(UInt64(fraction), width: 9)
        text.append(UInt8(ascii: "Z"))
    }

    /// Parses a point in time given on a command line:
    /// - ISO 8601: `2026-11-22T14:30:05Z`, `2026-11-22T14:30:05.5+01:00`, `2026-11-22` (midnight UTC);
    /// - relative to now: `-30s`, `-5m`, `-2h`, `-1d`, or `now`;
    /// - integer nanoseconds since 1970.
    public init(parsing text: String, now: Timestamp = .now()) throws(TimestampError) {
        if text == "now" {
            self = now
            return
        }
        // A last character that is not a unit (`-1700000000000000000`) is negative nanoseconds, below.
        if text.hasPrefix("-"), let unit = text.last, let amount = Int64(text.dropFirst().dropLast()), amount >= 0,
            let unitNanos: Int64 = [
                "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000,
            ][unit]
        {
            let (span, overflow1) = amount.multipliedReportingOverflow(by: unitNanos)
            let (value, overflow2) = now.nanoseconds.subtractingReportingOverflow(span)
            guard !overflow1, !overflow2 else { throw .invalid(text) }
            self.init(nanoseconds: value)
            return
        }
        if let nanos = Int64(text) {
            self.init(nanoseconds: nanos)
            return
        }
        self = try Timestamp.parseISO8601(text)
    }

    private static func parseISO8601(_ text: String) throws(TimestampError) -> Timestamp {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) throws(TimestampError) -> Int64 {
            guard index + width <= bytes.count else { throw .invalid(text) }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard (48...57).contains(byte) else { throw .invalid(text) }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ character: Character) throws(TimestampError) {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { throw .invalid(text) }
            index += 1
        }
        let year = try number(4)
        try expect("-")
        let month = try number(2)
        try expect("-")
        let day = try number(2)
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { throw .invalid(text) }
        var secondOfDay: Int64 = 0
        var fraction: Int64 = 0
        var offsetSeconds: Int64 = 0
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ") else { throw .invalid(text) }
            index += 1
            let hour = try number(2)
            try expect(":")
            let minute = try number(2)
            var second: Int64 = 0
            if index < bytes.count && bytes[index] == UInt8(ascii: ":") {
                index += 1
                second = try number(2)
            }
            guard hour < 24, minute < 60, second < 61 else { throw .invalid(text) }
            secondOfDay = hour * 3600 + minute * 60 + second
            if index < bytes.count && (bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",")) {
                index += 1
                var digits = 0
                while index < bytes.count, (48...57).contains(bytes[index]) {
                    if digits < 9 { fraction = fraction * 10 + Int64(bytes[index] - 48) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { throw .invalid(text) }
                for _ in min(digits, 9)..<9 { fraction *= 10 }
            }
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "Z"):
                    index += 1
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
                    index += 1
                    let hours = try number(2)
                    if index < bytes.count && bytes[index] == UInt8(ascii: ":") { index += 1 }
                    let minutes = try number(2)
                    guard hours < 24, minutes < 60 else { throw .invalid(text) }
                    offsetSeconds = sign * (hours * 3600 + minutes * 60)
                default:
                    throw .invalid(text)
                }
            }
        }
        guard index == bytes.count else { throw .invalid(text) }
        var seconds = days(fromCivil: year, month, day) * 86_400 + secondOfDay - offsetSeconds
        // Outside 1677-09-21...2262-04-11 nanoseconds do not fit an Int64: an error, not a trap.
        // A negative second with a positive fraction is scaled from the next second, so that
        // every value down to Int64.min (1677-09-21T00:12:43.145224192Z) still parses.
        var signedFraction = fraction
        if seconds < 0 && fraction > 0 {
            seconds += 1
            signedFraction -= 1_000_000_000
        }
        let (scaled, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanos, overflow2) = scaled.addingReportingOverflow(signedFraction)
        guard !overflow1, !overflow2 else { throw .invalid(text) }
        return Timestamp(nanoseconds: nanos)
    }

    static func daysInMonth(_ year: Int64, _ month: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// Why text is not a point in time.
public enum TimestampError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text):
            "'\(text)' is not a time (use ISO 8601 like 2026-11-22T14:30:00Z, -5m, now, or nanoseconds)"
        }
    }
}
