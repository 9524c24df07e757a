import FeedModel

/// Turns lines of CSV or NDJSON into quotes and trades for `feed-client publish`.
///
/// Field names are those of the output formats (``MessageField``): `topic`, `type` (optional:
/// inferred from the fields present), `bid`, `bid_size`, `ask`, `ask_size` for quotes, `price`,
/// `size`, `side` for trades, and `event_time` (or `time`) optionally. `session`, `seq` and
/// `topic_seq` are accepted and ignored: the server assigns them, so a recorded CSV can be
/// published again. CSV needs a header row; a bad header is a fatal error
/// (``InputError/isFatal``), since no line after it could be read. A leading byte order mark is
/// skipped. A line is either parsed completely or rejected with a reason; nothing half-parsed
/// comes out.
public struct InputRecordParser {
    /// The input's format; `auto` decides on the first non-blank line (`{` means NDJSON).
    public enum Format: String, CaseIterable, Sendable {
        case auto, csv, ndjson
    }

    private var format: Format
    private var csvHeader: [String]?
    private var sawFirstLine = false
    private let now: () -> Timestamp

    public init(format: Format = .auto, now: @escaping () -> Timestamp = Timestamp.now) {
        self.format = format
        self.now = now
    }

    /// Parses one line: a message, or `nil` for blank lines, `#` comments and the CSV header.
    public mutating func parse(line: Substring) throws(InputError) -> FeedMessage? {
        var line = line
        if !sawFirstLine {
            sawFirstLine = true
            if line.unicodeScalars.first == "\u{FEFF}" { line = Substring(line.unicodeScalars.dropFirst()) }
        }
        let trimmed = line.trimmingSpaces()
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
        if format == .auto { format = trimmed.hasPrefix("{") ? .ndjson : .csv }
        switch format {
        case .ndjson:
            let object = try FlatJSONObject(parsing: String(trimmed))
            var fields: [String: String] = [:]
            for (key, value) in object.members {
                switch value {
                case .string(let text): fields[key] = text
                case .literal("null"): continue
                case .literal(let text): fields[key] = text
                }
            }
            return try message(from: fields)
        case .csv, .auto:
            let cells = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
                String($0.trimmingSpaces()).unquoted()
            }
            guard let header = csvHeader else {
                try Self.checkHeader(cells)
                csvHeader = cells
                return nil
            }
            guard cells.count == header.count else {
                throw .malformed("\(cells.count) fields where the header has \(header.count)")
            }
            var fields: [String: String] = [:]
            for (name, cell) in zip(header, cells) where !cell.isEmpty { fields[name] = cell }
            return try message(from: fields)
        }
    }

    private static let knownFields = Set(MessageField.allCases.map(\.rawValue))

    /// Every problem of a CSV header row at once, so one error says all that needs fixing.
    private static func checkHeader(_ names: [String]) throws(InputError) {
        var problems: [String] = []
        var unknown: [String] = []
        for name in names where !knownFields.contains(name) && !unknown.contains(name) { unknown.append(name) }
        if !unknown.isEmpty {
            problems.append("unknown column\(unknown.count == 1 ? "" : "s") " + unknown.map { "'\($0)'" }.joined(separator: ", "))
        }
        var seen = Set<String>()
        let repeated = Set(names.filter { !seen.insert($0).inserted })
        if !repeated.isEmpty { problems.append("repeated column " + repeated.sorted().map { "'\($0)'" }.joined(separator: ", ")) }
        if !names.contains("topic") { problems.append("no 'topic' column") }
        guard problems.isEmpty else {
            let known = MessageField.allCases.map(\.rawValue).joined(separator: ",")
            throw .badHeader(problems.joined(separator: "; ") + " (the first line names the fields from: \(known))")
        }
    }

    private func message(from fields: [String: String]) throws(InputError) -> FeedMessage {
        for name in fields.keys where !Self.knownFields.contains(name) { throw .unknownField(name) }
        guard let topicText = fields["topic"] else { throw .missingField("topic") }
        let topic: Topic
        do { topic = try Topic(topicText) } catch { throw .badField("topic", error.description) }
        let type: MessageType
        if let name = fields["type"] {
            guard let parsed = MessageType(name: name), parsed != .heartbeat else {
                throw .badField("type", "'\(name)' is not quote or trade")
            }
            type = parsed
        } else if fields["price"] != nil {
            type = .trade
        } else if fields["bid"] != nil || fields["ask"] != nil {
            type = .quote
        } else {
            throw .missingField("type")
        }
        let eventTime: Int64
        if let text = fields["event_time"] ?? fields["time"] {
            eventTime = try Self.exactTime(text)
        } else {
            eventTime = now().nanoseconds
        }
        let payload: Payload
        switch type {
        case .quote:
            for name in ["price", "size", "side"] where fields[name] != nil { throw .badField(name, "not a field of a quote") }
            let quote = Quote(
                bidPrice: try price(fields, "bid"), askPrice: try price(fields, "ask"),
                bidSize: try size(fields, "bid_size"), askSize: try size(fields, "ask_size"))
            payload = .quote(quote)
        default:
            for name in ["bid", "ask", "bid_size", "ask_size"] where fields[name] != nil {
                throw .badField(name, "not a field of a trade")
            }
            let sideText = fields["side"] ?? "unknown"
            guard let side = AggressorSide(name: sideText) else { throw .badField("side", "'\(sideText)' is not buy, sell or unknown") }
            payload = .trade(Trade(price: try price(fields, "price"), size: try size(fields, "size"), aggressor: side))
        }
        return FeedMessage(topic: topic, eventTime: eventTime, payload: payload)
    }

    /// A time with at most nanosecond precision: finer fractions are rejected, as prices with
    /// more than 8 decimals are, rather than truncated.
    private static func exactTime(_ text: String) throws(InputError) -> Int64 {
        if let separator = text.firstIndex(where: { $0 == "." || $0 == "," }),
            text[text.index(after: separator)...].prefix(while: { $0.isASCII && $0.isNumber }).count > 9
        {
            throw .badField("event_time", "'\(text)' has more than 9 fraction digits (times are whole nanoseconds)")
        }
        do { return try Timestamp(parsing: text).nanoseconds } catch { throw .badField("event_time", error.description) }
    }

    private func price(_ fields: [String: String], _ name: String) throws(InputError) -> Price {
        guard let text = fields[name] else { throw .missingField(name) }
        do { return try Price(text) } catch { throw .badField(name, error.description) }
    }

    private func size(_ fields: [String: String], _ name: String) throws(InputError) -> UInt32 {
        guard let text = fields[name] else { throw .missingField(name) }
        guard let value = UInt32(text) else { throw .badField(name, "'\(text)' is not a whole number 0-\(UInt32.max)") }
        return value
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> Substring {
        let text = Substring(self)
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text.lastIndex { !$0.isWhitespace }.map { text.index(after: $0) } ?? start
        return text[start..<Swift.max(start, end)]
    }
}

extension String {
    fileprivate func unquoted() -> String {
        count >= 2 && hasPrefix("\"") && hasSuffix("\"") ? String(dropFirst().dropLast()) : self
    }
}
