import FeedModel

/// The keys of a JSON object's top level, in the order written, read from its bytes.
///
/// `JSONSerialization` keeps the last of two equal keys without a word
/// (`{"op":"status","op":"history"}` is served as history), so the replay service reads the
/// keys itself to refuse repeats. The reading is strict (``JSONScanner``): anything that is not
/// one JSON object with nothing after it throws, so no text it misreads can slip through. Keys
/// come unescaped (`"o\u0070"` is `op`); values are checked for their shape and skipped,
/// whatever they nest or quote.
enum JSONObjectKeys {
    /// The object's keys, repeats included, in order.
    static func scan(_ bytes: [UInt8]) throws(JSONScanner.Malformed) -> [String] {
        var scanner = JSONScanner(bytes: bytes)
        scanner.skipSpaces()
        try scanner.expect(UInt8(ascii: "{"))
        scanner.skipSpaces()
        var keys: [String] = []
        if !scanner.skip(UInt8(ascii: "}")) {
            repeat {
                scanner.skipSpaces()
                keys.append(try scanner.string())
                scanner.skipSpaces()
                try scanner.expect(UInt8(ascii: ":"))
                try scanner.skipValue()
                scanner.skipSpaces()
            } while scanner.skip(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"))
        }
        scanner.skipSpaces()
        guard scanner.isAtEnd else { throw scanner.malformed("text after the object") }
        return keys
    }

    /// The first key written twice, if any.
    static func firstRepeat(_ keys: [String]) -> String? {
        var seen = Set<String>()
        return keys.first { !seen.insert($0).inserted }
    }
}
