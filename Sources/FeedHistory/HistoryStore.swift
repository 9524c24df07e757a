import FeedModel
import GRDB
import Synchronization

/// Owns one SQLite history file: a GRDB `DatabasePool` in WAL mode with `synchronous=NORMAL`,
/// so one writer (the recorder) and many readers (replays, the CLI) work at once.
///
/// Messages are stored a ``FeedModel/MessageBlock`` per row, with a topic dictionary and a
/// per-segment index of where each topic's messages are; `schemas/history.sql` documents the
/// tables. Thread-safe: share one store per file. Every method throws ``HistoryError``.
///
/// A version-1 file (no topic index) opens for reading only: ``schemaVersion`` says so, queries
/// scan every block, and `feed-server migrate` (``HistoryMigration``) upgrades it.
public final class HistoryStore: Sendable {
    /// The file, as given to ``init(path:readOnly:)``.
    public let path: String
    /// The schema version of the file: 2, or 1 for a file opened read-only before migration.
    public let schemaVersion: Int
    let pool: DatabasePool
    /// When the tail of blocks becomes an indexed segment.
    let segmentPolicy: SegmentIndexer.Policy
    /// The writer's topic dictionary, loaded at the first append (nil until then, and after a
    /// failed write).
    let dictionary = Mutex<TopicDictionary?>(nil)
    /// Topic ids of recently queried prefixes, shared by readers.
    let topicLists = TopicListCache()

    /// A note for people reading an old file, or nil: one line, fit to print on stderr.
    public var versionNote: String? {
        guard schemaVersion < HistorySchema.version else { return nil }
        return "note: \(path) is a version-\(schemaVersion) history, read by scanning every block; "
            + "`feed-server migrate --db \(path)` upgrades it to version \(HistorySchema.version) and makes queries fast"
    }

    /// Opens the history at `path`, creating the file and its folder when missing, and creates
    /// or checks the schema.
    ///
    /// - Parameter readOnly: open an existing history for reading only (the CLI's
    ///   `history --db`); never creates anything, and fails when the file is missing.
    /// - Throws: ``HistoryError`` with a one-line description naming the path, e.g.
    ///   "cannot create history folder /x/y: Permission denied",
    ///   "/tmp/f.sqlite is not a feed history database (file is not a database)",
    ///   "no history database at /x.sqlite".
    public convenience init(path: String, readOnly: Bool = false) throws(HistoryError) {
        try self.init(path: path, readOnly: readOnly, segmentPolicy: .standard)
    }

    /// ``init(path:readOnly:)`` with the segment size chosen (tests use small ones).
    init(path: String, readOnly: Bool, segmentPolicy: SegmentIndexer.Policy) throws(HistoryError) {
        self.path = path
        self.segmentPolicy = segmentPolicy
        guard !path.isEmpty else { throw HistoryError(.cannotOpen, "no history database path given") }
        if readOnly {
            switch HistoryFiles.entry(at: path) {
            case .missing: throw HistoryError(.cannotOpen, "no history database at \(path)")
            case .folder: throw HistoryError(.cannotOpen, "cannot open history database \(path): it is a folder")
            case .file: break
            }
        } else {
            try HistoryFiles.createParentFolder(of: path)
            if HistoryFiles.entry(at: path) == .folder {
                throw HistoryError(.cannotOpen, "cannot open history database \(path): it is a folder")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration(readOnly: readOnly))
            if readOnly {
                schemaVersion = try pool.read { db in try HistorySchema.check(db, path: path) }
            } else {
                try pool.write { db in try HistorySchema.create(db, path: path) }
                schemaVersion = HistorySchema.version
            }
        } catch let error as HistoryError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            let reason = HistoryFiles.openFailureReason(path, readOnly: readOnly) ?? error.message ?? "unable to open"
            throw HistoryError(.cannotOpen, "cannot open history database \(path): \(reason)")
        } catch {
            throw HistoryError.storage(error, path: path)
        }
    }

    /// The connection settings of every history connection (documented in `schemas/history.sql`).
    static func configuration(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "history"
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Runs before GRDB turns WAL on, so a new file gets the page size; a no-op on existing files.
            try db.execute(sql: "PRAGMA page_size = \(HistorySchema.pageSize)")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoint the WAL every 64 MiB instead of every 16 MiB: fewer, larger copies.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(HistorySchema.walCheckpointPages)")
            try db.execute(sql: "PRAGMA journal_size_limit = \(HistorySchema.pageSize * HistorySchema.walCheckpointPages)")
            // Debian's SQLite zeroes every page it frees (SECURE_DELETE): retention would write each
            // deleted segment again. FAST zeroes only what costs no extra I/O.
            try db.execute(sql: "PRAGMA secure_delete = FAST")
            // Readers map the file instead of a read() per page: history reads are mostly large
            // block payloads spanning many overflow pages. The recorder's writer does not, so
            // the daemon's resident memory stays its own (mapped pages count as resident).
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA mmap_size = \(HistorySchema.readerMmapBytes)")
            }
        }
        return configuration
    }

    /// Highest session id recorded, in the sessions table or in stored blocks; nil for an empty history.
    public func lastSession() throws -> UInt32? {
        try reading { db in
            try Self.lastSession(db)
        }
    }

    /// ``lastSession()`` inside a transaction.
    static func lastSession(_ db: Database) throws -> UInt32? {
        let highest = try Int64.fetchOne(
            db,
            sql: """
                SELECT max(id) FROM (SELECT max(session_id) AS id FROM sessions \
                UNION ALL SELECT max(session_id) FROM blocks)
                """)
        return highest.map { UInt32(truncatingIfNeeded: $0) }
    }

    /// The highest feed sequence stored for `session` (0 when none is). A session recorded in
    /// order (a server's, or a relay's: see `RelayRecording`) is held through there.
    public func recordedThrough(session: UInt32) throws -> UInt64 {
        try reading { db in
            let last = try Int64.fetchOne(
                db, sql: "SELECT max(last_feed_seq) FROM blocks WHERE session_id = ?", arguments: [Int64(session)])
            return UInt64(max(0, last ?? 0))
        }
    }

    /// Records that a publisher run started. Registering a session again keeps the first start time.
    public func registerSession(_ session: UInt32, startedAt: Timestamp) throws {
        try writing { db in
            try db.execute(
                sql: "INSERT INTO sessions (session_id, started_ns) VALUES (?, ?) ON CONFLICT (session_id) DO NOTHING",
                arguments: [Int64(session), startedAt.nanoseconds])
        }
    }

    /// Total messages stored (the sum of every block's message count).
    public func messageCount() throws -> Int {
        try reading { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(message_count), 0) FROM blocks") ?? 0 }
    }

    /// Runs `body` in a read transaction, reporting any failure as a ``HistoryError``.
    func reading<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do { return try pool.read(body) } catch { throw HistoryError.storage(error, path: path) }
    }

    /// Runs `body` in a write transaction, reporting any failure as a ``HistoryError``.
    func writing<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do { return try pool.write(body) } catch { throw HistoryError.storage(error, path: path) }
    }
}
