import FeedModel
import GRDB

/// One page of a snapshot: the last message of each of some topics, in bytewise topic order.
public struct SnapshotPage: Sendable {
    /// The messages, one per topic, topics in bytewise order.
    public var messages: MessageBlock
    /// The last topic of this page, to pass as `after` for the next page; nil when the snapshot
    /// is complete (no matching topic after this page has a message by then).
    public var next: String?

    /// A page of `messages`, continued after topic `next`.
    public init(messages: MessageBlock, next: String?) {
        self.messages = messages
        self.next = next
    }
}

extension HistoryStore {
    /// One page of a last-value snapshot: the last message (in publish order) of each topic
    /// starting with any of `prefixes` and sorting after `after` (bytewise; nil: from the
    /// first), among those published at or before `at` (nil: the latest of all), at most
    /// `maxMessages` topics, ordered by topic bytewise. Topics with no message by then are
    /// absent. ``FeedModel/TopicPrefix/all`` includes the heartbeat topic; overlapping prefixes
    /// give each topic once.
    ///
    /// Stateless like ``query(_:after:maxMessages:)``: each page reads the history as it is
    /// when asked, so pages asked with `at` nil may reflect different moments.
    /// Reads, per topic, the last block holding it by then (an index seek), and each such block once.
    ///
    /// - Throws: ``HistoryError`` for an empty `prefixes`, a non-positive `maxMessages`, or a
    ///   storage failure.
    public func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage {
        if prefixes.isEmpty { throw HistoryError.noPrefixes }
        guard maxMessages > 0 else { throw HistoryError(.invalidQuery, "page size must be positive, got \(maxMessages)") }
        return try reading { db in
            // No block after this one holds a message published by `at`.
            var lastBlock = Int64.max
            if let at {
                guard let last = try Int64.fetchOne(db, sql: QueryRun.lastBlockAtOrBefore, arguments: [at.nanoseconds])
                else { return SnapshotPage(messages: MessageBlock(), next: nil) }
                lastBlock = last
            }
            let latestBlock = try db.cachedStatement(
                sql: """
                    SELECT block_id FROM block_topics WHERE topic = ? AND block_id <= ? AND first_time_ns <= ? \
                    ORDER BY block_id DESC LIMIT 1
                    """)
            // The page's topics, and the topic positions (in `topics`) wanted from each block.
            var topics: [String] = []
            var wanted: [Int64: [Int]] = [:]
            var next: String?
            var candidates = TopicWalk(prefixes: TopicPrefix.covering(prefixes), after: after)
            while let topic = try candidates.next(db) {
                let arguments: StatementArguments = [topic, lastBlock, at?.nanoseconds ?? .max]
                guard let blockID = try Int64.fetchOne(latestBlock, arguments: arguments) else { continue }
                if topics.count == maxMessages {
                    next = topics.last  // A later topic has a value: the page is not the last.
                    break
                }
                wanted[blockID, default: []].append(topics.count)
                topics.append(topic)
            }
            let latest = try Self.lastRecords(db, of: topics, in: wanted, at: at)
            var block = MessageBlock()
            for record in latest {
                guard let record else { continue }
                block.append(topic: record.topic, body: record.body)
            }
            return SnapshotPage(messages: block, next: next)
        }
    }

    /// Every page of ``snapshot(prefixes:at:after:maxMessages:)`` for one prefix, in one read:
    /// for tests and small callers, the result is held in memory.
    public func snapshot(prefix: TopicPrefix, at: Timestamp?) throws -> MessageBlock {
        try snapshot(prefixes: [prefix], at: at, after: nil, maxMessages: .max).messages
    }

    /// The last record published by `at` of each of `topics`, read from the blocks `wanted`
    /// names for them (block id to positions in `topics`).
    private static func lastRecords(
        _ db: Database, of topics: [String], in wanted: [Int64: [Int]], at: Timestamp?
    ) throws -> [(topic: [UInt8], body: [UInt8])?] {
        var latest: [(topic: [UInt8], body: [UInt8])?] = Array(repeating: nil, count: topics.count)
        var table = TopicTable()
        var positions: [Int] = []
        for (blockID, topicPositions) in wanted {
            table.removeAll()
            positions.removeAll(keepingCapacity: true)
            for position in topicPositions {
                let id = Array(topics[position].utf8).withUnsafeBytes { table.insert($0).id }
                if id == positions.count { positions.append(position) }
            }
            let found = try StoredBlocks.withPayload(db, blockID: blockID) { raw in
                // The last matching record of each wanted topic, as offsets into `raw`.
                var last: [(topic: Range<Int>, body: Range<Int>)?] = Array(repeating: nil, count: positions.count)
                var records = BlockRecords(raw)
                while true {
                    let record: (topic: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer)
                    do throws(BlockRecords.Truncated) {
                        guard let next = try records.next() else { break }
                        record = next
                    } catch {
                        throw StoredBlocks.Corrupt(blockID: blockID, reason: "truncated record at byte \(error.offset)")
                    }
                    guard let id = table.id(of: record.topic) else { continue }
                    if let at {
                        let header: WireHeader
                        do { header = try WireHeader(record.body) } catch {
                            throw StoredBlocks.Corrupt(blockID: blockID, reason: "\(error)")
                        }
                        if header.publishTime > at.nanoseconds { continue }
                    }
                    last[id] = (offsets(of: record.topic, in: raw), offsets(of: record.body, in: raw))
                }
                for (id, record) in last.enumerated() {
                    guard let record else { continue }
                    latest[positions[id]] = (Array(raw[record.topic]), Array(raw[record.body]))
                }
            }
            guard found else { throw StoredBlocks.Corrupt(blockID: blockID, reason: "listed in block_topics, missing") }
        }
        return latest
    }

    private static func offsets(of part: UnsafeRawBufferPointer, in whole: UnsafeRawBufferPointer) -> Range<Int> {
        guard let start = part.baseAddress, let base = whole.baseAddress else { return 0..<0 }
        let offset = base.distance(to: start)
        return offset..<offset + part.count
    }
}

/// The stored topics under some prefixes that sort after a given topic, in bytewise order, read
/// one index seek at a time as they are asked for: a snapshot page stops reading once full, so
/// paging through many topics never lists them all again.
private struct TopicWalk {
    /// The prefixes still to walk, none under another, in bytewise order.
    private var prefixes: ArraySlice<TopicPrefix>
    /// The last topic returned (or the `after` given): the next one sorts after it.
    private var last: String?

    init(prefixes: [TopicPrefix], after: String?) {
        // Prefixes whose topics all sort at or before `after` are skipped whole.
        self.prefixes = prefixes.drop { prefix in
            guard let after, let upperBound = prefix.upperBound else { return false }
            return !after.utf8.lexicographicallyPrecedes(upperBound.utf8)
        }
        last = after
    }

    /// The next topic, or nil when there is none.
    mutating func next(_ db: Database) throws -> String? {
        while let prefix = prefixes.first {
            // After `last` when it is past the prefix's start, else from the prefix's start.
            let strictlyAfterLast = last.map { !$0.utf8.lexicographicallyPrecedes(prefix.rawValue.utf8) } ?? false
            var sql = "SELECT topic FROM block_topics WHERE topic \(strictlyAfterLast ? ">" : ">=") ?"
            var arguments: StatementArguments = [strictlyAfterLast ? last! : prefix.rawValue]
            if let upperBound = prefix.upperBound {
                sql += " AND topic < ?"
                arguments += [upperBound]
            }
            if let topic = try String.fetchOne(db.cachedStatement(sql: sql + " ORDER BY topic LIMIT 1"), arguments: arguments) {
                last = topic
                return topic
            }
            prefixes.removeFirst()
        }
        return nil
    }
}
