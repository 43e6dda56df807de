/*
 * shingle.c — word n-gram shingles.
 *
 * A shingle is n consecutive normalized words; its hash combines the n
 * word hashes (so the text of a word is hashed once, by the tokenizer, and
 * a shingle costs n multiplies: shingle_hash.h). Near-duplicate detection works on
 * the set of a document's shingle hashes: its Jaccard similarity with another
 * document's set is what MinHash estimates and what verification computes.
 *
 * A document of fewer than n words has a single shingle made of all its
 * words, so short documents still compare (and two equal short ones match).
 */
#include "internal.h"

#include <string.h>
#include "shingle_hash.h"
#define XXH_INLINE_ALL
#include <xxhash.h>

size_t rp__shingles(const uint64_t *tokens, size_t n_tokens, unsigned ngram, uint64_t seed,
                    uint64_t **out, size_t *cap, int set)
{
    if (n_tokens == 0) return 0;
    if (ngram == 0) ngram = 1;
    if (ngram > RP_SHINGLE_MAX) ngram = RP_SHINGLE_MAX;
    size_t width = n_tokens < ngram ? n_tokens : ngram;
    size_t count = n_tokens - width + 1;
    /* twice the room: the second half is the radix sort's scratch */
    if (rp__grow((void **)out, cap, set ? count * 2 : count, sizeof(uint64_t))) return SIZE_MAX;
    uint64_t *sh = *out, keys[RP_SHINGLE_MAX + 1];
    rp__shingle_keys(seed, width, keys);
    for (size_t i = 0; i < count; i++)
        sh[i] = rp__shingle_hash(tokens + i, width, keys);
    if (set) count = rp__sort_unique_u64(sh, count, sh + count);
    return count;
}

uint64_t rp__exact_hash(const uint64_t *tokens, size_t n_tokens, uint64_t seed)
{
    return XXH3_64bits_withSeed(tokens, n_tokens * sizeof(uint64_t), seed ^ 0x9E3779B97F4A7C15ULL);
}

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

size_t rp__sort_unique_u64(uint64_t *v, size_t n, uint64_t *scratch)
{
    if (n < 2) return n;
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

size_t rp__kgram_hashes(const uint64_t *tokens, size_t n_tokens, unsigned k, uint64_t seed,
                        uint64_t *out)
{
    if (k == 0 || n_tokens < k) return 0;
    size_t count = n_tokens - k + 1;
    /* the k-grams hashed as shingles are, under a seed of their own */
    if (k <= RP_SHINGLE_MAX) {
        uint64_t keys[RP_SHINGLE_MAX + 1];
        rp__shingle_keys(seed ^ 0xA5A5A5A5ULL, k, keys);
        for (size_t i = 0; i < count; i++) out[i] = rp__shingle_hash(tokens + i, k, keys);
    } else {
        for (size_t i = 0; i < count; i++)
            out[i] = XXH3_64bits_withSeed(tokens + i, k * sizeof(uint64_t), seed ^ 0xA5A5A5A5ULL);
    }
    return count;
}

size_t rp__winnow(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                  uint64_t **out, size_t *cap)
{
    if (k == 0 || w == 0 || n_tokens < k) return 0;
    size_t count = n_tokens - k + 1;
    /* room for the k-gram hashes, the chosen ones and the sort's scratch
     * (the runs' minima till then) */
    if (rp__grow((void **)out, cap, count * 3, sizeof(uint64_t))) return SIZE_MAX;
    uint64_t *h = *out, *fp = h + count, *scratch = h + 2 * count;
    rp__kgram_hashes(tokens, n_tokens, k, seed, h);
    /* Winnowing (Schleimer, Wilkerson and Aiken 2003): in every window of w
     * consecutive k-grams take the minimum. Robust winnowing records the
     * rightmost minimum when its position changes; as a set of hashes that
     * is exactly the set of window minima, since a position that changes
     * while the value stays adds nothing to the set. The minima by
     * doubling: after pass j, m[i] is the minimum of the 2^j hashes from i,
     * and a window's minimum is that of the two (overlapping) power-of-two
     * runs that cover it. No pass depends on its own previous step or
     * branches on a hash (a monotone deque mispredicted on most k-grams).
     * A text with fewer than w k-grams has one window: itself. */
    size_t win = count < w ? count : w, run = 1;
    uint64_t *m = scratch;
    memcpy(m, h, count * sizeof(uint64_t));
    for (; run * 2 <= win; run *= 2)
        for (size_t i = 0; i + run < count; i++) m[i] = m[i] < m[i + run] ? m[i] : m[i + run];
    size_t n_fp = 0;
    for (size_t s = 0; s + win <= count; s++) {
        uint64_t a = m[s], b = m[s + win - run], x = a < b ? a : b;
        fp[n_fp] = x;
        n_fp += n_fp == 0 || fp[n_fp - 1] != x;
    }
    n_fp = rp__sort_unique_u64(fp, n_fp, scratch);
    memmove(h, fp, n_fp * sizeof(uint64_t));
    return n_fp;
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
