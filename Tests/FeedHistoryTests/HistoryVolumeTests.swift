import FeedHistory
import FeedModel
import Foundation
import Testing

/// A million messages in and out, exactly (speed is measured in BENCHMARKS.md, not here).
struct HistoryVolumeTests {
    static let blockCount = 1_000
    static let messagesPerBlock = 1_000
    static let topics = (0..<50).map { try! Topic("NASDAQ.S\($0)") } + (0..<50).map { try! Topic("NYSE.S\($0)") }

    /// 1,000 blocks of 1,000 messages of one session, 100 topics, stamped as the sequencer would.
    static func makeBlocks() -> [MessageBlock] {
        let template = FeedMessage(
            topic: topics[0], eventTime: 0,
            payload: .quote(Quote(bidPrice: Price(mantissa: 100), askPrice: Price(mantissa: 101), bidSize: 1, askSize: 2)))
        var body = template.encodedBody()
        let topicBytes = topics.map { Array($0.rawValue.utf8) }
        var topicSequences = [UInt64](repeating: 0, count: topics.count)
        var blocks: [MessageBlock] = []
        var feedSequence: UInt64 = 0
        for _ in 0..<blockCount {
            var block = MessageBlock(reservingCapacity: messagesPerBlock * (body.count + 20))
            for _ in 0..<messagesPerBlock {
                feedSequence += 1
                let topic = Int(feedSequence &* 2_654_435_761 % UInt64(topics.count))
                topicSequences[topic] += 1
                body.withUnsafeMutableBytes {
                    WireHeader.stamp(
                        $0, session: 9, feedSequence: feedSequence, topicSequence: topicSequences[topic],
                        publishTime: 1_700_000_000_000_000_000 + Int64(feedSequence) * 1_000)
                }
                block.append(topic: topicBytes[topic], body: body)
            }
            blocks.append(block)
        }
        return blocks
    }

    @Test func storesAndReadsAMillionMessagesExactly() throws {
        let blocks = Self.makeBlocks()
        let total = Self.blockCount * Self.messagesPerBlock
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            for batch in stride(from: 0, to: blocks.count, by: 100) {
                try store.append(Array(blocks[batch..<batch + 100]))
            }
            #expect(try store.messageCount() == total)
            let all = try store.queryAll(HistoryQuery())
            #expect(all.count == total)
            #expect(all.bytes == blocks.reduce(into: [UInt8]()) { $0 += $1.bytes }, "stored bytes differ")
            let oneTopic = try store.queryAll(HistoryQuery(prefix: try TopicPrefix(Self.topics[7].rawValue)))
            #expect(oneTopic.count == total / Self.topics.count)
            let tail = try store.queryAll(HistoryQuery(fromSequence: UInt64(total - 4_999), session: 9))
            #expect(try tail.decoded().map(\.feedSequence) == Array(UInt64(total - 4_999)...UInt64(total)))
        }
    }
}
