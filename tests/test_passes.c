/* test_passes.c — the dedup passes run alone over parts of a corpus give
 * what the one-call run gives over the whole: a byte range of a JSONL file
 * signed on its own yields the same records (count, exact hashes, band
 * keys, rejections) as that stretch of a whole-file pass, cut anywhere,
 * mid-line included; and the pairs a part finds on its own are the whole
 * run's pairs among its documents, with the same ids (line numbers of
 * id-less records counted from the file's start) and scores; verify's
 * batches change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "test_util.h"

#include "corpus_gen.h"

typedef struct {
    rp_corpus c;
    rp_stats stats;
    rp_dedup *d;
    char err[RP_MSG_MAX];
} part;

static void part_open(part *p, const char *path)
{
    memset(p, 0, sizeof(*p));
    rp_params params;
    rp_params_init(&params);
    params.skip_bad = 1;
    params.threshold = 0.5;
    assert_int_equal(rp__corpus_init(&p->c, &params, p->err), 0);
    assert_int_equal(rp__corpus_add(&p->c, path), RP_OK);
    assert_non_null(p->d = rp__dedup_create(&p->c, &p->stats, p->err));
}

static void part_close(part *p)
{
    rp__dedup_free(p->d);
    rp__corpus_free(&p->c);
}

typedef struct {
    char a[64], b[64];
    float jaccard;
} pair_rec;

typedef struct {
    pair_rec *v;
    size_t n, cap;
} pair_list;

static int keep_pair(void *user, const rp_pair *p)
{
    pair_list *l = user;
    if (l->n == l->cap) l->v = realloc(l->v, (l->cap = l->cap * 2 + 16) * sizeof(pair_rec));
    pair_rec *r = &l->v[l->n++];
    snprintf(r->a, sizeof(r->a), "%.*s", (int)p->a.len, p->a.str);
    snprintf(r->b, sizeof(r->b), "%.*s", (int)p->b.len, p->b.str);
    r->jaccard = (float)p->jaccard;
    return 0;
}

/* The rest of the passes over what was signed: the pairs, as ids. */
static void finish(part *p, pair_list *out)
{
    rp_cand *cand = NULL;
    size_t n = 0, cap = 0;
    assert_int_equal(rp__dedup_exact_candidates(p->d, &cand, &n, &cap), RP_OK);
    assert_int_equal(rp__dedup_band_candidates(p->d, 0, (uint64_t)1 << 31, &cand, &n, &cap), RP_OK);
    assert_int_equal(rp__dedup_band_candidates(p->d, (uint64_t)1 << 31, (uint64_t)1 << 32, &cand,
                                               &n, &cap), RP_OK);
    n = rp__cands_sort_unique(cand, n);
    rp_edge *edges;
    size_t n_edges;
    assert_int_equal(rp__dedup_verify(p->d, cand, n, &edges, &n_edges), RP_OK);
    free(cand);
    assert_int_equal(rp__dedup_cluster(p->d, edges, n_edges), RP_OK);
    assert_int_equal(rp__dedup_foreach_pair(p->d, keep_pair, out), RP_OK);
}

static int has_pair(const pair_list *l, const pair_rec *r)
{
    for (size_t k = 0; k < l->n; k++)
        if (strcmp(l->v[k].a, r->a) == 0 && strcmp(l->v[k].b, r->b) == 0)
            return l->v[k].jaccard == r->jaccard;
    return 0;
}

/* A part's records signed as the whole run's, from its record *rec on. */
static void same_signs(rp_dedup *whole, rp_dedup *part, uint64_t *rec)
{
    uint64_t n = rp__dedup_count(part);
    for (uint64_t r = 0; r < n; r++, (*rec)++) {
        rp_sign_result want, got;
        rp_status sw, sg;
        assert_int_equal(rp__dedup_signed(whole, *rec, &want, &sw), RP_OK);
        assert_int_equal(rp__dedup_signed(part, r, &got, &sg), RP_OK);
        assert_int_equal(sw, sg);
        assert_true(want.exact == got.exact && want.bands == got.bands);
        assert_memory_equal(want.keys, got.keys, want.bands * sizeof(uint32_t));
    }
}

static void test_sign_ranges_are_the_whole_runs(void **state)
{
    (void)state;
    char path[] = "test_passes.jsonl";
    size_t size = write_corpus(path, 3000);
    part whole;
    part_open(&whole, path);
    assert_int_equal(rp__dedup_sign(whole.d), RP_OK);
    uint64_t n_whole = rp__dedup_count(whole.d);
    assert_true(n_whole > 3000);

    /* cut anywhere: mid-line, on a newline, at the ends */
    uint64_t cuts[] = {0, size / 3 + 7, size / 3 + 7 + 1, size / 2, (size * 4) / 5, size};
    size_t n_cuts = sizeof(cuts) / sizeof(cuts[0]);
    uint64_t rec = 0;
    pair_list all = {0};
    for (size_t k = 0; k + 1 < n_cuts; k++) {
        part p;
        part_open(&p, path);
        assert_int_equal(rp__dedup_sign_range(p.d, cuts[k], cuts[k + 1], UINT64_MAX), RP_OK);
        same_signs(whole.d, p.d, &rec);
        /* a part's pairs are the whole run's, ids and scores alike */
        pair_list pl = {0};
        finish(&p, &pl);
        for (size_t q = 0; q < pl.n; q++) {
            if (all.n == all.cap) all.v = realloc(all.v, (all.cap = all.cap * 2 + 16) * sizeof(pair_rec));
            all.v[all.n++] = pl.v[q];
        }
        free(pl.v);
        part_close(&p);
    }
    assert_int_equal(rec, n_whole); /* every record in exactly one part */
    pair_list wl = {0};
    finish(&whole, &wl);
    assert_true(all.n > 100);
    for (size_t q = 0; q < all.n; q++) assert_true(has_pair(&wl, &all.v[q]));
    free(all.v);
    free(wl.v);
    part_close(&whole);

    /* several files are one run of bytes, cut anywhere: across a file's
     * end, at it, within the second */
    part both;
    part_open(&both, path);
    assert_int_equal(rp__corpus_add(&both.c, path), RP_OK);
    assert_int_equal(rp__dedup_sign(both.d), RP_OK);
    assert_int_equal(rp__dedup_count(both.d), 2 * n_whole);
    uint64_t cuts2[] = {0, size - 5, size, size + 1, size + size / 2, 2 * (uint64_t)size};
    rec = 0;
    for (size_t k = 0; k + 1 < sizeof(cuts2) / sizeof(cuts2[0]); k++) {
        part p;
        part_open(&p, path);
        assert_int_equal(rp__corpus_add(&p.c, path), RP_OK);
        assert_int_equal(rp__dedup_sign_range(p.d, cuts2[k], cuts2[k + 1], UINT64_MAX), RP_OK);
        same_signs(both.d, p.d, &rec);
        part_close(&p);
    }
    assert_int_equal(rec, 2 * n_whole);
    part_close(&both);

    /* a range of a corpus with an input that is no plain JSONL file (a
     * directory) is refused */
    part two;
    part_open(&two, path);
    assert_int_equal(rp__corpus_add(&two.c, "."), RP_OK);
    assert_int_equal(rp__dedup_sign_range(two.d, 0, size, UINT64_MAX), RP_ERR_USAGE);
    part_close(&two);
    remove(path);
}

typedef struct {
    uint64_t sum, n;
} cluster_digest;

static int digest_cluster(void *user, const rp_cluster *c)
{
    cluster_digest *g = user;
    for (size_t m = 0; m < c->n_members; m++) {
        uint64_t h = 1469598103934665603ULL;
        for (size_t k = 0; k < c->members[m].len; k++)
            h = (h ^ (uint8_t)c->members[m].str[k]) * 1099511628211ULL;
        g->sum = g->sum * 31 + (h ^ c->cluster);
    }
    g->n++;
    return 0;
}

/* Scoring only the pairs that join clusters keeps every cluster and every
 * kept document, and scores fewer pairs where copies abound. */
static void test_connect_only_keeps_the_clusters(void **state)
{
    (void)state;
    char path[] = "test_passes_connect.jsonl";
    write_corpus(path, 4000);
    cluster_digest g[2] = {{0, 0}, {0, 0}};
    rp_stats st[2];
    uint8_t *kept[2];
    for (int mode = 0; mode < 2; mode++) {
        rp_params p;
        rp_params_init(&p);
        p.skip_bad = 1;
        p.threshold = 0.5;
        p.connect_only = mode;
        rp_engine *e = run_engine(&p, path);
        assert_int_equal(rp_engine_foreach_cluster(e, digest_cluster, &g[mode]), RP_OK);
        rp_engine_stats(e, &st[mode]);
        kept[mode] = malloc(st[mode].read);
        for (uint64_t r = 0; r < st[mode].read; r++) kept[mode][r] = (uint8_t)rp_engine_is_kept(e, r);
        rp_engine_free(e);
    }
    assert_true(g[0].n > 50);
    assert_true(g[0].n == g[1].n && g[0].sum == g[1].sum);
    assert_int_equal(st[0].read, st[1].read);
    assert_memory_equal(kept[0], kept[1], st[0].read);
    assert_true(st[0].kept == st[1].kept && st[0].clusters == st[1].clusters);
    assert_int_equal(st[0].verified_pairs, st[0].candidate_pairs);
    print_message("connect_only scored %llu of %llu candidates (%llu similar of all)\n",
                  (unsigned long long)st[1].verified_pairs, (unsigned long long)st[1].candidate_pairs,
                  (unsigned long long)st[0].similar_pairs);
    assert_true(st[1].verified_pairs < st[1].candidate_pairs);
    free(kept[0]), free(kept[1]);
    remove(path);
}


/* Near-copies of a few templates: two words of forty changed, so copies of
 * one template sit around the threshold and their buckets propose many
 * pairs a document, the shape where dedup refuses pairs from their
 * profiles as the buckets are searched. */
static void write_copies(const char *path, int n, unsigned seed)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    enum { TEMPLATES = 12, WORDS = 40 };
    unsigned tmpl[TEMPLATES][WORDS];
    for (int t = 0; t < TEMPLATES; t++)
        for (int w = 0; w < WORDS; w++) tmpl[t][w] = (unsigned)rand_r(&seed) % 3000;
    for (int i = 0; i < n; i++) {
        unsigned words[WORDS];
        int t = rand_r(&seed) % (TEMPLATES + 3); /* some documents of their own */
        for (int w = 0; w < WORDS; w++)
            words[w] = t < TEMPLATES ? tmpl[t][w] : (unsigned)rand_r(&seed) % 3000;
        for (int e = 0; e < 2 && t < TEMPLATES; e++) words[rand_r(&seed) % WORDS] = (unsigned)rand_r(&seed) % 3000;
        fprintf(f, "{\"id\": \"d%d\", \"text\": \"", i);
        for (int w = 0; w < WORDS; w++) fprintf(f, "%sw%u", w ? " " : "", words[w]);
        fprintf(f, "\"}\n");
    }
    fclose(f);
}

static int digest_pair(void *user, const rp_pair *p)
{
    cluster_digest *g = user;
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < p->a.len; k++) h = (h ^ (uint8_t)p->a.str[k]) * 1099511628211ULL;
    for (size_t k = 0; k < p->b.len; k++) h = (h ^ (uint8_t)p->b.str[k]) * 1099511628211ULL;
    uint32_t bits;
    float j = (float)p->jaccard;
    memcpy(&bits, &j, sizeof(bits));
    g->sum = g->sum * 31 + (h ^ bits);
    g->n++;
    return 0;
}

/* Refusing pairs from their profiles as the buckets are searched changes
 * nothing a run reports: the same kept documents, clusters, pairs with
 * their scores, and counts of candidates and truncated buckets, with and
 * without truncated buckets (chains), connect_only or not, on one thread
 * or three; only fewer pairs are scored. connect_only (dedup) then
 * searches the bands one by one and counts the pairs not yet joined when
 * met: the same counts on one thread or three. */
static void test_refusing_early_changes_nothing(void **state)
{
    (void)state;
    char path[] = "test_passes_copies.jsonl";
    write_copies(path, 3000, 11);
    size_t hook = rp__hooks.refuse_early;
    rp_stats joined[2]; /* connect_only's, on one thread, by cut */
    for (int cfg = 0; cfg < 8; cfg++) {
        int connect = cfg & 1, cut = cfg >> 1 & 1, threads = cfg & 4 ? 3 : 1;
        cluster_digest g[2] = {{0, 0}, {0, 0}}, pairs[2] = {{0, 0}, {0, 0}};
        rp_stats st[2];
        uint8_t *kept[2];
        for (int early = 0; early < 2; early++) {
            rp__hooks.refuse_early = early ? 0 : SIZE_MAX; /* always, never */
            rp_params p;
            rp_params_init(&p);
            p.connect_only = connect;
            p.threads = (unsigned)threads;
            if (cut) p.max_bucket = 6;
            rp_engine *e = run_engine(&p, path);
            assert_int_equal(rp_engine_foreach_cluster(e, digest_cluster, &g[early]), RP_OK);
            if (!connect) assert_int_equal(rp_engine_foreach_pair(e, digest_pair, &pairs[early]), RP_OK);
            rp_engine_stats(e, &st[early]);
            kept[early] = malloc(st[early].read);
            for (uint64_t r = 0; r < st[early].read; r++) kept[early][r] = (uint8_t)rp_engine_is_kept(e, r);
            rp_engine_free(e);
        }
        print_message("connect %d, truncated %d, %d threads: %llu candidates, %llu truncated buckets; "
                      "scored %llu, then %llu; %llu clusters\n",
                      connect, cut, threads, (unsigned long long)st[0].candidate_pairs,
                      (unsigned long long)st[0].truncated_buckets,
                      (unsigned long long)st[0].verified_pairs, (unsigned long long)st[1].verified_pairs,
                      (unsigned long long)st[0].clusters);
        assert_true(g[0].n > 20);
        assert_true(g[0].n == g[1].n && g[0].sum == g[1].sum);
        assert_int_equal(st[0].read, st[1].read);
        assert_memory_equal(kept[0], kept[1], st[0].read);
        assert_int_equal(st[0].kept, st[1].kept);
        assert_int_equal(st[0].clusters, st[1].clusters);
        if (!connect) assert_int_equal(st[0].candidate_pairs, st[1].candidate_pairs);
        assert_int_equal(st[0].truncated_buckets, st[1].truncated_buckets);
        if (connect && threads == 1) {
            joined[cut] = st[1];
            /* the bucket's hopeless members only counted: the same pairs
             * met, scored and joined as when every pair is met in turn */
            rp__hooks.meet_every_pair = 1;
            rp_params p;
            rp_params_init(&p);
            p.connect_only = 1;
            if (cut) p.max_bucket = 6;
            rp_engine *e = run_engine(&p, path);
            cluster_digest every = {0, 0};
            assert_int_equal(rp_engine_foreach_cluster(e, digest_cluster, &every), RP_OK);
            rp_stats se;
            rp_engine_stats(e, &se);
            rp_engine_free(e);
            rp__hooks.meet_every_pair = 0;
            assert_true(every.n == g[1].n && every.sum == g[1].sum);
            assert_int_equal(se.candidate_pairs, st[1].candidate_pairs);
            assert_int_equal(se.verified_pairs, st[1].verified_pairs);
            assert_int_equal(se.similar_pairs, st[1].similar_pairs);
        }
        if (connect && threads > 1) {
            assert_int_equal(st[1].candidate_pairs, joined[cut].candidate_pairs);
            assert_int_equal(st[1].verified_pairs, joined[cut].verified_pairs);
            assert_int_equal(st[1].similar_pairs, joined[cut].similar_pairs);
        }
        if (cut) assert_true(st[0].truncated_buckets > 10);
        if (!connect) {
            assert_true(pairs[0].n > 100);
            assert_true(pairs[0].n == pairs[1].n && pairs[0].sum == pairs[1].sum);
            assert_int_equal(st[0].similar_pairs, st[1].similar_pairs);
            assert_int_equal(st[0].verified_pairs, st[0].candidate_pairs);
            assert_true(st[1].verified_pairs * 2 < st[1].candidate_pairs); /* most refused early */
        }
        free(kept[0]), free(kept[1]);
    }
    rp__hooks.refuse_early = hook;
    remove(path);
}

/* dedup scores a bucket's pairs only between documents not yet joined:
 * 3,000 copies of 12 templates, each a word from its template (every two
 * copies of one template alike, about 375,000 similar pairs), and 600
 * documents of their own, are clustered by scoring about one pair a copy,
 * not the 375,000, with buckets whole or cut into chains. */
static void test_dedup_scores_what_joins(void **state)
{
    (void)state;
    char path[] = "test_passes_joins.jsonl";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    enum { TEMPLATES = 12, COPIES = 250, OWN = 600, WORDS = 60 };
    unsigned seed = 5, tmpl[TEMPLATES][WORDS];
    for (int t = 0; t < TEMPLATES; t++)
        for (int w = 0; w < WORDS; w++) tmpl[t][w] = (unsigned)rand_r(&seed) % 5000;
    for (int i = 0; i < TEMPLATES * COPIES + OWN; i++) {
        int t = i < TEMPLATES * COPIES ? i % TEMPLATES : -1;
        fprintf(f, "{\"id\": \"d%d\", \"text\": \"", i);
        for (int w = 0; w < WORDS; w++) {
            unsigned word = t >= 0 ? tmpl[t][w] : (unsigned)rand_r(&seed) % 5000;
            if (t >= 0 && w == WORDS - 1) word = 5000 + (unsigned)i; /* its own last word */
            fprintf(f, "%sw%u", w ? " " : "", word);
        }
        fprintf(f, "\"}\n");
    }
    fclose(f);
    size_t hook = rp__hooks.refuse_early;
    rp__hooks.refuse_early = 0; /* whatever the buckets propose */
    for (int cut = 0; cut < 2; cut++) {
        rp_params p;
        rp_params_init(&p);
        p.connect_only = 1;
        p.threads = 2;
        if (cut) p.max_bucket = 40;
        rp_engine *e = run_engine(&p, path);
        rp_stats st;
        rp_engine_stats(e, &st);
        print_message("cut %d: %llu pairs met unjoined, %llu scored, %llu joining, %llu clusters, %llu removed\n",
                      cut, (unsigned long long)st.candidate_pairs, (unsigned long long)st.verified_pairs,
                      (unsigned long long)st.similar_pairs, (unsigned long long)st.clusters,
                      (unsigned long long)st.removed);
        assert_int_equal(st.clusters, TEMPLATES);
        assert_int_equal(st.removed, TEMPLATES * (COPIES - 1));
        assert_true(st.verified_pairs < 2 * TEMPLATES * COPIES);
        assert_true(st.candidate_pairs < 4 * TEMPLATES * COPIES);
        rp_engine_free(e);
    }
    rp__hooks.refuse_early = hook;
    remove(path);
}

/* A one-call run over path, its pairs digested and its stats: by Jaccard,
 * or containment (cfg bit 0), on one thread or three (bit 1), with buckets
 * cut into chains past 6 (bit 2). */
static void listed_run(const char *path, int cfg, cluster_digest *got, rp_stats *st)
{
    rp_params p;
    rp_params_init(&p);
    p.measure = cfg & 1 ? RP_MEASURE_CONTAINMENT : RP_MEASURE_JACCARD;
    p.threads = cfg & 2 ? 3 : 1;
    if (cfg & 4) p.max_bucket = 6;
    rp_engine *e = run_engine(&p, path);
    *got = (cluster_digest){0, 0};
    assert_int_equal(rp_engine_foreach_pair(e, digest_pair, got), RP_OK);
    rp_engine_stats(e, st);
    rp_engine_free(e);
}

/* The same pairs, in the same order with the same scores, and the same
 * similar pairs, kept documents and clusters. */
static void assert_same_listing(const cluster_digest *got, const rp_stats *st, const cluster_digest *want,
                                const rp_stats *want_st)
{
    assert_true(got->n == want->n && got->sum == want->sum);
    assert_int_equal(st->similar_pairs, want_st->similar_pairs);
    assert_int_equal(st->kept, want_st->kept);
    assert_int_equal(st->clusters, want_st->clusters);
}

/* Verify scores the candidates a batch at a time: batches of 1, 7 and 1000
 * pairs list the same pairs, in the same order with the same scores, as
 * one batch, by Jaccard and by containment, on one thread or three. */
static void test_verify_batches_change_nothing(void **state)
{
    (void)state;
    char path[] = "test_passes_batches.jsonl";
    write_copies(path, 1500, 5);
    size_t hook = rp__hooks.verify_batch, sizes[] = {(size_t)1 << 20, 1, 7, 1000};
    for (int cfg = 0; cfg < 4; cfg++) {
        cluster_digest want = {0, 0};
        rp_stats want_st;
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            rp__hooks.verify_batch = sizes[k];
            cluster_digest got;
            rp_stats st;
            listed_run(path, cfg, &got, &st);
            if (k == 0) {
                want = got, want_st = st;
                assert_true(got.n > 100);
                continue;
            }
            assert_same_listing(&got, &st, &want, &want_st);
            assert_int_equal(st.verified_pairs, want_st.verified_pairs);
        }
    }
    /* the one-call run's edges themselves, from batches of 7: in order */
    rp__hooks.verify_batch = 7;
    part w;
    part_open(&w, path);
    assert_int_equal(rp__dedup_run(w.d), RP_OK);
    size_t n;
    const rp_edge *e = rp__dedup_edges(w.d, &n);
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        assert_true(e[i].a < e[i].b);
        assert_true(i == 0 || e[i - 1].a < e[i].a || (e[i - 1].a == e[i].a && e[i - 1].b < e[i].b));
    }
    part_close(&w);
    rp__hooks.verify_batch = hook;
    remove(path);
}

/* Similar pairs past the edges held go to a file and are read back a
 * window (no larger than what is held) at a time, forwards and, for exact
 * copies' lists, backwards; candidates refused early past those held go to
 * files in sorted runs, merged as verify takes them: the same pairs in the
 * same order, the same clusters and counts, whatever is held and however
 * verify batches them, by Jaccard and by containment, on one thread or
 * three, with buckets cut into chains or not; and the bytes written are
 * counted as spilled. */
static void test_edges_in_a_file_change_nothing(void **state)
{
    (void)state;
    char path[] = "test_passes_edges.jsonl";
    /* copies of 6 templates of 60 words, one word of each edited, and
     * exact copies of every ninth one at the end: pairs listed by the
     * general walk, which reads the edges backwards too */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    enum { DOCS = 600, WORDS = 60 };
    static unsigned doc[DOCS][WORDS];
    unsigned seed = 11, tmpl[6][WORDS];
    for (int t = 0; t < 6; t++)
        for (int w = 0; w < WORDS; w++) tmpl[t][w] = (unsigned)rand_r(&seed) % 5000;
    for (int i = 0; i < DOCS + DOCS / 9 + 1; i++) {
        const unsigned *words = doc[i < DOCS ? i : (i - DOCS) * 9];
        if (i < DOCS) {
            memcpy(doc[i], tmpl[rand_r(&seed) % 6], sizeof(doc[i]));
            doc[i][rand_r(&seed) % WORDS] = (unsigned)rand_r(&seed) % 5000;
        }
        fprintf(f, "{\"id\": \"d%d\", \"text\": \"", i);
        for (int w = 0; w < WORDS; w++) fprintf(f, "%sw%u", w ? " " : "", words[w]);
        fprintf(f, "\"}\n");
    }
    fclose(f);
    size_t batch = rp__hooks.verify_batch, held = rp__hooks.edges_held, cands = rp__hooks.cands_held,
           early = rp__hooks.refuse_early;
    /* edges held, candidates held: neither, edges alone, both, candidates alone */
    size_t helds[][2] = {{SIZE_MAX, SIZE_MAX}, {100, SIZE_MAX}, {1000, 1000}, {SIZE_MAX, 100}};
    for (int cfg = 0; cfg < 8; cfg++) {
        cluster_digest want = {0, 0};
        rp_stats want_st;
        for (size_t k = 0; k < sizeof(helds) / sizeof(helds[0]); k++) {
            rp__hooks.edges_held = helds[k][0];
            rp__hooks.verify_batch = k == 2 ? 300 : batch;
            /* and the candidates refused early (always), past as many in
             * sorted runs on file, merged */
            rp__hooks.cands_held = helds[k][1];
            rp__hooks.refuse_early = k ? 0 : early;
            cluster_digest got;
            rp_stats st;
            listed_run(path, cfg, &got, &st); /* cfg bit 2, chains: a pair may be in two runs */
            if (k == 0) {
                want = got, want_st = st;
                assert_true(got.n > st.similar_pairs); /* copies' pairs listed beside the edges */
                assert_true(st.similar_pairs > (cfg & 4 ? 500u : 5000u));
                assert_int_equal(st.spilled_bytes, 0);
                continue;
            }
            assert_same_listing(&got, &st, &want, &want_st);
            if (k == 1) assert_int_equal(st.spilled_bytes, st.similar_pairs * sizeof(rp_edge));
            if (k == 2) assert_true(st.spilled_bytes > st.similar_pairs * sizeof(rp_edge));
            if (k == 3) assert_true(st.spilled_bytes > 0 && st.spilled_bytes % sizeof(uint64_t) == 0);
        }
    }
    rp__hooks.verify_batch = batch;
    rp__hooks.edges_held = held;
    rp__hooks.cands_held = cands;
    rp__hooks.refuse_early = early;
    remove(path);
}

/* A record of fewer words than a shingle has one shingle of all its words,
 * which only a record of the same words shares: it is signed by its exact
 * hash alone and stays out of the band tables, while a record of exactly a
 * shingle's words stays in them (other records can hold its one shingle).
 * The exact candidates still pair short records that are the same words
 * (case and punctuation aside), and the longer ones pair as before. */
static void test_short_records_stay_out_of_the_bands(void **state)
{
    (void)state;
    char path[] = "test_passes_short.jsonl";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"id\": \"a\", \"text\": \"Rare summit held\"}\n"
          "{\"id\": \"b\", \"text\": \"rare SUMMIT, held!\"}\n"
          "{\"id\": \"c\", \"text\": \"summit held rare\"}\n"
          "{\"id\": \"d\", \"text\": \"two men held a rare summit in the old city\"}\n"
          "{\"id\": \"e\", \"text\": \"two men held a rare summit in the old city today\"}\n"
          "{\"id\": \"f\", \"text\": \"two men held a rare\"}\n"
          "{\"id\": \"g\", \"text\": \"held\"}\n"
          "{\"id\": \"h\", \"text\": \"Held.\"}\n",
          f);
    fclose(f);
    part p;
    part_open(&p, path);
    assert_int_equal(rp__dedup_sign(p.d), RP_OK);
    assert_int_equal(rp__dedup_count(p.d), 8);
    static const int lone[8] = {1, 1, 1, 0, 0, 0, 1, 1};
    for (rp_docno r = 0; r < 8; r++) {
        rp_sign_result s;
        rp_status rs;
        assert_int_equal(rp__dedup_signed(p.d, r, &s, &rs), RP_OK);
        assert_int_equal(rs, RP_OK);
        assert_int_equal(s.lone, lone[r]);
        assert_int_equal(rp__dedup_in_bands(p.d, r), !lone[r]);
        for (unsigned b = 0; lone[r] && b < s.bands; b++) assert_int_equal(s.keys[b], 0);
    }
    pair_list l = {NULL, 0, 0};
    finish(&p, &l);
    assert_int_equal(l.n, 3);
    assert_true(has_pair(&l, &(pair_rec){"a", "b", 1.0f}));
    assert_true(has_pair(&l, &(pair_rec){"g", "h", 1.0f}));
    assert_true(has_pair(&l, &(pair_rec){"d", "e", 6.0f / 7.0f}));
    free(l.v);
    part_close(&p);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_ranges_are_the_whole_runs),
        cmocka_unit_test(test_connect_only_keeps_the_clusters),
        cmocka_unit_test(test_refusing_early_changes_nothing),
        cmocka_unit_test(test_dedup_scores_what_joins),
        cmocka_unit_test(test_verify_batches_change_nothing),
        cmocka_unit_test(test_edges_in_a_file_change_nothing),
        cmocka_unit_test(test_short_records_stay_out_of_the_bands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
