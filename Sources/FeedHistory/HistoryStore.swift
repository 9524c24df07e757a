import FeedModel
import GRDB

/// Owns one SQLite history file: a GRDB `DatabasePool` in WAL mode with `synchronous=NORMAL`,
/// so one writer (the recorder) and many readers (replays, the CLI) work at once.
///
/// Messages are stored a ``FeedModel/MessageBlock`` per row with a per-(topic, block) index;
/// `schemas/history.sql` documents the tables. Thread-safe: share one store per file.
/// Every method throws ``HistoryError``.
public final class HistoryStore: Sendable {
    /// The file, as given to ``init(path:readOnly:)``.
    public let path: String
    let pool: DatabasePool

    /// Opens the history at `path`, creating the file and its folder when missing, and creates
    /// or checks the schema.
    ///
    /// - Parameter readOnly: open an existing history for reading only (the CLI's
    ///   `history --db`); never creates anything, and fails when the file is missing.
    /// - Throws: ``HistoryError`` with a one-line description naming the path, e.g.
    ///   "cannot create history folder /x/y: Permission denied",
    ///   "/tmp/f.sqlite is not a feed history database (file is not a database)",
    ///   "no history database at /x.sqlite".
    public init(path: String, readOnly: Bool = false) throws(HistoryError) {
        self.path = path
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
            // Readers map the file instead of a read() per page: history reads are mostly large
            // block payloads spanning many overflow pages. The recorder's writer does not, so
            // the daemon's resident memory stays its own (mapped pages count as resident).
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA mmap_size = \(HistorySchema.readerMmapBytes)")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if readOnly {
                try pool.read { db in try HistorySchema.check(db, path: path) }
            } else {
                try pool.write { db in try HistorySchema.migrate(db, path: path) }
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
