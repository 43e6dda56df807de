/* test_group.c — reuse groups (align --groups) against a corpus whose
 * truth is known: passages planted in documents of filler, from pairs of
 * documents to a wire story in 300 outlets, some copies lightly edited.
 * Measured as PAN measures passages and the dedup literature measures
 * pairs: pair precision and recall of "in one group", granularity (groups
 * a planted passage is split into), each member's characters against the
 * planted ones, the likely first against the earliest date; and the
 * candidates against the occurrences (stars, not all pairs). Also: the
 * grouper on alignments made by hand, and --max-partners' cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <unistd.h>

#define N_DOCS 1500
#define N_PASS 60
#define VOCAB 40000

static uint64_t seed = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

/* A made-up word: two to four syllables, the vocabulary's k-th. */
static void word(size_t k, char *out)
{
    static const char *syl[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "ga", "vo", "zu",
                                "ben", "dar", "fil", "gor", "hal", "jin", "kor", "lum", "mos", "nar", "pel", "quin"};
    size_t n = 2 + k % 3, at = 0;
    k /= 3;
    for (size_t s = 0; s < n; s++) {
        const char *x = syl[k % 24];
        k /= 24;
        memcpy(out + at, x, strlen(x));
        at += strlen(x);
        if (!k) k = 7 * s + 5;
    }
    out[at] = 0;
}

typedef struct {
    char **w; /* its words */
    size_t n;
    size_t *docs, n_docs;
} planted;

typedef struct {
    size_t pass, doc;
    uint32_t start, end; /* code points (ASCII: bytes) */
} occurrence;

typedef struct {
    char *text;
    size_t len, cap;
    unsigned date; /* a permutation: every date distinct */
} gdoc;

static planted P[N_PASS];
static gdoc D[N_DOCS];
static occurrence *occ;
static size_t n_occ;

static void put(gdoc *d, const char *s)
{
    size_t l = strlen(s);
    if (d->len + l + 2 > d->cap) d->text = realloc(d->text, d->cap = (d->len + l + 2) * 2);
    if (d->len) d->text[d->len++] = ' ';
    memcpy(d->text + d->len, s, l + 1);
    d->len += l;
}

static void filler(gdoc *d, size_t words)
{
    char w[32];
    for (size_t k = 0; k < words; k++) {
        word(rnd() % VOCAB, w);
        put(d, w);
    }
}

static size_t occurrences_of(size_t p)
{
    return p == 0 ? 300 : p == 1 ? 120 : p == 2 ? 60 : p < 10 ? 10 + p * 2 : 2 + p % 5;
}

/* The corpus as JSONL, its truth in P and occ. */
static char *build(size_t *len)
{
    for (size_t d = 0; d < N_DOCS; d++) D[d] = (gdoc){0};
    unsigned *perm = malloc(N_DOCS * sizeof(unsigned));
    for (size_t d = 0; d < N_DOCS; d++) perm[d] = (unsigned)d;
    for (size_t d = N_DOCS - 1; d > 0; d--) {
        size_t j = rnd() % (d + 1);
        unsigned t = perm[d];
        perm[d] = perm[j], perm[j] = t;
    }
    for (size_t d = 0; d < N_DOCS; d++) D[d].date = perm[d];
    free(perm);
    /* which documents each passage is planted in; a document's passages
     * go in in the order of their numbers */
    size_t **has = calloc(N_DOCS, sizeof(size_t *)), *n_has = calloc(N_DOCS, sizeof(size_t));
    char w[32];
    for (size_t p = 0; p < N_PASS; p++) {
        P[p].n = 40 + rnd() % 50;
        P[p].w = malloc(P[p].n * sizeof(char *));
        for (size_t k = 0; k < P[p].n; k++) {
            word(rnd() % VOCAB, w);
            P[p].w[k] = strdup(w);
        }
        P[p].n_docs = occurrences_of(p);
        P[p].docs = malloc(P[p].n_docs * sizeof(size_t));
        for (size_t k = 0; k < P[p].n_docs; k++) {
            size_t d;
            int dup;
            do {
                d = rnd() % N_DOCS;
                dup = 0;
                for (size_t j = 0; j < k; j++) dup |= P[p].docs[j] == d;
            } while (dup);
            P[p].docs[k] = d;
            has[d] = realloc(has[d], (n_has[d] + 1) * sizeof(size_t));
            has[d][n_has[d]++] = p;
        }
    }
    for (size_t d = 0; d < N_DOCS; d++) {
        filler(&D[d], 60 + rnd() % 120);
        for (size_t x = 0; x < n_has[d]; x++) {
            size_t p = has[d][x];
            uint32_t start = (uint32_t)D[d].len + 1; /* after filler and a space */
            int edited = rnd() % 10 < 3; /* a copy lightly edited: a word in 15 changed */
            size_t from = 0, to = P[p].n;
            if (rnd() % 10 < 2) { /* an excerpt: half of it or more */
                size_t keep = P[p].n / 2 + rnd() % (P[p].n / 2);
                from = rnd() % (P[p].n - keep + 1);
                to = from + keep;
            }
            for (size_t k = from; k < to; k++) {
                if (edited && k % 15 == 7) {
                    word(rnd() % VOCAB, w);
                    put(&D[d], w);
                } else {
                    put(&D[d], P[p].w[k]);
                }
            }
            occ = realloc(occ, (n_occ + 1) * sizeof(occurrence));
            occ[n_occ++] = (occurrence){p, d, start, (uint32_t)D[d].len};
            filler(&D[d], 30 + rnd() % 60);
        }
        free(has[d]);
    }
    free(has), free(n_has);
    size_t cap = 1 << 20, at = 0;
    char *j = malloc(cap);
    for (size_t d = 0; d < N_DOCS; d++) {
        if (at + D[d].len + 200 > cap) j = realloc(j, cap = (at + D[d].len + 200) * 2);
        at += (size_t)sprintf(j + at, "{\"id\": \"d%zu\", \"site\": \"s%zu\", \"date\": \"2024-%05u\", \"text\": \"%s\"}\n",
                              d, d, D[d].date, D[d].text);
    }
    *len = at;
    return j;
}

static void free_corpus(void)
{
    for (size_t p = 0; p < N_PASS; p++) {
        for (size_t k = 0; k < P[p].n; k++) free(P[p].w[k]);
        free(P[p].w), free(P[p].docs);
    }
    for (size_t d = 0; d < N_DOCS; d++) free(D[d].text);
    free(occ);
    occ = NULL, n_occ = 0;
}

/* ------------------------------------------------------------ the groups */

typedef struct {
    size_t doc;
    uint32_t start, end;
    size_t group;
} gmember;

typedef struct {
    gmember *m;
    size_t n, cap;
    size_t *earliest; /* per group: its earliest member's document, or SIZE_MAX */
    size_t n_groups;
} held;

static int hold(void *user, const rp_group *g)
{
    held *h = user;
    assert_int_equal(g->number, h->n_groups);
    assert_true(g->n_documents >= 2 && g->n_members >= g->n_documents);
    h->earliest = realloc(h->earliest, (h->n_groups + 1) * sizeof(size_t));
    h->earliest[h->n_groups] = g->earliest < g->n_members ? id_number(&g->members[g->earliest].id) : SIZE_MAX;
    for (size_t k = 0; k < g->n_members; k++) {
        const rp_group_member *m = &g->members[k];
        assert_true(m->start < m->end && m->words > 0);
        if (k) { /* by record, then offset, never overlapping in one document */
            const rp_group_member *o = &g->members[k - 1];
            assert_true(o->index < m->index || (o->index == m->index && o->end <= m->start));
        }
        if (h->n == h->cap) h->m = realloc(h->m, (h->cap = h->cap * 2 + 64) * sizeof(gmember));
        h->m[h->n++] = (gmember){id_number(&m->id), m->start, m->end, h->n_groups};
    }
    h->n_groups++;
    return 0;
}

static int to_grouper(void *user, const rp_alignment *al)
{
    return rp_grouper_add(user, al) != RP_OK;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Sorted distinct document pairs (a < b) of lists of documents. */
static uint64_t *pairs_of(size_t **lists, const size_t *lens, size_t n_lists, size_t *n)
{
    size_t cap = 0;
    for (size_t k = 0; k < n_lists; k++) cap += lens[k] * (lens[k] - 1) / 2;
    uint64_t *v = malloc((cap ? cap : 1) * sizeof(uint64_t));
    size_t at = 0;
    for (size_t k = 0; k < n_lists; k++)
        for (size_t x = 0; x < lens[k]; x++)
            for (size_t y = x + 1; y < lens[k]; y++) {
                size_t a = lists[k][x], b = lists[k][y];
                if (a == b) continue;
                v[at++] = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
            }
    qsort(v, at, sizeof(uint64_t), cmp_u64);
    size_t w = 0;
    for (size_t k = 0; k < at; k++)
        if (!w || v[k] != v[w - 1]) v[w++] = v[k];
    *n = w;
    return v;
}

static size_t common(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t x = 0, y = 0, c = 0;
    while (x < na && y < nb) {
        if (a[x] < b[y]) x++;
        else if (a[x] > b[y]) y++;
        else c++, x++, y++;
    }
    return c;
}

static uint32_t overlap(uint32_t s1, uint32_t e1, uint32_t s2, uint32_t e2)
{
    uint32_t s = s1 > s2 ? s1 : s2, e = e1 < e2 ? e1 : e2;
    return e > s ? e - s : 0;
}

static void groups_against_truth(void **state)
{
    (void)state;
    size_t len;
    char *j = build(&len);
    const char *path = write_temp("reprint_groups.jsonl", j, len);
    free(j);
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_ALIGN;
    p.groups = 1;
    p.max_partners = 0;
    p.threads = 2;
    rp_grouper *g = rp_grouper_create();
    assert_non_null(g);
    rp_engine *e = rp_engine_create(&p);
    assert_non_null(e);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    rp_engine_set_alignment_sink(e, to_grouper, g);
    assert_int_equal(rp_engine_run(e), RP_OK);
    rp_stats st;
    rp_engine_stats(e, &st);
    rp_engine_free(e);
    held h = {0};
    assert_int_equal(rp_grouper_foreach(g, hold, &h), RP_OK);
    rp_grouper_free(g);

    /* each planted occurrence: the member covering it, by characters */
    size_t found = 0, *group_of = malloc(n_occ * sizeof(size_t));
    double char_recall = 0, char_precision = 0;
    size_t members_matched = 0;
    for (size_t k = 0; k < n_occ; k++) {
        const occurrence *o = &occ[k];
        size_t best = SIZE_MAX;
        uint32_t most = 0;
        for (size_t m = 0; m < h.n; m++)
            if (h.m[m].doc == o->doc) {
                uint32_t ov = overlap(o->start, o->end, h.m[m].start, h.m[m].end);
                if (ov > most) most = ov, best = m;
            }
        group_of[k] = best == SIZE_MAX ? SIZE_MAX : h.m[best].group;
        if (best == SIZE_MAX) continue;
        found++;
        char_recall += (double)most / (o->end - o->start);
    }
    /* each member: the planted passage it overlaps most, by characters */
    for (size_t m = 0; m < h.n; m++) {
        uint32_t most = 0;
        for (size_t k = 0; k < n_occ; k++)
            if (occ[k].doc == h.m[m].doc) {
                uint32_t ov = overlap(occ[k].start, occ[k].end, h.m[m].start, h.m[m].end);
                if (ov > most) most = ov;
            }
        char_precision += (double)most / (h.m[m].end - h.m[m].start);
        members_matched += most > 0;
    }
    /* granularity: the groups each planted passage's occurrences are in */
    double gran = 0;
    size_t detected = 0, earliest_right = 0, earliest_named = 0;
    for (size_t q = 0; q < N_PASS; q++) {
        size_t seen[64], n_seen = 0;
        for (size_t k = 0; k < n_occ; k++) {
            if (occ[k].pass != q || group_of[k] == SIZE_MAX) continue;
            int dup = 0;
            for (size_t x = 0; x < n_seen; x++) dup |= seen[x] == group_of[k];
            if (!dup && n_seen < 64) seen[n_seen++] = group_of[k];
        }
        if (!n_seen) continue;
        detected++;
        gran += (double)n_seen;
        /* the likely first: the planted copy of the earliest date */
        size_t first = P[q].docs[0];
        for (size_t x = 1; x < P[q].n_docs; x++)
            if (D[P[q].docs[x]].date < D[first].date) first = P[q].docs[x];
        earliest_named += h.earliest[seen[0]] != SIZE_MAX;
        earliest_right += h.earliest[seen[0]] == first;
    }
    /* pairs: documents in one group against documents sharing a passage */
    size_t **lists = malloc((N_PASS + h.n_groups) * sizeof(size_t *)), *lens = calloc(N_PASS + h.n_groups, sizeof(size_t));
    for (size_t q = 0; q < N_PASS; q++) lists[q] = P[q].docs, lens[q] = P[q].n_docs;
    size_t n_truth, n_found;
    uint64_t *truth = pairs_of(lists, lens, N_PASS, &n_truth);
    for (size_t k = 0; k < h.n_groups; k++) lists[k] = malloc(h.n * sizeof(size_t)), lens[k] = 0;
    for (size_t m = 0; m < h.n; m++) lists[h.m[m].group][lens[h.m[m].group]++] = h.m[m].doc;
    uint64_t *grouped = pairs_of(lists, lens, h.n_groups, &n_found);
    for (size_t k = 0; k < h.n_groups; k++) free(lists[k]);
    size_t both = common(truth, n_truth, grouped, n_found);
    double prec = n_found ? (double)both / n_found : 0, rec = (double)both / n_truth;
    size_t occurrences = 0;
    for (size_t q = 0; q < N_PASS; q++) occurrences += P[q].n_docs;
    printf("groups: %zu planted passages in %zu occurrences (%zu pairs of documents); %zu groups, "
           "%zu members, %llu candidate pairs (stars; all pairs would be %zu)\n",
           (size_t)N_PASS, occurrences, n_truth, h.n_groups, h.n, (unsigned long long)st.candidate_pairs, n_truth);
    printf("groups: occurrences found %zu of %zu; characters: recall %.4f, precision %.4f; members on a "
           "planted passage %zu of %zu\n",
           found, n_occ, found ? char_recall / found : 0, h.n ? char_precision / h.n : 0, members_matched, h.n);
    printf("groups: pairs precision %.4f recall %.4f F1 %.4f; granularity %.4f; likely first right %zu of %zu "
           "(named %zu)\n",
           prec, rec, prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0, detected ? gran / detected : 0,
           earliest_right, detected, earliest_named);
    assert_int_equal(found, n_occ);
    assert_true(char_recall / found >= 0.98);
    assert_true(char_precision / h.n >= 0.98);
    assert_int_equal(members_matched, h.n);
    assert_true(prec >= 0.99 && rec >= 0.99);
    assert_true(gran / detected <= 1.02);
    assert_int_equal(detected, N_PASS);
    assert_true(earliest_right >= N_PASS * 95 / 100);
    /* stars: the candidates grow with the occurrences, not their pairs */
    assert_true(st.candidate_pairs <= 2 * occurrences); /* a hub's edits start a second star */
    assert_true(st.candidate_pairs * 10 < n_truth);
    free(truth), free(grouped), free(lists), free(lens), free(group_of);
    free(h.m), free(h.earliest);
    free_corpus();
    remove(path);
}

/* ------------------------------------------------------ --max-partners */

typedef struct {
    uint64_t last_a;
    size_t run, most, n;
} partners;

static int count_partners(void *user, const rp_alignment *al)
{
    partners *c = user;
    c->run = c->n && al->a_index == c->last_a ? c->run + 1 : 1;
    if (c->run > c->most) c->most = c->run;
    c->last_a = al->a_index;
    c->n++;
    return 0;
}

static void max_partners_cut(void **state)
{
    (void)state;
    size_t len;
    char *j = build(&len);
    const char *path = write_temp("reprint_partners.jsonl", j, len);
    free(j);
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_ALIGN;
    p.threads = 2;
    p.max_partners = 0;
    rp_engine *all = run_engine(&p, path);
    p.max_partners = 5;
    rp_engine *cut = run_engine(&p, path);
    rp_stats sa, sc;
    rp_engine_stats(all, &sa);
    rp_engine_stats(cut, &sc);
    partners ca = {0}, cc = {0};
    assert_int_equal(rp_engine_foreach_alignment(all, count_partners, &ca), RP_OK);
    assert_int_equal(rp_engine_foreach_alignment(cut, count_partners, &cc), RP_OK);
    printf("max-partners 5: %llu candidates, %llu cut (of %llu); aligned %llu of %llu; most partners %zu "
           "(%zu uncut)\n",
           (unsigned long long)sc.candidate_pairs, (unsigned long long)sc.cut_pairs,
           (unsigned long long)sa.candidate_pairs, (unsigned long long)sc.aligned_pairs,
           (unsigned long long)sa.aligned_pairs, cc.most, ca.most);
    assert_int_equal(sa.cut_pairs, 0);
    assert_true(sc.cut_pairs > 0);
    assert_int_equal(sc.candidate_pairs + sc.cut_pairs, sa.candidate_pairs);
    assert_true(ca.most > 5);
    assert_true(cc.most <= 5);
    rp_engine_free(all);
    rp_engine_free(cut);
    free_corpus();
    remove(path);
}

/* --------------------------------------------------- the grouper by hand */

typedef struct {
    rp_group g[8];
    rp_group_member m[8][8];
    char ids[8][8][8];
    size_t n;
} copied;

static int copy_group(void *user, const rp_group *g)
{
    copied *c = user;
    assert_true(c->n < 8 && g->n_members <= 8);
    c->g[c->n] = *g;
    for (size_t k = 0; k < g->n_members; k++) {
        c->m[c->n][k] = g->members[k];
        snprintf(c->ids[c->n][k], 8, "%.*s", (int)g->members[k].id.len, g->members[k].id.str);
    }
    c->n++;
    return 0;
}

static rp_alignment pair(const char *a, uint64_t ia, const char *b, uint64_t ib, const rp_passage *ps, size_t n,
                         rp_source_side src)
{
    rp_alignment al = {0};
    al.a = (rp_id){a, strlen(a), 0};
    al.b = (rp_id){b, strlen(b), 0};
    al.a_index = ia, al.b_index = ib;
    al.passages = ps, al.n_passages = n;
    al.source = src;
    return al;
}

static rp_passage span(uint32_t aw, uint32_t an, uint32_t bw, uint32_t bn)
{
    rp_passage p = {0};
    p.a_word = aw, p.a_words = an, p.b_word = bw, p.b_words = bn;
    p.a_start = aw * 5, p.a_end = (aw + an) * 5, p.b_start = bw * 5, p.b_end = (bw + bn) * 5;
    return p;
}

static void grouper_by_hand(void **state)
{
    (void)state;
    rp_grouper *g = rp_grouper_create();
    copied c = {0};
    assert_int_equal(rp_grouper_foreach(g, copy_group, &c), RP_OK); /* empty: no group */
    assert_int_equal(c.n, 0);
    /* a hub (x) and three spokes on one passage at words 100-160 of x;
     * spoke z holds it twice; w shares another passage of x that touches
     * the first by less than half (words 150-200 against 100-160 is 10 of
     * 50): a group of its own */
    rp_passage p1[1] = {span(100, 60, 0, 60)}, p2[1] = {span(102, 58, 10, 58)},
               p3[2] = {span(100, 60, 0, 60), span(100, 60, 300, 60)}, p4[1] = {span(150, 50, 20, 50)};
    rp_alignment a1 = pair("x", 0, "y", 1, p1, 1, RP_SOURCE_A), a2 = pair("x", 0, "v", 2, p2, 1, RP_SOURCE_UNKNOWN),
                 a3 = pair("x", 0, "z", 3, p3, 2, RP_SOURCE_A), a4 = pair("x", 0, "w", 4, p4, 1, RP_SOURCE_B);
    assert_int_equal(rp_grouper_add(g, &a1), RP_OK);
    assert_int_equal(rp_grouper_add(g, &a2), RP_OK);
    assert_int_equal(rp_grouper_add(g, &a3), RP_OK);
    assert_int_equal(rp_grouper_add(g, &a4), RP_OK);
    assert_int_equal(rp_grouper_foreach(g, copy_group, &c), RP_OK);
    assert_int_equal(c.n, 2);
    /* the first: x (merged 100-160), y, v, z twice; x named the source
     * twice and never the copy in it */
    assert_int_equal(c.g[0].n_members, 5);
    assert_int_equal(c.g[0].n_documents, 4);
    assert_string_equal(c.ids[0][0], "x");
    assert_int_equal(c.m[0][0].word, 100);
    assert_int_equal(c.m[0][0].words, 60);
    assert_string_equal(c.ids[0][3], "z");
    assert_string_equal(c.ids[0][4], "z");
    assert_int_equal(c.m[0][4].start, 1500);
    assert_int_equal(c.g[0].earliest, 0);
    assert_string_equal(c.g[0].earliest_evidence, "alignments");
    /* the second: x's other stretch and w, w the source */
    assert_int_equal(c.g[1].n_members, 2);
    assert_string_equal(c.ids[1][1], "w");
    assert_int_equal(c.g[1].earliest, 1);
    /* alignments with texts cannot follow ones without */
    rp_alignment t = a1;
    t.text_a = t.text_b = "some text";
    t.text_a_len = t.text_b_len = 9;
    assert_int_equal(rp_grouper_add(g, &t), RP_ERR_USAGE);
    rp_alignment self = pair("x", 0, "x", 0, p1, 1, RP_SOURCE_UNKNOWN); /* a document with itself */
    assert_int_equal(rp_grouper_add(g, &self), RP_ERR_USAGE);
    rp_grouper_free(g);

    /* a story (x, words 0-300) copied whole by y and z, and two excerpts
     * of it taken by w: one group, w twice in it */
    g = rp_grouper_create();
    rp_passage whole[1] = {span(0, 300, 0, 300)}, two[2] = {span(20, 40, 5, 40), span(200, 40, 100, 40)};
    rp_alignment s1 = pair("x", 0, "y", 1, whole, 1, RP_SOURCE_UNKNOWN),
                 s2 = pair("x", 0, "z", 2, whole, 1, RP_SOURCE_UNKNOWN),
                 s3 = pair("x", 0, "w", 3, two, 2, RP_SOURCE_UNKNOWN);
    assert_int_equal(rp_grouper_add(g, &s1), RP_OK);
    assert_int_equal(rp_grouper_add(g, &s2), RP_OK);
    assert_int_equal(rp_grouper_add(g, &s3), RP_OK);
    c.n = 0;
    assert_int_equal(rp_grouper_foreach(g, copy_group, &c), RP_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.g[0].n_documents, 4);
    assert_int_equal(c.g[0].n_members, 5);
    rp_grouper_free(g);
    /* a digest page x holds passages P (words 0-100, shared with a and b)
     * and Q (100-200, shared with c and d), and e copies the page whole:
     * the copy's own group (a bridge joins neither), then P's and Q's,
     * each with e's stretch of it (the bridge cut where they fall) */
    g = rp_grouper_create();
    rp_passage pp[1] = {span(0, 100, 50, 100)}, qq[1] = {span(100, 100, 10, 100)}, xx[1] = {span(0, 200, 0, 200)};
    rp_alignment b1 = pair("x", 0, "a", 1, pp, 1, RP_SOURCE_UNKNOWN), b2 = pair("x", 0, "b", 2, pp, 1, RP_SOURCE_UNKNOWN),
                 b3 = pair("x", 0, "c", 3, qq, 1, RP_SOURCE_UNKNOWN), b4 = pair("x", 0, "d", 4, qq, 1, RP_SOURCE_UNKNOWN),
                 b5 = pair("x", 0, "e", 5, xx, 1, RP_SOURCE_UNKNOWN);
    rp_alignment *bs[5] = {&b1, &b2, &b3, &b4, &b5};
    for (int k = 0; k < 5; k++) assert_int_equal(rp_grouper_add(g, bs[k]), RP_OK);
    c.n = 0;
    assert_int_equal(rp_grouper_foreach(g, copy_group, &c), RP_OK);
    assert_int_equal(c.n, 3);
    for (size_t k = 0; k < 3; k++) assert_int_equal(c.g[k].n_documents, k == 0 ? 2 : 4); /* the copy first: longer */
    assert_string_equal(c.ids[1][3], "e"); /* P in e: words 0-100 of its copy */
    assert_int_equal(c.m[1][3].word, 0);
    assert_int_equal(c.m[1][3].words, 100);
    assert_string_equal(c.ids[2][3], "e"); /* Q: 100-200 */
    assert_int_equal(c.m[2][3].word, 100);
    assert_int_equal(c.m[2][3].words, 100);
    /* saved in two parts and read back into one: the same groups */
    rp_grouper *h1 = rp_grouper_create(), *h2 = rp_grouper_create(), *back = rp_grouper_create();
    for (int k = 0; k < 5; k++) assert_int_equal(rp_grouper_add(k < 2 ? h1 : h2, bs[k]), RP_OK);
    FILE *f = tmpfile();
    assert_int_equal(rp_grouper_save(h1, f), RP_OK);
    assert_int_equal(rp_grouper_save(h2, f), RP_OK);
    rewind(f);
    assert_int_equal(rp_grouper_load(back, f), RP_OK);
    copied c2 = {0};
    assert_int_equal(rp_grouper_foreach(back, copy_group, &c2), RP_OK);
    assert_int_equal(c2.n, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(c2.g[k].n_members, c.g[k].n_members);
        for (size_t m = 0; m < c.g[k].n_members; m++) {
            assert_string_equal(c2.ids[k][m], c.ids[k][m]);
            assert_int_equal(c2.m[k][m].start, c.m[k][m].start);
        }
    }
    /* what is not a saved grouper is refused, as is a part cut short */
    rewind(f);
    assert_int_equal(fputs("not a grouper at all", f) >= 0, 1);
    rewind(f);
    assert_int_equal(rp_grouper_load(back, f), RP_ERR_USAGE);
    fclose(f);
    f = tmpfile();
    assert_int_equal(rp_grouper_save(h1, f), RP_OK);
    assert_int_equal(fflush(f), 0);
    long saved = ftell(f);
    assert_int_equal(ftruncate(fileno(f), saved - 3), 0);
    rewind(f);
    assert_int_equal(rp_grouper_load(back, f), RP_ERR_USAGE);
    fclose(f);
    rp_grouper_free(h1), rp_grouper_free(h2), rp_grouper_free(back);
    rp_grouper_free(g);

    /* dates: the earliest alone names the first; a tie is left to the
     * alignments among the tied */
    g = rp_grouper_create();
    rp_alignment d1 = pair("x", 0, "y", 1, p1, 1, RP_SOURCE_UNKNOWN);
    d1.date_a = "2024-05-02", d1.date_b = "2024-05-01";
    assert_int_equal(rp_grouper_add(g, &d1), RP_OK);
    c.n = 0;
    assert_int_equal(rp_grouper_foreach(g, copy_group, &c), RP_OK);
    assert_int_equal(c.g[0].earliest, 1);
    assert_string_equal(c.g[0].earliest_evidence, "date");
    rp_grouper_free(g);
    g = rp_grouper_create();
    d1.date_a = "2024-05-01", d1.source = RP_SOURCE_B;
    assert_int_equal(rp_grouper_add(g, &d1), RP_OK);
    c.n = 0;
    assert_int_equal(rp_grouper_foreach(g, copy_group, &c), RP_OK);
    assert_int_equal(c.g[0].earliest, 1);
    assert_string_equal(c.g[0].earliest_evidence, "date and alignments");
    rp_grouper_free(g);
    g = rp_grouper_create();
    d1.source = RP_SOURCE_UNKNOWN;
    assert_int_equal(rp_grouper_add(g, &d1), RP_OK);
    c.n = 0;
    assert_int_equal(rp_grouper_foreach(g, copy_group, &c), RP_OK);
    assert_int_equal(c.g[0].earliest, SIZE_MAX);
    assert_null(c.g[0].earliest_evidence);
    rp_grouper_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grouper_by_hand),
        cmocka_unit_test(groups_against_truth),
        cmocka_unit_test(max_partners_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
