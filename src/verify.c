/*
 * verify.c — exact similarity of candidate pairs.
 *
 * MinHash and LSH only propose candidates; every reported pair is verified on
 * the documents' full shingle sets (sorted unique 64-bit hashes), so no pair
 * below the threshold is ever reported. The intersection of two sorted sets
 * is a linear merge; when one set is much smaller, galloping (exponential
 * search) into the larger keeps the cost near |small| * log |large|.
 *
 * Most candidates are refused (copies of one template sit just under the
 * threshold), so the merge that decides them is written to stop as soon as
 * the threshold is out of reach, and without a branch on the comparison:
 * the order of two hashes is a coin toss the predictor loses half the time.
 */
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

static size_t gallop(const uint64_t *v, size_t n, size_t from, uint64_t key)
{
    /* first index >= from with v[index] >= key */
    size_t step = 1, lo = from, hi = from;
    while (hi < n && v[hi] < key) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > n) hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

uint64_t rp__intersect_count(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    if (na > nb) {
        const uint64_t *t = a;
        a = b;
        b = t;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    uint64_t inter = 0;
    if (na * 16 < nb) {
        size_t j = 0;
        for (size_t i = 0; i < na && j < nb; i++) {
            j = gallop(b, nb, j, a[i]);
            if (j < nb && b[j] == a[i]) inter++, j++;
        }
        return inter;
    }
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) i++;
        else if (a[i] > b[j]) j++;
        else inter++, i++, j++;
    }
    return inter;
}

uint64_t rp__intersect_at_least(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                                uint64_t need)
{
    size_t small = na < nb ? na : nb;
    if (need > small) return 0;
    if (small * 16 < (na < nb ? nb : na)) return rp__intersect_count(a, na, b, nb);
    /* Elements met in one set alone: each costs the union one and can never
     * be matched. Past this many the intersection ends below need. */
    uint64_t limit = (uint64_t)(na + nb) - 2 * need, inter = 0;
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        uint64_t x = a[i], y = b[j];
        inter += x == y;
        i += x <= y;
        j += y <= x;
        if (i + j - 2 * inter > limit) return inter; /* below need */
    }
    return inter;
}

uint64_t rp__intersect_need(int measure, double threshold, size_t na, size_t nb)
{
    double t = threshold - 1e-12, need;
    if (t <= 0) return 0;
    if (measure == RP_MEASURE_CONTAINMENT) need = t * (double)(na < nb ? na : nb);
    else need = t * (double)(na + nb) / (1 + t); /* I / (na + nb - I) >= t */
    need -= 1e-6;
    /* the floor of it, a little under what the callers accept, then the
     * least count rp__pair_reaches accepts: a pair of two 46-shingle sets needs 38 of
     * them at Jaccard 0.7, not the floor's 37, which most near-copies of a
     * template share (1.8 million of the 2.4 million pairs scored and
     * refused on 900,000 of them) */
    uint64_t i = need <= 0 ? 0 : (uint64_t)need;
    uint64_t most = measure == RP_MEASURE_CONTAINMENT ? (na < nb ? na : nb) : na + nb; /* Jaccard's need is
                                                                          of the sum (dedup tables it by it) */
    while (i < most && !rp__pair_reaches(measure, threshold, i, na, nb)) i++;
    return i;
}

/* The sample test. The RP_SAMPLE smallest hashes of a u b are a uniform
 * sample of the union (the hashes are random), and the number of them in
 * both sets, X, is drawn as from Binomial(RP_SAMPLE, J) or more tightly
 * (without replacement) when the pair's Jaccard is J. A pair that reaches
 * its need has J >= need / (na + nb - need): the least Jaccard its sizes
 * allow at the threshold, which is what LSH Ensemble tunes each size
 * partition for. floors[q] is the least X that such a pair shows but with
 * probability under RP_SAMPLE_RISK, for J = q / SAMPLE_STEPS; J is
 * rounded down to a step, which only lowers the floor. */
#define SAMPLE_STEPS 1024
static uint8_t floors[SAMPLE_STEPS + 1];
static pthread_once_t floors_once = PTHREAD_ONCE_INIT;

static void make_floors(void)
{
    double lf[RP_SAMPLE + 1]; /* log k! */
    lf[0] = 0;
    for (unsigned k = 1; k <= RP_SAMPLE; k++) lf[k] = lf[k - 1] + log((double)k);
    for (unsigned q = 1; q < SAMPLE_STEPS; q++) {
        double j = (double)q / SAMPLE_STEPS, cdf = 0;
        unsigned x = 0;
        for (; x <= RP_SAMPLE; x++) { /* P(X <= x) <= RISK: x + 1 is still a floor */
            cdf += exp(lf[RP_SAMPLE] - lf[x] - lf[RP_SAMPLE - x] + x * log(j) + (RP_SAMPLE - x) * log1p(-j));
            if (cdf > RP_SAMPLE_RISK) break;
        }
        floors[q] = (uint8_t)x; /* P(X < x) <= RISK */
    }
    floors[SAMPLE_STEPS] = RP_SAMPLE; /* J = 1: the sets are equal */
}

int rp__sample_refuses(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t need)
{
    /* the union is then RP_SAMPLE or more (at least the larger set): the
     * merge below never runs out of either set first without the sample
     * having been drawn from what is left of the other */
    if (na + nb < RP_SAMPLE_MIN_SUM || need == 0) return 0;
    if (need > (na < nb ? na : nb)) return 1; /* out of reach whatever they share */
    double j = (double)need / (double)(na + nb - need);
    unsigned q = j >= 1 ? SAMPLE_STEPS : (unsigned)(j * SAMPLE_STEPS);
    pthread_once(&floors_once, make_floors);
    unsigned floor = floors[q], seen = 0, both = 0;
    if (!floor) return 0;
    size_t i = 0, k = 0;
    while (seen < RP_SAMPLE && i < na && k < nb) { /* branch-free, as rp__intersect_at_least */
        uint64_t x = a[i], y = b[k];
        both += x == y;
        i += x <= y;
        k += y <= x;
        seen++;
    }
    return both < floor;
}

/* Set elements are hashes, but not of uniform low bits once they are
 * sorted and sliced by callers: the home slot is a multiplicative hash. */
static inline size_t home_slot(const rp_set_table *t, uint64_t v)
{
    return (size_t)((v * 0x9E3779B97F4A7C15ULL) >> t->shift);
}

int rp__set_table_build(rp_set_table *t, const uint64_t *a, size_t n)
{
    unsigned bits = 3;
    while (((size_t)1 << bits) < 4 * n) bits++; /* a quarter full: reach stays short */
    size_t size = (size_t)1 << bits, need = size + n + 1; /* room past the end: no wrap */
    if (need > t->cap) {
        free(t->slot);
        t->cap = 0;
        if (!(t->slot = malloc(need * sizeof(uint64_t)))) return -1;
        t->cap = need;
    }
    memset(t->slot, 0, need * sizeof(uint64_t));
    t->shift = 64 - bits;
    t->reach = 0;
    t->zero = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = a[i];
        if (v == 0) {
            t->zero = 1;
            continue;
        }
        size_t h = home_slot(t, v), d = 0;
        while (t->slot[h + d]) d++;
        t->slot[h + d] = v;
        if (d > t->reach) t->reach = (unsigned)d;
    }
    return 0;
}

/* Whether v is held: every slot of its reach is compared, without a branch
 * on the outcome (found or not is the coin toss here). */
static inline uint64_t held(const rp_set_table *t, uint64_t v, unsigned reach)
{
    const uint64_t *p = t->slot + home_slot(t, v);
    uint64_t m = p[0] == v;
    for (unsigned d = 1; d <= reach; d++) m |= p[d] == v;
    return v ? m : (uint64_t)t->zero; /* an empty slot is 0 */
}

#define TABLE_CHECK 8 /* elements between looks at whether need is still in reach */

uint64_t rp__set_table_intersect(const rp_set_table *t, const uint64_t *b, size_t nb, uint64_t need)
{
    if (need > nb) return 0;
    uint64_t inter = 0, misses = nb - need; /* past this many, need is out of reach */
    unsigned reach = t->reach;
    size_t i = 0;
    while (i < nb) {
        size_t end = i + TABLE_CHECK < nb ? i + TABLE_CHECK : nb;
        /* the common reaches spelled out, so the compiler unrolls them */
        if (reach == 0)
            for (; i < end; i++) inter += held(t, b[i], 0);
        else if (reach == 1)
            for (; i < end; i++) inter += held(t, b[i], 1);
        else if (reach == 2)
            for (; i < end; i++) inter += held(t, b[i], 2);
        else
            for (; i < end; i++) inter += held(t, b[i], reach);
        if (i - inter > misses) return inter; /* below need */
    }
    return inter;
}

void rp__set_table_free(rp_set_table *t)
{
    free(t->slot);
    *t = (rp_set_table){0};
}

#define PROFILE_SHIFT 58 /* 64 ranges: a hash's top 6 bits */

void rp__set_profile(const uint64_t *set, size_t n, uint8_t *profile)
{
    memset(profile, 0, RP_PROFILE_BYTES);
    for (size_t i = 0; i < n; i++) {
        uint8_t *c = &profile[set[i] >> PROFILE_SHIFT];
        *c += *c < RP_PROFILE_FULL;
    }
}

