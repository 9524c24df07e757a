import FeedModel

/// The messages every benchmark writes and reads, the same as the C baselines'
/// (`baselines/pubsub_common.h`, `baselines/sqlite_insert.c`): message `i` (from 1) is a 64-byte
/// quote on topic `(i-1) % 100` (`NASDAQ.S0`...`NASDAQ.S49`, `NYSE.S0`...`NYSE.S49`), feed sequence
/// `i`, its topic's next sequence, and event and publish time `baseTime + i × 1000` ns.
struct BenchmarkMessages {
    static let topicCount = 100
    static let baseTime: Int64 = 1_700_000_000_000_000_000
    static let session: UInt32 = 1

    static let topics: [Topic] = (0..<topicCount).map { index in
        try! Topic(index < 50 ? "NASDAQ.S\(index)" : "NYSE.S\(index - 50)")
    }
    private static let topicFrames = topics.map { Array($0.rawValue.utf8) }

    /// The publish time of message `i`.
    static func time(of index: Int) -> Int64 { baseTime + Int64(index) * 1000 }

    private var topicSequences = [UInt64](repeating: 0, count: BenchmarkMessages.topicCount)
    private var body = [UInt8](repeating: 0, count: MessageType.quote.bodyLength)

    /// Appends message `index` to `block`.
    mutating func append(_ index: Int, to block: inout MessageBlock) {
        let topic = (index - 1) % Self.topicCount
        topicSequences[topic] += 1
        let time = Self.time(of: index)
        let message = FeedMessage(
            topic: Self.topics[topic], session: Self.session,
            feedSequence: UInt64(index), topicSequence: topicSequences[topic], eventTime: time, publishTime: time,
            payload: .quote(
                Quote(
                    bidPrice: Price(mantissa: 10_000_000_000 + Int64(index % 1000)), askPrice: Price(mantissa: 0),
                    bidSize: 0, askSize: 0)))
        body.withUnsafeMutableBytes { message.encodeBody(into: $0) }
        Self.topicFrames[topic].withUnsafeBytes { topicBytes in
            body.withUnsafeBytes { block.append(topic: topicBytes, body: $0) }
        }
    }
}
