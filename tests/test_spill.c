/* test_spill.c — dedup under a memory limit: band tables spilled to disk and
 * searched in key ranges give exactly the clusters and pairs of the run
 * that holds everything in memory; align's index entries packed for its
 * spill file read back as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "reprint.h"
#include "internal.h"
#include "test_util.h"

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* n documents: random word lists, a third of them copies of an earlier one
 * with a few words changed (near-duplicates at all similarities), a few
 * exact copies. */
static char *make_corpus(size_t n, size_t *len)
{
    size_t cap = n * 900 + 1024, at = 0;
    char *buf = malloc(cap);
    unsigned(*words)[120] = malloc(n * sizeof(*words));
    assert_non_null(buf);
    assert_non_null(words);
    for (size_t d = 0; d < n; d++) {
        if (d > 0 && rnd() % 3 == 0) {
            size_t src = rnd() % d;
            memcpy(words[d], words[src], sizeof(words[d]));
            unsigned edits = rnd() % 4 == 0 ? 0 : (unsigned)(rnd() % 10);
            for (unsigned k = 0; k < edits; k++) words[d][rnd() % 120] = (unsigned)(rnd() % 5000);
        } else {
            for (int k = 0; k < 120; k++) words[d][k] = (unsigned)(rnd() % 5000);
        }
        at += (size_t)snprintf(buf + at, cap - at, "{\"id\": \"d%zu\", \"text\": \"", d);
        for (int k = 0; k < 120; k++)
            at += (size_t)snprintf(buf + at, cap - at, "%sw%u", k ? " " : "", words[d][k]);
        at += (size_t)snprintf(buf + at, cap - at, "\"}\n");
    }
    free(words);
    *len = at;
    return buf;
}

static int add_pair(void *user, const rp_pair *p)
{
    FILE *f = user;
    fprintf(f, "%llu %llu %.6f\n", (unsigned long long)p->a_index, (unsigned long long)p->b_index,
            p->jaccard);
    return 0;
}

static int add_cluster(void *user, const rp_cluster *c)
{
    FILE *f = user;
    fprintf(f, "cluster %.*s:", (int)c->representative.len, c->representative.str);
    for (size_t i = 0; i < c->n_members; i++)
        fprintf(f, " %.*s", (int)c->members[i].len, c->members[i].str);
    fputc('\n', f);
    return 0;
}

/* The pairs and clusters of one run, as text; its stats. */
/* A run's pairs and clusters, as text; its clusters alone when `connect`
 * (dedup's connect_only, which keeps no list of pairs). */
static char *run_as(const char *path, uint64_t limit, unsigned threads, int connect, rp_stats *s)
{
    rp_params p;
    rp_params_init(&p);
    p.memory_limit = limit;
    p.threads = threads;
    p.connect_only = connect;
    rp_engine *e = run_engine(&p, path);
    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    if (!connect) assert_int_equal(rp_engine_foreach_pair(e, add_pair, f), RP_OK);
    assert_int_equal(rp_engine_foreach_cluster(e, add_cluster, f), RP_OK);
    fclose(f);
    rp_engine_stats(e, s);
    rp_engine_free(e);
    return out;
}

static char *run(const char *path, uint64_t limit, unsigned threads, rp_stats *s)
{
    return run_as(path, limit, threads, 0, s);
}

static void test_spilled_run_gives_the_same_clusters(void **state)
{
    (void)state;
    size_t len;
    char *corpus = make_corpus(3000, &len);
    const char *path = write_temp("spill.jsonl", corpus, len);
    free(corpus);

    rp_stats mem, disk;
    char *in_memory = run(path, 0, 1, &mem);
    assert_int_equal(mem.spilled_bytes, 0);
    print_message("in memory: %llu candidates, %llu similar pairs, %llu clusters\n", (unsigned long long)mem.candidate_pairs, (unsigned long long)mem.similar_pairs, (unsigned long long)mem.clusters);
    assert_true(mem.similar_pairs > 500); /* the corpus has something to find */
    assert_true(mem.clusters > 200);

    /* chunks of 64 records, 8 KiB in all: most of the table goes to disk and
     * every band is searched in many key ranges */
    size_t saved = rp__hooks.band_chunk;
    rp__hooks.band_chunk = 64;
    for (unsigned threads = 1; threads <= 2; threads++) {
        char *spilled = run(path, 8192, threads, &disk);
        assert_true(disk.spilled_bytes > 3000 * 21 * 4 / 2);
        assert_true(disk.spill_partitions >= 8);
        assert_string_equal(in_memory, spilled);
        assert_int_equal(disk.candidate_pairs, mem.candidate_pairs);
        assert_int_equal(disk.removed, mem.removed);
        free(spilled);
    }
    rp__hooks.band_chunk = saved;
    free(in_memory);
}

/* n documents, each a copy of one of 40 templates with 1 to 8 of its 120
 * words changed: clusters where every candidate is another copy, many of
 * them just under the threshold (dedup's crowded shape). */
static char *make_copies(size_t n, size_t *len)
{
    size_t cap = n * 900 + 1024, at = 0;
    char *buf = malloc(cap);
    static unsigned tmpl[40][120];
    assert_non_null(buf);
    for (int t = 0; t < 40; t++)
        for (int k = 0; k < 120; k++) tmpl[t][k] = (unsigned)(rnd() % 5000);
    for (size_t d = 0; d < n; d++) {
        unsigned w[120];
        memcpy(w, tmpl[rnd() % 40], sizeof(w));
        for (unsigned k = 0, edits = 1 + (unsigned)(rnd() % 8); k < edits; k++) w[rnd() % 120] = (unsigned)(rnd() % 5000);
        at += (size_t)snprintf(buf + at, cap - at, "{\"id\": \"c%zu\", \"text\": \"", d);
        for (int k = 0; k < 120; k++) at += (size_t)snprintf(buf + at, cap - at, "%sw%u", k ? " " : "", w[k]);
        at += (size_t)snprintf(buf + at, cap - at, "\"}\n");
    }
    *len = at;
    return buf;
}

/* Entries in record order take 5 bytes; a record that goes back, or
 * forward by 255 or more, 9; packed in two calls that carry the previous
 * record, they read back as one run; a run cut short, or with a byte too
 * many, does not read back. */
static void test_index_entries_pack_and_read_back(void **state)
{
    (void)state;
    enum { N = 20000 };
    uint64_t *v = malloc(N * sizeof(uint64_t)), *back = malloc(N * sizeof(uint64_t));
    uint8_t *packed = malloc(9 * N + 1);
    assert_non_null(v);
    assert_non_null(back);
    assert_non_null(packed);
    uint32_t rec = 0;
    size_t wide = 0;
    for (size_t i = 0; i < N; i++) {
        uint32_t prev = rec;
        switch (rnd() % 16) {
        case 0: rec = (uint32_t)rnd(); break;          /* anywhere, back or far */
        case 1: rec += 254 + (uint32_t)(rnd() % 3); break; /* 254: narrow; 255, 256: wide */
        case 2: rec = i % 2 ? UINT32_MAX : 0; break;
        default: rec += (uint32_t)(rnd() % 4); break;
        }
        wide += !(rec >= prev && rec - prev < 255);
        uint64_t fp = i % 97 == 0 ? UINT32_MAX : (uint32_t)rnd();
        v[i] = fp << 32 | rec;
    }
    uint32_t prev = 0;
    size_t half = N / 3, len = rp__align_entries_pack(v, half, &prev, packed);
    len += rp__align_entries_pack(v + half, N - half, &prev, packed + len);
    assert_int_equal(len, 5 * (size_t)N + 4 * wide);
    assert_true(wide > N / 20 && wide < N / 4);
    assert_int_equal(rp__align_entries_unpack(packed, len, back, N), 0);
    assert_memory_equal(back, v, N * sizeof(uint64_t));
    assert_int_equal(rp__align_entries_unpack(packed, len - 1, back, N), -1);
    assert_int_equal(rp__align_entries_unpack(packed, len, back, N - 1), -1);
    packed[len] = 0;
    assert_int_equal(rp__align_entries_unpack(packed, len + 1, back, N), -1);
    free(v);
    free(back);
    free(packed);
}

/* Where a set is scored against many others its sets are held in memory,
 * and candidates are refused by the sets' profiles before any set is read
 * (rp__set_profile): the pairs and clusters are those of the run that reads
 * every set from its file (a limit too small to hold them), pair for pair;
 * refused early with the bands spilled too (their keys read back from the
 * file, record-major), and the similar pairs written to a file past the
 * limit's eighth. */
static void test_profiles_refuse_only_what_the_sets_would(void **state)
{
    (void)state;
    size_t len;
    char *corpus = make_copies(2000, &len);
    const char *path = write_temp("spill-copies.jsonl", corpus, len);
    free(corpus);
    rp_stats mem, disk, early;
    size_t hook = rp__hooks.refuse_early;
    rp__hooks.refuse_early = SIZE_MAX; /* pairs listed, then scored */
    char *in_memory = run(path, 0, 2, &mem);
    /* the memory path: at least SETS_READS_IN_MEMORY pairs a set */
    assert_true(mem.verified_pairs >= 4 * 2000);
    assert_true(mem.similar_pairs > 2000 && mem.similar_pairs < mem.verified_pairs / 2);
    char *from_files = run(path, 8192, 2, &disk);
    assert_string_equal(in_memory, from_files);
    assert_int_equal(disk.similar_pairs, mem.similar_pairs);
    assert_int_equal(disk.removed, mem.removed);
    /* and refused from the profiles as the buckets are searched */
    rp__hooks.refuse_early = hook;
    char *refused_early = run(path, 0, 2, &early);
    assert_true(early.verified_pairs < mem.verified_pairs / 2);
    assert_string_equal(refused_early, from_files);
    assert_int_equal(early.similar_pairs, mem.similar_pairs);
    assert_int_equal(early.candidate_pairs, mem.candidate_pairs);
    assert_int_equal(early.removed, mem.removed);
    /* the same with the bands spilled, in chunks of 64 records (the
     * profiles' table of shingles met once in a quarter of the 128 KiB) */
    size_t chunk = rp__hooks.band_chunk;
    rp__hooks.band_chunk = 64;
    rp_stats spilled;
    char *spilled_early = run(path, 128 << 10, 2, &spilled);
    rp__hooks.band_chunk = chunk;
    assert_true(spilled.verified_pairs < mem.verified_pairs / 2);
    assert_true(spilled.spilled_bytes > 2000 * 21 * 4 / 2 + spilled.similar_pairs * 32 / 2);
    assert_string_equal(spilled_early, from_files);
    assert_int_equal(spilled.similar_pairs, mem.similar_pairs);
    assert_int_equal(spilled.candidate_pairs, mem.candidate_pairs);
    assert_int_equal(spilled.removed, mem.removed);
    /* dedup's clusters, the bands searched one by one, spilled and not */
    char *clusters = run_as(path, 0, 1, 1, &early);
    assert_non_null(strstr(from_files, clusters)); /* the pairs, then these clusters */
    assert_int_equal(early.removed, mem.removed);
    assert_true(early.verified_pairs < mem.verified_pairs / 4);
    free(clusters);
    rp__hooks.band_chunk = 64;
    clusters = run_as(path, 128 << 10, 3, 1, &spilled);
    rp__hooks.band_chunk = chunk;
    assert_true(spilled.spilled_bytes > 2000 * 21 * 4 / 2);
    assert_non_null(strstr(from_files, clusters));
    assert_int_equal(spilled.removed, mem.removed);
    assert_int_equal(spilled.candidate_pairs, early.candidate_pairs); /* scored: as the profiles' table lets */
    free(clusters);
    free(in_memory);
    free(from_files);
    free(refused_early);
    free(spilled_early);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spilled_run_gives_the_same_clusters),
        cmocka_unit_test(test_index_entries_pack_and_read_back),
        cmocka_unit_test(test_profiles_refuse_only_what_the_sets_would),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
