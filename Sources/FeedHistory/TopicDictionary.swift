import FeedModel
import GRDB

/// The writer's copy of the `topics` table: topic bytes to topic id, looked up in place without
/// a query. A topic's id is its ``FeedModel/TopicTable`` id plus one, so the table's dense ids
/// are the file's `1, 2, 3, ...`.
///
/// Owned by the history's single writer (``HistoryStore``'s lock); dropped and loaded again
/// when a write transaction fails, so it never holds a topic the file does not.
struct TopicDictionary: Sendable {
    private var table = TopicTable()
    /// Topics the `topics` table holds; those after were added since and are written by
    /// ``insertNew(_:)``.
    private var stored = 0
    /// The topic id of each message of blocks appended but not indexed yet, by block id, as
    /// ``BlockSummary`` found them: the segment indexer takes them instead of looking every
    /// message's topic up a second time. Lost with the dictionary (a failed write, a restart),
    /// when the indexer looks the topics up again.
    private var unindexed: [Int64: [UInt32]] = [:]

    /// The dictionary of the file `db` is connected to.
    static func load(_ db: Database) throws -> TopicDictionary {
        var dictionary = TopicDictionary()
        let rows = try Row.fetchCursor(db, sql: "SELECT topic_id, topic FROM topics ORDER BY topic_id")
        while let row = try rows.next() {
            let id: Int64 = row[0]
            guard id == Int64(dictionary.table.count) + 1 else {
                throw HistoryError(.storage, "the topics table is damaged: ids are not 1, 2, 3, ... (found \(id))")
            }
            let topic: String = row[1]
            Array(topic.utf8).withUnsafeBytes { _ = dictionary.table.insert($0) }
        }
        dictionary.stored = dictionary.table.count
        return dictionary
    }

    /// Topics known.
    var count: Int { table.count }

    /// The id of `topic`, adding it when new; `inserted` tells which.
    @inline(__always)
    mutating func id(of topic: UnsafeRawBufferPointer) -> (id: Int64, inserted: Bool) {
        let (id, inserted) = table.insert(topic)
        return (Int64(id) + 1, inserted)
    }

    /// Keeps the topic ids of the messages of block `blockID`, just appended, for the indexer.
    mutating func keep(topicIDs: [UInt32], ofBlock blockID: Int64) { unindexed[blockID] = topicIDs }

    /// The topic ids kept for block `blockID`, forgotten as they are handed out; nil when none
    /// were kept.
    mutating func takeTopicIDs(ofBlock blockID: Int64) -> [UInt32]? { unindexed.removeValue(forKey: blockID) }

    /// Writes the topics added since the last call to the `topics` table.
    mutating func insertNew(_ db: Database) throws {
        guard stored < table.count else { return }
        let insert = try db.cachedStatement(sql: "INSERT INTO topics (topic_id, topic) VALUES (?, ?)")
        for id in stored..<table.count {
            try insert.execute(arguments: [Int64(id) + 1, String(decoding: table.bytes(of: id), as: UTF8.self)])
        }
        stored = table.count
    }
}
