import FeedClientKit
import FeedHistory
import FeedModel
import FeedServerCore
import Foundation
import Logging
import Testing
import ZeroMQ

/// The messages of one publisher session, numbered as the sequencer numbers them, for tests
/// that decide exactly which of them reach the history and which reach a subscriber.
struct ScriptedSession {
    let session: UInt32
    private(set) var messages: [FeedMessage] = []
    private var topicSequences: [Topic: UInt64] = [:]
    /// Publish times start here and grow by a microsecond per message.
    let startTime: Int64

    init(session: UInt32, startTime: Int64 = 1_700_000_000_000_000_000) {
        self.session = session
        self.startTime = startTime
    }

    /// Appends messages for `topics` in turn, `count` of them in all; returns them.
    @discardableResult
    mutating func add(_ topics: [String], count: Int) -> [FeedMessage] {
        (0..<count).map { index in add(topics[index % topics.count]) }
    }

    /// Appends one trade of `topic` with the next sequences.
    @discardableResult
    mutating func add(_ topic: String) -> FeedMessage {
        let topic = try! Topic(topic)
        let feedSequence = UInt64(messages.count + 1)
        let topicSequence = topicSequences[topic, default: 0] + 1
        topicSequences[topic] = topicSequence
        let time = startTime + Int64(feedSequence) * 1000
        let message = FeedMessage(
            topic: topic, session: session, feedSequence: feedSequence, topicSequence: topicSequence, eventTime: time,
            publishTime: time, payload: .trade(Trade(price: Price(mantissa: Int64(feedSequence) * 100), size: 1, aggressor: .buy)))
        messages.append(message)
        return message
    }

    /// Messages with feed sequences in `range`.
    func messages(_ range: ClosedRange<UInt64>) -> [FeedMessage] {
        messages.filter { range.contains($0.feedSequence) }
    }

    /// Writes the messages with feed sequences in `range` to the history, in blocks of `blockSize`.
    func record(_ range: ClosedRange<UInt64>, into path: String, blockSize: Int = 7) throws {
        let store = try HistoryStore(path: path)
        var blocks: [MessageBlock] = []
        for chunk in stride(from: 0, to: messages(range).count, by: blockSize) {
            var block = MessageBlock()
            for message in messages(range)[chunk..<min(chunk + blockSize, messages(range).count)] { block.append(message) }
            blocks.append(block)
        }
        try store.append(blocks)
    }
}

/// A publish socket the test drives in place of feed-server's fan-out: it answers a
/// subscriber's heartbeat subscription when told to and publishes exactly the messages the test
/// picks, so a loss happens where the test wants it, deterministically. A real XPUB on a real
/// `inproc://` endpoint; nothing of libzmq is imitated.
final class ScriptedPublisher {
    let socket: ZMQSocket
    let endpoint: String

    init(context: ZMQContext, endpoint: String = "inproc://scripted-\(UUID().uuidString)") throws {
        self.endpoint = endpoint
        socket = try ZMQSocket(context, .xpub)
        try socket.set(.linger, 0)
        try socket.set(.xpubVerbose, 1)
        try socket.bind(endpoint)
    }

    /// Waits for a subscription frame starting with `kind` (1 subscribe, 0 unsubscribe) for
    /// `topic`. A subscriber subscribes to the heartbeat topic after its prefixes, so once its
    /// heartbeat subscription is here, every prefix is in place.
    func awaitSubscription(kind: UInt8 = 1, to topic: String = Topic.heartbeat.rawValue, timeoutMilliseconds: Int = 20_000) throws {
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        let wanted = [kind] + Array(topic.utf8)
        while Date() < deadline {
            guard try socket.waitReadable(timeoutMilliseconds: 50), let frames = try socket.receiveFrames() else { continue }
            if frames.first == wanted { return }
        }
        throw ScriptFailure("no \(kind == 1 ? "subscription" : "unsubscription") to '\(topic)' within \(timeoutMilliseconds) ms")
    }

    func heartbeat(session: UInt32, feedSequence: UInt64) throws {
        try publish(
            FeedMessage(
                topic: .heartbeat, session: session, feedSequence: feedSequence, topicSequence: 0, eventTime: 0,
                publishTime: 0, payload: .heartbeat))
    }

    func publish(_ message: FeedMessage) throws {
        try socket.send(frames: [message.topicBytes, message.encodedBody()])
    }

    func publish(_ messages: [FeedMessage]) throws {
        for message in messages { try publish(message) }
    }
}

/// A real replay service (a whole ``FeedServer`` with nothing published) serving a history
/// file the test wrote, over `inproc://` on the test's context. Its own session is the current
/// time, far above the scripted sessions, so they all count as finished and fully recorded.
final class ReplayFixture {
    let context: ZMQContext
    let folder: URL
    let databasePath: String
    private(set) var server: FeedServer?

    init() throws {
        context = try ZMQContext()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("feed-scripted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        databasePath = folder.appendingPathComponent("feed.sqlite").path
    }

    /// Starts the server on the history written so far; returns its replay endpoint.
    func startReplay() throws -> String {
        let name = UUID().uuidString
        var configuration = ServerConfiguration()
        configuration.publishEndpoints = ["inproc://unused-publish-\(name)"]
        configuration.ingestEndpoint = "inproc://unused-ingest-\(name)"
        configuration.replayEndpoint = "inproc://replay-\(name)"
        configuration.databasePath = databasePath
        configuration.heartbeatIntervalMilliseconds = 60_000
        let server = try FeedServer.start(configuration: configuration, context: context, logger: Logger(label: "test"))
        self.server = server
        return server.endpoints.replay
    }

    deinit {
        server?.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Reads events until one matches `last`, and returns them all, each in its short form (`FeedEvent.description`).
func events(of feed: SequencedFeed, until last: (FeedEvent) -> Bool, timeoutMilliseconds: Int = 20_000) throws -> [String] {
    var seen: [String] = []
    while true {
        guard let event = try feed.next(timeoutMilliseconds: timeoutMilliseconds) else {
            throw ScriptFailure("no event within \(timeoutMilliseconds) ms after: \(seen.suffix(8))")
        }
        seen.append(event.description)
        if last(event) { return seen }
    }
}

/// Reads events until the heartbeat of `session` at `feedSequence`, included.
func events(of feed: SequencedFeed, throughHeartbeat feedSequence: UInt64, of session: UInt32) throws -> [String] {
    try events(of: feed) { $0 == .heartbeat(session: session, feedSequence: feedSequence) }
}

/// Each message in its short form (`FeedEvent.description`).
func brief(_ messages: [FeedMessage]) -> [String] { messages.map { FeedEvent.message($0).description } }

/// A test expectation about the script itself failed.
struct ScriptFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
