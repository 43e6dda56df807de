/* test_accounting.c — property test: on random corpora with every kind of
 * bad line injected, a run accounts for every document (read = kept +
 * removed + rejected, each rejection under its reason), and dedup's output
 * is a subsequence of its input, byte for byte. The align task accounts
 * the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reprint.h"
#include "internal.h"
#include "test_util.h"

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct {
    char *data;
    size_t len, cap;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* A good document: words from a small vocabulary, sometimes a copy of an
 * earlier one (exact or with one word changed) so that dedup removes some. */
static void good_text(sbuf *b, sbuf *prev, int *n_prev)
{
    char w[32];
    size_t start = b->len;
    if (*n_prev > 0 && rnd() % 4 == 0) {
        put(b, prev->data, prev->len);
        if (rnd() % 2) puts_(b, " extra");
        return;
    }
    int words = 20 + (int)(rnd() % 60);
    for (int i = 0; i < words; i++) {
        snprintf(w, sizeof(w), "%sw%llu", i ? " " : "", (unsigned long long)(rnd() % 400));
        puts_(b, w);
    }
    prev->len = 0;
    put(prev, b->data + start, b->len - start);
    *n_prev = 1;
}

enum { N_BAD_KINDS = 8 };
static const rp_status bad_status[N_BAD_KINDS] = {
    RP_ERR_JSON, RP_ERR_NOT_OBJECT, RP_ERR_NO_TEXT, RP_ERR_BAD_ID,
    RP_ERR_JSON /* invalid UTF-8 inside a JSON string */,
    RP_ERR_JSON /* a lone surrogate escape (an escaped NUL is text) */, RP_ERR_EMPTY, RP_ERR_TOO_LARGE};

static void bad_line(sbuf *b, int kind, int id)
{
    char head[64];
    snprintf(head, sizeof(head), "{\"id\": %d, ", id);
    switch (kind) {
    case 0: puts_(b, head), puts_(b, "\"text\": \"cut short"); break;
    case 1: puts_(b, "[1, 2, 3]"); break;
    case 2: puts_(b, head), puts_(b, "\"body\": \"no text field\"}"); break;
    case 3: puts_(b, "{\"id\": [1], \"text\": \"an id that is a list\"}"); break;
    case 4: puts_(b, head), puts_(b, "\"text\": \"bad \xC3\x28 bytes\"}"); break;
    case 5: puts_(b, head), puts_(b, "\"text\": \"a \\ud800 lone surrogate\"}"); break;
    case 6: puts_(b, head), puts_(b, "\"text\": \" -- ... \"}"); break;
    case 7:
        puts_(b, head), puts_(b, "\"text\": \"");
        for (int i = 0; i < 700; i++) puts_(b, "long ");
        puts_(b, "\"}");
        break;
    }
    puts_(b, "\n");
}

typedef struct {
    uint64_t lines, bad, by[RP_STATUS_COUNT];
} truth;

static void make_corpus(sbuf *b, truth *t)
{
    sbuf prev = {0};
    int n_prev = 0;
    memset(t, 0, sizeof(*t));
    int n = 20 + (int)(rnd() % 200);
    for (int i = 0; i < n; i++) {
        if (rnd() % 5 == 0) {
            int kind = (int)(rnd() % N_BAD_KINDS);
            bad_line(b, kind, i);
            t->bad++;
            t->by[bad_status[kind]]++;
        } else {
            char head[64];
            snprintf(head, sizeof(head), "{\"id\": \"d%d\", \"text\": \"", i);
            puts_(b, head);
            good_text(b, &prev, &n_prev);
            puts_(b, "\"}\n");
        }
        t->lines++;
    }
    free(prev.data);
}

static void noop_reject(void *user, rp_status st, const char *msg)
{
    (void)user;
    (void)st;
    assert_true(strlen(msg) > 0);
}

/* Each line of out (split on newlines) appears in in, in order. */
static int is_subsequence(const char *out, size_t out_len, const char *in, size_t in_len)
{
    size_t i = 0, o = 0;
    while (o < out_len) {
        const char *oe = memchr(out + o, '\n', out_len - o);
        size_t ol = (oe ? (size_t)(oe - (out + o)) : out_len - o);
        int found = 0;
        while (i < in_len && !found) {
            const char *ie = memchr(in + i, '\n', in_len - i);
            size_t il = (ie ? (size_t)(ie - (in + i)) : in_len - i);
            found = il == ol && memcmp(in + i, out + o, ol) == 0;
            i += il + 1;
        }
        if (!found) return 0;
        o += ol + 1;
    }
    return 1;
}

/* The corpus dedup keeps, as it would write it. */
static void kept_output(rp_engine *e, char **out, size_t *len)
{
    FILE *f = open_memstream(out, len);
    assert_non_null(f);
    assert_int_equal(rp_engine_write_kept(e, f), RP_OK);
    fclose(f);
}

static void run_task(const char *path, const truth *t, rp_task task, const char *in, size_t in_len)
{
    rp_params p;
    rp_params_init(&p);
    p.skip_bad = 1;
    p.max_doc_bytes = 2000;
    p.task = task;
    rp_engine *e = rp_engine_create(&p);
    rp_engine_set_callbacks(e, noop_reject, NULL, NULL);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    rp_stats s;
    rp_engine_stats(e, &s);
    assert_int_equal(s.read, t->lines);
    assert_int_equal(s.read, s.kept + s.removed + s.rejected);
    assert_int_equal(s.rejected, t->bad);
    for (int k = 0; k < RP_STATUS_COUNT; k++) assert_int_equal(s.rejected_by[k], t->by[k]);
    if (task == RP_TASK_DEDUP) {
        size_t out_len;
        char *out;
        kept_output(e, &out, &out_len);
        size_t lines = 0;
        for (size_t i = 0; i < out_len; i++) lines += out[i] == '\n';
        assert_int_equal(lines, s.kept);
        assert_true(is_subsequence(out, out_len, in, in_len));
        free(out);
    } else {
        assert_int_equal(s.removed, 0);
    }
    rp_engine_free(e);
}

static void test_every_document_accounted_for(void **state)
{
    (void)state;
    for (int round = 0; round < 40; round++) {
        rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(round + 1);
        sbuf b = {0};
        truth t;
        make_corpus(&b, &t);
        const char *path = write_temp("accounting.jsonl", b.data, b.len);
        run_task(path, &t, RP_TASK_DEDUP, b.data, b.len);
        run_task(path, &t, RP_TASK_ALIGN, b.data, b.len);
        free(b.data);
    }
}

static void collect_reject(void *user, rp_status st, const char *msg)
{
    sbuf *b = user;
    char line[512];
    int n = snprintf(line, sizeof(line), "%s %s\n", rp_status_name(st), msg);
    put(b, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1));
}

/* An alignment as a line: the pair, and every passage's offsets and counts. */
static int put_alignment(void *user, const rp_alignment *al)
{
    sbuf *b = user;
    char line[256];
    int n = snprintf(line, sizeof(line), "%llu %llu %d %d %.6f %.6f:", (unsigned long long)al->a_index,
                     (unsigned long long)al->b_index, (int)al->relation, (int)al->source,
                     al->coverage_a, al->coverage_b);
    put(b, line, (size_t)n);
    for (size_t k = 0; k < al->n_passages; k++) {
        const rp_passage *ps = &al->passages[k];
        n = snprintf(line, sizeof(line), " %u-%u/%u-%u %u %u", ps->a_start, ps->a_end, ps->b_start,
                     ps->b_end, ps->matches, ps->identical);
        put(b, line, (size_t)n);
    }
    put(b, "\n", 1);
    return 0;
}

/* One run on threads threads (0: one per core): the kept corpus (or the
 * alignments' pairs), the rejection messages in the order they came when
 * on_reject is collect_reject, and the stats. */
static size_t g_max_doc_bytes = 2000;

static void run_threads(const char *path, rp_task task, unsigned threads, rp_reject_fn on_reject,
                        sbuf *out, rp_stats *s)
{
    rp_params p;
    rp_params_init(&p);
    p.skip_bad = 1;
    p.max_doc_bytes = g_max_doc_bytes;
    p.task = task;
    p.threads = threads;
    rp_engine *e = rp_engine_create(&p);
    rp_engine_set_callbacks(e, on_reject, NULL, out);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    rp_engine_stats(e, s);
    s->align_seconds = s->first_pass_seconds = s->candidates_seconds = 0; /* wall times vary */
    s->verify_seconds = s->write_seconds = s->collect_seconds = 0;
    s->threads = 0;
    if (task == RP_TASK_DEDUP) {
        size_t kept_len;
        char *kept;
        kept_output(e, &kept, &kept_len);
        put(out, kept, kept_len);
        free(kept);
    } else {
        assert_int_equal(rp_engine_foreach_alignment(e, put_alignment, out), RP_OK);
    }
    rp_engine_free(e);
}

/* Worker threads change nothing: same output, same rejections in the same
 * order, same counts, for dedup and align, on 1, 2 and 3 threads; align's
 * pairs aligned two at a time by whichever thread is free come out as when
 * one thread aligns them all in one go. */
static void test_threads_change_nothing(void **state)
{
    (void)state;
    rp__hooks.batch_max_records = 3; /* many batches in flight, even for small corpora */
    rp__hooks.split_bytes = 97;
    for (int round = 0; round < 12; round++) {
        rng = 0xD1B54A32D192ED03ULL * (uint64_t)(round + 7);
        sbuf b = {0};
        truth t;
        make_corpus(&b, &t);
        const char *path = write_temp("threads.jsonl", b.data, b.len);
        for (int task = RP_TASK_DEDUP; task <= RP_TASK_ALIGN; task++) {
            sbuf one = {0};
            rp_stats s1;
            rp__hooks.align_chunk_pairs = (size_t)1 << 30; /* all pairs in one chunk */
            run_threads(path, (rp_task)task, 1, collect_reject, &one, &s1);
            rp__hooks.align_chunk_pairs = 2;
            for (unsigned threads = 1; threads <= 3; threads++) {
                sbuf many = {0};
                rp_stats sn;
                run_threads(path, (rp_task)task, threads, collect_reject, &many, &sn);
                assert_int_equal(one.len, many.len);
                assert_memory_equal(one.data, many.data, one.len);
                assert_memory_equal(&s1, &sn, sizeof(s1));
                free(many.data);
            }
            free(one.data);
        }
        free(b.data);
    }
    rp__hooks.batch_max_records = 4096;
    rp__hooks.split_bytes = (size_t)1 << 20;
    rp__hooks.align_chunk_pairs = 256;
}

/* A directory of the temporary directory, made, and the path of a
 * corpus.jsonl in it: read as a file by offset, or as a directory in full. */
static void corpus_dir(const char *name, char dir[512], char file[600])
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 512, "%s/%s", tmp && *tmp ? tmp : "/tmp", name);
    mkdir(dir, 0700);
    snprintf(file, 600, "%s/corpus.jsonl", dir);
}

/* A plain JSONL file is read by the workers, each its own byte range, and
 * its wanted lines again by their offsets; a directory's files go through
 * the reader, in full, every pass. Both give the same corpus, counts and
 * messages, with blank lines, CRLF line ends, a last line without one, lines
 * over max_doc_bytes, and ranges of every size down to a byte. */
static void test_reading_by_offset_matches_reading_again(void **state)
{
    (void)state;
    char dir[512], file[600];
    corpus_dir("reprint-offsets", dir, file);
    for (int round = 0; round < 20; round++) {
        rng = 0xA0761D6478BD642FULL * (uint64_t)(round + 3);
        sbuf b = {0}, c = {0};
        truth t;
        make_corpus(&b, &t);
        for (size_t i = 0; i < b.len; i++) { /* blank lines and CRLF */
            if (b.data[i] == '\n' && rnd() % 7 == 0) puts_(&c, rnd() % 2 ? "\r" : "\n \t");
            put(&c, b.data + i, 1);
        }
        if (round % 2) c.data[--c.len] = 0; /* no newline at the end */
        FILE *f = fopen(file, "wb");
        assert_non_null(f);
        fwrite(c.data, 1, c.len, f);
        fclose(f);
        sbuf by_offset = {0}, again = {0};
        rp_stats s1, s2;
        static const size_t range[] = {1, 2, 3, 5, 64, 333, 4096, (size_t)1 << 20};
        rp__hooks.split_bytes = range[round % 8];
        run_threads(file, RP_TASK_DEDUP, round % 3, collect_reject, &by_offset, &s1);
        run_threads(dir, RP_TASK_DEDUP, 0, collect_reject, &again, &s2);
        rp__hooks.split_bytes = (size_t)1 << 20;
        assert_int_equal(s1.read, t.lines);
        assert_memory_equal(&s1, &s2, sizeof(s1));
        assert_int_equal(by_offset.len, again.len);
        assert_memory_equal(by_offset.data, again.data, by_offset.len);
        free(b.data);
        free(c.data);
        free(by_offset.data);
        free(again.data);
    }
    unlink(file);
    rmdir(dir);
}

/* Lines far longer than a worker's byte range (up to 300 KB, one over
 * max_doc_bytes), whose ends the workers read on to find, a little more
 * each time: the same corpus, counts and messages as reading the file in
 * full, with some long lines repeated so that the write pass copies them. */
static void test_long_lines_past_ranges_read_whole(void **state)
{
    (void)state;
    char dir[512], file[600];
    corpus_dir("reprint-long-lines", dir, file);
    rng = 0x9E3779B97F4A7C15ULL;
    sbuf c = {0};
    size_t lines = 0, starts[64];
    static const size_t sizes[] = {40, 900, 17000, 40000, 70000, 150000, 300000};
    for (int i = 0; i < 40; i++, lines++) {
        starts[i] = c.len;
        if (i > 4 && rnd() % 4 == 0) { /* an earlier line again: a copy */
            size_t from = starts[rnd() % (size_t)(i - 1)];
            const char *nl = memchr(c.data + from, '\n', c.len - from);
            char id[32];
            int n = snprintf(id, sizeof(id), "{\"id\": %d, ", i);
            put(&c, id, (size_t)n);
            const char *text = strstr(c.data + from, "\"text\"");
            put(&c, text, (size_t)(nl - text) + 1);
            continue;
        }
        char head[64];
        int n = snprintf(head, sizeof(head), "{\"id\": %d, \"text\": \"", i);
        put(&c, head, (size_t)n);
        size_t want = sizes[rnd() % (sizeof(sizes) / sizeof(sizes[0]))], at = c.len;
        while (c.len - at < want) {
            char w[16];
            n = snprintf(w, sizeof(w), "w%llu ", (unsigned long long)(rnd() % 3000));
            put(&c, w, (size_t)n);
        }
        puts_(&c, "\"}\n");
    }
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    fwrite(c.data, 1, c.len, f);
    fclose(f);
    g_max_doc_bytes = 200000; /* the 300 KB lines are rejected, read past */
    static const size_t range[] = {1, 777, 4096, 16384, 65536, (size_t)1 << 20};
    for (size_t r = 0; r < sizeof(range) / sizeof(range[0]); r++) {
        sbuf by_offset = {0}, again = {0};
        rp_stats s1, s2;
        rp__hooks.split_bytes = range[r];
        run_threads(file, RP_TASK_DEDUP, 1 + (unsigned)(r % 3), collect_reject, &by_offset, &s1);
        run_threads(dir, RP_TASK_DEDUP, 0, collect_reject, &again, &s2);
        rp__hooks.split_bytes = (size_t)1 << 20;
        assert_int_equal(s1.read, lines);
        assert_true(s1.removed > 3);
        assert_true(s1.rejected > 0);
        assert_memory_equal(&s1, &s2, sizeof(s1));
        assert_int_equal(by_offset.len, again.len);
        assert_memory_equal(by_offset.data, again.data, by_offset.len);
        free(by_offset.data);
        free(again.data);
    }
    g_max_doc_bytes = 2000;
    free(c.data);
    unlink(file);
    rmdir(dir);
}

static int no_cluster(void *user, const rp_cluster *c)
{
    (void)user, (void)c;
    fail_msg("a cluster listed from a changed input");
    return 1;
}

/* A file rewritten between the passes (same size, a new time) is reported,
 * never read at the old offsets. */
static void test_input_changed_between_passes_is_caught(void **state)
{
    (void)state;
    const char *text = "{\"id\": 1, \"text\": \"one two three four five six\"}\n"
                       "{\"id\": 2, \"text\": \"one two three four five six\"}\n";
    const char *path = write_temp("changed.jsonl", text, strlen(text));
    rp_params p;
    rp_params_init(&p);
    rp_engine *e = rp_engine_create(&p);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    char *other = strdup(text);
    other[strlen(other) - 4] = 'X';
    FILE *f = fopen(path, "wb");
    fwrite(other, 1, strlen(other), f);
    fclose(f);
    struct timespec later[2] = {{0, UTIME_OMIT}, {0, 0}};
    clock_gettime(CLOCK_REALTIME, &later[1]);
    later[1].tv_sec += 5; /* a new time even on a coarse clock */
    assert_int_equal(utimensat(AT_FDCWD, path, later, 0), 0);
    FILE *out = fopen("/dev/null", "wb");
    assert_int_equal(rp_engine_write_kept(e, out), RP_ERR_IO);
    fclose(out);
    assert_non_null(strstr(rp_engine_error(e), "changed between passes"));
    /* the two are exact copies, whose ids are read only when asked for */
    assert_int_equal(rp_engine_foreach_cluster(e, no_cluster, NULL), RP_ERR_IO);
    assert_non_null(strstr(rp_engine_error(e), "changed between passes"));
    assert_non_null(strstr(rp_engine_error(e), "changed.jsonl"));
    free(other);
    rp_engine_free(e);
}

/* A file of a directory overwritten between the passes, even with the same
 * size and within the same second: reported, never written with its new
 * content (the write pass had put out two identical documents). */
static void test_directory_member_changed_is_caught(void **state)
{
    (void)state;
    char dir[512], a[600], b[600];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/reprint-changed-dir", tmp && *tmp ? tmp : "/tmp");
    mkdir(dir, 0700);
    snprintf(a, sizeof(a), "%s/a.txt", dir);
    snprintf(b, sizeof(b), "%s/b.txt", dir);
    const char *ta = "the harbour council met on tuesday to fund the breakwater repairs";
    const char *tb = "the mountain rescue team trained all week for the winter season!!";
    assert_int_equal(strlen(ta), strlen(tb));
    FILE *f = fopen(a, "wb");
    fputs(ta, f);
    fclose(f);
    f = fopen(b, "wb");
    fputs(tb, f);
    fclose(f);
    struct stat before;
    stat(b, &before);
    rp_params p;
    rp_params_init(&p);
    rp_engine *e = rp_engine_create(&p);
    assert_int_equal(rp_engine_add_input(e, dir), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    f = fopen(b, "wb"); /* b now holds a's words: same size */
    fputs(ta, f);
    fclose(f);
    struct timespec same[2] = {before.st_atim, before.st_mtim}; /* and the same time */
    assert_int_equal(utimensat(AT_FDCWD, b, same, 0), 0);
    FILE *out = fopen("/dev/null", "wb");
    assert_int_equal(rp_engine_write_kept(e, out), RP_ERR_IO);
    fclose(out);
    assert_non_null(strstr(rp_engine_error(e), "changed between passes"));
    rp_engine_free(e);
    unlink(a), unlink(b), rmdir(dir);
}

/* A record without an id is named by its line, blank lines counted, and a
 * later pass that reads it by offset names it the same: the ids of the
 * pairs are the copies' line numbers. */
static int pair_ids(void *user, const rp_pair *p)
{
    sbuf *b = user;
    char s[128];
    int n = snprintf(s, sizeof(s), "%.*s-%.*s;", (int)p->a.len, p->a.str, (int)p->b.len, p->b.str);
    put(b, s, (size_t)n);
    return 0;
}

/* The pairs of the records in path, as "a-b;" of their ids, are want, on
 * one thread and on two. */
static void expect_pair_ids(const char *path, const char *want)
{
    for (unsigned threads = 1; threads <= 2; threads++) {
        rp_params p;
        rp_params_init(&p);
        p.threads = threads;
        rp_engine *e = rp_engine_create(&p);
        assert_int_equal(rp_engine_add_input(e, path), RP_OK);
        assert_int_equal(rp_engine_run(e), RP_OK);
        sbuf ids = {0};
        assert_int_equal(rp_engine_foreach_pair(e, pair_ids, &ids), RP_OK);
        put(&ids, "", 1);
        assert_string_equal(ids.data, want);
        free(ids.data);
        rp_engine_free(e);
    }
}

static void test_ids_from_lines_survive_reading_by_offset(void **state)
{
    (void)state;
    const char *copy = "{\"text\": \"alpha beta gamma delta epsilon zeta eta theta iota kappa\"}";
    sbuf text = {0};
    for (int line = 1; line <= 40; line++) {
        char rec[160];
        if (line % 7 == 3) { /* blank lines, one with spaces and a CR */
            puts_(&text, line % 2 ? "\n" : "  \r\n");
            continue;
        }
        if (line == 5 || line == 26 || line == 39) {
            snprintf(rec, sizeof(rec), "%s\n", copy);
        } else {
            snprintf(rec, sizeof(rec), "{\"text\": \"unrelated words of line %d, each its own %d\"}\n",
                     line, line * 31);
        }
        puts_(&text, rec);
    }
    const char *path = write_temp("noid.jsonl", text.data, text.len);
    expect_pair_ids(path, "5-26;5-39;26-39;");
    unlink(path);
    free(text.data);
}

/* Pairs come in order of (a, b) whatever mix of near-duplicates and exact
 * copies makes them: a copy takes every pair of the document it equals,
 * and those pairs fall between the edges' own. Documents: 1 and 4 and 6
 * equal, 2 and 5 near-duplicates of 1, 3 unrelated. */
static void test_pairs_of_copies_come_in_order(void **state)
{
    (void)state;
    const char *base = "the council approved the new budget for the harbour district after a long "
                       "debate about ferry fares parking fees and the cost of repairing the old pier";
    char near1[512], near2[512], body[2048];
    snprintf(near1, sizeof(near1), "%s today", base);
    snprintf(near2, sizeof(near2), "%s on monday", base);
    snprintf(body, sizeof(body),
             "{\"id\": \"1\", \"text\": \"%s\"}\n{\"id\": \"2\", \"text\": \"%s\"}\n"
             "{\"id\": \"3\", \"text\": \"an unrelated note about the weather\"}\n"
             "{\"id\": \"4\", \"text\": \"%s\"}\n{\"id\": \"5\", \"text\": \"%s\"}\n"
             "{\"id\": \"6\", \"text\": \"%s\"}\n",
             base, near1, base, near2, base);
    const char *path = write_temp("copies-order.jsonl", body, strlen(body));
    expect_pair_ids(path, "1-2;1-4;1-5;1-6;2-4;2-5;2-6;4-5;4-6;5-6;");
    unlink(path);
}

/* A file cut short while a later pass reads it (after its size was
 * checked, before a worker reads a span) is reported, on one thread and on
 * several, never worked on as if its records were there. */
typedef struct {
    const char *path;
    int cut;
    uint64_t committed;
} cut_ctx;

static void *cut_worker_new(void *ctx) { return ctx; }
static void cut_worker_free(void *state) { (void)state; }
static rp_status cut_work(void *state, const rp_record *r, rp_buf *out)
{
    (void)state;
    (void)r;
    return rp__buf_append(out, "", 1) ? RP_ERR_NOMEM : RP_OK;
}
static rp_status cut_commit(void *ctx, const rp_record *r)
{
    (void)r;
    ((cut_ctx *)ctx)->committed++;
    return RP_OK;
}
static int cut_first_time(void *ctx, uint64_t rec)
{
    cut_ctx *k = ctx;
    (void)rec;
    if (!k->cut++) assert_int_equal(truncate(k->path, 10), 0);
    return 1;
}

static void test_input_cut_during_a_later_pass_is_caught(void **state)
{
    (void)state;
    sbuf text = {0};
    for (int i = 0; i < 300; i++) {
        char line[128];
        int n = snprintf(line, sizeof(line), "{\"id\": %d, \"text\": \"words of line %d here\"}\n", i, i);
        put(&text, line, (size_t)n);
    }
    const rp__first_pass_ops ops = {cut_worker_new, cut_worker_free, cut_work, cut_commit, NULL};
    for (unsigned threads = 1; threads <= 2; threads++) {
        const char *path = write_temp("cut.jsonl", text.data, text.len);
        rp_params p;
        rp_params_init(&p);
        p.threads = threads;
        char err[RP_MSG_MAX] = "";
        rp_corpus c;
        assert_int_equal(rp__corpus_init(&c, &p, err), 0);
        assert_int_equal(rp__corpus_add(&c, path), RP_OK);
        rp_stats s;
        memset(&s, 0, sizeof(s));
        cut_ctx k = {path, 0, 0};
        assert_int_equal(rp__corpus_first_pass(&c, &s, &ops, &k), RP_OK);
        assert_int_equal(k.committed, 300);
        k.committed = 0;
        assert_int_equal(rp__corpus_pass_mt(&c, "testing", cut_first_time, &ops, &k), RP_ERR_IO);
        assert_int_equal(k.committed, 0);
        assert_non_null(strstr(err, "changed between passes"));
        rp__corpus_free(&c);
        unlink(path);
    }
    free(text.data);
}

/* The kept lines reach a file exactly, however the runs of kept lines
 * fall: long runs (a record of 40 KB) go file to file, short ones (a tenth
 * of many small records removed, here and there) through memory, more than
 * a span of them waiting at once, and the two kinds in turn. */
static void test_kept_runs_long_and_short_are_written_exactly(void **state)
{
    (void)state;
    sbuf text = {0}, want = {0};
    static char big[40000];
    for (int i = 0; i < 60000; i++) {
        char line[160];
        int n, copy = i > 10 && i % 10 == 3, huge = i % 5000 == 17;
        if (copy) /* the same words as line i - 7 */
            n = snprintf(line, sizeof(line), "{\"id\": %d, \"text\": \"unit %d of the %d list\"}\n", i,
                         (i - 7) * 31, (i - 7) % 97);
        else
            n = snprintf(line, sizeof(line), "{\"id\": %d, \"text\": \"unit %d of the %d list\"}\n", i,
                         i * 31, i % 97);
        if (huge) {
            size_t at = 0;
            at += (size_t)snprintf(big, sizeof(big), "{\"id\": %d, \"text\": \"", i);
            for (unsigned w = 0; at + 32 < sizeof(big); w++)
                at += (size_t)snprintf(big + at, sizeof(big) - at, "w%u_%d ", w * 2654435761u % 100003, i);
            at += (size_t)snprintf(big + at, sizeof(big) - at, "\"}\n");
            put(&text, big, at);
            put(&want, big, at);
            continue;
        }
        put(&text, line, (size_t)n);
        if (!copy) put(&want, line, (size_t)n);
    }
    const char *path = write_temp("runs.jsonl", text.data, text.len);
    rp_params p;
    rp_params_init(&p);
    rp_engine *e = rp_engine_create(&p);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    rp_stats s;
    rp_engine_stats(e, &s);
    assert_int_equal(s.read, 60000);
    assert_int_equal(s.removed, 5999); /* the copies: a tenth of the lines */
    FILE *out = tmpfile(); /* a descriptor: long runs by sendfile */
    assert_non_null(out);
    assert_int_equal(rp_engine_write_kept(e, out), RP_OK);
    assert_int_equal(fflush(out), 0);
    long len = ftell(out);
    assert_int_equal(len, (long)want.len);
    char *got = malloc(want.len);
    rewind(out);
    assert_int_equal(fread(got, 1, want.len, out), want.len);
    assert_memory_equal(got, want.data, want.len);
    fclose(out);
    free(got);
    rp_engine_free(e);
    unlink(path);
    free(text.data);
    free(want.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reading_by_offset_matches_reading_again),
        cmocka_unit_test(test_input_changed_between_passes_is_caught),
        cmocka_unit_test(test_directory_member_changed_is_caught),
        cmocka_unit_test(test_input_cut_during_a_later_pass_is_caught),
        cmocka_unit_test(test_ids_from_lines_survive_reading_by_offset),
        cmocka_unit_test(test_pairs_of_copies_come_in_order),
        cmocka_unit_test(test_threads_change_nothing),
        cmocka_unit_test(test_every_document_accounted_for),
        cmocka_unit_test(test_kept_runs_long_and_short_are_written_exactly),
        cmocka_unit_test(test_long_lines_past_ranges_read_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
