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
/// 3. A lost block's messages are counted from its row when that still reads, else from the
///    feed sequences missing between the salvaged blocks around it (a session has no holes);
///    lost blocks at a session's end whose rows are unreadable are counted apart (size unknown).
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
        var batch: [MessageBlock] = []
        var gaps = UnknownLosses()
        /// Appends the batch to the new file; its errors name the new file.
        func flush() throws(HistoryError) {
            do { try store.append(batch) } catch { throw HistoryError.storage(error, path: output) }
            batch.removeAll(keepingCapacity: true)
        }
        if let (low, high) = range {
            for blockID in low...high {
                // One read transaction per block: the error of a damaged page ends the transaction.
                let found: SalvagedBlock?
                do {
                    found = try source.read { db in try salvageBlock(db, blockID: blockID) }
                } catch where SkippedBlock.isDamage(error) {
                    found = nil
                    gaps.lost(known: countLost(blockID, error: error, source: source, outcome: &outcome))
                } catch {
                    throw HistoryError.storage(error, path: path)
                }
                if let found {
                    batch.append(found.block)
                    outcome.blocksSalvaged += 1
                    outcome.messagesSalvaged += found.block.count
                    sessions[found.session] = min(sessions[found.session] ?? .max, found.firstTime)
                    gaps.salvaged(found, outcome: &outcome)
                }
                if batch.count == batchBlocks || blockID == high {
                    try flush()
                    progress(blockID - low + 1, high - low + 1)
                }
            }
        }
        let recorded = try? source.read { db in try Row.fetchAll(db, sql: "SELECT session_id, started_ns FROM sessions") }
        for row in recorded ?? [] { sessions[UInt32(truncatingIfNeeded: row[0] as Int64)] = row[1] }
        do {
            for (session, started) in sessions { try store.registerSession(session, startedAt: Timestamp(nanoseconds: started)) }
        } catch {
            throw HistoryError.storage(error, path: output)
        }
        return outcome
    }

    /// A block read back whole, and where it sits in its session.
    private struct SalvagedBlock {
        let block: MessageBlock
        let session: UInt32
        let firstTime: Int64
        let feedSequences: ClosedRange<Int64>
    }

    /// Counts the messages of lost blocks whose rows are unreadable from the feed sequences the
    /// salvaged blocks around them leave out (a session's sequences have no holes).
    private struct UnknownLosses {
        private var previous: (session: UInt32, last: Int64)?
        private var unknownBlocks = 0
        private var knownMessages = 0

        mutating func lost(known count: Int?) {
            if let count { knownMessages += count } else { unknownBlocks += 1 }
        }

        mutating func salvaged(_ block: SalvagedBlock, outcome: inout Outcome) {
            if unknownBlocks > 0, let previous, previous.session == block.session {
                let missing = block.feedSequences.lowerBound - previous.last - 1 - Int64(knownMessages)
                if missing >= 0 {
                    outcome.messagesLost += Int(missing)
                    outcome.blocksOfUnknownSize -= unknownBlocks
                }
            }
            previous = (block.session, block.feedSequences.upperBound)
            unknownBlocks = 0
            knownMessages = 0
        }
    }

    /// Block `blockID` when it reads back whole; nil when there is none. Throws when it is damaged.
    private static func salvageBlock(_ db: Database, blockID: Int64) throws -> SalvagedBlock? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT message_count, payload, session_id, first_time_ns, first_feed_seq, last_feed_seq \
                    FROM blocks WHERE block_id = ?
                    """, arguments: [blockID])
        else { return nil }
        let (first, last): (Int64, Int64) = (row[4], row[5])
        return SalvagedBlock(
            block: try StoredBlocks.block(of: row, blockID: blockID), session: UInt32(truncatingIfNeeded: row[2] as Int64),
            firstTime: row[3], feedSequences: first...max(first, last))
    }

    /// Counts block `blockID` as lost; returns its message count when its row still gives it.
    private static func countLost(_ blockID: Int64, error: any Error, source: DatabaseQueue, outcome: inout Outcome) -> Int? {
        outcome.blocksLost += 1
        let count = try? source.read { db in try Int.fetchOne(db, sql: "SELECT message_count FROM blocks WHERE block_id = ?", arguments: [blockID]) }
        let described = (try? source.read { db in SkippedBlock(db, blockID: blockID, error: error) })
            ?? SkippedBlock(blockID: blockID, session: nil, feedSequences: nil, reason: SkippedBlock.reason(error))
        if let count = count ?? nil { outcome.messagesLost += count } else { outcome.blocksOfUnknownSize += 1 }
        if outcome.lostExamples.count < 5 { outcome.lostExamples.append(described.description) }
        return count ?? nil
    }
}
