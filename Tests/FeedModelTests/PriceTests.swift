import FeedModel
import Testing

private func priceError(_ text: String) -> PriceError? {
    do throws(PriceError) {
        _ = try Price(text)
        return nil
    } catch { return error }
}

@Suite("Price")
struct PriceTests {
    @Test("the exponent is -8: a mantissa of 1 is 0.00000001")
    func exponent() {
        #expect(Price.exponent == -8)
        #expect(Price(mantissa: 1).description == "0.00000001")
        #expect(Price(mantissa: 100_000_000).description == "1.00")
    }

    @Test(
        "decimal text parses to the exact mantissa",
        arguments: [
            ("182.35", Int64(18_235_000_000)),
            ("100", 10_000_000_000),
            ("0", 0),
            ("-0", 0),
            ("-0.5", -50_000_000),
            ("+1.25", 125_000_000),
            ("0.00000001", 1),
            ("-0.00000001", -1),
            ("0.12345678", 12_345_678),
            (".5", 50_000_000),
            ("5.", 500_000_000),
            ("007.10", 710_000_000),
            ("1.10000000", 110_000_000),
            ("92233720368.54775807", .max),
            ("-92233720368.54775808", .min),
            ("-92233720368.54775807", -.max),
            ("92233720368", 9_223_372_036_800_000_000),
        ] as [(String, Int64)])
    func parses(text: String, mantissa: Int64) throws {
        #expect(try Price(text).mantissa == mantissa)
        #expect(try Price(Substring(text)).mantissa == mantissa)
    }

    @Test(
        "formatting keeps two to eight decimals, trailing zeros trimmed",
        arguments: [
            (Int64(18_235_000_000), "182.35"),
            (0, "0.00"),
            (1, "0.00000001"),
            (-1, "-0.00000001"),
            (10_000_000_000, "100.00"),
            (-50_000_000, "-0.50"),
            (123_450_000, "1.2345"),
            (12_345_678, "0.12345678"),
            (110_000_000, "1.10"),
            (.max, "92233720368.54775807"),
            (.min, "-92233720368.54775808"),
        ] as [(Int64, String)])
    func formats(mantissa: Int64, text: String) {
        #expect(Price(mantissa: mantissa).description == text)
    }

    @Test("format then parse gives back every mantissa, including the extremes")
    func roundTripMantissas() throws {
        var random = SeededGenerator(seed: 1)
        var mantissas: [Int64] = [.min, .min + 1, .max, .max - 1, 0, 1, -1, 99_999_999, 100_000_000, -100_000_001]
        for _ in 0..<2000 {
            mantissas.append(Int64.random(in: .min ... .max, using: &random))
            mantissas.append(Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &random))
        }
        for mantissa in mantissas {
            let text = Price(mantissa: mantissa).description
            #expect(try Price(text).mantissa == mantissa, "\(text)")
        }
    }

    @Test("parse then format gives back canonical text", arguments: ["182.35", "-0.50", "0.00000001", "100.00", "1.2345"])
    func roundTripText(text: String) throws {
        #expect(try Price(text).description == text)
    }

    @Test("more than eight decimals is too precise, even when they are zeros", arguments: ["1.123456789", "0.000000001", "1.000000000", "-5.123456780"])
    func tooPrecise(text: String) {
        #expect(priceError(text) == .tooPrecise(text))
    }

    @Test(
        "values beyond ±92233720368.54775807 are out of range, never a crash",
        arguments: [
            "92233720368.54775808", "92233720368.9", "92233720368.99999999", "92233720369",
            "-92233720368.54775809", "-92233720369", "99999999999999999999999", "9223372036854775807",
            "-9223372036854775808",
        ])
    func outOfRange(text: String) {
        #expect(priceError(text) == .outOfRange(text))
    }

    @Test(
        "text that is not a decimal number is rejected",
        arguments: [
            "", "-", "+", ".", "-.", "abc", "1,5", "1.2.3", " 1", "1 ", "1e5", "0x10", "--1", "+-1", "1-", "NaN", "inf",
            "١٢", "1_000", "$1",
        ])
    func notANumber(text: String) {
        #expect(priceError(text) == .notANumber(text))
    }

    @Test("prices order by mantissa")
    func ordering() throws {
        #expect(try Price("-1") < Price("0.00000001"))
        #expect(try Price("99.99") < Price("100"))
        #expect(try Price("1.5") == Price("1.50000000"))
    }

    @Test("every error describes itself on one line")
    func descriptions() {
        for error in [PriceError.notANumber("x"), .tooPrecise("x"), .outOfRange("x")] {
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains("\n"))
        }
    }
}
