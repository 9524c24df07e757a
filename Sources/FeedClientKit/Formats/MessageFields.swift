import FeedModel

/// The named fields of a message as text, in one fixed order: the single definition shared by
/// every output format (and by the input parser's field names), so CSV, NDJSON and the table
/// never disagree. Absent fields (a trade has no bid) are written as nothing.
public enum MessageField: String, CaseIterable, Sendable {
    case time, topic, type, session, seq, topicSeq = "topic_seq"
    case bid, bidSize = "bid_size", ask, askSize = "ask_size"
    case price, size, side
    case eventTime = "event_time"

    /// Whether the value is a JSON number (prices and integers) rather than a string.
    var isNumeric: Bool {
        switch self {
        case .session, .seq, .topicSeq, .bid, .bidSize, .ask, .askSize, .price, .size: true
        default: false
        }
    }

    /// Appends this field of `message` to `text`; returns false, writing nothing, when the
    /// message has no such field.
    @discardableResult
    public func write(of message: FeedMessage, to text: inout TextBuffer) -> Bool {
        switch self {
        case .time: Timestamp(nanoseconds: message.publishTime).write(to: &text)
        case .topic: text.append(message.topic.rawValue)
        case .type: text.append(message.payload.type.description)
        case .session: text.append(UInt64(message.session))
        case .seq: text.append(message.feedSequence)
        case .topicSeq: text.append(message.topicSequence)
        case .eventTime: Timestamp(nanoseconds: message.eventTime).write(to: &text)
        case .bid, .bidSize, .ask, .askSize:
            guard case .quote(let quote) = message.payload else { return false }
            switch self {
            case .bid: quote.bidPrice.write(to: &text)
            case .bidSize: text.append(UInt64(quote.bidSize))
            case .ask: quote.askPrice.write(to: &text)
            default: text.append(UInt64(quote.askSize))
            }
        case .price, .size, .side:
            guard case .trade(let trade) = message.payload else { return false }
            switch self {
            case .price: trade.price.write(to: &text)
            case .size: text.append(UInt64(trade.size))
            default: text.append(trade.aggressor.description)
            }
        }
        return true
    }
}
