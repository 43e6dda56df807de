/* test_align.c — passage alignment: offsets, gap tolerance, merging,
 * relations and sources, the fingerprint guarantee, and the seeds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reprint.h"
#include "test_util.h"

#include <jansson.h>
#include <sys/stat.h>

#define TOL 3 /* characters an expected boundary may be off by (punctuation) */

static char *sample(const char *id)
{
    json_error_t err;
    char path[1024];
    snprintf(path, sizeof(path), "%s/examples/news.jsonl", REPRINT_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[65536];
    char *found = NULL;
    while (!found && fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, &err);
        assert_non_null(j);
        if (strcmp(json_string_value(json_object_get(j, "id")), id) == 0)
            found = strdup(json_string_value(json_object_get(j, "text")));
        json_decref(j);
    }
    fclose(f);
    assert_non_null(found);
    return found;
}

static uint32_t cps(const char *s, size_t nbytes)
{
    uint32_t n = 0;
    for (size_t i = 0; i < nbytes; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Byte ranges of the whitespace-separated chunks of s. */
static size_t chunks(const char *s, size_t *start, size_t *end, size_t cap)
{
    size_t n = 0, i = 0, len = strlen(s);
    while (i < len && n < cap) {
        while (i < len && (s[i] == ' ' || s[i] == '\n')) i++;
        if (i >= len) break;
        start[n] = i;
        while (i < len && s[i] != ' ' && s[i] != '\n') i++;
        end[n++] = i;
    }
    return n;
}

static void assert_near(long got, long want)
{
    if (labs(got - want) > TOL) fail_msg("offset %ld, expected %ld (+-%d)", got, want, TOL);
}

static char *concat(const char *a, const char *b, size_t b_len, const char *c)
{
    size_t la = strlen(a), lc = strlen(c);
    char *s = malloc(la + b_len + lc + 1);
    memcpy(s, a, la);
    memcpy(s + la, b, b_len);
    memcpy(s + la + b_len, c, lc + 1);
    return s;
}

/* Replaces the chunk [s, e) of text (bytes) by word; returns a new string. */
static char *replace_chunk(const char *text, size_t s, size_t e, const char *word)
{
    size_t len = strlen(text), lw = strlen(word);
    char *out = malloc(len - (e - s) + lw + 1);
    memcpy(out, text, s);
    memcpy(out + s, word, lw);
    memcpy(out + s + lw, text + e, len - e + 1);
    return out;
}

static rp_aligner *aligner(void)
{
    rp_params p;
    rp_params_init(&p);
    rp_aligner *al = rp_aligner_create(&p);
    assert_non_null(al);
    return al;
}

/* An excerpt of share (of the words) of a source with curly quotes, inside
 * unrelated text, with `edits` words changed inside it: one passage, where
 * the excerpt is in both texts. */
static void excerpt_case(double share, int edits, int framed)
{
    char *src = sample("gazette-reprint");
    char *before = framed ? sample("kitchen-soup") : strdup("");
    char *after = framed ? sample("rovers-dalby") : strdup("");
    size_t cs[1024], ce[1024];
    size_t n = chunks(src, cs, ce, 1024);
    size_t m = (size_t)(share * n + 0.5), k0 = n / 5;
    if (k0 + m > n) k0 = n - m;
    size_t xs = cs[k0], xe = ce[k0 + m - 1];
    char *excerpt = strndup(src + xs, xe - xs);
    /* edits spread inside the excerpt, never at its ends */
    for (int e = 0; e < edits; e++) {
        size_t ecs[1024], ece[1024];
        size_t en = chunks(excerpt, ecs, ece, 1024);
        size_t w = en * (size_t)(e + 1) / (size_t)(edits + 1);
        char *x = replace_chunk(excerpt, ecs[w], ece[w], e % 2 ? "lighthuose" : "zzqx");
        free(excerpt);
        excerpt = x;
    }
    char *pre = concat(before, "\n\n", 2, "");
    char *host = concat(pre, excerpt, strlen(excerpt), framed ? "\n\n" : "");
    char *host2 = concat(host, after, strlen(after), "");

    rp_aligner *al = aligner();
    rp_alignment r;
    assert_int_equal(rp_align(al, src, strlen(src), host2, strlen(host2), &r), RP_OK);
    assert_int_equal(r.n_passages, 1);
    const rp_passage *p = &r.passages[0];
    assert_near(p->a_start, cps(src, xs));
    assert_near(p->a_end, cps(src, xe));
    assert_near(p->b_start, cps(host2, strlen(pre)));
    assert_near(p->b_end, cps(host2, strlen(pre) + strlen(excerpt)));
    assert_true(p->matches >= p->words - (uint32_t)edits);
    if (edits) assert_true(p->identity < 1.0);
    else assert_true(p->identity == 1.0);
    if (!framed) {
        /* the excerpt alone is made of the source: wholly derived from it */
        assert_int_equal(r.relation, RP_REL_WHOLLY_DERIVED);
        assert_int_equal(r.source, RP_SOURCE_A);
    } else {
        assert_int_equal(r.relation, share >= 0.8 ? RP_REL_WHOLLY_DERIVED : RP_REL_PARTIALLY_DERIVED);
    }
    rp_aligner_free(al);
    free(src), free(before), free(after), free(excerpt), free(pre), free(host), free(host2);
}

static void test_excerpt_5(void **state)
{
    (void)state;
    excerpt_case(0.05, 0, 1);
    excerpt_case(0.05, 1, 1);
}

static void test_excerpt_20(void **state)
{
    (void)state;
    excerpt_case(0.20, 0, 1);
    excerpt_case(0.20, 2, 1);
    excerpt_case(0.20, 0, 0);
}

static void test_excerpt_60(void **state)
{
    (void)state;
    excerpt_case(0.60, 0, 1);
    excerpt_case(0.60, 4, 1);
    excerpt_case(0.60, 3, 0);
}

/* Paragraphs in reverse order: three passages, each where it belongs; the
 * same paragraphs in their order with one between are merged into one. */
static void test_reordered(void **state)
{
    (void)state;
    char *src = sample("wire-keldan");
    size_t len = strlen(src);
    /* cut after the sentences nearest one third and two thirds */
    size_t cut[2];
    for (int c = 0; c < 2; c++) {
        size_t at = len * (size_t)(c + 1) / 3;
        while (at < len && !(src[at] == '.' && src[at + 1] == ' ')) at++;
        cut[c] = at + 2;
    }
    size_t ps[3] = {0, cut[0], cut[1]}, pe[3] = {cut[0], cut[1], len};
    char *host = malloc(len + 16);
    size_t hl = 0, hs[3];
    for (int k = 2; k >= 0; k--) {
        hs[k] = hl;
        memcpy(host + hl, src + ps[k], pe[k] - ps[k]);
        hl += pe[k] - ps[k];
        host[hl++] = '\n';
    }
    host[hl] = 0;
    rp_aligner *al = aligner();
    rp_alignment r;
    assert_int_equal(rp_align(al, src, len, host, hl, &r), RP_OK);
    assert_int_equal(r.n_passages, 3);
    for (int k = 0; k < 3; k++) {
        const rp_passage *p = &r.passages[k]; /* in order of a */
        assert_near(p->a_start, cps(src, ps[k]));
        assert_near(p->a_end, cps(src, pe[k]));
        assert_near(p->b_start, cps(host, hs[k]));
        assert_near(p->b_end, cps(host, hs[k] + pe[k] - ps[k]));
        assert_true(p->identity == 1.0);
    }
    assert_true(r.coverage_a > 0.99 && r.coverage_b > 0.99);
    assert_int_equal(r.relation, RP_REL_NEAR_DUPLICATE);
    free(host);
    rp_aligner_free(al);
    free(src);
}

/* Boilerplate around a copy with other quote marks: one passage, all of the
 * copy; the wrapped document is the source. */
static void test_wrapped(void **state)
{
    (void)state;
    char *src = sample("wire-keldan");
    char *copy = sample("gazette-reprint"); /* the same words, curly quotes, em dash */
    const char *head = "<header>Fjord Post | News | Weather | Sport</header>\nSubscribe today. ";
    const char *foot = "\n<footer>Copyright 2026 Fjord Post. All rights reserved. More stories</footer>";
    char *host = concat(head, copy, strlen(copy), foot);
    rp_aligner *al = aligner();
    rp_alignment r;
    assert_int_equal(rp_align(al, src, strlen(src), host, strlen(host), &r), RP_OK);
    assert_int_equal(r.n_passages, 1);
    assert_near(r.passages[0].a_start, 0);
    assert_near(r.passages[0].a_end, cps(src, strlen(src)));
    assert_near(r.passages[0].b_start, cps(host, strlen(head)));
    assert_near(r.passages[0].b_end, cps(host, strlen(head) + strlen(copy)));
    assert_true(r.coverage_a == 1.0 && r.coverage_b < 1.0);
    assert_int_equal(r.relation, RP_REL_NEAR_DUPLICATE);
    assert_int_equal(r.source, RP_SOURCE_A);
    assert_string_equal(r.source_evidence, "containment");
    /* word for word the same: exact, no source */
    assert_int_equal(rp_align(al, src, strlen(src), copy, strlen(copy), &r), RP_OK);
    assert_int_equal(r.relation, RP_REL_EXACT);
    assert_int_equal(r.source, RP_SOURCE_UNKNOWN);
    rp_aligner_free(al);
    free(src), free(copy), free(host);
}

/* A changed word every 12 words does not split a 60-word passage, nor do
 * typos; a 9-word run alone is below --min-words 10 and not reported. */
static void test_gaps_and_minimum(void **state)
{
    (void)state;
    char a[4096], b[4096];
    size_t la = 0, lb = 0;
    for (int w = 0; w < 60; w++) {
        la += (size_t)snprintf(a + la, sizeof(a) - la, "alpha%d ", w);
        lb += (size_t)snprintf(b + lb, sizeof(b) - lb, w % 12 == 6 ? "changed%d " : "alpha%d ", w);
    }
    rp_aligner *al = aligner();
    rp_alignment r;
    assert_int_equal(rp_align(al, a, la, b, lb, &r), RP_OK);
    assert_int_equal(r.n_passages, 1);
    assert_int_equal(r.passages[0].words, 60);
    assert_int_equal(r.passages[0].matches, 55);
    /* 9 shared words between unrelated ones: nothing; 10: one passage */
    for (int len = 9; len <= 10; len++) {
        la = lb = 0;
        for (int w = 0; w < 30; w++) la += (size_t)snprintf(a + la, sizeof(a) - la, "left%d ", w);
        for (int w = 0; w < 30; w++) lb += (size_t)snprintf(b + lb, sizeof(b) - lb, "right%d ", w);
        for (int w = 0; w < len; w++) {
            la += (size_t)snprintf(a + la, sizeof(a) - la, "shared%d ", w);
            lb += (size_t)snprintf(b + lb, sizeof(b) - lb, "shared%d ", w);
        }
        la += (size_t)snprintf(a + la, sizeof(a) - la, "end of the left one");
        lb += (size_t)snprintf(b + lb, sizeof(b) - lb, "close of the right one");
        assert_int_equal(rp_align(al, a, la, b, lb, &r), RP_OK);
        assert_int_equal(r.n_passages, len >= 10 ? 1 : 0);
    }
    rp_aligner_free(al);
}

/* Two passages that touch by one coincidental word: the second loses the
 * word the first took, not its twenty others (it was dropped whole). */
static void test_touching_passages(void **state)
{
    (void)state;
    const char *x = "Harbour officials said the new breakwater would protect the fishing fleet "
                    "from winter storms and cost less than expected.";
    const char *y = "The council voted on Tuesday to fund the project after a long debate about "
                    "the town budget and the repairs.";
    char a[1024], b[1024];
    snprintf(a, sizeof(a), "%s\n\n%s", x, y);
    snprintf(b, sizeof(b), "%s\n\n%s\n\nThe end.", y, x);
    rp_aligner *al = aligner();
    rp_alignment r;
    assert_int_equal(rp_align(al, a, strlen(a), b, strlen(b), &r), RP_OK);
    assert_int_equal(r.n_passages, 2);
    uint32_t words = r.passages[0].matches + r.passages[1].matches;
    assert_int_equal(words, 39); /* all of x (19) and y (20) */
    assert_true(r.passages[0].a_end <= r.passages[1].a_start);
    rp_aligner_free(al);
}

/* A text made of one passage repeated 200 times, and its copy: exact, all of
 * it one passage, though every seed repeats far more than the seed cap. */
static void test_repeated_text(void **state)
{
    (void)state;
    size_t cap = 200 * 1000 * 8 + 1, len = 0;
    char *t = malloc(cap);
    for (int rep = 0; rep < 200; rep++)
        for (int w = 0; w < 1000; w++)
            len += (size_t)snprintf(t + len, cap - len, "w%d ", (w * 7919) % 5000);
    rp_aligner *al = aligner();
    rp_alignment r;
    assert_int_equal(rp_align(al, t, len, t, len, &r), RP_OK);
    assert_int_equal(r.relation, RP_REL_EXACT);
    assert_int_equal(r.n_passages, 1);
    assert_int_equal(r.passages[0].words, 200000);
    assert_true(r.coverage_a == 1.0 && r.coverage_b == 1.0);
    /* one repetition against all of them: its words found, once */
    size_t one = len / 200;
    assert_int_equal(rp_align(al, t, len, t, one, &r), RP_OK);
    assert_true(r.n_passages >= 1);
    assert_true(r.coverage_b == 1.0);
    rp_aligner_free(al);
    free(t);
}

/* A copy with a "Read more" teaser of 9 to 15 words between its paragraphs,
 * an ADVERTISEMENT line, and a dropped sentence of 30 words: one passage. */
static void test_inserted_lines(void **state)
{
    (void)state;
    char *src = sample("wire-keldan");
    size_t cs[1024], ce[1024];
    size_t n = chunks(src, cs, ce, 1024);
    assert_true(n > 200);
    for (int teaser = 9; teaser <= 15; teaser += 3) {
        /* b: words [0, 60), a teaser, [60, 120), ADVERTISEMENT, [120, 150),
         * [180, n): the words [150, 180) dropped */
        size_t cap = strlen(src) + 1024, lb = 0;
        char *b = malloc(cap);
        lb += (size_t)snprintf(b + lb, cap - lb, "%.*s\n\nRead more:", (int)(ce[59] - cs[0]), src);
        for (int w = 0; w < teaser - 2; w++) lb += (size_t)snprintf(b + lb, cap - lb, " teaserword%d", w);
        lb += (size_t)snprintf(b + lb, cap - lb, "\n\n%.*s\n\nADVERTISEMENT\n\n%.*s %s",
                               (int)(ce[119] - cs[60]), src + cs[60], (int)(ce[149] - cs[120]),
                               src + cs[120], src + cs[180]);
        rp_aligner *al = aligner();
        rp_alignment r;
        assert_int_equal(rp_align(al, src, strlen(src), b, lb, &r), RP_OK);
        assert_int_equal(r.n_passages, 1);
        uint32_t matches = r.passages[0].matches;
        assert_int_equal(rp_align(al, src, strlen(src), src, strlen(src), &r), RP_OK);
        uint32_t all = r.passages[0].matches; /* the tokenizer's words, not chunks */
        assert_true(matches + 30 <= all && matches + 36 >= all);
        assert_int_equal(rp_align(al, src, strlen(src), b, lb, &r), RP_OK);
        assert_near(r.passages[0].a_start, 0);
        assert_near(r.passages[0].a_end, cps(src, strlen(src)));
        rp_aligner_free(al);
        free(b);
    }
    free(src);
}

/* Regression (fuzz_align, clang UBSan): no passage at all sorted a NULL
 * array. Texts without a common word, and empty texts, align to nothing. */
static void test_nothing_shared(void **state)
{
    (void)state;
    rp_aligner *al = aligner();
    rp_alignment r;
    const char *a = "one two three four five six seven eight nine ten eleven twelve";
    const char *b = "uno dos tres cuatro cinco seis siete ocho nueve diez once doce";
    assert_int_equal(rp_align(al, a, strlen(a), b, strlen(b), &r), RP_OK);
    assert_int_equal(r.n_passages, 0);
    assert_true(r.coverage_a == 0 && r.coverage_b == 0);
    assert_int_equal(rp_align(al, "", 0, "", 0, &r), RP_OK);
    assert_int_equal(r.n_passages, 0);
    rp_aligner_free(al);
}

/* ------------------------------------------------------ corpus runs */

typedef struct {
    rp_alignment v[256];
    rp_passage ps[256][16];
    char ida[256][64], idb[256][64];
    size_t n;
} held;

static int hold(void *user, const rp_alignment *al)
{
    held *h = user;
    if (h->n >= 256 || al->n_passages > 16) return 1;
    rp_alignment *c = &h->v[h->n];
    *c = *al;
    memcpy(h->ps[h->n], al->passages, al->n_passages * sizeof(rp_passage));
    c->passages = h->ps[h->n];
    snprintf(h->ida[h->n], 64, "%.*s", (int)al->a.len, al->a.str);
    snprintf(h->idb[h->n], 64, "%.*s", (int)al->b.len, al->b.str);
    c->a.str = h->ida[h->n];
    c->b.str = h->idb[h->n];
    c->text_a = c->text_b = NULL;
    h->n++;
    return 0;
}

static void run_align(const char *path, held *h, int keep_text,
                      int (*fn)(void *, const rp_alignment *), void *user)
{
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_ALIGN;
    p.keep_text = keep_text;
    rp_engine *e = run_engine(&p, path);
    if (h) {
        memset(h, 0, sizeof(*h));
        assert_int_equal(rp_engine_foreach_alignment(e, hold, h), RP_OK);
    }
    if (fn) assert_int_equal(rp_engine_foreach_alignment(e, fn, user), RP_OK);
    rp_engine_free(e);
}

/* Winnowing's guarantee over a corpus: 60 pairs of random documents each
 * share one run of exactly 10 words, 60 others of 9. Every 10 is found,
 * at its place, and no 9. */
static void test_guarantee(void **state)
{
    (void)state;
    static held h;
    char path[512];
    snprintf(path, sizeof(path), "%s/guarantee.jsonl", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    uint64_t x = 88172645463325252ULL;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (int pair = 0; pair < 120; pair++) {
        int len = pair < 60 ? 10 : 9;
        int at[2];
        at[0] = (int)(RND() % 200); /* one at a time: an initializer's order is unspecified */
        at[1] = (int)(RND() % 200);
        for (int side = 0; side < 2; side++) {
            fprintf(f, "{\"id\": \"p%d%c\", \"text\": \"", pair, side ? 'b' : 'a');
            for (int w = 0; w < 250; w++) {
                if (w == at[side])
                    for (int s = 0; s < len; s++) fprintf(f, "run%dw%d ", pair, s);
                fprintf(f, "v%llu ", (unsigned long long)(RND() % 1000000));
            }
            fprintf(f, "\"}\n");
        }
    }
    fclose(f);
    run_align(path, &h, 0, NULL, NULL);
    assert_int_equal(h.n, 60);
    for (size_t k = 0; k < h.n; k++) {
        int pair = atoi(h.ida[k] + 1);
        assert_true(pair < 60);
        assert_int_equal(h.v[k].n_passages, 1);
        assert_int_equal(h.v[k].passages[0].matches, 10);
        assert_int_equal(h.v[k].relation, RP_REL_PARTIALLY_DERIVED);
    }
}

/* The date field decides the source when both documents have one. */
static void test_date_source(void **state)
{
    (void)state;
    static held h;
    char *src = sample("wire-keldan");
    json_t *a = json_pack("{s:s, s:s, s:s}", "id", "later", "date", "2026-03-05", "text", src);
    json_t *b = json_pack("{s:s, s:s, s:s}", "id", "earlier", "date", "2026-03-01", "text", src);
    char *la = json_dumps(a, JSON_COMPACT), *lb = json_dumps(b, JSON_COMPACT);
    char *body = malloc(strlen(la) + strlen(lb) + 3);
    sprintf(body, "%s\n%s\n", la, lb);
    const char *path = write_temp("dates.jsonl", body, strlen(body));
    run_align(path, &h, 0, NULL, NULL);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.v[0].relation, RP_REL_EXACT);
    assert_int_equal(h.v[0].source, RP_SOURCE_B);
    assert_string_equal(h.v[0].source_evidence, "date");
    json_decref(a), json_decref(b), free(la), free(lb), free(body), free(src);
}

/* ----------------------------------------------------------- seeds */

/* What a person reading the five seed articles finds they share verbatim:
 * each phrase must lie inside one reported passage, in both documents, and
 * each pair reports exactly this many passages of 10+ matching words. */
typedef struct {
    const char *a, *b; /* file name prefixes */
    int n_passages;
    const char *phrases[6];
} seed_truth;

static const seed_truth truth[] = {
    {"000", "001", 4,
     {"Putin accepted the invitation with pleasure and reaffirmed his will to invariably carry "
      "forward the history and tradition of the Russia-DPRK friendship",
      "is also due to oversee a display of Russian warships during his visit",
      "The glory of Russia that produced the first conquerors of space will be immortal",
      "While Kim was in Russia, Pyongyang fired two ballistic missiles on Wednesday, the South "
      "Korean military said, the latest in a string of sanctions-busting tests"}},
    {"000", "002", 1, {"Kim Jong Un courteously invited Putin to visit the DPRK at a convenient time"}},
    {"000", "003", 0, {NULL}},
    {"000", "004", 4,
     {"Putin accepted the invitation with pleasure and reaffirmed his will",
      "Vladimir Putin has accepted an invitation to visit North Korea",
      "demonstrate the capabilities of the Pacific Fleet",
      "courteously invited Putin to visit the DPRK at a convenient time"}},
    {"001", "002", 0, {NULL}},
    {"001", "003", 0, {NULL}},
    {"001", "004", 5,
     {"Putin accepted the invitation with pleasure and reaffirmed his will",
      "he was sure Russia would win a great victory over its enemies",
      "praised the strengthening of cooperation and friendship between our countries, while "
      "hosting Kim at a spaceport in Russia's Far East",
      "In Washington, State Department spokesman Matthew Miller said any cooperation would be "
      "quite troubling and would potentially be in violation of multiple UN Security Council "
      "resolutions",
      "oversee a display of Russian warships"}},
    {"002", "003", 0, {NULL}},
    {"002", "004", 1, {"courteously invited Putin to visit the DPRK at a convenient time"}},
    {"003", "004", 0, {NULL}},
};

typedef struct {
    rp_tokenizer *tok;
    int found[10];
    int failures;
} seed_check;

/* The normalized words of s, joined by spaces. */
static char *norm_words(rp_tokenizer *tok, const char *s, size_t len)
{
    const uint64_t *h;
    const rp_span *sp;
    size_t n;
    if (rp_tokenize(tok, s, len, &h, &sp, &n) != RP_OK) return NULL;
    char *out = malloc(len * 4 + 2);
    size_t o = 0;
    char w[512];
    for (size_t i = 0; i < n; i++) {
        size_t l = rp_tokenizer_word(tok, i, w, sizeof(w));
        out[o++] = ' ';
        memcpy(out + o, w, l);
        o += l;
    }
    out[o++] = ' ';
    out[o] = 0;
    return out;
}

static size_t byte_of(const char *s, size_t len, uint32_t cp)
{
    size_t i = 0;
    for (uint32_t c = 0; c < cp && i < len; c++) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

static int check_seed_pair(void *user, const rp_alignment *al)
{
    seed_check *sc = user;
    for (size_t t = 0; t < sizeof(truth) / sizeof(truth[0]); t++) {
        if (strncmp(al->a.str, truth[t].a, 3) != 0 || strncmp(al->b.str, truth[t].b, 3) != 0) continue;
        sc->found[t] = 1;
        if ((int)al->n_passages != truth[t].n_passages) {
            print_error("%s-%s: %zu passages, expected %d\n", truth[t].a, truth[t].b,
                        al->n_passages, truth[t].n_passages);
            sc->failures++;
        }
        for (size_t k = 0; k < al->n_passages; k++) {
            const rp_passage *p = &al->passages[k];
            if (p->matches < 10 || p->words < 10) sc->failures++;
        }
        /* 004 is a scraped page: its headline, source line, date and photo
         * credit are furniture, shared with nothing; its body starts here */
        int b_is_004 = strncmp(al->b.str, "004", 3) == 0;
        if (b_is_004 || strncmp(al->a.str, "004", 3) == 0) {
            char *t4 = b_is_004 ? strndup(al->text_b, al->text_b_len)
                                : strndup(al->text_a, al->text_a_len);
            const char *body = strstr(t4, "Russian President Vladimir Putin has accepted");
            assert_non_null(body);
            uint32_t body_cp = 0;
            for (const char *c = t4; c < body; c++) body_cp += ((unsigned char)*c & 0xC0) != 0x80;
            free(t4);
            for (size_t k = 0; k < al->n_passages; k++) {
                uint32_t start = b_is_004 ? al->passages[k].b_start : al->passages[k].a_start;
                if (start < body_cp) {
                    print_error("%s-%s: a passage in 004's page furniture\n", truth[t].a, truth[t].b);
                    sc->failures++;
                }
            }
        }
        for (int f = 0; f < 6 && truth[t].phrases[f]; f++) {
            char *want = norm_words(sc->tok, truth[t].phrases[f], strlen(truth[t].phrases[f]));
            int in_a = 0, in_b = 0;
            for (size_t k = 0; k < al->n_passages; k++) {
                const rp_passage *p = &al->passages[k];
                size_t s = byte_of(al->text_a, al->text_a_len, p->a_start);
                size_t e = byte_of(al->text_a, al->text_a_len, p->a_end);
                char *got = norm_words(sc->tok, al->text_a + s, e - s);
                in_a |= got && strstr(got, want) != NULL;
                free(got);
                s = byte_of(al->text_b, al->text_b_len, p->b_start);
                e = byte_of(al->text_b, al->text_b_len, p->b_end);
                got = norm_words(sc->tok, al->text_b + s, e - s);
                in_b |= got && strstr(got, want) != NULL;
                free(got);
            }
            if (!in_a || !in_b) {
                print_error("%s-%s: \"%s\" not found in a passage\n", truth[t].a, truth[t].b,
                            truth[t].phrases[f]);
                sc->failures++;
            }
            free(want);
        }
        return 0;
    }
    print_error("unexpected seed pair %.*s %.*s\n", (int)al->a.len, al->a.str, (int)al->b.len, al->b.str);
    sc->failures++;
    return 0;
}

static void test_seeds(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/../shared/seeds", REPRINT_SOURCE_DIR);
    struct stat sb;
    if (stat(dir, &sb) != 0) skip();
    seed_check sc = {rp_tokenizer_create(), {0}, 0};
    run_align(dir, NULL, 1, check_seed_pair, &sc);
    for (size_t t = 0; t < sizeof(truth) / sizeof(truth[0]); t++)
        if (truth[t].n_passages > 0 && !sc.found[t]) {
            print_error("%s-%s: not reported\n", truth[t].a, truth[t].b);
            sc.failures++;
        }
    rp_tokenizer_free(sc.tok);
    assert_int_equal(sc.failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excerpt_5),  cmocka_unit_test(test_excerpt_20),
        cmocka_unit_test(test_excerpt_60), cmocka_unit_test(test_reordered),
        cmocka_unit_test(test_wrapped),    cmocka_unit_test(test_gaps_and_minimum),
        cmocka_unit_test(test_guarantee),  cmocka_unit_test(test_date_source),
        cmocka_unit_test(test_nothing_shared),  cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_touching_passages), cmocka_unit_test(test_repeated_text),
        cmocka_unit_test(test_inserted_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
