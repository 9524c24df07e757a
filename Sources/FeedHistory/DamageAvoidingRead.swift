import FeedModel
import GRDB

/// The damaged blocks and segment indexes earlier runs of a read met, which the next run avoids.
struct AvoidedDamage {
    var blocks: Set<Int64> = []
    var segments: Set<Int64> = []

    /// `range` without the avoided blocks, as the ascending pieces left.
    func pieces(of range: ClosedRange<Int64>) -> [ClosedRange<Int64>] {
        var pieces: [ClosedRange<Int64>] = []
        var low = range.lowerBound
        for avoided in blocks.sorted() where range.contains(avoided) {
            if low < avoided { pieces.append(low...avoided - 1) }
            low = avoided + 1
        }
        if low <= range.upperBound { pieces.append(low...range.upperBound) }
        return pieces
    }
}

/// Damage met while reading. It ends the read at once: SQLite cannot go on with a transaction
/// that met a damaged page.
enum DamageFound: Error {
    case block(Int64, any Error)
    case segment(Int64)
}

extension HistoryStore {
    /// Damaged blocks (or segment indexes) one read skips before it fails: each costs a new run.
    static let damagedPlacesPerRead = 64

    /// Runs `body` in a read transaction; when it throws ``DamageFound``, runs it again in a new
    /// transaction avoiding what was found, up to ``damagedPlacesPerRead`` blocks and as many
    /// segment indexes. Returns the result and the blocks skipped, in block order.
    func readAvoidingDamage<T>(_ body: (Database, AvoidedDamage) throws -> T) throws(HistoryError) -> (T, [SkippedBlock]) {
        var avoiding = AvoidedDamage()
        var skipped: [SkippedBlock] = []
        while true {
            do {
                return (try pool.read { db in try body(db, avoiding) }, skipped)
            } catch DamageFound.block(let blockID, let error)
                where avoiding.blocks.count < Self.damagedPlacesPerRead && !avoiding.blocks.contains(blockID)
            {
                avoiding.blocks.insert(blockID)
                skipped.append(describeDamaged(blockID, error))
                skipped.sort { $0.blockID < $1.blockID }
            } catch DamageFound.segment(let segment)
                where avoiding.segments.count < Self.damagedPlacesPerRead && !avoiding.segments.contains(segment)
            {
                avoiding.segments.insert(segment)
            } catch {
                throw HistoryError.storage(error, path: path)
            }
        }
    }

    /// Block `blockID` found damaged: its row's session and sequences when they still read.
    private func describeDamaged(_ blockID: Int64, _ error: any Error) -> SkippedBlock {
        (try? pool.read { db in SkippedBlock(db, blockID: blockID, error: error) })
            ?? SkippedBlock(blockID: blockID, session: nil, feedSequences: nil, reason: SkippedBlock.reason(error))
    }
}
