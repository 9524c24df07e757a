import FeedHistory
import FeedModel
import Foundation
import Testing

/// A unique folder under the system temporary folder, removed when `body` returns or throws.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feed-history-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder.path)
}

/// A deterministic pseudo-random sequence (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// One message as recorded, for brute-force expectations.
struct RecordedMessage {
    var message: FeedMessage
    var topic: [UInt8]
    var body: [UInt8]

    init(_ message: FeedMessage) {
        self.message = message
        topic = message.topicBytes
        body = message.encodedBody()
    }
}

/// A synthetic recording: several sessions, venues and topics (one topic a prefix of another),
/// heartbeats, blocks of varied sizes, and one publish clock step backwards.
struct SyntheticFeed {
    static let topicNames = [
        "NASDAQ.AAPL", "NASDAQ.AAPLX", "NASDAQ.MSFT", "NASDAQ.A", "NYSE.IBM", "NYSE.BRK.B", "NYSE.BRK.A",
        "LSE.VOD", "XETRA.SAP", "N.Z",
    ]
    static let sessions: [UInt32] = [101, 102, 105]

    var messages: [RecordedMessage] = []
    /// The blocks as appended, in order.
    var blocks: [MessageBlock] = []
    /// Publish times for picking query bounds.
    var times: [Int64] { messages.map(\.message.publishTime) }

    init(seed: UInt64 = 7, messagesPerSession: Int = 700) {
        var random = SeededGenerator(seed: seed)
        let topics = Self.topicNames.map { try! Topic($0) }
        var time: Int64 = 1_700_000_000_000_000_000
        for session in Self.sessions {
            var feedSequence: UInt64 = 0
            var topicSequences: [Topic: UInt64] = [:]
            var produced = 0
            while produced < messagesPerSession {
                var block = MessageBlock()
                let size = Int.random(in: 1...40, using: &random)
                for _ in 0..<size where produced < messagesPerSession {
                    produced += 1
                    feedSequence += 1
                    // Mostly forward, sometimes equal, once a step backwards (a clock adjustment).
                    time += Int64.random(in: 0...2_000, using: &random)
                    if produced == messagesPerSession / 2 && session == Self.sessions[1] { time -= 50_000 }
                    let message: FeedMessage
                    if Int.random(in: 0..<20, using: &random) == 0 {
                        message = FeedMessage(
                            topic: .heartbeat, session: session, feedSequence: feedSequence, topicSequence: 0,
                            eventTime: time, publishTime: time, payload: .heartbeat)
                    } else {
                        let topic = topics.randomElement(using: &random)!
                        let topicSequence = topicSequences[topic, default: 0] + 1
                        topicSequences[topic] = topicSequence
                        let payload: Payload =
                            Bool.random(using: &random)
                            ? .quote(
                                Quote(
                                    bidPrice: Price(mantissa: Int64.random(in: 1...1_000_000, using: &random)),
                                    askPrice: Price(mantissa: Int64.random(in: 1...1_000_000, using: &random)),
                                    bidSize: UInt32.random(in: 1...500, using: &random),
                                    askSize: UInt32.random(in: 1...500, using: &random)))
                            : .trade(
                                Trade(
                                    price: Price(mantissa: Int64.random(in: 1...1_000_000, using: &random)),
                                    size: UInt32.random(in: 1...500, using: &random), aggressor: .buy))
                        message = FeedMessage(
                            topic: topic, session: session, feedSequence: feedSequence, topicSequence: topicSequence,
                            eventTime: time - 10, publishTime: time, payload: payload)
                    }
                    messages.append(RecordedMessage(message))
                    block.append(message)
                }
                blocks.append(block)
            }
        }
    }

    /// Calls `body` with a new store in a temporary folder holding this feed.
    func withRecordedStore(_ body: (HistoryStore) throws -> Void) throws {
        try withTemporaryFolder { folder in
            let store = try HistoryStore(path: folder + "/feed.sqlite")
            try record(into: store)
            try body(store)
        }
    }

    /// Appends the blocks in a few batches (as the recorder does), with empty blocks mixed in.
    func record(into store: HistoryStore) throws {
        var start = 0
        var batch = 1
        while start < blocks.count {
            let end = min(blocks.count, start + batch)
            try store.append(Array(blocks[start..<end]) + [MessageBlock()])
            start = end
            batch = batch * 2 + 1
        }
    }

    /// The block of every message satisfying `predicate`, in recorded order.
    func expected(limit: Int? = nil, _ predicate: (RecordedMessage) -> Bool) -> MessageBlock {
        var block = MessageBlock()
        for message in messages where predicate(message) {
            if let limit, block.count >= limit { break }
            block.append(topic: message.topic, body: message.body)
        }
        return block
    }

    /// Brute force of a query's filters.
    func expected(_ query: HistoryQuery) -> MessageBlock {
        let bySequence = query.fromSequence != nil || query.toSequence != nil
        let session = query.session ?? (bySequence ? messages.map(\.message.session).max() : nil)
        return expected(limit: query.limit) { recorded in
            let message = recorded.message
            if !query.prefixes.contains(where: { recorded.topic.starts(with: $0.rawValue.utf8) }) { return false }
            if let since = query.since, message.publishTime < since.nanoseconds { return false }
            if let until = query.until, message.publishTime >= until.nanoseconds { return false }
            if let session, message.session != session { return false }
            if let from = query.fromSequence, message.feedSequence < from { return false }
            if let to = query.toSequence, message.feedSequence > to { return false }
            return true
        }
    }

    /// Brute force of a snapshot: per topic under any of `prefixes`, its last message published
    /// by `at`, topics in the order the feed first carried them (the history's topic ids).
    /// Messages of the blocks at `excluding` (indexes into ``blocks``) are left out, as a
    /// snapshot skipping those blocks as damaged does.
    func expectedSnapshot(prefixes: [TopicPrefix], at: Timestamp?, excluding: Set<Int> = []) -> MessageBlock {
        var last: [[UInt8]: RecordedMessage] = [:]
        var firstSeen: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        let blockOfMessage = blocks.indices.flatMap { Array(repeating: $0, count: blocks[$0].count) }
        for (number, message) in messages.enumerated() {
            if seen.insert(message.topic).inserted { firstSeen.append(message.topic) }
            if excluding.contains(blockOfMessage[number]) { continue }
            guard prefixes.contains(where: { message.topic.starts(with: $0.rawValue.utf8) }) else { continue }
            if let at, message.message.publishTime > at.nanoseconds { continue }
            last[message.topic] = message
        }
        var block = MessageBlock()
        for topic in firstSeen {
            if let message = last[topic] { block.append(topic: topic, body: message.body) }
        }
        return block
    }
}

/// Pages through `query` with `pageSize`, checking each page's size and cursor text form.
func pageThrough(_ store: HistoryStore, _ query: HistoryQuery, pageSize: Int) throws -> (MessageBlock, pages: Int) {
    var all = MessageBlock()
    var cursor: HistoryCursor?
    var pages = 0
    repeat {
        let page = try store.query(query, after: cursor, maxMessages: pageSize)
        pages += 1
        #expect(page.messages.count <= pageSize)
        if page.next != nil { #expect(page.messages.count == pageSize) }
        all.append(contentsOf: page.messages)
        cursor = page.next.map { HistoryCursor($0.description)! }
        if pages > 100_000 { Issue.record("paging does not end"); break }
    } while cursor != nil
    return (all, pages)
}

/// Asserts `body` throws a ``HistoryError`` of `kind` and returns it.
@discardableResult
func expectHistoryError(
    _ kind: HistoryError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> HistoryError? {
    do {
        try body()
        Issue.record("expected a HistoryError (\(kind)), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as HistoryError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a HistoryError (\(kind)), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
