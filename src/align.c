/*
 * align.c — the passages two token streams share: seed, extend, chain.
 *
 * Seeds are exact matches of SEED consecutive words, found through a hash
 * table of the first text's k-grams. A seed whose preceding words also match
 * is inside a longer run and skipped, so every maximal run of identical words
 * is found once, from its start, and extended to its end.
 *
 * Runs are chained into passages when the next run starts at most max_gap
 * words after the previous one in both texts (runs may overlap a little when
 * a word is repeated). This is what lets a passage survive a changed word, a
 * typo, a dropped clause, and what merges passages adjacent in both texts,
 * as passim and the PAN text-alignment systems do. The words of a gap are
 * aligned exactly (an LCS of at most (max_gap + SEED)^2 cells), so a passage
 * counts every identical word, not only those inside runs.
 *
 * A chain is a passage when it has min_words matching words and at least
 * min_identity of its longer side matches. Passages that overlap in either
 * text are resolved in favour of the one with more matching words, and the
 * other is trimmed, not dropped: its runs lose the words already aligned and
 * what is left is chained again (two passages that touch by one coincidental
 * word both survive). What is reported is a one-to-one alignment.
 *
 * Last, passages adjacent and in order in both texts merge across a gap of up
 * to max_insert words on one side (and max_gap on the other): a teaser line,
 * an ad or a caption inserted into a copy, or a sentence dropped from it,
 * leaves one passage whose words and identity say what is inside.
 *
 * A seed found more than MAX_OCC times in the first text (a text that repeats
 * itself) is not tried at every occurrence, which would be quadratic: only
 * on the diagonals of the runs found last and at the proportional position,
 * so an exact or long copy is still aligned whole, if more coarsely.
 */
#include "internal.h"
#include "shingle_hash.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#define SEED 4        /* words per seed: the shortest run that anchors a passage */
#define MAX_OCC 64    /* a seed repeated more often in the first text: diagonals only */
#define N_DIAG 4      /* the diagonals of the last runs found, tried for such seeds */

typedef struct {
    uint32_t i, j, len;
    uint32_t chain;          /* the chain it joined (chain_runs) */
} rp_run;

typedef struct {
    uint32_t i0, j0, i1, j1; /* word ranges, end exclusive */
    uint32_t matches;
    uint32_t same;           /* of the matches, words literally identical */
    uint32_t id;             /* its index before sorting: runs name it */
} rp_chain;

typedef struct {
    long from, to;           /* a forbidden stretch of a run, in its own offsets */
} rp_cut;

typedef struct {
    uint64_t key;            /* the k-gram's hash */
    uint32_t head, count;    /* its first position in a, and how many */
} rp_seed_slot;

struct rp_align_ws {
    const uint32_t *ta;
    size_t na;
    const uint32_t *la, *lb; /* --spin: the words' own hashes (ta, tb are keys) */
    const uint32_t *ma, *mb; /* boilerplate word ranges (start, end) of a and b */
    size_t n_ma, n_mb;
    unsigned seed;
    rp_seed_slot *tab;  /* hash table over a's k-grams */
    unsigned tab_shift; /* a k-gram's slot: its hash's top bits */
    uint64_t *bits;     /* a's k-grams as bits: most of b's are refused here */
    unsigned bits_shift;
    uint32_t *next;     /* per position of a: the next with the same k-gram */
    size_t cap_a, cap_tab;
    rp_run *runs;
    size_t n_runs, cap_runs;
    rp_chain *chains;
    size_t n_chains, cap_chains;
    size_t *open;
    size_t cap_open;
    uint16_t *dp;
    size_t cap_dp;
    rp_passage *out;
    size_t cap_out;
    uint32_t *by_chain;  /* run indexes grouped by chain, for trimming */
    size_t cap_by_chain;
    uint32_t *chain_first; /* per chain id: its first entry in by_chain (+1 past) */
    size_t cap_chain_first;
    rp_run *pieces;      /* a trimmed chain's runs, clipped */
    size_t cap_pieces;
    rp_cut *cuts;
    size_t cap_cuts;
};

rp_align_ws *rp__align_ws_create(void)
{
    return calloc(1, sizeof(rp_align_ws));
}

void rp__align_ws_free(rp_align_ws *ws)
{
    if (!ws) return;
    free(ws->tab);
    free(ws->bits);
    free(ws->next);
    free(ws->runs);
    free(ws->chains);
    free(ws->open);
    free(ws->dp);
    free(ws->out);
    free(ws->by_chain);
    free(ws->chain_first);
    free(ws->pieces);
    free(ws->cuts);
    free(ws);
}

/* A seed's hash. Its words are already hashes, so a product each, summed,
 * mixes them: the products are independent, where a chain of multiplies
 * made every k-gram wait on the last (this runs once per word of every
 * candidate's text). The top bits choose the slot; equal keys are checked
 * word for word (try_run), so a collision costs a comparison, not a run. */
static inline uint64_t kgram(const uint32_t *t, unsigned k)
{
    static const uint64_t mul[SEED] = {0x9E3779B97F4A7C15ULL, 0xBF58476D1CE4E5B9ULL,
                                       0x94D049BB133111EBULL, 0xD6E8FEB86659FD93ULL};
    uint64_t h = 0x2545F4914F6CDD1DULL;
    for (unsigned x = 0; x < k; x++) h += ((uint64_t)t[x] + x + 1) * mul[x];
    return h ^ (h >> 29);
}

static inline size_t seed_bit(const rp_align_ws *ws, uint64_t h)
{
    return (size_t)((h << 20) >> ws->bits_shift);
}

int rp__align_set_a(rp_align_ws *ws, const uint32_t *ta, size_t na, unsigned min_words)
{
    ws->ta = ta;
    ws->na = na;
    ws->seed = min_words < SEED ? (min_words ? min_words : 1) : SEED;
    if (na < ws->seed) return 0;
    size_t nk = na - ws->seed + 1;
    size_t tab = 16;
    unsigned log = 4;
    while (tab < nk * 2) tab <<= 1, log++;
    if (rp__grow((void **)&ws->next, &ws->cap_a, nk, sizeof(uint32_t))) return -1;
    if (tab > ws->cap_tab) {
        free(ws->tab);
        free(ws->bits);
        ws->tab = malloc(tab * sizeof(rp_seed_slot));
        ws->bits = malloc(tab / 2 * sizeof(uint64_t)); /* 32 bits a slot, 64 a seed or more */
        ws->cap_tab = ws->tab && ws->bits ? tab : 0;
        if (!ws->cap_tab) return -1;
    }
    ws->tab_shift = 64 - log;
    ws->bits_shift = 64 - (log + 5);
    memset(ws->tab, 0, tab * sizeof(rp_seed_slot));
    memset(ws->bits, 0, tab / 2 * sizeof(uint64_t));
    size_t mask = tab - 1;
    /* backwards, so each chain lists positions in increasing order */
    for (size_t i = nk; i-- > 0;) {
        uint64_t h = kgram(ta + i, ws->seed);
        size_t s = h >> ws->tab_shift, b = seed_bit(ws, h);
        ws->bits[b >> 6] |= (uint64_t)1 << (b & 63);
        while (ws->tab[s].count && ws->tab[s].key != h) s = (s + 1) & mask;
        if (!ws->tab[s].count) {
            ws->tab[s].key = h;
            ws->next[i] = UINT32_MAX;
        } else {
            ws->next[i] = ws->tab[s].head;
        }
        ws->tab[s].head = (uint32_t)i;
        ws->tab[s].count++;
    }
    return 0;
}

void rp__align_set_boilerplate(rp_align_ws *ws, const uint32_t *ma, size_t n_ma,
                               const uint32_t *mb, size_t n_mb)
{
    ws->ma = ma;
    ws->n_ma = n_ma;
    ws->mb = mb;
    ws->n_mb = n_mb;
}

long rp__words_in_ranges(const uint32_t *r, size_t n, uint32_t from, uint32_t to)
{
    long in = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t s = r[2 * k] > from ? r[2 * k] : from, e = r[2 * k + 1] < to ? r[2 * k + 1] : to;
        if (e > s) in += e - s;
    }
    return in;
}

void rp__align_set_literal(rp_align_ws *ws, const uint32_t *la, const uint32_t *lb)
{
    ws->la = la;
    ws->lb = lb;
}

static int push_run(rp_align_ws *ws, uint32_t i, uint32_t j, uint32_t len)
{
    if (rp__grow((void **)&ws->runs, &ws->cap_runs, ws->n_runs + 1, sizeof(rp_run))) return -1;
    ws->runs[ws->n_runs++] = (rp_run){i, j, len, 0};
    return 0;
}

/* The maximal run through a[i], b[j] if it starts there. 1 if one was
 * pushed, 0 if not, -1 out of memory. */
static int try_run(rp_align_ws *ws, size_t i, size_t j, const uint32_t *tb, size_t nb)
{
    const uint32_t *ta = ws->ta;
    size_t na = ws->na, k = ws->seed;
    if (i > 0 && j > 0 && ta[i - 1] == tb[j - 1]) return 0; /* not a run's start */
    if (memcmp(ta + i, tb + j, k * sizeof(uint32_t)) != 0) return 0;
    size_t len = k;
    while (i + len < na && j + len < nb && ta[i + len] == tb[j + len]) len++;
    return push_run(ws, (uint32_t)i, (uint32_t)j, (uint32_t)len) ? -1 : 1;
}

/* Every maximal run of at least seed identical words, found from its start;
 * for a seed repeated more than MAX_OCC times in a, only the runs on the
 * diagonals (i - j) of the last runs found and at the proportional place. */
static int find_runs(rp_align_ws *ws, const uint32_t *tb, size_t nb)
{
    size_t na = ws->na;
    unsigned k = ws->seed;
    long diag[N_DIAG]; /* a ring: the diagonals of the last runs found */
    unsigned next_diag = 0;
    for (unsigned d = 0; d < N_DIAG; d++) diag[d] = LONG_MIN;
    ws->n_runs = 0;
    if (na < k || nb < k) return 0;
    size_t mask = ((size_t)1 << (64 - ws->tab_shift)) - 1;
    for (size_t j = 0; j + k <= nb; j++) {
        uint64_t h = kgram(tb + j, k);
        size_t b = seed_bit(ws, h);
        if (!(ws->bits[b >> 6] >> (b & 63) & 1)) continue;
        size_t s = h >> ws->tab_shift;
        while (ws->tab[s].count && ws->tab[s].key != h) s = (s + 1) & mask;
        if (!ws->tab[s].count) continue;
        long tried[N_DIAG + 1];
        unsigned n_tried = 0;
        if (ws->tab[s].count <= MAX_OCC) {
            for (uint32_t i = ws->tab[s].head; i != UINT32_MAX; i = ws->next[i]) {
                int got = try_run(ws, i, j, tb, nb);
                if (got < 0) return -1;
                if (got && n_tried < N_DIAG) tried[n_tried++] = (long)i - (long)j;
            }
        } else {
            long prop = (long)((double)j * (double)(na - k + 1) / (double)(nb - k + 1)) - (long)j;
            long cand[N_DIAG + 1];
            unsigned n_cand = 0;
            cand[n_cand++] = prop;
            for (unsigned d = 0; d < N_DIAG; d++)
                if (diag[d] != LONG_MIN) cand[n_cand++] = diag[d];
            for (unsigned d = 0; d < n_cand; d++) {
                long i = (long)j + cand[d];
                int dup = 0;
                for (unsigned e = 0; e < d; e++) dup |= cand[e] == cand[d];
                if (dup || i < 0 || (size_t)i + k > na) continue;
                int got = try_run(ws, (size_t)i, j, tb, nb);
                if (got < 0) return -1;
                if (got && n_tried < N_DIAG) tried[n_tried++] = cand[d];
            }
        }
        for (unsigned d = 0; d < n_tried; d++) {
            int known = 0;
            for (unsigned e = 0; e < N_DIAG; e++) known |= diag[e] == tried[d];
            if (known) continue;
            diag[next_diag] = tried[d];
            next_diag = (next_diag + 1) % N_DIAG;
        }
    }
    return 0;
}

static int cmp_run(const void *x, const void *y)
{
    const rp_run *a = x, *b = y;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return a->j < b->j ? -1 : a->j > b->j;
}

/* Length of the longest common subsequence of a[0..na) and b[0..nb). */
static int lcs(rp_align_ws *ws, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
               uint32_t *out)
{
    *out = 0;
    if (na == 0 || nb == 0) return 0;
    if (rp__grow((void **)&ws->dp, &ws->cap_dp, 2 * (nb + 1), sizeof(uint16_t))) return -1;
    uint16_t *prev = ws->dp, *cur = ws->dp + nb + 1;
    memset(prev, 0, (nb + 1) * sizeof(uint16_t));
    for (size_t x = 1; x <= na; x++) {
        cur[0] = 0;
        for (size_t y = 1; y <= nb; y++) {
            if (a[x - 1] == b[y - 1]) cur[y] = (uint16_t)(prev[y - 1] + 1);
            else cur[y] = prev[y] > cur[y - 1] ? prev[y] : cur[y - 1];
        }
        uint16_t *t = prev;
        prev = cur;
        cur = t;
    }
    *out = prev[nb];
    return 0;
}

/* The words matched in the gap a[i0, i1) x b[j0, j1), and of them literally
 * identical ones; -1 out of memory. */
static int gap_matches(rp_align_ws *ws, const uint32_t *tb, uint32_t i0, uint32_t i1, uint32_t j0,
                       uint32_t j1, uint32_t *matches, uint32_t *same)
{
    if (lcs(ws, ws->ta + i0, i1 - i0, tb + j0, j1 - j0, matches)) return -1;
    *same = *matches;
    if (ws->la && lcs(ws, ws->la + i0, i1 - i0, ws->lb + j0, j1 - j0, same)) return -1;
    return 0;
}

/* Chains the sorted runs: each run joins the open chain it continues with the
 * smallest gap, or starts a chain. A chain whose end is more than max_gap
 * words behind the current run in a can never be continued and is closed. */
/* Literally identical words of a run (all of them without --spin). */
static uint32_t run_same(const rp_align_ws *ws, rp_run run)
{
    if (!ws->la) return run.len;
    uint32_t same = 0;
    for (uint32_t k = 0; k < run.len; k++) same += ws->la[run.i + k] == ws->lb[run.j + k];
    return same;
}

static int chain_runs(rp_align_ws *ws, const uint32_t *tb, unsigned max_gap)
{
    long ov = (long)ws->seed - 1; /* overlap tolerated where a word repeats */
    size_t n_open = 0;
    ws->n_chains = 0;
    for (size_t r = 0; r < ws->n_runs; r++) {
        rp_run run = ws->runs[r];
        size_t best = SIZE_MAX;
        long best_cost = 0;
        for (size_t o = 0; o < n_open;) {
            rp_chain *c = &ws->chains[ws->open[o]];
            if ((long)c->i1 + (long)max_gap < (long)run.i) {
                ws->open[o] = ws->open[--n_open];
                continue;
            }
            o++;
            long ga = (long)run.i - c->i1, gb = (long)run.j - c->j1;
            if (ga < -ov || gb < -ov || ga > (long)max_gap || gb > (long)max_gap) continue;
            long over = -(ga < gb ? ga : gb);
            if (over >= (long)run.len) continue; /* nothing new */
            long cost = (ga > 0 ? ga : 0) + (gb > 0 ? gb : 0) + (ga > gb ? ga - gb : gb - ga);
            if (best == SIZE_MAX || cost < best_cost) best = (size_t)(c - ws->chains), best_cost = cost;
        }
        if (best != SIZE_MAX) {
            rp_chain *c = &ws->chains[best];
            long ga = (long)run.i - c->i1, gb = (long)run.j - c->j1;
            long over = -(ga < gb ? ga : gb);
            if (over > 0) { /* drop the run's words already inside the chain */
                run.i += (uint32_t)over;
                run.j += (uint32_t)over;
                run.len -= (uint32_t)over;
            }
            run.chain = (uint32_t)best;
            ws->runs[r] = run; /* as the chain holds it, for trimming */
            uint32_t gm, gs;
            if (gap_matches(ws, tb, c->i1, run.i, c->j1, run.j, &gm, &gs)) return -1;
            c->matches += gm + run.len;
            c->same += gs + run_same(ws, run);
            c->i1 = run.i + run.len;
            c->j1 = run.j + run.len;
            continue;
        }
        if (rp__grow((void **)&ws->chains, &ws->cap_chains, ws->n_chains + 1, sizeof(rp_chain)) ||
            rp__grow((void **)&ws->open, &ws->cap_open, n_open + 1, sizeof(size_t)))
            return -1;
        ws->runs[r].chain = (uint32_t)ws->n_chains;
        ws->chains[ws->n_chains] = (rp_chain){run.i,     run.j,          run.i + run.len,
                                              run.j + run.len, run.len, run_same(ws, run),
                                              (uint32_t)ws->n_chains};
        ws->open[n_open++] = ws->n_chains++;
    }
    return 0;
}

static int cmp_chain_matches(const void *x, const void *y)
{
    const rp_chain *a = x, *b = y;
    if (a->matches != b->matches) return a->matches > b->matches ? -1 : 1;
    if (a->i0 != b->i0) return a->i0 < b->i0 ? -1 : 1;
    return a->j0 < b->j0 ? -1 : a->j0 > b->j0;
}

static int cmp_passage(const void *x, const void *y)
{
    const rp_passage *a = x, *b = y;
    return a->a_word < b->a_word ? -1 : a->a_word > b->a_word;
}

static int cmp_cut(const void *x, const void *y)
{
    const rp_cut *a = x, *b = y;
    return a->from < b->from ? -1 : a->from > b->from;
}

/* Appends a passage of word ranges a[i0, i1), b[j0, j1); -1 out of memory. */
static int push_passage(rp_align_ws *ws, size_t *n, uint32_t i0, uint32_t j0, uint32_t i1,
                        uint32_t j1, uint32_t matches, uint32_t same)
{
    if (rp__grow((void **)&ws->out, &ws->cap_out, *n + 1, sizeof(rp_passage))) return -1;
    rp_passage *ps = &ws->out[(*n)++];
    uint32_t la = i1 - i0, lb = j1 - j0, words = la > lb ? la : lb;
    memset(ps, 0, sizeof(*ps));
    ps->a_word = i0;
    ps->a_words = la;
    ps->b_word = j0;
    ps->b_words = lb;
    ps->words = words;
    ps->matches = matches;
    ps->identity = words ? (double)matches / words : 0;
    ps->identical = same;
    ps->differ = words ? 1.0 - (double)same / words : 0;
    return 0;
}

/* Whether a[i0, i1) or b[j0, j1) overlaps one of the n passages found. */
static int clashes(const rp_align_ws *ws, size_t n, uint32_t i0, uint32_t j0, uint32_t i1,
                   uint32_t j1)
{
    for (size_t q = 0; q < n; q++) {
        const rp_passage *o = &ws->out[q];
        if ((i0 < o->a_word + o->a_words && o->a_word < i1) ||
            (j0 < o->b_word + o->b_words && o->b_word < j1))
            return 1;
    }
    return 0;
}

/* Groups the runs by chain (a counting sort on run.chain that keeps their
 * order), once per alignment, when a first chain has to be trimmed. */
static int group_runs(rp_align_ws *ws)
{
    size_t nc = ws->n_chains;
    if (rp__grow((void **)&ws->chain_first, &ws->cap_chain_first, nc + 1, sizeof(uint32_t)) ||
        rp__grow((void **)&ws->by_chain, &ws->cap_by_chain, ws->n_runs + 1, sizeof(uint32_t)))
        return -1;
    memset(ws->chain_first, 0, (nc + 1) * sizeof(uint32_t));
    for (size_t r = 0; r < ws->n_runs; r++) ws->chain_first[ws->runs[r].chain + 1]++;
    for (size_t c = 0; c < nc; c++) ws->chain_first[c + 1] += ws->chain_first[c];
    for (size_t r = 0; r < ws->n_runs; r++) ws->by_chain[ws->chain_first[ws->runs[r].chain]++] = (uint32_t)r;
    for (size_t c = nc; c > 0; c--) ws->chain_first[c] = ws->chain_first[c - 1];
    ws->chain_first[0] = 0;
    return 0;
}

/* A chain that overlaps passages already found: its runs lose the words
 * aligned already (in a or in b), the pieces left are chained again where no
 * found passage lies between them, and each new chain that still makes a
 * passage is one. Returns -1 out of memory. */
static int trim_chain(rp_align_ws *ws, const rp_chain *ch, const uint32_t *tb, const rp_params *p,
                      size_t *n)
{
    size_t found = *n, n_pieces = 0;
    for (uint32_t x = ws->chain_first[ch->id]; x < ws->chain_first[ch->id + 1]; x++) {
        rp_run run = ws->runs[ws->by_chain[x]];
        size_t n_cuts = 0;
        for (size_t q = 0; q < found; q++) {
            const rp_passage *o = &ws->out[q];
            long f[2] = {(long)o->a_word - run.i, (long)o->b_word - run.j};
            long t[2] = {f[0] + o->a_words, f[1] + o->b_words};
            for (int side = 0; side < 2; side++) {
                if (t[side] <= 0 || f[side] >= (long)run.len) continue;
                if (rp__grow((void **)&ws->cuts, &ws->cap_cuts, n_cuts + 1, sizeof(rp_cut))) return -1;
                ws->cuts[n_cuts++] = (rp_cut){f[side], t[side]};
            }
        }
        if (n_cuts > 1) qsort(ws->cuts, n_cuts, sizeof(rp_cut), cmp_cut);
        long at = 0;
        for (size_t c = 0; c <= n_cuts; c++) {
            long end = c < n_cuts ? ws->cuts[c].from : (long)run.len;
            if (end > at) {
                if (rp__grow((void **)&ws->pieces, &ws->cap_pieces, n_pieces + 1, sizeof(rp_run)))
                    return -1;
                ws->pieces[n_pieces++] = (rp_run){run.i + (uint32_t)at, run.j + (uint32_t)at,
                                                  (uint32_t)(end - at), ch->id};
            }
            if (c < n_cuts && ws->cuts[c].to > at) at = ws->cuts[c].to;
        }
    }
    for (size_t x = 0; x < n_pieces;) {
        rp_run first = ws->pieces[x];
        uint32_t i1 = first.i + first.len, j1 = first.j + first.len;
        uint32_t matches = first.len, same = run_same(ws, first);
        size_t y = x + 1;
        for (; y < n_pieces; y++) {
            rp_run r = ws->pieces[y];
            if (r.i - i1 > p->max_gap || r.j - j1 > p->max_gap || clashes(ws, found, i1, j1, r.i, r.j))
                break;
            uint32_t gm, gs;
            if (gap_matches(ws, tb, i1, r.i, j1, r.j, &gm, &gs)) return -1;
            matches += gm + r.len;
            same += gs + run_same(ws, r);
            i1 = r.i + r.len;
            j1 = r.j + r.len;
        }
        uint32_t la = i1 - first.i, lb = j1 - first.j, words = la > lb ? la : lb;
        if (matches >= p->min_words && (double)matches / words + 1e-9 >= p->min_identity &&
            push_passage(ws, n, first.i, first.j, i1, j1, matches, same))
            return -1;
        x = y;
    }
    return 0;
}

/* Merges passages that follow each other in both texts across a gap of at
 * most max_insert words on one side and max_gap on the other, with nothing
 * found in between: words inserted into one text (a teaser line, an ad) or
 * dropped from it do not cut a passage; boilerplate words in a gap do not
 * count. out is sorted by a. */
static int merge_adjacent(rp_align_ws *ws, const uint32_t *tb, const rp_params *p, size_t *n)
{
    unsigned big = p->max_insert > p->max_gap ? p->max_insert : p->max_gap;
    size_t w = 0;
    for (size_t k = 1; k < *n; k++) {
        rp_passage *m = &ws->out[w], *q = &ws->out[k];
        uint32_t i1 = m->a_word + m->a_words, j1 = m->b_word + m->b_words;
        int ok = q->b_word >= j1;
        /* boilerplate in the gap (a teaser, an ad the sites repeat) is not
         * a difference between the texts */
        long ga = (long)q->a_word - i1, gb = (long)q->b_word - j1;
        if (ok) {
            ga -= rp__words_in_ranges(ws->ma, ws->n_ma, i1, q->a_word);
            gb -= rp__words_in_ranges(ws->mb, ws->n_mb, j1, q->b_word);
        }
        long lo = ga < gb ? ga : gb, hi = ga < gb ? gb : ga;
        ok = ok && lo <= (long)p->max_gap && hi <= (long)big;
        for (size_t o = 0; ok && o < *n; o++) { /* nothing else inside the gap in b */
            const rp_passage *x = &ws->out[o];
            if (o != w && o != k && x->b_word < q->b_word && x->b_word + x->b_words > j1) ok = 0;
        }
        uint32_t gm = 0, gs = 0;
        if (ok && gap_matches(ws, tb, i1, q->a_word, j1, q->b_word, &gm, &gs)) return -1;
        if (!ok) {
            ws->out[++w] = *q;
            continue;
        }
        uint32_t matches = m->matches + gm + q->matches, same = m->identical + gs + q->identical;
        uint32_t i0 = m->a_word, j0 = m->b_word;
        uint32_t la = q->a_word + q->a_words - i0, lb = q->b_word + q->b_words - j0;
        if ((double)matches / (la > lb ? la : lb) + 1e-9 < p->min_identity) {
            ws->out[++w] = *q; /* a passage keeps min_identity, merged or not */
            continue;
        }
        size_t at = w;
        if (push_passage(ws, &at, i0, j0, q->a_word + q->a_words, q->b_word + q->b_words, matches,
                         same))
            return -1;
    }
    *n = *n ? w + 1 : 0;
    return 0;
}

size_t rp__align_with(rp_align_ws *ws, const uint32_t *tb, size_t nb, const rp_params *p,
                      rp_passage **out)
{
    *out = ws->out;
    if (find_runs(ws, tb, nb)) return SIZE_MAX;
    if (ws->n_runs == 0) return 0;
    qsort(ws->runs, ws->n_runs, sizeof(rp_run), cmp_run);
    if (chain_runs(ws, tb, p->max_gap)) return SIZE_MAX;
    if (ws->n_chains > 1) qsort(ws->chains, ws->n_chains, sizeof(rp_chain), cmp_chain_matches);
    size_t n = 0;
    int grouped = 0;
    for (size_t c = 0; c < ws->n_chains; c++) {
        const rp_chain *ch = &ws->chains[c];
        if (ch->matches < p->min_words) break; /* sorted: the rest have fewer */
        uint32_t la = ch->i1 - ch->i0, lb = ch->j1 - ch->j0;
        uint32_t words = la > lb ? la : lb;
        if ((double)ch->matches / words + 1e-9 < p->min_identity) continue;
        if (!clashes(ws, n, ch->i0, ch->j0, ch->i1, ch->j1)) {
            if (push_passage(ws, &n, ch->i0, ch->j0, ch->i1, ch->j1, ch->matches, ch->same))
                return SIZE_MAX;
            continue;
        }
        if (!grouped && group_runs(ws)) return SIZE_MAX;
        grouped = 1;
        if (trim_chain(ws, ch, tb, p, &n)) return SIZE_MAX;
    }
    if (n > 1) qsort(ws->out, n, sizeof(rp_passage), cmp_passage);
    if (n > 1 && merge_adjacent(ws, tb, p, &n)) return SIZE_MAX;
    *out = ws->out;
    return n;
}

void rp__align_summarize(rp_alignment *al, rp_passage *ps, size_t n, const rp_span *sa,
                         size_t content_a, const rp_span *sb, size_t content_b, int identical)
{
    uint64_t wa = 0, wb = 0, matches = 0, substituted = 0;
    for (size_t k = 0; k < n; k++) {
        rp_passage *p = &ps[k];
        p->a_start = sa[p->a_word].start;
        p->a_end = sa[p->a_word + p->a_words - 1].end;
        p->b_start = sb[p->b_word].start;
        p->b_end = sb[p->b_word + p->b_words - 1].end;
        if (p->kind < RP_KIND_REWRITTEN) /* the sentence aligner set its own */
            p->kind = p->identical == p->words && p->a_words == p->b_words ? RP_KIND_VERBATIM
                      : rp_is_disguised(p->matches, p->identical)          ? RP_KIND_SPUN
                                                                           : RP_KIND_EDITED;
        if (p->boilerplate) continue; /* shown, not counted */
        matches += p->matches;
        substituted += p->matches - p->identical;
        wa += p->a_words;
        wb += p->b_words;
    }
    al->passages = ps;
    al->n_passages = n;
    /* of the words that are not boilerplate (content_a, content_b) */
    al->coverage_a = content_a ? (double)wa / content_a : 0;
    al->coverage_b = content_b ? (double)wb / content_b : 0;
    if (al->coverage_a > 1) al->coverage_a = 1;
    if (al->coverage_b > 1) al->coverage_b = 1;
    double ca = al->coverage_a, cb = al->coverage_b, t = RP_DERIVED_COVERAGE;
    al->source = RP_SOURCE_UNKNOWN;
    al->source_evidence = NULL;
    if (identical) al->relation = RP_REL_EXACT;
    else if (ca >= t && cb >= t) al->relation = RP_REL_NEAR_DUPLICATE;
    else if (ca >= t || cb >= t) al->relation = RP_REL_WHOLLY_DERIVED;
    else al->relation = RP_REL_PARTIALLY_DERIVED;
    al->substituted = substituted;
    /* A reprint that changes a word or two is still a reprint; one whose
     * passages hold synonyms, other word forms or numbers written otherwise
     * in 3% or more of their matches (and 3 words) was disguised. */
    if (!identical && rp_is_disguised(matches, matches - substituted)) al->relation = RP_REL_SPUN;
}

/* One side's shared span [first, last): from the first passage's start to the
 * last one's end, passages flagged boilerplate left out (first > last: none). */
static void span_of(const rp_passage *ps, size_t n, int side_b, uint32_t *first, uint32_t *last,
                    long *matched)
{
    *first = UINT32_MAX, *last = 0, *matched = 0;
    for (size_t k = 0; k < n; k++) {
        if (ps[k].boilerplate) continue;
        uint32_t s = side_b ? ps[k].b_word : ps[k].a_word;
        uint32_t e = s + (side_b ? ps[k].b_words : ps[k].a_words);
        if (s < *first) *first = s;
        if (e > *last) *last = e;
        *matched += ps[k].matches;
    }
}

/* Whether k of n votes for one side are too many for chance: a sign test,
 * P(X >= k) < 0.01 for X ~ Binomial(n, 1/2). Words replaced at random (an
 * editor's other words) are as often rarer on one side as on the other;
 * a spinner's and a typist's almost always on the copy's. */
static int one_sided(uint32_t k, uint32_t n)
{
    if (n == 0 || k * 2 <= n) return 0;
    if (n > 60) return (2.0 * k - n) / sqrt((double)n) >= 2.326;
    double tail = 0, c = 1; /* C(n, i) / 2^n, from i = n down */
    for (uint32_t i = 0; i < n; i++) c /= 2;
    for (uint32_t i = n; i >= k; i--) {
        tail += c;
        c = c * i / (n - i + 1);
    }
    return tail < 0.01;
}

/* One text inside the other (all but a few of its words aligned): if the
 * other holds more inside the shared span, the inner text was cut from it
 * (an abridged copy: the longer is the source); if it holds a little more
 * only around it, on both sides (a quarter of the inner text at most), it
 * was wrapped (the inner text is the source); if around it half the inner
 * text or more, the inner text is an excerpt of it. Between, or a little
 * at one end only (a trimmed copy, or a header or a footer): no claim.
 * Boilerplate is not extra. */
static rp_source_side structure_of(const rp_passage *ps, size_t n, const rp_direction *d,
                                   const char **why)
{
    long in[2], before[2], after[2], extra[2], words[2] = {(long)d->words_a, (long)d->words_b};
    for (int b = 0; b < 2; b++) {
        const uint32_t *m = b ? d->mask_b : d->mask_a;
        size_t nm = b ? d->n_mask_b : d->n_mask_a;
        uint32_t first, last;
        long matched;
        span_of(ps, n, b, &first, &last, &matched);
        if (first > last) return RP_SOURCE_UNKNOWN; /* every passage boilerplate */
        in[b] = (long)(last - first) - matched - rp__words_in_ranges(m, nm, first, last);
        before[b] = (long)first - rp__words_in_ranges(m, nm, 0, first);
        after[b] = words[b] - (long)last - rp__words_in_ranges(m, nm, last, (uint32_t)words[b]);
        extra[b] = in[b] + before[b] + after[b];
    }
    int x = extra[1] < extra[0], y = !x; /* x: the inner text */
    long slack = words[x] / 50 > 2 ? words[x] / 50 : 2;
    long cut = words[y] / 20 > 5 ? words[y] / 20 : 5;
    long around = before[y] + after[y];
    rp_source_side inner = x ? RP_SOURCE_B : RP_SOURCE_A, outer = y ? RP_SOURCE_B : RP_SOURCE_A;
    if (extra[x] > slack) return RP_SOURCE_UNKNOWN;
    if (in[y] - in[x] >= cut) return *why = "abridgement", outer;
    if (in[y] - in[x] > slack) return RP_SOURCE_UNKNOWN;
    if (around * 4 <= words[x] && before[y] >= 3 && after[y] >= 3)
        return *why = "containment", inner; /* a header and a footer added */
    if (around * 2 >= words[x]) return *why = "excerpt", outer; /* a part of the other taken */
    return RP_SOURCE_UNKNOWN;
}

/* A vote for the side whose word, replaced one for one, is four times
 * rarer in the corpus than the other's; two when it is a word seen once or
 * twice against a common one (a typo, a spinner's odd synonym), which a
 * word put in at random seldom is. */
static void vote(uint64_t (*count)(void *, uint32_t), void *ctx, uint32_t wa, uint32_t wb, rp_direction *d)
{
    uint64_t fa = count(ctx, wa), fb = count(ctx, wb);
    uint64_t lo = fa < fb ? fa : fb, hi = fa < fb ? fb : fa;
    uint32_t weight = lo <= 2 && hi >= 8 ? 2 : 1;
    if (fa * 4 <= fb) d->copy_votes_a += weight;
    else if (fb * 4 <= fa) d->copy_votes_b += weight;
}

void rp__align_votes(const rp_passage *ps, size_t n, const uint32_t *ka, const uint32_t *kb,
                     const uint32_t *la, const uint32_t *lb, uint64_t (*count)(void *ctx, uint32_t token),
                     void *ctx, rp_direction *d)
{
    for (size_t k = 0; k < n; k++) {
        const rp_passage *p = &ps[k];
        if (p->boilerplate || p->kind >= RP_KIND_REWRITTEN) continue; /* no word for word */
        uint32_t i = p->a_word, j = p->b_word, ie = i + p->a_words, je = j + p->b_words;
        while (i < ie && j < je) {
            if (ka[i] == kb[j]) {
                if (la[i] != lb[j]) vote(count, ctx, la[i], lb[j], d); /* synonyms (--spin) */
                i++, j++;
            } else if (i + 1 >= ie || j + 1 >= je || ka[i + 1] == kb[j + 1]) {
                vote(count, ctx, la[i], lb[j], d); /* one word for another */
                i++, j++;
            } else if (ka[i + 1] == kb[j]) {
                i++;
            } else if (ka[i] == kb[j + 1]) {
                j++;
            } else {
                i++, j++;
            }
        }
    }
}

void rp__align_source(rp_alignment *al, const rp_passage *ps, size_t n, const rp_direction *d)
{
    const char *why = NULL;
    rp_source_side structure = al->relation != RP_REL_EXACT && n ? structure_of(ps, n, d, &why)
                                                                 : RP_SOURCE_UNKNOWN;
    /* Words replaced one for one: a spinner puts rarer synonyms for common
     * words, a typist misspells, so the side with the much rarer words is
     * the copy. */
    rp_source_side edits = RP_SOURCE_UNKNOWN;
    uint32_t votes = d->copy_votes_a + d->copy_votes_b;
    if (one_sided(d->copy_votes_b, votes)) edits = RP_SOURCE_A;
    else if (one_sided(d->copy_votes_a, votes)) edits = RP_SOURCE_B;
    if (edits != RP_SOURCE_UNKNOWN && structure != RP_SOURCE_UNKNOWN && edits != structure) return;
    /* A summary condenses its source: the side that is shorter in every
     * summary passage is the copy. */
    rp_source_side summary = RP_SOURCE_UNKNOWN;
    for (size_t k = 0; k < n; k++) {
        if (ps[k].boilerplate || ps[k].kind != RP_KIND_SUMMARY) continue;
        rp_source_side side = ps[k].a_words > ps[k].b_words ? RP_SOURCE_A : RP_SOURCE_B;
        if (summary != RP_SOURCE_UNKNOWN && summary != side) return;
        summary = side;
    }
    if (summary != RP_SOURCE_UNKNOWN) {
        if ((structure != RP_SOURCE_UNKNOWN && structure != summary) ||
            (edits != RP_SOURCE_UNKNOWN && edits != summary))
            return;
        if (structure == RP_SOURCE_UNKNOWN) {
            al->source = summary;
            al->source_evidence = "summary";
            return;
        }
    }
    if (structure != RP_SOURCE_UNKNOWN) {
        al->source = structure;
        al->source_evidence = why;
    } else if (edits != RP_SOURCE_UNKNOWN) {
        al->source = edits;
        al->source_evidence = al->relation == RP_REL_SPUN ? "spinning" : "edits";
    }
}

int rp_is_disguised(uint64_t matches, uint64_t identical)
{
    uint64_t substituted = matches > identical ? matches - identical : 0;
    return substituted >= 3 && substituted * 100 >= matches * 3;
}

const char *rp_passage_kind_name(int kind)
{
    static const char *const names[] = {"verbatim", "edited", "spun", "rewritten", "summary"};
    return kind >= 0 && kind <= RP_KIND_SUMMARY ? names[kind] : "unknown";
}

/* ---------------------------------------------------- boilerplate */

static int is_own(const uint64_t *own, size_t n, uint64_t v)
{
    size_t at = rp__lower_bound_u64(own, n, v);
    return at < n && own[at] == v;
}

size_t rp__boilerplate_ranges(const uint64_t *keys, size_t n_keys, const rp_params *p, rp_bp_judge judge, void *ctx,
                              rp_bp_scratch *ws, uint32_t **out, size_t *cap, uint64_t *masked)
{
    unsigned k = rp__fp_ngram(p), w = p->min_words - k + 1;
    if (n_keys < k) return 0;
    if (rp__grow((void **)&ws->kg, &ws->cap_kg, n_keys, sizeof(uint64_t))) return SIZE_MAX;
    size_t count = rp__kgram_hashes(keys, n_keys, k, p->seed, ws->kg);
    size_t n_own = rp__winnow_hashes_minima(ws->kg, count, w, &ws->own, &ws->cap_own);
    if (n_own == SIZE_MAX) return SIZE_MAX;
    /* Each of its own fingerprints is judged (again only where the text
     * repeats it), and those found boilerplate kept, sorted for the
     * lookups below: most texts have none, and are done here without a
     * sort. Then the k-grams that are one of them are the ranges' seeds. */
    size_t n_bp = 0;
    for (size_t x = 0; x < n_own; x++) {
        int bp = judge(ctx, ws->own[x] >> 24);
        if (bp < 0) return SIZE_MAX;
        if (bp) ws->own[n_bp++] = ws->own[x];
    }
    if (n_bp == 0) return 0;
    n_bp = rp__sort_unique_u64(ws->own, n_bp, ws->own + count); /* room for 2 * count */
    size_t n = 0;
    uint64_t start = 0, end = 0;
    int open = 0;
    for (size_t i = 0; i <= count; i++) {
        int bp = i < count && is_own(ws->own, n_bp, ws->kg[i]);
        if (bp && open && i <= end) {
            end = i + k;
            continue;
        }
        if (open && (bp || i == count)) { /* a range ends */
            if (rp__grow((void **)out, cap, 2 * n + 2, sizeof(uint32_t))) return SIZE_MAX;
            (*out)[2 * n] = (uint32_t)start;
            (*out)[2 * n + 1] = (uint32_t)end;
            n++;
            *masked += end - start;
            open = 0;
        }
        if (bp) start = i, end = i + k, open = 1;
    }
    return n;
}

void rp__bp_scratch_free(rp_bp_scratch *ws)
{
    free(ws->kg);
    free(ws->own);
    memset(ws, 0, sizeof(*ws));
}

void rp__mask_words(uint32_t *t, const uint32_t *r, size_t n, uint64_t side)
{
    for (size_t k = 0; k < n; k++)
        for (uint32_t x = r[2 * k]; x < r[2 * k + 1]; x++) t[x] = (uint32_t)rp__mix64(side << 40 | x);
}

/* Show mode: a passage that is mostly boilerplate on either side, or
 * shorter than `shorter` words, is flagged; 1 when all of them are. */
static int flag_boilerplate(rp_passage *ps, size_t n, const rp_bp_rules *r, uint32_t shorter)
{
    size_t flagged = 0;
    for (size_t k = 0; k < n; k++) {
        rp_passage *p = &ps[k];
        p->boilerplate = rp__words_in_ranges(r->ma, r->n_ma, p->a_word, p->a_word + p->a_words) * 2 >= p->a_words ||
                         rp__words_in_ranges(r->mb, r->n_mb, p->b_word, p->b_word + p->b_words) * 2 >= p->b_words ||
                         p->words < shorter;
        flagged += (size_t)p->boilerplate;
    }
    return flagged == n;
}

/* A short passage is evidence of reuse only when enough of its words are
 * not among the corpus' commonest (TextPAIR's "banality" test, on words):
 * two documents that share only a stock formula ("to the best of my
 * knowledge and belief ...") or a chance run of common words do not reuse
 * each other. 1 when the passage at a's words is banal. */
static int banal(const rp_bp_rules *r, const rp_passage *p, const uint32_t *ta)
{
    if (!r->common_cut || p->words >= 2 * r->min_words) return 0;
    uint32_t content = 0;
    for (uint32_t x = p->a_word; x < p->a_word + p->a_words; x++)
        content += r->count(r->count_ctx, ta[x]) < r->common_cut;
    return content * 2 < r->min_words;
}

size_t rp__boilerplate_rules(rp_passage *ps, size_t n, const uint32_t *ta, const rp_bp_rules *r,
                             uint64_t *banal_passages, int *boilerplate_pair)
{
    *boilerplate_pair = 0;
    if (n == 0 || r->mode == RP_BOILERPLATE_OFF) return n;
    /* two pages of one site that share only a line or two: a teaser, a
     * headline or a caption the site put on both, seen too few times to be
     * learned as its furniture */
    uint32_t shorter = r->same_site ? 2 * r->min_words : 0;
    if (r->mode == RP_BOILERPLATE_SHOW && flag_boilerplate(ps, n, r, shorter)) *boilerplate_pair = 1;
    if (r->mode == RP_BOILERPLATE_HIDE && shorter) {
        size_t kept = 0;
        for (size_t k = 0; k < n; k++)
            if (ps[k].words >= shorter) ps[kept++] = ps[k];
        if ((n = kept) == 0) {
            *boilerplate_pair = 1;
            return 0;
        }
    }
    if (!r->common_cut) return n;
    size_t kept = 0, was = n;
    for (size_t x = 0; x < n; x++) {
        int is_banal = banal(r, &ps[x], ta);
        *banal_passages += (uint64_t)is_banal;
        if (r->mode == RP_BOILERPLATE_SHOW) ps[x].boilerplate |= is_banal;
        else if (!is_banal) ps[kept++] = ps[x];
    }
    if (r->mode == RP_BOILERPLATE_HIDE && (n = kept) == 0) *boilerplate_pair = was > 0;
    return n;
}

const char *rp_relation_name(rp_relation rel)
{
    switch (rel) {
    case RP_REL_EXACT: return "exact";
    case RP_REL_NEAR_DUPLICATE: return "near_duplicate";
    case RP_REL_WHOLLY_DERIVED: return "wholly_derived";
    case RP_REL_PARTIALLY_DERIVED: return "partially_derived";
    case RP_REL_SPUN: return "spun";
    }
    return "unknown";
}

/* ------------------------------------------------------- two texts */

struct rp_aligner {
    rp_params p;
    rp_tokenizer *tok_a, *tok_b;
    rp_align_ws *ws;
    uint32_t *ta, *tb;
    size_t cap_a, cap_b;
    uint32_t *la, *lb;       /* spin: the words' own hashes */
    size_t cap_la, cap_lb;
    uint32_t *ea, *eb;       /* rewrites: the sentences' ends */
    size_t cap_ea, cap_eb;
    rp_rewrite_ws *rws;
    rp_spinner *spin;
    uint64_t (*count)(void *ctx, uint32_t token); /* word counts for votes, or NULL */
    void *count_ctx;
    rp_bp_scratch bps;       /* boilerplate: a text's k-grams */
    uint32_t *ma, *mb;       /*   and each side's ranges */
    size_t cap_ma, cap_mb, n_ma, n_mb;
    uint64_t masked_a, masked_b;
    char err[RP_MSG_MAX];
};

void rp__aligner_set_counts(rp_aligner *al, uint64_t (*count)(void *ctx, uint32_t token), void *ctx)
{
    al->count = count;
    al->count_ctx = ctx;
}

rp_aligner *rp_aligner_create(const rp_params *params)
{
    rp_aligner *al = calloc(1, sizeof(*al));
    if (!al) return NULL;
    al->p = *params;
    if (al->p.rewrites) al->p.spin = 1;
    al->tok_a = rp_tokenizer_create();
    al->tok_b = rp_tokenizer_create();
    al->ws = rp__align_ws_create();
    if (!al->tok_a || !al->tok_b || !al->ws) {
        rp_aligner_free(al);
        return NULL;
    }
    return al;
}

void rp_aligner_free(rp_aligner *al)
{
    if (!al) return;
    rp_tokenizer_free(al->tok_a);
    rp_tokenizer_free(al->tok_b);
    rp__align_ws_free(al->ws);
    free(al->ta);
    free(al->tb);
    free(al->la);
    free(al->lb);
    free(al->ea);
    free(al->eb);
    rp__bp_scratch_free(&al->bps);
    free(al->ma);
    free(al->mb);
    rp__rewrite_ws_free(al->rws);
    rp_spinner_free(al->spin);
    free(al);
}

const char *rp_aligner_error(const rp_aligner *al)
{
    return al->err;
}

int rp__align_tokens32(const uint64_t *h, size_t n, uint32_t **out, size_t *cap)
{
    if (rp__grow((void **)out, cap, n ? n : 1, sizeof(uint32_t))) return -1;
    for (size_t i = 0; i < n; i++) (*out)[i] = rp__token32(h[i]);
    return 0;
}

rp_status rp__align_check(const rp_params *p, char *err)
{
    if (p->min_words < 2 || p->min_words > 100000 || p->max_gap > 1000 || p->max_insert > 1000 ||
        !(p->min_identity >= 0 && p->min_identity <= 1)) {
        rp__msg(err, "invalid alignment parameters (min_words 2..100000, max_gap 0..1000, "
                     "max_insert 0..1000, min_identity 0..1)");
        return RP_ERR_USAGE;
    }
    return RP_OK;
}

/* A text's boilerplate ranges by the judge of o, from its keys. */
static int text_boilerplate(rp_aligner *al, const rp_align_bp *o, const uint64_t *keys, size_t n,
                            uint32_t **ranges, size_t *cap, size_t *n_ranges, uint64_t *masked)
{
    *n_ranges = 0;
    *masked = 0;
    if (!o || o->mode == RP_BOILERPLATE_OFF) return 0;
    size_t got = rp__boilerplate_ranges(keys, n, &al->p, o->judge, o->ctx, &al->bps, ranges, cap, masked);
    if (got == SIZE_MAX) return -1;
    *n_ranges = got;
    return 0;
}

rp_status rp_align(rp_aligner *al, const char *a, size_t a_len, const char *b, size_t b_len,
                   rp_alignment *out)
{
    return rp__align_bp(al, a, a_len, b, b_len, NULL, out);
}

rp_status rp__align_bp(rp_aligner *al, const char *a, size_t a_len, const char *b, size_t b_len,
                       const rp_align_bp *o, rp_alignment *out)
{
    memset(out, 0, sizeof(*out));
    rp_status st = rp__params_check_version(&al->p, al->err);
    if (st == RP_OK) st = rp__align_check(&al->p, al->err);
    if (st != RP_OK) return st;
    if (al->p.spin && !al->spin && !(al->spin = rp_spinner_create())) {
        rp__msg(al->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    const uint64_t *ha, *hb;
    const rp_span *sa, *sb;
    size_t na, nb;
    if ((st = rp_tokenize(al->tok_a, a, a_len, &ha, &sa, &na)) != RP_OK) {
        rp__msg(al->err, "first text: %s", rp_tokenizer_error(al->tok_a));
        return st;
    }
    if ((st = rp_tokenize(al->tok_b, b, b_len, &hb, &sb, &nb)) != RP_OK) {
        rp__msg(al->err, "second text: %s", rp_tokenizer_error(al->tok_b));
        return st;
    }
    /* with spin, ta and tb are the keys and la, lb the words' own hashes;
     * without, the own hashes are ta, tb */
    const uint64_t *ka = ha, *kb = hb;
    if (al->p.spin) {
        if (rp__align_tokens32(ha, na, &al->la, &al->cap_la) ||
            rp__align_tokens32(hb, nb, &al->lb, &al->cap_lb)) {
            rp__msg(al->err, "out of memory");
            return RP_ERR_NOMEM;
        }
        /* a's keys are the spinner's until it spins b */
        if ((st = rp_spin(al->spin, al->tok_a, ha, na, &ka)) != RP_OK ||
            rp__align_tokens32(ka, na, &al->ta, &al->cap_a) ||
            text_boilerplate(al, o, ka, na, &al->ma, &al->cap_ma, &al->n_ma, &al->masked_a) ||
            (st = rp_spin(al->spin, al->tok_b, hb, nb, &kb)) != RP_OK) {
            rp__msg(al->err, "%s", st != RP_OK ? rp_spinner_error(al->spin) : "out of memory or judge failed");
            return st != RP_OK ? st : RP_ERR_NOMEM;
        }
    } else if (rp__align_tokens32(ka, na, &al->ta, &al->cap_a) ||
               text_boilerplate(al, o, ka, na, &al->ma, &al->cap_ma, &al->n_ma, &al->masked_a)) {
        rp__msg(al->err, "out of memory or judge failed");
        return RP_ERR_NOMEM;
    }
    if (rp__align_tokens32(kb, nb, &al->tb, &al->cap_b) ||
        text_boilerplate(al, o, kb, nb, &al->mb, &al->cap_mb, &al->n_mb, &al->masked_b)) {
        rp__msg(al->err, "out of memory or judge failed");
        return RP_ERR_NOMEM;
    }
    const uint32_t *la = al->p.spin ? al->la : al->ta, *lb = al->p.spin ? al->lb : al->tb;
    /* the words as they are, before boilerplate is masked */
    int identical = na == nb && na > 0 && memcmp(la, lb, na * sizeof(uint32_t)) == 0;
    if (o && o->mode == RP_BOILERPLATE_HIDE) {
        rp__mask_words(al->ta, al->ma, al->n_ma, 1);
        rp__mask_words(al->tb, al->mb, al->n_mb, 2);
        if (al->p.spin) {
            rp__mask_words(al->la, al->ma, al->n_ma, 1);
            rp__mask_words(al->lb, al->mb, al->n_mb, 2);
        }
    }
    if (rp__align_set_a(al->ws, al->ta, na, al->p.min_words)) {
        rp__msg(al->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    rp__align_set_literal(al->ws, al->p.spin ? la : NULL, al->p.spin ? lb : NULL);
    rp__align_set_boilerplate(al->ws, al->n_ma ? al->ma : NULL, al->n_ma, al->n_mb ? al->mb : NULL, al->n_mb);
    rp_passage *ps;
    size_t n = rp__align_with(al->ws, al->tb, nb, &al->p, &ps);
    if (n != SIZE_MAX && al->p.rewrites) {
        rp_rw_text ra = {al->ta, la, NULL, 0, na}, rb = {al->tb, lb, NULL, 0, nb};
        if ((al->rws || (al->rws = rp__rewrite_ws_create())) &&
            !rp__grow((void **)&al->ea, &al->cap_ea, na + 1, sizeof(uint32_t)) &&
            !rp__grow((void **)&al->eb, &al->cap_eb, nb + 1, sizeof(uint32_t))) {
            ra.n_sent = rp__sentence_ends(a, a_len, sa, na, al->ea);
            rb.n_sent = rp__sentence_ends(b, b_len, sb, nb, al->eb);
            ra.sent_end = al->ea, rb.sent_end = al->eb;
            n = rp__rewrite_align(al->rws, &ra, &rb, ps, n, &al->p, &ps);
        } else {
            n = SIZE_MAX;
        }
    }
    if (n == SIZE_MAX) {
        rp__msg(al->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    if (o) {
        rp_bp_rules rules = {o->mode,       al->ma,        al->n_ma,    al->mb, al->n_mb, o->same_site,
                             o->common_cut, al->count,     al->count_ctx, al->p.min_words};
        int bp_pair;
        uint64_t banal = 0;
        n = rp__boilerplate_rules(ps, n, la, &rules, &banal, &bp_pair);
    }
    rp__align_summarize(out, ps, n, sa, na - al->masked_a, sb, nb - al->masked_b, identical);
    rp_direction d = {na, nb, al->ma, al->mb, al->n_ma, al->n_mb, 0, 0};
    if (al->count) rp__align_votes(ps, n, al->ta, al->tb, la, lb, al->count, al->count_ctx, &d);
    rp__align_source(out, ps, n, &d);
    out->text_a = a;
    out->text_a_len = a_len;
    out->text_b = b;
    out->text_b_len = b_len;
    return RP_OK;
}
