import Benchmark
import FeedHistory
import FeedModel
import Foundation

// The per-message steps of the hot paths, one benchmark each, with their time and their heap
// allocations (ordo-one/benchmark's malloc counter): intake → sequencing → recording on the
// server, and receive → decode → print on the client. Run with
// `swift package --package-path Benchmarks benchmark` (`make bench` does).
// Each figure is per message (an iteration handles 1,000 of them: scaling factor kilo), but for
// the history, which is per transaction, as the recorder writes them.

/// A quote and a trade as a producer sends them: the frames the hot paths start from.
private enum Frames {
    static let topics: [[UInt8]] = (0..<100).map { Array((($0 < 50) ? "NASDAQ.S\($0)" : "NYSE.S\($0 - 50)").utf8) }
    static let quote = FeedMessage(
        topic: try! Topic("NASDAQ.AAPL"), session: 7, feedSequence: 1, topicSequence: 1, eventTime: 1_700_000_000_000_000_000,
        publishTime: 1_700_000_000_000_000_000,
        payload: .quote(Quote(bidPrice: Price(mantissa: 18_235_000_000), askPrice: Price(mantissa: 18_236_000_000), bidSize: 300, askSize: 500)))
    static let quoteTopic = quote.topicBytes
    static let quoteBody = quote.encodedBody()
}

let benchmarks: @Sendable () -> Void = {
    let perMessage = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo, maxDuration: .seconds(2))

    Benchmark("intake: validate a producer's quote in place", configuration: perMessage) { benchmark in
        Frames.quoteTopic.withUnsafeBytes { topic in
            Frames.quoteBody.withUnsafeBytes { body in
                for _ in benchmark.scaledIterations { blackHole(try? FeedMessage.validate(topic: topic, body: body)) }
            }
        }
    }

    Benchmark("sequencing: topic sequence by topic bytes, header stamped", configuration: perMessage) { benchmark in
        var topics = TopicTable()
        var sequences = [UInt64](repeating: 0, count: Frames.topics.count)
        var body = Frames.quoteBody
        var index = 0
        body.withUnsafeMutableBytes { body in
            for _ in benchmark.scaledIterations {
                index = index == Frames.topics.count - 1 ? 0 : index + 1
                Frames.topics[index].withUnsafeBytes { topic in
                    let id = topics.insert(topic).id
                    sequences[id] += 1
                    WireHeader.stamp(body, session: 7, feedSequence: UInt64(index), topicSequence: sequences[id], publishTime: 1)
                }
            }
        }
        blackHole(sequences)
    }

    Benchmark("recording: append a message to a 4096-message block", configuration: perMessage) { benchmark in
        var block = MessageBlock(reservingCapacity: 4096 * 80)
        Frames.quoteTopic.withUnsafeBytes { topic in
            Frames.quoteBody.withUnsafeBytes { body in
                for _ in benchmark.scaledIterations {
                    if block.count == 4096 { block.removeAll() }
                    block.append(topic: topic, body: body)
                }
            }
        }
        blackHole(block)
    }

    Benchmark("subscriber: decode a quote", configuration: perMessage) { benchmark in
        Frames.quoteTopic.withUnsafeBytes { topic in
            Frames.quoteBody.withUnsafeBytes { body in
                for _ in benchmark.scaledIterations { blackHole(try? FeedMessage(topic: topic, body: body)) }
            }
        }
    }

    Benchmark("printing: a publish time and two prices as text", configuration: perMessage) { benchmark in
        var text = TextBuffer()
        for _ in benchmark.scaledIterations {
            text.removeAll()
            Timestamp(nanoseconds: Frames.quote.publishTime).write(to: &text)
            Price(mantissa: 18_235_000_000).write(to: &text)
            Price(mantissa: 18_236_000_000).write(to: &text)
        }
        blackHole(text)
    }

    Benchmark(
        "history: one transaction of 8 blocks of 4096 messages (32,768 messages)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(5))
    ) { benchmark in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hot-paths-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try HistoryStore(path: folder.appendingPathComponent("history.sqlite").path)
        var sequence: UInt64 = 0
        var body = Frames.quoteBody
        let batch = (0..<8).map { _ in
            var block = MessageBlock(reservingCapacity: 4096 * 80)
            for _ in 0..<4096 {
                sequence += 1
                body.withUnsafeMutableBytes {
                    WireHeader.stamp($0, session: 7, feedSequence: sequence, topicSequence: sequence, publishTime: Int64(sequence))
                }
                block.append(topic: Frames.quoteTopic, body: body)
            }
            return block
        }
        benchmark.startMeasurement()
        try store.append(batch)
        benchmark.stopMeasurement()
        blackHole(try store.messageCount())
    }
}
