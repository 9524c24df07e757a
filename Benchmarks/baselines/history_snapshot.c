/*
 * Baseline for last-value snapshots: raw SQLite in C over the feed's history file (schema
 * version 2, schemas/history.sql) finding the latest message of every topic under PREFIX, the
 * obvious way: read the blocks newest first (from the last block holding a message published at
 * or before AT), walk each block's records backwards, keep the first one seen per topic (a hash
 * set of topic names), and stop once every topic the dictionary lists under PREFIX has one.
 * No decoding beyond the publish time.
 *
 * Usage: history_snapshot DB PREFIX [AT_NS]     (PREFIX "": every topic; AT_NS: now)
 * Prints JSON: {"topics":N,"seconds":S,"blocks":B} (topics found, blocks read).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t read_i64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return (int64_t)v;
}

static void die(sqlite3 *db, const char *what) {
    fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    exit(65);
}

/* An open-addressing set of topic names (at most 49 bytes each, schemas/README.md), sized for `capacity` names. */
typedef struct {
    char (*slot)[50]; /* slot[i][0] = length + 1, 0 when empty; then the bytes (a topic is at most 49) */
    uint64_t mask;
    long count;
} topic_set;

static void set_init(topic_set *set, long capacity) {
    uint64_t slots = 16;
    while (slots < (uint64_t)capacity * 2) slots *= 2;
    set->slot = calloc(slots, sizeof *set->slot);
    if (set->slot == NULL) {
        fprintf(stderr, "out of memory for %ld topics\n", capacity);
        exit(1);
    }
    set->mask = slots - 1;
    set->count = 0;
}

/* Adds the topic; returns 1 when it was not there yet. */
static int set_insert(topic_set *set, const unsigned char *topic, int length) {
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a */
    for (int i = 0; i < length; i++) hash = (hash ^ topic[i]) * 1099511628211ULL;
    for (uint64_t i = hash & set->mask;; i = (i + 1) & set->mask) {
        char *slot = set->slot[i];
        if (slot[0] == 0) {
            slot[0] = (char)(length + 1);
            memcpy(slot + 1, topic, (size_t)length);
            set->count++;
            return 1;
        }
        if (slot[0] == length + 1 && memcmp(slot + 1, topic, (size_t)length) == 0) return 0;
    }
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s DB PREFIX [AT_NS]\n", argv[0]);
        return 64;
    }
    const char *prefix = argv[2];
    size_t prefix_len = strlen(prefix);
    int64_t at = argc == 4 ? strtoll(argv[3], NULL, 10) : INT64_MAX;
    if (prefix_len >= 127) {
        fprintf(stderr, "prefix must be at most 126 bytes\n");
        return 64;
    }
    char upper[128];
    memcpy(upper, prefix, prefix_len + 1);
    if (prefix_len > 0) upper[prefix_len - 1]++;

    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "open: %s\n", sqlite3_errmsg(db));
        return 66;
    }
    sqlite3_exec(db, "PRAGMA mmap_size = 2147418112", NULL, NULL, NULL);
    double start = now_seconds();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *stmt;
    /* How many topics the snapshot must find. */
    const char *count_sql = prefix_len > 0 ? "SELECT count(*) FROM topics WHERE topic >= ?1 AND topic < ?2"
                                           : "SELECT count(*) FROM topics WHERE ?1 = ?2";
    if (sqlite3_prepare_v2(db, count_sql, -1, &stmt, NULL) != SQLITE_OK) die(db, count_sql);
    sqlite3_bind_text(stmt, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, prefix_len > 0 ? upper : prefix, -1, SQLITE_STATIC);
    long wanted = sqlite3_step(stmt) == SQLITE_ROW ? (long)sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);

    /* The last block holding a message published at or before AT (the watermark index). */
    const char *last_sql = "SELECT block_id FROM blocks WHERE time_low_ns <= ?1 ORDER BY time_low_ns DESC, block_id DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, last_sql, -1, &stmt, NULL) != SQLITE_OK) die(db, last_sql);
    sqlite3_bind_int64(stmt, 1, at);
    int64_t last = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);

    topic_set found;
    set_init(&found, wanted);
    const char *sql = "SELECT payload FROM blocks WHERE block_id <= ?1 ORDER BY block_id DESC";
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) die(db, sql);
    sqlite3_bind_int64(stmt, 1, last);
    long long blocks = 0;
    int offsets_capacity = 8192;
    int *offsets = malloc((size_t)offsets_capacity * sizeof *offsets);
    while (found.count < wanted && sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(stmt, 0);
        int size = sqlite3_column_bytes(stmt, 0), records = 0;
        blocks++;
        /* Records can only be walked forwards: note where each starts, then visit them backwards. */
        for (int offset = 0; offset + 2 <= size;) {
            if (records == offsets_capacity) offsets = realloc(offsets, (size_t)(offsets_capacity *= 2) * sizeof *offsets);
            offsets[records++] = offset;
            int topic_len = p[offset] | p[offset + 1] << 8;
            int body_len_at = offset + 2 + topic_len;
            if (body_len_at + 2 > size) break;
            offset = body_len_at + 2 + (p[body_len_at] | p[body_len_at + 1] << 8);
        }
        for (int r = records - 1; r >= 0 && found.count < wanted; r--) {
            const unsigned char *topic = p + offsets[r] + 2;
            int topic_len = p[offsets[r]] | p[offsets[r] + 1] << 8;
            if (topic_len > 49 || (size_t)topic_len < prefix_len || memcmp(topic, prefix, prefix_len) != 0) continue;
            const unsigned char *body = topic + topic_len + 2;
            if (read_i64(body + 32) > at) continue;
            set_insert(&found, topic, topic_len);
        }
    }
    sqlite3_finalize(stmt);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double seconds = now_seconds() - start;
    sqlite3_close(db);
    printf("{\"topics\":%ld,\"seconds\":%.6f,\"blocks\":%lld}\n", found.count, seconds, blocks);
    free(offsets);
    free(found.slot);
    return 0;
}
