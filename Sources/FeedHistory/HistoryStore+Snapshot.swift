import FeedModel
import GRDB

extension HistoryStore {
    /// A last-value snapshot: the last message (in publish order) of every topic starting with
    /// `prefix` among those published at or before `at` (nil: the latest of all), ordered by topic
    /// bytewise. Topics with no message by then are absent. ``FeedModel/TopicPrefix/all``
    /// includes the heartbeat topic.
    ///
    /// Reads, per topic, the last block holding it by then (an index seek), and each such block once.
    public func snapshot(prefix: TopicPrefix, at: Timestamp?) throws -> MessageBlock {
        try reading { db in
            // No block after this one holds a message published by `at`.
            var lastBlock = Int64.max
            if let at {
                guard let last = try Int64.fetchOne(db, sql: QueryRun.lastBlockAtOrBefore, arguments: [at.nanoseconds])
                else { return MessageBlock() }
                lastBlock = last
            }
            let topics = try StoredBlocks.topics(db, prefix: prefix)
            let latestBlock = try db.cachedStatement(
                sql: """
                    SELECT block_id FROM block_topics WHERE topic = ? AND block_id <= ? AND first_time_ns <= ? \
                    ORDER BY block_id DESC LIMIT 1
                    """)
            // Topic positions (in `topics`) wanted from each block.
            var wanted: [Int64: [Int]] = [:]
            for (position, topic) in topics.enumerated() {
                let arguments: StatementArguments = [topic, lastBlock, at?.nanoseconds ?? .max]
                if let blockID = try Int64.fetchOne(latestBlock, arguments: arguments) {
                    wanted[blockID, default: []].append(position)
                }
            }
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
                        last[id] = (Self.offsets(of: record.topic, in: raw), Self.offsets(of: record.body, in: raw))
                    }
                    for (id, record) in last.enumerated() {
                        guard let record else { continue }
                        latest[positions[id]] = (Array(raw[record.topic]), Array(raw[record.body]))
                    }
                }
                guard found else { throw StoredBlocks.Corrupt(blockID: blockID, reason: "listed in block_topics, missing") }
            }
            var block = MessageBlock()
            for record in latest {
                guard let record else { continue }
                block.append(topic: record.topic, body: record.body)
            }
            return block
        }
    }

    private static func offsets(of part: UnsafeRawBufferPointer, in whole: UnsafeRawBufferPointer) -> Range<Int> {
        guard let start = part.baseAddress, let base = whole.baseAddress else { return 0..<0 }
        let offset = base.distance(to: start)
        return offset..<offset + part.count
    }
}
