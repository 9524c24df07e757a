import FeedModel
import GRDB

extension SkippedBlock {
    /// The skipped block `blockID`, its row read as far as it can be.
    init(_ db: Database, blockID: Int64, error: any Error) {
        let row = try? Row.fetchOne(
            db, sql: "SELECT session_id, first_feed_seq, last_feed_seq FROM blocks WHERE block_id = ?", arguments: [blockID])
        var sequences: ClosedRange<UInt64>?
        if let row, let first = UInt64(exactly: row[1] as Int64), let last = UInt64(exactly: row[2] as Int64), first <= last {
            sequences = first...last
        }
        self.init(
            blockID: blockID, session: row.map { UInt32(truncatingIfNeeded: $0[0] as Int64) }, feedSequences: sequences,
            reason: Self.reason(error))
    }

    /// What `error` says is wrong with a block, one line.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let corrupt as StoredBlocks.Corrupt: corrupt.reason
        case let database as DatabaseError: database.message ?? "database disk image is malformed"
        default: "\(error)"
        }
    }

    /// Whether `error` says stored bytes are damaged (rather than, say, a lock or a full disk).
    static func isDamage(_ error: any Error) -> Bool {
        if error is StoredBlocks.Corrupt { return true }
        if let error = error as? DatabaseError { return error.resultCode == .SQLITE_CORRUPT }
        return false
    }
}
