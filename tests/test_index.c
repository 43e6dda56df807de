/*
 * test_index.c — the persistent index through the library: adds, answers
 * equal to the two-text aligner's and the batch's scores, ids already
 * there, parameters that differ, get, delete, expire, backup, compact, and
 * queries on four threads while a fifth adds (under the sanitizers in that
 * build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static const char *const WIRE =
    "The harbour wall at Selby Cove gave way on Tuesday night after three days of high tides, "
    "flooding the lower market and the ferry office, the port authority said on Wednesday. "
    "Engineers had warned in the spring that the wall was weak where it met the old slipway.";
static const char *const COPY =
    "The harbour wall at Selby Cove gave way on Tuesday night after three days of high tides, "
    "flooding the lower market and the ferry office, the port authority said on Wednesday. "
    "Engineers had warned in the spring that the wall was weak where it met the old slipway. "
    "Readers can send their photographs to the newsroom.";
static const char *const OTHER =
    "A choir of forty children from the valley schools sang at the opening of the new library, "
    "which holds twelve thousand books and a room for the town's records going back two centuries.";

static void tmp_dir(char *out, size_t cap, const char *name)
{
    const char *d = getenv("TMPDIR");
    snprintf(out, cap, "%s/%s.%d", d && *d ? d : "/tmp", name, (int)getpid());
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out);
    assert_int_equal(system(cmd), 0);
}

static rp_index_doc doc(const char *id, const char *text, const char *date)
{
    rp_index_doc d = {.id = {id, strlen(id), 0}, .text = text, .text_len = strlen(text), .date = date, .date_len = date ? strlen(date) : 0};
    return d;
}

typedef struct {
    int pairs, alignments;
    char a[64], b[64];
    double jaccard, coverage_a;
    const char *evidence;
} seen;

static int on_pair(void *u, const rp_pair *p)
{
    seen *s = u;
    s->pairs++;
    snprintf(s->a, sizeof(s->a), "%.*s", (int)p->a.len, p->a.str);
    snprintf(s->b, sizeof(s->b), "%.*s", (int)p->b.len, p->b.str);
    s->jaccard = p->jaccard;
    return 0;
}

static int on_alignment(void *u, const rp_alignment *al)
{
    seen *s = u;
    s->alignments++;
    s->coverage_a = al->coverage_a;
    s->evidence = al->source_evidence;
    return 0;
}

static void test_add_query_delete(void **state)
{
    (void)state;
    char dir[512], err[RP_ERROR_MAX];
    tmp_dir(dir, sizeof(dir), "idx");
    rp_params p;
    rp_params_init(&p);
    p.measure = RP_MEASURE_CONTAINMENT;
    rp_index *ix;
    assert_int_equal(rp_index_open(dir, &p, 0, &ix, err), RP_ERR_INDEX); /* none there yet */
    assert_int_equal(rp_index_open(dir, &p, RP_INDEX_CREATE, &ix, err), RP_OK);
    rp_index_doc docs[3] = {doc("wire", WIRE, "2026-01-02"), doc("other", OTHER, NULL), doc("wire", COPY, NULL)};
    rp_status st[3];
    assert_int_equal(rp_index_add(ix, docs, 3, st, err), RP_OK);
    assert_int_equal(st[0], RP_OK);
    assert_int_equal(st[1], RP_OK);
    assert_int_equal(st[2], RP_ERR_EXISTS); /* the same id later in the batch */

    /* a new document: its copy of the wire is found, as pairs and passages */
    rp_index_doc q = doc("copy", COPY, "2026-01-03");
    seen s = {0};
    rp_query_out out = {on_pair, on_alignment, &s};
    assert_int_equal(rp_index_query(ix, &q, RP_QUERY_PAIRS | RP_QUERY_PASSAGES, &out, err), RP_OK);
    assert_int_equal(s.pairs, 1);
    assert_string_equal(s.a, "wire"); /* the indexed one is the earlier */
    assert_string_equal(s.b, "copy");
    assert_int_equal(s.alignments, 1);
    assert_string_equal(s.evidence, "date");
    /* the two-text aligner says the same of the pair */
    rp_aligner *al = rp_aligner_create(&p);
    rp_alignment direct;
    assert_int_equal(rp_align(al, WIRE, strlen(WIRE), COPY, strlen(COPY), &direct), RP_OK);
    assert_true(fabs(direct.coverage_a - s.coverage_a) < 1e-6);
    rp_aligner_free(al);

    /* the indexed wire is not its own copy */
    rp_index_doc self = doc("wire", WIRE, NULL);
    memset(&s, 0, sizeof(s));
    assert_int_equal(rp_index_query(ix, &self, RP_QUERY_PAIRS | RP_QUERY_PASSAGES, &out, err), RP_OK);
    assert_int_equal(s.pairs + s.alignments, 0);

    /* parameters that differ are refused, naming the first */
    rp_index *other;
    rp_params p4 = p;
    p4.ngram = 4;
    assert_int_equal(rp_index_open(dir, &p4, 0, &other, err), RP_ERR_INDEX);
    assert_non_null(strstr(err, "ngram"));

    /* a backup answers as the index */
    char copy_dir[600];
    snprintf(copy_dir, sizeof(copy_dir), "%s.bak", dir);
    tmp_dir(copy_dir, sizeof(copy_dir), "idx-bak");
    assert_int_equal(rp_index_backup(ix, copy_dir, 0, err), RP_OK);

    rp_id wire = {"wire", 4, 0};
    assert_int_equal(rp_index_delete(ix, &wire, err), RP_OK);
    assert_int_equal(rp_index_delete(ix, &wire, err), RP_ERR_NOT_FOUND);
    memset(&s, 0, sizeof(s));
    assert_int_equal(rp_index_query(ix, &q, RP_QUERY_PAIRS | RP_QUERY_PASSAGES, &out, err), RP_OK);
    assert_int_equal(s.pairs + s.alignments, 0);
    rp_index_stats stats;
    assert_int_equal(rp_index_stat(ix, &stats, err), RP_OK);
    assert_int_equal(stats.documents, 1);
    assert_int_equal(stats.deleted, 1);
    uint64_t log_before = stats.log_bytes;
    assert_int_equal(rp_index_compact(ix, err), RP_OK);
    assert_int_equal(rp_index_stat(ix, &stats, err), RP_OK);
    assert_true(stats.log_bytes < log_before);
    assert_int_equal(stats.documents, 1);
    uint64_t gone = 0;
    assert_int_equal(rp_index_expire(ix, UINT64_MAX / 2, 0, &gone, err), RP_OK);
    assert_int_equal(gone, 1);
    rp_index_close(ix);

    assert_int_equal(rp_index_open(copy_dir, &p, RP_INDEX_READONLY, &ix, err), RP_OK);
    memset(&s, 0, sizeof(s));
    assert_int_equal(rp_index_query(ix, &q, RP_QUERY_PAIRS | RP_QUERY_PASSAGES, &out, err), RP_OK);
    assert_int_equal(s.pairs, 1);
    assert_int_equal(s.alignments, 1);
    assert_int_equal(rp_index_add(ix, &q, 1, st, err), RP_ERR_USAGE); /* read-only */
    rp_index_close(ix);
}

/* Queries on four threads while the main one adds: every query answers,
 * and each finds the wire the index had from the start. */
typedef struct {
    rp_index *ix;
    atomic_int *stop;
    int found, failed;
} querier;

static void *query_loop(void *arg)
{
    querier *qr = arg;
    rp_index_doc q = doc("copy", COPY, NULL);
    char err[RP_ERROR_MAX];
    while (!atomic_load(qr->stop)) {
        seen s = {0};
        rp_query_out out = {on_pair, on_alignment, &s};
        if (rp_index_query(qr->ix, &q, RP_QUERY_PAIRS | RP_QUERY_PASSAGES, &out, err) != RP_OK) qr->failed++;
        qr->found += s.pairs >= 1 && s.alignments >= 1;
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    char dir[512], err[RP_ERROR_MAX];
    tmp_dir(dir, sizeof(dir), "idx-mt");
    rp_params p;
    rp_params_init(&p);
    rp_index *ix;
    assert_int_equal(rp_index_open(dir, &p, RP_INDEX_CREATE, &ix, err), RP_OK);
    rp_index_doc w = doc("wire", WIRE, NULL);
    assert_int_equal(rp_index_add(ix, &w, 1, NULL, err), RP_OK);
    atomic_int stop = 0;
    querier qs[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        qs[k] = (querier){ix, &stop, 0, 0};
        pthread_create(&th[k], NULL, query_loop, &qs[k]);
    }
    char ids[200][16];
    for (int b = 0; b < 20; b++) {
        rp_index_doc batch[10];
        for (int i = 0; i < 10; i++) {
            snprintf(ids[b * 10 + i], 16, "n%d", b * 10 + i);
            batch[i] = doc(ids[b * 10 + i], (b + i) % 2 ? OTHER : COPY, NULL);
        }
        assert_int_equal(rp_index_add(ix, batch, 10, NULL, err), RP_OK);
    }
    atomic_store(&stop, 1);
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        assert_int_equal(qs[k].failed, 0);
        assert_true(qs[k].found > 0);
    }
    rp_index_stats s;
    assert_int_equal(rp_index_stat(ix, &s, err), RP_OK);
    assert_int_equal(s.documents, 201);
    rp_index_close(ix);
}

static int count_pairs(void *u, const rp_pair *p)
{
    (void)p;
    ++*(int *)u;
    return 0;
}

/* 600 copies of one text added in 12 commits: their postings are merged
 * runs in which a key's 600 documents span several blocks; every copy is
 * found (exact copies have no bucket cap); deletes and a compaction leave
 * one run without the deleted. */
static void test_runs(void **state)
{
    (void)state;
    char dir[512], err[RP_ERROR_MAX];
    tmp_dir(dir, sizeof(dir), "idx-runs");
    rp_params p;
    rp_params_init(&p);
    p.threads = 1;
    rp_index *ix;
    assert_int_equal(rp_index_open(dir, &p, RP_INDEX_CREATE, &ix, err), RP_OK);
    static char ids[600][16];
    rp_index_doc batch[50];
    for (int b = 0; b < 12; b++) {
        for (int i = 0; i < 50; i++) {
            snprintf(ids[b * 50 + i], 16, "c%d", b * 50 + i);
            batch[i] = doc(ids[b * 50 + i], WIRE, NULL);
        }
        assert_int_equal(rp_index_add(ix, batch, 50, NULL, err), RP_OK);
    }
    rp_index_stats s;
    assert_int_equal(rp_index_stat(ix, &s, err), RP_OK);
    assert_true(s.runs < 12); /* merged */
    rp_index_doc q = doc("new", WIRE, NULL);
    int n = 0;
    rp_query_out out = {count_pairs, NULL, &n};
    assert_int_equal(rp_index_query(ix, &q, RP_QUERY_PAIRS, &out, err), RP_OK);
    assert_int_equal(n, 600);
    for (int i = 0; i < 100; i++) {
        rp_id id = {ids[i * 6], strlen(ids[i * 6]), 0};
        assert_int_equal(rp_index_delete(ix, &id, err), RP_OK);
    }
    n = 0;
    assert_int_equal(rp_index_query(ix, &q, RP_QUERY_PAIRS, &out, err), RP_OK);
    assert_int_equal(n, 500);
    uint64_t before = s.postings;
    assert_int_equal(rp_index_compact(ix, err), RP_OK);
    assert_int_equal(rp_index_stat(ix, &s, err), RP_OK);
    assert_int_equal(s.runs, 1);
    assert_true(s.postings < before);
    n = 0;
    assert_int_equal(rp_index_query(ix, &q, RP_QUERY_PAIRS, &out, err), RP_OK);
    assert_int_equal(n, 500);
    rp_index_close(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_query_delete),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
