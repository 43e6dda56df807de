/* test_cluster.c — union-find and exact set intersection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

static void test_union_find_root_is_earliest_member(void **state)
{
    (void)state;
    rp_uf uf;
    assert_int_equal(rp__uf_init(&uf, 10), 0);
    rp__uf_union(&uf, 7, 3);
    rp__uf_union(&uf, 9, 7);
    rp__uf_union(&uf, 5, 6);
    assert_int_equal(rp__uf_find(&uf, 9), 3);
    assert_int_equal(rp__uf_find(&uf, 7), 3);
    assert_int_equal(rp__uf_find(&uf, 6), 5);
    rp__uf_union(&uf, 6, 9); /* merging two sets keeps the smallest root */
    assert_int_equal(rp__uf_find(&uf, 5), 3);
    assert_int_equal(rp__uf_find(&uf, 0), 0);
    assert_int_equal(rp__uf_find(&uf, 8), 8);
    rp__uf_free(&uf);
}

static void test_union_find_is_transitive_over_long_chains(void **state)
{
    (void)state;
    rp_uf uf;
    const uint32_t n = 100000;
    assert_int_equal(rp__uf_init(&uf, n), 0);
    for (uint32_t i = n - 1; i > 0; i--) rp__uf_union(&uf, i, i - 1);
    for (uint32_t i = 0; i < n; i += 997) assert_int_equal(rp__uf_find(&uf, i), 0);
    rp__uf_free(&uf);
}

static uint64_t naive(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    uint64_t c = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) c += a[i] == b[j];
    return c;
}

static void test_intersect_count_matches_naive_count(void **state)
{
    (void)state;
    static uint64_t a[3000], b[3000];
    uint64_t x = 12345;
    for (int round = 0; round < 50; round++) {
        size_t na = 1 + (size_t)(round * 37 % 200), nb = 1 + (size_t)(round * 911 % 2900);
        uint64_t va = 0, vb = 0;
        for (size_t i = 0; i < na; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            va += 1 + (x >> 60);
            a[i] = va;
        }
        for (size_t i = 0; i < nb; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            vb += 1 + (x >> 61);
            b[i] = vb;
        }
        assert_int_equal(rp__intersect_count(a, na, b, nb), naive(a, na, b, nb));
        assert_int_equal(rp__intersect_count(b, nb, a, na), naive(a, na, b, nb));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_union_find_root_is_earliest_member),
        cmocka_unit_test(test_union_find_is_transitive_over_long_chains),
        cmocka_unit_test(test_intersect_count_matches_naive_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
