#!/usr/bin/env python3
"""Decoder for the market-feed wire format, schema version 1 (see ../README.md, ../feed-v1.xml).

Standard library only. A feed message is two ZeroMQ frames, [topic][body]:

    import feed_decode
    topic, body = sock.recv_multipart()          # pyzmq SUB socket
    msg = feed_decode.decode(topic, body)        # dict, or raises feed_decode.WireError
    feed_decode.format_price(msg["bid_mantissa"])  # '182.35'

`decode` applies exactly the rules of the Swift decoder (Sources/FeedModel/WireCodec.swift), in
the same order, and raises `WireError` (a `ValueError`) whose `kind` names the rule broken, with
the same names as the server's reject counters:

    oversized            body longer than the longest type (64 bytes)
    too_short            body shorter than the 40-byte header
    unsupported_version  schema_version is not 1
    unknown_type         message_type is not 1, 2 or 3
    wrong_length         body length is not exactly the type's length (64, 56, 40)
    invalid_topic        topic is not VENUE.SYMBOL (and not "$HB")
    invalid_field        aggressor side not 0/1/2, or heartbeat type and "$HB" topic disagree

`iter_block(payload)` walks a MessageBlock (history payloads, replay replies) and yields the
(topic, body) frames of each record.

Command line: `python3 feed_decode.py --selftest-file PATH` decodes a file holding MessageBlock
records and prints one JSON object per record (used by the Swift test suite to prove that this
decoder and the Swift one agree).
"""

import datetime
import json
import struct
import sys

__all__ = [
    "SCHEMA_VERSION", "HEADER", "QUOTE", "TRADE", "HEARTBEAT_TOPIC", "PRICE_EXPONENT", "MESSAGE_TYPES",
    "BODY_LENGTHS", "SIDES", "WireError", "check_topic", "decode", "iter_block", "format_price",
    "format_time",
]

SCHEMA_VERSION = 1
PRICE_EXPONENT = -8  # every price is mantissa * 10**-8
PRICE_SCALE = 10 ** -PRICE_EXPONENT

# Header, 40 bytes at offset 0: schema_version u8, message_type u8, flags u16, session_id u32,
# feed_seq u64, topic_seq u64, event_time_ns i64, publish_time_ns i64.
HEADER = struct.Struct("<BBHIQQqq")
# Quote payload, 24 bytes at offset 40: bid i64, ask i64, bid_size u32, ask_size u32.
QUOTE = struct.Struct("<qqII")
# Trade payload, 16 bytes at offset 40: price i64, size u32, aggressor_side u8, 3 padding bytes.
TRADE = struct.Struct("<qIB3x")

MESSAGE_TYPES = {1: "quote", 2: "trade", 3: "heartbeat"}
BODY_LENGTHS = {1: HEADER.size + QUOTE.size, 2: HEADER.size + TRADE.size, 3: HEADER.size}  # 64, 56, 40
MAXIMUM_BODY_LENGTH = max(BODY_LENGTHS.values())
SIDES = {0: "unknown", 1: "buy", 2: "sell"}
HEARTBEAT_TOPIC = b"$HB"
MAX_TOPIC_LENGTH = 49

_VENUE_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SYMBOL_BYTES = _VENUE_BYTES | frozenset(b"abcdefghijklmnopqrstuvwxyz.-_/")

assert HEADER.size == 40 and QUOTE.size == 24 and TRADE.size == 16


class WireError(ValueError):
    """A malformed message. `kind` is one of the names listed in the module docstring."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def check_topic(topic):
    """Returns the topic frame (bytes) as str, or raises WireError('invalid_topic')."""
    topic = bytes(topic)
    if topic == HEARTBEAT_TOPIC:
        return topic.decode("ascii")
    if not topic:
        raise WireError("invalid_topic", "empty topic")
    if len(topic) > MAX_TOPIC_LENGTH:
        raise WireError("invalid_topic", "topic is %d bytes, longer than %d" % (len(topic), MAX_TOPIC_LENGTH))
    dot = topic.find(b".")
    if dot < 0:
        raise WireError("invalid_topic", "topic %r is not VENUE.SYMBOL (no '.')" % topic)
    venue, symbol = topic[:dot], topic[dot + 1:]
    if not 1 <= len(venue) <= 16 or not all(b in _VENUE_BYTES for b in venue):
        raise WireError("invalid_topic", "topic %r: venue must be 1-16 of A-Z 0-9" % topic)
    if not 1 <= len(symbol) <= 32 or not all(b in _SYMBOL_BYTES for b in symbol):
        raise WireError("invalid_topic", "topic %r: symbol must be 1-32 of A-Z a-z 0-9 . - _ /" % topic)
    return topic.decode("ascii")


def decode(topic, body):
    """Decodes one message from its two frames (bytes-like) into a dict.

    Keys, all messages: topic (str), type ('quote' | 'trade' | 'heartbeat'), session, feed_seq,
    topic_seq, event_time_ns, publish_time_ns (ints). Quotes add bid_mantissa, ask_mantissa,
    bid_size, ask_size; trades add price_mantissa, size, side ('unknown' | 'buy' | 'sell').
    Prices are integer mantissas: value = mantissa * 10**-8 (see format_price). The reserved
    flags and the trade's padding bytes are ignored, as the Swift decoder ignores them.
    """
    body = bytes(body)
    if len(body) > MAXIMUM_BODY_LENGTH:
        raise WireError("oversized", "body is %d bytes, longer than the longest message (%d)" % (len(body), MAXIMUM_BODY_LENGTH))
    if len(body) < HEADER.size:
        raise WireError("too_short", "body is %d bytes, shorter than the %d-byte header" % (len(body), HEADER.size))
    version, type_code, _flags, session, feed_seq, topic_seq, event_time, publish_time = HEADER.unpack_from(body, 0)
    if version != SCHEMA_VERSION:
        raise WireError("unsupported_version", "unsupported schema version %d" % version)
    if type_code not in MESSAGE_TYPES:
        raise WireError("unknown_type", "unknown message type %d" % type_code)
    type_name = MESSAGE_TYPES[type_code]
    if len(body) != BODY_LENGTHS[type_code]:
        raise WireError(
            "wrong_length", "%s body must be %d bytes, got %d" % (type_name, BODY_LENGTHS[type_code], len(body)))
    topic_text = check_topic(topic)
    message = {
        "topic": topic_text,
        "type": type_name,
        "session": session,
        "feed_seq": feed_seq,
        "topic_seq": topic_seq,
        "event_time_ns": event_time,
        "publish_time_ns": publish_time,
    }
    if type_code == 1:
        bid, ask, bid_size, ask_size = QUOTE.unpack_from(body, HEADER.size)
        message.update(bid_mantissa=bid, ask_mantissa=ask, bid_size=bid_size, ask_size=ask_size)
    elif type_code == 2:
        price, size, side = TRADE.unpack_from(body, HEADER.size)
        if side not in SIDES:
            raise WireError("invalid_field", "invalid field: aggressor side %d" % side)
        message.update(price_mantissa=price, size=size, side=SIDES[side])
    if (topic_text == HEARTBEAT_TOPIC.decode("ascii")) != (type_code == 3):
        raise WireError("invalid_field", "invalid field: %s on topic %s" % (type_name, topic_text))
    return message


def iter_block(payload):
    """Yields (topic, body) bytes for each record of a MessageBlock.

    A record is: topic_length u16 LE, topic, body_length u16 LE, body. Raises
    WireError('too_short') when a length points past the end of the payload (a truncated block).
    The records are not decoded: pass each pair to decode().
    """
    view = memoryview(payload).cast("B")
    offset, end = 0, len(view)
    while offset < end:
        if offset + 2 > end:
            raise WireError("too_short", "block truncated in a topic length at byte %d" % offset)
        topic_length = view[offset] | view[offset + 1] << 8
        topic_start = offset + 2
        if topic_start + topic_length + 2 > end:
            raise WireError("too_short", "block truncated in a topic or body length at byte %d" % topic_start)
        length_at = topic_start + topic_length
        body_length = view[length_at] | view[length_at + 1] << 8
        body_start = length_at + 2
        if body_start + body_length > end:
            raise WireError("too_short", "block truncated in a body at byte %d" % body_start)
        yield bytes(view[topic_start:length_at]), bytes(view[body_start:body_start + body_length])
        offset = body_start + body_length


def format_price(mantissa):
    """A price mantissa as decimal text with 2 to 8 decimals, like the Swift Price.description."""
    sign = "-" if mantissa < 0 else ""
    whole, fraction = divmod(abs(mantissa), PRICE_SCALE)
    digits = "%08d" % fraction
    while len(digits) > 2 and digits.endswith("0"):
        digits = digits[:-1]
    return "%s%d.%s" % (sign, whole, digits)


_EPOCH = datetime.datetime(1970, 1, 1)


def format_time(nanoseconds):
    """Nanoseconds since 1970 as ISO 8601 UTC with 9 fraction digits: 2026-11-22T14:30:05.123456789Z."""
    seconds, fraction = divmod(nanoseconds, 1_000_000_000)  # floor division: right before 1970 too
    moment = _EPOCH + datetime.timedelta(seconds=seconds)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ" % (
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, fraction)


def _selftest(path):
    """One JSON object per record of the block in `path`: the decoded fields plus their text
    forms, or the error kind. Exit status 0 unless the block itself is truncated."""
    with open(path, "rb") as handle:
        payload = handle.read()
    out = sys.stdout
    try:
        for topic, body in iter_block(payload):
            try:
                message = decode(topic, body)
            except WireError as error:
                out.write(json.dumps({"ok": False, "kind": error.kind, "error": str(error)}) + "\n")
                continue
            record = {"ok": True}
            record.update(message)
            for key in ("bid_mantissa", "ask_mantissa", "price_mantissa"):
                if key in message:
                    record[key.replace("_mantissa", "_text")] = format_price(message[key])
            record["event_time_text"] = format_time(message["event_time_ns"])
            record["publish_time_text"] = format_time(message["publish_time_ns"])
            out.write(json.dumps(record) + "\n")
    except WireError as error:
        out.write(json.dumps({"ok": False, "kind": error.kind, "error": str(error), "block": True}) + "\n")
        return 1
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--selftest-file":
        return _selftest(argv[2])
    sys.stderr.write("usage: %s --selftest-file PATH   (decode a MessageBlock file to JSON lines)\n" % argv[0])
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
