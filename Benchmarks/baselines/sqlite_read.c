/* SQLite baseline for history reads, on the row-per-message file sqlite_insert wrote.
 *
 *   sqlite_read -f FILE -t TOPIC [-r REPEATS]                      one topic, through the (topic, seq) index
 *   sqlite_read -f FILE -p PREFIX -s SINCE_NS -u UNTIL_NS [-r REPEATS]
 *                                                                  a topic prefix and a time range
 *
 * The prefix query is the range topic >= PREFIX AND topic < PREFIX-with-last-byte+1 on the
 * (topic, seq) index with time_ns >= SINCE AND time_ns < UNTIL checked per row; rows come in
 * index order (topic, seq), not publish order, which spares the baseline a sort.
 * Every row is decoded into a C struct (topic copied, every header and quote field read from the
 * body), as a client would. Runs the query REPEATS times (default 5).
 *
 * Prints one line of JSON: {"rows":N,"rate":MEDIAN,"best":BEST,"rates":[...]} (rows/s).
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char topic[64];
    uint32_t session;
    uint64_t feed_seq, topic_seq;
    int64_t event_time, publish_time, bid, ask;
    uint32_t bid_size, ask_size;
} decoded;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile uint64_t sink;

int main(int argc, char **argv) {
    const char *file = NULL, *topic = NULL, *prefix = NULL;
    long long since = 0, until = 0;
    int repeats = 5, opt;
    while ((opt = getopt(argc, argv, "f:t:p:s:u:r:")) != -1) {
        switch (opt) {
        case 'f': file = optarg; break;
        case 't': topic = optarg; break;
        case 'p': prefix = optarg; break;
        case 's': since = atoll(optarg); break;
        case 'u': until = atoll(optarg); break;
        case 'r': repeats = atoi(optarg); break;
        default: goto usage;
        }
    }
    if (file == NULL || (topic == NULL) == (prefix == NULL) || repeats < 1 || repeats > 100) goto usage;
    if (prefix != NULL && (strlen(prefix) == 0 || strlen(prefix) >= 63)) goto usage;

    sqlite3 *db;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "open %s: %s\n", file, sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_stmt *query;
    const char *sql = topic ? "SELECT topic, body FROM msgs WHERE topic = ? ORDER BY seq"
                            : "SELECT topic, body FROM msgs WHERE topic >= ? AND topic < ? AND time_ns >= ? AND time_ns < ?";
    if (sqlite3_prepare_v2(db, sql, -1, &query, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    char upper[64];
    if (topic) {
        sqlite3_bind_text(query, 1, topic, -1, SQLITE_STATIC);
    } else {
        strcpy(upper, prefix);
        upper[strlen(upper) - 1]++;
        sqlite3_bind_text(query, 1, prefix, -1, SQLITE_STATIC);
        sqlite3_bind_text(query, 2, upper, -1, SQLITE_STATIC);
        sqlite3_bind_int64(query, 3, since);
        sqlite3_bind_int64(query, 4, until);
    }

    double rates[100];
    long rows = 0;
    for (int r = 0; r < repeats; r++) {
        rows = 0;
        uint64_t check = 0;
        double start = now_seconds();
        int rc;
        while ((rc = sqlite3_step(query)) == SQLITE_ROW) {
            decoded m;
            const unsigned char *t = sqlite3_column_text(query, 0);
            int tl = sqlite3_column_bytes(query, 0);
            const unsigned char *b = sqlite3_column_blob(query, 1);
            int bl = sqlite3_column_bytes(query, 1);
            if (tl >= (int)sizeof m.topic || bl != 64) { fprintf(stderr, "bad row\n"); return 1; }
            memcpy(m.topic, t, (size_t)tl);
            m.topic[tl] = 0;
            memcpy(&m.session, b + 4, 4);
            memcpy(&m.feed_seq, b + 8, 8);
            memcpy(&m.topic_seq, b + 16, 8);
            memcpy(&m.event_time, b + 24, 8);
            memcpy(&m.publish_time, b + 32, 8);
            memcpy(&m.bid, b + 40, 8);
            memcpy(&m.ask, b + 48, 8);
            memcpy(&m.bid_size, b + 56, 4);
            memcpy(&m.ask_size, b + 60, 4);
            check += m.feed_seq + (uint64_t)m.bid + (uint64_t)m.topic[tl - 1];
            rows++;
        }
        if (rc != SQLITE_DONE) { fprintf(stderr, "step: %s\n", sqlite3_errmsg(db)); return 1; }
        double seconds = now_seconds() - start;
        sqlite3_reset(query);
        sink = check;
        rates[r] = seconds > 0 ? (double)rows / seconds : 0;
    }
    sqlite3_finalize(query);
    sqlite3_close(db);
    double sorted[100];
    memcpy(sorted, rates, sizeof(double) * (size_t)repeats);
    qsort(sorted, (size_t)repeats, sizeof(double), compare_double);
    printf("{\"rows\":%ld,\"rate\":%.0f,\"best\":%.0f,\"rates\":[", rows, sorted[repeats / 2], sorted[repeats - 1]);
    for (int r = 0; r < repeats; r++) printf("%s%.0f", r ? "," : "", rates[r]);
    printf("]}\n");
    return 0;

usage:
    fprintf(stderr, "usage: %s -f FILE (-t TOPIC | -p PREFIX -s SINCE_NS -u UNTIL_NS) [-r REPEATS]\n", argv[0]);
    return 64;
}
