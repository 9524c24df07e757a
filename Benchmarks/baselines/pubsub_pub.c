/* Raw libzmq baseline: a publisher sending two-frame messages [topic][64-byte body] over tcp.
 *
 *   pubsub_pub [-e ENDPOINT] [-s SUBSCRIBERS] [-n COUNT | -d SECONDS] [-R RATE] [-H SNDHWM] [-m MARKERS]
 *
 *   -e  endpoint to bind (default tcp://127.0.0.1:5599)
 *   -s  subscriptions to wait for before sending (default 1); each pubsub_sub sends one
 *   -n  data messages to send (default 1000000), or -d: send for SECONDS instead
 *   -R  messages per second, paced (default 0: as fast as possible)
 *   -H  ZMQ_SNDHWM (default 100000, feed-server's default --send-hwm)
 *   -m  end markers sent after the data, 10 ms apart (default 20)
 *
 * The socket is an XPUB with XPUB_VERBOSE only so that it can wait until every subscriber's
 * subscription arrived (in libzmq a PUB is an XPUB that hides them; sending is the same code),
 * which is also how feed-server's fan-out socket is set up. Like a PUB (and feed-server), it
 * drops a subscriber's messages when that subscriber's queue is at SNDHWM.
 *
 * Data message i (from 1) carries feed_seq i and goes on topic (i-1) % 100 (pubsub_common.h).
 * With -R (paced), the body is stamped with CLOCK_REALTIME at publish_time (offset 32) and
 * event_time (offset 24) right before it is sent, for the latency measurement; at full speed
 * nothing is stamped: the baseline does the least work a publisher can.
 *
 * Prints one line of JSON on stdout: {"sent":N,"seconds":S,"rate":R}.
 */
#include "pubsub_common.h"

#include <getopt.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *endpoint = "tcp://127.0.0.1:5599";
    long subscribers = 1, count = 1000000, seconds_limit = 0, rate = 0, sndhwm = 100000, markers = 20;
    int opt;
    while ((opt = getopt(argc, argv, "e:s:n:d:R:H:m:")) != -1) {
        switch (opt) {
        case 'e': endpoint = optarg; break;
        case 's': subscribers = parse_long_arg(optarg, "SUBSCRIBERS (-s)", 0, 100000); break;
        case 'n': count = parse_long_arg(optarg, "COUNT (-n)", 1, 2000000000L); break;
        case 'd': seconds_limit = parse_long_arg(optarg, "SECONDS (-d)", 1, 3600); break;
        case 'R': rate = parse_long_arg(optarg, "RATE (-R)", 0, 100000000L); break;
        case 'H': sndhwm = parse_long_arg(optarg, "SNDHWM (-H)", 0, 100000000L); break;
        case 'm': markers = parse_long_arg(optarg, "MARKERS (-m)", 1, 10000); break;
        default:
            fprintf(stderr, "usage: %s [-e ENDPOINT] [-s SUBSCRIBERS] [-n COUNT | -d SECONDS] [-R RATE] "
                            "[-H SNDHWM] [-m MARKERS]\n", argv[0]);
            return 64;
        }
    }
    low_timer_slack();
    topic_set topics;
    topic_set_init(&topics, TOPIC_COUNT);

    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_XPUB);
    int hwm = (int)sndhwm, one = 1, linger = 2000;
    check_rc(zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm), "ZMQ_SNDHWM");
    check_rc(zmq_setsockopt(pub, ZMQ_XPUB_VERBOSE, &one, sizeof one), "ZMQ_XPUB_VERBOSE");
    check_rc(zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger), "ZMQ_LINGER");
    if (zmq_bind(pub, endpoint) != 0) {
        fprintf(stderr, "zmq_bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    fprintf(stderr, "bound %s\n", endpoint);

    /* Wait (at most 30 s) for every subscriber's subscription. */
    int timeout = 30000;
    check_rc(zmq_setsockopt(pub, ZMQ_RCVTIMEO, &timeout, sizeof timeout), "ZMQ_RCVTIMEO");
    for (long seen = 0; seen < subscribers;) {
        unsigned char event[256];
        int n = zmq_recv(pub, event, sizeof event, 0);
        if (n < 0) {
            if (zmq_errno() == EINTR) continue;
            fprintf(stderr, "pubsub_pub: %ld of %ld subscriptions after 30 s: %s\n", seen, subscribers,
                    zmq_strerror(zmq_errno()));
            return 1;
        }
        if (n >= 1 && event[0] == 1) seen++;
    }

    unsigned char body[BODY_SIZE];
    quote_body(body, 0, 0);
    put_u32(body + OFF_SESSION, 1);
    int64_t start = monotonic_ns();
    int64_t stop = seconds_limit > 0 ? start + (int64_t)seconds_limit * 1000000000LL : INT64_MAX;
    uint64_t sent = 0;
    for (uint64_t seq = 1; seconds_limit > 0 || seq <= (uint64_t)count; seq++) {
        if (rate > 0) {
            pace(start, seq - 1, rate);
            if (seconds_limit > 0 && monotonic_ns() >= stop) break;
        } else if (seconds_limit > 0 && (seq & 1023) == 0 && monotonic_ns() >= stop) {
            break;
        }
        unsigned topic = (unsigned)((seq - 1) % TOPIC_COUNT);
        put_u64(body + OFF_FEED_SEQ, seq);
        if (rate > 0) {
            int64_t now = realtime_ns();
            put_u64(body + OFF_EVENT_TIME, (uint64_t)now);
            put_u64(body + OFF_PUBLISH_TIME, (uint64_t)now);
        }
        send_two(pub, topics.name[topic], topics.length[topic], body);
        sent++;
    }
    double seconds = (double)(monotonic_ns() - start) / 1e9;

    unsigned char end[BODY_SIZE];
    quote_body(end, 0, realtime_ns());
    put_u64(end + OFF_BID, sent);
    for (long i = 0; i < markers; i++) {
        send_two(pub, END_TOPIC, strlen(END_TOPIC), end);
        usleep(10000);
    }

    printf("{\"sent\":%llu,\"seconds\":%.6f,\"rate\":%.0f}\n", (unsigned long long)sent, seconds,
           seconds > 0 ? (double)sent / seconds : 0.0);
    fflush(stdout);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return 0;
}
