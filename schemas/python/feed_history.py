#!/usr/bin/env python3
"""Reads a market-feed history file (../history.sql) with Python's standard library.

    import feed_history
    for topic, body in feed_history.messages("data/feed.sqlite", [b"NASDAQ.AAPL", b"NYSE."]):
        print(feed_decode.decode(topic, body))

`messages(path, prefixes)` yields the (topic, body) frames of every stored message whose topic
starts with one of `prefixes` (bytes; b"" is everything), in publish order, each once. It opens
the file read-only, so it can read while feed-server records.

Version 2 files (PRAGMA user_version = 2) are read through their topic index, as feed-client
does for narrow prefixes: the dictionary (`topics`) turns each prefix into topic ids, each
segment's `segment_topics` rows list where those topics' messages are (block, position, byte
offset), and the blocks after the last segment (the tail) are read whole. Version 1 files are
read block by block.

Command line: `python3 feed_history.py FILE [PREFIX...]` prints one JSON object per message
(`feed_decode.decode`'s fields), in publish order.
"""

import json
import sqlite3
import struct
import sys

import feed_decode

__all__ = ["messages", "segment_entries"]

DIRECTORY_ENTRY = struct.Struct("<III")  # topic_id, first location, location count
LOCATION = struct.Struct("<III")  # block_delta, index in block, byte offset of the record


def segment_entries(blob):
    """Parses one segment_topics.entries blob into {topic_id: [(block_delta, index, offset), ...]}."""
    (topic_count,) = struct.unpack_from("<I", blob, 0)
    locations_start = 4 + topic_count * DIRECTORY_ENTRY.size
    result = {}
    for slot in range(topic_count):
        topic_id, first, count = DIRECTORY_ENTRY.unpack_from(blob, 4 + slot * DIRECTORY_ENTRY.size)
        result[topic_id] = [
            LOCATION.unpack_from(blob, locations_start + (first + number) * LOCATION.size) for number in range(count)
        ]
    return result


def _starts_with_any(topic, prefixes):
    return any(topic.startswith(prefix) for prefix in prefixes)


def _record_at(payload, offset):
    (topic_length,) = struct.unpack_from("<H", payload, offset)
    topic = payload[offset + 2:offset + 2 + topic_length]
    (body_length,) = struct.unpack_from("<H", payload, offset + 2 + topic_length)
    body_start = offset + 4 + topic_length
    return bytes(topic), bytes(payload[body_start:body_start + body_length])


def _scan(connection, prefixes, after_block=0):
    rows = connection.execute("SELECT payload FROM blocks WHERE block_id > ? ORDER BY block_id", (after_block,))
    for (payload,) in rows:
        for topic, body in feed_decode.iter_block(payload):
            if _starts_with_any(topic, prefixes):
                yield topic, body


def messages(path, prefixes=(b"",)):
    """Yields (topic, body) of every message under `prefixes`, in publish order."""
    prefixes = [bytes(prefix) for prefix in prefixes]
    connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == 1 or b"" in prefixes:
        yield from _scan(connection, prefixes)
        return
    if version != 2:
        raise ValueError("%s has history schema version %d; this reader knows 1 and 2" % (path, version))
    wanted = set()
    for prefix in prefixes:
        upper = prefix[:-1] + bytes([prefix[-1] + 1])
        rows = connection.execute(
            "SELECT topic_id FROM topics WHERE topic >= ? AND topic < ?", (prefix.decode(), upper.decode()))
        wanted.update(topic_id for (topic_id,) in rows)
    segments = connection.execute(
        "SELECT segment_id, first_block_id, last_block_id, bucket_shift FROM segments ORDER BY last_block_id").fetchall()
    for segment_id, first_block, _last_block, shift in segments:
        hits = []
        for bucket in sorted({topic_id >> shift for topic_id in wanted}):
            row = connection.execute(
                "SELECT entries FROM segment_topics WHERE segment_id = ? AND bucket = ?", (segment_id, bucket)).fetchone()
            if row is None:
                continue
            for topic_id, locations in segment_entries(row[0]).items():
                if topic_id in wanted:
                    hits.extend(locations)
        hits.sort(key=lambda location: (location[0], location[1]))
        payloads = {}
        for block_delta, _index, offset in hits:
            block_id = first_block + block_delta
            if block_id not in payloads:
                payloads[block_id] = connection.execute(
                    "SELECT payload FROM blocks WHERE block_id = ?", (block_id,)).fetchone()[0]
            yield _record_at(payloads[block_id], offset)
    last_indexed = segments[-1][2] if segments else 0
    yield from _scan(connection, prefixes, after_block=last_indexed)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: %s FILE [PREFIX...]   (print stored messages as JSON lines)\n" % argv[0])
        return 64
    prefixes = [prefix.encode() for prefix in argv[2:]] or [b""]
    for topic, body in messages(argv[1], prefixes):
        sys.stdout.write(json.dumps(feed_decode.decode(topic, body)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
