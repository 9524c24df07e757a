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
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.skipSpaces()
        try scanner.expect(UInt8(ascii: "{"))
        scanner.skipSpaces()
        if scanner.peek == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipSpaces()
                let key = try scanner.string()
                scanner.skipSpaces()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipSpaces()
                let value = try scanner.value()
                guard members.updateValue(value, forKey: key) == nil else { throw .malformed("duplicate field '\(key)'") }
                scanner.skipSpaces()
                if scanner.peek == UInt8(ascii: ",") {
                    scanner.index += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipSpaces()
        guard scanner.index == scanner.bytes.count else { throw .malformed("text after the JSON object") }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpaces() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(InputError) {
            guard peek == byte else { throw .malformed("expected '\(Character(UnicodeScalar(byte)))' at column \(index + 1)") }
            index += 1
        }

        mutating func string() throws(InputError) -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { break }
                    index += 1
                    let replacement: UInt8
                    switch escaped {
                    case UInt8(ascii: "n"): replacement = 0x0A
                    case UInt8(ascii: "t"): replacement = 0x09
                    case UInt8(ascii: "r"): replacement = 0x0D
                    case UInt8(ascii: "b"): replacement = 0x08
                    case UInt8(ascii: "f"): replacement = 0x0C
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                            let scalar = UnicodeScalar(code)
                        else { throw .malformed("bad \\u escape") }
                        index += 4
                        raw.append(contentsOf: Array(String(Character(scalar)).utf8))
                        continue
                    default: replacement = escaped
                    }
                    raw.append(replacement)
                default:
                    raw.append(byte)
                }
            }
            throw .malformed("unterminated string")
        }

        mutating func value() throws(InputError) -> Value {
            guard let byte = peek else { throw .malformed("missing value") }
            if byte == UInt8(ascii: "\"") { return .string(try string()) }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                throw .malformed("nested objects and arrays are not fields of a quote or trade")
            }
            let start = index
            while let next = peek, next != UInt8(ascii: ","), next != UInt8(ascii: "}"), next != 0x20, next != 0x09 {
                index += 1
            }
            guard index > start else { throw .malformed("missing value at column \(start + 1)") }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard ["true", "false", "null"].contains(text) || Self.isNumber(bytes[start..<index]) else {
                throw .malformed("'\(text)' at column \(start + 1) is not a JSON value (strings need quotes)")
            }
            return .literal(text)
        }

        /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        static func isNumber(_ text: ArraySlice<UInt8>) -> Bool {
            var rest = text[...]
            func digits() -> Int {
                let count = rest.prefix { (48...57).contains($0) }.count
                rest = rest.dropFirst(count)
                return count
            }
            if rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
            if rest.first == UInt8(ascii: "0") {
                rest = rest.dropFirst()
            } else if digits() == 0 {
                return false
            }
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                if digits() == 0 { return false }
            }
            if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
                rest = rest.dropFirst()
                if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
                if digits() == 0 { return false }
            }
            return rest.isEmpty
        }
    }
}
