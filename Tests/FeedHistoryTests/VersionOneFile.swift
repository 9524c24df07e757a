import FeedModel
import Foundation
import GRDB

/// Writes a version-1 history (schemas/history-v1.sql) as the recorder of that version did:
/// the same block rows, and a `block_topics` row per topic per block.
enum VersionOneFile {
    static var sql: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("schemas/history-v1.sql")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    static func write(_ blocks: [MessageBlock], to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.inDatabase { db in try db.execute(sql: "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL") }
        try queue.write { db in
            try db.execute(sql: try sql)
            var highTime = Int64.min
            for block in blocks where !block.isEmpty {
                let messages = try block.decoded()
                highTime = max(highTime, messages.map(\.publishTime).max()!)
                try db.execute(
                    sql: """
                        INSERT INTO blocks (session_id, first_feed_seq, last_feed_seq, first_time_ns, last_time_ns, \
                        message_count, time_high_ns, time_low_ns, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        Int64(messages[0].session), Int64(messages.map(\.feedSequence).min()!),
                        Int64(messages.map(\.feedSequence).max()!), messages.map(\.publishTime).min()!,
                        messages.map(\.publishTime).max()!, messages.count, highTime, Int64.min, Data(block.bytes),
                    ])
                let blockID = db.lastInsertedRowID
                for (topic, ofTopic) in Dictionary(grouping: messages, by: \.topic) {
                    try db.execute(
                        sql: "INSERT INTO block_topics VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [
                            topic.rawValue, blockID, Int64(ofTopic.map(\.topicSequence).min()!),
                            Int64(ofTopic.map(\.topicSequence).max()!), ofTopic.map(\.publishTime).min()!,
                            ofTopic.map(\.publishTime).max()!, ofTopic.count,
                        ])
                }
            }
            // time_low_ns: the lowest first time of this block and every later one.
            try db.execute(
                sql: """
                    UPDATE blocks SET time_low_ns = (SELECT min(later.first_time_ns) FROM blocks AS later \
                    WHERE later.block_id >= blocks.block_id)
                    """)
        }
    }
}
