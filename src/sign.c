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
 * Tables are kept for a few (seed, K), built once by whichever thread
 * first needs one. */
#define SEQ_LEN 16
#define RANK_CAP 65535
#define RANK_MAX_K 1024
#define RANK_TABLES 4

typedef struct {
    uint64_t seed;
    unsigned num_perm;
    uint16_t *seq;           /* num_perm x SEQ_LEN */
    uint16_t *rank;          /* num_perm x num_perm, or NULL past RANK_MAX_K */
} rank_table;

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
    *t = (rank_table){seed, num_perm, seq, rank};
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

static int densify(uint64_t *sig, unsigned num_perm, uint64_t seed)
{
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

int rp__sign_tokens(const uint64_t *tokens, size_t n_tokens, unsigned ngram, unsigned num_perm,
                    uint64_t seed, uint64_t *sig)
{
    if (n_tokens == 0 || num_perm == 0) return -1;
    if (ngram == 0) ngram = 1;
    if (ngram > RP_SHINGLE_MAX) ngram = RP_SHINGLE_MAX;
    size_t width = n_tokens < ngram ? n_tokens : ngram;
    uint64_t keys[RP_SHINGLE_MAX + 1];
    rp__shingle_keys(seed, width, keys);
    for (unsigned k = 0; k < num_perm; k++) sig[k] = UINT64_MAX;
    if (width == 5) /* the default: a constant width unrolls the hash's loop */
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
