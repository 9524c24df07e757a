import FeedModel
import Testing

private func timestampError(_ text: String, now: Timestamp = Timestamp(nanoseconds: 0)) -> TimestampError? {
    do throws(TimestampError) {
        _ = try Timestamp(parsing: text, now: now)
        return nil
    } catch { return error }
}

private let second: Int64 = 1_000_000_000

@Suite("Timestamp")
struct TimestampTests {
    @Test(
        "formats as ISO 8601 UTC with nine fraction digits",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000000000Z"),
            (1, "1970-01-01T00:00:00.000000001Z"),
            (-1, "1969-12-31T23:59:59.999999999Z"),
            (1_795_357_805_123_456_789, "2026-11-22T14:30:05.123456789Z"),
            (951_782_400 * second, "2000-02-29T00:00:00.000000000Z"),
            (1_709_251_199 * second + 500_000_000, "2024-02-29T23:59:59.500000000Z"),
            (-14_182_940 * second, "1969-07-20T20:17:40.000000000Z"),
            (-2_203_891_200 * second + 5, "1900-03-01T00:00:00.000000005Z"),
            (.max, "2262-04-11T23:47:16.854775807Z"),
            (.min, "1677-09-21T00:12:43.145224192Z"),
        ] as [(Int64, String)])
    func formats(nanoseconds: Int64, text: String) throws {
        #expect(Timestamp(nanoseconds: nanoseconds).description == text)
        #expect(try Timestamp(parsing: text).nanoseconds == nanoseconds)
    }

    @Test(
        "parses ISO 8601 with Z, offsets, fractions, without seconds, and date-only as midnight UTC",
        arguments: [
            ("2026-11-22T14:30:05Z", Int64(1_795_357_805) * second),
            ("2026-11-22T14:30:05", 1_795_357_805 * second),
            ("2026-11-22 14:30:05Z", 1_795_357_805 * second),
            ("2026-11-22T14:30Z", 1_795_357_800 * second),
            ("2026-11-22T14:30:05.5Z", 1_795_357_805 * second + 500_000_000),
            ("2026-11-22T14:30:05,25Z", 1_795_357_805 * second + 250_000_000),
            ("2026-11-22T14:30:05.123456789Z", 1_795_357_805_123_456_789),
            ("2026-11-22T14:30:05.1234567891Z", 1_795_357_805_123_456_789),  // beyond ns: truncated
            ("2026-11-22T14:30:05.000001Z", 1_795_357_805_000_001_000),
            ("2026-11-22T15:30:05.5+01:00", 1_795_357_805 * second + 500_000_000),
            ("2026-11-22T15:30:05+0100", 1_795_357_805 * second),
            ("2026-11-22T09:00:05-05:30", 1_795_357_805 * second),
            ("2026-11-23T00:30:05+10:00", 1_795_357_805 * second),
            ("2026-11-22", 1_795_305_600 * second),
            ("1970-01-01", 0),
            ("1969-12-31T23:59:59.999999999Z", -1),
            ("1900-03-01", -2_203_891_200 * second),
            ("2024-02-29", 1_709_164_800 * second),
            ("2000-02-29", 951_782_400 * second),
            ("2026-11-22T23:59:60Z", 1_795_392_000 * second),  // a leap second lands on the next midnight
        ] as [(String, Int64)])
    func parsesISO8601(text: String, nanoseconds: Int64) throws {
        #expect(try Timestamp(parsing: text).nanoseconds == nanoseconds)
    }

    @Test(
        "parses times relative to an injected now",
        arguments: [
            ("-5m", Int64(5 * 60) * second),
            ("-30s", 30 * second),
            ("-2h", 2 * 3600 * second),
            ("-1d", 86_400 * second),
            ("-0s", 0),
            ("now", 0),
        ] as [(String, Int64)])
    func parsesRelative(text: String, before: Int64) throws {
        let now = Timestamp(nanoseconds: 1_795_357_805_123_456_789)
        #expect(try Timestamp(parsing: text, now: now).nanoseconds == now.nanoseconds - before)
        let beforeEpoch = Timestamp(nanoseconds: -1)
        #expect(try Timestamp(parsing: text, now: beforeEpoch).nanoseconds == -1 - before)
    }

    @Test("parses integer nanoseconds since 1970, negative ones too", arguments: [Int64(0), 5, -5, -15, -1_000_000_000, 1_795_357_805_123_456_789, .max, .min])
    func parsesIntegerNanoseconds(nanoseconds: Int64) throws {
        #expect(try Timestamp(parsing: String(nanoseconds), now: Timestamp(nanoseconds: 99)).nanoseconds == nanoseconds)
    }

    @Test("a bare year is read as integer nanoseconds, not as a date")
    func bareNumberIsNanoseconds() throws {
        #expect(try Timestamp(parsing: "2026").nanoseconds == 2026)
    }

    @Test("format then parse gives back every value, before and after 1970, down to Int64.min")
    func roundTrip() throws {
        var random = SeededGenerator(seed: 1970)
        var values: [Int64] = [.min, .min + 1, .max, .max - 1, 0, 1, -1, -second, -second + 1, -second - 1]
        for _ in 0..<3000 { values.append(Int64.random(in: .min ... .max, using: &random)) }
        for _ in 0..<1000 { values.append(Int64.random(in: -100 * 86_400 * second...100 * 86_400 * second, using: &random)) }
        for value in values {
            let text = Timestamp(nanoseconds: value).description
            #expect(text.utf8.count == 30, "\(text)")
            #expect(try Timestamp(parsing: text).nanoseconds == value, "\(text)")
        }
    }

    @Test(
        "invalid text is rejected, never a crash",
        arguments: [
            "", "2026-11", "2026-1-22", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-32", "2026-02-30",
            "2026-04-31", "2025-02-29", "1900-02-29", "2026-11-22T", "2026-11-22T14", "2026-11-22T24:00Z",
            "2026-11-22T14:60Z", "2026-11-22T14:30:61Z", "2026-11-22T14:30:05.Z", "2026-11-22T14:30:05Q",
            "2026-11-22T14:30:05Zjunk", "2026-11-22T14:30:05+25:00", "2026-11-22T14:30:05+01:60",
            "2026-11-22T14:30:05+1", "2026/11/22", " 2026-11-22", "2026-11-22 ", "yesterday", "NOW", "-5x", "-m", "5m",
            "--5m", "-5.5m", "-", "1e9", "0x10", "9223372036854775808",
            // Representable dates whose nanoseconds do not fit an Int64.
            "9999-12-31", "2262-04-11T23:47:16.854775808Z", "1677-09-21T00:12:43.145224191Z", "1000-01-01",
            // Relative times too far back for an Int64.
            "-999999999999d", "-9223372036854775807s",
        ])
    func invalid(text: String) {
        #expect(timestampError(text) == .invalid(text))
    }

    @Test("a relative time that would pass Int64.min is an error, not a trap")
    func relativeUnderflow() {
        #expect(timestampError("-1s", now: Timestamp(nanoseconds: .min)) == .invalid("-1s"))
        #expect(timestampError("-0s", now: Timestamp(nanoseconds: .min)) == nil)
    }

    @Test("the error message names the accepted forms")
    func errorDescription() {
        let description = TimestampError.invalid("x").description
        #expect(description.contains("ISO 8601"))
        #expect(description.contains("-5m"))
    }

    @Test("now() is the wall clock, after 2020")
    func nowIsWallClock() throws {
        #expect(Timestamp.now().nanoseconds > 1_577_836_800 * second)
        #expect(try Timestamp(parsing: "now") > Timestamp(parsing: "2020-01-01"))
    }
}
