/* test_source.c — who copied whom: copies of known originals, of each kind
 * a reprint takes, and how often align names the source and how often it is
 * right.
 *
 * The test writes 40 made-up English articles (sentences from a small
 * grammar over everyday words, so that WordNet knows them) and five copies
 * of each: wrapped in another site's header and footer; abridged (a sixth
 * of its sentences cut from inside); three of its sentences excerpted into
 * another article; spun (content words swapped for WordNet synonyms, as the
 * tests' spinner does); lightly edited with five typos. No dates: the
 * source must come from the texts. Asserted: a source is claimed for most
 * (original, copy) pairs and is right at least 95% of the time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "spinner.h"
#include "test_util.h"

#define N_ORIG 40
#define N_KINDS 5

static const char *kind_name[N_KINDS] = {"wrapped", "abridged", "excerpted", "spun", "typos"};

static uint64_t rng = 0x1234567;

static size_t pick(size_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (size_t)(rng % n);
}

static const char *nouns[] = {
    "council", "harbour", "village", "bridge", "school", "farmer", "river", "market", "teacher",
    "museum", "station", "garden", "island", "factory", "doctor", "library", "storm", "budget",
    "road", "church", "forest", "captain", "mayor", "hospital", "festival", "train", "boat",
    "company", "worker", "family", "child", "police", "court", "judge", "window", "tower",
    "engine", "letter", "report", "meeting", "winter", "summer", "field", "castle", "ship",
    "island", "valley", "lake", "mountain", "coast", "city", "street", "office", "plan",
    "election", "minister", "project", "price", "crowd", "player", "team", "season", "match"};
static const char *verbs[] = {
    "opened", "closed", "built", "repaired", "visited", "praised", "blamed", "sold", "bought",
    "found", "lost", "moved", "raised", "cut", "approved", "rejected", "watched", "carried",
    "painted", "cleaned", "protected", "damaged", "flooded", "crossed", "joined", "left",
    "welcomed", "warned", "helped", "asked", "answered", "started", "finished", "planned"};
static const char *adjs[] = {
    "old", "new", "small", "large", "quiet", "busy", "famous", "local", "stone", "wooden",
    "heavy", "strong", "narrow", "wide", "early", "late", "bright", "dark", "cold", "warm",
    "young", "proud", "angry", "happy", "careful", "sudden", "long", "short", "rich", "poor"};
static const char *names[] = {"Marta Olsen", "Tomas Vell", "Ines Kaur", "Piet Laan",
                              "Ruth Adeyemi", "Karl Moss", "Lena Brandt", "Omar Haddad"};

#define W(list) list[pick(sizeof(list) / sizeof(list[0]))]

/* One sentence, into t. */
static void sentence(char *t, size_t cap)
{
    size_t at = strlen(t);
    switch (pick(4)) {
    case 0:
        snprintf(t + at, cap - at, "The %s %s %s the %s %s near the %s. ", W(adjs), W(nouns),
                 W(verbs), W(adjs), W(nouns), W(nouns));
        break;
    case 1:
        snprintf(t + at, cap - at, "\"We %s the %s because the %s was %s,\" said %s of the %s. ",
                 W(verbs), W(nouns), W(nouns), W(adjs), W(names), W(nouns));
        break;
    case 2:
        snprintf(t + at, cap - at, "After the %s %s, the %s %s a %s %s in the %s. ", W(adjs),
                 W(nouns), W(nouns), W(verbs), W(adjs), W(nouns), W(nouns));
        break;
    default:
        snprintf(t + at, cap - at, "%s %s the %s and the %s on %s, when the %s was %s. ", W(names),
                 W(verbs), W(nouns), W(nouns), pick(2) ? "Monday" : "Friday", W(nouns), W(adjs));
    }
}

typedef struct {
    char *text[N_ORIG * (N_KINDS + 1)];
    int orig[N_ORIG * (N_KINDS + 1)]; /* the original of a copy, -1 for an original */
    int kind[N_ORIG * (N_KINDS + 1)];
    size_t n;
} corpus;

/* An article: sentence ends give its sentences' places. */
static char *article(size_t sentences)
{
    size_t cap = sentences * 200 + 1;
    char *t = calloc(1, cap);
    for (size_t s = 0; s < sentences; s++) sentence(t, cap);
    return t;
}

/* The sentences [from, to) of t (split after ". "). */
static char *sentences_of(const char *t, size_t from, size_t to, size_t skip_from, size_t skip_to)
{
    char *out = calloc(1, strlen(t) + 1);
    size_t k = 0, o = 0;
    for (const char *p = t; *p; k++) {
        const char *e = strstr(p, ". ");
        e = e ? e + 2 : p + strlen(p);
        if (k >= from && k < to && !(k >= skip_from && k < skip_to)) {
            memcpy(out + o, p, (size_t)(e - p));
            o += (size_t)(e - p);
        }
        p = e;
    }
    return out;
}

static char *typos(const char *t, int n)
{
    char *out = strdup(t);
    size_t len = strlen(out);
    for (int k = 0; k < n; k++) { /* swap two letters inside a word of five or more */
        for (int tries = 0; tries < 100; tries++) {
            size_t at = len / (size_t)(n + 1) * (size_t)(k + 1) + pick(40);
            if (at + 4 >= len) continue;
            size_t s = at;
            while (s > 0 && out[s - 1] != ' ') s--;
            size_t e = s;
            while (e < len && out[e] >= 'a' && out[e] <= 'z') e++;
            if (e - s < 5 || out[s + 1] == out[s + 2]) continue;
            char c = out[s + 1];
            out[s + 1] = out[s + 2];
            out[s + 2] = c;
            break;
        }
    }
    return out;
}

static void add(corpus *c, char *text, int orig, int kind)
{
    c->text[c->n] = text;
    c->orig[c->n] = orig;
    c->kind[c->n++] = kind;
}

static void make(corpus *c)
{
    char err[RP_MSG_MAX];
    assert_int_equal(rp__lexicon_load(err), RP_OK); /* opens WordNet, which the spinner asks */
    spinner sp = {0x5EED5EEDULL, rp_tokenizer_create(), 0, 0, 0};
    for (int o = 0; o < N_ORIG; o++) add(c, article(18), -1, -1);
    for (int o = 0; o < N_ORIG; o++) {
        const char *t = c->text[o];
        char head[256], foot[256];
        snprintf(head, sizeof(head), "The %s %s Gazette | Home | News | Sport | Weather\n\n",
                 W(adjs), W(nouns));
        snprintf(foot, sizeof(foot), "\n\nShare this story. Copyright 2026 the %s %s Gazette, "
                 "all rights reserved.", W(adjs), W(nouns));
        size_t n = strlen(head) + strlen(t) + strlen(foot) + 1;
        char *w = malloc(n);
        snprintf(w, n, "%s%s%s", head, t, foot);
        add(c, w, o, 0);
        add(c, sentences_of(t, 0, 18, 6, 9), o, 1); /* three of 18 cut inside */
        char *host = article(10), *quote = sentences_of(t, 7, 10, 0, 0);
        char *host_a = sentences_of(host, 0, 5, 0, 0), *host_b = sentences_of(host, 5, 10, 0, 0);
        n = strlen(host) + strlen(quote) + 8;
        char *x = malloc(n);
        snprintf(x, n, "%s\n\n%s\n\n%s", host_a, quote, host_b);
        add(c, x, o, 2);
        free(host), free(quote), free(host_a), free(host_b);
        add(c, spin_text(&sp, t, 0.4), o, 3);
        add(c, typos(t, 5), o, 4);
    }
    print_message("spinner: %zu content words, %zu replaced\n", sp.content, sp.replaced);
    rp_tokenizer_free(sp.tok);
}

typedef struct {
    const corpus *c;
    size_t pairs[N_KINDS], claimed[N_KINDS], right[N_KINDS];
} tally;

static int count(void *user, const rp_alignment *al)
{
    tally *t = user;
    size_t a = id_number(&al->a), b = id_number(&al->b);
    const corpus *c = t->c;
    /* only (original, its copy): a precedes b, and originals come first */
    if (c->orig[a] != -1 || c->orig[b] != (int)a) return 0;
    int k = c->kind[b];
    t->pairs[k]++;
    if (getenv("REPRINT_SOURCE_DEBUG") && (al->source != RP_SOURCE_A))
        print_message("%s d%zu d%zu: %s, %s, cov %.3f %.3f, %zu passages\n", kind_name[k], a, b,
                      rp_relation_name(al->relation),
                      al->source_evidence ? al->source_evidence : "no source", al->coverage_a,
                      al->coverage_b, al->n_passages);
    if (al->source == RP_SOURCE_UNKNOWN) return 0;
    t->claimed[k]++;
    t->right[k] += al->source == RP_SOURCE_A;
    return 0;
}

static void test_source(void **state)
{
    (void)state;
    corpus c;
    memset(&c, 0, sizeof(c));
    make(&c);
    size_t cap = 1 << 20, len = 0;
    char *jsonl = malloc(cap);
    for (size_t d = 0; d < c.n; d++) {
        size_t need = strlen(c.text[d]) * 2 + 64;
        if (len + need > cap) jsonl = realloc(jsonl, cap = (len + need) * 2);
        len += (size_t)snprintf(jsonl + len, cap - len, "{\"id\": \"d%zu\", \"text\": \"", d);
        for (const char *p = c.text[d]; *p; p++) {
            if (*p == '"' || *p == '\\') jsonl[len++] = '\\';
            if (*p == '\n') {
                jsonl[len++] = '\\';
                jsonl[len++] = 'n';
                continue;
            }
            jsonl[len++] = *p;
        }
        len += (size_t)snprintf(jsonl + len, cap - len, "\"}\n");
    }
    const char *path = write_temp("reprint_source.jsonl", jsonl, len);
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_ALIGN;
    p.spin = 1;
    rp_engine *e = run_engine(&p, path);
    tally t;
    memset(&t, 0, sizeof(t));
    t.c = &c;
    assert_int_equal(rp_engine_foreach_alignment(e, count, &t), RP_OK);
    size_t pairs = 0, claimed = 0, right = 0;
    for (int k = 0; k < N_KINDS; k++) {
        print_message("%-9s %2zu pairs, source claimed for %2zu, right %2zu\n", kind_name[k],
                      t.pairs[k], t.claimed[k], t.right[k]);
        pairs += t.pairs[k], claimed += t.claimed[k], right += t.right[k];
    }
    print_message("all: %zu pairs, claimed %.2f, precision %.3f\n", pairs,
                  (double)claimed / (double)pairs, claimed ? (double)right / (double)claimed : 0);
    assert_true(pairs >= N_ORIG * N_KINDS * 95 / 100); /* every copy is found */
    assert_true(claimed * 100 >= pairs * 60);          /* a source for most */
    assert_true(right * 100 >= claimed * 95);          /* and right */
    rp_engine_free(e);
    remove(path);
    free(jsonl);
    for (size_t d = 0; d < c.n; d++) free(c.text[d]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
