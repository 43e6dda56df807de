/*
 * band.c — LSH banding: candidate pairs from MinHash signatures.
 *
 * The signature of K values is cut into b bands of r rows (b * r <= K). Two
 * documents become a candidate pair when all r values of some band agree,
 * which for Jaccard similarity s happens with probability
 *     P(s) = 1 - (1 - s^r)^b        (the S-curve; Leskovec et al., MMDS ch. 3)
 * rp_lsh_choose picks the largest r for which P(threshold) >= 0.9: larger r
 * means fewer false candidates, and candidates are verified exactly anyway,
 * so recall at the threshold is what the choice protects.
 *
 * Storage: a band of a document is one 64-bit entry, key << 32 | doc, in a
 * flat array per band. A stable radix sort on the key bits groups equal keys
 * while keeping documents in input order; runs of equal keys are buckets.
 * 32-bit keys collide by chance about n^2 / 2^33 times per band, which only
 * adds candidates that verification rejects.
 *
 * A bucket of m documents yields m(m-1)/2 pairs. Buckets larger than
 * max_bucket (boilerplate, templated pages) are linked as a chain of
 * consecutive members instead, which keeps the cost linear and, since the
 * chain's pairs are verified like any other, still clusters members that are
 * really near-duplicates of their neighbours; such buckets are counted.
 */
#include "internal.h"

#include <math.h>
#include <string.h>
#define XXH_INLINE_ALL /* short inputs: a call costs more than the hash */
#include <xxhash.h>

double rp_lsh_probability(double s, unsigned bands, unsigned rows)
{
    if (s <= 0) return 0;
    if (s >= 1) return 1;
    return 1.0 - pow(1.0 - pow(s, rows), bands);
}

void rp_lsh_choose(double threshold, unsigned num_perm, unsigned *bands, unsigned *rows)
{
    unsigned best_r = 1;
    for (unsigned r = 1; r <= num_perm; r++) {
        unsigned b = num_perm / r;
        if (rp_lsh_probability(threshold, b, r) >= 0.9) best_r = r;
    }
    *rows = best_r;
    *bands = num_perm / best_r;
}

/* Containment c of a document A in B is Jaccard c|A| / (|A| + |B| - c|A|):
 * t/(2-t) at the threshold t when the two are of one size, t/(3-t) when B
 * is twice A. Tuned for the first, a 100-word text inside one of 200 was a
 * candidate 45 times in 50, inside one of 400 5 times in 50: a wire story
 * inside a page twice its length (the site's header, footer and teasers)
 * is what pairs is for. So containment is tuned for B up to twice A, with
 * the fewest bands that reach p >= 0.9 there, rows as many as the signature
 * allows: for t = 0.7, 24 bands of 2 rows where it had 32 of 4, which on the
 * 1 GB bench proposes 46,547 candidates instead of 36,803 and stores a
 * quarter fewer keys; the same 36,134 similar pairs, and on 500,000 short
 * posts 43,825 instead of 42,597. */
#define CONTAINMENT_RATIO 2.0

void rp__lsh_choose_containment(double threshold, unsigned num_perm, unsigned *bands, unsigned *rows)
{
    double s = threshold / (1.0 + CONTAINMENT_RATIO - threshold);
    *rows = 1;
    *bands = num_perm;
    for (unsigned r = 1; r <= num_perm; r++) {
        /* the fewest bands of r rows with P(s) >= 0.9 */
        double miss = 1.0 - pow(s, r);
        if (miss >= 1.0) break;
        double b = miss <= 0 ? 1 : ceil(log(0.1) / log(miss) - 1e-9);
        if (b < 1) b = 1;
        if (b * r > num_perm) continue;
        *rows = r;
        *bands = (unsigned)b;
    }
}

uint32_t rp__band_key(const uint64_t *sig, unsigned band, unsigned rows, uint64_t seed)
{
    uint64_t h = XXH3_64bits_withSeed(sig + (size_t)band * rows, rows * sizeof(uint64_t),
                                      seed + band);
    return (uint32_t)(h >> 32);
}

int rp__push_pair(uint64_t **pairs, size_t *n, size_t *cap, uint32_t a, uint32_t b)
{
    if (*n == *cap && rp__grow((void **)pairs, cap, *n + 1, sizeof(uint64_t))) return -1;
    (*pairs)[(*n)++] = (uint64_t)a << 32 | b;
    return 0;
}

int rp__band_pairs_scratch(uint64_t *entries, size_t n, uint64_t *scratch, size_t max_bucket,
                           uint64_t **pairs, size_t *n_pairs, size_t *cap_pairs, uint64_t *truncated)
{
    rp__radix_sort_scratch(entries, n, 32, scratch);
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && (entries[j] >> 32) == (entries[i] >> 32)) j++;
        size_t m = j - i;
        if (m > 1 && m <= max_bucket) {
            for (size_t x = i; x < j; x++)
                for (size_t y = x + 1; y < j; y++)
                    if (rp__push_pair(pairs, n_pairs, cap_pairs, (uint32_t)entries[x],
                                  (uint32_t)entries[y]))
                        return -1;
        } else if (m > 1) {
            (*truncated)++;
            for (size_t x = i; x + 1 < j; x++)
                if (rp__push_pair(pairs, n_pairs, cap_pairs, (uint32_t)entries[x],
                              (uint32_t)entries[x + 1]))
                    return -1;
        }
        i = j;
    }
    return 0;
}

rp_status rp__lsh_params(const rp_params *p, unsigned *bands, unsigned *rows, char *err)
{
    if (p->ngram < 1 || p->ngram > 64 || p->num_perm < 1 || p->num_perm > 4096 ||
        !(p->threshold > 0 && p->threshold <= 1)) {
        rp__msg(err, "invalid parameters (ngram 1..64, num_perm 1..4096, threshold (0,1])");
        return RP_ERR_USAGE;
    }
    if (p->bands || p->rows) {
        if (!p->bands || !p->rows || (uint64_t)p->bands * p->rows > p->num_perm) {
            rp__msg(err, "bands and rows must both be set, with bands * rows <= num_perm (%u)",
                    p->num_perm);
            return RP_ERR_USAGE;
        }
        *bands = p->bands;
        *rows = p->rows;
        return RP_OK;
    }
    if (p->measure == RP_MEASURE_CONTAINMENT)
        rp__lsh_choose_containment(p->threshold, p->num_perm, bands, rows);
    else
        rp_lsh_choose(p->threshold, p->num_perm, bands, rows);
    return RP_OK;
}
