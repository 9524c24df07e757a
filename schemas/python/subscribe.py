#!/usr/bin/env python3
"""Subscribe to a market-feed publisher and print one JSON line per message.

    /usr/bin/python3 subscribe.py tcp://127.0.0.1:5556 [PREFIX...] [--count N]

PREFIX is a topic prefix (`NASDAQ.`, `NASDAQ.AAPL`); none means everything. Heartbeats (topic
"$HB") are always subscribed to. Needs pyzmq (Debian: python3-zmq) and feed_decode.py from the
same folder. Output fields, in the order `feed-client subscribe --format ndjson` uses:

    time topic type session seq topic_seq [bid bid_size ask ask_size | price size side] event_time

`time` is the publish time, `event_time` the producer's; both ISO 8601 UTC with 9 fraction
digits. Prices are JSON numbers written exactly (2 to 8 decimals), never rounded through a float.
Malformed messages, per-topic sequence gaps and publisher restarts (a new session) are reported
on stderr.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zmq  # noqa: E402  (pyzmq)

from feed_decode import HEARTBEAT_TOPIC, WireError, decode, format_price, format_time  # noqa: E402


def json_line(message):
    """The message as one JSON object; prices are written as exact decimal numbers."""
    fields = [
        ("time", json.dumps(format_time(message["publish_time_ns"]))),
        ("topic", json.dumps(message["topic"])),
        ("type", json.dumps(message["type"])),
        ("session", str(message["session"])),
        ("seq", str(message["feed_seq"])),
        ("topic_seq", str(message["topic_seq"])),
    ]
    if message["type"] == "quote":
        fields += [
            ("bid", format_price(message["bid_mantissa"])),
            ("bid_size", str(message["bid_size"])),
            ("ask", format_price(message["ask_mantissa"])),
            ("ask_size", str(message["ask_size"])),
        ]
    elif message["type"] == "trade":
        fields += [
            ("price", format_price(message["price_mantissa"])),
            ("size", str(message["size"])),
            ("side", json.dumps(message["side"])),
        ]
    fields.append(("event_time", json.dumps(format_time(message["event_time_ns"]))))
    return "{" + ",".join("%s:%s" % (json.dumps(name), value) for name, value in fields) + "}"


class GapDetector:
    """Per-topic sequence check: within a session each topic's topic_seq goes up by exactly 1."""

    def __init__(self):
        self.session = None
        self.last = {}

    def check(self, message):
        if message["session"] != self.session:
            if self.session is not None:
                warn("publisher restarted: session %d -> %d" % (self.session, message["session"]))
            self.session = message["session"]
            self.last.clear()
        if message["type"] == "heartbeat":
            return
        topic, seq = message["topic"], message["topic_seq"]
        previous = self.last.get(topic)
        if previous is not None and seq != previous + 1:
            warn("gap on %s: expected topic_seq %d, got %d" % (topic, previous + 1, seq))
        self.last[topic] = seq


def warn(text):
    sys.stderr.write("subscribe.py: %s\n" % text)
    sys.stderr.flush()


def main():
    parser = argparse.ArgumentParser(description="Print a market feed as JSON lines.")
    parser.add_argument("endpoint", help="publisher endpoint, e.g. tcp://127.0.0.1:5556")
    parser.add_argument("prefixes", nargs="*", help="topic prefixes (default: everything)")
    parser.add_argument("--count", type=int, default=0, help="exit after this many messages (0: run until Ctrl-C)")
    args = parser.parse_args()

    context = zmq.Context()
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.MAXMSGSIZE, 1024)  # the longest body is 64 bytes, the longest topic 49
    prefixes = [prefix.encode("ascii") for prefix in args.prefixes] or [b""]
    if not any(HEARTBEAT_TOPIC.startswith(prefix) for prefix in prefixes):
        prefixes.append(HEARTBEAT_TOPIC)
    for prefix in prefixes:
        socket.setsockopt(zmq.SUBSCRIBE, prefix)
    socket.connect(args.endpoint)

    gaps = GapDetector()
    printed = 0
    try:
        while args.count == 0 or printed < args.count:
            frames = socket.recv_multipart()
            if len(frames) != 2:
                warn("dropped a message of %d frames (expected [topic][body])" % len(frames))
                continue
            try:
                message = decode(frames[0], frames[1])
            except WireError as error:
                warn("dropped a malformed message (%s): %s" % (error.kind, error))
                continue
            gaps.check(message)
            sys.stdout.write(json_line(message) + "\n")
            sys.stdout.flush()
            printed += 1
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        socket.close(0)
        context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
