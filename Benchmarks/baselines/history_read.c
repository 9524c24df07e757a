/*
 * Baseline for history reads: raw SQLite in C over the feed's own history file (schema version 2,
 * schemas/history.sql), reading the messages a `feed-client history PREFIX... --since A --until B`
 * query reads, and choosing its way the same as the service (Sources/FeedHistory/QueryRun.swift):
 *
 * - the empty prefix, or prefixes covering at least 1/8 of the topics: every block in the time
 *   range is read whole and its records filtered (a scan);
 * - fewer topics: their ids from `topics`, their locations from the `segment_topics` rows of
 *   their buckets, segment by segment, and only those records read (incremental blob I/O);
 *   the blocks after the last segment (the tail) are scanned.
 *
 * No decoding beyond the header fields the filter needs.
 *
 * Usage: history_read DB PREFIXES SINCE_NS UNTIL_NS [LIMIT]
 *   PREFIXES  one topic prefix, or several separated by ',' ("": every topic)
 *   LIMIT     stop after this many matches (default: all)
 * Prints JSON: {"matched":N,"seconds":S,"rate":R,"blocks":B,"way":"scan"|"index"}, where blocks
 * counts the blocks whose payload was read (whole or a record of it).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PREFIXES 64
#define SCAN_FRACTION 8

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

static uint32_t read_u32(const unsigned char *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void die(sqlite3 *db, const char *what) {
    fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    exit(65);
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) die(db, sql);
    return stmt;
}

/* What one query looks for and what it found so far. */
typedef struct {
    const char *prefix[MAX_PREFIXES];
    size_t prefix_len[MAX_PREFIXES];
    int prefixes; /* 0: every topic */
    int64_t since, until;
    long long limit, matched, blocks;
} query;

static int topic_matches(const query *q, const unsigned char *topic, size_t length) {
    if (q->prefixes == 0) return 1;
    for (int i = 0; i < q->prefixes; i++)
        if (length >= q->prefix_len[i] && memcmp(topic, q->prefix[i], q->prefix_len[i]) == 0) return 1;
    return 0;
}

/* Counts a record if its publish time is in range; returns 0 once the limit is reached. */
static int take(query *q, const unsigned char *body) {
    int64_t published = read_i64(body + 32);
    if (published >= q->since && published < q->until) q->matched++;
    return q->limit == 0 || q->matched < q->limit;
}

/* Reads the blocks first..last (ids) that overlap the time range whole, filtering every record. */
static int scan(sqlite3 *db, query *q, int64_t first, int64_t last) {
    sqlite3_stmt *stmt = prepare(db, "SELECT payload FROM blocks WHERE block_id BETWEEN ?1 AND ?2"
                                     " AND last_time_ns >= ?3 AND first_time_ns < ?4 ORDER BY block_id");
    sqlite3_bind_int64(stmt, 1, first);
    sqlite3_bind_int64(stmt, 2, last);
    sqlite3_bind_int64(stmt, 3, q->since);
    sqlite3_bind_int64(stmt, 4, q->until);
    int more = 1;
    while (more && sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(stmt, 0);
        int size = sqlite3_column_bytes(stmt, 0);
        q->blocks++;
        int offset = 0;
        while (more && offset + 2 <= size) {
            int topic_len = p[offset] | p[offset + 1] << 8;
            const unsigned char *topic = p + offset + 2;
            int body_len_at = offset + 2 + topic_len;
            if (body_len_at + 2 > size) break;
            int body_len = p[body_len_at] | p[body_len_at + 1] << 8;
            const unsigned char *body = p + body_len_at + 2;
            if (body_len_at + 2 + body_len > size || body_len < 40) break;
            offset = body_len_at + 2 + body_len;
            if (topic_matches(q, topic, (size_t)topic_len)) more = take(q, body);
        }
    }
    sqlite3_finalize(stmt);
    return more;
}

static int compare_ids(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The ids of the topics under the prefixes, ascending; their number in *count. */
static int64_t *topic_ids(sqlite3 *db, const query *q, long *count) {
    sqlite3_stmt *stmt = prepare(db, "SELECT topic_id FROM topics WHERE topic >= ?1 AND topic < ?2");
    long capacity = 1024, n = 0;
    int64_t *ids = malloc((size_t)capacity * sizeof *ids);
    for (int i = 0; i < q->prefixes; i++) {
        char upper[128];
        memcpy(upper, q->prefix[i], q->prefix_len[i] + 1);
        upper[q->prefix_len[i] - 1]++;
        sqlite3_bind_text(stmt, 1, q->prefix[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, upper, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            if (n == capacity) ids = realloc(ids, (size_t)(capacity *= 2) * sizeof *ids);
            ids[n++] = sqlite3_column_int64(stmt, 0);
        }
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    qsort(ids, (size_t)n, sizeof *ids, compare_ids);
    long unique = 0; /* overlapping prefixes list a topic twice */
    for (long i = 0; i < n; i++)
        if (unique == 0 || ids[unique - 1] != ids[i]) ids[unique++] = ids[i];
    *count = unique;
    return ids;
}

/* One message's place in a segment: block_delta, index in the block, byte offset. */
typedef struct {
    uint32_t block_delta, index, offset;
} location;

static int compare_locations(const void *a, const void *b) {
    const location *x = a, *y = b;
    if (x->block_delta != y->block_delta) return (x->block_delta > y->block_delta) - (x->block_delta < y->block_delta);
    return (x->index > y->index) - (x->index < y->index);
}

/* Reads the records of the topics `ids` in the segments overlapping first..last, through the index. */
static int read_indexed(sqlite3 *db, query *q, const int64_t *ids, long id_count, int64_t first, int64_t last) {
    sqlite3_stmt *segments = prepare(db, "SELECT segment_id, first_block_id, last_block_id, bucket_shift FROM segments"
                                         " WHERE last_block_id >= ?1 AND first_block_id <= ?2 ORDER BY last_block_id");
    sqlite3_stmt *entries = prepare(db, "SELECT entries FROM segment_topics WHERE segment_id = ?1 AND bucket = ?2");
    sqlite3_bind_int64(segments, 1, first);
    sqlite3_bind_int64(segments, 2, last);
    sqlite3_blob *blob = NULL;
    long capacity = 4096;
    location *hits = malloc((size_t)capacity * sizeof *hits);
    int more = 1;
    while (more && sqlite3_step(segments) == SQLITE_ROW) {
        int64_t segment = sqlite3_column_int64(segments, 0), segment_first = sqlite3_column_int64(segments, 1);
        int shift = sqlite3_column_int(segments, 3);
        long n = 0;
        for (long i = 0; i < id_count;) {
            int64_t bucket = ids[i] >> shift;
            long end = i;
            while (end < id_count && ids[end] >> shift == bucket) end++;
            sqlite3_bind_int64(entries, 1, segment);
            sqlite3_bind_int64(entries, 2, bucket);
            if (sqlite3_step(entries) == SQLITE_ROW) {
                const unsigned char *e = sqlite3_column_blob(entries, 0);
                uint32_t topics = read_u32(e);
                const unsigned char *locations = e + 4 + (size_t)topics * 12;
                for (long k = i; k < end; k++) {
                    uint32_t low = 0, high = topics; /* binary search of the directory */
                    while (low < high) {
                        uint32_t middle = (low + high) / 2, id = read_u32(e + 4 + (size_t)middle * 12);
                        if (id == (uint32_t)ids[k]) {
                            uint32_t at = read_u32(e + 4 + (size_t)middle * 12 + 4);
                            uint32_t count = read_u32(e + 4 + (size_t)middle * 12 + 8);
                            for (uint32_t j = 0; j < count; j++) {
                                if (n == capacity) hits = realloc(hits, (size_t)(capacity *= 2) * sizeof *hits);
                                const unsigned char *l = locations + (size_t)(at + j) * 12;
                                hits[n++] = (location){read_u32(l), read_u32(l + 4), read_u32(l + 8)};
                            }
                            break;
                        }
                        if (id < (uint32_t)ids[k]) low = middle + 1; else high = middle;
                    }
                }
            }
            sqlite3_reset(entries);
            i = end;
        }
        qsort(hits, (size_t)n, sizeof *hits, compare_locations);
        int64_t open_block = 0;
        for (long i = 0; more && i < n; i++) {
            int64_t block = segment_first + hits[i].block_delta;
            if (block < first || block > last) continue;
            if (block != open_block) {
                int rc = blob ? sqlite3_blob_reopen(blob, block) : sqlite3_blob_open(db, "main", "blocks", "payload", block, 0, &blob);
                if (rc != SQLITE_OK) die(db, "blob open");
                open_block = block;
                q->blocks++;
            }
            unsigned char record[2 + 64 + 2 + 64];
            int size = sqlite3_blob_bytes(blob), at = (int)hits[i].offset;
            int want = size - at < (int)sizeof record ? size - at : (int)sizeof record;
            if (want < 4 || sqlite3_blob_read(blob, record, want, at) != SQLITE_OK) die(db, "blob read");
            int topic_len = record[0] | record[1] << 8;
            if (topic_len > 64 || 2 + topic_len + 2 + 40 > want) {
                fprintf(stderr, "block %lld: bad record at %d\n", (long long)block, at);
                exit(65);
            }
            more = take(q, record + 2 + topic_len + 2);
        }
    }
    if (blob) sqlite3_blob_close(blob);
    free(hits);
    sqlite3_finalize(entries);
    sqlite3_finalize(segments);
    return more;
}

/* The first column of the first row of `sql` (`fallback` without a row), with `argument` bound
 * to its parameter if it has one. */
static int64_t fetch_i64(sqlite3 *db, const char *sql, int64_t argument, int64_t fallback) {
    sqlite3_stmt *stmt = prepare(db, sql);
    if (sqlite3_bind_parameter_count(stmt) > 0) sqlite3_bind_int64(stmt, 1, argument);
    int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : fallback;
    sqlite3_finalize(stmt);
    return value;
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: %s DB PREFIXES SINCE_NS UNTIL_NS [LIMIT]\n", argv[0]);
        return 64;
    }
    query q = {.since = strtoll(argv[3], NULL, 10), .until = strtoll(argv[4], NULL, 10)};
    q.limit = argc == 6 ? strtoll(argv[5], NULL, 10) : 0;
    for (char *prefix = argv[2]; *prefix != '\0';) { /* split PREFIXES at ',' */
        char *comma = strchr(prefix, ',');
        size_t length = comma ? (size_t)(comma - prefix) : strlen(prefix);
        if (length == 0) { q.prefixes = 0; break; } /* an empty prefix: everything */
        if (length >= 127 || q.prefixes == MAX_PREFIXES) {
            fprintf(stderr, "at most %d prefixes of at most 126 bytes\n", MAX_PREFIXES);
            return 64;
        }
        q.prefix[q.prefixes] = prefix;
        q.prefix_len[q.prefixes++] = length;
        if (!comma) break;
        *comma = '\0';
        prefix = comma + 1;
    }

    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "open: %s\n", sqlite3_errmsg(db));
        return 66;
    }
    sqlite3_exec(db, "PRAGMA mmap_size = 2147418112", NULL, NULL, NULL); /* as the service's readers */
    double start = now_seconds();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (fetch_i64(db, "PRAGMA user_version", 0, 0) != 2) {
        fprintf(stderr, "%s is not a version-2 history (schemas/history.sql)\n", argv[1]);
        return 65;
    }
    /* The block range the time bounds allow: one seek each on the watermark indexes, as the service. */
    int64_t first = fetch_i64(
        db, "SELECT block_id FROM blocks WHERE time_high_ns >= ? ORDER BY time_high_ns, block_id LIMIT 1", q.since, 1);
    int64_t last = fetch_i64(
        db, "SELECT block_id FROM blocks WHERE time_low_ns < ? ORDER BY time_low_ns DESC, block_id DESC LIMIT 1", q.until, 0);
    const char *way = "scan";
    if (q.prefixes == 0) {
        scan(db, &q, first, last);
    } else {
        long id_count;
        int64_t *ids = topic_ids(db, &q, &id_count);
        int64_t topics = fetch_i64(db, "SELECT coalesce(max(topic_id), 0) FROM topics", 0, 0);
        int64_t indexed = fetch_i64(db, "SELECT coalesce(max(last_block_id), 0) FROM segments", 0, 0);
        if (id_count * SCAN_FRACTION >= topics) {
            scan(db, &q, first, last);
        } else {
            way = "index";
            int more = 1;
            if (id_count > 0 && first <= indexed) more = read_indexed(db, &q, ids, id_count, first, last < indexed ? last : indexed);
            if (more && last > indexed) scan(db, &q, first > indexed ? first : indexed + 1, last);
        }
        free(ids);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double seconds = now_seconds() - start;
    sqlite3_close(db);
    printf("{\"matched\":%lld,\"seconds\":%.6f,\"rate\":%.0f,\"blocks\":%lld,\"way\":\"%s\"}\n", q.matched, seconds,
           q.matched / seconds, q.blocks, way);
    return 0;
}
