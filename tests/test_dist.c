/* test_dist.c — dedup (and align) as ranks of a distributed run decides what one
 * process decides: over a transport of threads in this process (the
 * program's is MPI; tests/mpi.sh runs that), for 1, 2, 3 and 7 ranks, each
 * rank's kept records, concatenated in rank order, are one process's
 * output byte for byte, and the run's counts (read, kept, removed, exact,
 * rejected, candidates, clusters) are one process's, on every rank; with
 * buckets capped small (chained identically) and with the pairs scored in
 * full or only where they join clusters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "test_util.h"

#include "corpus_gen.h"

/* ------------------------------------------------- a transport of threads */

#define MAX_RANKS 8

typedef struct {
    int size;
    pthread_barrier_t bar;
    const void *send[MAX_RANKS];
    const uint64_t *send_bytes[MAX_RANKS];
    uint64_t *v[MAX_RANKS];
} hub;

typedef struct {
    hub *h;
    int rank;
} port;

static int t_exchange(void *ctx, const void *send, const uint64_t *send_bytes, void **recv,
                      uint64_t *recv_bytes)
{
    port *pt = ctx;
    hub *h = pt->h;
    h->send[pt->rank] = send;
    h->send_bytes[pt->rank] = send_bytes;
    pthread_barrier_wait(&h->bar);
    uint64_t total = 0;
    for (int p = 0; p < h->size; p++) total += recv_bytes[p] = h->send_bytes[p][pt->rank];
    char *buf = malloc(total ? total : 1), *at = buf;
    for (int p = 0; p < h->size; p++) {
        uint64_t off = 0;
        for (int q = 0; q < pt->rank; q++) off += h->send_bytes[p][q];
        if (recv_bytes[p]) memcpy(at, (const char *)h->send[p] + off, recv_bytes[p]);
        at += recv_bytes[p];
    }
    *recv = buf;
    pthread_barrier_wait(&h->bar); /* the senders' buffers are read */
    return 0;
}

static int t_allreduce(void *ctx, uint64_t *v, size_t n, int op)
{
    port *pt = ctx;
    hub *h = pt->h;
    h->v[pt->rank] = v;
    pthread_barrier_wait(&h->bar);
    uint64_t *r = calloc(n ? n : 1, sizeof(uint64_t));
    for (int p = 0; p < h->size; p++)
        for (size_t k = 0; k < n; k++)
            r[k] = op == RP_COMM_SUM ? r[k] + h->v[p][k] : (h->v[p][k] > r[k] ? h->v[p][k] : r[k]);
    pthread_barrier_wait(&h->bar); /* everyone has read every v */
    memcpy(v, r, n * sizeof(uint64_t));
    free(r);
    return 0;
}

/* --------------------------------------------------------------- runs */

static uint64_t g_gather_edges; /* what the runs' rp_comm says */
static const char *g_checkpoint;

typedef struct {
    hub *h;
    port pt;
    rp_params p;
    const char *path;
    uint64_t gather_edges;    /* rp_comm's */
    rp_status st;
    rp_stats stats;
    rp_dist_stats ds;
    uint64_t clusters_digest; /* rank 0: of the clusters it listed */
    uint64_t clusters_listed;
    uint64_t pairs_digest;    /* rank 0: of the pairs it listed (every pair scored) */
    uint64_t pairs_listed;
    char *out;                /* this rank's kept records */
    size_t out_len;
    char err[RP_MSG_MAX];
} rank_run;

/* The clusters, digested: numbers, members' ids in order. */
static int digest(void *user, const rp_cluster *c)
{
    uint64_t *g = user;
    g[1]++;
    g[0] = g[0] * 31 + c->cluster;
    for (size_t m = 0; m < c->n_members; m++)
        for (size_t k = 0; k < c->members[m].len; k++) g[0] = (g[0] ^ (uint8_t)c->members[m].str[k]) * 1099511628211ULL;
    return 0;
}

static int digest_pair(void *user, const rp_pair *p)
{
    uint64_t *g = user;
    g[1]++;
    g[0] = g[0] * 31 + (p->a_index << 32 | p->b_index);
    g[0] = g[0] * 31 + (uint64_t)(p->jaccard * 1e6) + (uint64_t)(p->containment_a * 1e3) +
           (uint64_t)(p->containment_b * 1e9);
    for (size_t k = 0; k < p->a.len; k++) g[0] = (g[0] ^ (uint8_t)p->a.str[k]) * 1099511628211ULL;
    for (size_t k = 0; k < p->b.len; k++) g[0] = (g[0] ^ (uint8_t)p->b.str[k]) * 1099511628211ULL;
    return 0;
}

static int g_sink; /* align's runs hand their alignments to a sink as they are made */
static char *g_align_want; /* an earlier run's alignments, which the next must equal */
static size_t g_align_want_len;

static int write_alignment(void *user, const rp_alignment *al)
{
    return rp_write_alignment_jsonl(user, al) != 0;
}

/* The inputs of a run: one path, or several separated by commas. */
static rp_status add_inputs(rp_engine *e, const char *paths)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", paths);
    rp_status st = RP_OK;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p && st == RP_OK; p = strtok_r(NULL, ",", &save))
        st = rp_engine_add_input(e, p);
    return st;
}

static void *run_rank(void *arg)
{
    rank_run *r = arg;
    rp_comm cm = {r->pt.rank, r->h->size, &r->pt, t_exchange, t_allreduce, r->gather_edges, g_checkpoint};
    rp_engine *e = rp_engine_create(&r->p);
    add_inputs(e, r->path);
    FILE *streamed = NULL; /* align with a sink: its alignments as they are made */
    if (r->p.task == RP_TASK_ALIGN && g_sink) {
        streamed = open_memstream(&r->out, &r->out_len);
        rp_engine_set_alignment_sink(e, write_alignment, streamed);
    }
    r->st = rp_engine_run_distributed(e, &cm);
    snprintf(r->err, sizeof(r->err), "%s", rp_engine_error(e));
    if (streamed) {
        fclose(streamed);
        rp_engine_stats(e, &r->stats);
        rp_engine_dist_stats(e, &r->ds);
        if (r->st == RP_OK && rp_engine_foreach_alignment(e, write_alignment, stderr) != RP_ERR_USAGE)
            r->st = RP_ERR_USAGE; /* nothing is kept to list */
    } else if (r->st == RP_OK && r->p.task == RP_TASK_ALIGN) { /* its alignments, as JSONL */
        FILE *f = open_memstream(&r->out, &r->out_len);
        r->st = rp_engine_foreach_alignment(e, write_alignment, f);
        fclose(f);
        rp_engine_stats(e, &r->stats);
        rp_engine_dist_stats(e, &r->ds);
    } else if (r->st == RP_OK) {
        FILE *f = open_memstream(&r->out, &r->out_len);
        r->st = rp_engine_write_kept(e, f);
        fclose(f);
        rp_engine_stats(e, &r->stats);
        rp_engine_dist_stats(e, &r->ds);
        uint64_t g[2] = {0, 0};
        if (r->st == RP_OK) r->st = rp_engine_foreach_cluster_distributed(e, &cm, r->pt.rank ? NULL : digest, g);
        r->clusters_digest = g[0], r->clusters_listed = g[1];
        uint64_t q[2] = {0, 0};
        if (r->st == RP_OK && !r->p.connect_only)
            r->st = rp_engine_foreach_pair_distributed(e, &cm, r->pt.rank ? NULL : digest_pair, q);
        r->pairs_digest = q[0], r->pairs_listed = q[1];
    }
    rp_engine_free(e);
    return NULL;
}

/* The whole run's output and counts, as ranks ranks make them. */
static void run_ranks(const rp_params *p, const char *path, int ranks, rank_run *runs)
{
    hub h = {.size = ranks};
    pthread_barrier_init(&h.bar, NULL, (unsigned)ranks);
    pthread_t th[MAX_RANKS];
    for (int k = 0; k < ranks; k++) {
        memset(&runs[k], 0, sizeof(runs[k]));
        runs[k] = (rank_run){.h = &h, .pt = {&h, k}, .p = *p, .path = path, .gather_edges = g_gather_edges};
        pthread_create(&th[k], NULL, run_rank, &runs[k]);
    }
    for (int k = 0; k < ranks; k++) pthread_join(th[k], NULL);
    pthread_barrier_destroy(&h.bar);
}

/* The ranks' outputs in rank order (each rank must have succeeded), no
 * longer than want_len. */
static char *joined_output(rank_run *runs, int ranks, size_t want_len, size_t *got_len, const char *what)
{
    char *got = malloc(want_len + 1);
    *got_len = 0;
    for (int k = 0; k < ranks; k++) {
        if (runs[k].st != RP_OK) fail_msg("%s, %d ranks: rank %d: %s", what, ranks, k, runs[k].err);
        assert_true(*got_len + runs[k].out_len <= want_len);
        memcpy(got + *got_len, runs[k].out, runs[k].out_len);
        *got_len += runs[k].out_len;
        free(runs[k].out);
    }
    return got;
}

static uint64_t g_want_clusters[2], g_want_pairs[2]; /* one process's, digested */

static void one_process(const rp_params *p, const char *path, char **out, size_t *len, rp_stats *s)
{
    rp_engine *e = rp_engine_create(p);
    assert_int_equal(add_inputs(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    g_want_clusters[0] = g_want_clusters[1] = 0;
    assert_int_equal(rp_engine_foreach_cluster(e, digest, g_want_clusters), RP_OK);
    g_want_pairs[0] = g_want_pairs[1] = 0;
    assert_int_equal(rp_engine_foreach_pair(e, digest_pair, g_want_pairs), RP_OK);
    FILE *f = open_memstream(out, len);
    assert_int_equal(rp_engine_write_kept(e, f), RP_OK);
    fclose(f);
    rp_engine_stats(e, s);
    rp_engine_free(e);
}

static void check_same(const rp_params *p, const char *path, const char *what)
{
    char *want;
    size_t want_len;
    rp_stats ws;
    one_process(p, path, &want, &want_len, &ws);
    assert_true(ws.removed > 20);
    if (p->max_bucket < 10) assert_true(ws.truncated_buckets > 10);
    static const int sizes[] = {1, 2, 3, 7};
    for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
        int ranks = sizes[z];
        rank_run runs[MAX_RANKS];
        run_ranks(p, path, ranks, runs);
        size_t got_len;
        char *got = joined_output(runs, ranks, want_len, &got_len, what);
        uint64_t records = 0, exchanged = 0, rounds = 0;
        for (int k = 0; k < ranks; k++) {
            const rp_stats *s = &runs[k].stats;
            assert_int_equal(s->read, ws.read);
            assert_int_equal(s->kept, ws.kept);
            assert_int_equal(s->removed, ws.removed);
            assert_int_equal(s->removed_exact, ws.removed_exact);
            assert_int_equal(s->rejected, ws.rejected);
            assert_int_equal(s->candidate_pairs, ws.candidate_pairs);
            assert_int_equal(s->clusters, ws.clusters);
            assert_int_equal(s->truncated_buckets, ws.truncated_buckets);
            if (!p->connect_only) assert_int_equal(s->similar_pairs, ws.similar_pairs);
            assert_int_equal(runs[k].ds.first_record, records);
            if (k == 0) { /* the clusters listed on rank 0 are one process's */
                assert_int_equal(runs[0].clusters_listed, g_want_clusters[1]);
                assert_true(runs[0].clusters_digest == g_want_clusters[0]);
                if (!p->connect_only) { /* and so are the pairs, exact copies' included */
                    assert_int_equal(runs[0].pairs_listed, g_want_pairs[1]);
                    assert_true(runs[0].pairs_digest == g_want_pairs[0]);
                }
            }
            if (g_gather_edges == 1 && ranks > 1) assert_true(runs[k].ds.cluster_rounds > 1);
            rounds = runs[k].ds.cluster_rounds;
            records += runs[k].ds.records;
            exchanged += runs[k].ds.bytes_sent;
        }
        assert_int_equal(records, ws.read);
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);
        if (ranks > 1) assert_true(exchanged > 0);
        print_message("%s, %d rank%s: the same %zu bytes kept (%llu of %llu records), %llu bytes "
                      "exchanged, clusters in %llu round%s\n",
                      what, ranks, ranks > 1 ? "s" : "", got_len, (unsigned long long)ws.kept,
                      (unsigned long long)ws.read, (unsigned long long)exchanged,
                      (unsigned long long)rounds, rounds == 1 ? "" : "s");
        free(got);
    }
    free(want);
}

static void test_ranks_decide_as_one_process(void **state)
{
    (void)state;
    char path[] = "test_dist_corpus.jsonl";
    write_corpus(path, 3000);
    rp_params p;
    rp_params_init(&p);
    p.skip_bad = 1;
    p.threads = 2;
    p.threshold = 0.5;
    check_same(&p, path, "every pair scored");
    p.connect_only = 1;
    check_same(&p, path, "pairs scored where they join clusters");
    p.max_bucket = 3; /* many buckets chained */
    check_same(&p, path, "buckets capped at 3");
    rp__hooks.dist_group_bytes = 1; /* a band an exchange */
    check_same(&p, path, "a band an exchange");
    rp__hooks.dist_group_bytes = (size_t)256 << 20;
    g_gather_edges = 1; /* the clusters by label propagation among the ranks */
    p.max_bucket = 256;
    check_same(&p, path, "clusters by label propagation");
    p.connect_only = 0;
    check_same(&p, path, "clusters of every pair by label propagation");
    p.max_bucket = 3; /* chained buckets: long paths to label */
    check_same(&p, path, "chained buckets by label propagation");
    g_gather_edges = 0;
    remove(path);
}

/* align as ranks lists what one process lists: each rank the alignments of
 * its first documents, in rank order one process's JSONL, byte for byte,
 * and the run's counts on every rank. */
static void check_same_alignments(const rp_params *p, const char *path, const char *what)
{
    rp_engine *e = rp_engine_create(p);
    assert_int_equal(add_inputs(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    char *want;
    size_t want_len;
    FILE *f = open_memstream(&want, &want_len);
    assert_int_equal(rp_engine_foreach_alignment(e, write_alignment, f), RP_OK);
    fclose(f);
    rp_stats ws;
    rp_engine_stats(e, &ws);
    rp_engine_free(e);
    assert_true(ws.aligned_pairs > 50);
    if (p->memory_limit == 1) assert_true(ws.spilled_bytes > 100000); /* most of the index went to disk */
    if (g_align_want) { /* what the same corpus gave before */
        assert_int_equal(want_len, g_align_want_len);
        assert_memory_equal(want, g_align_want, want_len);
    }
    static const int sizes[] = {1, 2, 3, 7};
    for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
        int ranks = sizes[z];
        rank_run runs[MAX_RANKS];
        run_ranks(p, path, ranks, runs);
        size_t got_len;
        char *got = joined_output(runs, ranks, want_len, &got_len, what);
        uint64_t records = 0, ghosts = 0;
        for (int k = 0; k < ranks; k++) {
            const rp_stats *s = &runs[k].stats;
            assert_int_equal(s->read, ws.read);
            assert_int_equal(s->rejected, ws.rejected);
            assert_int_equal(s->fingerprints, ws.fingerprints);
            assert_int_equal(s->common_fingerprints, ws.common_fingerprints);
            assert_int_equal(s->candidate_pairs, ws.candidate_pairs);
            assert_int_equal(s->aligned_pairs, ws.aligned_pairs);
            assert_int_equal(s->passages, ws.passages);
            assert_int_equal(s->boilerplate_fingerprints, ws.boilerplate_fingerprints);
            assert_int_equal(s->boilerplate_words, ws.boilerplate_words);
            assert_int_equal(s->boilerplate_pairs, ws.boilerplate_pairs);
            assert_int_equal(s->banal_passages, ws.banal_passages);
            assert_int_equal(runs[k].ds.first_record, records);
            records += runs[k].ds.records;
            ghosts += runs[k].ds.ghosts;
        }
        assert_int_equal(records, ws.read);
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);
        if (ranks > 1) assert_true(ghosts > 0);
        print_message("%s, %d rank%s: the same %llu alignments (%zu bytes), %llu ghosts\n", what, ranks,
                      ranks > 1 ? "s" : "", (unsigned long long)ws.aligned_pairs, got_len,
                      (unsigned long long)ghosts);
        free(got);
    }
    free(want);
}

static void test_ranks_align_as_one_process(void **state)
{
    (void)state;
    char path[] = "test_dist_align.jsonl";
    write_corpus(path, 1500);
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_ALIGN;
    p.skip_bad = 1;
    p.threads = 2;
    size_t chunk_pairs = rp__hooks.align_chunk_pairs;
    check_same_alignments(&p, path, "align");
    g_sink = 1;
    check_same_alignments(&p, path, "align, each rank's alignments streamed to a sink");
    rp__hooks.align_chunk_pairs = 1; /* chunks of a pair or so: many hand-overs, a window full */
    check_same_alignments(&p, path, "align streamed in chunks of one first document");
    rp__hooks.align_chunk_pairs = chunk_pairs;
    g_sink = 0;
    /* the index spilled to a temporary file as it grows, blocks of 16
     * entries, every full one written: the same alignments */
    FILE *f = open_memstream(&g_align_want, &g_align_want_len);
    rp_engine *e = rp_engine_create(&p);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    assert_int_equal(rp_engine_foreach_alignment(e, write_alignment, f), RP_OK);
    rp_engine_free(e);
    fclose(f);
    rp__hooks.align_block_entries = 16;
    p.memory_limit = 1;
    check_same_alignments(&p, path, "align, the index spilled");
    rp__hooks.align_block_entries = 8192;
    p.memory_limit = 0;
    free(g_align_want);
    g_align_want = NULL;
    p.threads = 1;
    p.boilerplate = RP_BOILERPLATE_SHOW;
    p.max_df = 4; /* stars of common keys, and keys judged */
    check_same_alignments(&p, path, "align, boilerplate shown, max_df 4");
    remove(path);
}

/* Bad input without skip_bad fails every rank, and the message is one
 * rank's: the first failed rank's, which names the first bad line, as one
 * process does (the lines before a rank's share are the sum of the counts
 * of the shares before it). */
static void test_bad_input_fails_every_rank(void **state)
{
    (void)state;
    char path[] = "test_dist_bad.jsonl";
    write_corpus(path, 600);
    /* one bad line only, late in the file: in a later rank's share, whose
     * line numbers count the lines of the shares before it */
    FILE *f = fopen(path, "r");
    char *all = NULL, *line = NULL;
    size_t all_len = 0, cap = 0;
    FILE *m = open_memstream(&all, &all_len);
    ssize_t n;
    for (int k = 0; (n = getline(&line, &cap, f)) > 0; k++) {
        if (strstr(line, "oops")) continue;
        if (k == 500) fputs("{\"id\": 1, oops}\n", m);
        fwrite(line, 1, (size_t)n, m);
    }
    fclose(m);
    fclose(f);
    f = fopen(path, "w");
    fwrite(all, 1, all_len, f);
    fclose(f);
    free(all), free(line);
    rp_params p;
    rp_params_init(&p);
    rp_engine *e = rp_engine_create(&p);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_ERR_JSON);
    char want[RP_MSG_MAX];
    snprintf(want, sizeof(want), "%s", rp_engine_error(e));
    rp_engine_free(e);
    const char *at = strstr(want, ".jsonl:");
    assert_non_null(at);
    assert_true(atoi(at + 7) > 300); /* past the first shares of 2 and 7 ranks */
    for (int ranks = 2; ranks <= 7; ranks += 5) {
        rank_run runs[MAX_RANKS];
        run_ranks(&p, path, ranks, runs);
        int named = 0;
        for (int k = 0; k < ranks; k++) {
            assert_int_equal(runs[k].st, RP_ERR_JSON);
            if (runs[k].err[0]) {
                named++;
                assert_string_equal(runs[k].err, want);
            }
        }
        assert_int_equal(named, 1);
    }
    remove(path);
}

/* A checkpointed run read back: from the pairs (both stages on every
 * rank), from the signed records (a rank's pairs lost), not at all for
 * another number of ranks; the same output each time. */
static void test_checkpoints_resume(void **state)
{
    (void)state;
    char path[] = "test_dist_ckpt.jsonl", dir[] = "test_dist_ckpt";
    write_corpus(path, 1500);
    rp_params p;
    rp_params_init(&p);
    p.skip_bad = 1;
    p.connect_only = 1;
    char *want;
    size_t want_len;
    rp_stats ws;
    one_process(&p, path, &want, &want_len, &ws);
    mkdir(dir, 0755);
    g_checkpoint = dir;
    static const int expect[] = {0, 2, 1, 0};
    for (int pass = 0; pass < 4; pass++) {
        int ranks = pass == 3 ? 2 : 3;
        if (pass == 2) remove("test_dist_ckpt/rank-1-of-3.pairs");
        rank_run runs[MAX_RANKS];
        run_ranks(&p, path, ranks, runs);
        size_t got_len = 0;
        char *got = malloc(want_len + 1);
        for (int k = 0; k < ranks; k++) {
            if (runs[k].st != RP_OK) fail_msg("pass %d rank %d: %s", pass, k, runs[k].err);
            assert_int_equal(runs[k].ds.resumed_stage, expect[pass]);
            assert_int_equal(runs[k].stats.kept, ws.kept);
            assert_int_equal(runs[k].stats.read, ws.read);
            assert_int_equal(runs[k].stats.candidate_pairs, ws.candidate_pairs);
            assert_true(got_len + runs[k].out_len <= want_len);
            memcpy(got + got_len, runs[k].out, runs[k].out_len);
            got_len += runs[k].out_len;
            free(runs[k].out);
        }
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);
        free(got);
    }
    g_checkpoint = NULL;
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 2; k++) {
            char f[128];
            snprintf(f, sizeof(f), "%s/rank-%d-of-%d.%s", dir, r, 2 + k, k ? "sign" : "pairs");
            remove(f);
            snprintf(f, sizeof(f), "%s/rank-%d-of-%d.%s", dir, r, 2 + k, k ? "pairs" : "sign");
            remove(f);
        }
    rmdir(dir);
    free(want);
    remove(path);
}

/* Several files, one of them compressed and one empty, are one run of
 * bytes: the ranks' shares cross the files' ends, their ghosts are of any
 * file, and the compressed one is decompressed by one rank for all; the
 * kept records, clusters, pairs and alignments are one process's, and no
 * decompressed file is left behind. */
static void test_several_files(void **state)
{
    (void)state;
    char path[] = "test_dist_files.jsonl";
    write_corpus(path, 2400);
    assert_int_equal(system("mkdir -p test_dist_tmp && head -n 700 test_dist_files.jsonl > test_dist_f0.jsonl && "
                            ": > test_dist_f1.jsonl && sed -n '701,1900p' test_dist_files.jsonl | gzip -c > "
                            "test_dist_f2.jsonl.gz && sed -n '1901,$p' test_dist_files.jsonl > test_dist_f3.jsonl"),
                     0);
    const char *files = "test_dist_f0.jsonl,test_dist_f1.jsonl,test_dist_f2.jsonl.gz,test_dist_f3.jsonl";
    rp_params p;
    rp_params_init(&p);
    p.skip_bad = 1;
    p.threads = 2;
    p.threshold = 0.5;
    p.tmp_dir = "test_dist_tmp";
    check_same(&p, files, "four files, one gzip, one empty");
    p.task = RP_TASK_ALIGN;
    check_same_alignments(&p, files, "align of four files, one gzip, one empty");
    assert_int_equal(system("test -z \"$(ls -A test_dist_tmp)\""), 0);
    assert_int_equal(system("rm -rf test_dist_tmp test_dist_f0.jsonl test_dist_f1.jsonl test_dist_f2.jsonl.gz "
                            "test_dist_f3.jsonl"),
                     0);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranks_decide_as_one_process),
        cmocka_unit_test(test_ranks_align_as_one_process),
        cmocka_unit_test(test_bad_input_fails_every_rank),
        cmocka_unit_test(test_checkpoints_resume),
        cmocka_unit_test(test_several_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
