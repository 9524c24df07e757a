import FeedModel
import GRDB

/// One page of a last-value snapshot.
public struct SnapshotPage: Sendable {
    /// The last message of each topic of the page that has one, in the page's topic order.
    public var messages: MessageBlock
    /// Where the next page starts, passed as `after`; nil when the snapshot is complete.
    public var next: String?

    /// A page of `messages`, continued after `next`.
    public init(messages: MessageBlock, next: String?) {
        self.messages = messages
        self.next = next
    }
}

extension HistoryStore {
    /// A page of a last-value snapshot: the last message (in publish order) of each topic
    /// starting with one of `prefixes`, among those published at or before `at` (nil: the
    /// latest of all). Topics with no message by then are absent; `[.all]` includes the
    /// heartbeat topic.
    ///
    /// Topics come in the order the history first saw them (version-1 files: bytewise), at most
    /// `maxMessages` topics a page; `after` is the `next` of the previous page (nil for the first).
    /// A page reads the tail of blocks once and, going back segment by segment, only the index
    /// rows of its own topics, until each has its last message: its cost follows its topics,
    /// not the history's length.
    ///
    /// - Throws: ``HistoryError`` for no prefix, a non-positive `maxMessages`, a bad `after`, or
    ///   a storage failure.
    public func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage {
        guard !prefixes.isEmpty else { throw HistoryError(.invalidQuery, "no prefix given (the empty prefix means everything)") }
        guard maxMessages > 0 else { throw HistoryError(.invalidQuery, "page size must be positive, got \(maxMessages)") }
        var position: Int64 = 0
        if let after {
            guard let parsed = Int64(after), parsed >= 0 else { throw HistoryError(.invalidQuery, "bad snapshot cursor '\(after)'") }
            position = parsed
        }
        let matcher = PrefixMatcher(prefixes)
        return try reading { db in
            // No block after this one holds a message published by `at`.
            let lastBlock: Int64?
            if let at {
                lastBlock = try Int64.fetchOne(db, sql: QueryRun.lastBlockAtOrBefore, arguments: [at.nanoseconds])
            } else {
                lastBlock = try Int64.fetchOne(db, sql: "SELECT max(block_id) FROM blocks")
            }
            guard let lastBlock else { return SnapshotPage(messages: MessageBlock(), next: nil) }
            var run = SnapshotRun(db: db, at: at?.nanoseconds, lastBlock: lastBlock)
            if schemaVersion < HistorySchema.version {
                return try run.scanningEveryBlock(matcher, after: Int(position), maxMessages: maxMessages)
            }
            return try run.indexed(matcher, afterTopicID: position, maxMessages: maxMessages)
        }
    }

    /// Every page of ``snapshot(prefixes:at:after:maxMessages:)`` for one prefix, in one block:
    /// for tests and small callers (the result is held in memory).
    public func snapshot(prefix: TopicPrefix, at: Timestamp?) throws -> MessageBlock {
        var block = MessageBlock()
        var after: String?
        repeat {
            let page = try snapshot(prefixes: [prefix], at: at, after: after, maxMessages: 65_536)
            block.append(contentsOf: page.messages)
            after = page.next
        } while after != nil
        return block
    }
}

/// Finds the last message of each topic of one snapshot page, inside a read transaction.
private struct SnapshotRun {
    /// Prefixes with at most this many topics are listed from the dictionary's name index;
    /// broader ones by walking the dictionary in id order.
    static let listedTopicLimit = 100_000

    let db: Database
    /// Publish time bound in nanoseconds, nil for the latest.
    let at: Int64?
    let lastBlock: Int64

    /// The page's topics, and where each one's last message is (block, byte offset).
    private var topics: [(id: Int64, topic: String)] = []
    private var found: [(blockID: Int64, offset: Int)?] = []

    init(db: Database, at: Int64?, lastBlock: Int64) {
        self.db = db
        self.at = at
        self.lastBlock = lastBlock
    }

    /// A page of a version-2 file: topics in id order after `afterTopicID`.
    mutating func indexed(_ matcher: PrefixMatcher, afterTopicID: Int64, maxMessages: Int) throws -> SnapshotPage {
        var candidates: [(id: Int64, topic: String)]
        if !matcher.matchesEverything, let listed = try TopicIndex.topics(db, under: matcher, limit: Self.listedTopicLimit) {
            candidates = Array(listed.lazy.filter { $0.id > afterTopicID }.prefix(maxMessages + 1))
        } else {
            candidates = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT topic_id, topic FROM topics WHERE topic_id > ? ORDER BY topic_id", arguments: [afterTopicID])
            while candidates.count <= maxMessages, let row = try rows.next() {
                let topic: String = row[1]
                if matcher.matches(topic) { candidates.append((row[0], topic)) }
            }
        }
        let next = candidates.count > maxMessages ? String(candidates[maxMessages - 1].id) : nil
        topics = Array(candidates.prefix(maxMessages))
        found = Array(repeating: nil, count: topics.count)
        let lastIndexed = try TopicIndex.lastIndexedBlock(db)
        if lastBlock > lastIndexed { try scanBlocks(lastIndexed + 1...lastBlock) }
        try searchSegments(upTo: min(lastBlock, lastIndexed))
        return SnapshotPage(messages: try gather(), next: next)
    }

    /// A page of a version-1 file (no topic index): every block is read once, topics in bytewise
    /// order after the first `after` of them.
    mutating func scanningEveryBlock(_ matcher: PrefixMatcher, after: Int, maxMessages: Int) throws -> SnapshotPage {
        let rows = try Row.fetchCursor(db, sql: "SELECT DISTINCT topic FROM block_topics ORDER BY topic")
        var names: [String] = []
        while let row = try rows.next() {
            let topic: String = row[0]
            if matcher.matches(topic) { names.append(topic) }
        }
        let page = names.dropFirst(after).prefix(maxMessages)
        topics = page.enumerated().map { (Int64($0.offset), $0.element) }
        found = Array(repeating: nil, count: topics.count)
        if !topics.isEmpty { try scanBlocks(1...lastBlock) }
        let next = after + page.count < names.count ? String(after + page.count) : nil
        return SnapshotPage(messages: try gather(), next: next)
    }

    /// Reads the blocks of `range` whole, keeping the last record (by `at`) of each page topic.
    private mutating func scanBlocks(_ range: ClosedRange<Int64>) throws {
        var table = TopicTable()
        for topic in topics { Array(topic.topic.utf8).withUnsafeBytes { _ = table.insert($0) } }
        let rows = try Row.fetchCursor(
            db, sql: "SELECT block_id, payload FROM blocks WHERE block_id BETWEEN ? AND ? ORDER BY block_id",
            arguments: [range.lowerBound, range.upperBound])
        while let row = try rows.next() {
            let blockID: Int64 = row[0]
            try StoredBlocks.withBytes(of: row, column: 1, blockID: blockID) { raw in
                var records = BlockRecords(raw)
                while true {
                    let record: (topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer)
                    do throws(BlockRecords.Truncated) {
                        guard let next = try records.next() else { break }
                        record = next
                    } catch {
                        throw StoredBlocks.Corrupt(blockID: blockID, reason: "truncated record at byte \(error.offset)")
                    }
                    guard let slot = table.id(of: record.topic) else { continue }
                    if let at, try Self.publishTime(record.body, blockID) > at { continue }
                    found[slot] = (blockID, raw.baseAddress!.distance(to: record.topic.baseAddress!) - 2)
                }
            }
        }
    }

    /// Goes back through the segments ending at or before `lastIndexed`, newest first, reading
    /// the index rows of the topics still without a message, until none is left.
    private mutating func searchSegments(upTo lastIndexed: Int64) throws {
        guard lastIndexed >= 1 else { return }
        var slots: [Int64: Int] = [:]
        for (slot, topic) in topics.enumerated() where found[slot] == nil { slots[topic.id] = slot }
        let reader = PayloadReader(db)
        defer { reader.close() }
        for segment in try TopicIndex.segments(db, overlapping: 1...lastIndexed).reversed() {
            if slots.isEmpty { return }
            let wanted = slots.keys.sorted()
            var resolved: [(slot: Int, blockID: Int64, offset: Int)] = []
            try TopicIndex.forEachTopic(db, in: segment, wanted) { topicID, entries, locations in
                for number in locations.reversed() {
                    let location = entries.location(number)
                    let blockID = segment.firstBlock + Int64(location.blockDelta)
                    guard blockID <= lastBlock else { continue }
                    if let at {
                        let time = try reader.withRecord(blockID: blockID, offset: Int(location.offset)) { _, body in
                            try Self.publishTime(body, blockID)
                        }
                        if time > at { continue }
                    }
                    resolved.append((slots[topicID]!, blockID, Int(location.offset)))
                    return
                }
            }
            for entry in resolved {
                found[entry.slot] = (entry.blockID, entry.offset)
                slots[topics[entry.slot].id] = nil
            }
        }
    }

    /// The records found, in the page's topic order.
    private func gather() throws -> MessageBlock {
        let reader = PayloadReader(db)
        defer { reader.close() }
        var block = MessageBlock(reservingCapacity: found.count * 100)
        for place in found {
            guard let place else { continue }
            try reader.withRecord(blockID: place.blockID, offset: place.offset) { block.append(topic: $0, body: $1) }
        }
        return block
    }

    private static func publishTime(_ body: UnsafeRawBufferPointer, _ blockID: Int64) throws -> Int64 {
        do { return try WireHeader(body).publishTime } catch {
            throw StoredBlocks.Corrupt(blockID: blockID, reason: "\(error)")
        }
    }
}
