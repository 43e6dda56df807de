/*
 * rewrite.c — rewritten passages: two texts aligned sentence against
 * sentence on their content words.
 *
 * A paraphrase, a summary or a copy put through heavy word operations
 * keeps few runs of identical words, so the seed-and-extend aligner
 * (align.c) finds it in pieces or not at all. What such a copy keeps is
 * each sentence's content: its nouns, verbs and names, in other forms and
 * synonyms, and the order of the sentences. This is the method that led
 * PAN's text alignment task in 2014 (Sanchez-Perez, Gelbukh and Sidorov):
 *
 * 1. Sentences (sentence.c) become term vectors of their content words
 *    (the spin keys of the words that are not function words: synonyms,
 *    word forms and stems meet), weighted tf-idf with the sentences of the
 *    two texts as the documents, so that the words the two texts use
 *    everywhere weigh little.
 * 2. Seeds: sentence pairs whose cosine reaches SEED_COS and Dice
 *    coefficient SEED_DICE, sharing two content words or more. Sanchez-Perez
 *    et al. seed at a cosine of 0.33; on the tests' corpus, where documents
 *    of one topic share names and topic words in most sentences, 0.33 puts
 *    one same-topic pair in thirteen on a fragment and 0.5 one in three
 *    hundred, with PlagDet on paraphrases 0.95 -> 0.99 and on summaries
 *    0.81 -> 0.86 (precision rising more than recall falls).
 * 3. Extension: seeds are clustered by their distance in sentences, split
 *    in turn on one text's axis and the other's until no gap of more than
 *    MAX_GAP sentences is left on either; each cluster spans a fragment of
 *    both texts. A summary keeps one source sentence in several, so its
 *    source side has wide gaps: a second clustering allows SUMMARY_GAP on
 *    the longer side and keeps what it finds where the fragment is much
 *    shorter on one side.
 * 4. Filtering: a fragment must hold seeds in two sentences of each side
 *    (one pair of sentences on one topic, or one statement matched twice,
 *    is what two independent reports of an event share), most of its
 *    sentences seeded (SEEDED; SEEDED_SUMMARIZED of what a summary
 *    condenses: reports of one event seed here and there over their
 *    length, which the gaps would otherwise join into one passage), and
 *    its two sides' summed vectors must reach VALIDATE_COS; overlapping
 *    fragments are resolved for the one with more seeds.
 *
 * A pair whose plain passages leave fewer than min_words words free on
 * either side is not looked at: most pairs of a corpus are copies the
 * plain aligner already has whole.
 *
 * Passages the plain aligner found inside a fragment join it: one copy,
 * one passage. A fragment made of such passages and little else is left
 * to them (it is verbatim or edited reuse, already reported with exact
 * word counts).
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#define SEED_COS 0.5
#define SEED_DICE 0.33
#define VALIDATE_COS 0.34
#define MAX_GAP 4          /* sentences between seeds of one fragment */
#define SUMMARY_GAP 16     /* on the longer side of a summary */
#define SUMMARY_RATIO 0.6  /* a side this much shorter than the other: a summary */
#define SEEDED 0.6         /* of a fragment's sentences, those with a seed */
#define SEEDED_SUMMARIZED 0.2 /* of the sentences a summary condenses */
#define MAX_POSTINGS 64    /* a term in more of a's sentences says nothing */

typedef struct {
    uint32_t key;
    uint32_t sent;           /* the sentence it is in */
    float w;
} rw_term;

typedef struct {
    uint32_t w0, w1;         /* its words */
    uint32_t t0, t1;         /* its terms in ws->terms */
    float norm;
} rw_sent;

typedef struct {
    uint32_t i, j;           /* sentences of a and b */
    float cos;
} rw_seed;

typedef struct {
    uint32_t a0, a1, b0, b1; /* sentence ranges, end exclusive */
    uint32_t seeds;
    float sim;
    int summary;
} rw_frag;

struct rp_rewrite_ws {
    rw_term *terms;
    size_t n_terms, cap_terms;
    rw_sent *sents;          /* a's, then b's */
    size_t cap_sents;
    uint32_t *keys;          /* scratch */
    size_t cap_keys;
    uint64_t *sorted, *scratch; /* terms as key << 32 | index, sorted by key */
    size_t cap_sorted, cap_scratch;
    uint64_t *post;          /* a's terms as key << 32 | index, sorted by key */
    size_t n_post, cap_post;
    float *dot;
    uint32_t *shared, *touched;
    size_t cap_dot, cap_shared, cap_touched;
    rw_seed *seeds;
    size_t n_seeds, cap_seeds;
    rw_frag *frags;
    size_t n_frags, cap_frags;
    size_t *stack;
    size_t cap_stack;
    rw_term *va, *vb;        /* fragment vectors */
    size_t cap_va, cap_vb;
    rp_passage *out;
    size_t cap_out;
    uint8_t *absorbed;
    size_t cap_absorbed;
};

rp_rewrite_ws *rp__rewrite_ws_create(void)
{
    return calloc(1, sizeof(rp_rewrite_ws));
}

void rp__rewrite_ws_free(rp_rewrite_ws *ws)
{
    if (!ws) return;
    free(ws->terms);
    free(ws->sents);
    free(ws->keys);
    free(ws->sorted);
    free(ws->scratch);
    free(ws->post);
    free(ws->dot);
    free(ws->shared);
    free(ws->touched);
    free(ws->seeds);
    free(ws->frags);
    free(ws->stack);
    free(ws->va);
    free(ws->vb);
    free(ws->out);
    free(ws->absorbed);
    free(ws);
}

static int is_content(const rp_rw_text *t, uint32_t i)
{
    return t->key[i] != t->lit[i];
}

/* A sentence's distinct content words into ws->keys with their counts;
 * returns how many. */
static size_t sentence_keys(rp_rewrite_ws *ws, const rp_rw_text *t, uint32_t w0, uint32_t w1)
{
    size_t n = 0;
    for (uint32_t i = w0; i < w1; i++) {
        if (!is_content(t, i)) continue;
        uint32_t k = t->key[i];
        size_t at = n++; /* a sentence is short: insertion */
        while (at > 0 && ws->keys[at - 1] > k) ws->keys[at] = ws->keys[at - 1], at--;
        ws->keys[at] = k;
    }
    return n;
}

/* The sentences of t, from sent (ws->sents + at), with raw term counts. */
static int build_sentences(rp_rewrite_ws *ws, const rp_rw_text *t, size_t at)
{
    uint32_t w0 = 0;
    for (size_t s = 0; s < t->n_sent; s++) {
        uint32_t w1 = t->sent_end[s];
        size_t n = sentence_keys(ws, t, w0, w1);
        if (rp__grow((void **)&ws->terms, &ws->cap_terms, ws->n_terms + n + 1, sizeof(rw_term)))
            return -1;
        rw_sent *se = &ws->sents[at + s];
        se->w0 = w0, se->w1 = w1;
        se->t0 = (uint32_t)ws->n_terms;
        for (size_t k = 0; k < n;) {
            size_t j = k + 1;
            while (j < n && ws->keys[j] == ws->keys[k]) j++;
            ws->terms[ws->n_terms++] = (rw_term){ws->keys[k], (uint32_t)(at + s), (float)(j - k)};
            k = j;
        }
        se->t1 = (uint32_t)ws->n_terms;
        w0 = w1;
    }
    return 0;
}

/* The terms (or a's only) as key << 32 | index, sorted by key. */
static int sort_terms(rp_rewrite_ws *ws, size_t n, uint64_t **out, size_t *cap)
{
    if (rp__grow((void **)out, cap, n + 1, sizeof(uint64_t)) ||
        rp__grow((void **)&ws->scratch, &ws->cap_scratch, n + 1, sizeof(uint64_t)))
        return -1;
    for (size_t k = 0; k < n; k++) (*out)[k] = (uint64_t)ws->terms[k].key << 32 | k;
    rp__radix_sort_scratch(*out, n, 32, ws->scratch);
    return 0;
}

/* tf-idf weights, the sentences of both texts being the documents: a run
 * of one key in the sorted terms is its sentence count (a sentence holds
 * a term once). */
static int weigh(rp_rewrite_ws *ws, size_t n_sent)
{
    if (sort_terms(ws, ws->n_terms, &ws->sorted, &ws->cap_sorted)) return -1;
    for (size_t k = 0; k < ws->n_terms;) {
        size_t j = k + 1;
        while (j < ws->n_terms && ws->sorted[j] >> 32 == ws->sorted[k] >> 32) j++;
        float idf = (float)log((double)(n_sent + 1) / (double)(j - k));
        for (size_t x = k; x < j; x++) ws->terms[(uint32_t)ws->sorted[x]].w *= idf;
        k = j;
    }
    for (size_t s = 0; s < n_sent; s++) {
        rw_sent *se = &ws->sents[s];
        double norm = 0;
        for (uint32_t k = se->t0; k < se->t1; k++) norm += (double)ws->terms[k].w * ws->terms[k].w;
        se->norm = (float)sqrt(norm);
    }
    return 0;
}

/* Seeds: sentence pairs alike in content, through an inverted index of a's
 * sentences. */
static int find_seeds(rp_rewrite_ws *ws, size_t na, size_t nb)
{
    ws->n_seeds = 0;
    ws->n_post = na ? ws->sents[na - 1].t1 : 0; /* a's terms come first */
    if (sort_terms(ws, ws->n_post, &ws->post, &ws->cap_post)) return -1;
    if (rp__grow((void **)&ws->dot, &ws->cap_dot, na + 1, sizeof(float)) ||
        rp__grow((void **)&ws->shared, &ws->cap_shared, na + 1, sizeof(uint32_t)) ||
        rp__grow((void **)&ws->touched, &ws->cap_touched, na + 1, sizeof(uint32_t)))
        return -1;
    memset(ws->dot, 0, na * sizeof(float));
    memset(ws->shared, 0, na * sizeof(uint32_t));
    for (size_t s = 0; s < nb; s++) {
        const rw_sent *sb = &ws->sents[na + s];
        size_t n_touched = 0;
        for (uint32_t k = sb->t0; k < sb->t1; k++) {
            const rw_term *t = &ws->terms[k];
            size_t lo = 0, hi = ws->n_post;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (ws->post[mid] >> 32 < t->key) lo = mid + 1;
                else hi = mid;
            }
            size_t end = lo;
            while (end < ws->n_post && ws->post[end] >> 32 == t->key) end++;
            if (end - lo > MAX_POSTINGS) continue;
            for (size_t x = lo; x < end; x++) {
                const rw_term *ta = &ws->terms[(uint32_t)ws->post[x]];
                uint32_t sa = ta->sent;
                if (!ws->shared[sa]) ws->touched[n_touched++] = sa;
                ws->shared[sa]++;
                ws->dot[sa] += ta->w * t->w;
            }
        }
        for (size_t x = 0; x < n_touched; x++) {
            uint32_t sa = ws->touched[x];
            const rw_sent *se = &ws->sents[sa];
            uint32_t shared = ws->shared[sa];
            double cos = se->norm > 0 && sb->norm > 0 ? ws->dot[sa] / (se->norm * sb->norm) : 0;
            double dice = 2.0 * shared / (double)((se->t1 - se->t0) + (sb->t1 - sb->t0));
            if (shared >= 2 && cos >= SEED_COS && dice >= SEED_DICE) {
                if (rp__grow((void **)&ws->seeds, &ws->cap_seeds, ws->n_seeds + 1, sizeof(rw_seed)))
                    return -1;
                ws->seeds[ws->n_seeds++] = (rw_seed){sa, (uint32_t)s, (float)cos};
            }
            ws->shared[sa] = 0;
            ws->dot[sa] = 0;
        }
    }
    return 0;
}

static int cmp_seed_a(const void *x, const void *y)
{
    const rw_seed *a = x, *b = y;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return a->j < b->j ? -1 : a->j > b->j;
}

static int cmp_seed_b(const void *x, const void *y)
{
    const rw_seed *a = x, *b = y;
    if (a->j != b->j) return a->j < b->j ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Splits seeds[lo, hi), sorted on one axis, where it jumps by more than
 * gap, and pushes the pieces; 0 (nothing pushed) when it is one piece. */
static int split(rp_rewrite_ws *ws, size_t lo, size_t hi, int axis_b, uint32_t gap, size_t *top)
{
    qsort(ws->seeds + lo, hi - lo, sizeof(rw_seed), axis_b ? cmp_seed_b : cmp_seed_a);
#define AXIS(x) (axis_b ? ws->seeds[x].j : ws->seeds[x].i)
    uint32_t reach = AXIS(lo);
    size_t start = lo;
    int pieces = 0;
    for (size_t x = lo + 1; x < hi; x++) {
        if (AXIS(x) > reach + gap) {
            ws->stack[(*top)++] = start;
            ws->stack[(*top)++] = x;
            start = x;
            pieces++;
        }
        if (AXIS(x) > reach) reach = AXIS(x);
    }
#undef AXIS
    if (!pieces) return 0;
    ws->stack[(*top)++] = start;
    ws->stack[(*top)++] = hi;
    return 1;
}

static int add_frag(rp_rewrite_ws *ws, size_t lo, size_t hi, int summary)
{
    if (rp__grow((void **)&ws->frags, &ws->cap_frags, ws->n_frags + 1, sizeof(rw_frag))) return -1;
    rw_frag f = {UINT32_MAX, 0, UINT32_MAX, 0, (uint32_t)(hi - lo), 0, summary};
    for (size_t x = lo; x < hi; x++) {
        const rw_seed *s = &ws->seeds[x];
        if (s->i < f.a0) f.a0 = s->i;
        if (s->i + 1 > f.a1) f.a1 = s->i + 1;
        if (s->j < f.b0) f.b0 = s->j;
        if (s->j + 1 > f.b1) f.b1 = s->j + 1;
    }
    ws->frags[ws->n_frags++] = f;
    return 0;
}

/* Clusters the seeds into fragments: split on a's axis and b's in turn
 * until neither has a gap wider than its limit. */
static int cluster(rp_rewrite_ws *ws, uint32_t gap_a, uint32_t gap_b, int summary)
{
    if (!ws->n_seeds) return 0;
    if (rp__grow((void **)&ws->stack, &ws->cap_stack, 2 * ws->n_seeds + 4, sizeof(size_t))) return -1;
    size_t top = 0;
    ws->stack[top++] = 0;
    ws->stack[top++] = ws->n_seeds;
    while (top) {
        size_t hi = ws->stack[--top], lo = ws->stack[--top];
        if (split(ws, lo, hi, 0, gap_a, &top)) continue;
        if (split(ws, lo, hi, 1, gap_b, &top)) continue;
        if (add_frag(ws, lo, hi, summary)) return -1;
    }
    return 0;
}

static int cmp_term(const void *x, const void *y)
{
    const rw_term *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

/* The summed term vector of sentences [s0, s1) into *v, merged by key. */
static size_t frag_vector(rp_rewrite_ws *ws, size_t s0, size_t s1, rw_term **v, size_t *cap)
{
    size_t n = 0;
    for (size_t s = s0; s < s1; s++) {
        const rw_sent *se = &ws->sents[s];
        if (rp__grow((void **)v, cap, n + (se->t1 - se->t0) + 1, sizeof(rw_term))) return SIZE_MAX;
        for (uint32_t k = se->t0; k < se->t1; k++) (*v)[n++] = ws->terms[k];
    }
    qsort(*v, n, sizeof(rw_term), cmp_term);
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (m && (*v)[m - 1].key == (*v)[k].key) (*v)[m - 1].w += (*v)[k].w;
        else (*v)[m++] = (*v)[k];
    }
    return m;
}

/* Cosine of the fragment's two sides as wholes; -1 out of memory. */
static double frag_cos(rp_rewrite_ws *ws, const rw_frag *f, size_t na)
{
    size_t n1 = frag_vector(ws, f->a0, f->a1, &ws->va, &ws->cap_va);
    size_t n2 = frag_vector(ws, na + f->b0, na + f->b1, &ws->vb, &ws->cap_vb);
    if (n1 == SIZE_MAX || n2 == SIZE_MAX) return -1;
    double dot = 0, x = 0, y = 0;
    for (size_t k = 0; k < n1; k++) x += (double)ws->va[k].w * ws->va[k].w;
    for (size_t k = 0; k < n2; k++) y += (double)ws->vb[k].w * ws->vb[k].w;
    for (size_t i = 0, j = 0; i < n1 && j < n2;) {
        if (ws->va[i].key < ws->vb[j].key) i++;
        else if (ws->va[i].key > ws->vb[j].key) j++;
        else dot += (double)ws->va[i++].w * ws->vb[j++].w;
    }
    return x > 0 && y > 0 ? dot / sqrt(x * y) : 0;
}

/* Whether enough of the fragment's sentences hold a seed: most of both
 * sides of a rewritten passage (each sentence of a paraphrase says one of
 * its source), most of a summary and a fifth of what it summarizes. Two
 * reports of one event have a seed here and there over their length,
 * which the clustering's gaps would otherwise join into one passage. */
static int dense(rp_rewrite_ws *ws, const rw_frag *f, int a_shorter)
{
    uint32_t la = f->a1 - f->a0, lb = f->b1 - f->b0;
    uint8_t *ha = (uint8_t *)ws->keys, *hb = ha + la; /* scratch: ws->keys holds longest + 1 words */
    memset(ha, 0, la + lb);
    for (size_t x = 0; x < ws->n_seeds; x++) {
        const rw_seed *s = &ws->seeds[x];
        if (s->i >= f->a0 && s->i < f->a1 && s->j >= f->b0 && s->j < f->b1)
            ha[s->i - f->a0] = hb[s->j - f->b0] = 1;
    }
    uint32_t da = 0, db = 0;
    for (uint32_t x = 0; x < la; x++) da += ha[x];
    for (uint32_t x = 0; x < lb; x++) db += hb[x];
    double need_a = SEEDED, need_b = SEEDED;
    if (f->summary) *(a_shorter ? &need_b : &need_a) = SEEDED_SUMMARIZED;
    /* two sentences each side: one matched twice (a headline repeated, a
     * title and its lead) is one statement, which reports of an event share */
    return da >= 2 && db >= 2 && da >= need_a * la && db >= need_b * lb;
}

static uint32_t words_of(const rp_rewrite_ws *ws, size_t s0, size_t s1)
{
    return ws->sents[s1 - 1].w1 - ws->sents[s0].w0;
}

static int cmp_frag(const void *x, const void *y)
{
    const rw_frag *a = x, *b = y;
    if (a->seeds != b->seeds) return a->seeds > b->seeds ? -1 : 1;
    if (a->sim != b->sim) return a->sim > b->sim ? -1 : 1;
    return a->a0 < b->a0 ? -1 : a->a0 > b->a0;
}

static int overlaps(uint32_t s0, uint32_t e0, uint32_t s1, uint32_t e1)
{
    return s0 < e1 && s1 < e0;
}

/* Words of [from, to) of x whose key is among the keys of [f2, t2) of y,
 * each used once (a multiset intersection, on keys or own tokens). */
static uint32_t common_words(rp_rewrite_ws *ws, const uint32_t *x, uint32_t from, uint32_t to,
                             const uint32_t *y, uint32_t f2, uint32_t t2)
{
    size_t n1 = to - from, n2 = t2 - f2;
    if (rp__grow((void **)&ws->sorted, &ws->cap_sorted, n1 + n2 + 1, sizeof(uint64_t)) ||
        rp__grow((void **)&ws->scratch, &ws->cap_scratch, n1 + n2 + 1, sizeof(uint64_t)))
        return 0;
    uint64_t *v = ws->sorted;
    for (size_t k = 0; k < n1; k++) v[k] = (uint64_t)x[from + k] << 32;
    for (size_t k = 0; k < n2; k++) v[n1 + k] = (uint64_t)y[f2 + k] << 32;
    rp__radix_sort_scratch(v, n1, 32, ws->scratch);
    rp__radix_sort_scratch(v + n1, n2, 32, ws->scratch);
    uint32_t c = 0;
    for (size_t i = 0, j = n1; i < n1 && j < n1 + n2;) {
        if (v[i] < v[j]) i++;
        else if (v[i] > v[j]) j++;
        else c++, i++, j++;
    }
    return c;
}

size_t rp__rewrite_align(rp_rewrite_ws *ws, const rp_rw_text *a, const rp_rw_text *b,
                         const rp_passage *ps, size_t n, const rp_params *p, rp_passage **out)
{
    size_t na = a->n_sent, nb = b->n_sent, longest = a->n_words > b->n_words ? a->n_words : b->n_words;
    ws->n_terms = ws->n_frags = 0;
    if (rp__grow((void **)&ws->sents, &ws->cap_sents, na + nb + 1, sizeof(rw_sent)) ||
        rp__grow((void **)&ws->keys, &ws->cap_keys, longest + 1, sizeof(uint32_t)) ||
        rp__grow((void **)&ws->out, &ws->cap_out, n + 1, sizeof(rp_passage)) ||
        rp__grow((void **)&ws->absorbed, &ws->cap_absorbed, n + 1, 1))
        return SIZE_MAX;
    if (n) memcpy(ws->out, ps, n * sizeof(rp_passage));
    *out = ws->out;
    /* a fragment needs words no plain passage holds, on both sides (most
     * pairs of a corpus are copies the plain aligner has all of) */
    size_t free_a = a->n_words, free_b = b->n_words;
    for (size_t k = 0; k < n; k++) free_a -= ps[k].a_words, free_b -= ps[k].b_words;
    if (!na || !nb || free_a < p->min_words || free_b < p->min_words) return n;
    if (build_sentences(ws, a, 0) || build_sentences(ws, b, na) || weigh(ws, na + nb) ||
        find_seeds(ws, na, nb))
        return SIZE_MAX;
    /* fragments of rewritten text, then of summaries (wide gaps on one side) */
    if (cluster(ws, MAX_GAP, MAX_GAP, 0)) return SIZE_MAX;
    size_t plain = ws->n_frags;
    if (cluster(ws, SUMMARY_GAP, MAX_GAP, 1) || cluster(ws, MAX_GAP, SUMMARY_GAP, 1)) return SIZE_MAX;
    size_t kept = 0;
    for (size_t k = 0; k < ws->n_frags; k++) {
        rw_frag f = ws->frags[k];
        uint32_t wa = words_of(ws, f.a0, f.a1), wb = words_of(ws, na + f.b0, na + f.b1);
        uint32_t lo = wa < wb ? wa : wb, hi = wa < wb ? wb : wa;
        int short_side = lo < SUMMARY_RATIO * hi;
        if (k >= plain && !short_side) continue; /* a summary's clustering, not a summary */
        f.summary = short_side;
        if (f.seeds < 2) continue;
        if (hi < p->min_words) continue;
        if (!dense(ws, &f, wa < wb)) continue;
        double sim = frag_cos(ws, &f, na);
        if (sim < 0) return SIZE_MAX;
        if (sim < VALIDATE_COS) continue;
        f.sim = (float)sim;
        f.summary = short_side;
        ws->frags[kept++] = f;
    }
    ws->n_frags = kept;
    if (ws->n_frags) qsort(ws->frags, ws->n_frags, sizeof(rw_frag), cmp_frag);
    /* overlapping fragments: the one with more seeds stays */
    kept = 0;
    for (size_t k = 0; k < ws->n_frags; k++) {
        const rw_frag *f = &ws->frags[k];
        int clash = 0;
        for (size_t x = 0; x < kept && !clash; x++)
            clash = overlaps(f->a0, f->a1, ws->frags[x].a0, ws->frags[x].a1) ||
                    overlaps(f->b0, f->b1, ws->frags[x].b0, ws->frags[x].b1);
        if (!clash) ws->frags[kept++] = *f;
    }
    ws->n_frags = kept;
    /* each fragment takes in the plain passages inside it */
    memset(ws->absorbed, 0, n);
    size_t n_out = n;
    for (size_t k = 0; k < ws->n_frags; k++) {
        const rw_frag *f = &ws->frags[k];
        uint32_t a0 = ws->sents[f->a0].w0, a1 = ws->sents[f->a1 - 1].w1;
        uint32_t b0 = ws->sents[na + f->b0].w0, b1 = ws->sents[na + f->b1 - 1].w1;
        int clash = 0;
        uint32_t inside = 0;
        for (size_t x = 0; x < n; x++) {
            const rp_passage *q = &ps[x];
            int oa = overlaps(q->a_word, q->a_word + q->a_words, a0, a1);
            int ob = overlaps(q->b_word, q->b_word + q->b_words, b0, b1);
            if (oa != ob) clash = 1;
        }
        if (clash) continue;
        for (size_t x = 0; x < n; x++) {
            const rp_passage *q = &ps[x];
            if (!overlaps(q->a_word, q->a_word + q->a_words, a0, a1)) continue;
            if (q->a_word < a0) a0 = q->a_word;
            if (q->a_word + q->a_words > a1) a1 = q->a_word + q->a_words;
            if (q->b_word < b0) b0 = q->b_word;
            if (q->b_word + q->b_words > b1) b1 = q->b_word + q->b_words;
            inside += q->a_words > q->b_words ? q->a_words : q->b_words;
        }
        uint32_t words = a1 - a0 > b1 - b0 ? a1 - a0 : b1 - b0;
        if (inside * 5 >= words * 4) continue; /* plain reuse, already reported */
        /* grown by the plain passages it took in, a fragment can reach one
         * kept before it (two that took in the same passage): the first
         * stays, as when their sentences overlapped (a fuzz finding) */
        for (size_t y = n; y < n_out && !clash; y++)
            clash = overlaps(ws->out[y].a_word, ws->out[y].a_word + ws->out[y].a_words, a0, a1) ||
                    overlaps(ws->out[y].b_word, ws->out[y].b_word + ws->out[y].b_words, b0, b1);
        if (clash) continue;
        for (size_t x = 0; x < n; x++)
            if (overlaps(ps[x].a_word, ps[x].a_word + ps[x].a_words, a0, a1)) ws->absorbed[x] = 1;
        if (rp__grow((void **)&ws->out, &ws->cap_out, n_out + 1, sizeof(rp_passage))) return SIZE_MAX;
        rp_passage *q = &ws->out[n_out++];
        memset(q, 0, sizeof(*q));
        q->a_word = a0, q->a_words = a1 - a0;
        q->b_word = b0, q->b_words = b1 - b0;
        q->words = words;
        q->matches = common_words(ws, a->key, a0, a1, b->key, b0, b1);
        q->identical = common_words(ws, a->lit, a0, a1, b->lit, b0, b1);
        if (q->identical > q->matches) q->identical = q->matches;
        q->identity = (double)q->matches / words;
        q->differ = 1 - (double)q->identical / words;
        q->kind = f->summary ? RP_KIND_SUMMARY : RP_KIND_REWRITTEN;
    }
    /* the plain passages left, then the fragments, in a's order */
    size_t m = 0;
    for (size_t x = 0; x < n; x++)
        if (!ws->absorbed[x]) ws->out[m++] = ws->out[x];
    memmove(ws->out + m, ws->out + n, (n_out - n) * sizeof(rp_passage));
    n_out = m + (n_out - n);
    for (size_t x = 1; x < n_out; x++) { /* few: insertion */
        rp_passage v = ws->out[x];
        size_t y = x;
        while (y > 0 && ws->out[y - 1].a_word > v.a_word) ws->out[y] = ws->out[y - 1], y--;
        ws->out[y] = v;
    }
    *out = ws->out;
    return n_out;
}
