import FeedModel

/// How the CLI prints messages: one line per message after an optional header.
///
/// Lines are written as bytes into a ``TextBuffer`` (no `String` per field), because `history`
/// and a late joiner print millions of them.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Aligned columns for people.
    case table
    /// One JSON object per line; prices are JSON numbers with exact decimals.
    case ndjson
    /// Comma-separated with a header row; the same field names `publish` reads.
    case csv

    /// The header line, if the format has one.
    public var header: String? {
        switch self {
        case .ndjson: nil
        case .csv: MessageField.allCases.map(\.rawValue).joined(separator: ",")
        case .table: TableLayout.header
        }
    }

    /// One message as one line (no newline).
    public func line(for message: FeedMessage) -> String {
        var text = TextBuffer()
        write(message, to: &text)
        return text.string
    }

    /// Each field with its NDJSON key as bytes: `"bid":` for numbers, `"topic":"` for strings.
    private static let ndjsonKeys: [(MessageField, [UInt8])] = MessageField.allCases.map { field in
        (field, Array("\"\(field.rawValue)\":\(field.isNumeric ? "" : "\"")".utf8))
    }

    /// Appends one message as one line (no newline) to `text`.
    public func write(_ message: FeedMessage, to text: inout TextBuffer) {
        switch self {
        case .ndjson:
            text.append(UInt8(ascii: "{"))
            var first = true
            for (field, key) in Self.ndjsonKeys {
                let start = text.count
                if !first { text.append(UInt8(ascii: ",")) }
                text.append(key)
                if field.write(of: message, to: &text) {
                    if !field.isNumeric { text.append(UInt8(ascii: "\"")) }
                    first = false
                } else {
                    text.truncate(to: start)
                }
            }
            text.append(UInt8(ascii: "}"))
        case .csv:
            for (index, field) in MessageField.allCases.enumerated() {
                if index > 0 { text.append(UInt8(ascii: ",")) }
                field.write(of: message, to: &text)
            }
        case .table:
            TableLayout.write(message, to: &text)
        }
    }
}

/// The table format's columns: quotes show bid/ask, trades show price, size and side.
enum TableLayout {
    struct Column: Sendable {
        let title: String
        let width: Int
        let rightAligned: Bool
        /// The fields shown in this column: the first one the message has.
        let fields: [MessageField]
    }

    static let columns: [Column] = [
        Column(title: "TIME", width: 30, rightAligned: false, fields: [.time]),
        Column(title: "TOPIC", width: 16, rightAligned: false, fields: [.topic]),
        Column(title: "TYPE", width: 5, rightAligned: false, fields: [.type]),
        Column(title: "SEQ", width: 10, rightAligned: true, fields: [.seq]),
        Column(title: "TSEQ", width: 8, rightAligned: true, fields: [.topicSeq]),
        Column(title: "BID/PRICE", width: 12, rightAligned: true, fields: [.bid, .price]),
        Column(title: "SIZE", width: 7, rightAligned: true, fields: [.bidSize, .size]),
        Column(title: "ASK/SIDE", width: 12, rightAligned: true, fields: [.ask, .side]),
        Column(title: "SIZE", width: 7, rightAligned: true, fields: [.askSize]),
    ]

    static let header: String = {
        var text = TextBuffer()
        writeRow(to: &text) { column, text in text.append(column.title) }
        return text.string
    }()

    static func write(_ message: FeedMessage, to text: inout TextBuffer) {
        writeRow(to: &text) { column, text in
            for field in column.fields where field.write(of: message, to: &text) { break }
        }
    }

    /// One row: each column's cell padded to its width, separated by a space, no trailing spaces.
    private static func writeRow(to text: inout TextBuffer, cell: (Column, inout TextBuffer) -> Void) {
        for (index, column) in columns.enumerated() {
            if index > 0 { text.append(UInt8(ascii: " ")) }
            let start = text.count
            cell(column, &text)
            text.pad(from: start, toWidth: column.width, rightAligned: column.rightAligned)
        }
        text.trimTrailingSpaces()
    }
}
