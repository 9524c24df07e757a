import FeedClientKit
import FeedHistory
import FeedModel
import FeedServerCore
import Foundation
import Logging
import Testing
import ZeroMQ

/// A slow consumer behind tiny queues loses messages live and still ends complete: the
/// sequenced feed repairs every loss from the history.
struct SlowConsumerTests {
    @Test func tinyQueuesAndASlowConsumerStillEndComplete() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feed-slow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = ServerConfiguration()
        // ipc: small kernel buffers, so the publisher's queue for this subscriber fills quickly.
        configuration.publishEndpoints = ["ipc://\(folder.appendingPathComponent("pub").path)"]
        configuration.ingestEndpoint = "tcp://127.0.0.1:*"
        configuration.replayEndpoint = "tcp://127.0.0.1:*"
        configuration.databasePath = folder.appendingPathComponent("feed.sqlite").path
        configuration.demoRate = 10_000
        configuration.sendHighWaterMark = 50
        configuration.heartbeatIntervalMilliseconds = 100
        let server = try FeedServer.start(configuration: configuration, logger: Logger(label: "test"))

        let context = try ZMQContext()
        var options = SequencedFeed.Options(prefixes: [try TopicPrefix("NASDAQ.")], replayEndpoint: server.endpoints.replay)
        options.receiveHighWaterMark = 10
        let feed = try SequencedFeed(context: context, endpoint: server.endpoints.publish[0], options: options)
        var delivered: [FeedMessage] = []
        var gaps = 0
        while delivered.count < 3000 {
            guard let event = try feed.next(timeoutMilliseconds: 10_000) else { break }
            switch event {
            case .message(let message):
                delivered.append(message)
                // The slow consumer: far slower than the 10,000 msg/s feed.
                Thread.sleep(forTimeInterval: 0.001)
            case .gap: gaps += 1
            default: break
            }
        }
        server.stop()

        #expect(delivered.count == 3000)
        #expect(gaps == 0)
        #expect(feed.fromHistory > 0, "no message was lost live, so nothing was proven")
        // Repaired messages come before their topic's next live one: each topic is in order,
        // exactly once, though topics interleave differently from the feed-wide order.
        let last = try #require(delivered.map(\.feedSequence).max())
        let first = try #require(delivered.map(\.feedSequence).min())
        let recorded = try HistoryStore(path: configuration.databasePath, readOnly: true)
            .queryAll(HistoryQuery(prefix: try TopicPrefix("NASDAQ."), fromSequence: first, session: server.session))
            .decoded().filter { $0.feedSequence <= last }
        let deliveredByTopic = Dictionary(grouping: delivered, by: \.topic)
        let recordedByTopic = Dictionary(grouping: recorded, by: \.topic)
        #expect(Set(deliveredByTopic.keys) == Set(recordedByTopic.keys))
        for (topic, messages) in recordedByTopic {
            let got = deliveredByTopic[topic] ?? []
            // Compare up to this topic's last delivery: a loss at its tail shows only later.
            let lastDelivered = got.map(\.topicSequence).max() ?? 0
            let expected = messages.filter { $0.topicSequence >= (got.first?.topicSequence ?? 0) && $0.topicSequence <= lastDelivered }
            #expect(got == expected, "\(topic): \(got.count) delivered, \(expected.count) recorded in range")
        }
        #expect(Set(delivered.map(\.feedSequence)).count == delivered.count, "duplicates delivered")
    }
}
