/* test_shingle.c — word n-gram shingles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "internal.h"

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

static void test_sort_unique_matches_qsort(void **state)
{
    (void)state;
    enum { N = 5000 };
    static uint64_t v[N], scratch[N], ref[N];
    uint64_t s = 99;
    for (int i = 0; i < N; i++) {
        s = s * 6364136223846793005ULL + 1;
        v[i] = ref[i] = (s >> 3) % 3000 * 0x9E3779B97F4A7C15ULL;
    }
    size_t n = rp__sort_unique_u64(v, N, scratch);
    for (size_t i = 1; i < n; i++) assert_true(v[i - 1] < v[i]);
    /* every original value is present */
    for (int i = 0; i < N; i += 7) {
        int found = 0;
        for (size_t k = 0; k < n && !found; k++) found = v[k] == ref[i];
        assert_true(found);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shingle_count_is_words_minus_n_plus_one),
        cmocka_unit_test(test_shingle_short_document_is_one_shingle),
        cmocka_unit_test(test_shingle_set_is_sorted_and_unique),
        cmocka_unit_test(test_shingle_depends_on_word_order_and_seed),
        cmocka_unit_test(test_sort_unique_matches_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
