/// What kind of message a body holds: byte 1 of the wire header.
public enum MessageType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case quote = 1
    case trade = 2
    case heartbeat = 3

    /// Body length in bytes, header included: each type has one fixed layout.
    public var bodyLength: Int {
        switch self {
        case .quote: WireLayout.headerLength + 24
        case .trade: WireLayout.headerLength + 16
        case .heartbeat: WireLayout.headerLength
        }
    }

    public var description: String {
        switch self {
        case .quote: "quote"
        case .trade: "trade"
        case .heartbeat: "heartbeat"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}

/// The side that took liquidity in a trade.
public enum AggressorSide: UInt8, Sendable, CustomStringConvertible {
    case unknown = 0
    case buy = 1
    case sell = 2

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .buy: "buy"
        case .sell: "sell"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "buy", "b": self = .buy
        case "sell", "s": self = .sell
        case "unknown", "", "u": self = .unknown
        default: return nil
        }
    }
}

/// Best bid and offer for one topic.
public struct Quote: Hashable, Sendable {
    public var bidPrice: Price
    public var askPrice: Price
    public var bidSize: UInt32
    public var askSize: UInt32

    public init(bidPrice: Price, askPrice: Price, bidSize: UInt32, askSize: UInt32) {
        self.bidPrice = bidPrice
        self.askPrice = askPrice
        self.bidSize = bidSize
        self.askSize = askSize
    }
}

/// One execution.
public struct Trade: Hashable, Sendable {
    public var price: Price
    public var size: UInt32
    public var aggressor: AggressorSide

    public init(price: Price, size: UInt32, aggressor: AggressorSide) {
        self.price = price
        self.size = size
        self.aggressor = aggressor
    }
}

/// The type-specific part of a message.
public enum Payload: Hashable, Sendable {
    case quote(Quote)
    case trade(Trade)
    /// Sent when the feed is quiet; its header carries the latest feed sequence.
    case heartbeat

    public var type: MessageType {
        switch self {
        case .quote: .quote
        case .trade: .trade
        case .heartbeat: .heartbeat
        }
    }
}

/// One feed message: topic frame plus decoded body.
///
/// Producers leave `session`, `feedSequence`, `topicSequence` and `publishTime` at zero; the
/// server's sequencer fills them in. `(session, feedSequence)` names one message forever.
public struct FeedMessage: Hashable, Sendable {
    public var topic: Topic
    /// The publisher run that sequenced this message.
    public var session: UInt32
    /// Position in the whole feed of that session, from 1, no gaps.
    public var feedSequence: UInt64
    /// Position among this topic's messages of that session, from 1, no gaps.
    public var topicSequence: UInt64
    /// When the event happened (producer's clock), nanoseconds since 1970.
    public var eventTime: Int64
    /// When the server published it, nanoseconds since 1970.
    public var publishTime: Int64
    public var payload: Payload

    public init(
        topic: Topic, session: UInt32 = 0, feedSequence: UInt64 = 0, topicSequence: UInt64 = 0,
        eventTime: Int64, publishTime: Int64 = 0, payload: Payload
    ) {
        self.topic = topic
        self.session = session
        self.feedSequence = feedSequence
        self.topicSequence = topicSequence
        self.eventTime = eventTime
        self.publishTime = publishTime
        self.payload = payload
    }
}
