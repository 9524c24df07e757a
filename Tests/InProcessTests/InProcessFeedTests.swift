import FeedClientKit
import FeedHistory
import FeedModel
import FeedServerCore
import Foundation
import Logging
import Testing
import ZeroMQ

/// The server and its clients in one process over `inproc://`, through the library API.
struct InProcessFeedTests {
    @Test func inprocSubscriberAndProducerShareTheServersContext() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feed-inproc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = try ZMQContext()
        var configuration = ServerConfiguration()
        configuration.publishEndpoints = ["inproc://feed-publish"]
        configuration.ingestEndpoint = "inproc://feed-ingest"
        configuration.replayEndpoint = "inproc://feed-replay"
        configuration.databasePath = folder.appendingPathComponent("feed.sqlite").path
        configuration.heartbeatIntervalMilliseconds = 100
        let server = try FeedServer.start(configuration: configuration, context: context, logger: Logger(label: "test"))

        let subscriber = try FeedSubscriber(context: context, endpoint: "inproc://feed-publish", prefixes: [try TopicPrefix("NYSE.")])
        #expect(try subscriber.waitUntilLive(timeoutMilliseconds: 5000))

        let producer = try FeedProducer(context: context, endpoint: "inproc://feed-ingest")
        try producer.connect(timeoutMilliseconds: 1000)
        let sent = (0..<100).map { index in
            FeedMessage(
                topic: try! Topic(index.isMultiple(of: 2) ? "NYSE.IBM" : "NASDAQ.AAPL"), eventTime: Int64(index + 1),
                payload: .trade(Trade(price: Price(mantissa: Int64(index) * 100), size: UInt32(index), aggressor: .sell)))
        }
        for message in sent { try producer.send(message) }

        var received: [FeedMessage] = []
        while received.count < 50 {
            guard let event = try subscriber.next(timeoutMilliseconds: 5000) else { break }
            if case .message(let message) = event { received.append(message) }
        }
        #expect(received.map(\.payload) == sent.filter { $0.topic.venue == "NYSE" }.map(\.payload))
        #expect(received.map(\.topicSequence) == Array(1...50))

        let replay = try ReplayClient(context: context, endpoint: "inproc://feed-replay")
        #expect(try replay.status().published == 100)
        server.stop()
        let history = try HistoryStore(path: configuration.databasePath, readOnly: true)
        #expect(try history.messageCount() == 100)
    }
}
