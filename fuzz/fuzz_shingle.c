/* fuzz_shingle.c — shingle sets and winnowed fingerprints of arbitrary token
 * sequences: sets sorted and unique; every fingerprint a k-gram hash of the
 * text; the winnowing guarantee: the minimum of every window of w
 * k-grams is a fingerprint; and the minima in text order (align's first
 * pass) are the same set. */
#include "fuzz.h"
#include "internal.h"

#include <string.h>

static int has(const uint64_t *v, size_t n, uint64_t x)
{
    size_t at = rp__lower_bound_u64(v, n, x);
    return at < n && v[at] == x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    unsigned k = 1 + data[0] % 8, w = 1 + data[1] % 12;
    uint64_t seed = data[2];
    size_t n = size - 3;
    uint64_t *tok = malloc((n ? n : 1) * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) tok[i] = data[3 + i] % 16; /* few words: many repeats */
    uint64_t *sh = NULL, *fp = NULL, *all = NULL;
    size_t cap_sh = 0, cap_fp = 0, cap_all = 0;
    size_t ns = rp__shingles(tok, n, k, seed, &sh, &cap_sh, 1);
    CHECK(ns != SIZE_MAX, "out of memory");
    for (size_t i = 1; i < ns; i++) CHECK(sh[i - 1] < sh[i], "shingle set not sorted and unique");
    CHECK(n == 0 ? ns == 0 : ns >= 1 && ns <= n, "%zu shingles of %zu tokens", ns, n);

    size_t nf = rp__winnow(tok, n, k, w, seed, &fp, &cap_fp);
    CHECK(nf != SIZE_MAX, "out of memory");
    for (size_t i = 1; i < nf; i++) CHECK(fp[i - 1] < fp[i], "fingerprints not sorted and unique");
    if (n >= k) {
        /* the same k-gram hashes, as a sequence, through the shingler */
        size_t count = n - k + 1;
        size_t na = rp__shingles(tok, n, k, seed ^ 0xA5A5A5A5ULL, &all, &cap_all, 0);
        CHECK(na == count, "k-gram count %zu, expected %zu", na, count);
        CHECK(nf >= 1, "no fingerprint for %zu k-grams", count);
        size_t win = count < w ? count : w;
        for (size_t s = 0; s + win <= count; s++) {
            uint64_t m = all[s];
            for (size_t x = 1; x < win; x++)
                if (all[s + x] < m) m = all[s + x];
            CHECK(has(fp, nf, m), "window %zu's minimum is no fingerprint", s);
        }
        for (size_t i = 0; i < nf; i++) {
            int found = 0;
            for (size_t x = 0; x < count && !found; x++) found = all[x] == fp[i];
            CHECK(found, "fingerprint %zu is no k-gram of the text", i);
        }
    } else {
        CHECK(nf == 0, "fingerprints of a text shorter than k");
    }
    /* the same minima in text order, as align's first pass takes them:
     * no value twice in a row, and as a set the fingerprints */
    uint64_t *mn = NULL;
    size_t cap_mn = 0, nm = rp__winnow_minima(tok, n, k, w, seed, &mn, &cap_mn);
    CHECK(nm != SIZE_MAX, "out of memory");
    for (size_t i = 1; i < nm; i++) CHECK(mn[i - 1] != mn[i], "minimum %zu given twice in a row", i);
    nm = nm ? rp__sort_unique_u64(mn, nm, NULL) : 0;
    CHECK(nm == nf && (!nf || memcmp(mn, fp, nf * sizeof(uint64_t)) == 0),
          "the minima in text order are not the fingerprints (%zu, %zu)", nm, nf);
    free(mn);
    free(tok), free(sh), free(fp), free(all);
    return 0;
}
