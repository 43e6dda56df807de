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

uint32_t rp__band_key(const uint64_t *sig, unsigned band, unsigned rows, uint64_t seed)
{
    uint64_t h = XXH3_64bits_withSeed(sig + (size_t)band * rows, rows * sizeof(uint64_t),
                                      seed + band);
    return (uint32_t)(h >> 32);
}

void rp__radix_sort_scratch(uint64_t *v, size_t n, unsigned lo_bit, uint64_t *scratch)
{
    if (n < 2) return;
    /* LSD, 8 bits a pass, ping-ponging between v and scratch. Every digit's
     * counts come from one read of the values; a digit that is the same in
     * every value costs no move. */
    unsigned digits = (64 - lo_bit + 7) / 8;
    size_t count[8][256];
    memset(count, 0, digits * sizeof(count[0]));
    for (size_t i = 0; i < n; i++) {
        uint64_t x = v[i] >> lo_bit;
        for (unsigned d = 0; d < digits; d++) count[d][(x >> (8 * d)) & 0xFF]++;
    }
    uint64_t *src = v, *dst = scratch;
    for (unsigned d = 0; d < digits; d++) {
        unsigned shift = lo_bit + 8 * d;
        size_t *c = count[d];
        if (c[(src[0] >> shift) & 0xFF] == n) continue;
        size_t pos = 0;
        for (int b = 0; b < 256; b++) {
            size_t k = c[b];
            c[b] = pos;
            pos += k;
        }
        for (size_t i = 0; i < n; i++) dst[c[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
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
    size_t w = rp__sort_unique_u64(packed, n, NULL);
    if (w == SIZE_MAX) return SIZE_MAX; /* v is left packed: the caller gives up */
    for (size_t i = w; i-- > 0;) {
        uint64_t x = packed[i];
        v[i] = (rp_cand){x >> 32, (uint32_t)x};
    }
    return w;
}

static int push_pair(uint64_t **pairs, size_t *n, size_t *cap, uint32_t a, uint32_t b)
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
                    if (push_pair(pairs, n_pairs, cap_pairs, (uint32_t)entries[x],
                                  (uint32_t)entries[y]))
                        return -1;
        } else if (m > 1) {
            (*truncated)++;
            for (size_t x = i; x + 1 < j; x++)
                if (push_pair(pairs, n_pairs, cap_pairs, (uint32_t)entries[x],
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
    double t = p->threshold;
    if (p->measure == RP_MEASURE_CONTAINMENT) t = t / (2 - t);
    rp_lsh_choose(t, p->num_perm, bands, rows);
    return RP_OK;
}
