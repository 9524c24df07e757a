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
