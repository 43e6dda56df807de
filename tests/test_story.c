/* test_story.c — stories: the five seeds are one story; the Keldan Point
 * versions of the sample corpus are one story that articles on the same
 * coast, topic and places do not join; spun copies join their original's
 * story; a document reporting two events does not chain their stories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sys/stat.h>

#include "spinner.h"
#include "test_util.h"

typedef struct {
    char *ids[64];
    uint64_t story[64];      /* per document: its story, 0 = none */
    size_t n;
    size_t stories;
} result;

static int note_story(void *user, const rp_story *s)
{
    result *r = user;
    r->stories++;
    for (size_t m = 0; m < s->n_members; m++) {
        assert_true(s->indexes[m] < r->n);
        r->story[s->indexes[m]] = s->story;
        assert_int_equal(s->members[m].len, strlen(r->ids[s->indexes[m]]));
    }
    assert_true(s->n_terms > 0);
    return 0;
}

static void run_stories(const char *path, result *r)
{
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_STORIES;
    p.threads = 2;
    rp_engine *e = run_engine(&p, path);
    memset(r->story, 0, sizeof(r->story));
    r->stories = 0;
    assert_int_equal(rp_engine_foreach_story(e, note_story, r), RP_OK);
    for (size_t i = 0; i < r->n; i++) assert_int_equal(rp_engine_story_of(e, i), r->story[i]);
    rp_engine_free(e);
}

static void test_seeds_one_story(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/../shared/seeds", REPRINT_SOURCE_DIR);
    struct stat sb;
    if (stat(dir, &sb) != 0) skip();
    result r = {{0}, {0}, 5, 0};
    for (size_t i = 0; i < 5; i++) r.ids[i] = "000_4c30f8bde0e3a24e.txt"; /* lengths only */
    run_stories(dir, &r);
    assert_int_equal(r.stories, 1);
    for (size_t i = 0; i < 5; i++) assert_int_equal(r.story[i], 1);
}

static size_t find(const result *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->ids[i], id) == 0) return i;
    fail_msg("no %s", id);
    return 0;
}

static void test_sample(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/examples/news.jsonl", REPRINT_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    json_t *docs = json_array();
    char line[1 << 16];
    while (fgets(line, sizeof(line), f)) json_array_append_new(docs, json_loads(line, 0, NULL));
    fclose(f);
    size_t n0 = json_array_size(docs);
    /* spun copies of two articles, and one document reporting both events */
    spinner sp = {0x1234567ULL, rp_tokenizer_create(), 0, 0, 0};
    const char *spin_of[] = {"wire-keldan", "skarholm-reopens"};
    char *keldan = NULL, *skarholm = NULL;
    for (size_t i = 0; i < n0; i++) {
        json_t *d = json_array_get(docs, i);
        const char *id = json_string_value(json_object_get(d, "id"));
        const char *text = json_string_value(json_object_get(d, "text"));
        if (strcmp(id, spin_of[0]) == 0) keldan = strdup(text);
        if (strcmp(id, spin_of[1]) == 0) skarholm = strdup(text);
    }
    assert_non_null(keldan);
    assert_non_null(skarholm);
    char *s1 = spin_text(&sp, keldan, 0.4), *s2 = spin_text(&sp, skarholm, 0.4);
    json_array_append_new(docs, json_pack("{s:s, s:s}", "id", "spun-keldan", "text", s1));
    json_array_append_new(docs, json_pack("{s:s, s:s}", "id", "spun-skarholm", "text", s2));
    size_t kl = strlen(keldan) / 2, sl = strlen(skarholm) / 2;
    char *both = malloc(kl + sl + 4);
    snprintf(both, kl + sl + 4, "%.*s\n\n%.*s", (int)kl, keldan, (int)sl, skarholm);
    json_array_append_new(docs, json_pack("{s:s, s:s}", "id", "roundup-both", "text", both));
    free(s1), free(s2), free(both), free(keldan), free(skarholm);
    rp_tokenizer_free(sp.tok);

    result r = {{0}, {0}, 0, 0};
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    for (size_t i = 0; i < json_array_size(docs); i++) {
        json_t *d = json_array_get(docs, i);
        r.ids[r.n++] = strdup(json_string_value(json_object_get(d, "id")));
        char *l = json_dumps(d, JSON_COMPACT);
        fprintf(m, "%s\n", l);
        free(l);
    }
    fclose(m);
    json_decref(docs);
    const char *p = write_temp("stories.jsonl", all, len);
    free(all);
    run_stories(p, &r);

    uint64_t k = r.story[find(&r, "wire-keldan")], s = r.story[find(&r, "skarholm-reopens")];
    assert_true(k != 0);
    assert_true(s != 0);
    assert_true(k != s); /* the roundup did not chain them */
    static const char *const keldan_story[] = {"gazette-reprint", "northshore-wrapped", "islands-edited",
                                               "baytimes-rewrite", "spun-keldan"};
    for (size_t i = 0; i < sizeof(keldan_story) / sizeof(keldan_story[0]); i++)
        if (r.story[find(&r, keldan_story[i])] != k) fail_msg("%s is not in the Keldan story", keldan_story[i]);
    assert_int_equal(r.story[find(&r, "spun-skarholm")], s);
    /* same coast, same bay, same topic, other events */
    static const char *const apart[] = {"bay-ferry-storm", "varnby-keeper-museum", "bay-council-harbour",
                                        "kitchen-soup", "rovers-dalby", "battery-plant"};
    for (size_t i = 0; i < sizeof(apart) / sizeof(apart[0]); i++) {
        uint64_t x = r.story[find(&r, apart[i])];
        if (x == k || x == s) fail_msg("%s joined story %llu", apart[i], (unsigned long long)x);
    }
    uint64_t rb = r.story[find(&r, "roundup-both")];
    print_message("roundup-both is in story %llu (Keldan %llu, Skarholm %llu)\n", (unsigned long long)rb,
                  (unsigned long long)k, (unsigned long long)s);
    for (size_t i = 0; i < r.n; i++) free(r.ids[i]);
}

/* One run of stories on a generated corpus: each record's story and the
 * counts, on threads threads taking chunk records at a time. */
static void stories_of(const char *path, unsigned threads, size_t chunk, size_t max_bucket,
                       uint64_t *story, size_t n, rp_stats *s)
{
    rp__story_chunk = chunk;
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_STORIES;
    p.threads = threads;
    p.max_bucket = max_bucket;
    rp_engine *e = run_engine(&p, path);
    for (size_t i = 0; i < n; i++) story[i] = rp_engine_story_of(e, i);
    rp_engine_stats(e, s);
    rp_engine_free(e);
    rp__story_chunk = 1024;
}

/* Candidates are scored by whichever thread takes a document's chunk: the
 * stories and every count are those of one thread taking all, with buckets
 * small enough to be chained and large enough to pair in full. */
static void test_threads_change_no_story(void **state)
{
    (void)state;
    enum { DOCS = 400, WORDS = 60 };
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int d = 0; d < DOCS; d++) {
        fprintf(m, "{\"id\": \"g%d\", \"text\": \"", d);
        /* documents of one event share its names; every seventh reports two
         * events, and which story it joins depends on the order edges are
         * taken in */
        int event = d % 37, other = d % 7 == 0 ? (d / 7) % 37 : event;
        for (int w = 0; w < 70; w++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (w % 5 == 0) fprintf(m, "Name%dx%d ", w % 2 ? event : other, (int)(x % 3));
            else fprintf(m, "word%c%c ", 'a' + (int)(x % WORDS) / 26 % 26, 'a' + (int)(x % WORDS) % 26);
        }
        fprintf(m, "\"}\n");
    }
    fclose(m);
    const char *path = write_temp("story-threads.jsonl", all, len);
    free(all);
    static uint64_t one[DOCS], many[DOCS];
    for (size_t max_bucket = 4; max_bucket <= 256; max_bucket *= 8) {
        rp_stats s1, sn;
        stories_of(path, 1, (size_t)1 << 30, max_bucket, one, DOCS, &s1);
        assert_true(s1.clusters > 0);
        if (max_bucket == 4) assert_true(s1.truncated_buckets > 0);
        for (unsigned threads = 1; threads <= 3; threads++) {
            stories_of(path, threads, 1, max_bucket, many, DOCS, &sn);
            assert_memory_equal(one, many, sizeof(one));
            assert_int_equal(s1.candidate_pairs, sn.candidate_pairs);
            assert_int_equal(s1.similar_pairs, sn.similar_pairs);
            assert_int_equal(s1.truncated_buckets, sn.truncated_buckets);
            assert_int_equal(s1.clusters, sn.clusters);
        }
    }
}

int main(void)
{
    char err[RP_MSG_MAX];
    if (rp__lexicon_load(err) != RP_OK) {
        fprintf(stderr, "test_story: %s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds_one_story),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_threads_change_no_story),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
