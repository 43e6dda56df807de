/*
 * marks.c — how the words of two aligned stretches differ, for the views
 * (the report's passages, the terminal's columns): a longest common
 * subsequence of their word hashes, then, between two identical words, one
 * of their spin keys.
 */
#include "marks.h"

#include <stdlib.h>
#include <string.h>

/* Beyond this many table cells a stretch is cut into proportional pieces
 * aligned one against one: 16 MB at most, and passages that long are whole
 * documents reprinted, whose edits lie near the diagonal anyway. */
#define LCS_CELLS (4u << 20)

typedef struct {
    uint32_t x, y;
} match;

typedef struct {
    match *v;
    size_t n, cap;
} matches;

static int push_match(matches *m, size_t x, size_t y)
{
    if (m->n == m->cap) {
        size_t c = m->cap ? m->cap * 2 : 256;
        match *nv = realloc(m->v, c * sizeof(match));
        if (!nv) return -1;
        m->v = nv;
        m->cap = c;
    }
    m->v[m->n++] = (match){(uint32_t)x, (uint32_t)y};
    return 0;
}

/* The longest common subsequence of a[0..na) and b[0..nb), appended to m
 * as (x + ox, y + oy) in increasing order. */
static int lcs(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, size_t ox, size_t oy,
               matches *m)
{
    /* the same start and end cost no table: most of a reprint */
    size_t pre = 0, suf = 0;
    while (pre < na && pre < nb && a[pre] == b[pre]) {
        if (push_match(m, ox + pre, oy + pre)) return -1;
        pre++;
    }
    while (suf < na - pre && suf < nb - pre && a[na - 1 - suf] == b[nb - 1 - suf]) suf++;
    const uint64_t *ma = a + pre, *mb = b + pre;
    size_t n = na - pre - suf, k = nb - pre - suf;
    if (n && k) {
        if ((double)(n + 1) * (double)(k + 1) > LCS_CELLS) {
            size_t pieces = (size_t)((double)(n + 1) * (double)(k + 1) / LCS_CELLS) + 1;
            pieces = (size_t)__builtin_sqrt((double)pieces) + 1;
            for (size_t p = 0; p < pieces; p++) {
                size_t x0 = n * p / pieces, x1 = n * (p + 1) / pieces;
                size_t y0 = k * p / pieces, y1 = k * (p + 1) / pieces;
                if (lcs(ma + x0, x1 - x0, mb + y0, y1 - y0, ox + pre + x0, oy + pre + y0, m)) return -1;
            }
        } else {
            uint32_t *t = malloc((n + 1) * (k + 1) * sizeof(uint32_t));
            if (!t) return -1;
            for (size_t x = n + 1; x-- > 0;)
                for (size_t y = k + 1; y-- > 0;) {
                    uint32_t *c = &t[x * (k + 1) + y];
                    if (x == n || y == k) *c = 0;
                    else if (ma[x] == mb[y]) *c = t[(x + 1) * (k + 1) + y + 1] + 1;
                    else {
                        uint32_t r = t[(x + 1) * (k + 1) + y], d = t[x * (k + 1) + y + 1];
                        *c = r > d ? r : d;
                    }
                }
            size_t x = 0, y = 0;
            int bad = 0;
            while (x < n && y < k && !bad) {
                if (ma[x] == mb[y]) bad = push_match(m, ox + pre + x++, oy + pre + y++);
                else if (t[(x + 1) * (k + 1) + y] >= t[x * (k + 1) + y + 1]) x++;
                else y++;
            }
            free(t);
            if (bad) return -1;
        }
    }
    for (size_t s = suf; s > 0; s--)
        if (push_match(m, ox + na - s, oy + nb - s)) return -1;
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static int has(const uint64_t *sorted, size_t n, uint64_t v)
{
    return bsearch(&v, sorted, n, sizeof(uint64_t), cmp_u64) != NULL;
}

/* A rewritten passage matches as a set, not in order: a word is the
 * same when the other side has it, spun when it has its key. */
static int mark_set(const uint64_t *ha, const uint64_t *ka, size_t na, const uint64_t *hb,
                    const uint64_t *kb, size_t nb, uint8_t *ma)
{
    uint64_t *h = malloc((nb + 1) * sizeof(uint64_t)), *k = malloc((nb + 1) * sizeof(uint64_t));
    if (!h || !k) {
        free(h), free(k);
        return -1;
    }
    memcpy(h, hb, nb * sizeof(uint64_t));
    qsort(h, nb, sizeof(uint64_t), cmp_u64);
    if (kb) {
        memcpy(k, kb, nb * sizeof(uint64_t));
        qsort(k, nb, sizeof(uint64_t), cmp_u64);
    }
    for (size_t i = 0; i < na; i++)
        ma[i] = has(h, nb, ha[i]) ? MARK_SAME : (ka && kb && has(k, nb, ka[i])) ? MARK_SPUN : MARK_REWRITTEN;
    free(h), free(k);
    return 0;
}

int marks_words(const uint64_t *ha, const uint64_t *ka, size_t na, const uint64_t *hb,
                      const uint64_t *kb, size_t nb, int rewritten, uint8_t *ma, uint8_t *mb)
{
    if (rewritten)
        return mark_set(ha, ka, na, hb, kb, nb, ma) || mark_set(hb, kb, nb, ha, ka, na, mb) ? -1 : 0;
    memset(ma, MARK_CHANGED, na);
    memset(mb, MARK_CHANGED, nb);
    matches lit = {0}, syn = {0};
    int rc = -1;
    if (lcs(ha, na, hb, nb, 0, 0, &lit)) goto done;
    /* between two identical words, the words of one side that are a
     * synonym of a word of the other in the same order were spun */
    size_t px = 0, py = 0;
    for (size_t i = 0; i <= lit.n; i++) {
        size_t x = i < lit.n ? lit.v[i].x : na, y = i < lit.n ? lit.v[i].y : nb;
        if (ka && kb && x > px && y > py) {
            syn.n = 0;
            if (lcs(ka + px, x - px, kb + py, y - py, px, py, &syn)) goto done;
            for (size_t s = 0; s < syn.n; s++) ma[syn.v[s].x] = mb[syn.v[s].y] = MARK_SPUN;
        }
        if (i < lit.n) ma[x] = mb[y] = MARK_SAME, px = x + 1, py = y + 1;
    }
    rc = 0;
done:
    free(lit.v), free(syn.v);
    return rc;
}
