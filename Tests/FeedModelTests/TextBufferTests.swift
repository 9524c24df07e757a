import FeedModel
import Testing

@Suite("TextBuffer")
struct TextBufferTests {
    @Test("unsigned numbers in decimal, zero-padded to the width, never cut", arguments: [
        (UInt64(0), 1, "0"), (0, 4, "0000"), (7, 2, "07"), (123, 2, "123"), (1_000_000_000, 9, "1000000000"),
        (UInt64.max, 1, "18446744073709551615"), (42, 25, "0000000000000000000000042"),
    ])
    func unsignedNumbers(value: UInt64, width: Int, expected: String) {
        var text = TextBuffer()
        text.append(value, width: width)
        #expect(text.string == expected)
    }

    @Test("signed numbers, including the extremes", arguments: [
        (Int64(0), "0"), (-1, "-1"), (Int64.min, "-9223372036854775808"), (Int64.max, "9223372036854775807"),
    ])
    func signedNumbers(value: Int64, expected: String) {
        var text = TextBuffer()
        text.append(value)
        #expect(text.string == expected)
    }

    @Test func piecesAppendInOrderAndTheBufferIsReusable() {
        var text = TextBuffer()
        text.append("NASDAQ.AAPL")
        text.append(UInt8(ascii: ","))
        Price(mantissa: 18_235_000_000).write(to: &text)
        text.append(UInt8(ascii: ","))
        Timestamp(nanoseconds: 1_700_000_000_000_000_001).write(to: &text)
        #expect(text.string == "NASDAQ.AAPL,182.35,2023-11-14T22:13:20.000000001Z")
        text.removeAll()
        text.append(Int64(-5))
        #expect(text.string == "-5")
    }

    @Test func cellsArePaddedOnTheirSideAndNeverCut() {
        var text = TextBuffer()
        text.append("A")
        text.pad(from: 0, toWidth: 4, rightAligned: false)
        text.append(UInt8(ascii: "|"))
        let start = text.count
        text.append("42")
        text.pad(from: start, toWidth: 5, rightAligned: true)
        text.append(UInt8(ascii: "|"))
        let wide = text.count
        text.append("TOOLONG")
        text.pad(from: wide, toWidth: 3, rightAligned: true)
        #expect(text.string == "A   |   42|TOOLONG")
        text.append("  ")
        text.trimTrailingSpaces()
        text.truncate(to: 4)
        #expect(text.string == "A   ")
    }
}
