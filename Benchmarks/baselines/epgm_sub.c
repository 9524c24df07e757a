/* Raw libzmq baseline: a SUB (subscribed to everything) counting the messages of epgm_pub.
 *
 *   epgm_sub -e 'epgm://10.231.7.2;239.192.7.1:5601' [-r RATE_KBITS] [-i RECOVERY_IVL_MS]
 *            [-t FIRST_TIMEOUT_MS] [-T IDLE_TIMEOUT_MS] [-H RCVHWM] [-b RCVBUF_BYTES]
 *
 * RCVHWM (-H) defaults to 0, unlimited. With libzmq's default of 1000, a subscriber that loses
 * packets aborted in libzmq's I/O thread, "Resource temporarily unavailable
 * (src/pgm_receiver.cpp:131)", in 3 runs of 3 with 1% loss at 100,000 kbit/s (none at
 * 10,000 kbit/s, none without loss). A repaired gap releases everything PGM held back behind it
 * at once, the queue to the SUB socket fills, and the receiver's resume-after-full path fails its
 * assertion (libzmq issue 3218 reports a race on that path). Unlimited, the queue never fills.
 *
 * RCVBUF_BYTES (-b) sets ZMQ_RCVBUF, the kernel receive buffer of the UDP socket libpgm reads
 * (the kernel caps it at net.core.rmem_max); default -1 keeps the system's rmem_default.
 *
 * Connects, then prints "ready" on stderr: start the publisher after that. Counts data messages
 * until the first end marker, or until no message came for IDLE_TIMEOUT_MS (default 5000) after
 * the first one, or until FIRST_TIMEOUT_MS (default 30000) passed with none at all. Warm-up
 * messages are ignored. -r and -i must match the publisher's: libzmq sizes the PGM receive window
 * from ZMQ_RATE and ZMQ_RECOVERY_IVL on the subscriber too.
 *
 * Checks the sequences: "missing" counts the sequences below the total the end marker announced
 * (or below the highest seen + 1 without a marker) that never arrived, "duplicates" those that
 * arrived twice, "out_of_order" those that arrived after a higher one. "seconds" runs from the
 * first data message to the last, "rate" is received / seconds.
 *
 * Prints one line of JSON on stdout:
 *   {"received":N,"missing":M,"duplicates":D,"seconds":S,"rate":R,"out_of_order":O,"end_marker":true}
 * Exits 0 when the end marker came and nothing was missing, duplicated or out of order, else 2.
 */
#include "epgm_common.h"

#include <getopt.h>
#include <stdbool.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *endpoint = NULL;
    long rate = 100000, recovery_ivl = 10000, first_timeout_ms = 30000, idle_timeout_ms = 5000,
         rcvhwm = 0, rcvbuf = -1;
    int opt;
    while ((opt = getopt(argc, argv, "e:r:i:t:T:H:b:")) != -1) {
        switch (opt) {
        case 'e': endpoint = optarg; break;
        case 'r': rate = parse_long(optarg, "RATE_KBITS (-r)", 1, 10000000L); break;
        case 'i': recovery_ivl = parse_long(optarg, "RECOVERY_IVL_MS (-i)", 1, 3600000L); break;
        case 't': first_timeout_ms = parse_long(optarg, "FIRST_TIMEOUT_MS (-t)", 1, 3600000L); break;
        case 'T': idle_timeout_ms = parse_long(optarg, "IDLE_TIMEOUT_MS (-T)", 1, 3600000L); break;
        case 'H': rcvhwm = parse_long(optarg, "RCVHWM (-H)", 0, 100000000L); break;
        case 'b': rcvbuf = parse_long(optarg, "RCVBUF_BYTES (-b)", -1, 2147483647L); break;
        default:
            fprintf(stderr, "usage: %s -e ENDPOINT [-r RATE_KBITS] [-i RECOVERY_IVL_MS] "
                            "[-t FIRST_TIMEOUT_MS] [-T IDLE_TIMEOUT_MS] [-H RCVHWM] [-b RCVBUF_BYTES]\n", argv[0]);
            return 64;
        }
    }
    if (endpoint == NULL) {
        fprintf(stderr, "%s: -e ENDPOINT is required, e.g. 'epgm://10.231.7.2;239.192.7.1:5601'\n", argv[0]);
        return 64;
    }

    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int rate_opt = (int)rate, ivl = (int)recovery_ivl, zero = 0, hwm = (int)rcvhwm, buf = (int)rcvbuf;
    check(zmq_setsockopt(sub, ZMQ_RATE, &rate_opt, sizeof rate_opt), "ZMQ_RATE");
    check(zmq_setsockopt(sub, ZMQ_RECOVERY_IVL, &ivl, sizeof ivl), "ZMQ_RECOVERY_IVL");
    check(zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero), "ZMQ_LINGER");
    check(zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm), "ZMQ_RCVHWM");
    check(zmq_setsockopt(sub, ZMQ_RCVBUF, &buf, sizeof buf), "ZMQ_RCVBUF");
    check(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), "ZMQ_SUBSCRIBE");
    if (zmq_connect(sub, endpoint) != 0) {
        fprintf(stderr, "zmq_connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    fprintf(stderr, "ready\n");
    fflush(stderr);

    /* One bit per sequence, grown on demand. */
    unsigned char *seen = NULL;
    size_t seen_bytes = 0;
    long received = 0, duplicates = 0, out_of_order = 0, bad = 0;
    int64_t highest = -1;
    uint64_t announced = 0;
    bool end_marker = false, any = false;
    double first = 0, last = 0, deadline = now_seconds() + (double)first_timeout_ms / 1000.0;

    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    while (!end_marker) {
        double remaining = any ? (double)idle_timeout_ms / 1000.0 : deadline - now_seconds();
        if (remaining <= 0) break;
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, (long)(remaining * 1000.0) + 1);
        if (n < 0) {
            if (zmq_errno() == EINTR) continue;
            check(-1, "zmq_poll");
        }
        if (n == 0) {
            if (any || now_seconds() >= deadline) break;
            continue;
        }
        /* Drain everything that is ready before polling again. */
        while (!end_marker) {
            if (zmq_msg_recv(&topic, sub, ZMQ_DONTWAIT) < 0) {
                if (zmq_errno() == EAGAIN) break;
                if (zmq_errno() == EINTR) continue;
                check(-1, "zmq_msg_recv");
            }
            if (!zmq_msg_more(&topic)) { bad++; continue; }
            if (zmq_msg_recv(&body, sub, 0) < 0) check(-1, "zmq_msg_recv body");
            while (zmq_msg_more(&body)) { /* a malformed message: skip its extra frames */
                bad++;
                if (zmq_msg_recv(&body, sub, 0) < 0) check(-1, "zmq_msg_recv extra");
            }
            if (zmq_msg_size(&body) != BODY_SIZE) { bad++; continue; }
            const unsigned char *b = zmq_msg_data(&body);
            uint64_t value = get_u64le(b + SEQ_OFFSET);
            if (b[0] == KIND_WARMUP) continue;
            if (b[0] == KIND_END) { end_marker = true; announced = value; break; }
            if (b[0] != KIND_DATA) { bad++; continue; }
            double t = now_seconds();
            if (!any) { any = true; first = t; }
            last = t;
            size_t byte = (size_t)(value / 8);
            if (byte >= seen_bytes) {
                size_t grown = seen_bytes ? seen_bytes : 4096;
                while (grown <= byte) grown *= 2;
                seen = realloc(seen, grown);
                if (seen == NULL) { perror("realloc"); return 1; }
                memset(seen + seen_bytes, 0, grown - seen_bytes);
                seen_bytes = grown;
            }
            unsigned char bit = (unsigned char)(1u << (value % 8));
            if (seen[byte] & bit) { duplicates++; continue; }
            seen[byte] |= bit;
            received++;
            if ((int64_t)value < highest) out_of_order++;
            else highest = (int64_t)value;
        }
    }

    uint64_t expected = end_marker ? announced : (uint64_t)(highest + 1);
    long missing = 0;
    for (uint64_t s = 0; s < expected; s++)
        if (s / 8 >= seen_bytes || !(seen[s / 8] & (1u << (s % 8)))) missing++;
    double seconds = last - first;
    printf("{\"received\":%ld,\"missing\":%ld,\"duplicates\":%ld,\"seconds\":%.6f,\"rate\":%.0f,"
           "\"out_of_order\":%ld,\"malformed\":%ld,\"end_marker\":%s}\n",
           received, missing, duplicates, seconds, seconds > 0 ? (double)received / seconds : 0.0,
           out_of_order, bad, end_marker ? "true" : "false");
    fflush(stdout);

    /* No zmq_ctx_term: after a PGM socket was used it can hang even with LINGER 0 (libzmq issue
     * 822; seen on these machines). Close with LINGER 0 and leave; _exit skips atexit handlers
     * that could touch libzmq's still-running I/O thread. */
    zmq_close(sub);
    (void)ctx;
    _exit(end_marker && missing == 0 && duplicates == 0 && out_of_order == 0 ? 0 : 2);
}
