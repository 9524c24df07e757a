import Foundation
import GRDB

/// The SQL schema of the history (version 2), its creation on a new file, and the checks that
/// tell on open which version a file holds.
///
/// ``sql`` is the exact text of `schemas/history.sql`; a test checks that they are identical.
/// Version-1 files (`schemas/history-v1.sql`: a `block_topics` row per topic per block, no
/// dictionary) are read as they are, scanning blocks instead of using the topic index, and are
/// written to only after `feed-server migrate` (``HistoryMigration``) upgraded them.
enum HistorySchema {
    /// The `PRAGMA user_version` this code writes.
    static let version = 2
    /// The oldest version this code still reads.
    static let oldestReadable = 1
    /// `PRAGMA page_size` of new files.
    static let pageSize = 16_384
    /// `PRAGMA wal_autocheckpoint`, in pages.
    static let walCheckpointPages = 4_096
    /// `PRAGMA mmap_size` of reading connections: the whole file, as far as SQLite allows
    /// (it caps this at its build's maximum, 2 GiB in Debian's).
    static let readerMmapBytes: Int64 = 1 << 40
    /// The tables of each version, for recognising a history.
    static let versionOneTables: Set<String> = ["sessions", "blocks", "block_topics"]
    static let versionTwoTables: Set<String> = ["sessions", "blocks", "topics", "segments", "segment_topics"]

    /// Creates every table and index and sets `user_version`; run once on an empty file.
    static let sql = #"""
-- Feed history: the SQLite file the server's recorder writes and the replay service reads.
-- Schema version 2, stored as PRAGMA user_version. FeedHistory/HistorySchema.swift runs this
-- exact text on a new file (a test checks that the two are identical). Version 1
-- (schemas/history-v1.sql) is read as is and upgraded by `feed-server migrate --db FILE`.
--
-- Connection settings (HistoryStore sets them; they are not part of this script):
-- page_size 16384 (set before anything is written; large blocks overflow fewer pages),
-- journal_mode WAL and synchronous NORMAL (one writer, the recorder, and many readers at once),
-- wal_autocheckpoint 4096 pages and journal_size_limit 64 MiB, secure_delete FAST (Debian's
-- SQLite zeroes every freed page by default: retention would write deleted segments twice);
-- reading connections map the file (mmap_size, up to the 2 GiB SQLite allows).
--
-- Messages are stored a block per row, not a row per message: a block is many messages packed
-- as FeedModel's MessageBlock, repeated records of
--   u16 topic_length, topic bytes, u16 body_length, body bytes   (little-endian)
-- where the body is the wire body (schemas/feed-v1.xml): a 40-byte header with
-- session_id u32 at 4, feed_seq u64 at 8, topic_seq u64 at 16, event_time_ns i64 at 24,
-- publish_time_ns i64 at 32. A block holds messages of one session in feed_seq order, and
-- block_id grows in publish order, so (block_id, position in block) is the publish order.
--
-- Sequence numbers are u64 on the wire and stored as INTEGER (i64), clamped to 2^63-1.
-- The first_/last_ columns hold the lowest/highest value in the block (the first/last
-- message's, since the sequencer stamps in order); queries use them only to skip blocks
-- and check every message, so a clock step backwards never loses a message from a query.
--
-- Finding one topic among many: every topic has a small integer id (table topics), and
-- consecutive blocks are indexed together as a segment (about 65,536 messages): one
-- segment_topics row per (segment, bucket of topic ids) lists where each topic's messages
-- are. Rows are written once, when a segment is complete, in key order, so recording writes
-- a few rows per segment whatever the number of topics. Blocks after the last segment (the
-- tail) are read whole.

-- One row per publisher run.
CREATE TABLE sessions (
    session_id INTEGER PRIMARY KEY,  -- u32 session id from the wire header
    started_ns INTEGER NOT NULL      -- when the run started, ns since 1970-01-01T00:00:00Z
);

-- One row per block of messages.
CREATE TABLE blocks (
    block_id INTEGER PRIMARY KEY,    -- rowid, increasing in publish order
    session_id INTEGER NOT NULL,     -- the session of every message in the block
    first_feed_seq INTEGER NOT NULL, -- lowest feed_seq in the block
    last_feed_seq INTEGER NOT NULL,  -- highest feed_seq in the block
    first_time_ns INTEGER NOT NULL,  -- earliest publish_time_ns in the block
    last_time_ns INTEGER NOT NULL,   -- latest publish_time_ns in the block
    message_count INTEGER NOT NULL,  -- messages in payload
    -- Time watermarks, never decreasing with block_id even when the publish clock steps back,
    -- so "since T" and "until T" find their first/last block with one index seek:
    time_high_ns INTEGER NOT NULL,   -- max(last_time_ns) of this block and every earlier one
    time_low_ns INTEGER NOT NULL,    -- min(first_time_ns) of this block and every later one
                                     -- (lowered on earlier rows when a block arrives with an older time)
    payload BLOB NOT NULL            -- the MessageBlock bytes, verbatim (last: filters never read it)
);

-- "Session S from feed_seq N": the first block is the lowest block_id with last_feed_seq >= N.
CREATE INDEX blocks_by_session ON blocks (session_id, last_feed_seq);
-- "Since T": the first block with time_high_ns >= T. "Until T": the last with time_low_ns < T.
CREATE INDEX blocks_by_time_high ON blocks (time_high_ns);
CREATE INDEX blocks_by_time_low ON blocks (time_low_ns);

-- The topic dictionary: one row per distinct topic, ids 1, 2, 3, ... in order of first
-- appearance; the UNIQUE index turns a prefix into a range scan ("topic >= P AND topic < P'").
CREATE TABLE topics (
    topic_id INTEGER PRIMARY KEY,    -- 1, 2, 3, ...
    topic TEXT NOT NULL UNIQUE       -- VENUE.SYMBOL (or $HB), compared bytewise (BINARY collation)
);

-- Runs of consecutive blocks whose messages segment_topics lists; no block is in two.
CREATE TABLE segments (
    segment_id INTEGER PRIMARY KEY,  -- increasing with the blocks it covers
    first_block_id INTEGER NOT NULL,
    last_block_id INTEGER NOT NULL UNIQUE,
    message_count INTEGER NOT NULL,  -- messages in its blocks
    bucket_shift INTEGER NOT NULL    -- a topic's bucket in this segment is topic_id >> bucket_shift
);

-- Where the messages of each topic of a bucket are in a segment. entries, little-endian:
--   u32 topic_count, then topic_count directory entries in topic_id order:
--       u32 topic_id, u32 first (index of its first location), u32 count
--   then the locations, each topic's in publish order:
--       u32 block_delta (block_id - first_block_id), u32 index (position in the block),
--       u32 offset (byte offset of the record in the block's payload)
CREATE TABLE segment_topics (
    segment_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    entries BLOB NOT NULL,
    PRIMARY KEY (segment_id, bucket)
) WITHOUT ROWID;

-- What retention (`feed-server --retain`, `--retain-size`) deleted: a row per session that lost
-- its oldest blocks, so a query reaching before the oldest block kept is told so instead of
-- getting a silently short answer. Deleting the oldest segment (its blocks, its segment_topics
-- rows and its segments row) is one transaction; topics stay in the dictionary even when all
-- their messages expired. A file without this table (written before retention) lost nothing.
CREATE TABLE expired (
    session_id INTEGER PRIMARY KEY,  -- the session whose oldest blocks were deleted
    last_feed_seq INTEGER NOT NULL,  -- highest feed_seq deleted: the session is kept from the next
    last_time_ns INTEGER NOT NULL,   -- latest publish time deleted (messages before it may be gone)
    messages INTEGER NOT NULL        -- messages of the session deleted so far
);

PRAGMA user_version = 2;

"""#

    /// The part of ``sql`` that version 2 added to version 1: the topic dictionary and the
    /// segment index. `feed-server migrate` runs it on a version-1 file.
    static let indexTablesSQL: String = {
        let start = sql.range(of: "-- The topic dictionary")!.lowerBound
        let end = sql.range(of: "PRAGMA user_version = ", options: .backwards)!.lowerBound
        return String(sql[start..<end])
    }()

    /// The `expired` table, for version-2 files written before retention existed (created when
    /// the file is opened for writing).
    static let expiredTableSQL: String = {
        let start = sql.range(of: "CREATE TABLE expired")!.lowerBound
        let end = sql.range(of: "PRAGMA user_version = ", options: .backwards)!.lowerBound
        return String(sql[start..<end]).replacingOccurrences(of: "CREATE TABLE", with: "CREATE TABLE IF NOT EXISTS")
    }()

    /// Creates the schema in an empty database, or checks that an existing one is a history
    /// this code may write (version 2). Runs inside the caller's write transaction.
    static func create(_ db: Database, path: String) throws {
        let found = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if found == 0 {
            let tables = try userTables(db)
            guard tables.isEmpty else {
                throw HistoryError(
                    .notAHistory,
                    "\(path) is not a feed history database (it holds other tables: \(tables.sorted().prefix(3).joined(separator: ", ")))")
            }
            try db.execute(sql: sql)
            return
        }
        let readable = try check(db, path: path, version: found)
        if readable == oldestReadable {
            throw HistoryError(
                .needsMigration,
                "\(path) is a version-1 history; this program records into version 2: upgrade it with "
                    + "`feed-server migrate --db \(path)` (every message is kept), or give a new --db")
        }
        try db.execute(sql: expiredTableSQL)
    }

    /// Checks, without writing, that the database is a history this code can read, and returns
    /// its version (1 or 2).
    static func check(_ db: Database, path: String) throws -> Int {
        try check(db, path: path, version: Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
    }

    private static func check(_ db: Database, path: String, version: Int) throws -> Int {
        if version > HistorySchema.version {
            throw HistoryError(
                .notAHistory,
                "\(path) has history schema version \(version); this program reads versions \(oldestReadable)-\(HistorySchema.version): use a newer feed-server or feed-client")
        }
        let tables = try userTables(db)
        let expected = version == 1 ? versionOneTables : versionTwoTables
        guard version >= oldestReadable, tables.isSuperset(of: expected) else {
            throw HistoryError(.notAHistory, "\(path) is not a feed history database (no history tables)")
        }
        return version
    }

    static func userTables(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    }
}
