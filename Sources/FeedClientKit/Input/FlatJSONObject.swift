import FeedModel

/// Parses one flat JSON object (`{"topic":"NASDAQ.AAPL","bid":182.35}`) keeping each number's
/// text as written, so prices convert to integers exactly: Foundation's JSON parser turns
/// numbers into `Double` first, which is the floating point the feed never uses.
///
/// Values may be strings, numbers, `true`, `false` or `null`; nested objects and arrays are
/// rejected (no field of a quote or trade needs them).
struct FlatJSONObject {
    /// A value as text: a string's unescaped contents, or a number/literal as written.
    enum Value: Equatable {
        case string(String)
        case literal(String)
    }

    private(set) var members: [String: Value] = [:]

    init(parsing text: String) throws(InputError) {
        var scanner = JSONScanner(bytes: Array(text.utf8))
        do throws(JSONScanner.Malformed) {
            scanner.skipSpaces()
            try scanner.expect(UInt8(ascii: "{"))
            scanner.skipSpaces()
            if !scanner.skip(UInt8(ascii: "}")) {
                repeat {
                    scanner.skipSpaces()
                    let keyOffset = scanner.index
                    let key = try scanner.string()
                    scanner.skipSpaces()
                    try scanner.expect(UInt8(ascii: ":"))
                    scanner.skipSpaces()
                    let value = try Self.value(&scanner)
                    guard members.updateValue(value, forKey: key) == nil else {
                        throw JSONScanner.Malformed(reason: "duplicate field '\(key)'", offset: keyOffset)
                    }
                    scanner.skipSpaces()
                } while scanner.skip(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            scanner.skipSpaces()
            guard scanner.isAtEnd else { throw scanner.malformed("text after the JSON object") }
        } catch {
            throw .malformed("\(error.reason) at column \(error.offset + 1)")
        }
    }

    /// A member's value; a token that is not one names itself, because a forgotten pair of
    /// quotes (`"topic":NASDAQ.AAPL`) is the usual mistake.
    private static func value(_ scanner: inout JSONScanner) throws(JSONScanner.Malformed) -> Value {
        switch scanner.peek {
        case nil, UInt8(ascii: ","), UInt8(ascii: "}"):
            throw scanner.malformed("missing value")
        case UInt8(ascii: "\""):
            return .string(try scanner.string())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw scanner.malformed("nested objects and arrays are not fields of a quote or trade")
        default:
            let start = scanner.index
            let token = scanner.bytes[start...].prefix { !delimiters.contains($0) }
            if let scalar = try? scanner.scalar(), scalar.count == token.count { return .literal(String(decoding: scalar, as: UTF8.self)) }
            throw JSONScanner.Malformed(
                reason: "'\(String(decoding: token, as: UTF8.self))' is not a JSON value (strings need quotes)", offset: start)
        }
    }

    private static let delimiters: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "}")]
}
