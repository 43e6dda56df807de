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
 * bins about K/m probes per empty bin.
 */
#include "internal.h"

#include <string.h>
#include <xxhash.h>

int rp__sign(const uint64_t *shingles, size_t n, unsigned num_perm, uint64_t seed, uint64_t *sig,
             unsigned char *filled)
{
    if (n == 0 || num_perm == 0) return -1;
    memset(filled, 0, num_perm);
    for (unsigned k = 0; k < num_perm; k++) sig[k] = UINT64_MAX;
    unsigned nonempty = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = shingles[i]; /* already XXH3 of the shingle under this seed */
        uint32_t bin = (uint32_t)(((h >> 32) * (uint64_t)num_perm) >> 32);
        if (!filled[bin]) filled[bin] = 1, nonempty++;
        if (h < sig[bin]) sig[bin] = h;
    }
    if (nonempty == num_perm) return 0;
    for (unsigned k = 0; k < num_perm; k++) {
        if (filled[k]) continue;
        for (uint64_t attempt = 1;; attempt++) {
            uint64_t key[2] = {k, attempt};
            uint64_t r = XXH3_64bits_withSeed(key, sizeof(key), seed ^ 0xD6E8FEB86659FD93ULL);
            uint32_t j = (uint32_t)(((r >> 32) * (uint64_t)num_perm) >> 32);
            if (filled[j]) {
                sig[k] = sig[j];
                break;
            }
        }
    }
    return 0;
}

double rp__sig_similarity(const uint64_t *a, const uint64_t *b, unsigned num_perm)
{
    unsigned eq = 0;
    for (unsigned k = 0; k < num_perm; k++) eq += a[k] == b[k];
    return num_perm ? (double)eq / num_perm : 0.0;
}
