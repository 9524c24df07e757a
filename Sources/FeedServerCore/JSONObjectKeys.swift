/// The keys of a JSON object's top level, in the order written, read from its bytes.
///
/// `JSONSerialization` keeps the last of two equal keys without a word
/// (`{"op":"status","op":"history"}` is served as history), so the replay service reads the
/// keys itself to refuse repeats. The scanner is strict: anything that is not one JSON object
/// (RFC 8259) with nothing after it throws, so no text it misreads can slip through. Keys come
/// unescaped (`"o\u0070"` is `op`); values are checked for their shape and skipped, whatever
/// they nest or quote.
enum JSONObjectKeys {
    /// Why the bytes are not one JSON object.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// The object's keys, repeats included, in order.
    static func scan(_ bytes: [UInt8]) throws(Malformed) -> [String] {
        var scanner = Scanner(bytes: bytes)
        let keys = try scanner.object()
        scanner.skipSpaces()
        guard scanner.index == bytes.count else { throw scanner.malformed("text after the object") }
        return keys
    }

    /// The first key written twice, if any.
    static func firstRepeat(_ keys: [String]) -> String? {
        var seen = Set<String>()
        return keys.first { !seen.insert($0).inserted }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        func malformed(_ reason: String) -> Malformed { Malformed(description: "\(reason) at byte \(index)") }

        mutating func skipSpaces() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        private mutating func expect(_ byte: UInt8) throws(Malformed) {
            guard peek == byte else { throw malformed("expected '\(Character(UnicodeScalar(byte)))'") }
            index += 1
        }

        /// The top-level object: its keys, each value skipped.
        mutating func object() throws(Malformed) -> [String] {
            skipSpaces()
            try expect(UInt8(ascii: "{"))
            skipSpaces()
            var keys: [String] = []
            if peek == UInt8(ascii: "}") {
                index += 1
                return keys
            }
            while true {
                skipSpaces()
                keys.append(try string())
                skipSpaces()
                try expect(UInt8(ascii: ":"))
                try skipValue()
                skipSpaces()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return keys
            }
        }

        /// One value of any kind, nested ones with everything in them, iteratively: a deeply
        /// nested value cannot exhaust the stack.
        private mutating func skipValue() throws(Malformed) {
            var closers: [UInt8] = []
            repeat {
                skipSpaces()
                if let opener = peek, opener == UInt8(ascii: "{") || opener == UInt8(ascii: "[") {
                    index += 1
                    let closer = opener == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                    skipSpaces()
                    if peek == closer {
                        index += 1  // Empty: a complete value.
                    } else {
                        closers.append(closer)
                        if closer == UInt8(ascii: "}") { try memberKey() }
                        continue  // On to its first value.
                    }
                } else {
                    try skipScalar()
                }
                // A value is complete: close what it completes, up to a comma and the next member.
                while let closer = closers.last {
                    skipSpaces()
                    if peek == UInt8(ascii: ",") {
                        index += 1
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

        private mutating func skipScalar() throws(Malformed) {
            switch peek {
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
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
            func digits(_ scanner: inout Scanner) -> Int {
                let first = scanner.index
                while let byte = scanner.peek, (0x30...0x39).contains(byte) { scanner.index += 1 }
                return scanner.index - first
            }
            if peek == UInt8(ascii: "-") { index += 1 }
            if peek == UInt8(ascii: "0") {
                index += 1
            } else if digits(&self) == 0 {
                index = start
                throw malformed("not a JSON value")
            }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { throw malformed("bad number") }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { throw malformed("bad number") }
            }
        }

        /// A string, unescaped. Control characters must be escaped; a `\u` escape of half a
        /// surrogate pair that is not followed by its other half reads as U+FFFD.
        private mutating func string() throws(Malformed) -> String {
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
                    default: throw malformed("bad escape")
                    }
                case 0x00..<0x20:
                    throw malformed("control character in a string")
                default:
                    raw.append(byte)
                }
            }
            throw malformed("unterminated string")
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
}
