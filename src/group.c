/*
 * group.c — reuse groups: the documents that share one passage, as one
 * group rather than as every pair of them (`reprint align --groups`).
 *
 * A wire story reprinted by 300 outlets is 44,850 pairs of alignments, and
 * a user wants one line: these 300 documents hold this passage, here, and
 * this one was likely first. The grouper is given alignments (any, but made
 * cheap by the star candidates of rp_params.groups: every document under a
 * shared fingerprint aligned with the first of them only, so alignments
 * grow with the passage's occurrences, not their pairs) and joins:
 *   - the two sides of each aligned passage;
 *   - the stretches of one document that are one text: a stretch covering
 *     half of a shorter one or more (the hub of a star meets each spoke on
 *     its own copy of the passage; an excerpt of half of it or more), but
 *     not one that bridges passages circulating apart (join_in_document).
 * The groups are the connected components (union-find over stretches).
 * Each member is a document's stretch in the group: its overlapping
 * stretches merged, so a document holding the passage twice is two
 * members. Memory is 41 bytes a passage (57 with texts, for the excerpt).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define EXCERPT_MAX 200 /* bytes of a stretch's text kept for the readable view */

typedef struct {
    uint32_t doc;          /* its document's slot */
    uint32_t start, end;   /* code points */
    uint32_t word, word_end;
} rp_stretch;

typedef struct {
    uint64_t index;
    uint64_t id_off;       /* in the arena */
    uint32_t id_len;
    uint32_t date_len;     /* UINT32_MAX: no date */
    uint64_t date_off;
    uint8_t id_is_number;
} rp_gdoc;

struct rp_grouper {
    rp_stretch *s;         /* the passages' two sides: 2p is a's, 2p + 1 b's */
    size_t n_s, cap_s;
    uint8_t *source;       /* per passage: 0 unknown, 1 a, 2 b */
    size_t cap_source;
    uint64_t *excerpt;     /* per stretch, with texts: arena offset << 8 | bytes */
    size_t cap_excerpt;
    int texts;             /* alignments came with their texts */
    rp_gdoc *doc;
    size_t n_doc, cap_doc;
    uint32_t *slot;        /* open addressing: record number -> doc + 1 */
    size_t slot_mask;
    rp_buf arena;          /* ids, dates, excerpts */
};

rp_grouper *rp_grouper_create(void)
{
    return calloc(1, sizeof(rp_grouper));
}

void rp_grouper_free(rp_grouper *g)
{
    if (!g) return;
    free(g->s);
    free(g->source);
    free(g->excerpt);
    free(g->doc);
    free(g->slot);
    rp__buf_free(&g->arena);
    free(g);
}

static size_t slot_of(const rp_grouper *g, uint64_t index)
{
    uint64_t h = index * 0x9E3779B97F4A7C15ull;
    size_t k = (size_t)(h >> 32) & g->slot_mask;
    while (g->slot[k] && g->doc[g->slot[k] - 1].index != index) k = (k + 1) & g->slot_mask;
    return k;
}

static int rehash(rp_grouper *g)
{
    size_t slots = g->slot ? (g->slot_mask + 1) * 2 : 1024;
    uint32_t *old = g->slot;
    if (!(g->slot = calloc(slots, sizeof(uint32_t)))) {
        g->slot = old;
        return -1;
    }
    g->slot_mask = slots - 1;
    for (size_t d = 0; d < g->n_doc; d++) g->slot[slot_of(g, g->doc[d].index)] = (uint32_t)d + 1;
    free(old);
    return 0;
}

/* The document's slot, added on first sight with its id and date. */
static rp_status doc_of(rp_grouper *g, uint64_t index, rp_id id, const char *date, uint32_t *out)
{
    if (!g->slot || (g->n_doc + 1) * 2 > g->slot_mask + 1) {
        if (rehash(g)) return RP_ERR_NOMEM;
    }
    size_t k = slot_of(g, index);
    if (g->slot[k]) {
        *out = g->slot[k] - 1;
        return RP_OK;
    }
    if (g->n_doc >= UINT32_MAX - 1 || index > UINT32_MAX) return RP_ERR_LIMIT; /* rp_order's key */
    if (rp__grow((void **)&g->doc, &g->cap_doc, g->n_doc + 1, sizeof(rp_gdoc))) return RP_ERR_NOMEM;
    size_t date_len = date ? strlen(date) : 0;
    if (id.len > UINT32_MAX || date_len >= UINT32_MAX) return RP_ERR_LIMIT;
    rp_gdoc *d = &g->doc[g->n_doc];
    *d = (rp_gdoc){.index = index, .id_off = g->arena.len, .id_len = (uint32_t)id.len,
                   .id_is_number = (uint8_t)(id.is_number != 0), .date_len = date ? (uint32_t)date_len : UINT32_MAX};
    if (rp__buf_append(&g->arena, id.str, id.len)) return RP_ERR_NOMEM;
    d->date_off = g->arena.len;
    if (date && rp__buf_append(&g->arena, date, date_len)) return RP_ERR_NOMEM;
    g->slot[k] = (uint32_t)g->n_doc + 1;
    *out = (uint32_t)g->n_doc++;
    return RP_OK;
}

/* Up to EXCERPT_MAX bytes of text from code point `start`, not past `end`,
 * cut on a character boundary, into the arena. */
static rp_status keep_excerpt(rp_grouper *g, const char *text, size_t len, uint32_t start, uint32_t end,
                              uint64_t *out)
{
    size_t at = 0;
    for (uint32_t cp = 0; at < len && cp < start; cp++) {
        at++;
        while (at < len && ((unsigned char)text[at] & 0xC0) == 0x80) at++;
    }
    size_t to = at;
    for (uint32_t cp = start; to < len && cp < end; cp++) {
        size_t next = to + 1;
        while (next < len && ((unsigned char)text[next] & 0xC0) == 0x80) next++;
        if (next - at > EXCERPT_MAX) break;
        to = next;
    }
    *out = (uint64_t)g->arena.len << 8 | (to - at);
    return rp__buf_append(&g->arena, text + at, to - at) ? RP_ERR_NOMEM : RP_OK;
}

rp_status rp_grouper_add(rp_grouper *g, const rp_alignment *al)
{
    if (!g || !al || al->a_index == al->b_index) return RP_ERR_USAGE; /* a document with itself */
    if (!al->n_passages) return RP_OK;
    uint32_t da, db;
    rp_status st = doc_of(g, al->a_index, al->a, al->date_a, &da);
    if (st == RP_OK) st = doc_of(g, al->b_index, al->b, al->date_b, &db);
    if (st != RP_OK) return st;
    size_t need = g->n_s + 2 * al->n_passages;
    if (need >= UINT32_MAX) return RP_ERR_LIMIT; /* stretches are numbered in 32 bits */
    if (rp__grow((void **)&g->s, &g->cap_s, need, sizeof(rp_stretch)) ||
        rp__grow((void **)&g->source, &g->cap_source, need / 2, 1))
        return RP_ERR_NOMEM;
    int texts = al->text_a && al->text_b;
    if (g->n_s == 0) g->texts = texts;
    if (texts != g->texts) return RP_ERR_USAGE; /* alignments with texts and without */
    if (texts && rp__grow((void **)&g->excerpt, &g->cap_excerpt, need, sizeof(uint64_t))) return RP_ERR_NOMEM;
    uint8_t source = al->source == RP_SOURCE_A ? 1 : al->source == RP_SOURCE_B ? 2 : 0;
    for (size_t k = 0; k < al->n_passages; k++) {
        const rp_passage *p = &al->passages[k];
        size_t i = g->n_s;
        if (!p->a_words || !p->b_words || p->a_end <= p->a_start || p->b_end <= p->b_start) continue; /* empty */
        g->s[i] = (rp_stretch){da, p->a_start, p->a_end, p->a_word, p->a_word + p->a_words};
        g->s[i + 1] = (rp_stretch){db, p->b_start, p->b_end, p->b_word, p->b_word + p->b_words};
        g->source[i / 2] = source;
        if (g->texts &&
            ((st = keep_excerpt(g, al->text_a, al->text_a_len, p->a_start, p->a_end, &g->excerpt[i])) != RP_OK ||
             (st = keep_excerpt(g, al->text_b, al->text_b_len, p->b_start, p->b_end, &g->excerpt[i + 1])) != RP_OK))
            return st;
        g->n_s += 2;
    }
    return RP_OK;
}

/* ------------------------------------------------------------- grouping */

static uint32_t find(uint32_t *up, uint32_t x)
{
    while (up[x] != x) x = up[x] = up[up[x]];
    return x;
}

static void join(uint32_t *up, uint32_t x, uint32_t y)
{
    x = find(up, x), y = find(up, y);
    if (x != y) up[x > y ? x : y] = x < y ? x : y;
}

typedef struct {
    uint64_t key;          /* record number << 32 | first word */
    uint32_t end;          /* word end, then the longer first */
    uint32_t s;
} rp_order;

static int cmp_order(const void *x, const void *y)
{
    const rp_order *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->end != b->end) return a->end > b->end ? -1 : 1;
    return a->s < b->s ? -1 : a->s > b->s;
}

/* A document's stretches are joined when they are one text: taken
 * shortest first, a stretch joins every seed (an earlier stretch that
 * joined none) it covers half of or more, so an excerpt of half a passage
 * or more joins the passage. A stretch covering two disjoint seeds is
 * where the rule needs care. When the seeds circulate together (the same
 * documents share each with this one: a story and the two excerpts one
 * outlet took of it), the stretch joins them all. When they circulate
 * apart (a document copied whole over passages other documents reprint
 * one by one, or two passages two documents happen to share side by
 * side), it is a bridge, and joins only the bridges it overlaps by half
 * the longer, or opens one; else every group would chain into one. A
 * seed knows up to SEED_PARTNERS documents its stretches are shared with;
 * past that it circulates widely, apart from any other. Seeds are kept in
 * order of their first word; a seed half inside a stretch starts at most
 * the stretch's length before it. */
#define SEED_PARTNERS 4

typedef struct {
    uint32_t word, word_end;
    uint32_t s;            /* its stretch */
    int bridge;
    uint32_t partner[SEED_PARTNERS]; /* sorted; n_partners past it: many */
    unsigned n_partners;
} rp_seed;

static int cmp_length(const void *x, const void *y)
{
    const rp_order *a = x, *b = y;
    uint32_t la = a->end - (uint32_t)a->key, lb = b->end - (uint32_t)b->key;
    if (la != lb) return la < lb ? -1 : 1;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return a->s < b->s ? -1 : a->s > b->s;
}

static void add_partner(rp_seed *r, uint32_t doc)
{
    if (r->n_partners > SEED_PARTNERS) return;
    size_t at = 0;
    while (at < r->n_partners && r->partner[at] < doc) at++;
    if (at < r->n_partners && r->partner[at] == doc) return;
    if (r->n_partners == SEED_PARTNERS) {
        r->n_partners++; /* many */
        return;
    }
    memmove(r->partner + at + 1, r->partner + at, (r->n_partners - at) * sizeof(uint32_t));
    r->partner[at] = doc;
    r->n_partners++;
}

static int same_partners(const rp_seed *x, const rp_seed *y)
{
    return x->n_partners <= SEED_PARTNERS && x->n_partners == y->n_partners &&
           memcmp(x->partner, y->partner, x->n_partners * sizeof(uint32_t)) == 0;
}

/* A bridge's other side, cut where the seed it covers falls (in
 * proportion: a bridge is one aligned passage, near enough the same text
 * in both): the copy's stretch of the seed's passage, joined to it after
 * the sweep. A near-copy of a page that holds many passages is then in
 * each passage's group, not only in the group of the whole page. */
typedef struct {
    rp_stretch *s;
    uint32_t *seed;        /* the seed's stretch each joins */
    size_t n, cap;
} rp_projected;

static uint32_t scale(uint32_t x, uint32_t from, uint32_t from_len, uint32_t to, uint32_t to_len)
{
    return to + (uint32_t)((uint64_t)(x - from) * to_len / (from_len ? from_len : 1));
}

static int project(const rp_grouper *g, uint32_t bridge, const rp_seed *r, rp_projected *pr)
{
    const rp_stretch *l = &g->s[bridge], *o = &g->s[bridge ^ 1], *seed = &g->s[r->s];
    uint32_t w0 = seed->word > l->word ? seed->word : l->word, w1 = seed->word_end < l->word_end ? seed->word_end : l->word_end;
    uint32_t c0 = seed->start > l->start ? seed->start : l->start, c1 = seed->end < l->end ? seed->end : l->end;
    if (w1 <= w0 || c1 <= c0) return 0;
    size_t cap_seed = pr->cap;
    if (rp__grow((void **)&pr->s, &pr->cap, pr->n + 1, sizeof(rp_stretch)) ||
        rp__grow((void **)&pr->seed, &cap_seed, pr->cap, sizeof(uint32_t)))
        return -1;
    uint32_t lw = l->word_end - l->word, ow = o->word_end - o->word, lc = l->end - l->start, oc = o->end - o->start;
    pr->s[pr->n] = (rp_stretch){o->doc, scale(c0, l->start, lc, o->start, oc), scale(c1, l->start, lc, o->start, oc),
                                scale(w0, l->word, lw, o->word, ow), scale(w1, l->word, lw, o->word, ow)};
    if (pr->s[pr->n].word_end <= pr->s[pr->n].word || pr->s[pr->n].end <= pr->s[pr->n].start) return 0;
    pr->seed[pr->n++] = r->s;
    return 0;
}

static int join_in_document(const rp_grouper *g, uint32_t *up, rp_order *o, size_t n, rp_seed **seeds,
                            size_t *cap, rp_projected *pr)
{
    qsort(o, n, sizeof(rp_order), cmp_length);
    size_t n_seeds = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t w = (uint32_t)o[i].key, e = o[i].end, len = e - w, partner = g->s[o[i].s ^ 1].doc;
        size_t lo = 0, hi = n_seeds; /* the first seed starting at w - len or later */
        uint32_t from = w > len ? w - len : 0;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if ((*seeds)[mid].word < from) lo = mid + 1;
            else hi = mid;
        }
        uint32_t min_end = UINT32_MAX, max_start = 0;
        const rp_seed *first = NULL;
        int together = 1;
        for (size_t k = lo; k < n_seeds && (*seeds)[k].word < e; k++) {
            const rp_seed *r = &(*seeds)[k];
            uint32_t over = (r->word_end < e ? r->word_end : e) - (r->word > w ? r->word : w);
            if (r->word_end <= w || r->bridge || 2 * (uint64_t)over < r->word_end - r->word) continue;
            if (!first) first = r;
            else together &= same_partners(first, r);
            if (r->word_end < min_end) min_end = r->word_end;
            if (r->word > max_start) max_start = r->word;
        }
        int bridge = first && min_end <= max_start && !together, joined = 0;
        for (size_t k = lo; bridge && k < n_seeds && (*seeds)[k].word < e; k++) {
            const rp_seed *r = &(*seeds)[k];
            uint32_t over = (r->word_end < e ? r->word_end : e) - (r->word > w ? r->word : w);
            if (r->word_end <= w || r->bridge || 2 * (uint64_t)over < r->word_end - r->word) continue;
            if (project(g, o[i].s, r, pr)) return -1;
        }
        for (size_t k = lo; k < n_seeds && (*seeds)[k].word < e; k++) {
            rp_seed *r = &(*seeds)[k];
            if (r->word_end <= w || r->bridge != bridge) continue;
            uint32_t over = (r->word_end < e ? r->word_end : e) - (r->word > w ? r->word : w);
            uint32_t lr = r->word_end - r->word, longer = lr > len ? lr : len;
            if (2 * (uint64_t)over >= (bridge ? longer : lr)) {
                join(up, r->s, o[i].s), joined = 1;
                add_partner(r, partner);
            }
        }
        if (joined) continue;
        if (rp__grow((void **)seeds, cap, n_seeds + 1, sizeof(rp_seed))) return -1;
        size_t at = n_seeds; /* in order of first word */
        while (at > 0 && (*seeds)[at - 1].word > w) at--;
        memmove(*seeds + at + 1, *seeds + at, (n_seeds - at) * sizeof(rp_seed));
        (*seeds)[at] = (rp_seed){.word = w, .word_end = e, .s = o[i].s, .bridge = bridge};
        add_partner(&(*seeds)[at], partner);
        n_seeds++;
    }
    return 0;
}

/* Numbers compare as numbers when both dates are numbers, else as text
 * (ISO 8601 dates order correctly as text), as the alignments' sources do. */
static int date_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    char ta[64], tb[64], *ea, *eb;
    if (la && lb && la < sizeof(ta) && lb < sizeof(tb)) {
        memcpy(ta, a, la), ta[la] = 0;
        memcpy(tb, b, lb), tb[lb] = 0;
        double x = strtod(ta, &ea), y = strtod(tb, &eb);
        if (!*ea && !*eb) return x < y ? -1 : x > y;
    }
    size_t n = la < lb ? la : lb;
    int c = memcmp(a, b, n);
    if (c) return c < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

/* Two documents' dates, compared (both dated). */
static int date_cmp_docs(const rp_grouper *g, uint32_t x, uint32_t y)
{
    const rp_gdoc *a = &g->doc[x], *b = &g->doc[y];
    return date_cmp(g->arena.data + a->date_off, a->date_len, g->arena.data + b->date_off, b->date_len);
}

typedef struct {
    uint32_t votes;        /* the group's alignments naming it the source */
    int copied;            /* named the copy by one */
} rp_tally;

rp_status rp_grouper_foreach(rp_grouper *g, int (*fn)(void *user, const rp_group *group), void *user)
{
    if (!g || !fn) return RP_ERR_USAGE;
    size_t n = g->n_s;
    if (!n) return RP_OK;
    rp_status st = RP_ERR_NOMEM;
    uint32_t *up = malloc(n * sizeof(uint32_t)), *gid = malloc(n * sizeof(uint32_t));
    uint32_t *start = NULL, *fill = NULL, *first_of = NULL;
    size_t cap_f = 0;
    rp_order *o = malloc(n * sizeof(rp_order));
    rp_group_member *m = NULL;
    rp_tally *tally = NULL;
    rp_seed *seeds = NULL;
    size_t cap_seeds = 0;
    rp_projected pr = {0};
    rp_stretch *S = g->s, *all = NULL; /* the stretches, and the projected ones after */
    if (!up || !gid || !o) goto out;
    for (size_t i = 0; i < n; i++) {
        up[i] = (uint32_t)i;
        const rp_stretch *s = &g->s[i];
        o[i] = (rp_order){g->doc[s->doc].index << 32 | s->word, s->word_end, (uint32_t)i};
    }
    for (size_t i = 0; i < n; i += 2) join(up, (uint32_t)i, (uint32_t)i + 1);
    qsort(o, n, sizeof(rp_order), cmp_order);
    for (size_t i = 0, j; i < n; i = j) { /* each document's stretches */
        for (j = i + 1; j < n && o[j].key >> 32 == o[i].key >> 32;) j++;
        if (join_in_document(g, up, o + i, j - i, &seeds, &cap_seeds, &pr)) goto out;
    }
    if (pr.n) { /* the projected stretches join the seeds they were cut for */
        size_t total = n + pr.n;
        uint32_t *up2 = realloc(up, total * sizeof(uint32_t));
        if (up2) up = up2;
        uint32_t *gid2 = up2 ? realloc(gid, total * sizeof(uint32_t)) : NULL;
        if (gid2) gid = gid2;
        rp_order *o2 = gid2 ? realloc(o, total * sizeof(rp_order)) : NULL;
        if (o2) o = o2;
        if (!o2 || total >= UINT32_MAX || !(all = malloc(total * sizeof(rp_stretch)))) goto out;
        memcpy(all, g->s, n * sizeof(rp_stretch));
        memcpy(all + n, pr.s, pr.n * sizeof(rp_stretch));
        S = all;
        for (size_t k = 0; k < pr.n; k++) {
            size_t i = n + k;
            up[i] = (uint32_t)i;
            join(up, (uint32_t)i, pr.seed[k]);
            o[i] = (rp_order){g->doc[S[i].doc].index << 32 | S[i].word, S[i].word_end, (uint32_t)i};
        }
        n = total;
    }
    qsort(o, n, sizeof(rp_order), cmp_order); /* back in (record, word) order */
    /* groups numbered by their first stretch in (record, word) order, and
     * each group's stretches listed in that order (a counting sort) */
    for (size_t i = 0; i < n; i++) up[i] = find(up, (uint32_t)i), gid[i] = UINT32_MAX;
    uint32_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = up[o[i].s];
        if (gid[r] == UINT32_MAX) gid[r] = groups++;
    }
    if (!(start = calloc((size_t)groups + 1, sizeof(uint32_t))) || !(fill = malloc(n * sizeof(uint32_t))))
        goto out;
    for (size_t i = 0; i < n; i++) start[gid[up[i]] + 1]++;
    for (uint32_t k = 0; k < groups; k++) start[k + 1] += start[k];
    for (size_t i = 0; i < n; i++) fill[i] = o[i].s;
    for (size_t i = 0; i < n; i++) { /* o becomes the stretches by group */
        uint32_t s = fill[i], k = gid[up[s]];
        o[start[k]++].s = s;
    }
    for (uint32_t k = groups; k > 0; k--) start[k] = start[k - 1];
    start[0] = 0;
    st = RP_OK;
    size_t cap_m = 0, cap_t = 0;
    for (uint32_t k = 0; k < groups; k++) {
        size_t nm = 0;
        for (uint32_t x = start[k]; x < start[k + 1]; x++) {
            uint32_t si = o[x].s;
            const rp_stretch *s = &S[si];
            const rp_gdoc *d = &g->doc[s->doc];
            rp_group_member *cur = nm ? &m[nm - 1] : NULL;
            if (!cur || cur->index != d->index || s->word >= cur->word + cur->words) {
                if (rp__grow((void **)&m, &cap_m, nm + 1, sizeof(*m)) ||
                    rp__grow((void **)&tally, &cap_t, nm + 1, sizeof(*tally)) ||
                    rp__grow((void **)&first_of, &cap_f, nm + 1, sizeof(*first_of))) {
                    st = RP_ERR_NOMEM;
                    goto out;
                }
                cur = &m[nm];
                *cur = (rp_group_member){.id = {g->arena.data + d->id_off, d->id_len, d->id_is_number},
                                         .index = d->index, .start = s->start, .end = s->end,
                                         .word = s->word, .words = s->word_end - s->word,
                                         .date = NULL};
                tally[nm] = (rp_tally){0};
                first_of[nm] = si;
                nm++;
            } else {
                if (s->start < cur->start) cur->start = s->start;
                if (s->end > cur->end) cur->end = s->end;
                if (s->word_end > cur->word + cur->words) cur->words = s->word_end - cur->word;
            }
            uint8_t src = si < g->n_s ? g->source[si / 2] : 0; /* a projected one names none */
            if (src == (si & 1) + 1) tally[nm - 1].votes++;
            else if (src) tally[nm - 1].copied = 1;
        }
        /* the likely first: the earliest date when every member has one,
         * else the member the group's alignments name the source most
         * often and never the copy */
        size_t best = SIZE_MAX;
        const char *evidence = NULL;
        int dated = 1;
        for (size_t x = 0; x < nm && dated; x++) dated = g->doc[S[first_of[x]].doc].date_len != UINT32_MAX;
        size_t first_dated = SIZE_MAX, tied = 0;
        for (size_t x = 0; x < nm && dated; x++) {
            int c = first_dated == SIZE_MAX ? -1 : date_cmp_docs(g, S[first_of[x]].doc, S[first_of[first_dated]].doc);
            if (c < 0) first_dated = x, tied = 1;
            else if (c == 0 && m[x].index != m[first_dated].index) tied++;
        }
        if (dated && tied == 1) {
            best = first_dated, evidence = "date";
        } else { /* no dates, or several documents of the earliest date: the
                  * alignments decide among those (all without dates) */
            for (size_t x = 0; x < nm; x++)
                if (tally[x].votes && !tally[x].copied &&
                    (!dated || date_cmp_docs(g, S[first_of[x]].doc, S[first_of[first_dated]].doc) == 0) &&
                    (best == SIZE_MAX || tally[x].votes > tally[best].votes))
                    best = x;
            if (best != SIZE_MAX) evidence = dated ? "date and alignments" : "alignments";
        }
        for (size_t x = 0; x < nm; x++) { /* dates point into the arena, which no longer grows */
            const rp_gdoc *d = &g->doc[S[first_of[x]].doc];
            if (d->date_len != UINT32_MAX) m[x].date = g->arena.data + d->date_off, m[x].date_len = d->date_len;
        }
        rp_group grp = {.number = k, .members = m, .n_members = nm, .earliest = best,
                        .earliest_evidence = evidence};
        for (size_t x = 0; x < nm; x++) grp.n_documents += x == 0 || m[x].index != m[x - 1].index;
        if (g->texts) { /* the earliest's (else the first) member's text, unless projected */
            size_t x = best == SIZE_MAX ? 0 : best;
            if (first_of[x] >= g->n_s)
                for (x = 0; x < nm && first_of[x] >= g->n_s;) x++;
            if (x < nm) {
                uint64_t e = g->excerpt[first_of[x]];
                grp.excerpt = g->arena.data + (e >> 8);
                grp.excerpt_len = (size_t)(e & 0xFF);
            }
        }
        if (fn(user, &grp)) break;
    }
out:
    free(up), free(gid), free(o), free(start), free(fill), free(m), free(tally), free(first_of), free(seeds);
    free(pr.s), free(pr.seed), free(all);
    return st;
}

/* ------------------------------------------------------- saved and read */

/* A grouper's content as bytes, little-endian as the machine is (the
 * parts of one distributed run, on one kind of machine, gathered):
 * "RPGRP001", documents, passages, whether texts came, then each
 * document (record number, id, date), each stretch (document, code points,
 * words), each passage's source and, with texts, each stretch's excerpt. */
static const char GROUP_MAGIC[8] = {'R', 'P', 'G', 'R', 'P', '0', '0', '1'};

rp_status rp_grouper_save(const rp_grouper *g, FILE *f)
{
    if (!g || !f) return RP_ERR_USAGE;
    uint64_t head[3] = {g->n_doc, g->n_s / 2, (uint64_t)g->texts};
    int bad = fwrite(GROUP_MAGIC, 8, 1, f) != 1 || fwrite(head, sizeof(head), 1, f) != 1;
    for (size_t d = 0; d < g->n_doc && !bad; d++) {
        const rp_gdoc *x = &g->doc[d];
        uint32_t lens[3] = {x->id_len, x->date_len, x->id_is_number};
        uint32_t date_len = x->date_len == UINT32_MAX ? 0 : x->date_len;
        bad = fwrite(&x->index, 8, 1, f) != 1 || fwrite(lens, sizeof(lens), 1, f) != 1 ||
              fwrite(g->arena.data + x->id_off, 1, x->id_len, f) != x->id_len ||
              fwrite(g->arena.data + x->date_off, 1, date_len, f) != date_len;
    }
    if (!bad && g->n_s)
        bad = fwrite(g->s, sizeof(rp_stretch), g->n_s, f) != g->n_s ||
              fwrite(g->source, 1, g->n_s / 2, f) != g->n_s / 2;
    for (size_t i = 0; i < g->n_s && g->texts && !bad; i++) {
        uint8_t len = (uint8_t)(g->excerpt[i] & 0xFF);
        bad = fwrite(&len, 1, 1, f) != 1 || fwrite(g->arena.data + (g->excerpt[i] >> 8), 1, len, f) != len;
    }
    return bad ? RP_ERR_IO : RP_OK;
}

static int get(FILE *f, void *dst, size_t n)
{
    return n && fread(dst, 1, n, f) != n;
}

/* n bytes of f appended to b, grown as they are read (a length read from
 * the file is not trusted with an allocation of its own). */
static rp_status get_grown(FILE *f, rp_buf *b, size_t n)
{
    for (size_t done = 0; done < n;) {
        size_t m = n - done < 65536 ? n - done : 65536;
        if (rp__buf_reserve(b, b->len + m)) return RP_ERR_NOMEM;
        if (get(f, b->data + b->len, m)) return RP_ERR_USAGE;
        b->len += m, done += m;
    }
    return RP_OK;
}

/* One saved part added; RP_EOF at the end of f. */
static rp_status load_part(rp_grouper *g, FILE *f, rp_buf *tmp, uint32_t **remap, size_t *cap_remap)
{
    char magic[8];
    size_t got = fread(magic, 1, 8, f);
    if (got == 0 && feof(f)) return RP_EOF;
    uint64_t head[3];
    if (got != 8 || memcmp(magic, GROUP_MAGIC, 8) || get(f, head, sizeof(head)) || head[2] > 1 ||
        head[0] > UINT32_MAX || head[1] > UINT32_MAX / 2)
        return RP_ERR_USAGE;
    if (head[1] && g->n_s && (int)head[2] != g->texts) return RP_ERR_USAGE;
    for (uint64_t d = 0; d < head[0]; d++) { /* grown as read: the counts are not trusted */
        uint64_t index;
        if (rp__grow((void **)remap, cap_remap, (size_t)d + 1, sizeof(uint32_t))) return RP_ERR_NOMEM;
        uint32_t lens[3];
        if (get(f, &index, 8) || get(f, lens, sizeof(lens)) || lens[2] > 1) return RP_ERR_USAGE;
        size_t date_len = lens[1] == UINT32_MAX ? 0 : lens[1];
        tmp->len = 0;
        rp_status st = get_grown(f, tmp, lens[0]);
        if (st == RP_OK) st = get_grown(f, tmp, date_len);
        if (st == RP_OK && rp__buf_append(tmp, "", 1)) st = RP_ERR_NOMEM; /* the date as doc_of takes it */
        if (st != RP_OK) return st;
        rp_id id = {tmp->data, lens[0], (int)lens[2]};
        st = doc_of(g, index, id, lens[1] == UINT32_MAX ? NULL : tmp->data + lens[0], &(*remap)[d]);
        if (st != RP_OK) return st;
    }
    size_t n = (size_t)head[1] * 2, at = g->n_s;
    if (!n) return RP_OK;
    if (at + n >= UINT32_MAX) return RP_ERR_LIMIT;
    if (g->n_s == 0) g->texts = (int)head[2];
    for (size_t done = 0; done < n;) { /* a chunk at a time, grown as read */
        size_t m = n - done < 4096 ? n - done : 4096;
        if (rp__grow((void **)&g->s, &g->cap_s, at + done + m, sizeof(rp_stretch))) return RP_ERR_NOMEM;
        if (get(f, g->s + at + done, m * sizeof(rp_stretch))) return RP_ERR_USAGE;
        done += m;
    }
    if (rp__grow((void **)&g->source, &g->cap_source, (at + n) / 2, 1) ||
        (g->texts && rp__grow((void **)&g->excerpt, &g->cap_excerpt, at + n, sizeof(uint64_t))))
        return RP_ERR_NOMEM; /* no more than the stretches just read */
    if (get(f, g->source + at / 2, n / 2)) return RP_ERR_USAGE;
    for (size_t i = at; i < at + n; i++) {
        const rp_stretch *x = &g->s[i];
        if (x->doc >= head[0] || g->source[i / 2] > 2 || x->word_end <= x->word || x->end <= x->start ||
            (i & 1 && (*remap)[x->doc] == g->s[i - 1].doc))
            return RP_ERR_USAGE; /* not what rp_grouper_add keeps */
        g->s[i].doc = (*remap)[g->s[i].doc];
    }
    for (size_t i = at; i < at + n && g->texts; i++) {
        uint8_t len;
        if (get(f, &len, 1) || rp__buf_reserve(&g->arena, g->arena.len + len)) return RP_ERR_USAGE;
        if (get(f, g->arena.data + g->arena.len, len)) return RP_ERR_USAGE;
        g->excerpt[i] = (uint64_t)g->arena.len << 8 | len;
        g->arena.len += len;
    }
    g->n_s = at + n;
    return RP_OK;
}

rp_status rp_grouper_load(rp_grouper *g, FILE *f)
{
    if (!g || !f) return RP_ERR_USAGE;
    rp_buf tmp = {0};
    uint32_t *remap = NULL;
    size_t cap_remap = 0;
    rp_status st;
    while ((st = load_part(g, f, &tmp, &remap, &cap_remap)) == RP_OK) {}
    rp__buf_free(&tmp);
    free(remap);
    return st == RP_EOF ? RP_OK : st;
}
