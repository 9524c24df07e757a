/* Shared by pubsub_pub.c, pubsub_sub.c and feed_push.c: the benchmark messages and helpers.
 *
 * Every benchmark message is two frames, [topic][64-byte body], and the body is a valid feed
 * quote (schemas/README.md, Sources/FeedModel/WireLayout.swift), so one subscriber program
 * measures the raw libzmq baseline and feed-server with the same code:
 *
 *   offset size field
 *   0      1    schema_version = 1
 *   1      1    message_type   = 1 (quote)
 *   2      2    flags          = 0
 *   4      4    session_id     (feed-server stamps it; raw: 1)
 *   8      8    feed_seq       data messages are numbered 1..N (feed-server stamps it; raw: the publisher)
 *   16     8    topic_seq
 *   24     8    event_time_ns  CLOCK_REALTIME when the producer made the message
 *   32     8    publish_time_ns CLOCK_REALTIME just before the send (feed-server stamps it; raw: the publisher)
 *   40     8    bid mantissa   in an end marker: the number of data messages sent
 *   48     8    ask mantissa
 *   56     4    bid size
 *   60     4    ask size
 *
 * Topics: data messages go round-robin over 100 topics, NASDAQ.S0..S49 then NYSE.S0..S49
 * (message i, from 0, on topic i % 100); feed_push can spread them over more (topic_set). End markers go on BENCH.END. Heartbeats ($HB, sent by
 * feed-server) are ignored by the subscriber.
 */
#ifndef PUBSUB_COMMON_H
#define PUBSUB_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <zmq.h>

#define BODY_SIZE 64
#define HEADER_SIZE 40
#define TOPIC_COUNT 100
#define END_TOPIC "BENCH.END"
#define HEARTBEAT_TOPIC "$HB"

#define OFF_SESSION 4
#define OFF_FEED_SEQ 8
#define OFF_TOPIC_SEQ 16
#define OFF_EVENT_TIME 24
#define OFF_PUBLISH_TIME 32
#define OFF_BID 40
#define OFF_ASK 48
#define OFF_BID_SIZE 56
#define OFF_ASK_SIZE 60

static inline int64_t realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void put_u64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); } /* little-endian host */
static inline void put_u32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static inline uint64_t get_u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t get_u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static inline void die_zmq(const char *what) {
    fprintf(stderr, "%s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static inline void check_rc(int rc, const char *what) {
    if (rc != 0) die_zmq(what);
}

static inline long parse_long_arg(const char *text, const char *name, long min, long max) {
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "%s must be an integer in %ld..%ld, got '%s'\n", name, min, max, text);
        exit(64);
    }
    return v;
}

/* A symbol universe of `count` topics, built once: topic i is NASDAQ.S{i} for i < count/2, then
 * NYSE.S{i - count/2} (for 100: NASDAQ.S0..S49, NYSE.S0..S49). Names are at most 15 bytes, so up
 * to 20,000,000 topics fit in their 16-byte slots. */
typedef struct {
    unsigned count;
    char (*name)[16];
    size_t *length;
} topic_set;

#define TOPIC_COUNT_MAX 20000000L

static inline void topic_set_init(topic_set *set, unsigned count) {
    set->count = count;
    set->name = malloc((size_t)count * sizeof *set->name);
    set->length = malloc((size_t)count * sizeof *set->length);
    if (set->name == NULL || set->length == NULL) {
        fprintf(stderr, "out of memory for %u topics\n", count);
        exit(1);
    }
    for (unsigned i = 0; i < count; i++) {
        int n = i < count / 2 ? snprintf(set->name[i], sizeof set->name[i], "NASDAQ.S%u", i)
                              : snprintf(set->name[i], sizeof set->name[i], "NYSE.S%u", i - count / 2);
        set->length[i] = (size_t)n;
    }
}

static inline void topic_set_free(topic_set *set) {
    free(set->name);
    free(set->length);
}

/* A quote body with everything but the sequencer's fields filled in. */
static inline void quote_body(unsigned char *body, uint64_t index, int64_t event_time) {
    memset(body, 0, BODY_SIZE);
    body[0] = 1; /* schema version */
    body[1] = 1; /* quote */
    put_u64(body + OFF_EVENT_TIME, (uint64_t)event_time);
    put_u64(body + OFF_BID, (uint64_t)(10000000000LL + (int64_t)(index % 1000)));
    put_u64(body + OFF_ASK, (uint64_t)(10001000000LL + (int64_t)(index % 1000)));
    put_u32(body + OFF_BID_SIZE, 100);
    put_u32(body + OFF_ASK_SIZE, 200);
}

/* Sends [topic][body]; retries on EINTR. Blocking unless flags say otherwise. */
static inline void send_two(void *socket, const char *topic, size_t topic_length, const unsigned char *body) {
    while (zmq_send(socket, topic, topic_length, ZMQ_SNDMORE) < 0) {
        if (zmq_errno() != EINTR) die_zmq("zmq_send topic");
    }
    while (zmq_send(socket, body, BODY_SIZE, 0) < 0) {
        if (zmq_errno() != EINTR) die_zmq("zmq_send body");
    }
}

/* Reads the Z85 key after `name = ` (quoted or bare) from a certificate file as `feed-client
 * keygen` writes it (czmq's zcert layout); exits with status 64 and the reason when it is missing. */
static inline void read_certificate_key(const char *path, const char *name, char key[41]) {
    FILE *file = fopen(path, "r");
    if (file == NULL) { perror(path); exit(64); }
    char line[512];
    size_t name_length = strlen(name);
    while (fgets(line, sizeof line, file) != NULL) {
        char *text = line + strspn(line, " \t");
        if (strncmp(text, name, name_length) != 0) continue;
        text += name_length + strspn(text + name_length, " \t=");
        if (*text == '"') text++;
        if (strspn(text, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#") < 40) break;
        memcpy(key, text, 40);
        key[40] = 0;
        fclose(file);
        return;
    }
    fclose(file);
    fprintf(stderr, "%s: no 40-character %s\n", path, name);
    exit(64);
}

/* Makes `socket` a CURVE client (before it connects): `files` is "SERVER.key,CLIENT.key_secret",
 * the server's public certificate and this client's secret one. */
static inline void curve_client(void *socket, const char *files) {
    const char *comma = strchr(files, ',');
    if (comma == NULL || comma - files >= 1024) {
        fprintf(stderr, "curve: give SERVER.key,CLIENT.key_secret (got %s)\n", files);
        exit(64);
    }
    char server_file[1024], server_key[41], public_key[41], secret_key[41];
    memcpy(server_file, files, (size_t)(comma - files));
    server_file[comma - files] = 0;
    read_certificate_key(server_file, "public-key", server_key);
    read_certificate_key(comma + 1, "public-key", public_key);
    read_certificate_key(comma + 1, "secret-key", secret_key);
    check_rc(zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server_key, 40), "ZMQ_CURVE_SERVERKEY");
    check_rc(zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, public_key, 40), "ZMQ_CURVE_PUBLICKEY");
    check_rc(zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret_key, 40), "ZMQ_CURVE_SECRETKEY");
}

/* Paces sends at `rate` per second from `start_ns` (monotonic): sleeps until message `index` is
 * due (never spins: on a 2-core machine a spinning sender would steal a core from what is
 * measured). At high rates the sleep overshoots, so messages leave in small bursts that catch up
 * with the schedule; the same pacing code drives the raw publisher and the feed producer, so both
 * see the same send pattern. */
static inline void pace(int64_t start_ns, uint64_t index, long rate) {
    if (rate <= 0) return;
    int64_t due = start_ns + (int64_t)((double)index * 1e9 / (double)rate);
    int64_t wait = due - monotonic_ns();
    if (wait > 0) {
        struct timespec ts = {(time_t)(wait / 1000000000LL), (long)(wait % 1000000000LL)};
        nanosleep(&ts, NULL);
    }
}

static inline void low_timer_slack(void) { prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); }

#endif
