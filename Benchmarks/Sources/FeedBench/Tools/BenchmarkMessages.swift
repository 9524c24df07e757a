import FeedModel

/// The messages every benchmark writes and reads, the same as the C baselines'
/// (`baselines/pubsub_common.h`, `baselines/sqlite_insert.c`): message `i` (from 1) is a 64-byte
/// quote on topic `(i-1) % N` (`NASDAQ.S0`...`NASDAQ.S{N/2-1}`, then `NYSE.S0`...), feed sequence
/// `i`, its topic's next sequence, and event and publish time `baseTime + i × 1000` ns. N is
/// 100 (the C baselines' universe) unless a scenario asks for a larger symbol universe.
struct BenchmarkMessages {
    static let topicCount = 100
    static let baseTime: Int64 = 1_700_000_000_000_000_000
    static let session: UInt32 = 1

    /// The name of topic `index` of a universe of `count`.
    static func topic(_ index: Int, of count: Int) -> String {
        index < count / 2 ? "NASDAQ.S\(index)" : "NYSE.S\(index - count / 2)"
    }

    let topicCount: Int
    private let topicFrames: [[UInt8]]

    /// The publish time of message `i`.
    static func time(of index: Int) -> Int64 { baseTime + Int64(index) * 1000 }

    private var topicSequences: [UInt64]
    private var body = [UInt8](repeating: 0, count: MessageType.quote.bodyLength)

    init(topicCount: Int = BenchmarkMessages.topicCount) {
        self.topicCount = topicCount
        topicFrames = (0..<topicCount).map { Array(Self.topic($0, of: topicCount).utf8) }
        topicSequences = [UInt64](repeating: 0, count: topicCount)
    }

    /// Appends message `index` to `block`.
    mutating func append(_ index: Int, to block: inout MessageBlock) {
        let topic = (index - 1) % topicCount
        topicSequences[topic] += 1
        let time = Self.time(of: index)
        // The topic travels in its own frame: the body's encoding does not read it.
        let message = FeedMessage(
            topic: .heartbeat, session: Self.session,
            feedSequence: UInt64(index), topicSequence: topicSequences[topic], eventTime: time, publishTime: time,
            payload: .quote(
                Quote(
                    bidPrice: Price(mantissa: 10_000_000_000 + Int64(index % 1000)), askPrice: Price(mantissa: 0),
                    bidSize: 0, askSize: 0)))
        body.withUnsafeMutableBytes { message.encodeBody(into: $0) }
        topicFrames[topic].withUnsafeBytes { topicBytes in
            body.withUnsafeBytes { block.append(topic: topicBytes, body: $0) }
        }
    }
}
