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
