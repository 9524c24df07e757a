import Foundation
import FeedModel
import Testing

@testable import FeedServerCore

/// The replay service reads a request's top-level keys from its bytes to refuse repeated ones,
/// which `JSONSerialization` would silently collapse.
struct JSONObjectKeysTests {
    @Test func keysOfTheTopLevelOnlyUnescapedInOrder() throws {
        let cases: [(String, [String])] = [
            (#"{"op":"status","op":"history"}"#, ["op", "op"]),
            (#"{}"#, []),
            (" \r\n\t{ \"a\" :\t1 ,\n\"b\":[ ] , \"c\" : { } }\n", ["a", "b", "c"]),
            // A key inside a string value, quotes escaped in keys and values.
            (#"{"x":"\"op\":1,","op":"status"}"#, ["x", "op"]),
            (#"{"a\"b":1,"a\\":"\\","\\\"":"\""}"#, ["a\"b", "a\\", "\\\""]),
            // Keys of nested objects are not the top level's.
            (#"{"op":"history","prefixes":[{"op":1},["op",{"id":[]}]],"n":{"op":{"op":null}},"id":2}"#, ["op", "prefixes", "n", "id"]),
            // Escapes decode: `o\u0070` is `op`; a surrogate pair is one character.
            (#"{"op":1,"o\u0070":2,"\ud83d\ude00":3,"\/\b\f\n\r\t":4}"#, ["op", "op", "😀", "/\u{8}\u{C}\n\r\t"]),
            (#"{"a":-0.5e+3,"b":true,"c":false,"d":null,"e":0,"f":12E-1}"#, ["a", "b", "c", "d", "e", "f"]),
        ]
        for (text, keys) in cases {
            #expect(try JSONObjectKeys.scan(Array(text.utf8)) == keys, "\(text)")
        }
        #expect(JSONObjectKeys.firstRepeat(["op", "id", "prefix", "id", "op"]) == "id")
        #expect(JSONObjectKeys.firstRepeat(["op", "id"]) == nil)
    }

    @Test func anythingButOneObjectIsRefused() {
        let bad = [
            "", "[1]", "\"op\"", #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":[1,2}"#, #"{"a":[1,2]]}"#, #"{"a":tru}"#, #"{"a":01}"#,
            #"{"a":1} x"#, #"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}", #"{"a":"\u12"}"#, #"{"a":-}"#, #"{"a":1.}"#, #"{"a":1e}"#,
            #"{"a":"open}"#, #"{"a":{"b"}}"#, #"{"a":{"b":1,}}"#, #"{a:1}"#, #"{"a":1"#, #"{"a":[1 2]}"#, #"{"a":{1:2}}"#,
        ]
        for text in bad {
            #expect(throws: JSONScanner.Malformed.self, "\(text)") { try JSONObjectKeys.scan(Array(text.utf8)) }
        }
    }

    @Test func deepNestingIsReadWithoutRecursion() throws {
        let depth = 100_000
        let text = #"{"a":"# + String(repeating: "[{\"k\":", count: depth) + "1" + String(repeating: "}]", count: depth) + #","b":2}"#
        #expect(try JSONObjectKeys.scan(Array(text.utf8)) == ["a", "b"])
    }

    /// Random objects with tricky keys and values, written with random escapes and spacing:
    /// the scanner finds the keys written, and `JSONSerialization` agrees on the text.
    @Test func randomObjectsWithTrickyStrings() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var writer = RandomJSON(random: random)
            let keys = (0..<Int.random(in: 0...6, using: &random)).map { _ in writer.word() }
            let text = writer.object(keys: keys)
            random = writer.random
            #expect(try JSONObjectKeys.scan(Array(text.utf8)) == keys, "\(text)")
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
            #expect(Set(parsed.keys) == Set(keys), "\(text)")
        }
    }
}

/// Writes random JSON from a small alphabet of troublesome characters.
private struct RandomJSON {
    var random: SystemRandomNumberGenerator
    private static let alphabet: [Character] = ["o", "p", "i", "d", "\"", "\\", "/", ":", ",", "{", "]", " ", "\n", "é", "😀", "\u{1}"]

    /// A short word; few letters, so keys repeat.
    mutating func word() -> String {
        String((0..<Int.random(in: 0...3, using: &random)).map { _ in Self.alphabet.randomElement(using: &random)! })
    }

    mutating func object(keys: [String], depth: Int = 0) -> String {
        let members = keys.map { space() + string($0) + space() + ":" + space() + value(depth: depth + 1) + space() }
        return space() + "{" + (members.isEmpty ? space() : members.joined(separator: ",")) + "}" + space()
    }

    private mutating func value(depth: Int) -> String {
        switch Int.random(in: 0..<(depth < 4 ? 6 : 4), using: &random) {
        case 0: return string(word() + word())
        case 1: return ["true", "false", "null"].randomElement(using: &random)!
        case 2: return ["0", "-1", "3.25", "1e9", "-0.5E-3", "12345678901234567890"].randomElement(using: &random)!
        case 3: return string("\"op\":\"" + word() + "\",\"id\":")  // A key-like text inside a value.
        case 4:
            let keys = (0..<Int.random(in: 0...3, using: &random)).map { _ in word() }
            return object(keys: keys, depth: depth)
        default:
            let items = (0..<Int.random(in: 0...3, using: &random)).map { _ in space() + value(depth: depth + 1) + space() }
            return "[" + (items.isEmpty ? space() : items.joined(separator: ",")) + "]"
        }
    }

    /// `text` as a JSON string, each character escaped or not at random where JSON allows.
    private mutating func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            let mustEscape = scalar == "\"" || scalar == "\\" || scalar.value < 0x20
            if !mustEscape && Bool.random(using: &random) {
                out.unicodeScalars.append(scalar)
            } else if scalar == "\"" || scalar == "\\" || (scalar == "/" && Bool.random(using: &random)) {
                out += "\\" + String(scalar)
            } else if scalar == "\n" && Bool.random(using: &random) {
                out += "\\n"
            } else {
                for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
            }
        }
        return out + "\""
    }

    private mutating func space() -> String {
        ["", "", " ", "\n", "\t ", "\r\n"].randomElement(using: &random)!
    }
}
