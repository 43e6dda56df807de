/* test_shingle.c — word n-gram shingles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "shingle_hash.h"

static void test_shingle_count_is_words_minus_n_plus_one(void **state)
{
    (void)state;
    uint64_t words[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    uint64_t *out = NULL;
    size_t cap = 0;
    assert_int_equal(rp__shingles(words, 10, 5, 0, &out, &cap, 0), 6);
    assert_int_equal(rp__shingles(words, 10, 1, 0, &out, &cap, 0), 10);
    free(out);
}

static void test_shingle_short_document_is_one_shingle(void **state)
{
    (void)state;
    uint64_t words[3] = {7, 8, 9};
    uint64_t *out = NULL;
    size_t cap = 0;
    assert_int_equal(rp__shingles(words, 3, 5, 0, &out, &cap, 0), 1);
    assert_int_equal(rp__shingles(words, 0, 5, 0, &out, &cap, 0), 0);
    free(out);
}

static void test_shingle_set_is_sorted_and_unique(void **state)
{
    (void)state;
    /* "a b a b a b a b": 2-grams ab, ba repeat */
    uint64_t words[8] = {1, 2, 1, 2, 1, 2, 1, 2};
    uint64_t *out = NULL;
    size_t cap = 0;
    size_t n = rp__shingles(words, 8, 2, 0, &out, &cap, 1);
    assert_int_equal(n, 2);
    assert_true(out[0] < out[1]);
    free(out);
}

static void test_shingle_depends_on_word_order_and_seed(void **state)
{
    (void)state;
    uint64_t ab[2] = {1, 2}, ba[2] = {2, 1};
    uint64_t *x = NULL, *y = NULL;
    size_t cx = 0, cy = 0;
    rp__shingles(ab, 2, 2, 0, &x, &cx, 0);
    rp__shingles(ba, 2, 2, 0, &y, &cy, 0);
    assert_true(x[0] != y[0]);
    uint64_t first = x[0];
    rp__shingles(ab, 2, 2, 1, &x, &cx, 0);
    assert_true(x[0] != first);
    free(x);
    free(y);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorting sets: even hashes (bucketed), small integers and values that
 * share their top bits (which must fall back to the radix sort), pairs
 * a << 32 | b of small numbers (digits only where bits vary), with
 * repeats, at sizes on both sides of the bucketed sort's limit and of the
 * radix sort's wider digits, give what qsort and a unique pass give. */
static void test_sort_unique_matches_qsort(void **state)
{
    (void)state;
    enum { N = 200000 };
    static uint64_t v[N], scratch[N], ref[N], lean[N];
    const size_t sizes[] = {0, 1, 2, 3, 31, 450, 1000, 5000, 16384, 16385, 65535, 65536, N};
    uint64_t s = 99;
    for (int kind = 0; kind < 6; kind++) {
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
            size_t n = sizes[z];
            for (size_t i = 0; i < n; i++) {
                s = s * 6364136223846793005ULL + 1;
                uint64_t x = s ^ (s >> 29);
                if (kind == 1) x = (s >> 3) % 3000 * 0x9E3779B97F4A7C15ULL; /* repeats */
                if (kind == 2) x = (s >> 40) % 5000;                        /* small */
                if (kind == 3) x = 0xABCD000000000000ULL | (x >> 20);       /* one top */
                if (kind == 4) x = (s >> 44) % 900000 << 32 | (x >> 7) % 900000; /* pairs */
                if (kind == 5) x = (s >> 60) ? 0 : x;                              /* zeros */
                v[i] = ref[i] = x;
            }
            qsort(ref, n, sizeof(uint64_t), cmp_u64);
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (i == 0 || ref[i] != ref[m - 1]) ref[m++] = ref[i];
            memcpy(lean, v, n * sizeof(uint64_t));
            assert_int_equal(rp__sort_unique_u64(v, n, scratch), m);
            assert_memory_equal(v, ref, m * sizeof(uint64_t));
            /* split into parts first: the same, all in one part too (one top, zeros) */
            assert_int_equal(rp__sort_unique_lean(lean, n), m);
            assert_memory_equal(lean, ref, m * sizeof(uint64_t));
        }
    }
}

/* Sorting on the bits from lo_bit up keeps values equal there in their
 * order (the band tables rely on it: a key's documents in input order),
 * with narrow and wide digits alike. */
static void test_radix_sort_is_stable(void **state)
{
    (void)state;
    enum { N = 100000 };
    static uint64_t v[N], scratch[N];
    const size_t sizes[] = {1000, N};
    for (size_t z = 0; z < 2; z++) {
        size_t n = sizes[z];
        uint64_t s = 7;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1;
            v[i] = (s >> 33) % 5000 << 32 | i; /* keys repeat; the low bits say where it was */
        }
        rp__radix_sort_scratch(v, n, 32, scratch);
        for (size_t i = 1; i < n; i++) {
            assert_true(v[i - 1] >> 32 <= v[i] >> 32);
            if (v[i - 1] >> 32 == v[i] >> 32) assert_true((uint32_t)v[i - 1] < (uint32_t)v[i]);
        }
    }
}

/* Winnowing picks exactly what robust winnowing by its definition picks: in
 * each window of w k-gram hashes (the k-grams hashed as rp__shingles hashes
 * them under seed ^ 0xA5A5A5A5), the minimum (which of equal ones is taken
 * changes the positions, not the set of hashes); the result as a sorted set,
 * and rp__winnow_minima's as the minima in text order. Texts of
 * few distinct words (many ties), windows from 1 to past the deque's small
 * ring, texts shorter than one window. */
static void test_winnow_matches_its_definition(void **state)
{
    (void)state;
    enum { N = 400 };
    uint64_t tok[N], ref[N], ref_order[N];
    uint64_t *fp = NULL, *all = NULL, *mn = NULL;
    size_t cap_fp = 0, cap_all = 0, cap_mn = 0;
    uint64_t s = 7;
    for (int round = 0; round < 600; round++) {
        rp__hooks.scalar = round % 2; /* the portable loops, and the vector ones where they run */
        s = s * 6364136223846793005ULL + 1;
        size_t n = (size_t)(s >> 33) % N;
        unsigned k = 1 + (unsigned)(s >> 20) % 8, w = 1 + (unsigned)(s >> 40) % 80;
        unsigned words = round % 3 == 0 ? 3 : 50;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1;
            tok[i] = (s >> 33) % words;
        }
        size_t nf = rp__winnow(tok, n, k, w, 42, &fp, &cap_fp);
        if (n < k) {
            assert_int_equal(nf, 0);
            continue;
        }
        size_t count = rp__shingles(tok, n, k, 42 ^ 0xA5A5A5A5ULL, &all, &cap_all, 0);
        assert_int_equal(count, n - k + 1);
        size_t win = count < w ? count : w, m = 0;
        for (size_t start = 0; start + win <= count; start++) {
            uint64_t min = all[start];
            for (size_t x = start; x < start + win; x++)
                if (all[x] < min) min = all[x];
            ref[m++] = min;
        }
        /* in text order, a run of one minimum given once */
        size_t nm = rp__winnow_minima(tok, n, k, w, 42, &mn, &cap_mn), r = 0;
        for (size_t i = 0; i < m; i++)
            if (i == 0 || ref[i] != ref[i - 1]) ref_order[r++] = ref[i];
        assert_int_equal(nm, r);
        assert_memory_equal(mn, ref_order, r * sizeof(uint64_t));
        qsort(ref, m, sizeof(uint64_t), cmp_u64);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (i == 0 || ref[i] != ref[u - 1]) ref[u++] = ref[i];
        assert_int_equal(nf, u);
        assert_memory_equal(fp, ref, u * sizeof(uint64_t));
    }
    rp__hooks.scalar = 0;
    free(fp);
    free(all);
    free(mn);
}

/* The n-gram hashes as rp__shingle_hash defines them, however computed:
 * the portable loop and, where the processor has AVX-512 DQ, eight at a
 * time; every width, and counts on either side of a multiple of 8. */
static void test_ngram_hashes_are_the_definition(void **state)
{
    (void)state;
    uint64_t tokens[100], want[100], got[100], *sh = NULL;
    size_t cap = 0;
    uint64_t rng = 5;
    for (size_t i = 0; i < 100; i++) tokens[i] = rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    for (unsigned k = 1; k <= 12; k++)
        for (size_t n = k; n <= 40; n++) {
            rp__hooks.scalar = 1;
            size_t m = rp__kgram_hashes(tokens, n, k, 9, want);
            rp__hooks.scalar = 0;
            assert_int_equal(rp__kgram_hashes(tokens, n, k, 9, got), m);
            assert_memory_equal(got, want, m * sizeof(uint64_t));
            uint64_t keys[RP_SHINGLE_MAX + 1];
            rp__shingle_keys(9 ^ 0xA5A5A5A5ULL, k, keys);
            for (size_t i = 0; i < m; i++) assert_true(got[i] == rp__shingle_hash(tokens + i, k, keys));
            for (int scalar = 1; scalar >= 0; scalar--) {
                rp__hooks.scalar = (size_t)scalar;
                size_t c = rp__shingles(tokens, n, k, 9, &sh, &cap, 0);
                assert_int_equal(c, n - k + 1);
                rp__shingle_keys(9, k, keys);
                for (size_t i = 0; i < c; i++) assert_true(sh[i] == rp__shingle_hash(tokens + i, k, keys));
            }
        }
    rp__hooks.scalar = 0;
    free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shingle_count_is_words_minus_n_plus_one),
        cmocka_unit_test(test_shingle_short_document_is_one_shingle),
        cmocka_unit_test(test_shingle_set_is_sorted_and_unique),
        cmocka_unit_test(test_shingle_depends_on_word_order_and_seed),
        cmocka_unit_test(test_sort_unique_matches_qsort),
        cmocka_unit_test(test_radix_sort_is_stable),
        cmocka_unit_test(test_winnow_matches_its_definition),
        cmocka_unit_test(test_ngram_hashes_are_the_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
