/* Shared by epgm_pub.c and epgm_sub.c: the benchmark's message layout and small helpers.
 *
 * A message is two frames, like the feed's: a topic, then a 64-byte body.
 *   body[0]      kind: 0 data, 1 warm-up, 2 end marker
 *   body[8..15]  little-endian u64: the data sequence (0, 1, ...), or in an end marker the
 *                number of data messages sent
 *   the rest     zero padding
 */
#ifndef EPGM_COMMON_H
#define EPGM_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define BODY_SIZE 64
#define SEQ_OFFSET 8

enum { KIND_DATA = 0, KIND_WARMUP = 1, KIND_END = 2 };

static inline double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void put_u64le(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t get_u64le(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline void check(int rc, const char *what) {
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", what, zmq_strerror(zmq_errno()));
        exit(1);
    }
}

static inline long parse_long(const char *text, const char *name, long min, long max) {
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "%s must be an integer in %ld..%ld, got '%s'\n", name, min, max, text);
        exit(64);
    }
    return v;
}

#endif
