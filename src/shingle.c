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

#include <stdatomic.h>
#include <string.h>
#include "shingle_hash.h"
#define XXH_INLINE_ALL
#include <xxhash.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RP_AVX512 1
#endif

/* AVX-512 F with DQ (bit 0) and with BW (bit 1), asked of the processor once. */
static int cpu_avx512(void)
{
#ifdef RP_AVX512
    static _Atomic int known = -1; /* -1: not asked yet */
    int v = atomic_load_explicit(&known, memory_order_relaxed);
    if (v < 0) {
        __builtin_cpu_init();
        int f = __builtin_cpu_supports("avx512f");
        v = (f && __builtin_cpu_supports("avx512dq")) | (f && __builtin_cpu_supports("avx512bw")) << 1;
        atomic_store_explicit(&known, v, memory_order_relaxed);
    }
    return rp__hooks.scalar ? 0 : v;
#else
    return 0;
#endif
}

int rp__cpu_avx512dq(void)
{
    return cpu_avx512() & 1;
}

int rp__cpu_avx512bw(void)
{
    return cpu_avx512() >> 1 & 1;
}

#ifdef RP_AVX512
/* rp__shingle_hash of the n-grams at tokens[0, count), eight at a time with
 * AVX-512 DQ (the same sums, in another order, which wraps the same); the
 * count done, a multiple of 8, the rest left to the caller. */
__attribute__((target("avx512f,avx512dq"))) static size_t
ngram_hashes_avx512(const uint64_t *tokens, size_t count, size_t n, const uint64_t *keys, uint64_t *out)
{
    const __m512i m1 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ULL),
                  m2 = _mm512_set1_epi64((long long)0x94D049BB133111EBULL),
                  off = _mm512_set1_epi64((long long)keys[n]);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m512i x = off;
        for (size_t k = 0; k < n; k++)
            x = _mm512_add_epi64(x, _mm512_mullo_epi64(_mm512_loadu_si512((const void *)(tokens + i + k)),
                                                       _mm512_set1_epi64((long long)keys[k])));
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 30));
        x = _mm512_mullo_epi64(x, m1);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 27));
        x = _mm512_mullo_epi64(x, m2);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
        _mm512_storeu_si512((void *)(out + i), x);
    }
    return i;
}
#endif

void rp__ngram_hashes(const uint64_t *tokens, size_t count, size_t n, const uint64_t *keys, uint64_t *out)
{
    size_t i = 0;
#ifdef RP_AVX512
    if (count >= 8 && rp__cpu_avx512dq()) i = ngram_hashes_avx512(tokens, count, n, keys, out);
#endif
    for (; i < count; i++) out[i] = rp__shingle_hash(tokens + i, n, keys);
}

size_t rp__shingles(const uint64_t *tokens, size_t n_tokens, unsigned ngram, uint64_t seed,
                    uint64_t **out, size_t *cap, int set)
{
    if (n_tokens == 0) return 0;
    ngram = rp__shingle_words(ngram);
    size_t width = n_tokens < ngram ? n_tokens : ngram;
    size_t count = n_tokens - width + 1;
    /* twice the room: the second half is the radix sort's scratch */
    if (rp__grow((void **)out, cap, set ? count * 2 : count, sizeof(uint64_t))) return SIZE_MAX;
    uint64_t *sh = *out, keys[RP_SHINGLE_MAX + 1];
    rp__shingle_keys(seed, width, keys);
    rp__ngram_hashes(tokens, count, width, keys, sh);
    if (set) count = rp__sort_unique_u64(sh, count, sh + count);
    return count;
}

unsigned rp__shingle_words(unsigned ngram)
{
    return ngram == 0 ? 1 : ngram > RP_SHINGLE_MAX ? RP_SHINGLE_MAX : ngram;
}

uint64_t rp__exact_hash(const uint64_t *tokens, size_t n_tokens, uint64_t seed)
{
    return XXH3_64bits_withSeed(tokens, n_tokens * sizeof(uint64_t), seed ^ 0x9E3779B97F4A7C15ULL);
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
        rp__ngram_hashes(tokens, count, k, keys, out);
    } else {
        for (size_t i = 0; i < count; i++)
            out[i] = XXH3_64bits_withSeed(tokens + i, k * sizeof(uint64_t), seed ^ 0xA5A5A5A5ULL);
    }
    return count;
}

#ifdef RP_AVX512
/* window_minima's loops, eight k-grams at a time: the doubling passes, then
 * each window's minimum, kept where it differs from the one before
 * (compressed out); the same values in the same order. */
__attribute__((target("avx512f"))) static size_t
window_minima_avx512(uint64_t *m, size_t count, size_t win, size_t *prun, uint64_t *fp)
{
    size_t run = 1;
    for (; run * 2 <= win; run *= 2) {
        size_t i = 0;
        for (; i + run + 8 <= count; i += 8) { /* reads only values not yet written */
            __m512i a = _mm512_loadu_si512((const void *)(m + i)),
                    b = _mm512_loadu_si512((const void *)(m + i + run));
            _mm512_storeu_si512((void *)(m + i), _mm512_min_epu64(a, b));
        }
        for (; i + run < count; i++) m[i] = m[i] < m[i + run] ? m[i] : m[i + run];
    }
    *prun = run;
    size_t n_fp = 0, s = 0, windows = count - win + 1;
    for (; s + 8 <= windows; s += 8) {
        __m512i x = _mm512_min_epu64(_mm512_loadu_si512((const void *)(m + s)),
                                     _mm512_loadu_si512((const void *)(m + s + win - run)));
        /* each lane's predecessor: the lane before, lane 0's the last kept */
        __m512i last = _mm512_set1_epi64(n_fp ? (long long)fp[n_fp - 1] : 0);
        __m512i prev = _mm512_alignr_epi64(x, last, 7);
        __mmask8 keep = _mm512_cmpneq_epu64_mask(x, prev);
        if (!n_fp) keep |= 1;
        _mm512_mask_compressstoreu_epi64((void *)(fp + n_fp), keep, x);
        n_fp += (size_t)__builtin_popcount(keep);
    }
    for (; s < windows; s++) {
        uint64_t a = m[s], b = m[s + win - run], x = a < b ? a : b;
        fp[n_fp] = x;
        n_fp += n_fp == 0 || fp[n_fp - 1] != x;
    }
    return n_fp;
}
#endif

/* The window minima of count k-gram hashes h, in text order, a value
 * repeated only where the text repeats it further on (a run of equal minima
 * is one), into fp (count values), scratch (count values) for the work;
 * returns their count. */
static size_t window_minima(const uint64_t *h, size_t count, unsigned w, uint64_t *fp, uint64_t *scratch)
{
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
#ifdef RP_AVX512
    if (count >= 16 && rp__cpu_avx512dq()) return window_minima_avx512(m, count, win, &run, fp);
#endif
    for (; run * 2 <= win; run *= 2)
        for (size_t i = 0; i + run < count; i++) m[i] = m[i] < m[i + run] ? m[i] : m[i + run];
    size_t n_fp = 0;
    for (size_t s = 0; s + win <= count; s++) {
        uint64_t a = m[s], b = m[s + win - run], x = a < b ? a : b;
        fp[n_fp] = x;
        n_fp += n_fp == 0 || fp[n_fp - 1] != x;
    }
    return n_fp;
}

/* The window minima sorted and unique (the scratch is free again once
 * they are found). */
static size_t winnow_into(const uint64_t *h, size_t count, unsigned w, uint64_t *fp, uint64_t *scratch)
{
    return rp__sort_unique_u64(fp, window_minima(h, count, w, fp, scratch), scratch);
}

/* A text's window minima, sorted and unique or in text order. */
static size_t winnow_text(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                          uint64_t **out, size_t *cap, int sorted)
{
    if (k == 0 || w == 0 || n_tokens < k) return 0;
    size_t count = n_tokens - k + 1;
    /* room for the k-gram hashes, the chosen ones and the sort's scratch
     * (the runs' minima till then) */
    if (rp__grow((void **)out, cap, count * 3, sizeof(uint64_t))) return SIZE_MAX;
    uint64_t *h = *out;
    rp__kgram_hashes(tokens, n_tokens, k, seed, h);
    size_t n_fp = sorted ? winnow_into(h, count, w, h + count, h + 2 * count)
                         : window_minima(h, count, w, h + count, h + 2 * count);
    memmove(h, h + count, n_fp * sizeof(uint64_t));
    return n_fp;
}

size_t rp__winnow(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                  uint64_t **out, size_t *cap)
{
    return winnow_text(tokens, n_tokens, k, w, seed, out, cap, 1);
}

size_t rp__winnow_minima(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                         uint64_t **out, size_t *cap)
{
    return winnow_text(tokens, n_tokens, k, w, seed, out, cap, 0);
}

size_t rp__winnow_hashes_minima(const uint64_t *h, size_t count, unsigned w, uint64_t **out, size_t *cap)
{
    if (w == 0 || count == 0) return 0;
    if (rp__grow((void **)out, cap, count * 2, sizeof(uint64_t))) return SIZE_MAX;
    return window_minima(h, count, w, *out, *out + count);
}
