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

int rp__push_pair(uint64_t **pairs, size_t *n, size_t *cap, uint32_t a, uint32_t b)
{
    if (*n == *cap && rp__grow((void **)pairs, cap, *n + 1, sizeof(uint64_t))) return -1;
    (*pairs)[(*n)++] = (uint64_t)a << 32 | b;
    return 0;
}

/* Most of a band's keys are met once (on 2 million short posts, all but
 * the near-duplicates'), and sorting them was a fifth of dedup's time on
 * one thread. Two bitmaps of 8 positions an entry or more (4 for a band
 * too large for the cache at 8, map_bits) say which positions are met
 * once and which again; the entries whose position is
 * met again are kept, a lone key among them when another shares its place
 * (about one in eight, or four, or fewer). n entries of src go to dst (which may be
 * src), the bitmaps in map (2^(bits - 5) values). */
static size_t keep_met_again(uint64_t *dst, const uint64_t *src, size_t n, uint64_t *map, unsigned bits)
{
    size_t words = ((size_t)1 << bits) / 64;
    uint64_t *once = map, *again = map + words;
    memset(map, 0, 2 * words * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        uint64_t h = ((src[i] >> 32) * 0x9E3779B97F4A7C15ULL) >> (64 - bits), bit = (uint64_t)1 << (h & 63);
        again[h >> 6] |= once[h >> 6] & bit;
        once[h >> 6] |= bit;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = ((src[i] >> 32) * 0x9E3779B97F4A7C15ULL) >> (64 - bits);
        dst[m] = src[i];
        m += again[h >> 6] >> (h & 63) & 1;
    }
    return m;
}

/* The bits of a table of 8 positions an entry or more for n entries, or
 * of 4 when 8 would not fit a core's cache (two bits a position: past 1
 * MiB of them): a million short posts' band on a thread has half its
 * lone keys' tables miss the cache at 8, and 4 let through only a few
 * more lone keys to the sort (2 million short posts' candidates 0.41-0.43
 * -> 0.32-0.38 s; 2 positions no faster). */
static unsigned map_bits(size_t n)
{
    unsigned bits = 6;
    uint64_t want = 8 * (uint64_t)n;
    if (want / 4 > (1 << 20)) want /= 2;
    while (bits < 62 && ((uint64_t)1 << bits) < want) bits++;
    return bits;
}

/* Past this many entries, the bitmaps (2 MiB each) no longer sit in the
 * cache and every entry missed it twice: the entries are first parted by
 * their keys' top byte, a stable pass, and each part's lone keys dropped
 * with bitmaps of its own size (10 million short posts: a fifth of dedup's
 * time was these misses). */
#define LONE_PARTED ((size_t)1 << 21)

size_t rp__drop_lone_keys(uint64_t *entries, size_t n, uint64_t *scratch)
{
    if (n < 1024) return n;
    if (n < LONE_PARTED) return keep_met_again(entries, entries, n, scratch, map_bits(n));
    /* the byte below the highest bit the keys differ in (a thread's key
     * range shares the ones above it), from a sample: any byte parts the
     * keys rightly, the sample only makes the parts even */
    uint64_t differ = 0;
    for (size_t i = 1; i < 4096; i++) differ |= (entries[i * (n / 4096)] ^ entries[0]) >> 32;
    if (!differ) return n;
    unsigned top = 63 - (unsigned)__builtin_clzll(differ), shift = 32 + (top >= 7 ? top - 7 : 0);
    size_t start[257] = {0}, at[256], largest = 0;
    for (size_t i = 0; i < n; i++) start[(entries[i] >> shift & 0xFF) + 1]++;
    for (unsigned b = 0; b < 256; b++) {
        if (start[b + 1] > largest) largest = start[b + 1];
        start[b + 1] += start[b];
        at[b] = start[b];
    }
    uint64_t *map = malloc(2 * ((size_t)1 << map_bits(largest)) / 64 * sizeof(uint64_t));
    if (!map) return keep_met_again(entries, entries, n, scratch, map_bits(n));
    for (size_t i = 0; i < n; i++) scratch[at[entries[i] >> shift & 0xFF]++] = entries[i];
    size_t m = 0;
    for (unsigned b = 0; b < 256; b++) {
        size_t part = start[b + 1] - start[b]; /* one entry alone: its key is lone */
        if (part > 1) m += keep_met_again(entries + m, scratch + start[b], part, map, map_bits(part));
    }
    free(map);
    return m;
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
        !(p->threshold > 0 && p->threshold <= 1) || !(p->size_ratio >= 1 && p->size_ratio <= 1000)) {
        rp__msg(err, "invalid parameters (ngram 1..64, num_perm 1..4096, threshold (0,1], size_ratio 1..1000)");
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
    /* Containment c of A in B is Jaccard c|A| / (|A| + |B| - c|A|): t/(2-t)
     * at the threshold t when the two are of one size, t/(1+r-t) when B is
     * r times A. Tuned for one size, a 100-word text inside one of 200 was
     * a candidate 45 times in 50, inside one of 400 5 times: size_ratio r
     * tunes for a text inside one r times its length (docs/METHODS.md has
     * what it finds and what it costs). */
    double t = p->threshold;
    if (p->measure == RP_MEASURE_CONTAINMENT) t = t / (1 + p->size_ratio - t);
    rp_lsh_choose(t, p->num_perm, bands, rows);
    return RP_OK;
}
