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

size_t rp__winnow(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                  uint64_t **out, size_t *cap)
{
    if (k == 0 || w == 0 || n_tokens < k) return 0;
    size_t count = n_tokens - k + 1;
    /* room for the k-gram hashes, the chosen ones and the sort's scratch;
     * the deque of window candidates lives in the chosen half as it fills */
    if (rp__grow((void **)out, cap, count * 3, sizeof(uint64_t))) return SIZE_MAX;
    uint64_t *h = *out, *fp = h + count, *scratch = h + 2 * count;
    /* the k-grams hashed as shingles are, under a seed of their own */
    if (k <= RP_SHINGLE_MAX) {
        uint64_t keys[RP_SHINGLE_MAX + 1];
        rp__shingle_keys(seed ^ 0xA5A5A5A5ULL, k, keys);
        for (size_t i = 0; i < count; i++) h[i] = rp__shingle_hash(tokens + i, k, keys);
    } else {
        for (size_t i = 0; i < count; i++)
            h[i] = XXH3_64bits_withSeed(tokens + i, k * sizeof(uint64_t), seed ^ 0xA5A5A5A5ULL);
    }
    /* Robust winnowing (Schleimer, Wilkerson and Aiken 2003): in every window
     * of w consecutive k-grams take the minimum, the rightmost on ties, and
     * record it when it changes. A monotone deque of positions with
     * increasing hashes makes this O(n). A text with fewer than w k-grams has
     * one window: itself. */
    size_t win = count < w ? count : w;
    size_t ring = 1; /* the deque's ring: a power of two, indexed with a mask */
    while (ring < win + 1) ring <<= 1;
    size_t small[64], *dq = ring <= 64 ? small : malloc(ring * sizeof(size_t));
    if (!dq) return SIZE_MAX;
    size_t mask = ring - 1, head = 0, len = 0, n_fp = 0, last = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        while (len > 0 && h[dq[(head + len - 1) & mask]] >= h[i]) len--;
        dq[(head + len) & mask] = i;
        len++;
        if (dq[head] + win <= i) head = (head + 1) & mask, len--;
        if (i + 1 >= win && dq[head] != last) {
            last = dq[head];
            fp[n_fp++] = h[last];
        }
    }
    if (dq != small) free(dq);
    n_fp = rp__sort_unique_u64(fp, n_fp, scratch);
    memmove(h, fp, n_fp * sizeof(uint64_t));
    return n_fp;
}
