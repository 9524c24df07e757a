import FeedHistory
import FeedModel
import Foundation
import Testing

/// Recording and reading a million messages: guards against a design that is orders of magnitude
/// too slow (a row per message), with bounds loose enough for a debug build on a busy machine.
struct HistoryThroughputTests {
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

    @Test func recordsAndReadsAMillionMessages() throws {
        #if DEBUG
        let bound = 60.0
        #else
        let bound = 5.0
        #endif
        let blocks = Self.makeBlocks()
        let total = Self.blockCount * Self.messagesPerBlock
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            let clock = ContinuousClock()
            var appendTime = Duration.zero
            for batch in stride(from: 0, to: blocks.count, by: 100) {
                let slice = Array(blocks[batch..<batch + 100])
                appendTime += try clock.measure { try store.append(slice) }
            }
            #expect(try store.messageCount() == total)

            var read = 0
            let allTime = try clock.measure { read = try store.queryAll(HistoryQuery()).count }
            #expect(read == total)

            var oneTopic = 0
            let topicTime = try clock.measure {
                oneTopic = try store.queryAll(HistoryQuery(prefix: try TopicPrefix(Self.topics[7].rawValue))).count
            }
            #expect(oneTopic == total / Self.topics.count)

            var tail = 0
            let tailTime = try clock.measure {
                tail = try store.queryAll(HistoryQuery(fromSequence: UInt64(total - 4_999), session: 9)).count
            }
            #expect(tail == 5_000)

            func rate(_ count: Int, _ duration: Duration) -> String {
                let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
                return "\(Int(Double(count) / max(seconds, 1e-9))) msg/s (\(duration))"
            }
            print(
                "history throughput: append \(rate(total, appendTime)); read all \(rate(total, allTime)); "
                    + "one topic of 100 \(rate(oneTopic, topicTime)); last 5,000 by sequence \(tailTime)")
            #expect(appendTime < .seconds(bound), "append of \(total) messages took \(appendTime)")
            #expect(allTime < .seconds(bound), "reading \(total) messages took \(allTime)")
        }
    }
}
