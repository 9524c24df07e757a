import FeedModel

/// How the CLI prints messages: one line per message after an optional header.
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
        case .table: TableLayout.row(TableLayout.columns.map { $0.title })
        }
    }

    /// One message as one line (no newline).
    public func line(for message: FeedMessage) -> String {
        switch self {
        case .ndjson:
            let members = MessageField.allCases.compactMap { field -> String? in
                guard let value = field.value(of: message) else { return nil }
                return "\"\(field.rawValue)\":" + (field.isNumeric ? value : "\"\(value)\"")
            }
            return "{" + members.joined(separator: ",") + "}"
        case .csv:
            return MessageField.allCases.map { $0.value(of: message) ?? "" }.joined(separator: ",")
        case .table:
            return TableLayout.row(TableLayout.columns.map { $0.text(message) })
        }
    }
}

/// The table format's columns: quotes show bid/ask, trades show price, size and side.
enum TableLayout {
    struct Column: Sendable {
        let title: String
        let width: Int
        let rightAligned: Bool
        let text: @Sendable (FeedMessage) -> String
    }

    static let columns: [Column] = [
        Column(title: "TIME", width: 30, rightAligned: false) { MessageField.time.value(of: $0) ?? "" },
        Column(title: "TOPIC", width: 16, rightAligned: false) { $0.topic.rawValue },
        Column(title: "TYPE", width: 5, rightAligned: false) { $0.payload.type.description },
        Column(title: "SEQ", width: 10, rightAligned: true) { String($0.feedSequence) },
        Column(title: "TSEQ", width: 8, rightAligned: true) { String($0.topicSequence) },
        Column(title: "BID/PRICE", width: 12, rightAligned: true) { message in
            MessageField.bid.value(of: message) ?? MessageField.price.value(of: message) ?? ""
        },
        Column(title: "SIZE", width: 7, rightAligned: true) { message in
            MessageField.bidSize.value(of: message) ?? MessageField.size.value(of: message) ?? ""
        },
        Column(title: "ASK/SIDE", width: 12, rightAligned: true) { message in
            MessageField.ask.value(of: message) ?? MessageField.side.value(of: message) ?? ""
        },
        Column(title: "SIZE", width: 7, rightAligned: true) { MessageField.askSize.value(of: $0) ?? "" },
    ]

    static func row(_ cells: [String]) -> String {
        zip(columns, cells).map { column, cell in
            let padding = String(repeating: " ", count: max(0, column.width - cell.count))
            return column.rightAligned ? padding + cell : cell + padding
        }.joined(separator: " ").trimmingTrailingSpaces()
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
