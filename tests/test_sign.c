/* test_sign.c — MinHash (OPH + densification) accuracy and the LSH S-curve.
 *
 * Random pairs of sets with a known Jaccard similarity J are signed; the
 * estimate's error must stay within its statistical bound: the share of
 * pairs off by more than 3 standard deviations sqrt(J(1-J)/K) stays near the
 * normal 0.3%, and the mean error (bias) near zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "shingle_hash.h"
#include <xxhash.h>

static uint64_t rng = 0x1234567887654321ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Two sets with |A n B| = inter, |A \ B| = |B \ A| = diff, as shingle hashes. */
static void make_pair(uint64_t *a, uint64_t *b, size_t inter, size_t diff)
{
    for (size_t i = 0; i < inter; i++) a[i] = b[i] = next_rand();
    for (size_t i = 0; i < diff; i++) {
        a[inter + i] = next_rand();
        b[inter + i] = next_rand();
    }
}

static void check_accuracy(unsigned K, size_t min_size, size_t max_size, int pairs)
{
    uint64_t *a = malloc(max_size * 2 * sizeof(uint64_t)), *b = malloc(max_size * 2 * sizeof(uint64_t));
    uint64_t *sa = malloc(K * sizeof(uint64_t)), *sb = malloc(K * sizeof(uint64_t));
    int outside = 0;
    double bias = 0;
    for (int p = 0; p < pairs; p++) {
        size_t size = min_size + next_rand() % (max_size - min_size + 1);
        double j = 0.05 + 0.9 * (double)(next_rand() % 1000) / 1000.0;
        /* size = inter + diff and j = inter / (inter + 2 diff) */
        size_t inter = (size_t)llround((double)size * 2 * j / (1 + j));
        if (inter > size) inter = size;
        size_t diff = size - inter;
        double truth = (double)inter / (double)(inter + 2 * diff);
        make_pair(a, b, inter, diff);
        assert_int_equal(rp__sign(a, size, K, 7, sa), 0);
        assert_int_equal(rp__sign(b, size, K, 7, sb), 0);
        double est = rp__sig_similarity(sa, sb, K);
        double sd = sqrt(truth * (1 - truth) / K);
        if (fabs(est - truth) > 3 * sd + 1.0 / K) outside++;
        bias += est - truth;
    }
    bias /= pairs;
    print_message("K=%u sizes %zu..%zu: %d of %d beyond 3 sd, bias %+.4f\n", K, min_size,
                  max_size, outside, pairs, bias);
    assert_true(outside <= pairs / 50); /* 2%, against 0.3% expected */
    assert_true(fabs(bias) < 0.01);
    free(a);
    free(b);
    free(sa);
    free(sb);
}

static void test_minhash_estimate_within_bound_long_documents(void **state)
{
    (void)state;
    check_accuracy(128, 300, 3000, 1000);
}

static void test_minhash_estimate_within_bound_short_documents_densified(void **state)
{
    (void)state;
    /* fewer shingles than bins: most bins are filled by densification */
    check_accuracy(128, 10, 100, 1000);
}

static void test_minhash_identical_sets_agree_everywhere(void **state)
{
    (void)state;
    uint64_t a[3] = {1, 2, 3}, sa[64], sb[64];
    uint64_t b[3] = {3, 1, 2};
    rp__sign(a, 3, 64, 0, sa);
    rp__sign(b, 3, 64, 0, sb);
    assert_true(rp__sig_similarity(sa, sb, 64) == 1.0);
    assert_int_equal(rp__sign(a, 0, 64, 0, sa), -1);
}

/* The same bound for signatures of real token sequences, through the
 * shingle hash, with words that are the least random a hash can be given
 * (small consecutive integers): document b is a with runs of words replaced,
 * the truth is the Jaccard similarity of the two shingle sets. A shingle hash
 * whose minima or bins were not uniform would bias the estimate (measured:
 * bias -0.0055, as with XXH3 over the word hashes, -0.0050). */
static void test_minhash_through_shingle_hash_within_bound(void **state)
{
    (void)state;
    enum { K = 128, PAIRS = 1000, MAXN = 2000 };
    static uint64_t a[MAXN], b[MAXN];
    uint64_t sa[K], sb[K], *x = NULL, *y = NULL;
    size_t cx = 0, cy = 0;
    int outside = 0;
    double bias = 0;
    uint64_t fresh = 1u << 20;
    for (int p = 0; p < PAIRS; p++) {
        size_t n = 50 + next_rand() % (MAXN - 50);
        uint64_t base = next_rand() % 1000;
        unsigned every = 3 + (unsigned)(next_rand() % 60); /* a change every so many words */
        for (size_t i = 0; i < n; i++) {
            a[i] = base + i;
            b[i] = next_rand() % every ? a[i] : fresh++;
        }
        size_t na = rp__shingles(a, n, 5, 5, &x, &cx, 1), nb = rp__shingles(b, n, 5, 5, &y, &cy, 1);
        uint64_t inter = rp__intersect_count(x, na, y, nb);
        double truth = (double)inter / (double)(na + nb - inter);
        assert_int_equal(rp__sign_tokens(a, n, 5, K, 5, sa), 0);
        assert_int_equal(rp__sign_tokens(b, n, 5, K, 5, sb), 0);
        double est = rp__sig_similarity(sa, sb, K), sd = sqrt(truth * (1 - truth) / K);
        if (fabs(est - truth) > 3 * sd + 1.0 / K) outside++;
        bias += est - truth;
    }
    bias /= PAIRS;
    print_message("through the shingle hash: %d of %d beyond 3 sd, bias %+.4f\n", outside, PAIRS, bias);
    assert_true(outside <= PAIRS / 50);
    assert_true(fabs(bias) < 0.01);
    free(x);
    free(y);
}

/* The dedup pass signs straight from word hashes; it must give exactly the
 * signature of the shingle set (duplicates and all lengths, short texts). */
static void test_minhash_from_tokens_equals_minhash_of_shingles(void **state)
{
    (void)state;
    uint64_t tokens[300], sa[128], sb[128];
    uint64_t *sh = NULL;
    size_t cap = 0;
    /* the portable code, and where the processor has one, the vector path */
    for (size_t scalar = 0; scalar < 2; scalar++)
        for (size_t n = 1; n <= 300; n += 7) {
            rp__hooks.scalar = scalar;
            for (size_t i = 0; i < n; i++) tokens[i] = next_rand() % 40; /* repeats */
            size_t m = rp__shingles(tokens, n, 5, 11, &sh, &cap, 1);
            assert_int_equal(rp__sign(sh, m, 128, 11, sa), 0);
            assert_int_equal(rp__sign_tokens(tokens, n, 5, 128, 11, sb), 0);
            assert_memory_equal(sa, sb, sizeof(sa));
        }
    rp__hooks.scalar = 0;
    free(sh);
    assert_int_equal(rp__sign_tokens(tokens, 0, 5, 128, 11, sb), -1);
}

/* Optimal densification as defined: each empty bin probes (bin, attempt)
 * until a filled bin; sign.c's rank table and one-bin shortcut must give
 * the same bins for any number of filled bins and any K. */
static void densify_by_definition(uint64_t *sig, unsigned num_perm, uint64_t seed)
{
    unsigned char f[4096];
    unsigned filled = 0;
    for (unsigned k = 0; k < num_perm; k++) filled += f[k] = sig[k] != UINT64_MAX;
    if (!filled) return;
    for (unsigned k = 0; k < num_perm; k++) {
        if (f[k]) continue;
        for (uint64_t attempt = 1;; attempt++) {
            uint64_t key[2] = {k, attempt};
            uint64_t r = XXH3_64bits_withSeed(key, sizeof(key), seed ^ 0xD6E8FEB86659FD93ULL);
            uint32_t j = (uint32_t)(((r >> 32) * (uint64_t)num_perm) >> 32);
            if (f[j]) {
                sig[k] = sig[j];
                break;
            }
        }
    }
}

static void test_densification_shortcuts_equal_the_definition(void **state)
{
    (void)state;
    uint64_t rng = 99;
    static const unsigned perms[] = {16, 64, 128, 256, 1000};
    /* the portable code, and where the processor has one, the vector path */
    for (size_t scalar = 0; scalar < 2; scalar++)
    for (size_t p = 0; p < sizeof(perms) / sizeof(perms[0]); p++) {
        unsigned num_perm = perms[p];
        rp__hooks.scalar = scalar;
        for (unsigned n = 1; n <= 200; n += 1 + n / 40) {
            uint64_t shingles[256], sig[1024], want[1024];
            for (unsigned i = 0; i < n; i++) {
                rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                shingles[i] = rng ^ (rng >> 29);
            }
            uint64_t seed = n % 3;
#if defined(__x86_64__) && defined(__GNUC__)
            if (!scalar && (num_perm == 64 || num_perm == 128) && __builtin_cpu_supports("avx512vbmi") &&
                __builtin_cpu_supports("avx512bw"))
                assert_true(rp__sign_vector_path(num_perm, seed));
#endif
            assert_int_equal(rp__sign(shingles, n, num_perm, seed, sig), 0);
            /* the bins before densifying, as OPH fills them */
            for (unsigned k = 0; k < num_perm; k++) want[k] = UINT64_MAX;
            for (unsigned i = 0; i < n; i++) {
                uint32_t bin = (uint32_t)(((shingles[i] >> 32) * (uint64_t)num_perm) >> 32);
                if (shingles[i] < want[bin]) want[bin] = shingles[i];
            }
            densify_by_definition(want, num_perm, seed);
            assert_memory_equal(sig, want, num_perm * sizeof(uint64_t));
        }
    }
    rp__hooks.scalar = 0;
}

static void test_lsh_choice_meets_recall_target(void **state)
{
    (void)state;
    double ts[] = {0.1, 0.3, 0.5, 0.7, 0.8, 0.9};
    for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
        unsigned b, r;
        rp_lsh_choose(ts[i], 128, &b, &r);
        assert_true(b * r <= 128);
        assert_true(rp_lsh_probability(ts[i], b, r) >= 0.9);
        /* one more row per band would fall below the target */
        unsigned b2 = 128 / (r + 1);
        assert_true(r == 128 || rp_lsh_probability(ts[i], b2, r + 1) < 0.9);
    }
    unsigned b, r;
    rp_lsh_choose(0.7, 128, &b, &r);
    assert_int_equal(r, 6);
    assert_int_equal(b, 21);
}

/* Containment t of A in a B r times its size is Jaccard t/(1 + r - t):
 * with size_ratio r the containment measure is tuned there as Jaccard is at
 * its threshold (one size: t/(2 - t), as before the option); a document at
 * containment 0.7 in one twice its size (100 and 200 shingles) is then a
 * candidate at the S-curve's rate, measured with real signatures and keys,
 * where the tuning for one size made it one time in four. */
static void test_lsh_containment_tuned_for_a_size_ratio(void **state)
{
    (void)state;
    double ts[] = {0.1, 0.3, 0.5, 0.7, 0.9}, rs[] = {1, 1.5, 2, 4};
    for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++)
        for (size_t k = 0; k < sizeof(rs) / sizeof(rs[0]); k++) {
            rp_params p;
            rp_params_init(&p);
            p.measure = RP_MEASURE_CONTAINMENT;
            p.threshold = ts[i];
            p.size_ratio = rs[k];
            unsigned b, r, wb, wr;
            char err[RP_MSG_MAX];
            assert_int_equal(rp__lsh_params(&p, &b, &r, err), RP_OK);
            rp_lsh_choose(ts[i] / (1 + rs[k] - ts[i]), 128, &wb, &wr);
            assert_int_equal(b, wb);
            assert_int_equal(r, wr);
            assert_true(rp_lsh_probability(ts[i] / (1 + rs[k] - ts[i]), b, r) >= 0.9);
        }
    rp_params p;
    rp_params_init(&p);
    p.measure = RP_MEASURE_CONTAINMENT;
    unsigned b, r;
    char err[RP_MSG_MAX];
    assert_int_equal(rp__lsh_params(&p, &b, &r, err), RP_OK); /* the default: one size */
    assert_int_equal(b, 32);
    assert_int_equal(r, 4);
    p.size_ratio = 2;
    assert_int_equal(rp__lsh_params(&p, &b, &r, err), RP_OK);
    assert_int_equal(b, 64);
    assert_int_equal(r, 2);
    p.size_ratio = 0.5; /* below one: refused */
    assert_int_equal(rp__lsh_params(&p, &b, &r, err), RP_ERR_USAGE);
    p.size_ratio = NAN;
    assert_int_equal(rp__lsh_params(&p, &b, &r, err), RP_ERR_USAGE);

    enum { K = 128, PAIRS = 1500, NA = 100, NB = 200, SHARED = 70 };
    static uint64_t a[NA], bb[NB], sa[K], sb[K];
    int hits[2] = {0, 0};
    for (int t = 0; t < PAIRS; t++) {
        make_pair(a, bb, SHARED, NA - SHARED);
        for (size_t k = NA; k < NB; k++) bb[k] = next_rand();
        rp__sign(a, NA, K, 3, sa);
        rp__sign(bb, NB, K, 3, sb);
        for (int ratio = 1; ratio <= 2; ratio++) {
            p.size_ratio = ratio;
            assert_int_equal(rp__lsh_params(&p, &b, &r, err), RP_OK);
            for (unsigned band = 0; band < b; band++)
                if (rp__band_key(sa, band, r, 3) == rp__band_key(sb, band, r, 3)) {
                    hits[ratio - 1]++;
                    break;
                }
        }
    }
    double s = 70.0 / (100 + 200 - 70);
    for (int ratio = 1; ratio <= 2; ratio++) {
        p.size_ratio = ratio;
        assert_int_equal(rp__lsh_params(&p, &b, &r, err), RP_OK);
        double rate = (double)hits[ratio - 1] / PAIRS, expect = rp_lsh_probability(s, b, r);
        print_message("containment 0.7 in twice the size, size ratio %d (%u x %u): candidate rate %.3f, S-curve %.3f\n",
                      ratio, b, r, rate, expect);
        assert_true(fabs(rate - expect) < 5 * sqrt(expect * (1 - expect) / PAIRS) + 0.02);
        if (ratio == 2) assert_true(rate >= 0.9);
        else assert_true(rate < 0.4);
    }
}

static void test_lsh_candidate_rate_follows_s_curve(void **state)
{
    (void)state;
    enum { K = 128, PAIRS = 1500, SIZE = 400 };
    const unsigned bands = 21, rows = 6;
    static uint64_t a[SIZE], b[SIZE], sa[K], sb[K];
    double ss[] = {0.4, 0.55, 0.7, 0.85};
    for (size_t t = 0; t < 4; t++) {
        size_t inter = (size_t)llround(SIZE * 2 * ss[t] / (1 + ss[t]));
        size_t diff = SIZE - inter;
        double s = (double)inter / (double)(inter + 2 * diff);
        int hits = 0;
        for (int p = 0; p < PAIRS; p++) {
            make_pair(a, b, inter, diff);
            rp__sign(a, SIZE, K, 3, sa);
            rp__sign(b, SIZE, K, 3, sb);
            for (unsigned band = 0; band < bands; band++)
                if (rp__band_key(sa, band, rows, 3) == rp__band_key(sb, band, rows, 3)) {
                    hits++;
                    break;
                }
        }
        double rate = (double)hits / PAIRS, expect = rp_lsh_probability(s, bands, rows);
        double sd = sqrt(expect * (1 - expect) / PAIRS);
        print_message("s=%.3f candidate rate %.3f, S-curve %.3f\n", s, rate, expect);
        assert_true(fabs(rate - expect) < 5 * sd + 0.02);
    }
}

static void test_band_pairs_all_pairs_and_chained_big_buckets(void **state)
{
    (void)state;
    /* key 5: docs 0,1,2 -> 3 pairs; key 9: docs 3..12 with max_bucket 4 -> chain of 9 */
    uint64_t e[13];
    for (uint32_t d = 0; d < 3; d++) e[d] = (uint64_t)5 << 32 | d;
    for (uint32_t d = 3; d < 13; d++) e[d] = (uint64_t)9 << 32 | d;
    uint64_t *pairs = NULL, trunc = 0, scratch[13];
    size_t n = 0, cap = 0;
    assert_int_equal(rp__band_pairs_scratch(e, 13, scratch, 4, &pairs, &n, &cap, &trunc), 0);
    assert_int_equal(n, 3 + 9);
    assert_int_equal(trunc, 1);
    assert_true(pairs[0] == ((uint64_t)0 << 32 | 1));
    assert_true(pairs[3] == ((uint64_t)3 << 32 | 4)); /* the chain */
    free(pairs);
}

/* Candidates sort by (a, b) and lose repeats, by radix below 2^32 and by
 * comparison above; both give the same order. */
static int cmp_u64_asc(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* A band's entries lose those whose key no other entry has, and only
 * those: every entry of a shared key stays, those of one key in their
 * order, and few lone ones (whose place another key shares) stay with
 * them; a list too short to gain from it is left whole. Keys spread over
 * 32 bits and keys of a narrow range (a thread's), in a list small enough
 * for one table and in one parted by the keys' top byte first. */
static void check_lone_keys(size_t n, uint64_t span)
{
    uint64_t *e = malloc(n * sizeof(uint64_t)), *keys = malloc(n * sizeof(uint64_t));
    uint64_t *scratch = malloc(n * sizeof(uint64_t)), *want = malloc(n * sizeof(uint64_t));
    assert_non_null(e), assert_non_null(keys), assert_non_null(scratch), assert_non_null(want);
    uint64_t x = 0x9E3779B97F4A7C15ULL, base = span < (1ULL << 32) ? 0x12340000ULL : 0;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* one in ten takes a key from 5,000 (met again), the rest one of their own */
        uint64_t key = i % 10 == 0 ? base + rp__mix64(x % 5000 + 1) % span : base + rp__mix64(i + n) % span;
        e[i] = key << 32 | i;
        keys[i] = key;
    }
    qsort(keys, n, sizeof(uint64_t), cmp_u64_asc);
    size_t n_want = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = e[i] >> 32;
        size_t at = rp__lower_bound_u64(keys, n, key);
        if (at + 1 < n && keys[at + 1] == key) want[n_want++] = e[i];
    }
    size_t m = rp__drop_lone_keys(e, n, scratch);
    print_message("%zu of %zu entries kept, %zu of them of shared keys\n", m, n, n_want);
    assert_true(n_want > n / 20);
    assert_true(m >= n_want && m < n_want + (n - n_want) / 6);
    /* by key, stably: each key's entries in their order, the shared ones all there */
    rp__radix_sort_scratch(e, m, 32, scratch);
    for (size_t i = 1; i < m; i++)
        if (e[i] >> 32 == e[i - 1] >> 32) assert_true((uint32_t)e[i] > (uint32_t)e[i - 1]);
    qsort(want, n_want, sizeof(uint64_t), cmp_u64_asc);
    size_t k = 0;
    for (size_t i = 0; i < m && k < n_want; i++) k += e[i] == want[k];
    assert_int_equal(k, n_want);
    free(e), free(keys), free(scratch), free(want);
}

static void test_lone_keys_dropped_shared_kept(void **state)
{
    (void)state;
    check_lone_keys(200000, 1ULL << 32);
    check_lone_keys(3000000, 1ULL << 32);
    check_lone_keys(3000000, 1ULL << 26); /* a range of 2^26 keys */
    uint64_t small[4] = {1ULL << 32, 2ULL << 32 | 1, 3ULL << 32 | 2, 4ULL << 32 | 3}, scratch[4];
    assert_int_equal(rp__drop_lone_keys(small, 4, scratch), 4);
}

static void test_cands_sort_unique_both_ways(void **state)
{
    (void)state;
    enum { N = 5000 };
    for (int big = 0; big < 2; big++) {
        rp_docno base = big ? (rp_docno)7 << 32 : 0;
        rp_cand *v = malloc(N * sizeof(*v));
        uint64_t x = 88172645463325252ull;
        for (size_t i = 0; i < N; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            rp_docno a = x % 300, b = a + 1 + (x >> 32) % 40;
            v[i] = (rp_cand){base + a, base + b};
        }
        size_t n = rp__cands_sort_unique(v, N);
        assert_true(n > 100 && n < N);
        for (size_t i = 1; i < n; i++)
            assert_true(v[i - 1].a < v[i].a || (v[i - 1].a == v[i].a && v[i - 1].b < v[i].b));
        free(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minhash_estimate_within_bound_long_documents),
        cmocka_unit_test(test_minhash_estimate_within_bound_short_documents_densified),
        cmocka_unit_test(test_densification_shortcuts_equal_the_definition),
        cmocka_unit_test(test_minhash_identical_sets_agree_everywhere),
        cmocka_unit_test(test_minhash_from_tokens_equals_minhash_of_shingles),
        cmocka_unit_test(test_minhash_through_shingle_hash_within_bound),
        cmocka_unit_test(test_lsh_choice_meets_recall_target),
        cmocka_unit_test(test_lsh_containment_tuned_for_a_size_ratio),
        cmocka_unit_test(test_lsh_candidate_rate_follows_s_curve),
        cmocka_unit_test(test_band_pairs_all_pairs_and_chained_big_buckets),
        cmocka_unit_test(test_lone_keys_dropped_shared_kept),
        cmocka_unit_test(test_cands_sort_unique_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
