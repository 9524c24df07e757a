import FeedModel
import GRDB

/// One page of a last-value snapshot.
public struct SnapshotPage: Sendable {
    /// The last message of each topic of the page that has one, in the page's topic order.
    public var messages: MessageBlock
    /// Where the next page starts, passed as `after`; nil when the snapshot is complete.
    public var next: String?
    /// Blocks found damaged and skipped while reading this page: a topic whose last message was
    /// in one has the last value before it, or is absent.
    public var skipped: [SkippedBlock]

    /// A page of `messages`, continued after `next`.
    public init(messages: MessageBlock, next: String?, skipped: [SkippedBlock] = []) {
        self.messages = messages
        self.next = next
        self.skipped = skipped
    }
}

extension HistoryStore {
    /// A page of a last-value snapshot: the last message (in publish order) of each topic
    /// starting with one of `prefixes`, among those published at or before `at` (nil: the
    /// latest of all). Topics with no message by then are absent; `[.all]` includes the
    /// heartbeat topic.
    ///
    /// Topics come in the order the history first saw them (version-1 files: bytewise), at most
    /// `maxMessages` a page. Every page but the last is full; `next` is the page's last topic, to
    /// pass as `after` for the next page, and nil when no later topic has a message (so the last
    /// page is never empty unless the whole snapshot is). A page reads the tail of blocks once
    /// and, going back segment by segment, only the index rows of its own topics, until each has
    /// its last message: its cost follows its topics, not the history's length.
    ///
    /// A damaged block is skipped and listed in ``SnapshotPage/skipped``: the topics it held get
    /// their last message before it. A damaged segment index is replaced by reading its blocks.
    /// The snapshot fails only beyond ``damagedPlacesPerRead`` of them.
    ///
    /// - Throws: ``HistoryError`` for no prefix, a non-positive `maxMessages`, an `after` that
    ///   is not a topic of this history, or a storage failure.
    public func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage {
        guard !prefixes.isEmpty else { throw HistoryError.noPrefixes }
        guard maxMessages > 0 else { throw HistoryError(.invalidQuery, "page size must be positive, got \(maxMessages)") }
        let matcher = PrefixMatcher(prefixes)
        var (page, skipped) = try readAvoidingDamage { db, avoiding in
            // No block after this one holds a message published by `at`.
            let lastBlock: Int64?
            if let at {
                lastBlock = try Int64.fetchOne(db, sql: QueryRun.lastBlockAtOrBefore, arguments: [at.nanoseconds])
            } else {
                lastBlock = try Int64.fetchOne(db, sql: "SELECT max(block_id) FROM blocks")
            }
            guard let lastBlock else { return SnapshotPage(messages: MessageBlock(), next: nil) }
            let run = SnapshotRun(db: db, at: at?.nanoseconds, lastBlock: lastBlock, avoiding: avoiding)
            if schemaVersion < HistorySchema.version {
                return try run.scanningEveryBlock(matcher, after: after, maxMessages: maxMessages)
            }
            return try run.indexed(matcher, after: after, maxMessages: maxMessages)
        }
        page.skipped = skipped
        return page
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
/// Damage ends the run with ``DamageFound`` (see ``HistoryStore/readAvoidingDamage(_:)``): an
/// avoided block is never read, an avoided segment's blocks are scanned instead of its index.
private struct SnapshotRun {
    /// Prefixes with at most this many topics are listed from the dictionary's name index;
    /// broader ones by walking the dictionary in id order.
    static let listedTopicLimit = 100_000

    /// A topic of the page and where its last message is.
    private struct Found {
        let topic: String
        let blockID: Int64
        let offset: Int
    }

    let db: Database
    /// Publish time bound in nanoseconds, nil for the latest.
    let at: Int64?
    let lastBlock: Int64
    let avoiding: AvoidedDamage

    init(db: Database, at: Int64?, lastBlock: Int64, avoiding: AvoidedDamage) {
        self.db = db
        self.at = at
        self.lastBlock = lastBlock
        self.avoiding = avoiding
    }

    /// A page of a version-2 file: topics in id order after the topic `after`. Candidates are
    /// taken in batches until the page holds one message more than it returns (that one only
    /// tells whether there is a next page).
    func indexed(_ matcher: PrefixMatcher, after: String?, maxMessages: Int) throws -> SnapshotPage {
        var lastID: Int64 = 0
        if let after {
            guard let id = try Int64.fetchOne(db, sql: "SELECT topic_id FROM topics WHERE topic = ?", arguments: [after]) else {
                throw HistoryError(.invalidQuery, "bad snapshot cursor '\(after.prefix(60))': not a topic of this history")
            }
            lastID = id
        }
        let listed = matcher.matchesEverything ? nil : try TopicIndex.topics(db, under: matcher, limit: Self.listedTopicLimit)
        let lastIndexed = try TopicIndex.lastIndexedBlock(db)
        var page: [Found] = []
        while page.count <= maxMessages {
            let wanted = maxMessages + 1 - page.count
            var candidates: [(id: Int64, topic: String)]
            if let listed {
                candidates = Array(listed.lazy.filter { $0.id > lastID }.prefix(wanted))
            } else {
                candidates = []
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT topic_id, topic FROM topics WHERE topic_id > ? ORDER BY topic_id", arguments: [lastID])
                while candidates.count < wanted, let row = try rows.next() {
                    let topic: String = row[1]
                    if matcher.matches(topic) { candidates.append((row[0], topic)) }
                }
            }
            guard let last = candidates.last else { break }
            lastID = last.id
            var found: [(blockID: Int64, offset: Int)?] = Array(repeating: nil, count: candidates.count)
            if lastBlock > lastIndexed {
                try scanBlocks(lastIndexed + 1...lastBlock, topics: candidates.enumerated().map { ($0.offset, $0.element.topic) }, into: &found)
            }
            try searchSegments(upTo: min(lastBlock, lastIndexed), candidates: candidates, into: &found)
            for (candidate, place) in zip(candidates, found) {
                if let place { page.append(Found(topic: candidate.topic, blockID: place.blockID, offset: place.offset)) }
            }
        }
        return try finish(page, maxMessages: maxMessages)
    }

    /// A page of a version-1 file (no topic index): every block is read once, topics in bytewise
    /// order after `after`.
    func scanningEveryBlock(_ matcher: PrefixMatcher, after: String?, maxMessages: Int) throws -> SnapshotPage {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT DISTINCT topic FROM block_topics WHERE topic > ? ORDER BY topic", arguments: [after ?? ""])
        var names: [String] = []
        while let row = try rows.next() {
            let topic: String = row[0]
            if matcher.matches(topic) { names.append(topic) }
        }
        var found: [(blockID: Int64, offset: Int)?] = Array(repeating: nil, count: names.count)
        if !names.isEmpty { try scanBlocks(1...lastBlock, topics: names.enumerated().map { ($0.offset, $0.element) }, into: &found) }
        var page: [Found] = []
        for (topic, place) in zip(names, found) {
            guard let place else { continue }
            page.append(Found(topic: topic, blockID: place.blockID, offset: place.offset))
            if page.count > maxMessages { break }
        }
        return try finish(page, maxMessages: maxMessages)
    }

    /// Reads the blocks of `range` whole (but the avoided ones), keeping in `found[slot]` the
    /// last record (by `at`) of each of `topics`.
    private func scanBlocks(
        _ range: ClosedRange<Int64>, topics: [(slot: Int, topic: String)], into found: inout [(blockID: Int64, offset: Int)?]
    ) throws {
        var table = TopicTable()
        for (_, topic) in topics { Array(topic.utf8).withUnsafeBytes { _ = table.insert($0) } }
        for piece in avoiding.pieces(of: range) {
            var position = piece.lowerBound
            do {
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT block_id, payload FROM blocks WHERE block_id BETWEEN ? AND ? ORDER BY block_id",
                    arguments: [piece.lowerBound, piece.upperBound])
                while let row = try rows.next() {
                    let blockID: Int64 = row[0]
                    position = blockID
                    try StoredBlocks.withBytes(of: row, column: 1, blockID: blockID) { raw in
                        try StoredBlocks.forEachRecord(in: raw, blockID: blockID) { topic, body, _, offset in
                            guard let id = table.id(of: topic) else { return true }
                            if let at, try Self.publishTime(body, blockID) > at { return true }
                            found[topics[Int(id)].slot] = (blockID, offset)
                            return true
                        }
                    }
                    // Not a step further: the row after the piece may be the damaged one.
                    if blockID >= piece.upperBound { break }
                    position = blockID + 1
                }
            } catch where SkippedBlock.isDamage(error) {
                throw DamageFound.block(position, error)
            }
        }
    }

    /// Goes back through the segments ending at or before `lastIndexed`, newest first, reading
    /// the index rows of the candidates still without a message (`candidates` ascending by id,
    /// `found` alongside), until none is left. An avoided segment's blocks are read whole.
    private func searchSegments(
        upTo lastIndexed: Int64, candidates: [(id: Int64, topic: String)], into found: inout [(blockID: Int64, offset: Int)?]
    ) throws {
        guard lastIndexed >= 1 else { return }
        // The topics still without a message, ascending by id, with their places in `found`.
        var unresolved = candidates.indices.filter { found[$0] == nil }
        let reader = PayloadReader(db)
        defer { reader.close() }
        for segment in try TopicIndex.segments(db, overlapping: 1...lastIndexed).reversed() {
            if unresolved.isEmpty { return }
            if avoiding.segments.contains(segment.id) {
                let blocks = segment.firstBlock...min(segment.lastBlock, lastBlock)
                if !blocks.isEmpty { try scanBlocks(blocks, topics: unresolved.map { ($0, candidates[$0].topic) }, into: &found) }
                unresolved.removeAll { found[$0] != nil }
                continue
            }
            var position = 0  // In `unresolved`: the callback comes in ascending id order.
            var resolvedAny = false
            do {
                try TopicIndex.forEachTopic(db, in: segment, unresolved.lazy.map { candidates[$0].id }) { topicID, entries, locations in
                    while candidates[unresolved[position]].id != topicID { position += 1 }
                    let slot = unresolved[position]
                    for number in locations.reversed() {
                        let location = entries.location(number)
                        let blockID = segment.firstBlock + Int64(location.blockDelta)
                        guard blockID <= lastBlock, !avoiding.blocks.contains(blockID) else { continue }
                        if let at {
                            let time = try Self.reading(blockID) {
                                try reader.withRecord(blockID: blockID, offset: Int(location.offset)) { _, body in
                                    try Self.publishTime(body, blockID)
                                }
                            }
                            if time > at { continue }
                        }
                        found[slot] = (blockID, Int(location.offset))
                        resolvedAny = true
                        return
                    }
                }
            } catch let error where SkippedBlock.isDamage(error) {
                throw DamageFound.segment(segment.id)
            }
            if resolvedAny { unresolved.removeAll { found[$0] != nil } }
        }
    }

    /// Runs `body`, which reads block `blockID`, turning damage it meets into ``DamageFound``.
    private static func reading<T>(_ blockID: Int64, _ body: () throws -> T) throws -> T {
        do { return try body() } catch where SkippedBlock.isDamage(error) { throw DamageFound.block(blockID, error) }
    }

    /// The page of the first `maxMessages` found, read from their blocks; `next` when there was
    /// one more.
    private func finish(_ found: [Found], maxMessages: Int) throws -> SnapshotPage {
        let page = found.prefix(maxMessages)
        let reader = PayloadReader(db)
        defer { reader.close() }
        var block = MessageBlock(reservingCapacity: page.count * 100)
        for place in page {
            try Self.reading(place.blockID) {
                try reader.withRecord(blockID: place.blockID, offset: place.offset) { block.append(topic: $0, body: $1) }
            }
        }
        return SnapshotPage(messages: block, next: found.count > maxMessages ? page.last?.topic : nil)
    }

    private static func publishTime(_ body: UnsafeRawBufferPointer, _ blockID: Int64) throws -> Int64 {
        do { return try WireHeader(body).publishTime } catch {
            throw StoredBlocks.Corrupt(blockID: blockID, reason: "\(error)")
        }
    }
}
