/// A feed topic, `VENUE.SYMBOL` (e.g. `NASDAQ.AAPL`), sent as the first frame of every message.
///
/// Subscriptions are byte prefixes of topics: `NASDAQ.` matches every Nasdaq symbol.
/// Rules, checked by ``init(_:)``:
/// 1. The venue is 1-16 characters of `A-Z` and `0-9`.
/// 2. A single `.` separates venue and symbol.
/// 3. The symbol is 1-32 characters of `A-Z a-z 0-9 . - _ /` (so `NYSE.BRK.B` is valid).
/// The heartbeat topic ``heartbeat`` is the only topic outside this form.
public struct Topic: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The topic as sent on the wire.
    public let rawValue: String

    /// Longest topic in bytes: 16 (venue) + 1 + 32 (symbol).
    public static let maximumLength = 49

    /// The topic heartbeats are sent on; every subscriber of the client library subscribes to it.
    public static let heartbeat = Topic(unchecked: "$HB")

    /// Validates a `VENUE.SYMBOL` topic.
    public init(_ string: String) throws(TopicError) {
        try Topic.validate(string.utf8)
        rawValue = string
    }

    /// Validates a topic received as bytes (a wire frame).
    public init(bytes: UnsafeRawBufferPointer) throws(TopicError) {
        self = try Topic.check(bytes) ? .heartbeat : Topic(unchecked: String(decoding: bytes, as: UTF8.self))
    }

    /// Checks topic bytes as ``init(bytes:)`` does, without making a `Topic`: for hot paths that
    /// keep the bytes. Returns whether they are the heartbeat topic.
    public static func check(_ bytes: UnsafeRawBufferPointer) throws(TopicError) -> Bool {
        if bytes.count == 3, bytes.elementsEqual(heartbeat.rawValue.utf8) { return true }  // "$HB"
        try validate(bytes)
        return false
    }

    private init(unchecked: String) { rawValue = unchecked }

    /// A topic from bytes that ``check(_:)`` accepted as a `VENUE.SYMBOL` topic.
    init(checkedBytes bytes: UnsafeRawBufferPointer) { rawValue = String(decoding: bytes, as: UTF8.self) }

    /// The venue part, before the first `.`.
    public var venue: Substring { rawValue.prefix { $0 != "." } }
    /// The symbol part, after the first `.`.
    public var symbol: Substring { rawValue.drop { $0 != "." }.dropFirst() }

    public var description: String { rawValue }

    public static func < (lhs: Topic, rhs: Topic) -> Bool { lhs.rawValue < rhs.rawValue }

    private static func validate<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(TopicError) {
        func text() -> String { String(decoding: bytes, as: UTF8.self) }  // Only for errors: no work on the valid path.
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= maximumLength else { throw .tooLong(text(), bytes.count) }
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { throw .missingSeparator(text()) }
        let venue = bytes[bytes.startIndex..<dot]
        let symbol = bytes[bytes.index(after: dot)...]
        guard (1...16).contains(venue.count), venue.allSatisfy(isVenueByte) else { throw .badVenue(text()) }
        guard (1...32).contains(symbol.count), symbol.allSatisfy(isSymbolByte) else { throw .badSymbol(text()) }
    }

    private static func isVenueByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    private static func isSymbolByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"):
            true
        default: false
        }
    }
}

/// Why a string is not a valid topic or subscription prefix.
public enum TopicError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(String, Int)
    case missingSeparator(String)
    case badVenue(String)
    case badSymbol(String)
    case badPrefix(String)

    public var description: String {
        switch self {
        case .empty: "empty topic"
        case .tooLong(let text, let count): "topic '\(text)' is \(count) bytes, longer than \(Topic.maximumLength)"
        case .missingSeparator(let text): "topic '\(text)' is not VENUE.SYMBOL (no '.')"
        case .badVenue(let text): "topic '\(text)': venue must be 1-16 of A-Z 0-9"
        case .badSymbol(let text): "topic '\(text)': symbol must be 1-32 of A-Z a-z 0-9 . - _ /"
        case .badPrefix(let text): "subscription prefix '\(text)' cannot start any VENUE.SYMBOL topic"
        }
    }
}

/// A subscription: a byte prefix of topics. The empty prefix matches everything.
public struct TopicPrefix: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Everything.
    public static let all = TopicPrefix(unchecked: "")

    /// Accepts any prefix of a valid topic (`NASDAQ`, `NASDAQ.`, `NASDAQ.AA`); rejects the rest.
    public init(_ string: String) throws(TopicError) {
        let bytes = Array(string.utf8)
        guard bytes.count <= Topic.maximumLength else { throw .tooLong(string, bytes.count) }
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            if dot == 0 || dot > 16 { throw .badPrefix(string) }
            // A completed venue plus a symbol prefix: check by completing it to a topic.
            let completed = dot == bytes.count - 1 ? string + "X" : string
            do { _ = try Topic(completed) } catch { throw .badPrefix(string) }
        } else if !string.isEmpty {
            do { _ = try Topic(string + ".X") } catch { throw .badPrefix(string) }
        }
        rawValue = string
    }

    private init(unchecked: String) { rawValue = unchecked }

    public var description: String { rawValue.isEmpty ? "(everything)" : rawValue }

    /// Whether `topic` starts with this prefix, bytewise.
    public func matches(_ topic: String) -> Bool { topic.utf8.starts(with: rawValue.utf8) }

    /// Whether the topic frame `topic` starts with this prefix, bytewise.
    public func matches(_ topic: UnsafeRawBufferPointer) -> Bool { topic.starts(with: rawValue.utf8) }

    /// The first string greater than every topic with this prefix, for range scans;
    /// `nil` for the empty prefix (no upper bound).
    public var upperBound: String? {
        guard var bytes = Optional(Array(rawValue.utf8)), !bytes.isEmpty else { return nil }
        bytes[bytes.count - 1] += 1  // Prefix bytes are ASCII below 0x7f, so this cannot overflow.
        return String(decoding: bytes, as: UTF8.self)
    }
}
