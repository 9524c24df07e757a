/* A SUB counting (and timing) benchmark messages: the same program measures the raw libzmq
 * baseline (pubsub_pub) and feed-server, over tcp:// or epgm://.
 *
 *   pubsub_sub -e ENDPOINT [-p PREFIX | -P FILE] [-l] [-k SKIP_MS] [-w] [-S STALL_SECONDS [-n CONNECTIONS]] [-H RCVHWM]
 *              [-t FIRST_TIMEOUT_MS] [-T IDLE_TIMEOUT_MS] [-r RATE_KBITS] [-i RECOVERY_IVL_MS]
 *              [-Z SERVER.key,CLIENT.key_secret]
 *
 *   -p  subscription prefix (default "": everything)
 *   -P  subscription prefixes, one a line of FILE (a watchlist), each its own ZMQ_SUBSCRIBE
 *   -l  latency: for every data message, CLOCK_REALTIME at receive minus publish_time_ns (offset
 *       32) and minus event_time_ns (offset 24); exact percentiles over all samples (sorted)
 *   -k  leave out the latency samples of the first SKIP_MS after the first data message (warm-up;
 *       default 500)
 *   -w  print "ready" only after the first message of any kind arrived (feed-server answers a
 *       subscription with a heartbeat, so this proves the subscription is in place; over PGM it
 *       proves the receiver joined the publisher's session); otherwise right after connecting
 *   -S  stalled subscriber: connect, subscribe, print "ready", then never read for STALL_SECONDS
 *       and exit
 *   -n  with -S: CONNECTIONS stalled subscribers (one SUB socket each) in this one process
 *   -H  ZMQ_RCVHWM (default 100000, feed-client's default)
 *   -r, -i  ZMQ_RATE (kbit/s) and ZMQ_RECOVERY_IVL (ms) for epgm:// (defaults 100000, 10000)
 *   -Z  connect with CURVE: the server's public certificate and this subscriber's secret one
 *
 * Ends at the first end marker (topic BENCH.END), or IDLE_TIMEOUT_MS (default 5000) after the
 * last message, or FIRST_TIMEOUT_MS (default 30000) with no data at all. Heartbeats ($HB) are
 * ignored. Data messages carry feed_seq 1..N (offset 8) and the end marker announces N (offset
 * 40): "missing" is N minus the data messages received (without a marker, the gaps in feed_seq
 * after the first message received: the subscriber may have joined a running feed, such as
 * feed-server's own generator); "out_of_order" counts a feed_seq not above the previous one.
 * Any body holding the 40-byte header counts (the generator's trades are 56 bytes). "seconds" runs from the
 * first data message to the last, "rate" is received / seconds.
 *
 * Prints one line of JSON on stdout.
 */
#include "pubsub_common.h"

#include <getopt.h>
#include <sys/resource.h>
#include <stdbool.h>
#include <unistd.h>

typedef struct {
    int64_t *values;
    size_t count, capacity;
} samples;

static void add_sample(samples *s, int64_t value) {
    if (s->count == s->capacity) {
        s->capacity = s->capacity ? s->capacity * 2 : 1 << 16;
        s->values = realloc(s->values, s->capacity * sizeof *s->values);
        if (s->values == NULL) { perror("realloc"); exit(1); }
    }
    s->values[s->count++] = value;
}

static int compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The value at quantile q (nearest rank), in microseconds. */
static double quantile_us(const samples *s, double q) {
    if (s->count == 0) return 0;
    size_t rank = (size_t)(q * (double)s->count + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > s->count) rank = s->count;
    return (double)s->values[rank - 1] / 1000.0;
}

static void print_percentiles(const char *name, samples *s) {
    qsort(s->values, s->count, sizeof *s->values, compare_i64);
    printf(",\"%s\":{\"n\":%zu,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f}", name,
           s->count, quantile_us(s, 0.5), quantile_us(s, 0.9), quantile_us(s, 0.99), quantile_us(s, 0.999),
           quantile_us(s, 1.0));
}

int main(int argc, char **argv) {
    const char *endpoint = NULL, *prefix = "", *prefix_file = NULL, *curve = NULL;
    long skip_ms = 500, stall_seconds = -1, rcvhwm = 100000, first_timeout_ms = 30000, idle_timeout_ms = 5000,
         rate = 100000, recovery_ivl = 10000, connections = 1;
    bool latency = false, wait_first = false;
    int opt;
    while ((opt = getopt(argc, argv, "e:p:P:lk:wS:n:H:t:T:r:i:Z:")) != -1) {
        switch (opt) {
        case 'e': endpoint = optarg; break;
        case 'p': prefix = optarg; break;
        case 'P': prefix_file = optarg; break;
        case 'l': latency = true; break;
        case 'k': skip_ms = parse_long_arg(optarg, "SKIP_MS (-k)", 0, 3600000L); break;
        case 'w': wait_first = true; break;
        case 'S': stall_seconds = parse_long_arg(optarg, "STALL_SECONDS (-S)", 0, 3600); break;
        case 'n': connections = parse_long_arg(optarg, "CONNECTIONS (-n)", 1, 100000); break;
        case 'H': rcvhwm = parse_long_arg(optarg, "RCVHWM (-H)", 0, 100000000L); break;
        case 't': first_timeout_ms = parse_long_arg(optarg, "FIRST_TIMEOUT_MS (-t)", 1, 3600000L); break;
        case 'T': idle_timeout_ms = parse_long_arg(optarg, "IDLE_TIMEOUT_MS (-T)", 1, 3600000L); break;
        case 'r': rate = parse_long_arg(optarg, "RATE_KBITS (-r)", 1, 10000000L); break;
        case 'i': recovery_ivl = parse_long_arg(optarg, "RECOVERY_IVL_MS (-i)", 1, 3600000L); break;
        case 'Z': curve = optarg; break;
        default:
            fprintf(stderr, "usage: %s -e ENDPOINT [-p PREFIX | -P FILE] [-l] [-k SKIP_MS] [-w] [-S STALL_SECONDS] "
                            "[-n CONNECTIONS] [-H RCVHWM] [-t FIRST_TIMEOUT_MS] [-T IDLE_TIMEOUT_MS] [-r RATE_KBITS] "
                            "[-i RECOVERY_IVL_MS] [-Z SERVER.key,CLIENT.key_secret]\n", argv[0]);
            return 64;
        }
    }
    if (endpoint == NULL) {
        fprintf(stderr, "%s: -e ENDPOINT is required\n", argv[0]);
        return 64;
    }
    bool pgm = strncmp(endpoint, "epgm://", 7) == 0 || strncmp(endpoint, "pgm://", 6) == 0;

    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int hwm = (int)rcvhwm, zero = 0, rate_opt = (int)rate, ivl = (int)recovery_ivl;
    check_rc(zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm), "ZMQ_RCVHWM");
    check_rc(zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero), "ZMQ_LINGER");
    if (curve != NULL) curve_client(sub, curve);
    if (pgm) {
        check_rc(zmq_setsockopt(sub, ZMQ_RATE, &rate_opt, sizeof rate_opt), "ZMQ_RATE");
        check_rc(zmq_setsockopt(sub, ZMQ_RECOVERY_IVL, &ivl, sizeof ivl), "ZMQ_RECOVERY_IVL");
    }
    if (prefix_file == NULL) {
        check_rc(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, prefix, strlen(prefix)), "ZMQ_SUBSCRIBE");
        if (strlen(prefix) > 0) /* heartbeats tell a feed-server subscriber it is live */
            check_rc(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, HEARTBEAT_TOPIC, strlen(HEARTBEAT_TOPIC)), "ZMQ_SUBSCRIBE");
    } else {
        /* As feed-client does: libzmq drops subscriptions past SNDHWM (1000 by default), and
         * sends those made before connecting in bytewise order ("$HB" first). */
        int unlimited = 0;
        check_rc(zmq_setsockopt(sub, ZMQ_SNDHWM, &unlimited, sizeof unlimited), "ZMQ_SNDHWM");
    }
    if (zmq_connect(sub, endpoint) != 0) {
        fprintf(stderr, "zmq_connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    if (prefix_file != NULL) {
        FILE *file = fopen(prefix_file, "r");
        if (file == NULL) {
            perror(prefix_file);
            return 1;
        }
        char line[256];
        while (fgets(line, sizeof line, file) != NULL) {
            line[strcspn(line, "\r\n")] = 0;
            check_rc(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, line, strlen(line)), "ZMQ_SUBSCRIBE");
        }
        fclose(file);
        /* Last: with -w, the first heartbeat proves every prefix above is in place. */
        check_rc(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, HEARTBEAT_TOPIC, strlen(HEARTBEAT_TOPIC)), "ZMQ_SUBSCRIBE");
    }
    if (stall_seconds >= 0) {
        /* Each further stalled subscriber costs a socket's mailbox and a connection: two descriptors. */
        struct rlimit limit;
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
            limit.rlim_cur = limit.rlim_max;
            setrlimit(RLIMIT_NOFILE, &limit);
        }
        for (long i = 1; i < connections; i++) {
            void *more = zmq_socket(ctx, ZMQ_SUB);
            check_rc(zmq_setsockopt(more, ZMQ_RCVHWM, &hwm, sizeof hwm), "ZMQ_RCVHWM");
            check_rc(zmq_setsockopt(more, ZMQ_LINGER, &zero, sizeof zero), "ZMQ_LINGER");
            check_rc(zmq_setsockopt(more, ZMQ_SUBSCRIBE, prefix, strlen(prefix)), "ZMQ_SUBSCRIBE");
            check_rc(zmq_connect(more, endpoint), "zmq_connect");
        }
        fprintf(stderr, "ready\n");
        fflush(stderr);
        sleep((unsigned)stall_seconds);
        printf("{\"stalled_seconds\":%ld}\n", stall_seconds);
        fflush(stdout);
        zmq_close(sub);
        _exit(0); /* do not wait in zmq_ctx_term (PGM can hang there) */
    }
    if (!wait_first) {
        fprintf(stderr, "ready\n");
        fflush(stderr);
    }

    samples publish_latency = {0}, event_latency = {0};
    long received = 0, out_of_order = 0, malformed = 0, heartbeats = 0;
    uint64_t previous = 0, gaps = 0, announced = 0;
    bool end_marker = false, any = false, any_message = false;
    int64_t first = 0, last = 0, skip_until = 0;
    int64_t deadline = monotonic_ns() + (int64_t)first_timeout_ms * 1000000LL;

    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    while (!end_marker) {
        int64_t remaining_ms = any ? idle_timeout_ms : (deadline - monotonic_ns()) / 1000000LL;
        if (remaining_ms <= 0) break;
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, (long)remaining_ms);
        if (n < 0) {
            if (zmq_errno() == EINTR) continue;
            die_zmq("zmq_poll");
        }
        if (n == 0) {
            if (any) break;
            continue;
        }
        while (!end_marker) {
            if (zmq_msg_recv(&topic, sub, ZMQ_DONTWAIT) < 0) {
                if (zmq_errno() == EAGAIN) break;
                if (zmq_errno() == EINTR) continue;
                die_zmq("zmq_msg_recv");
            }
            if (!zmq_msg_more(&topic)) { malformed++; continue; }
            if (zmq_msg_recv(&body, sub, 0) < 0) die_zmq("zmq_msg_recv body");
            bool extra = false;
            while (zmq_msg_more(&body)) {
                extra = true;
                if (zmq_msg_recv(&body, sub, 0) < 0) die_zmq("zmq_msg_recv extra");
            }
            if (!any_message) {
                any_message = true;
                if (wait_first) {
                    fprintf(stderr, "ready\n");
                    fflush(stderr);
                }
            }
            const char *t = zmq_msg_data(&topic);
            size_t tl = zmq_msg_size(&topic);
            if (tl == strlen(HEARTBEAT_TOPIC) && memcmp(t, HEARTBEAT_TOPIC, tl) == 0) { heartbeats++; continue; }
            if (extra || zmq_msg_size(&body) < HEADER_SIZE || zmq_msg_size(&body) > BODY_SIZE) { malformed++; continue; }
            const unsigned char *b = zmq_msg_data(&body);
            if (tl == strlen(END_TOPIC) && memcmp(t, END_TOPIC, tl) == 0) {
                end_marker = true;
                announced = get_u64(b + OFF_BID);
                break;
            }
            int64_t now = latency ? realtime_ns() : 0;
            int64_t mono = monotonic_ns();
            uint64_t seq = get_u64(b + OFF_FEED_SEQ);
            if (!any) {
                any = true;
                previous = seq - 1; /* a subscriber may join a running feed: count gaps from here */
                first = mono;
                skip_until = mono + (int64_t)skip_ms * 1000000LL;
            }
            last = mono;
            received++;
            if (seq <= previous) out_of_order++;
            else {
                gaps += seq - previous - 1;
                previous = seq;
            }
            if (latency && mono >= skip_until) {
                add_sample(&publish_latency, now - (int64_t)get_u64(b + OFF_PUBLISH_TIME));
                add_sample(&event_latency, now - (int64_t)get_u64(b + OFF_EVENT_TIME));
            }
        }
    }

    long missing = end_marker ? (long)announced - received : (long)gaps;
    double seconds = (double)(last - first) / 1e9;
    printf("{\"received\":%ld,\"missing\":%ld,\"out_of_order\":%ld,\"malformed\":%ld,\"heartbeats\":%ld,"
           "\"seconds\":%.6f,\"rate\":%.0f,\"end_marker\":%s,\"announced\":%llu",
           received, missing, out_of_order, malformed, heartbeats, seconds,
           seconds > 0 ? (double)received / seconds : 0.0, end_marker ? "true" : "false",
           (unsigned long long)announced);
    if (latency) {
        print_percentiles("publish_to_receive", &publish_latency);
        print_percentiles("event_to_receive", &event_latency);
    }
    printf("}\n");
    fflush(stdout);
    zmq_close(sub);
    if (pgm) _exit(0); /* zmq_ctx_term can hang after PGM use (libzmq issue 822) */
    zmq_ctx_term(ctx);
    return 0;
}
