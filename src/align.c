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
 * text are resolved in favour of the one with more matching words: what is
 * reported is a one-to-one alignment.
 */
#include "internal.h"

#include <string.h>

#define SEED 4        /* words per seed: the shortest run that anchors a passage */
#define MAX_OCC 64    /* a seed repeated more often in the first text is not used */

typedef struct {
    uint32_t i, j, len;
} rp_run;

typedef struct {
    uint32_t i0, j0, i1, j1; /* word ranges, end exclusive */
    uint32_t matches;
    uint32_t same;           /* of the matches, words literally identical */
} rp_chain;

struct rp_align_ws {
    const uint32_t *ta;
    size_t na;
    const uint32_t *la, *lb; /* --spin: the words' own hashes (ta, tb are keys) */
    unsigned seed;
    uint64_t *key;      /* hash table over a's k-grams: key, first position, count */
    uint32_t *head, *count;
    size_t tab_mask;
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
};

rp_align_ws *rp__align_ws_create(void)
{
    return calloc(1, sizeof(rp_align_ws));
}

void rp__align_ws_free(rp_align_ws *ws)
{
    if (!ws) return;
    free(ws->key);
    free(ws->head);
    free(ws->count);
    free(ws->next);
    free(ws->runs);
    free(ws->chains);
    free(ws->open);
    free(ws->dp);
    free(ws->out);
    free(ws);
}

static uint64_t kgram(const uint32_t *t, unsigned k)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (unsigned x = 0; x < k; x++) h = (h ^ t[x]) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
    h *= 0x94D049BB133111EBULL;
    return h ^ (h >> 29);
}

int rp__align_set_a(rp_align_ws *ws, const uint32_t *ta, size_t na, unsigned min_words)
{
    ws->ta = ta;
    ws->na = na;
    ws->seed = min_words < SEED ? (min_words ? min_words : 1) : SEED;
    if (na < ws->seed) return 0;
    size_t nk = na - ws->seed + 1;
    size_t tab = 16;
    while (tab < nk * 2) tab <<= 1;
    if (rp__grow((void **)&ws->next, &ws->cap_a, nk, sizeof(uint32_t))) return -1;
    if (tab > ws->cap_tab) {
        free(ws->key);
        free(ws->head);
        free(ws->count);
        ws->key = malloc(tab * sizeof(uint64_t));
        ws->head = malloc(tab * sizeof(uint32_t));
        ws->count = malloc(tab * sizeof(uint32_t));
        ws->cap_tab = ws->key && ws->head && ws->count ? tab : 0;
        if (!ws->cap_tab) return -1;
    }
    ws->tab_mask = tab - 1;
    memset(ws->count, 0, tab * sizeof(uint32_t));
    /* backwards, so each chain lists positions in increasing order */
    for (size_t i = nk; i-- > 0;) {
        uint64_t h = kgram(ta + i, ws->seed);
        size_t s = h & ws->tab_mask;
        while (ws->count[s] && ws->key[s] != h) s = (s + 1) & ws->tab_mask;
        if (!ws->count[s]) {
            ws->key[s] = h;
            ws->next[i] = UINT32_MAX;
        } else {
            ws->next[i] = ws->head[s];
        }
        ws->head[s] = (uint32_t)i;
        ws->count[s]++;
    }
    return 0;
}

void rp__align_set_literal(rp_align_ws *ws, const uint32_t *la, const uint32_t *lb)
{
    ws->la = la;
    ws->lb = lb;
}

static int push_run(rp_align_ws *ws, uint32_t i, uint32_t j, uint32_t len)
{
    if (rp__grow((void **)&ws->runs, &ws->cap_runs, ws->n_runs + 1, sizeof(rp_run))) return -1;
    ws->runs[ws->n_runs++] = (rp_run){i, j, len};
    return 0;
}

/* Every maximal run of at least seed identical words, found from its start. */
static int find_runs(rp_align_ws *ws, const uint32_t *tb, size_t nb)
{
    const uint32_t *ta = ws->ta;
    size_t na = ws->na;
    unsigned k = ws->seed;
    ws->n_runs = 0;
    if (na < k || nb < k) return 0;
    for (size_t j = 0; j + k <= nb; j++) {
        uint64_t h = kgram(tb + j, k);
        size_t s = h & ws->tab_mask;
        while (ws->count[s] && ws->key[s] != h) s = (s + 1) & ws->tab_mask;
        if (!ws->count[s] || ws->count[s] > MAX_OCC) continue;
        for (uint32_t i = ws->head[s]; i != UINT32_MAX; i = ws->next[i]) {
            if (i > 0 && j > 0 && ta[i - 1] == tb[j - 1]) continue; /* not a run's start */
            if (memcmp(ta + i, tb + j, k * sizeof(uint32_t)) != 0) continue;
            size_t len = k;
            while (i + len < na && j + len < nb && ta[i + len] == tb[j + len]) len++;
            if (push_run(ws, i, (uint32_t)j, (uint32_t)len)) return -1;
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
    const uint32_t *ta = ws->ta;
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
            uint32_t gap_matches, gap_same;
            if (lcs(ws, ta + c->i1, run.i - c->i1, tb + c->j1, run.j - c->j1, &gap_matches))
                return -1;
            gap_same = gap_matches;
            if (ws->la && lcs(ws, ws->la + c->i1, run.i - c->i1, ws->lb + c->j1, run.j - c->j1,
                              &gap_same))
                return -1;
            c->matches += gap_matches + run.len;
            c->same += gap_same + run_same(ws, run);
            c->i1 = run.i + run.len;
            c->j1 = run.j + run.len;
            continue;
        }
        if (rp__grow((void **)&ws->chains, &ws->cap_chains, ws->n_chains + 1, sizeof(rp_chain)) ||
            rp__grow((void **)&ws->open, &ws->cap_open, n_open + 1, sizeof(size_t)))
            return -1;
        ws->chains[ws->n_chains] =
            (rp_chain){run.i, run.j, run.i + run.len, run.j + run.len, run.len, run_same(ws, run)};
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
    for (size_t c = 0; c < ws->n_chains; c++) {
        const rp_chain *ch = &ws->chains[c];
        if (ch->matches < p->min_words) break; /* sorted: the rest have fewer */
        uint32_t la = ch->i1 - ch->i0, lb = ch->j1 - ch->j0;
        uint32_t words = la > lb ? la : lb;
        double identity = (double)ch->matches / words;
        if (identity + 1e-9 < p->min_identity) continue;
        int clash = 0;
        for (size_t q = 0; q < n && !clash; q++) {
            const rp_passage *o = &ws->out[q];
            clash = (ch->i0 < o->a_word + o->a_words && o->a_word < ch->i1) ||
                    (ch->j0 < o->b_word + o->b_words && o->b_word < ch->j1);
        }
        if (clash) continue;
        if (rp__grow((void **)&ws->out, &ws->cap_out, n + 1, sizeof(rp_passage))) return SIZE_MAX;
        rp_passage *ps = &ws->out[n++];
        memset(ps, 0, sizeof(*ps));
        ps->a_word = ch->i0;
        ps->a_words = la;
        ps->b_word = ch->j0;
        ps->b_words = lb;
        ps->words = words;
        ps->matches = ch->matches;
        ps->identity = identity;
        ps->identical = ch->same;
        ps->differ = 1.0 - (double)ch->same / words;
    }
    if (n > 1) qsort(ws->out, n, sizeof(rp_passage), cmp_passage);
    *out = ws->out;
    return n;
}

void rp__align_summarize(rp_alignment *al, rp_passage *ps, size_t n, const rp_span *sa, size_t na,
                         const rp_span *sb, size_t nb, int identical)
{
    uint64_t wa = 0, wb = 0, matches = 0, substituted = 0;
    for (size_t k = 0; k < n; k++) {
        rp_passage *p = &ps[k];
        matches += p->matches;
        substituted += p->matches - p->identical;
        p->a_start = sa[p->a_word].start;
        p->a_end = sa[p->a_word + p->a_words - 1].end;
        p->b_start = sb[p->b_word].start;
        p->b_end = sb[p->b_word + p->b_words - 1].end;
        wa += p->a_words;
        wb += p->b_words;
    }
    al->passages = ps;
    al->n_passages = n;
    al->coverage_a = na ? (double)wa / na : 0;
    al->coverage_b = nb ? (double)wb / nb : 0;
    double ca = al->coverage_a, cb = al->coverage_b, t = RP_DERIVED_COVERAGE;
    al->source = RP_SOURCE_UNKNOWN;
    al->source_evidence = NULL;
    if (identical) {
        al->relation = RP_REL_EXACT;
    } else if (ca >= t && cb >= t) {
        /* One wholly inside the other: the other added a header, a footer or
         * an update to it, the usual way a reprint grows. */
        al->relation = RP_REL_NEAR_DUPLICATE;
        if (ca >= 0.98 && cb < 0.98) al->source = RP_SOURCE_A;
        else if (cb >= 0.98 && ca < 0.98) al->source = RP_SOURCE_B;
    } else if (ca >= t || cb >= t) {
        /* the document made of the other's text is derived from it */
        al->relation = RP_REL_WHOLLY_DERIVED;
        al->source = ca >= t ? RP_SOURCE_B : RP_SOURCE_A;
    } else {
        al->relation = RP_REL_PARTIALLY_DERIVED;
    }
    if (al->source != RP_SOURCE_UNKNOWN) al->source_evidence = "containment";
    al->substituted = substituted;
    /* A reprint that changes a word or two is still a reprint; one whose
     * passages hold synonyms, other word forms or numbers written otherwise
     * in 3% or more of their matches (and 3 words) was disguised. */
    if (!identical && rp_is_disguised(matches, matches - substituted)) al->relation = RP_REL_SPUN;
}

int rp_is_disguised(uint64_t matches, uint64_t identical)
{
    uint64_t substituted = matches > identical ? matches - identical : 0;
    return substituted >= 3 && substituted * 100 >= matches * 3;
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
    char err[RP_MSG_MAX];
};

rp_aligner *rp_aligner_create(const rp_params *params)
{
    rp_aligner *al = calloc(1, sizeof(*al));
    if (!al) return NULL;
    al->p = *params;
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
    if (p->min_words < 2 || p->min_words > 100000 || p->max_gap > 1000 ||
        !(p->min_identity >= 0 && p->min_identity <= 1)) {
        rp__msg(err, "invalid alignment parameters (min_words 2..100000, max_gap 0..1000, "
                     "min_identity 0..1)");
        return RP_ERR_USAGE;
    }
    return RP_OK;
}

rp_status rp_align(rp_aligner *al, const char *a, size_t a_len, const char *b, size_t b_len,
                   rp_alignment *out)
{
    memset(out, 0, sizeof(*out));
    rp_status st = rp__align_check(&al->p, al->err);
    if (st != RP_OK) return st;
    if ((st = rp__tokenizer_spin(al->tok_a, al->p.spin, al->err)) != RP_OK ||
        (st = rp__tokenizer_spin(al->tok_b, al->p.spin, al->err)) != RP_OK)
        return st;
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
    if (rp__align_tokens32(ha, na, &al->ta, &al->cap_a) ||
        rp__align_tokens32(hb, nb, &al->tb, &al->cap_b) ||
        rp__align_set_a(al->ws, al->ta, na, al->p.min_words) ||
        (al->p.spin && /* without spin the words' own hashes are ta, tb */
         (rp__align_tokens32(rp__tokenizer_literal(al->tok_a), na, &al->la, &al->cap_la) ||
          rp__align_tokens32(rp__tokenizer_literal(al->tok_b), nb, &al->lb, &al->cap_lb)))) {
        rp__msg(al->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    const uint32_t *la = al->p.spin ? al->la : al->ta, *lb = al->p.spin ? al->lb : al->tb;
    rp__align_set_literal(al->ws, al->p.spin ? la : NULL, al->p.spin ? lb : NULL);
    rp_passage *ps;
    size_t n = rp__align_with(al->ws, al->tb, nb, &al->p, &ps);
    if (n == SIZE_MAX) {
        rp__msg(al->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    int identical = na == nb && na > 0 && memcmp(la, lb, na * sizeof(uint32_t)) == 0;
    rp__align_summarize(out, ps, n, sa, na, sb, nb, identical);
    out->text_a = a;
    out->text_a_len = a_len;
    out->text_b = b;
    out->text_b_len = b_len;
    return RP_OK;
}
