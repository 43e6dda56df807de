/* test_cluster.c — union-find, exact set intersection, and the listing of
 * pairs from verified edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

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

static uint64_t naive_sorted(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    uint64_t c = 0;
    for (size_t i = 0, j = 0; i < na && j < nb;)
        if (a[i] < b[j]) i++;
        else if (a[i] > b[j]) j++;
        else c++, i++, j++;
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

/* The early-stopping intersections keep their contract for every need: the
 * exact count when it reaches need, some count below need otherwise; the
 * table also holds 0, its empty mark. */
static void test_intersections_that_stop_early_keep_their_contract(void **state)
{
    (void)state;
    static uint64_t a[600], b[600];
    uint64_t x = 99;
    rp_set_table t = {0};
    for (int round = 0; round < 300; round++) {
        size_t na = 1 + (size_t)(round * 37 % 500), nb = 1 + (size_t)(round * 53 % 500);
        /* small gaps make the sets overlap; round % 7 == 0 starts both at 0 */
        uint64_t va = round % 7 == 0 ? 0 : 1, vb = round % 7 == 0 ? 0 : 1;
        for (size_t i = 0; i < na; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            a[i] = va;
            va += 1 + (x >> 62);
        }
        for (size_t i = 0; i < nb; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            b[i] = vb;
            vb += 1 + (x >> 62);
        }
        uint64_t exact = naive(a, na, b, nb);
        assert_int_equal(rp__set_table_build(&t, a, na), 0);
        for (uint64_t need = 0; need <= exact + 3; need += 1 + need / 4) {
            uint64_t m = rp__intersect_at_least(a, na, b, nb, need);
            uint64_t h = rp__set_table_intersect(&t, b, nb, need);
            if (exact >= need) {
                assert_int_equal(m, exact);
                assert_int_equal(h, exact);
            } else {
                assert_true(m < need);
                assert_true(h < need);
            }
        }
        assert_int_equal(rp__set_table_intersect(&t, b, nb, 0), exact);
    }
    rp__set_table_free(&t);
}

/* Two sorted sets of na and nb random hashes sharing exactly inter. */
static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static void sets_sharing(uint64_t *a, size_t na, uint64_t *b, size_t nb, size_t inter, uint64_t *seed)
{
    for (size_t i = 0; i < na; i++) a[i] = mix(seed);
    for (size_t i = 0; i < nb; i++) b[i] = i < inter ? a[i] : mix(seed);
    qsort(a, na, sizeof(uint64_t), cmp_u64);
    qsort(b, nb, sizeof(uint64_t), cmp_u64);
}

/* The sample test: a pair at exactly its need (the worst case) is refused
 * about as rarely as RP_SAMPLE_RISK says, whatever its size ratio and
 * measure; a pair at half its need, or two texts of one length sharing
 * less than half, nearly always; small sets never (they are intersected
 * exactly, which costs no more). */
static void test_sample_refuses_what_cannot_reach_the_need(void **state)
{
    (void)state;
    static uint64_t a[5000], b[5000];
    uint64_t seed = 7;
    /* least refused of 600 at half the need: the sample tells J from J / 2
     * less well the lower the J the sizes allow (Bin(128, 0.16) against
     * Bin(128, 0.08) for a text inside one four times its length) */
    const struct {
        int measure;
        size_t na, nb;
        int least;
    } cases[] = {{RP_MEASURE_CONTAINMENT, 600, 600, 594},  {RP_MEASURE_CONTAINMENT, 600, 900, 570},
                 {RP_MEASURE_CONTAINMENT, 600, 1200, 480}, {RP_MEASURE_CONTAINMENT, 1000, 4000, 60},
                 {RP_MEASURE_JACCARD, 700, 700, 594},      {RP_MEASURE_JACCARD, 900, 1100, 594}};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t na = cases[c].na, nb = cases[c].nb;
        uint64_t need = rp__intersect_need(cases[c].measure, 0.7, na, nb);
        int at_need = 0, at_half = 0;
        for (int round = 0; round < 600; round++) {
            sets_sharing(a, na, b, nb, need, &seed);
            at_need += rp__sample_refuses(a, na, b, nb, need);
            sets_sharing(a, na, b, nb, need / 2, &seed);
            at_half += rp__sample_refuses(a, na, b, nb, need);
        }
        assert_true(at_need <= 2); /* 3,600 pairs at RP_SAMPLE_RISK: 0.36 expected */
        assert_true(at_half >= cases[c].least);
    }
    /* containment 0.7 between two texts of one length sharing 45 %: Jaccard
     * 0.29 where the need is 0.54 (tuned for a text inside one twice its
     * length, the bands propose them) */
    int refused = 0;
    uint64_t need = rp__intersect_need(RP_MEASURE_CONTAINMENT, 0.7, 1000, 1000);
    for (int round = 0; round < 300; round++) {
        sets_sharing(a, 1000, b, 1000, 450, &seed);
        refused += rp__sample_refuses(a, 1000, b, 1000, need);
    }
    assert_true(refused >= 285); /* 292 of 300 here: 95 % at least */
    /* under RP_SAMPLE_MIN_SUM: never, even sharing nothing */
    sets_sharing(a, RP_SAMPLE_MIN_SUM / 2 - 1, b, RP_SAMPLE_MIN_SUM / 2, 0, &seed);
    assert_false(rp__sample_refuses(a, RP_SAMPLE_MIN_SUM / 2 - 1, b, RP_SAMPLE_MIN_SUM / 2, 100));
    /* a need above the smaller set: always (no intersection reaches it) */
    sets_sharing(a, 3000, b, 300, 300, &seed);
    assert_true(rp__sample_refuses(a, 3000, b, 300, 301));
    assert_false(rp__sample_refuses(a, 3000, b, 300, 300));
    /* equal sets: never */
    sets_sharing(a, 3000, b, 3000, 3000, &seed);
    assert_false(rp__sample_refuses(a, 3000, b, 3000, 3000));
}

/* A profile's bound is never below the true intersection, whatever the
 * sizes (counts that stop at 255 included), and is tight where the sets
 * fall in different ranges of the hash. */
static void test_profile_bound_never_below_the_intersection(void **state)
{
    (void)state;
    enum { MAX = 20000 };
    uint64_t *a = malloc(MAX * sizeof(uint64_t)), *b = malloc(MAX * sizeof(uint64_t));
    uint8_t pa[RP_PROFILE_BYTES], pb[RP_PROFILE_BYTES];
    uint64_t x = 7;
    const size_t sizes[] = {1, 5, 46, 200, 254, 255, 400, 3000, MAX};
    for (size_t i = 0; i < 9; i++)
        for (size_t j = 0; j < 9; j++) {
            size_t na = sizes[i], nb = sizes[j];
            /* b's first half is a's, the rest new: overlapping sets */
            for (size_t k = 0; k < na; k++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                a[k] = x;
            }
            for (size_t k = 0; k < nb; k++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                b[k] = k < na / 2 ? a[k] : x;
            }
            na = rp__sort_unique_u64(a, na, NULL);
            nb = rp__sort_unique_u64(b, nb, NULL);
            rp__set_profile(a, na, pa);
            rp__set_profile(b, nb, pb);
            assert_true(rp__profile_bound(pa, na, pb, nb) >= naive_sorted(a, na, b, nb));
            assert_true(rp__profile_bound(pb, nb, pa, na) >= naive_sorted(a, na, b, nb));
        }
    /* equal sets whose every count stops at 255 */
    size_t n = rp__sort_unique_u64(a, MAX, NULL);
    rp__set_profile(a, n, pa);
    assert_true(rp__profile_bound(pa, n, pa, n) >= n);
    for (size_t k = 0; k < 300; k++) a[k] = k, b[k] = (uint64_t)1 << 63 | k; /* apart */
    rp__set_profile(a, 300, pa);
    rp__set_profile(b, 300, pb);
    assert_int_equal(rp__profile_bound(pa, 300, pb, 100), 0);
    /* the bound is the sum of the ranges' smaller counts, whatever the
     * counts (the vector path sums 64 minima at once) */
    for (int round = 0; round < 2000; round++) {
        uint64_t want = 0;
        for (unsigned k = 0; k < RP_PROFILE_BYTES; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            pa[k] = (uint8_t)(x >> 56 >> (round % 8));
            pb[k] = (uint8_t)(x >> 40 >> (round % 5));
            want += pa[k] < pb[k] ? pa[k] : pb[k];
        }
        assert_int_equal(rp__profile_bound(pa, 100, pb, 20000), want);
    }
    free(a);
    free(b);
}

/* Whether the score of an intersection i reaches the threshold, as verify
 * and the index compute it. */
static int accepted(int measure, double t, uint64_t i, uint64_t na, uint64_t nb)
{
    double score = measure == RP_MEASURE_CONTAINMENT ? (double)i / (double)(na < nb ? na : nb)
                                                     : (double)i / (double)(na + nb - i);
    return score + 1e-12 >= t;
}

/* The least intersection is exactly what the score accepts: every count
 * from it up reaches the threshold, every one below does not (a bound one
 * too low let 1.8 million pairs of near-copies through to be scored and
 * refused), on small sets in full and on sets of up to ten million
 * around the bound. */
static void test_intersection_need_is_the_threshold(void **state)
{
    (void)state;
    const double ts[] = {0.5, 0.7, 0.8, 0.9, 1.0, 0.3333333333333333, 0.123456789};
    const int ms[] = {RP_MEASURE_JACCARD, RP_MEASURE_CONTAINMENT};
    for (size_t k = 0; k < sizeof(ts) / sizeof(ts[0]); k++)
        for (int m = 0; m < 2; m++) {
            for (size_t na = 1; na < 80; na += 3)
                for (size_t nb = 1; nb < 80; nb += 5) {
                    uint64_t need = rp__intersect_need(ms[m], ts[k], na, nb);
                    for (uint64_t i = 0; i <= (na < nb ? na : nb); i++)
                        assert_int_equal(accepted(ms[m], ts[k], i, na, nb), i >= need);
                }
            uint64_t x = 88172645463325252ULL;
            for (int round = 0; round < 20000; round++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                uint64_t na = 1 + x % 10000000, nb = 1 + (x >> 24) % 10000000;
                uint64_t need = rp__intersect_need(ms[m], ts[k], na, nb), most = na < nb ? na : nb;
                if (need <= most) assert_true(accepted(ms[m], ts[k], need, na, nb));
                if (need > 0 && need - 1 <= most) assert_false(accepted(ms[m], ts[k], need - 1, na, nb));
            }
        }
}

/* ------------------------------------------------ listing pairs from edges */

enum { VIEW_RECS = 12 };
static const int view_copy[VIEW_RECS] = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0}; /* 3, 6, 7: exact copies */
static char view_names[VIEW_RECS][8];

static uint32_t view_slot(void *ctx, uint64_t rec)
{
    (void)ctx;
    return (uint32_t)rec;
}

static int view_is_copy(void *ctx, uint64_t rec)
{
    (void)ctx;
    return view_copy[rec];
}

static rp_id view_id(void *ctx, uint64_t rec)
{
    (void)ctx;
    snprintf(view_names[rec], sizeof(view_names[rec]), "d%u", (unsigned)rec);
    rp_id id = {view_names[rec], strlen(view_names[rec]), 0};
    return id;
}

typedef struct {
    char text[4096];
    size_t len;
} listed;

static int note_pair(void *user, const rp_pair *p)
{
    listed *l = user;
    l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%.*s %.*s %llu %llu %.2f %.2f %.2f\n",
                               (int)p->a.len, p->a.str, (int)p->b.len, p->b.str, (unsigned long long)p->a_index,
                               (unsigned long long)p->b_index, p->jaccard, p->containment_a, p->containment_b);
    return 0;
}

static void list_pairs(const rp_edge *e, size_t n, listed *out)
{
    rp_pair_view v = {VIEW_RECS, view_slot, view_is_copy, view_id, NULL};
    out->len = 0;
    out->text[0] = 0;
    rp_edges edges = rp__edges_of(e, n);
    assert_int_equal(rp__pairs_list(&edges, &v, note_pair, out), RP_OK);
}

/* Edges in order without copies are listed as they are, each score on its
 * side; the same edges out of order (the general walk, which holds and
 * sorts them) list the same; with exact copies, a copy takes its first's
 * pairs and pairs with the other copies. */
static void test_pairs_listed_from_edges(void **state)
{
    (void)state;
    rp_edge plain[] = {{0, 1, 0.5f, 0.6f, 0.9f}, {0, 4, 0.3f, 0.8f, 0.35f}, {2, 5, 0.75f, 0.8f, 0.9f},
                       {4, 9, 0.4f, 1.0f, 0.4f}};
    rp_edge shuffled[] = {plain[2], plain[0], plain[3], plain[1]};
    listed a, b;
    list_pairs(plain, 4, &a);
    assert_string_equal(a.text, "d0 d1 0 1 0.50 0.60 0.90\n"
                                "d0 d4 0 4 0.30 0.80 0.35\n"
                                "d2 d5 2 5 0.75 0.80 0.90\n"
                                "d4 d9 4 9 0.40 1.00 0.40\n");
    list_pairs(shuffled, 4, &b);
    assert_string_equal(b.text, a.text);
    /* 3 is a copy of 2, 6 and 7 copies of 5 (their one edge each, with
     * Jaccard 1, to their first); 2 and 5 alike */
    rp_edge copies[] = {{2, 3, 1, 1, 1}, {2, 5, 0.75f, 0.8f, 0.9f}, {5, 6, 1, 1, 1}, {5, 7, 1, 1, 1}};
    list_pairs(copies, 4, &a);
    assert_string_equal(a.text, "d2 d3 2 3 1.00 1.00 1.00\n"
                                "d2 d5 2 5 0.75 0.80 0.90\n"
                                "d2 d6 2 6 0.75 0.80 0.90\n"
                                "d2 d7 2 7 0.75 0.80 0.90\n"
                                "d3 d5 3 5 0.75 0.80 0.90\n"
                                "d3 d6 3 6 0.75 0.80 0.90\n"
                                "d3 d7 3 7 0.75 0.80 0.90\n"
                                "d5 d6 5 6 1.00 1.00 1.00\n"
                                "d5 d7 5 7 1.00 1.00 1.00\n"
                                "d6 d7 6 7 1.00 1.00 1.00\n");
    list_pairs(copies, 0, &a);
    assert_int_equal(a.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_union_find_root_is_earliest_member),
        cmocka_unit_test(test_union_find_is_transitive_over_long_chains),
        cmocka_unit_test(test_intersect_count_matches_naive_count),
        cmocka_unit_test(test_intersections_that_stop_early_keep_their_contract),
        cmocka_unit_test(test_intersection_need_is_the_threshold),
        cmocka_unit_test(test_sample_refuses_what_cannot_reach_the_need),
        cmocka_unit_test(test_profile_bound_never_below_the_intersection),
        cmocka_unit_test(test_pairs_listed_from_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
