/* SQLite baseline for recording: the naive design, one row per message.
 *
 *   sqlite_insert -f FILE [-n ROWS] [-b ROWS_PER_TXN] [-t TOPICS]
 *
 * A fresh FILE (removed first) in WAL mode with synchronous=NORMAL, one table
 *   msgs(topic TEXT, seq INTEGER, time_ns INTEGER, body BLOB)  with an index on (topic, seq),
 * and ROWS (default 1000000) inserted through one prepared statement, ROWS_PER_TXN (default
 * 10000) per transaction. The data is what `feed-bench record` appends to a feed history:
 * message i (from 1) on topic (i-1) % TOPICS (default 100: NASDAQ.S0..S49, NYSE.S0..S49; for N,
 * NASDAQ.S0..S{N/2-1} then NYSE.S0..), seq = its per-topic sequence, time_ns = 1.7e18 + i * 1000,
 * a 64-byte quote body. The file is then what sqlite_read reads.
 *
 * Prints one line of JSON: {"rows":N,"seconds":S,"rate":R,"cpu_seconds":C,"count":K} where
 * cpu_seconds is the process's user + system time over the inserts (getrusage) and count is
 * SELECT count(*) afterwards (the check that nothing is missing).
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define TOPIC_COUNT 100
#define TOPIC_COUNT_MAX 20000000L
#define BASE_TIME 1700000000000000000LL

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec_or_die(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, error);
        exit(1);
    }
}

static void put64(unsigned char *p, int64_t v) { memcpy(p, &v, 8); }

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
    const char *file = NULL;
    long rows = 1000000, per_txn = 10000, topic_count = TOPIC_COUNT;
    int opt;
    while ((opt = getopt(argc, argv, "f:n:b:t:")) != -1) {
        switch (opt) {
        case 'f': file = optarg; break;
        case 'n': rows = atol(optarg); break;
        case 'b': per_txn = atol(optarg); break;
        case 't': topic_count = atol(optarg); break;
        default: fprintf(stderr, "usage: %s -f FILE [-n ROWS] [-b ROWS_PER_TXN] [-t TOPICS]\n", argv[0]); return 64;
        }
    }
    if (file == NULL || rows <= 0 || per_txn <= 0 || topic_count <= 0 || topic_count > TOPIC_COUNT_MAX) {
        fprintf(stderr, "usage: %s -f FILE [-n ROWS] [-b ROWS_PER_TXN] [-t TOPICS (1..%ld)]\n", argv[0], TOPIC_COUNT_MAX);
        return 64;
    }
    char path[4096];
    unlink(file);
    snprintf(path, sizeof path, "%s-wal", file); unlink(path);
    snprintf(path, sizeof path, "%s-shm", file); unlink(path);

    sqlite3 *db;
    if (sqlite3_open(file, &db) != SQLITE_OK) { fprintf(stderr, "open %s: %s\n", file, sqlite3_errmsg(db)); return 1; }
    exec_or_die(db, "PRAGMA journal_mode=WAL");
    exec_or_die(db, "PRAGMA synchronous=NORMAL");
    exec_or_die(db, "CREATE TABLE msgs (topic TEXT NOT NULL, seq INTEGER NOT NULL, time_ns INTEGER NOT NULL, "
                    "body BLOB NOT NULL)");
    exec_or_die(db, "CREATE INDEX msgs_topic_seq ON msgs (topic, seq)");

    char (*topics)[16] = malloc((size_t)topic_count * sizeof *topics);
    int *lengths = malloc((size_t)topic_count * sizeof *lengths);
    int64_t *topic_seq = calloc((size_t)topic_count, sizeof *topic_seq);
    if (topics == NULL || lengths == NULL || topic_seq == NULL) { fprintf(stderr, "out of memory\n"); return 1; }
    long half = topic_count / 2;
    for (long i = 0; i < topic_count; i++)
        lengths[i] = i < half ? snprintf(topics[i], 16, "NASDAQ.S%ld", i) : snprintf(topics[i], 16, "NYSE.S%ld", i - half);

    sqlite3_stmt *insert;
    if (sqlite3_prepare_v2(db, "INSERT INTO msgs (topic, seq, time_ns, body) VALUES (?, ?, ?, ?)", -1, &insert,
                           NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    unsigned char body[64];
    memset(body, 0, sizeof body);
    body[0] = 1;
    body[1] = 1;

    double start = now_seconds(), cpu_start = cpu_seconds();
    exec_or_die(db, "BEGIN");
    for (long i = 1; i <= rows; i++) {
        long t = (i - 1) % topic_count;
        int64_t seq = ++topic_seq[t];
        int64_t time = BASE_TIME + (int64_t)i * 1000;
        put64(body + 8, i);
        put64(body + 16, seq);
        put64(body + 24, time);
        put64(body + 32, time);
        put64(body + 40, 10000000000LL + i % 1000);
        sqlite3_bind_text(insert, 1, topics[t], lengths[t], SQLITE_STATIC);
        sqlite3_bind_int64(insert, 2, seq);
        sqlite3_bind_int64(insert, 3, time);
        sqlite3_bind_blob(insert, 4, body, sizeof body, SQLITE_STATIC);
        if (sqlite3_step(insert) != SQLITE_DONE) { fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db)); return 1; }
        sqlite3_reset(insert);
        if (i % per_txn == 0) {
            exec_or_die(db, "COMMIT");
            exec_or_die(db, "BEGIN");
        }
    }
    exec_or_die(db, "COMMIT");
    double seconds = now_seconds() - start, cpu = cpu_seconds() - cpu_start;
    sqlite3_finalize(insert);

    sqlite3_stmt *count;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM msgs", -1, &count, NULL);
    sqlite3_step(count);
    long long counted = sqlite3_column_int64(count, 0);
    sqlite3_finalize(count);
    sqlite3_close(db);
    printf("{\"rows\":%ld,\"seconds\":%.6f,\"rate\":%.0f,\"cpu_seconds\":%.6f,\"count\":%lld}\n", rows, seconds,
           (double)rows / seconds, cpu, counted);
    return counted == rows ? 0 : 2;
}
