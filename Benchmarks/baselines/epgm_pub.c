/* Raw libzmq baseline: a PUB sending N two-frame messages over epgm:// (or pgm://).
 *
 *   epgm_pub -e 'epgm://10.231.7.1;239.192.7.1:5601' [-n COUNT] [-r RATE_KBITS] [-i RECOVERY_IVL_MS]
 *            [-w WARMUP_MS] [-m MARKERS] [-l LINGER_MS]
 *
 * Phases, in order:
 *   warm-up  WARMUP_MS (default 500) of warm-up messages, so the subscribers' PGM receivers have
 *            seen this source and joined its session before the first data message; subscribers
 *            ignore them. (The run script also starts the publisher only once every subscriber
 *            said "ready".)
 *   data     COUNT (default 100000) data messages, sequence 0..COUNT-1, timed: this is "seconds".
 *   end      MARKERS (default 20) end markers carrying COUNT.
 *   linger   LINGER_MS (default 2000) more, plus the time the queue needs to drain at RATE: the
 *            process must stay alive while the subscribers may still ask for repairs (NAKs).
 *
 * ZMQ_RATE (-r, kbit/s, default 100000) caps PGM's send rate; libzmq's default, 100 kbit/s, is
 * unusable for a feed. ZMQ_XPUB_NODROP makes a send wait when the queue to the PGM engine is full
 * instead of silently dropping the message (a plain PUB drops at the high-water mark), so every
 * message counted as sent was handed to PGM, and "rate" is the rate PGM actually sustained.
 *
 * Prints one line of JSON on stdout: {"sent":N,"seconds":S,"rate":R}.
 */
#include "epgm_common.h"

#include <getopt.h>
#include <unistd.h>

static void send_message(void *pub, const char *topic, int kind, uint64_t value) {
    unsigned char body[BODY_SIZE];
    memset(body, 0, sizeof body);
    body[0] = (unsigned char)kind;
    put_u64le(body + SEQ_OFFSET, value);
    for (;;) {
        if (zmq_send(pub, topic, strlen(topic), ZMQ_SNDMORE) >= 0) break;
        if (zmq_errno() != EINTR && zmq_errno() != EAGAIN) check(-1, "zmq_send topic");
    }
    for (;;) {
        if (zmq_send(pub, body, sizeof body, 0) >= 0) break;
        if (zmq_errno() != EINTR && zmq_errno() != EAGAIN) check(-1, "zmq_send body");
    }
}

int main(int argc, char **argv) {
    const char *endpoint = NULL;
    long count = 100000, rate = 100000, recovery_ivl = 10000, warmup_ms = 500, markers = 20,
         linger_ms = 2000;
    int opt;
    while ((opt = getopt(argc, argv, "e:n:r:i:w:m:l:")) != -1) {
        switch (opt) {
        case 'e': endpoint = optarg; break;
        case 'n': count = parse_long(optarg, "COUNT (-n)", 1, 1000000000L); break;
        case 'r': rate = parse_long(optarg, "RATE_KBITS (-r)", 1, 10000000L); break;
        case 'i': recovery_ivl = parse_long(optarg, "RECOVERY_IVL_MS (-i)", 1, 3600000L); break;
        case 'w': warmup_ms = parse_long(optarg, "WARMUP_MS (-w)", 0, 600000L); break;
        case 'm': markers = parse_long(optarg, "MARKERS (-m)", 1, 100000L); break;
        case 'l': linger_ms = parse_long(optarg, "LINGER_MS (-l)", 0, 600000L); break;
        default:
            fprintf(stderr, "usage: %s -e ENDPOINT [-n COUNT] [-r RATE_KBITS] [-i RECOVERY_IVL_MS] "
                            "[-w WARMUP_MS] [-m MARKERS] [-l LINGER_MS]\n", argv[0]);
            return 64;
        }
    }
    if (endpoint == NULL) {
        fprintf(stderr, "%s: -e ENDPOINT is required, e.g. 'epgm://10.231.7.1;239.192.7.1:5601'\n", argv[0]);
        return 64;
    }

    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    int rate_opt = (int)rate, ivl = (int)recovery_ivl, zero = 0, one = 1, hwm = 1000;
    check(zmq_setsockopt(pub, ZMQ_RATE, &rate_opt, sizeof rate_opt), "ZMQ_RATE");
    check(zmq_setsockopt(pub, ZMQ_RECOVERY_IVL, &ivl, sizeof ivl), "ZMQ_RECOVERY_IVL");
    check(zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm), "ZMQ_SNDHWM");
    check(zmq_setsockopt(pub, ZMQ_XPUB_NODROP, &one, sizeof one), "ZMQ_XPUB_NODROP");
    check(zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero), "ZMQ_LINGER");
    if (zmq_connect(pub, endpoint) != 0) {
        fprintf(stderr, "zmq_connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }

    double warm_end = now_seconds() + (double)warmup_ms / 1000.0;
    long warmups = 0;
    while (now_seconds() < warm_end) {
        send_message(pub, "BENCH.WARM", KIND_WARMUP, (uint64_t)warmups++);
        usleep(1000);
    }

    double start = now_seconds();
    for (long seq = 0; seq < count; seq++) send_message(pub, "BENCH.DATA", KIND_DATA, (uint64_t)seq);
    double seconds = now_seconds() - start;

    for (long i = 0; i < markers; i++) send_message(pub, "BENCH.END", KIND_END, (uint64_t)count);

    /* What is still queued (at most the high-water mark plus the markers) drains at RATE:
     * about 100 bytes a message on the wire. Then stay for LINGER_MS to answer repair requests. */
    double drain_ms = (double)(hwm + markers) * 100.0 * 8.0 / (double)rate;
    usleep((useconds_t)((drain_ms + (double)linger_ms) * 1000.0));

    printf("{\"sent\":%ld,\"seconds\":%.6f,\"rate\":%.0f}\n", count, seconds,
           seconds > 0 ? (double)count / seconds : 0.0);
    fflush(stdout);

    /* No zmq_ctx_term: after a PGM socket was used it can hang even with LINGER 0 (libzmq issue
     * 822; seen on these machines). Close the socket with LINGER 0 and leave: the process exit
     * frees everything the context held. _exit skips atexit handlers that could touch libzmq's
     * still-running I/O thread. */
    zmq_close(pub);
    (void)ctx;
    _exit(0);
}
