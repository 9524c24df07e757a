import FeedModel
import GRDB

/// `feed-server repair`: copies every block of a damaged history that still reads back whole
/// into a new history file (schema version 2, its topic dictionary and segment index built
/// anew), and counts what was salvaged and what was lost.
///
/// Rules:
/// 1. The damaged file is opened read-only and never changed.
/// 2. Every block id from the lowest to the highest is looked up on its own, so a damaged page
///    loses only the blocks on it; a block is salvaged when its row and every message of it
///    read back and check out as the recorder checked them (``StoredBlocks/block(of:countColumn:payloadColumn:blockID:)``).
/// 3. A lost block's messages are counted when its row still says how many it held; blocks
///    whose row is unreadable are counted apart (their size is unknown).
/// 4. Sessions are copied when the sessions table reads back, else made from the salvaged blocks.
public enum HistoryRepair {
    /// What a repair did.
    public struct Outcome: Sendable, Equatable {
        public var blocksSalvaged = 0
        public var messagesSalvaged = 0
        public var blocksLost = 0
        /// Messages in lost blocks whose row still gave their count.
        public var messagesLost = 0
        /// Lost blocks whose row could not be read at all: their messages are not in ``messagesLost``.
        public var blocksOfUnknownSize = 0
        /// The first few lost blocks and why, for the report.
        public var lostExamples: [String] = []
    }

    /// Blocks appended to the new file per transaction.
    static let batchBlocks = 64

    /// Salvages `path` into a new history at `output` (which must not exist); `progress` is told
    /// the block ids looked at so far and how many there are.
    public static func salvage(
        from path: String, to output: String, progress: (_ done: Int64, _ total: Int64) -> Void = { _, _ in }
    ) throws(HistoryError) -> Outcome {
        guard HistoryFiles.entry(at: path) == .file else { throw HistoryError(.cannotOpen, "no history database at \(path)") }
        guard HistoryFiles.entry(at: output) == .missing else {
            throw HistoryError(.cannotOpen, "\(output) exists: give a new file for the salvaged history")
        }
        let source: DatabaseQueue
        let range: (Int64, Int64)?
        do {
            var configuration = Configuration()
            configuration.readonly = true
            source = try DatabaseQueue(path: path, configuration: configuration)
            range = try source.read { db in
                guard try HistorySchema.userTables(db).contains("blocks") else {
                    throw HistoryError(.notAHistory, "\(path) is not a feed history database (no blocks table)")
                }
                let row = try Row.fetchOne(db, sql: "SELECT min(block_id), max(block_id) FROM blocks")
                guard let row, let low = row[0] as Int64?, let high = row[1] as Int64? else { return nil }
                return (low, high)
            }
        } catch {
            throw HistoryError.storage(error, path: path)
        }
        let store = try HistoryStore(path: output)
        var outcome = Outcome()
        var sessions: [UInt32: Int64] = [:]
        do {
            try source.read { db in
                guard let (low, high) = range else { return }
                var batch: [MessageBlock] = []
                for blockID in low...high {
                    if let (block, session, firstTime) = try salvageBlock(db, blockID: blockID, outcome: &outcome) {
                        batch.append(block)
                        outcome.blocksSalvaged += 1
                        outcome.messagesSalvaged += block.count
                        sessions[session] = min(sessions[session] ?? .max, firstTime)
                    }
                    if batch.count == batchBlocks || blockID == high {
                        try store.append(batch)
                        batch.removeAll(keepingCapacity: true)
                        progress(blockID - low + 1, high - low + 1)
                    }
                }
            }
            let recorded = try? source.read { db in try Row.fetchAll(db, sql: "SELECT session_id, started_ns FROM sessions") }
            for row in recorded ?? [] { sessions[UInt32(truncatingIfNeeded: row[0] as Int64)] = row[1] }
            for (session, started) in sessions { try store.registerSession(session, startedAt: Timestamp(nanoseconds: started)) }
        } catch {
            throw HistoryError.storage(error, path: output)
        }
        return outcome
    }

    /// Block `blockID`, its session and first publish time, when it reads back whole; nil when
    /// there is none or it is lost (counted).
    private static func salvageBlock(_ db: Database, blockID: Int64, outcome: inout Outcome) throws -> (MessageBlock, UInt32, Int64)? {
        do {
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT message_count, payload, session_id, first_time_ns FROM blocks WHERE block_id = ?",
                    arguments: [blockID])
            else { return nil }
            return (try StoredBlocks.block(of: row, blockID: blockID), UInt32(truncatingIfNeeded: row[2] as Int64), row[3])
        } catch where SkippedBlock.isDamage(error) {
            outcome.blocksLost += 1
            if let count = try? Int.fetchOne(db, sql: "SELECT message_count FROM blocks WHERE block_id = ?", arguments: [blockID]) {
                outcome.messagesLost += count
            } else {
                outcome.blocksOfUnknownSize += 1
            }
            if outcome.lostExamples.count < 5 { outcome.lostExamples.append(SkippedBlock(db, blockID: blockID, error: error).description) }
            return nil
        }
    }
}
