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
 * bins about K/m probes per empty bin. The dedup pass signs straight from
 * the word hashes (rp__sign_tokens), never storing the shingles.
 */
#include "internal.h"

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

static int densify(uint64_t *sig, unsigned num_perm, uint64_t seed)
{
    unsigned nonempty = 0;
    for (unsigned k = 0; k < num_perm; k++) nonempty += sig[k] != UINT64_MAX;
    if (nonempty == num_perm || nonempty == 0) return 0;
    /* which bins were filled before any copying began */
    unsigned char filled[4096], *f = num_perm <= sizeof(filled) ? filled : malloc(num_perm);
    if (!f) return -1;
    for (unsigned k = 0; k < num_perm; k++) f[k] = sig[k] != UINT64_MAX;
    for (unsigned k = 0; k < num_perm; k++) {
        if (f[k]) continue;
        for (uint64_t attempt = 1;; attempt++) {
            uint64_t key[2] = {k, attempt};
            uint64_t r = XXH3_64bits_withSeed(key, sizeof(key), seed ^ 0xD6E8FEB86659FD93ULL);
            uint32_t j = (uint32_t)(((r >> 32) * (uint64_t)num_perm) >> 32);
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
