/* test_story.c — stories: the five seeds are one story; the Keldan Point
 * versions of the sample corpus are one story that articles on the same
 * coast, topic and places do not join; spun copies join their original's
 * story; a document reporting two events does not chain their stories;
 * on 20,000 documents of many genres, each event's reports make one story
 * and nothing else joins it; the candidate edges are sorted as the
 * clustering takes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sys/stat.h>

#include "internal.h"
#include "spinner.h"
#include "prose.h"
#include "test_util.h"

static int by_similarity_then_pair(const void *x, const void *y)
{
    const rp_story_edge *a = x, *b = y;
    if (a->sim != b->sim) return a->sim > b->sim ? -1 : 1;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* The radix sort of the edges gives qsort's order by (similarity down, a,
 * b): ties of all three kinds, similarities of every byte, the largest
 * document number; none and one edge. */
static void test_edges_sorted_as_clustering_takes_them(void **state)
{
    (void)state;
    enum { N = 50000 };
    rp_story_edge *e = malloc(N * sizeof(*e)), *want = malloc(N * sizeof(*e));
    assert_non_null(e);
    assert_non_null(want);
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < N; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint32_t a = (uint32_t)(x % (round ? 70000 : 40)),
                     b = a + 1 + (uint32_t)((x >> 20) % (round ? 5000000 : 30));
            float sims[] = {0.3f, 0.5f, 1.0f, 0.30000001f};
            float sim = x >> 40 & 1 ? sims[x >> 41 & 3] : 0.3f + (float)((x >> 24) % 1000003) / 1500000.0f;
            if (round == 2 && i == N / 2) b = UINT32_MAX;
            e[i] = (rp_story_edge){a, b, sim};
        }
        memcpy(want, e, N * sizeof(*e));
        qsort(want, N, sizeof(*want), by_similarity_then_pair);
        assert_int_equal(rp__story_edges_sort(e, N), 0);
        for (size_t i = 0; i < N; i++) {
            assert_int_equal(e[i].a, want[i].a);
            assert_int_equal(e[i].b, want[i].b);
            assert_true(e[i].sim == want[i].sim);
        }
    }
    assert_int_equal(rp__story_edges_sort(e, 0), 0);
    assert_int_equal(rp__story_edges_sort(e, 1), 0);
    free(e);
    free(want);
}

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
                       uint64_t memory, uint64_t *story, size_t n, rp_stats *s)
{
    rp__hooks.story_chunk = chunk;
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_STORIES;
    p.threads = threads;
    p.max_bucket = max_bucket;
    p.memory_limit = memory;
    rp_engine *e = run_engine(&p, path);
    for (size_t i = 0; i < n; i++) story[i] = rp_engine_story_of(e, i);
    rp_engine_stats(e, s);
    rp_engine_free(e);
    rp__hooks.story_chunk = 1024;
}

/* Candidates are scored by whichever thread takes a document's chunk: the
 * stories and every count are those of one thread taking all, with buckets
 * small enough to be chained and large enough to pair in full, and with
 * the documents' vectors and the edges in a file (--memory smaller than
 * they are), and with the candidates' places in 64 bits, as past 2^30. */
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
        stories_of(path, 1, (size_t)1 << 30, max_bucket, 0, one, DOCS, &s1);
        assert_true(s1.clusters > 0);
        assert_int_equal(s1.spilled_bytes, 0);
        if (max_bucket == 4) assert_true(s1.truncated_buckets > 0);
        for (unsigned threads = 1; threads <= 4; threads++) {
            /* the fourth run: three threads, the vectors in their file */
            uint64_t memory = threads == 4 ? 16 << 10 : 0;
            rp__hooks.edges_held = 16; /* runs of 16 edges */
            rp__hooks.story_wide_places = threads == 2; /* the places in 64 bits */
            stories_of(path, threads == 4 ? 3 : threads, 1, max_bucket, memory, many, DOCS, &sn);
            rp__hooks.edges_held = SIZE_MAX;
            rp__hooks.story_wide_places = 0;
            if (memory) assert_true(sn.spilled_bytes > 16 << 10);
            /* and the edges in sorted runs, merged as they are clustered */
            if (memory) assert_true(sn.spill_partitions > 3);
            else assert_int_equal(sn.spill_partitions, 0);
            assert_memory_equal(one, many, sizeof(one));
            assert_int_equal(s1.candidate_pairs, sn.candidate_pairs);
            assert_int_equal(s1.similar_pairs, sn.similar_pairs);
            assert_int_equal(s1.truncated_buckets, sn.truncated_buckets);
            assert_int_equal(s1.clusters, sn.clusters);
        }
    }
}

/* Events at scale. GENRES genres (the kind of story: a match report, a
 * council meeting, a court case), each with its topic words and REGULARS
 * recurring names (the home team, the mayor, the judge) that most of its
 * documents use; FAMILIES events, each reported by 3 to 15 documents
 * written independently from the event's own names, number and terms
 * (half of its topic words are its genre's), each opening with who did
 * what where; every other document a one-off of its genre with names of
 * its own. What a story must not do is
 * take in the genre: its words, its regulars, its formulae. */
#define GENRES 25
#define REGULARS 2
#define FAMILIES 300

static size_t scale_docs(void)
{
    const char *v = getenv("REPRINT_STORY_DOCS");
    return v && *v ? (size_t)strtoul(v, NULL, 10) : 20000;
}

static void genre_topic(const topic *genre, topic *t)
{
    make_topic(t);
    for (int k = 0; k < TOPIC_WORDS / 2; k++) t->nouns[k] = genre->nouns[k];
    for (int k = 0; k < TOPIC_WORDS / 4; k++) t->verbs[k] = genre->verbs[k], t->adjs[k] = genre->adjs[k];
    for (int k = 0; k < REGULARS; k++) memcpy(t->names[k], genre->names[k], sizeof(t->names[k]));
}

static void test_events_at_scale(void **state)
{
    (void)state;
    size_t n_docs = scale_docs();
    rng = 0xE7E175ULL;
    topic genres[GENRES], *events = calloc(FAMILIES, sizeof(topic));
    for (int g = 0; g < GENRES; g++) make_topic(&genres[g]);
    int *family = calloc(n_docs, sizeof(int)); /* -1: a one-off */
    size_t at = 0;
    for (int f = 0; f < FAMILIES; f++) {
        genre_topic(&genres[f % GENRES], &events[f]);
        for (size_t k = 0, n = 3 + pick(13); k < n && at < n_docs; k++) family[at++] = f;
    }
    size_t in_families = at;
    while (at < n_docs) family[at++] = -1;
    /* shuffled, so that a family's documents are spread over the input */
    for (size_t k = n_docs - 1; k > 0; k--) {
        size_t j = pick(k + 1);
        int t = family[k];
        family[k] = family[j], family[j] = t;
    }
    text j = {0};
    for (size_t d = 0; d < n_docs; d++) {
        topic own;
        if (family[d] < 0) genre_topic(&genres[pick(GENRES)], &own);
        const topic *t = family[d] < 0 ? &own : &events[family[d]];
        doc_plan plan = {0, {{0}}, 10 + pick(10)};
        for (size_t k = 0; k < plan.n; k++) make_sentence(t, &plan.s[k]);
        /* the lead says who, where and how many: the event's own */
        sentence *lead = &plan.s[0];
        snprintf(lead->subj, sizeof(lead->subj), "%s", t->names[2]);
        snprintf(lead->place, sizeof(lead->place), "%s", t->nouns[TOPIC_WORDS - 1]);
        snprintf(lead->who, sizeof(lead->who), "%s", t->names[3]);
        lead->prep = 0, lead->clause = 0;
        text body = {0};
        write_sentences(&plan, 0, plan.n, &body);
        put_record(&j, 's', d, body.s);
        free(body.s);
    }
    const char *path = write_temp("reprint_events.jsonl", j.s, j.len);
    free(j.s);
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_STORIES;
    rp_engine *e = run_engine(&p, path);
    /* purity: of the documents in stories, those of their story's commonest
     * family (a one-off is a family of its own) */
    uint64_t *story = calloc(n_docs, sizeof(uint64_t));
    uint64_t n_stories = 0;
    for (size_t d = 0; d < n_docs; d++) {
        story[d] = rp_engine_story_of(e, d);
        if (story[d] > n_stories) n_stories = story[d];
    }
    size_t *count = calloc((n_stories + 1) * (FAMILIES + 1), sizeof(size_t));
    size_t clustered = 0, majority = 0, one_offs_in = 0;
    for (size_t d = 0; d < n_docs; d++) {
        if (!story[d]) continue;
        clustered++;
        one_offs_in += family[d] < 0;
        count[story[d] * (FAMILIES + 1) + (size_t)(family[d] + 1)]++;
    }
    for (uint64_t s = 1; s <= n_stories; s++) {
        size_t best = 0, size = 0;
        for (int f = 0; f <= FAMILIES; f++) {
            size_t c = count[s * (FAMILIES + 1) + (size_t)f];
            size += c;
            if (f > 0 && c > best) best = c;
        }
        majority += best ? best : size ? 1 : 0; /* a story of one-offs: one of them is its own */
    }
    /* each family's members in one story */
    size_t whole = 0, found = 0;
    for (int f = 0; f < FAMILIES; f++) {
        uint64_t first = 0;
        int split = 0;
        size_t members = 0, in = 0;
        for (size_t d = 0; d < n_docs; d++) {
            if (family[d] != f) continue;
            members++;
            if (!story[d]) continue;
            in++;
            if (!first) first = story[d];
            else split |= story[d] != first;
        }
        whole += !split && in == members;

        found += in;
    }
    double purity = clustered ? (double)majority / (double)clustered : 1;
    print_message("%zu documents, %d events (%zu reports), %d genres: %llu stories, %zu documents "
                  "in them (%zu one-offs); purity %.4f; events whole in one story %zu of %d; "
                  "reports in a story %.4f\n", n_docs, FAMILIES, in_families, GENRES,
                  (unsigned long long)n_stories, clustered, one_offs_in, purity, whole, FAMILIES,
                  (double)found / (double)in_families);
    assert_true(purity >= 0.95);
    assert_true(whole * 100 >= FAMILIES * 95);
    rp_engine_free(e);
    if (!getenv("REPRINT_KEEP_CORPUS")) remove(path);
    free(count), free(story), free(family), free(events);
}

int main(void)
{
    char err[RP_MSG_MAX];
    if (rp__lexicon_load(err) != RP_OK || prose_load() != 0) {
        fprintf(stderr, "test_story: %s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_sorted_as_clustering_takes_them),
        cmocka_unit_test(test_seeds_one_story),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_threads_change_no_story),
        cmocka_unit_test(test_events_at_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
