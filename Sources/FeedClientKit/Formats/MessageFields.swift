import FeedModel

/// The named fields of a message as text, in one fixed order: the single definition shared by
/// every output format (and by the input parser's field names), so CSV, NDJSON and the table
/// never disagree. Absent fields (a trade has no bid) are `nil`.
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

    /// This field of `message` as text.
    public func value(of message: FeedMessage) -> String? {
        switch self {
        case .time: return Timestamp(nanoseconds: message.publishTime).description
        case .topic: return message.topic.rawValue
        case .type: return message.payload.type.description
        case .session: return String(message.session)
        case .seq: return String(message.feedSequence)
        case .topicSeq: return String(message.topicSequence)
        case .eventTime: return Timestamp(nanoseconds: message.eventTime).description
        case .bid, .bidSize, .ask, .askSize:
            guard case .quote(let quote) = message.payload else { return nil }
            switch self {
            case .bid: return quote.bidPrice.description
            case .bidSize: return String(quote.bidSize)
            case .ask: return quote.askPrice.description
            default: return String(quote.askSize)
            }
        case .price, .size, .side:
            guard case .trade(let trade) = message.payload else { return nil }
            switch self {
            case .price: return trade.price.description
            case .size: return String(trade.size)
            default: return trade.aggressor.description
            }
        }
    }
}
