-- Feed history, schema version 1: superseded by version 2 (schemas/history.sql), kept as the exact
-- layout of version-1 files. This program reads them (scanning every block: slower) and upgrades
-- them only when asked, with `feed-server migrate --db FILE`; the tests make version-1 files from it.
--
-- Connection settings (HistoryStore sets them; they are not part of this script):
-- page_size 16384 (set before anything is written; large blocks overflow fewer pages),
-- journal_mode WAL and synchronous NORMAL (one writer, the recorder, and many readers at once),
-- wal_autocheckpoint 4096 pages and journal_size_limit 64 MiB; reading connections map the
-- file (mmap_size, up to the 2 GiB SQLite allows).
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

-- One row per (topic, block) holding that topic: "topic or prefix P from block B" and
-- "topic T between two times" are range scans of this primary key, never reading unrelated blocks.
CREATE TABLE block_topics (
    topic TEXT NOT NULL,             -- VENUE.SYMBOL (or $HB), compared bytewise (BINARY collation)
    block_id INTEGER NOT NULL,       -- blocks.block_id
    first_topic_seq INTEGER NOT NULL, -- lowest topic_seq of this topic in the block
    last_topic_seq INTEGER NOT NULL, -- highest topic_seq of this topic in the block
    first_time_ns INTEGER NOT NULL,  -- earliest publish_time_ns of this topic in the block
    last_time_ns INTEGER NOT NULL,   -- latest publish_time_ns of this topic in the block
    message_count INTEGER NOT NULL,  -- messages of this topic in the block
    PRIMARY KEY (topic, block_id)
) WITHOUT ROWID;

PRAGMA user_version = 1;
