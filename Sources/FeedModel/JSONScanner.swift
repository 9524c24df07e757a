/// A strict reader of JSON text (RFC 8259) token by token, for the two places that need more
/// than `JSONSerialization` gives: the replay service reads a request's keys to refuse repeats,
/// and `feed-client publish` keeps each number's text as written so prices convert exactly.
///
/// Rules:
/// 1. Nothing that is not JSON is accepted: escapes are the eight of the standard and `\uXXXX`,
///    control characters in strings must be escaped, numbers follow the standard's grammar.
/// 2. A surrogate pair written as two `\u` escapes is one character; half a pair on its own
///    reads as U+FFFD (what `JSONSerialization` does too).
/// 3. Nested values are skipped iteratively: no depth of nesting can exhaust the stack.
/// 4. Every error names its reason and the byte offset where it was found.
public struct JSONScanner {
    /// Why the text is not JSON, and where.
    public struct Malformed: Error, CustomStringConvertible {
        public let reason: String
        /// Offset of the byte where the problem was found, from 0.
        public let offset: Int

        public init(reason: String, offset: Int) {
            self.reason = reason
            self.offset = offset
        }

        public var description: String { "\(reason) at byte \(offset)" }
    }

    public let bytes: [UInt8]
    /// Offset of the next byte to read.
    public private(set) var index = 0

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The next byte, not consumed.
    public var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    public var isAtEnd: Bool { index == bytes.count }

    public func malformed(_ reason: String) -> Malformed { Malformed(reason: reason, offset: index) }

    public mutating func skipSpaces() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    /// Consumes `byte` if it comes next; says whether it did.
    public mutating func skip(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    public mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard skip(byte) else { throw malformed("expected '\(Character(UnicodeScalar(byte)))'") }
    }

    /// A string, unescaped.
    public mutating func string() throws(Malformed) -> String {
        try expect(UInt8(ascii: "\""))
        var raw: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: raw, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { break }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): raw.append(escaped)
                case UInt8(ascii: "b"): raw.append(0x08)
                case UInt8(ascii: "f"): raw.append(0x0C)
                case UInt8(ascii: "n"): raw.append(0x0A)
                case UInt8(ascii: "r"): raw.append(0x0D)
                case UInt8(ascii: "t"): raw.append(0x09)
                case UInt8(ascii: "u"): raw.append(contentsOf: String(try unicodeEscape()).utf8)
                default: throw Malformed(reason: "bad escape", offset: index - 2)
                }
            case 0x00..<0x20:
                throw malformed("control character in a string")
            default:
                raw.append(byte)
            }
        }
        throw malformed("unterminated string")
    }

    /// A number, `true`, `false` or `null`, returned as written.
    public mutating func scalar() throws(Malformed) -> ArraySlice<UInt8> {
        let start = index
        switch peek {
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try number()
        }
        return bytes[start..<index]
    }

    /// One value of any kind, nested ones with everything in them.
    public mutating func skipValue() throws(Malformed) {
        var closers: [UInt8] = []
        repeat {
            skipSpaces()
            if let opener = peek, opener == UInt8(ascii: "{") || opener == UInt8(ascii: "[") {
                index += 1
                let closer = opener == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                skipSpaces()
                if skip(closer) {
                    // Empty: a complete value.
                } else {
                    closers.append(closer)
                    if closer == UInt8(ascii: "}") { try memberKey() }
                    continue  // On to its first value.
                }
            } else if peek == UInt8(ascii: "\"") {
                _ = try string()
            } else {
                _ = try scalar()
            }
            // A value is complete: close what it completes, up to a comma and the next member.
            while let closer = closers.last {
                skipSpaces()
                if skip(UInt8(ascii: ",")) {
                    if closer == UInt8(ascii: "}") { try memberKey() }
                    break
                }
                try expect(closer)
                closers.removeLast()
            }
        } while !closers.isEmpty
    }

    /// A key of a nested object and its colon.
    private mutating func memberKey() throws(Malformed) {
        skipSpaces()
        _ = try string()
        skipSpaces()
        try expect(UInt8(ascii: ":"))
    }

    private mutating func literal(_ word: StaticString) throws(Malformed) {
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - index >= text.count, bytes[index..<index + text.count].elementsEqual(text) else {
            throw malformed("not a JSON value")
        }
        index += text.count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(Malformed) {
        let start = index
        _ = skip(UInt8(ascii: "-"))
        if !skip(UInt8(ascii: "0")), digits() == 0 {
            index = start
            throw malformed("not a JSON value")
        }
        if skip(UInt8(ascii: ".")), digits() == 0 { throw malformed("bad number") }
        if skip(UInt8(ascii: "e")) || skip(UInt8(ascii: "E")) {
            if !skip(UInt8(ascii: "+")) { _ = skip(UInt8(ascii: "-")) }
            if digits() == 0 { throw malformed("bad number") }
        }
    }

    private mutating func digits() -> Int {
        let first = index
        while let byte = peek, (0x30...0x39).contains(byte) { index += 1 }
        return index - first
    }

    /// The character of a `\uXXXX` escape (the `\u` read), a surrogate pair's two escapes
    /// taken together.
    private mutating func unicodeEscape() throws(Malformed) -> Character {
        let unit = try hexUnit()
        if (0xD800..<0xDC00).contains(unit), bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
        {
            let mark = index
            index += 2
            let low = try hexUnit()
            if (0xDC00..<0xE000).contains(low) {
                return Character(UnicodeScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!)
            }
            index = mark  // Not its other half: read on its own next.
        }
        return Character(UnicodeScalar(unit) ?? "\u{FFFD}")
    }

    private mutating func hexUnit() throws(Malformed) -> UInt32 {
        guard bytes.count - index >= 4 else { throw malformed("bad \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw malformed("bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }
}
