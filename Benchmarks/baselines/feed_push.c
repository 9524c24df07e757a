/* A fast producer for feed-server's ingest: a PUSH sending pre-encoded, valid quote bodies
 * (pubsub_common.h, schemas/README.md) as fast as the server takes them, or paced.
 *
 *   feed_push [-e ENDPOINT] [-n COUNT | -d SECONDS] [-R RATE] [-m MARKERS] [-t TOPICS] [-Z SERVER.key,CLIENT.key_secret]
 *
 *   -e  ingest endpoint to connect to (default tcp://127.0.0.1:5557)
 *   -n  data messages (default 1000000), or -d: send for SECONDS instead
 *   -R  messages per second, paced with the same code as pubsub_pub (default 0: full speed)
 *   -m  end markers (topic BENCH.END, bid = data messages sent) after the data, 10 ms apart
 *   -t  distinct topics the messages go round (default 100, pubsub_pub's; pubsub_common.h names them)
 *   -Z  connect with CURVE: the server's public certificate and this producer's secret one
 *
 * Message i (from 1) goes on topic (i-1) % TOPICS, like pubsub_pub's; the server stamps session,
 * sequences and publish time. The event time is CLOCK_REALTIME at the send. A PUSH never drops:
 * when the server's ingest queue is full, the send waits, so the producer runs at the rate the
 * server sustains.
 *
 * Prints one line of JSON on stdout: {"sent":N,"seconds":S,"rate":R}.
 */
#include "pubsub_common.h"

#include <getopt.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *endpoint = "tcp://127.0.0.1:5557", *curve = NULL;
    long count = 1000000, seconds_limit = 0, rate = 0, markers = 20, topic_count = TOPIC_COUNT;
    int opt;
    while ((opt = getopt(argc, argv, "e:n:d:R:m:t:Z:")) != -1) {
        switch (opt) {
        case 'e': endpoint = optarg; break;
        case 'n': count = parse_long_arg(optarg, "COUNT (-n)", 1, 2000000000L); break;
        case 'd': seconds_limit = parse_long_arg(optarg, "SECONDS (-d)", 1, 3600); break;
        case 'R': rate = parse_long_arg(optarg, "RATE (-R)", 0, 100000000L); break;
        case 'm': markers = parse_long_arg(optarg, "MARKERS (-m)", 1, 10000); break;
        case 't': topic_count = parse_long_arg(optarg, "TOPICS (-t)", 1, TOPIC_COUNT_MAX); break;
        case 'Z': curve = optarg; break;
        default:
            fprintf(stderr, "usage: %s [-e ENDPOINT] [-n COUNT | -d SECONDS] [-R RATE] [-m MARKERS] [-t TOPICS] "
                            "[-Z SERVER.key,CLIENT.key_secret]\n",
                    argv[0]);
            return 64;
        }
    }
    low_timer_slack();
    topic_set topics;
    topic_set_init(&topics, (unsigned)topic_count);

    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    int hwm = 100000, linger = 10000;
    check_rc(zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof hwm), "ZMQ_SNDHWM");
    check_rc(zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger), "ZMQ_LINGER");
    if (curve != NULL) curve_client(push, curve);
    if (zmq_connect(push, endpoint) != 0) {
        fprintf(stderr, "zmq_connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }

    unsigned char body[BODY_SIZE];
    quote_body(body, 0, 0);
    int64_t start = monotonic_ns();
    int64_t stop = seconds_limit > 0 ? start + (int64_t)seconds_limit * 1000000000LL : INT64_MAX;
    uint64_t sent = 0;
    unsigned topic = 0; /* (seq - 1) % topics.count, without a division per message */
    for (uint64_t seq = 1; seconds_limit > 0 || seq <= (uint64_t)count; seq++) {
        if (rate > 0) {
            pace(start, seq - 1, rate);
            if (seconds_limit > 0 && monotonic_ns() >= stop) break;
        } else if (seconds_limit > 0 && (seq & 1023) == 0 && monotonic_ns() >= stop) {
            break;
        }
        put_u64(body + OFF_EVENT_TIME, (uint64_t)realtime_ns());
        send_two(push, topics.name[topic], topics.length[topic], body);
        if (++topic == topics.count) topic = 0;
        sent++;
    }
    double seconds = (double)(monotonic_ns() - start) / 1e9;

    unsigned char end[BODY_SIZE];
    quote_body(end, 0, realtime_ns());
    put_u64(end + OFF_BID, sent);
    for (long i = 0; i < markers; i++) {
        send_two(push, END_TOPIC, strlen(END_TOPIC), end);
        usleep(10000);
    }

    printf("{\"sent\":%llu,\"seconds\":%.6f,\"rate\":%.0f}\n", (unsigned long long)sent, seconds,
           seconds > 0 ? (double)sent / seconds : 0.0);
    fflush(stdout);
    zmq_close(push);
    zmq_ctx_term(ctx);
    topic_set_free(&topics);
    return 0;
}
