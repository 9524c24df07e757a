/*
 * Baseline for history reads: raw SQLite in C over the feed's own history file, reading the
 * same rows a `feed-client history PREFIX --since A --until B` query reads (blocks chosen
 * through block_topics), walking each block's records and keeping those that match, with no
 * decoding beyond the header fields the filter needs.
 *
 * Usage: history_read DB PREFIX SINCE_NS UNTIL_NS   (PREFIX "": every topic)
 * Prints JSON: {"matched":N,"seconds":S,"rate":R}
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

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s DB PREFIX SINCE_NS UNTIL_NS\n", argv[0]);
        return 64;
    }
    const char *prefix = argv[2];
    size_t prefix_len = strlen(prefix);
    int64_t since = strtoll(argv[3], NULL, 10), until = strtoll(argv[4], NULL, 10);
    char upper[128];
    if (prefix_len >= sizeof upper) {
        fprintf(stderr, "prefix must be at most 127 bytes\n");
        return 64;
    }
    memcpy(upper, prefix, prefix_len + 1);
    if (prefix_len > 0) upper[prefix_len - 1]++;

    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "open: %s\n", sqlite3_errmsg(db));
        return 66;
    }
    /* An empty prefix (everything) reads every block in the time range. */
    const char *sql = prefix_len > 0
        ? "SELECT payload FROM blocks WHERE block_id IN ("
          " SELECT block_id FROM block_topics WHERE topic >= ?1 AND topic < ?2"
          " AND last_time_ns >= ?3 AND first_time_ns < ?4) ORDER BY block_id"
        : "SELECT payload FROM blocks WHERE ?1 = ?2 AND last_time_ns >= ?3 AND first_time_ns < ?4 ORDER BY block_id";
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
        return 65;
    }
    double start = now_seconds();
    sqlite3_bind_text(stmt, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, upper, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, since);
    sqlite3_bind_int64(stmt, 4, until);
    long long matched = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(stmt, 0);
        int size = sqlite3_column_bytes(stmt, 0);
        int offset = 0;
        while (offset + 2 <= size) {
            int topic_len = p[offset] | p[offset + 1] << 8;
            const unsigned char *topic = p + offset + 2;
            int body_len_at = offset + 2 + topic_len;
            if (body_len_at + 2 > size) break;
            int body_len = p[body_len_at] | p[body_len_at + 1] << 8;
            const unsigned char *body = p + body_len_at + 2;
            if (body_len_at + 2 + body_len > size || body_len < 40) break;
            offset = body_len_at + 2 + body_len;
            if ((size_t)topic_len < prefix_len || memcmp(topic, prefix, prefix_len) != 0) continue;
            int64_t published = read_i64(body + 32);
            if (published >= since && published < until) matched++;
        }
    }
    double seconds = now_seconds() - start;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    printf("{\"matched\":%lld,\"seconds\":%.6f,\"rate\":%.0f}\n", matched, seconds, matched / seconds);
    return 0;
}
