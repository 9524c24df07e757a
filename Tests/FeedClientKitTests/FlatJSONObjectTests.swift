import Testing

@testable import FeedClientKit

/// The NDJSON reader keeps number text exact and rejects what is not one flat JSON object.
struct FlatJSONObjectTests {
    @Test func membersKeepStringsUnescapedAndNumbersAsWritten() throws {
        let object = try FlatJSONObject(parsing: #" { "a" : "x\"y\\z\n\t\u0041\/" , "b":182.35000000001,"c":-0,"d":1e-3,"e":true,"f":null , "g":"" } "#)
        #expect(object.members == [
            "a": .string("x\"y\\z\n\tA/"), "b": .literal("182.35000000001"), "c": .literal("-0"), "d": .literal("1e-3"),
            "e": .literal("true"), "f": .literal("null"), "g": .string(""),
        ])
        #expect(try FlatJSONObject(parsing: "{}").members.isEmpty)
        #expect(try FlatJSONObject(parsing: #"{"topic":"NASDAQ.ÄÖ"}"#).members["topic"] == .string("NASDAQ.ÄÖ"))
        // A surrogate pair written as two escapes is one character.
        #expect(try FlatJSONObject(parsing: #"{"note":"\uD83D\uDE00"}"#).members["note"] == .string("😀"))
    }

    @Test(arguments: [
        ("", "expected '{'"),
        ("[1]", "expected '{'"),
        (#"{"a":1"#, "expected '}'"),
        (#"{"a":1}x"#, "text after the JSON object"),
        (#"{"a":1,"a":2}"#, "duplicate field 'a'"),
        (#"{"a":{"b":1}}"#, "nested objects"),
        (#"{"a":[1]}"#, "nested objects"),
        (#"{"a":"x}"#, "unterminated string"),
        (#"{"a":"\u00G1"}"#, #"bad \u escape"#),
        (#"{"a":"\x"}"#, "bad escape at column 7"),
        ("{\"a\":\"\u{1}\"}", "control character in a string"),
        (#"{"a":1,"a":2}"#, "duplicate field 'a' at column 8"),
        (#"{"a":NASDAQ.AAPL}"#, "'NASDAQ.AAPL' is not a JSON value (strings need quotes) at column 6"),
        (#"{"a":}"#, "missing value"),
        (#"{a:1}"#, "expected '\"'"),
        (#"{"a":NASDAQ}"#, "not a JSON value"),
        (#"{"a":01}"#, "not a JSON value"),
        (#"{"a":1.}"#, "not a JSON value"),
        (#"{"a":.5}"#, "not a JSON value"),
        (#"{"a":1e}"#, "not a JSON value"),
        (#"{"a":+1}"#, "not a JSON value"),
        (#"{"a":True}"#, "not a JSON value"),
    ])
    func malformedObjectsAreRejectedWithAReason(text: String, reason: String) {
        #expect {
            _ = try FlatJSONObject(parsing: text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }
}
