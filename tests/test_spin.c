/* test_spin.c — --spin: keys of synonyms, word forms and numbers meet; spun
 * copies of the seeds and of the sample corpus are paired with their
 * originals and aligned, where plain matching does not; unrelated articles
 * of the same topic are not paired. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>

#include "spinner.h"
#include "test_util.h"

/* The key of one word: its spin key with a spinner, its own hash without. */
static uint64_t key_of(rp_tokenizer *tok, rp_spinner *spin, const char *w)
{
    const uint64_t *h;
    const rp_span *sp;
    size_t n;
    assert_int_equal(rp_tokenize(tok, w, strlen(w), &h, &sp, &n), RP_OK);
    assert_int_equal(n, 1);
    if (spin) assert_int_equal(rp_spin(spin, tok, h, n, &h), RP_OK);
    return h[0];
}

static void test_keys(void **state)
{
    (void)state;
    rp_tokenizer *tok = rp_tokenizer_create();
    rp_tokenizer *plain = rp_tokenizer_create();
    rp_spinner *spin = rp_spinner_create();
    /* synonyms (one sense of each), word forms, numbers */
    static const char *const same[][2] = {
        {"said", "stated"}, {"told", "tell"},  {"held", "holds"},    {"men", "man"},
        {"two", "2"},       {"big", "large"},  {"rare", "uncommon"}, {"Summit", "summits"},
        {"elevating", "elevated"},
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        if (key_of(tok, spin, same[i][0]) != key_of(tok, spin, same[i][1]))
            fail_msg("%s and %s should meet", same[i][0], same[i][1]);
    }
    /* different meanings stay apart; function words are themselves */
    static const char *const apart[][2] = {
        {"lighthouse", "storm"}, {"putin", "kim"}, {"the", "a"}, {"russia", "korea"},
        {"war", "peace"},        {"of", "in"},
    };
    for (size_t i = 0; i < sizeof(apart) / sizeof(apart[0]); i++) {
        if (key_of(tok, spin, apart[i][0]) == key_of(tok, spin, apart[i][1]))
            fail_msg("%s and %s should differ", apart[i][0], apart[i][1]);
    }
    assert_true(rp__is_function_word(key_of(plain, NULL, "the")));
    assert_int_equal(key_of(tok, spin, "the"), key_of(plain, NULL, "the"));
    assert_false(rp__is_function_word(key_of(plain, NULL, "lighthouse")));
    /* a step after the tokenizer: its spans and hashes stay as they were */
    const char *text = "The two men held a rare summit in Russia’s Far East.";
    const uint64_t *h;
    const rp_span *sp, *sp2;
    size_t n, n2;
    assert_int_equal(rp_tokenize(plain, text, strlen(text), &h, &sp2, &n2), RP_OK);
    uint64_t lit[64];
    memcpy(lit, h, n2 * sizeof(uint64_t));
    assert_int_equal(rp_tokenize(tok, text, strlen(text), &h, &sp, &n), RP_OK);
    const uint64_t *keys;
    assert_int_equal(rp_spin(spin, tok, h, n, &keys), RP_OK);
    assert_int_equal(n, n2);
    assert_memory_equal(sp, sp2, n * sizeof(rp_span));
    assert_memory_equal(h, lit, n * sizeof(uint64_t));
    assert_true(memcmp(keys, lit, n * sizeof(uint64_t)) != 0);
    rp_spinner_free(spin);
    rp_tokenizer_free(tok);
    rp_tokenizer_free(plain);
}

/* ------------------------------------------------------ corpora */

typedef struct {
    char *id;
    char *text;
    int family;              /* documents of one family may share passages */
    int origin;              /* spun copies: index of their original, else -1 */
} doc;

typedef struct {
    doc *d;
    size_t n, cap;
} docs;

static void add_doc(docs *ds, const char *id, const char *text, int family, int origin)
{
    if (ds->n == ds->cap) ds->d = realloc(ds->d, (ds->cap = ds->cap * 2 + 16) * sizeof(doc));
    ds->d[ds->n++] = (doc){strdup(id), strdup(text), family, origin};
}

static void docs_free(docs *ds)
{
    for (size_t i = 0; i < ds->n; i++) free(ds->d[i].id), free(ds->d[i].text);
    free(ds->d);
}

static const char *write_docs(const docs *ds, const char *name)
{
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    for (size_t i = 0; i < ds->n; i++) {
        json_t *o = json_pack("{s:s, s:s}", "id", ds->d[i].id, "text", ds->d[i].text);
        char *line = json_dumps(o, JSON_COMPACT);
        fprintf(m, "%s\n", line);
        free(line);
        json_decref(o);
    }
    fclose(m);
    const char *path = write_temp(name, all, len);
    free(all);
    return path;
}

typedef struct {
    const docs *ds;
    double *cover;           /* per spun copy: coverage of it by its original */
    int *spun_rel;           /* per spun copy: reported as "spun" */
    double *ident;           /* per spun copy: share of its words matched to its original */
    size_t false_pairs;
} outcome;

static size_t index_of(const docs *ds, const rp_id *id)
{
    for (size_t i = 0; i < ds->n; i++)
        if (strlen(ds->d[i].id) == id->len && memcmp(ds->d[i].id, id->str, id->len) == 0) return i;
    fail_msg("unknown id %.*s", (int)id->len, id->str);
    return 0;
}

static int judge(void *user, const rp_alignment *al)
{
    outcome *o = user;
    size_t a = index_of(o->ds, &al->a), b = index_of(o->ds, &al->b);
    const doc *da = &o->ds->d[a], *db = &o->ds->d[b];
    if (db->origin == (int)a) {
        o->cover[b] = al->coverage_b;
        o->spun_rel[b] = al->relation == RP_REL_SPUN;
        uint64_t m = 0, wb = 0;
        for (size_t k = 0; k < al->n_passages; k++) m += al->passages[k].matches, wb += al->passages[k].b_words;
        o->ident[b] = al->coverage_b > 0 ? (double)m / ((double)wb / al->coverage_b) : 0;
    } else if (da->family != db->family) {
        o->false_pairs++;
    }
    return 0;
}

static void outcome_free(outcome *o)
{
    free(o->cover);
    free(o->spun_rel);
    free(o->ident);
}

/* Jaccard of each spun copy's pair with its original, as pairs/dedup verify
 * it (word 5-gram shingles), when at the run's threshold; else 0. */
static int note_pair(void *user, const rp_pair *pr)
{
    outcome *o = user;
    const doc *da = &o->ds->d[pr->a_index], *db = &o->ds->d[pr->b_index];
    if (db->origin == (int)pr->a_index) o->cover[pr->b_index] = pr->jaccard;
    else if (da->family != db->family) o->false_pairs++;
    return 0;
}

/* Runs align (judge) or, for RP_TASK_DEDUP, pairs at threshold (note_pair). */
static void run_task(const docs *ds, const char *path, rp_task task, int spin, double threshold,
                     outcome *o)
{
    rp_params p;
    rp_params_init(&p);
    p.task = task;
    p.spin = spin;
    p.threads = 2;
    if (task == RP_TASK_DEDUP) p.threshold = threshold;
    rp_engine *e = run_engine(&p, path);
    o->ds = ds;
    o->cover = calloc(ds->n, sizeof(double));
    o->spun_rel = calloc(ds->n, sizeof(int));
    o->ident = calloc(ds->n, sizeof(double));
    o->false_pairs = 0;
    if (task == RP_TASK_ALIGN) assert_int_equal(rp_engine_foreach_alignment(e, judge, o), RP_OK);
    else assert_int_equal(rp_engine_foreach_pair(e, note_pair, o), RP_OK);
    rp_engine_free(e);
}

static void run(const docs *ds, const char *path, int spin, outcome *o)
{
    run_task(ds, path, RP_TASK_ALIGN, spin, 0, o);
}

static void run_pairs(const docs *ds, const char *path, int spin, double threshold, outcome *o)
{
    run_task(ds, path, RP_TASK_DEDUP, spin, threshold, o);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    s[fread(s, 1, (size_t)n, f)] = 0;
    fclose(f);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The seeds other than the spun one (002, whose original is not among them),
 * each with a copy spun as heavily as seed 002 (half the words WordNet has a
 * synonym for). --spin aligns nearly all of each copy with its original,
 * matching far more of its words, and calls it spun; plain matching aligns
 * less, with gaps where the synonyms are, and cannot say it was disguised.
 * As near-duplicates (pairs, dedup at Jaccard 0.3) only --spin finds them. */
static void test_seeds_spun(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/../shared/seeds", REPRINT_SOURCE_DIR);
    DIR *d = opendir(dir);
    if (!d) skip();
    char *names[16];
    size_t nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 16)
        if (strstr(de->d_name, ".txt")) names[nn++] = strdup(de->d_name);
    closedir(d);
    qsort(names, nn, sizeof(char *), cmp_str);
    spinner sp = {0x9E3779B97F4A7C15ULL, rp_tokenizer_create(), 0, 0, 0};
    docs ds = {0};
    for (size_t i = 0; i < nn; i++) {
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        char *text = slurp(path);
        assert_non_null(text);
        add_doc(&ds, names[i], text, 0, -1);
        free(text);
    }
    size_t originals = ds.n;
    for (size_t i = 0; i < originals; i++) {
        if (strncmp(names[i], "002", 3) == 0) continue;
        char *spun = spin_text(&sp, ds.d[i].text, 0.5);
        char id[64];
        snprintf(id, sizeof(id), "spun-%.3s", names[i]);
        add_doc(&ds, id, spun, 0, (int)i);
        free(spun);
    }
    print_message("seeds: %zu content words, %zu with a WordNet synonym, %zu replaced\n",
                  sp.content, sp.replaceable, sp.replaced);
    const char *path = write_docs(&ds, "spin-seeds.jsonl");
    outcome with, without, pairs_with, pairs_without;
    run(&ds, path, 1, &with);
    run(&ds, path, 0, &without);
    run_pairs(&ds, path, 1, 0.3, &pairs_with);
    run_pairs(&ds, path, 0, 0.3, &pairs_without);
    for (size_t i = originals; i < ds.n; i++) {
        print_message("%s: aligned %.2f of it, %.2f of its words matched, %s with --spin; "
                      "%.2f, %.2f, %s without; Jaccard %.2f with --spin, %s without\n",
                      ds.d[i].id, with.cover[i], with.ident[i], with.spun_rel[i] ? "spun" : "not spun",
                      without.cover[i], without.ident[i], without.spun_rel[i] ? "spun" : "not spun",
                      pairs_with.cover[i], pairs_without.cover[i] > 0 ? "found" : "below 0.3");
        assert_true(with.cover[i] >= 0.85);
        assert_true(with.spun_rel[i]);
        assert_false(without.spun_rel[i]);
        assert_true(with.ident[i] >= without.ident[i] + 0.1);
        assert_true(pairs_with.cover[i] >= 0.3);
        assert_true(pairs_without.cover[i] == 0);
    }
    outcome_free(&with);
    outcome_free(&without);
    outcome_free(&pairs_with);
    outcome_free(&pairs_without);
    docs_free(&ds);
    rp_tokenizer_free(sp.tok);
    for (size_t i = 0; i < nn; i++) free(names[i]);
}

/* The sample corpus, each article with a copy spun at 20, 30 and 40% of its
 * replaceable content words. Families: the Keldan Point versions reuse each
 * other; every other article is its own family, several of them about
 * lighthouses, storms and the same bay, so that a pair across families is a
 * false one. */
static int family_of(const char *id)
{
    static const char *const keldan[] = {"wire-keldan",    "gazette-reprint", "northshore-wrapped",
                                         "review-feature", "islands-edited",  "baytimes-rewrite"};
    for (size_t k = 0; k < sizeof(keldan) / sizeof(keldan[0]); k++)
        if (strcmp(id, keldan[k]) == 0) return 0;
    unsigned h = 1;
    for (const char *c = id; *c; c++) h = h * 31 + (unsigned char)*c;
    return (int)(h | 1);
}

static void test_synthetic(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/examples/news.jsonl", REPRINT_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    docs base = {0};
    char line[1 << 16];
    while (fgets(line, sizeof(line), f)) {
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        const char *id = json_string_value(json_object_get(o, "id"));
        add_doc(&base, id, json_string_value(json_object_get(o, "text")), family_of(id), -1);
        json_decref(o);
    }
    fclose(f);
    static const double rates[] = {0.2, 0.3, 0.4};
    for (size_t r = 0; r < 3; r++) {
        spinner sp = {0x2545F4914F6CDD1DULL + r, rp_tokenizer_create(), 0, 0, 0};
        docs ds = {0};
        for (size_t i = 0; i < base.n; i++) add_doc(&ds, base.d[i].id, base.d[i].text, base.d[i].family, -1);
        for (size_t i = 0; i < base.n; i++) {
            char *spun = spin_text(&sp, base.d[i].text, rates[r]);
            char id[128];
            snprintf(id, sizeof(id), "spun-%s", base.d[i].id);
            add_doc(&ds, id, spun, base.d[i].family, (int)i);
            free(spun);
        }
        const char *p = write_docs(&ds, "spin-synthetic.jsonl");
        outcome with, without, pw, pwo;
        run(&ds, p, 1, &with);
        run(&ds, p, 0, &without);
        run_pairs(&ds, p, 1, 0.3, &pw);
        run_pairs(&ds, p, 0, 0.3, &pwo);
        size_t found = 0, found_plain = 0, spun_rel = 0, copies = 0, dup = 0, dup_plain = 0;
        for (size_t i = base.n; i < ds.n; i++) {
            copies++;
            found += with.cover[i] >= 0.5;
            found_plain += without.cover[i] >= 0.5;
            spun_rel += with.spun_rel[i];
            dup += pw.cover[i] > 0;
            dup_plain += pwo.cover[i] > 0;
        }
        /* pairs across families among all documents */
        size_t cross = 0;
        for (size_t a = 0; a < ds.n; a++)
            for (size_t b = a + 1; b < ds.n; b++) cross += ds.d[a].family != ds.d[b].family;
        print_message("spin %.0f%% (%zu of %zu replaceable words): align recall %zu/%zu with --spin "
                      "(%zu called spun), %zu/%zu without; pairs (Jaccard >= 0.3) recall %zu/%zu "
                      "with --spin, %zu/%zu without; false pairs of %zu unrelated: align %zu "
                      "(%zu without), pairs %zu (%zu without)\n",
                      rates[r] * 100, sp.replaced, sp.replaceable, found, copies, spun_rel,
                      found_plain, copies, dup, copies, dup_plain, copies, cross,
                      with.false_pairs, without.false_pairs, pw.false_pairs, pwo.false_pairs);
        assert_true(found * 10 >= copies * 9); /* recall >= 0.9 */
        assert_true(spun_rel * 10 >= copies * 8);
        assert_true(dup * 10 >= copies * 8);
        assert_true(dup >= dup_plain);
        if (rates[r] >= 0.3) assert_true(dup > dup_plain);
        assert_int_equal(with.false_pairs, 0);
        assert_int_equal(pw.false_pairs, 0);
        outcome_free(&with);
        outcome_free(&without);
        outcome_free(&pw);
        outcome_free(&pwo);
        docs_free(&ds);
        rp_tokenizer_free(sp.tok);
    }
    docs_free(&base);
}

int main(void)
{
    char err[RP_MSG_MAX];
    if (rp__lexicon_load(err) != RP_OK) {
        fprintf(stderr, "test_spin: %s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_seeds_spun),
        cmocka_unit_test(test_synthetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
