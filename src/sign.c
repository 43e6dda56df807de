/*
 * sign.c — MinHash signatures by one-permutation hashing (OPH) with optimal
 * densification.
 *
 * Classic MinHash applies K hash functions to every shingle: K hash
 * evaluations per shingle. OPH (Li, Owen & Zhang, NIPS 2012) hashes each
 * shingle once: the hash's top bits choose one of K bins, and each bin keeps
 * its minimum. Two documents agree on a bin with probability equal to their
 * Jaccard similarity, as with K permutations, for O(1) work per shingle.
 *
 * Short documents leave bins empty. Optimal densification (Shrivastava,
 * ICML 2017) fills each empty bin i from a non-empty bin chosen by a hash of
 * (i, attempt) that is the same for every document, so two documents copy
 * from the same places and the estimator stays unbiased with variance close
 * to K independent permutations.
 *
 * Cost: one multiply-shift per shingle, plus for a document with m non-empty
 * bins about K/m probes per empty bin, looked up in a table of the probe
 * sequences, or, for few filled bins, O(m) per empty bin from a table of
 * their ranks (below). The dedup pass signs straight from
 * the word hashes (rp__sign_tokens), never storing the shingles.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RP_AVX512 1
#endif
#include "shingle_hash.h"
#define XXH_INLINE_ALL
#include <xxhash.h>

/* Bins start at UINT64_MAX, which marks them empty: a shingle hashing to
 * exactly that value is as good as absent (probability 2^-64 a shingle). */
static inline void oph_add(uint64_t *sig, unsigned num_perm, uint64_t h)
{
    uint32_t bin = (uint32_t)(((h >> 32) * (uint64_t)num_perm) >> 32);
    uint64_t cur = sig[bin];
    sig[bin] = h < cur ? h : cur; /* branch-free: the branch mispredicts */
}

/* The bin that empty bin k's attempt-th probe lands on. */
static inline uint32_t probe(unsigned k, uint64_t attempt, unsigned num_perm, uint64_t seed)
{
    uint64_t key[2] = {k, attempt};
    uint64_t r = XXH3_64bits_withSeed(key, sizeof(key), seed ^ 0xD6E8FEB86659FD93ULL);
    return (uint32_t)(((r >> 32) * (uint64_t)num_perm) >> 32);
}

/* The probe sequences are the same for every document, so they are
 * computed once a (seed, K) and looked up:
 * - seq[k][a - 1] is the bin empty bin k's a-th probe lands on, for the
 *   first SEQ_LEN attempts (a bin of a typical short document finds a
 *   filled one within two or three: the hashes took half the time of
 *   signing 2 million documents of 50 words);
 * - for a document with few filled bins, probing costs about K / m per
 *   empty bin, so they are also ranked: rank[k][j] is the attempt at which
 *   bin k first probes bin j (0: not within RANK_CAP attempts), and an
 *   empty bin takes the filled bin of least rank, in O(m): the same bin
 *   probing would reach (for K up to RANK_MAX_K).
 * Tables are kept for up to 16 (seed, K), built once by whichever thread
 * first needs one. */
#define SEQ_LEN 16
#define RANK_CAP 65535
#define RANK_MAX_K 1024
#define RANK_TABLES 16

typedef struct {
    uint64_t seed;
    unsigned num_perm;
    uint16_t *seq;           /* num_perm x SEQ_LEN */
    uint16_t *rank;          /* num_perm x num_perm, or NULL past RANK_MAX_K */
    uint8_t *seq_t;          /* SEQ_LEN x 128, seq transposed (bins past num_perm
                                probe bin 0), for K <= 128 on a processor with
                                AVX-512 VBMI; else NULL */
} rank_table;

#ifdef RP_AVX512
/* densify for K = 64 or 128 on a processor with AVX-512 VBMI, the same
 * bins as the portable code below: the filled bins are a mask of K bits;
 * a byte permute looks up 64 bins' table probes at once in the filled
 * flags, so every bin's first filled probe among the first SEQ_LEN comes
 * from 2 x SEQ_LEN instructions, where a bin at a time took a load a
 * probe and a mispredicted branch a bin (a third of signing 2 million
 * short posts); bins are then copied without a branch, and only the few
 * whose table probes all miss (about 1 in 600 at 40 filled of 128) take
 * the rank table or probe on. Tables are built with seq_t only where
 * this runs. */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static void
densify_vbmi(uint64_t *sig, unsigned num_perm, uint64_t seed, const rank_table *rt)
{
    uint64_t m[2] = {0, 0};
    const __m512i none = _mm512_set1_epi64(-1);
    for (unsigned k = 0; k < num_perm; k += 8)
        m[k >> 6] |= (uint64_t)_mm512_cmpneq_epu64_mask(_mm512_loadu_si512((const void *)(sig + k)), none)
                     << (k & 63);
    unsigned nonempty = (unsigned)(__builtin_popcountll(m[0]) + __builtin_popcountll(m[1]));
    if (nonempty == num_perm || nonempty == 0) return;
    if (nonempty == 1) { /* as below */
        uint64_t v = sig[m[0] ? __builtin_ctzll(m[0]) : 64 + __builtin_ctzll(m[1])];
        for (unsigned k = 0; k < num_perm; k++) sig[k] = v;
        return;
    }
    const __m512i lo = _mm512_movm_epi8(m[0]), hi = _mm512_movm_epi8(m[1]);
    const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46,
                                         45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29,
                                         28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12,
                                         11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    uint8_t src[128];
    uint64_t left[2] = {0, 0}; /* empty bins none of whose table probes is filled */
    for (unsigned h = 0; h < num_perm; h += 64) {
        __m512i s = _mm512_set1_epi8((char)0xFF);
        for (int a = SEQ_LEN - 1; a >= 0; a--) { /* the first attempt writes last */
            __m512i idx = _mm512_loadu_si512((const void *)(rt->seq_t + (size_t)a * 128 + h));
            __m512i v = _mm512_permutex2var_epi8(lo, idx, hi);
            s = _mm512_mask_mov_epi8(s, _mm512_test_epi8_mask(v, v), idx);
        }
        __m512i self = _mm512_add_epi8(iota, _mm512_set1_epi8((char)h));
        left[h >> 6] = _mm512_cmpeq_epi8_mask(s, _mm512_set1_epi8((char)0xFF)) & ~m[h >> 6];
        /* a filled bin, and one left for later, copy themselves for now */
        s = _mm512_mask_mov_epi8(s, m[h >> 6] | left[h >> 6], self);
        _mm512_storeu_si512((void *)(src + h), s);
    }
    for (unsigned k = 0; k < num_perm; k++) sig[k] = sig[src[k]]; /* only filled bins are read */
    for (unsigned w = 0; w < 2; w++)
        for (uint64_t bits = left[w]; bits; bits &= bits - 1) {
            unsigned k = w * 64 + (unsigned)__builtin_ctzll(bits);
            uint32_t best = UINT32_MAX, best_rank = RANK_CAP + 1;
            if (rt->rank && nonempty * 8 <= num_perm) { /* the filled bin of least rank */
                const uint16_t *row = rt->rank + (size_t)k * num_perm;
                for (unsigned x = 0; x < 2; x++)
                    for (uint64_t f = m[x]; f; f &= f - 1) {
                        unsigned j = x * 64 + (unsigned)__builtin_ctzll(f);
                        if (row[j] && row[j] < best_rank) best_rank = row[j], best = j;
                    }
            }
            for (uint64_t attempt = SEQ_LEN + 1; best == UINT32_MAX; attempt++) {
                uint32_t j = probe(k, attempt, num_perm, seed);
                if (m[j >> 6] >> (j & 63) & 1) best = j;
            }
            sig[k] = sig[best];
        }
}

static int has_vbmi(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi");
}
#endif

static rank_table tables[RANK_TABLES];
static _Atomic(const rank_table *) published[RANK_TABLES];
static pthread_mutex_t tables_mu = PTHREAD_MUTEX_INITIALIZER;

static int build_table(rank_table *t, unsigned num_perm, uint64_t seed)
{
    uint16_t *seq = malloc((size_t)num_perm * SEQ_LEN * sizeof(uint16_t));
    uint16_t *rank = num_perm <= RANK_MAX_K ? calloc((size_t)num_perm * num_perm, sizeof(uint16_t))
                                            : NULL;
    if (!seq || (num_perm <= RANK_MAX_K && !rank)) {
        free(seq);
        free(rank);
        return -1;
    }
    for (unsigned k = 0; k < num_perm; k++) {
        for (unsigned a = 1; a <= SEQ_LEN; a++)
            seq[(size_t)k * SEQ_LEN + a - 1] = (uint16_t)probe(k, a, num_perm, seed);
        if (!rank) continue;
        uint16_t *row = rank + (size_t)k * num_perm;
        unsigned seen = 0;
        for (uint64_t a = 1; a <= RANK_CAP && seen < num_perm; a++) {
            uint32_t j = probe(k, a, num_perm, seed);
            if (!row[j]) row[j] = (uint16_t)a, seen++;
        }
    }
    uint8_t *seq_t = NULL;
#ifdef RP_AVX512
    if ((num_perm == 64 || num_perm == 128) && has_vbmi() && (seq_t = calloc(SEQ_LEN * 128, 1)))
        for (unsigned k = 0; k < num_perm; k++)
            for (unsigned a = 0; a < SEQ_LEN; a++)
                seq_t[a * 128 + k] = (uint8_t)seq[(size_t)k * SEQ_LEN + a];
#endif
    *t = (rank_table){seed, num_perm, seq, rank, seq_t};
    return 0;
}

static const rank_table *ranks_for(unsigned num_perm, uint64_t seed)
{
    for (int t = 0; t < RANK_TABLES; t++) {
        const rank_table *r = atomic_load_explicit(&published[t], memory_order_acquire);
        if (r && r->num_perm == num_perm && r->seed == seed) return r;
    }
    const rank_table *found = NULL;
    pthread_mutex_lock(&tables_mu);
    int t = 0;
    for (; t < RANK_TABLES && atomic_load(&published[t]); t++) {
        const rank_table *r = atomic_load(&published[t]);
        if (r->num_perm == num_perm && r->seed == seed) found = r;
    }
    if (!found && t < RANK_TABLES && build_table(&tables[t], num_perm, seed) == 0) {
        atomic_store_explicit(&published[t], &tables[t], memory_order_release);
        found = &tables[t];
    }
    pthread_mutex_unlock(&tables_mu);
    return found; /* NULL: no room or no memory; probing still works */
}

int rp__sign_vector_path(unsigned num_perm, uint64_t seed)
{
#ifdef RP_AVX512
    if ((num_perm == 64 || num_perm == 128) && !rp__hooks.scalar) {
        const rank_table *rt = ranks_for(num_perm, seed);
        return rt && rt->seq_t;
    }
#endif
    (void)num_perm, (void)seed;
    return 0;
}

static int densify(uint64_t *sig, unsigned num_perm, uint64_t seed)
{
#ifdef RP_AVX512
    if (rp__sign_vector_path(num_perm, seed)) {
        densify_vbmi(sig, num_perm, seed, ranks_for(num_perm, seed));
        return 0;
    }
#endif
    unsigned nonempty = 0;
    for (unsigned k = 0; k < num_perm; k++) nonempty += sig[k] != UINT64_MAX;
    if (nonempty == num_perm || nonempty == 0) return 0;
    if (nonempty == 1) {
        /* every probe sequence ends at the one filled bin: the same result
         * without its K - 1 sequences of about K probes each (a document
         * shorter than a shingle, or of one shingle, took 5 times longer to
         * sign than one of a dozen words) */
        uint64_t v = 0;
        for (unsigned k = 0; k < num_perm; k++)
            if (sig[k] != UINT64_MAX) v = sig[k];
        for (unsigned k = 0; k < num_perm; k++) sig[k] = v;
        return 0;
    }
    /* which bins were filled before any copying began */
    unsigned char filled[4096], *f = num_perm <= sizeof(filled) ? filled : malloc(num_perm);
    if (!f) return -1;
    uint32_t list[64];
    unsigned n_list = 0;
    for (unsigned k = 0; k < num_perm; k++) {
        f[k] = sig[k] != UINT64_MAX;
        if (f[k] && n_list < 64) list[n_list++] = k;
    }
    const rank_table *rt = ranks_for(num_perm, seed);
    int by_rank = rt && rt->rank && nonempty * 8 <= num_perm && nonempty <= 64;
    for (unsigned k = 0; k < num_perm; k++) {
        if (f[k]) continue;
        if (by_rank) { /* the filled bin of least rank, if any was probed within the cap */
            const uint16_t *row = rt->rank + (size_t)k * num_perm;
            uint32_t best = 0, best_rank = RANK_CAP + 1;
            for (unsigned x = 0; x < n_list; x++)
                if (row[list[x]] && row[list[x]] < best_rank) best_rank = row[list[x]], best = list[x];
            if (best_rank <= RANK_CAP) {
                sig[k] = sig[best];
                continue;
            }
        }
        uint64_t attempt = 1;
        if (rt) { /* the first filled bin among the table's probes, without a
                     branch a probe: which probe ends the search is a coin toss
                     the processor would mispredict on nearly every bin */
            const uint16_t *seq = rt->seq + (size_t)k * SEQ_LEN;
            uint32_t hits = 0;
            for (unsigned a = 0; a < SEQ_LEN; a++) hits |= (uint32_t)f[seq[a]] << a;
            if (hits) {
                sig[k] = sig[seq[__builtin_ctz(hits)]];
                continue;
            }
            attempt = SEQ_LEN + 1;
        }
        for (;; attempt++) {
            uint32_t j = probe(k, attempt, num_perm, seed);
            if (f[j]) {
                sig[k] = sig[j];
                break;
            }
        }
    }
    if (f != filled) free(f);
    return 0;
}

int rp__sign(const uint64_t *shingles, size_t n, unsigned num_perm, uint64_t seed, uint64_t *sig)
{
    if (n == 0 || num_perm == 0) return -1;
    for (unsigned k = 0; k < num_perm; k++) sig[k] = UINT64_MAX;
    for (size_t i = 0; i < n; i++) oph_add(sig, num_perm, shingles[i]);
    return densify(sig, num_perm, seed);
}

static inline __attribute__((always_inline)) void
oph_tokens(uint64_t *sig, unsigned num_perm, const uint64_t *tokens, size_t n_tokens, size_t width,
           const uint64_t *keys)
{
    for (size_t i = 0; i + width <= n_tokens; i++)
        oph_add(sig, num_perm, rp__shingle_hash(tokens + i, width, keys));
}

/* oph_tokens where the n-gram hashes are vectorized (shingle.c): a block
 * of hashes at a time into a buffer, their bins' minima kept one by one.
 * The hashing was most of signing a long document. */
static void oph_tokens_blocks(uint64_t *sig, unsigned num_perm, const uint64_t *tokens, size_t n_tokens,
                              size_t width, const uint64_t *keys)
{
    uint64_t h[256];
    for (size_t i = 0, count = n_tokens - width + 1; i < count; i += 256) {
        size_t m = count - i < 256 ? count - i : 256;
        rp__ngram_hashes(tokens + i, m, width, keys, h);
        for (size_t j = 0; j < m; j++) oph_add(sig, num_perm, h[j]);
    }
}

int rp__sign_tokens(const uint64_t *tokens, size_t n_tokens, unsigned ngram, unsigned num_perm,
                    uint64_t seed, uint64_t *sig)
{
    if (n_tokens == 0 || num_perm == 0) return -1;
    ngram = rp__shingle_words(ngram);
    size_t width = n_tokens < ngram ? n_tokens : ngram;
    uint64_t keys[RP_SHINGLE_MAX + 1];
    rp__shingle_keys(seed, width, keys);
    for (unsigned k = 0; k < num_perm; k++) sig[k] = UINT64_MAX;
    if (n_tokens >= width + 8 && rp__cpu_avx512dq())
        oph_tokens_blocks(sig, num_perm, tokens, n_tokens, width, keys);
    else if (width == 5) /* the default: a constant width unrolls the hash's loop */
        oph_tokens(sig, num_perm, tokens, n_tokens, 5, keys);
    else
        oph_tokens(sig, num_perm, tokens, n_tokens, width, keys);
    return densify(sig, num_perm, seed);
}

double rp__sig_similarity(const uint64_t *a, const uint64_t *b, unsigned num_perm)
{
    unsigned eq = 0;
    for (unsigned k = 0; k < num_perm; k++) eq += a[k] == b[k];
    return num_perm ? (double)eq / num_perm : 0.0;
}
