/*
 * verify.c — exact similarity of candidate pairs.
 *
 * MinHash and LSH only propose candidates; every reported pair is verified on
 * the documents' full shingle sets (sorted unique 64-bit hashes), so no pair
 * below the threshold is ever reported. The intersection of two sorted sets
 * is a linear merge; when one set is much smaller, galloping (exponential
 * search) into the larger keeps the cost near |small| * log |large|.
 */
#include "internal.h"

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
