/*
 * sort.c — the sorts every stage leans on: hash sets sorted and made
 * unique (shingles, fingerprints), stable LSD radix sorts of 64-bit keys
 * (band entries, index partitions), candidate pairs by (a, b).
 */
#include "../records.h"

#include <string.h>

/* Sorts values that are spread evenly (hashes): one pass places each in
 * one of 2 to 4 times n buckets by its top bits, and one insertion pass over
 * the whole array finishes, moving only values that share a bucket. Few
 * do, so its loop is nearly always predicted: a shingle set of a few hundred
 * values costs about 4 ns a value where a radix sort takes 11 and an
 * insertion sort per bucket of two 9 (branch misses). Values that are not
 * even after all (a bucket of more than 32) are radix sorted instead. */
enum { SPREAD_MAX_BITS = 14 };

static void sort_spread(uint64_t *v, size_t n, uint64_t *scratch)
{
    unsigned bits = 3;
    while (bits < SPREAD_MAX_BITS && ((size_t)1 << (bits - 1)) <= n) bits++;
    static _Thread_local uint32_t start[(1u << SPREAD_MAX_BITS) + 1];
    size_t nb = (size_t)1 << bits;
    memset(start, 0, (nb + 1) * sizeof(start[0]));
    for (size_t i = 0; i < n; i++) start[(v[i] >> (64 - bits)) + 1]++;
    uint32_t most = 0;
    for (size_t b = 0; b < nb; b++) {
        most = start[b + 1] > most ? start[b + 1] : most;
        start[b + 1] += start[b];
    }
    if (most > 32) {
        rp__radix_sort_scratch(v, n, 0, scratch);
        return;
    }
    for (size_t i = 0; i < n; i++) scratch[start[v[i] >> (64 - bits)]++] = v[i];
    for (size_t i = 1; i < n; i++) {
        uint64_t x = scratch[i];
        size_t j = i;
        while (j > 0 && scratch[j - 1] > x) scratch[j] = scratch[j - 1], j--;
        scratch[j] = x;
    }
    memcpy(v, scratch, n * sizeof(uint64_t));
}

/* Lists of this many values or more, given no scratch, are split first
 * (rp__sort_unique_lean) rather than given a scratch as long as they are. */
#define LEAN_MIN ((size_t)1 << 23)

/* Sorted and unique in place, with a scratch of about a 200th of the list
 * instead of all of it: the values split into 256 parts by the top byte
 * of the range they span, in place (an American flag pass: McIlroy, Bostic
 * & McIlroy 1993), and each part sorted on its own, the largest part's
 * size the scratch. 28 million candidate pairs of near-copies, sorted with
 * a scratch as long, made the candidates' peak: 552 MB of a run's 552. */
size_t rp__sort_unique_lean(uint64_t *v, size_t n)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) any |= v[i];
    unsigned bits = any ? 64 - (unsigned)__builtin_clzll(any) : 0, shift = bits > 8 ? bits - 8 : 0;
    size_t count[256] = {0}, start[257], next[256], largest = 0;
    for (size_t i = 0; i < n; i++) count[v[i] >> shift]++;
    start[0] = 0;
    for (unsigned b = 0; b < 256; b++) {
        start[b + 1] = start[b] + count[b];
        next[b] = start[b];
        if (count[b] > largest) largest = count[b];
    }
    for (unsigned b = 0; b < 256; b++)
        while (next[b] < start[b + 1]) {
            uint64_t x = v[next[b]];
            unsigned d = (unsigned)(x >> shift);
            while (d != b) { /* x goes to its part, which hands back another */
                size_t at = next[d]++;
                uint64_t y = v[at];
                v[at] = x;
                x = y;
                d = (unsigned)(x >> shift);
            }
            v[next[b]++] = x;
        }
    uint64_t *scratch = malloc(largest ? largest * sizeof(uint64_t) : 1);
    if (!scratch) return SIZE_MAX;
    size_t w = 0;
    for (unsigned b = 0; b < 256; b++) {
        size_t m = rp__sort_unique_u64(v + start[b], count[b], scratch);
        if (m && w != start[b]) memmove(v + w, v + start[b], m * sizeof(uint64_t));
        w += m;
    }
    free(scratch);
    return w;
}

size_t rp__sort_unique_u64(uint64_t *v, size_t n, uint64_t *scratch)
{
    if (n < 2) return n;
    if (!scratch && n >= LEAN_MIN) return rp__sort_unique_lean(v, n);
    if (!scratch) {
        uint64_t *tmp = malloc(n * sizeof(uint64_t));
        if (!tmp) return SIZE_MAX;
        n = rp__sort_unique_u64(v, n, tmp);
        free(tmp);
        return n;
    }
    if (n <= (size_t)1 << SPREAD_MAX_BITS)
        sort_spread(v, n, scratch);
    else
        rp__radix_sort_scratch(v, n, 0, scratch);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[w - 1]) v[w++] = v[i];
    return w;
}


size_t rp__lower_bound_u64(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The digits of an LSD sort of values that differ in the bits of differ:
 * each starts at the lowest such bit the last one left, width bits wide.
 * Their shifts go to shift (room for 8); returns how many. */
static unsigned plan_digits(uint64_t differ, unsigned width, unsigned *shift)
{
    unsigned digits = 0;
    while (differ) {
        unsigned at = (unsigned)__builtin_ctzll(differ);
        shift[digits++] = at;
        differ = at + width >= 64 ? 0 : differ >> (at + width) << (at + width);
    }
    return digits;
}

void rp__radix_sort_scratch(uint64_t *v, size_t n, unsigned lo_bit, uint64_t *scratch)
{
    if (n < 2 || lo_bit >= 64) return;
    /* LSD, ping-ponging between v and scratch, with digits only where the
     * values differ, of 8 to 10 bits, whichever makes the fewest passes (a
     * pass reads and writes the whole list): a pair a << 32 | b of numbers
     * under 2^20 has 40 bits that vary, sorted in four passes of 10 bits
     * where bytes took six. Wider digits scattered worse than they saved
     * here (32-bit keys: 3 passes of 11 bits took 0.20 s, 4 of 8 0.15 s).
     * Every digit's counts come from one read of the values. */
    uint64_t first = v[0], differ = 0;
    for (size_t i = 1; i < n; i++) differ |= v[i] ^ first;
    differ = differ >> lo_bit << lo_bit;
    unsigned shift[8], width = 8, digits = plan_digits(differ, 8, shift);
    size_t bytes_counts[8 * 256], *heap = NULL, *count = bytes_counts;
    if (n >= ((size_t)1 << 16)) {
        for (unsigned w = 9; w <= 10; w++) {
            unsigned at[8] = {0}, d = plan_digits(differ, w, at);
            if (d < digits) width = w, digits = d, memcpy(shift, at, sizeof(at));
        }
        if (width > 8 && !(heap = malloc(((size_t)digits << width) * sizeof(size_t))))
            width = 8, digits = plan_digits(differ, 8, shift); /* no room: bytes, as before */
        if (heap) count = heap;
    }
    size_t mask = ((size_t)1 << width) - 1;
    memset(count, 0, ((size_t)digits << width) * sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        uint64_t x = v[i];
        for (unsigned d = 0; d < digits; d++) count[(size_t)d << width | ((x >> shift[d]) & mask)]++;
    }
    uint64_t *src = v, *dst = scratch;
    for (unsigned d = 0; d < digits; d++) {
        unsigned at = shift[d];
        size_t *c = count + ((size_t)d << width);
        if (c[(src[0] >> at) & mask] == n) continue;
        size_t pos = 0;
        for (size_t b = 0; b <= mask; b++) {
            size_t k = c[b];
            c[b] = pos;
            pos += k;
        }
        for (size_t i = 0; i < n; i++) dst[c[(src[i] >> at) & mask]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    free(heap);
    if (src != v) memcpy(v, src, n * sizeof(uint64_t));
}

int rp__radix_sort_u64(uint64_t *v, size_t n, unsigned lo_bit)
{
    if (n < 2) return 0;
    uint64_t *tmp = malloc(n * sizeof(uint64_t));
    if (!tmp) return -1;
    rp__radix_sort_scratch(v, n, lo_bit, tmp);
    free(tmp);
    return 0;
}


int rp__cands_push(rp_cand **v, size_t *n, size_t *cap, rp_docno a, rp_docno b)
{
    if (*n == *cap && rp__grow((void **)v, cap, *n + 1, sizeof(rp_cand))) return -1;
    (*v)[(*n)++] = (rp_cand){a, b};
    return 0;
}

static int cmp_cand(const void *x, const void *y)
{
    const rp_cand *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

void rp__cands_unpack(rp_cand *v, size_t n)
{
    /* from the end: pair i's 16 bytes overwrite packed values i * 2 and
     * i * 2 + 1, both at or past i, so already read */
    const uint64_t *packed = (const uint64_t *)v;
    for (size_t i = n; i-- > 0;) {
        uint64_t x = packed[i];
        v[i] = (rp_cand){x >> 32, (uint32_t)x};
    }
}

/* Numbers below 2^32 (every run on one machine) sort as one 64-bit value,
 * a << 32 | b, by radix, packed into the first half of the list itself and
 * unpacked from the end; larger ones by comparison. */
size_t rp__cands_sort_unique(rp_cand *v, size_t n)
{
    int small = 1;
    for (size_t i = 0; i < n && small; i++) small = (v[i].a | v[i].b) <= UINT32_MAX;
    if (!small) {
        if (n > 1) qsort(v, n, sizeof(*v), cmp_cand);
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (w == 0 || v[i].a != v[w - 1].a || v[i].b != v[w - 1].b) v[w++] = v[i];
        return w;
    }
    uint64_t *packed = (uint64_t *)v;
    for (size_t i = 0; i < n; i++) packed[i] = v[i].a << 32 | v[i].b;
    /* the list's second half, free once it is packed, is the sort's scratch */
    size_t w = rp__sort_unique_u64(packed, n, packed + n);
    rp__cands_unpack(v, w);
    return w;
}
