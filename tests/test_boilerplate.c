/* test_boilerplate.c — align on scraped pages: reuse of content, not page
 * furniture, measured as PAN and the dedup literature measure it.
 *
 * The test writes its own corpus: about ten made-up sites, each with a
 * template (a title line, navigation, a byline, "Read more" teasers and
 * ADVERTISEMENT lines between paragraphs, a share bar and a copyright
 * footer; some sites with smart quotes, markdown links or hard-wrapped
 * lines), made-up articles in a Zipf vocabulary, some copied by other sites
 * whole, in part, lightly edited or spun, most not copied at all, and one
 * wire story reprinted verbatim by 300 outlets. Every page knows which
 * paragraphs of which article it holds, and where.
 *
 * Measured: pair precision and recall (two pages are a true pair when they
 * hold a paragraph of the same article; pairs of two wire reprints are
 * neither counted nor required, since each reprint is paired with the first
 * rather than with all 299 others); PAN's passage measures (Potthast et al.
 * 2010: precision, recall, granularity, PlagDet, in characters of both
 * texts) on every (original, copy) pair, a copy's paragraphs being one case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h" /* rp__hooks */
#include "reprint.h"
#include "test_util.h"

#include <math.h>

#define VOCAB 4000
#define N_SITES 10
#define N_WIRE 300
#define MAX_UNITS 12

/* ------------------------------------------------------------ text */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return (size_t)(rnd() % n);
}

static char vocab[VOCAB][32];
static double zipf_cdf[VOCAB];

static void make_vocab(void)
{
    static const char *syl[] = {"ka", "lo", "ven", "mir", "sto", "da", "rel", "an", "tor", "bi",
                                "que", "sul", "nor", "fe", "gri", "pa", "hul", "em", "zo", "tas",
                                "vi", "ron", "del", "mu", "ost", "cre", "lan", "pe", "shi", "gar"};
    double sum = 0;
    for (size_t w = 0; w < VOCAB; w++) {
        size_t n = 1 + (w > 40) + (w > 600), x = w * 7 + 3;
        vocab[w][0] = 0;
        for (size_t s = 0; s < n + 1; s++, x = x * 31 + 17) strcat(vocab[w], syl[x % 30]);
        /* unique: the word's number in base 30 as a suffix past the head */
        if (w > 40) snprintf(vocab[w] + strlen(vocab[w]), 6, "%s", syl[w % 30]);
        if (w > 40) snprintf(vocab[w] + strlen(vocab[w]), 6, "%s", syl[(w / 30) % 30]);
        if (w > 900) snprintf(vocab[w] + strlen(vocab[w]), 6, "%s", syl[(w / 900) % 30]);
        sum += 1.0 / (double)(w + 1);
        zipf_cdf[w] = sum;
    }
    for (size_t w = 0; w < VOCAB; w++) zipf_cdf[w] /= sum;
}

static const char *word(void)
{
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    size_t lo = 0, hi = VOCAB - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (zipf_cdf[mid] < u) lo = mid + 1;
        else hi = mid;
    }
    return vocab[lo];
}

/* A growable string that counts its code points. */
typedef struct {
    char *s;
    size_t len, cap;
    uint32_t cps;
} text;

static void put(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
    for (size_t i = 0; i < n; i++) t->cps += ((unsigned char)s[i] & 0xC0) != 0x80;
}

/* n words as sentences, one in four with a quoted clause. */
static char *prose(size_t n)
{
    text t = {0};
    size_t in_sentence = 0, quote = 0;
    for (size_t k = 0; k < n; k++) {
        if (k) put(&t, " ");
        const char *w = word();
        if (in_sentence == 0 && below(4) == 0 && n - k > 6) {
            put(&t, "\"");
            quote = 4 + below(3);
        }
        char cap[32];
        snprintf(cap, sizeof(cap), "%s", w);
        if (in_sentence == 0) cap[0] = (char)(cap[0] - 32);
        put(&t, cap);
        if (quote && --quote == 0) put(&t, ",\" said");
        if (++in_sentence >= 8 + below(10) || k + 1 == n) {
            put(&t, ".");
            in_sentence = 0;
        }
    }
    return t.s;
}

/* ------------------------------------------------------------ pages */

typedef struct {
    char *title;
    char *para[8];
    size_t n_para;
} article;

typedef struct {
    char name[80], host[96];
    char nav[400], footer[640], author[5][80];
    char *teaser[12];
    int smart_quotes, markdown, wrap;
} site;

/* One paragraph of an article held by a page, and where (code points). */
typedef struct {
    int art, para;
    uint32_t start, end;
} unit;

typedef struct {
    int site;          /* templated site, or -1 - outlet for the wire outlets */
    int kind;          /* 0 original, 1 whole, 2 excerpt, 3 edited, 4 spun */
    int art;           /* the article its units come from (-1: none) */
    unit u[MAX_UNITS];
    size_t n_units;
    uint32_t title_start, title_end; /* the article's headline, when the page has it */
    char *text;
} page;

enum { ORIGINAL, WHOLE, EXCERPT, EDITED, SPUN };

static site sites[N_SITES];
static article *arts;
static size_t n_arts, cap_arts;
static page *pages;
static size_t n_pages, cap_pages;

static int new_article(size_t paras)
{
    if (n_arts == cap_arts) arts = realloc(arts, (cap_arts = cap_arts * 2 + 64) * sizeof(article));
    article *a = &arts[n_arts];
    a->title = prose(7 + below(6));
    a->title[strlen(a->title) - 1] = 0; /* no full stop */
    a->n_para = paras;
    for (size_t p = 0; p < paras; p++) a->para[p] = prose(30 + below(35));
    return (int)n_arts++;
}

static void make_sites(void)
{
    for (int s = 0; s < N_SITES; s++) {
        site *x = &sites[s];
        snprintf(x->name, sizeof(x->name), "The %s %s", vocab[300 + s * 7], vocab[500 + s * 11]);
        x->name[4] = (char)(x->name[4] - 32);
        snprintf(x->host, sizeof(x->host), "%swww.%s%d.example", s % 2 ? "" : "https://",
                 vocab[300 + s * 7], s);
        text nav = {0};
        put(&nav, "Home");
        for (int k = 0; k < 9; k++) {
            put(&nav, " | ");
            put(&nav, vocab[1000 + s * 20 + k]);
        }
        snprintf(x->nav, sizeof(x->nav), "%s", nav.s);
        free(nav.s);
        char name[sizeof(x->name)];
        memcpy(name, x->name, sizeof(name));
        snprintf(x->footer, sizeof(x->footer),
                 "Share this story: Facebook Twitter LinkedIn Email Print\n\n"
                 "Copyright 2026 %s Media Group %s. All rights reserved. No part of this site "
                 "may be reproduced without %s permission. Sign up for our %s newsletter.",
                 name, vocab[2000 + s], vocab[2100 + s], vocab[2200 + s]);
        for (int k = 0; k < 5; k++)
            snprintf(x->author[k], sizeof(x->author[k]), "%s %s", vocab[2500 + s * 5 + k],
                     vocab[3000 + s * 5 + k]);
        for (int k = 0; k < 12; k++) {
            char *t = prose(7 + below(7));
            t[strlen(t) - 1] = 0;
            x->teaser[k] = t;
        }
        x->smart_quotes = s % 3 == 1;
        x->markdown = s % 3 == 2;
        x->wrap = s % 4 == 3;
    }
}

/* A paragraph as a site renders it. */
static void put_para(text *t, const site *x, const char *para, int edits)
{
    size_t col = 0, open = 0;
    const char *p = para;
    while (*p) {
        const char *e = p;
        while (*e && *e != ' ') e++;
        char w[128];
        snprintf(w, sizeof(w), "%.*s", (int)(e - p), p);
        if (edits && below(100) < (size_t)edits) { /* a word replaced */
            snprintf(w, sizeof(w), "%s", word());
        }
        if (x && x->smart_quotes) {
            text q = {0};
            for (char *c = w; *c; c++) {
                char one[2] = {*c, 0};
                put(&q, *c == '"' ? (open++ % 2 ? "\u201d" : "\u201c") : one);
            }
            snprintf(w, sizeof(w), "%s", q.s);
            free(q.s);
        }
        int link = x && x->markdown && below(25) == 0 && w[0] >= 'a' && w[0] <= 'z';
        if (link) { /* [word](https://host/topic/word): the tokenizer skips the URL */
            put(t, "[");
            put(t, w);
            put(t, "](https://");
            put(t, x->host);
            put(t, "/topic/");
        }
        put(t, w);
        if (link) put(t, ")");
        col += strlen(w) + 1;
        p = *e ? e + 1 : e;
        if (*p) {
            int wrap = x && x->wrap && col > 68;
            put(t, wrap ? "\n" : " ");
            if (wrap) col = 0;
        }
    }
}

static page *new_page(int site_no, int kind, int art)
{
    if (n_pages == cap_pages) pages = realloc(pages, (cap_pages = cap_pages * 2 + 64) * sizeof(page));
    page *g = &pages[n_pages++];
    memset(g, 0, sizeof(*g));
    g->site = site_no;
    g->kind = kind;
    g->art = art;
    return g;
}

/* A page of a templated site: paragraphs [from, to) of article art (edited
 * at `edits` percent of words), between own paragraphs when it excerpts. */
static void site_page(int s, int kind, int art, size_t from, size_t to, int edits)
{
    const site *x = &sites[s];
    page *g = new_page(s, kind, art);
    text t = {0};
    int own = -1;
    if (kind == EXCERPT) own = new_article(2 + below(3));
    const article *title_of = &arts[own >= 0 ? own : art];
    put(&t, x->name);
    put(&t, " | ");
    g->title_start = t.cps;
    put(&t, title_of->title);
    g->title_end = own >= 0 ? g->title_start : t.cps;
    put(&t, "\n\n");
    put(&t, x->nav);
    put(&t, "\n\nBy ");
    put(&t, x->author[below(5)]);
    put(&t, " | ");
    put(&t, x->name);
    char date[64];
    snprintf(date, sizeof(date), " | Published %d March 2026\n\n", 1 + (int)below(28));
    put(&t, date);
    size_t own_before = own >= 0 ? 1 + below(arts[own].n_para - 1) : 0;
    for (size_t k = 0; k < own_before; k++) {
        put_para(&t, x, arts[own].para[k], 0);
        put(&t, "\n\n");
    }
    for (size_t p = from; p < to; p++) {
        g->u[g->n_units] = (unit){art, (int)p, t.cps, 0};
        put_para(&t, x, arts[art].para[p], edits);
        g->u[g->n_units++].end = t.cps;
        put(&t, "\n\n");
        if (p + 1 < to && below(3) == 0) {
            if (below(2)) {
                put(&t, "Read more: ");
                put(&t, x->teaser[below(12)]);
            } else {
                put(&t, "ADVERTISEMENT");
            }
            put(&t, "\n\n");
        }
    }
    for (size_t k = own_before; own >= 0 && k < arts[own].n_para; k++) {
        put_para(&t, x, arts[own].para[k], 0);
        put(&t, "\n\n");
    }
    put(&t, x->footer);
    g->text = t.s;
}

static void outlet_page(int outlet, int art)
{
    page *g = new_page(-1 - outlet, WHOLE, art);
    text t = {0};
    char head[128];
    snprintf(head, sizeof(head), "Outlet %d %s | ", outlet, vocab[3500 + outlet % 400]);
    put(&t, head);
    g->title_start = t.cps;
    put(&t, arts[art].title);
    g->title_end = t.cps;
    put(&t, "\n\n");
    for (size_t p = 0; p < arts[art].n_para; p++) {
        g->u[g->n_units] = (unit){art, (int)p, t.cps, 0};
        put_para(&t, NULL, arts[art].para[p], 0);
        g->u[g->n_units++].end = t.cps;
        put(&t, "\n\n");
    }
    snprintf(head, sizeof(head), "(c) Outlet %d %s", outlet, vocab[3600 + outlet % 300]);
    put(&t, head);
    g->text = t.s;
}

static void make_corpus(size_t n, uint64_t seed)
{
    rng_state = seed;
    n_arts = n_pages = 0;
    make_vocab();
    make_sites();
    int wire = new_article(6);
    site_page(0, ORIGINAL, wire, 0, 6, 0);
    for (int k = 0; k < N_WIRE; k++) outlet_page(k, wire);
    while (n_pages < n) {
        int home = (int)below(N_SITES);
        int a = new_article(4 + below(4));
        site_page(home, ORIGINAL, a, 0, arts[a].n_para, 0);
        if (below(10) >= 3) continue;
        int used[N_SITES] = {0};
        used[home] = 1;
        for (size_t c = 1 + below(3); c > 0 && n_pages < n; c--) {
            int s = (int)below(N_SITES);
            if (used[s]) continue;
            used[s] = 1;
            int kind = 1 + (int)below(4);
            size_t np = arts[a].n_para, from = 0, to = np;
            if (kind == EXCERPT) from = below(np - 1), to = from + 2;
            site_page(s, kind, a, from, to, kind == EDITED ? 3 : kind == SPUN ? 6 : 0);
        }
    }
}

static const char *write_corpus(const char *name)
{
    text t = {0};
    for (size_t k = 0; k < n_pages; k++) {
        const page *g = &pages[k];
        char head[256];
        if (g->site >= 0)
            snprintf(head, sizeof(head), "{\"id\": \"p%zu\", \"url\": \"%s/story/%zu\", \"text\": \"",
                     k, sites[g->site].host, k);
        else
            snprintf(head, sizeof(head),
                     "{\"id\": \"p%zu\", \"url\": \"https://outlet%d.example/wire\", \"text\": \"",
                     k, -1 - g->site);
        put(&t, head);
        for (const char *c = g->text; *c; c++) {
            char e[3] = {*c, 0, 0};
            if (*c == '"' || *c == '\\') e[0] = '\\', e[1] = *c;
            if (*c == '\n') e[0] = '\\', e[1] = 'n';
            put(&t, e);
        }
        put(&t, "\"}\n");
    }
    const char *path = write_temp(name, t.s, t.len);
    free(t.s);
    return path;
}

static void free_corpus(void)
{
    for (size_t k = 0; k < n_pages; k++) free(pages[k].text);
    for (size_t a = 0; a < n_arts; a++) {
        free(arts[a].title);
        for (size_t p = 0; p < arts[a].n_para; p++) free(arts[a].para[p]);
    }
    for (int s = 0; s < N_SITES; s++)
        for (int k = 0; k < 12; k++) free(sites[s].teaser[k]);
}

/* ------------------------------------------------------------ measures */

static int shares(const page *x, const page *y)
{
    for (size_t i = 0; i < x->n_units; i++)
        for (size_t j = 0; j < y->n_units; j++)
            if (x->u[i].art == y->u[j].art && x->u[i].para == y->u[j].para) return 1;
    return 0;
}

static int is_wire_page(size_t k)
{
    return pages[k].n_units && pages[k].u[0].art == 0;
}

typedef struct {
    uint8_t *reported;    /* per page: in a reported pair with another page */
    size_t tp, fp, unrelated, wire_wire;
    /* PAN, in characters of both texts */
    double prec_sum, rec_sum;
    size_t n_det, n_cases, detected_cases, gran_sum;
    size_t flagged, passages;
    size_t case_hits[2];
    double last_rec;
} tally;

static size_t page_of(const rp_id *id)
{
    size_t n = id_number(id);
    assert_true(n < n_pages);
    return n;
}

static uint32_t overlap(uint32_t s0, uint32_t e0, uint32_t s1, uint32_t e1)
{
    uint32_t s = s0 > s1 ? s0 : s1, e = e0 < e1 ? e0 : e1;
    return e > s ? e - s : 0;
}

static size_t words_of(const char *s)
{
    size_t n = 1;
    for (; *s; s++) n += *s == ' ';
    return n;
}

/* The cases of a copy against its original: the span of its paragraphs in
 * each, and its headline when it carries it and the headline is long enough
 * to be a passage (min_words 10). 0 when the pair is not (original, copy). */
static int case_of(size_t x, size_t y, uint32_t c[2][4])
{
    const page *o = &pages[x], *g = &pages[y];
    if (o->kind != ORIGINAL || g->kind == ORIGINAL || o->art != g->art || !g->n_units) return 0;
    int p0 = g->u[0].para, p1 = g->u[g->n_units - 1].para;
    c[0][0] = o->u[p0].start, c[0][1] = o->u[p1].end; /* an original holds every paragraph */
    c[0][2] = g->u[0].start, c[0][3] = g->u[g->n_units - 1].end;
    if (g->title_end == g->title_start || words_of(arts[o->art].title) < 10) return 1;
    c[1][0] = o->title_start, c[1][1] = o->title_end;
    c[1][2] = g->title_start, c[1][3] = g->title_end;
    return 2;
}

static int count_pair(void *user, const rp_alignment *al)
{
    tally *t = user;
    size_t a = page_of(&al->a), b = page_of(&al->b);
    t->passages += al->n_passages;
    for (size_t k = 0; k < al->n_passages; k++) t->flagged += (size_t)al->passages[k].boilerplate;
    t->reported[a] = t->reported[b] = 1;
    if (is_wire_page(a) && is_wire_page(b)) t->wire_wire++;
    else if (shares(&pages[a], &pages[b])) t->tp++;
    else {
        t->fp++;
        t->unrelated++;
        if (t->unrelated <= 30)
            print_message("unrelated pair reported: %.*s %.*s (%zu passages, first %u words: "
                          "%.*s)\n",
                          (int)al->a.len, al->a.str, (int)al->b.len, al->b.str, al->n_passages,
                          al->n_passages ? al->passages[0].words : 0,
                          al->n_passages && al->text_a
                              ? (int)(al->passages[0].a_end - al->passages[0].a_start) : 0,
                          al->n_passages && al->text_a ? al->text_a + al->passages[0].a_start : "");
    }
    /* PAN: detections of the (original, copy) pairs */
    uint32_t cases[2][4];
    int swap = 0, n_cases = case_of(a, b, cases);
    if (!n_cases) {
        if (!(n_cases = case_of(b, a, cases))) return 0;
        swap = 1;
    }
    size_t hits = 0;
    for (size_t k = 0; k < al->n_passages; k++) {
        const rp_passage *p = &al->passages[k];
        uint32_t os = swap ? p->b_start : p->a_start, oe = swap ? p->b_end : p->a_end;
        uint32_t cs = swap ? p->a_start : p->b_start, ce = swap ? p->a_end : p->b_end;
        t->n_det++;
        for (int x = 0; x < n_cases; x++) { /* detections do not overlap: sums are unions */
            const uint32_t *c = cases[x];
            uint32_t o1 = overlap(os, oe, c[0], c[1]), o2 = overlap(cs, ce, c[2], c[3]);
            if (!o1 || !o2) continue;
            t->prec_sum += (double)(o1 + o2) / (double)((oe - os) + (ce - cs));
            t->rec_sum += (double)(o1 + o2) / (double)((c[1] - c[0]) + (c[3] - c[2]));
            hits |= 1u << x;
            t->case_hits[x]++;
        }
    }
    for (int x = 0; x < n_cases; x++)
        if (t->case_hits[x]) t->detected_cases++, t->gran_sum += t->case_hits[x];
    if (getenv("REPRINT_SCRAPED_DEBUG") && n_cases && t->rec_sum - t->last_rec < 0.8 * n_cases)
        print_message("low recall %.2f: %zu-%zu kind %d, %zu passages, case body [%u, %u) [%u, %u)\n",
                      (t->rec_sum - t->last_rec) / n_cases, a, b, pages[swap ? a : b].kind,
                      al->n_passages, cases[0][0], cases[0][1], cases[0][2], cases[0][3]);
    t->last_rec = t->rec_sum;
    t->case_hits[0] = t->case_hits[1] = 0;
    const uint32_t *c = cases[0];
    if ((hits > 1 || hits < al->n_passages) && getenv("REPRINT_SCRAPED_DEBUG_ALL"))
        for (size_t k = 0; k < al->n_passages; k++)
            print_message("case %zu-%zu kind %d: passage %zu of %zu, %u words, a [%u, %u) b [%u, %u), "
                          "case [%u, %u) [%u, %u)\n", a, b, pages[swap ? a : b].kind, k,
                          al->n_passages, al->passages[k].words, al->passages[k].a_start,
                          al->passages[k].a_end, al->passages[k].b_start, al->passages[k].b_end,
                          c[0], c[1], c[2], c[3]);
    return 0;
}

typedef struct {
    double precision, recall, pan_p, pan_r, gran, plagdet;
    size_t unrelated, wire_missing, flagged;
} scores;

static scores measure(size_t n, rp_boilerplate mode)
{
    make_corpus(n, 42 + n);
    const char *path = write_corpus("reprint_scraped.jsonl");
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_ALIGN;
    p.boilerplate = mode;
    p.keep_text = 1;
    rp_engine *e = run_engine(&p, path);
    tally t;
    memset(&t, 0, sizeof(t));
    t.reported = calloc(n_pages, 1);
    assert_int_equal(rp_engine_foreach_alignment(e, count_pair, &t), RP_OK);
    /* the truth: true pairs, and the cases among them */
    size_t truth = 0;
    for (size_t x = 0; x < n_pages; x++)
        for (size_t y = x + 1; y < n_pages; y++) {
            uint32_t c[2][4];
            int n_c = case_of(x, y, c);
            if (!n_c) n_c = case_of(y, x, c);
            if (is_wire_page(x) && is_wire_page(y)) { /* reprints pair with the first */
                t.n_cases += (size_t)n_c;
                continue;
            }
            if (!shares(&pages[x], &pages[y])) continue;
            truth++;
            t.n_cases += (size_t)n_c;
        }
    scores s;
    s.precision = t.tp + t.fp ? (double)t.tp / (double)(t.tp + t.fp) : 0;
    s.recall = truth ? (double)t.tp / (double)truth : 0;
    s.pan_p = t.n_det ? t.prec_sum / (double)t.n_det : 0;
    s.pan_r = t.n_cases ? t.rec_sum / (double)t.n_cases : 0;
    s.gran = t.detected_cases ? (double)t.gran_sum / (double)t.detected_cases : 1;
    double f1 = s.pan_p + s.pan_r > 0 ? 2 * s.pan_p * s.pan_r / (s.pan_p + s.pan_r) : 0;
    s.plagdet = f1 / log2(1 + s.gran);
    s.unrelated = t.unrelated;
    s.flagged = t.flagged;
    s.wire_missing = 0;
    for (size_t k = 0; k < n_pages; k++) s.wire_missing += is_wire_page(k) && !t.reported[k];
    rp_stats st;
    rp_engine_stats(e, &st);
    print_message("%zu pages (%s): pairs P %.4f R %.4f (%zu true, %zu reported, %zu unrelated); "
                  "PAN P %.4f R %.4f gran %.4f PlagDet %.4f on %zu cases; wire reprints unpaired "
                  "%zu; boilerplate %llu fingerprints, %llu words, %llu pairs; %zu flagged\n",
                  n_pages, mode == RP_BOILERPLATE_HIDE ? "hide" : mode == RP_BOILERPLATE_SHOW ? "show" : "off",
                  s.precision, s.recall, truth, t.tp + t.fp, t.unrelated, s.pan_p, s.pan_r,
                  s.gran, s.plagdet, t.n_cases, s.wire_missing,
                  (unsigned long long)st.boilerplate_fingerprints,
                  (unsigned long long)st.boilerplate_words, (unsigned long long)st.boilerplate_pairs,
                  t.flagged);
    free(t.reported);
    rp_engine_free(e);
    remove(path);
    free_corpus();
    free(pages);
    free(arts);
    pages = NULL, arts = NULL, cap_pages = cap_arts = 0;
    return s;
}

static void assert_clean(scores s)
{
    assert_true(s.precision >= 0.99);
    assert_true(s.recall >= 0.99);
    assert_int_equal(s.unrelated, 0);
    assert_int_equal(s.wire_missing, 0);
    assert_true(s.gran <= 1.05);
    assert_true(s.pan_p >= 0.95 && s.pan_r >= 0.95);
}

static size_t big_size(void)
{
    const char *v = getenv("REPRINT_SCRAPED_PAGES");
    return v && *v ? (size_t)strtoul(v, NULL, 10) : 5000;
}

/* Template text is not reuse: no unrelated pair, every copy found whole. */
static void test_scraped_pages(void **state)
{
    (void)state;
    scores small = measure(1000, RP_BOILERPLATE_HIDE);
    assert_clean(small);
    scores big = measure(big_size(), RP_BOILERPLATE_HIDE);
    assert_clean(big);
    assert_true(big.precision >= small.precision - 0.005);
}

/* Shown, furniture is flagged, and the true pairs are all still there; off,
 * it is reported as reuse (what this test would catch if detection broke). */
static void test_boilerplate_shown_and_off(void **state)
{
    (void)state;
    scores shown = measure(1000, RP_BOILERPLATE_SHOW);
    assert_true(shown.recall >= 0.99);
    assert_true(shown.flagged > 0);
    scores off = measure(1000, RP_BOILERPLATE_OFF);
    assert_true(off.unrelated > 100);
}

typedef struct {
    int formula, rare;   /* the pairs seen */
    size_t flagged;
} stock_seen;

static int see_stock(void *user, const rp_alignment *al)
{
    stock_seen *seen = user;
    int formula = al->a.len == 1 && al->a.str[0] == 'A' && al->b.str[0] == 'B';
    int rare = al->a.len == 1 && al->a.str[0] == 'C' && al->b.str[0] == 'D';
    seen->formula += formula;
    seen->rare += rare;
    for (size_t k = 0; k < al->n_passages; k++) seen->flagged += (size_t)al->passages[k].boilerplate;
    return 0;
}

/* Two unrelated documents that share only a stock formula of a dozen of the
 * corpus' commonest words are not reuse; two that share a dozen rare words
 * are. 400 other documents tell which words are common. */
static void test_stock_phrase(void **state)
{
    (void)state;
    rng_state = 7;
    make_vocab();
    text t = {0}, formula = {0}, rare = {0};
    for (int k = 0; k < 12; k++) {
        put(&formula, k ? " " : "");
        put(&formula, vocab[(k * 7) % 12]); /* among the twelve commonest */
        put(&rare, k ? " " : "");
        put(&rare, vocab[3000 + k * 31]);
    }
    for (int d = 0; d < 404; d++) {
        char head[64];
        const char *id = d == 0 ? "A" : d == 1 ? "B" : d == 2 ? "C" : d == 3 ? "D" : NULL;
        if (id) snprintf(head, sizeof(head), "{\"id\": \"%s\", \"text\": \"", id);
        else snprintf(head, sizeof(head), "{\"id\": \"n%d\", \"text\": \"", d);
        put(&t, head);
        char *before = prose(80), *after = prose(80);
        for (char *c = before; *c; c++) *c = *c == '"' ? '\'' : *c; /* not JSON's quotes */
        for (char *c = after; *c; c++) *c = *c == '"' ? '\'' : *c;
        put(&t, before);
        put(&t, " ");
        put(&t, d < 2 ? formula.s : d < 4 ? rare.s : "");
        put(&t, " ");
        put(&t, after);
        put(&t, "\"}\n");
        free(before), free(after);
    }
    const char *path = write_temp("reprint_stock.jsonl", t.s, t.len);
    for (int mode = 0; mode < 3; mode++) {
        rp_params p;
        rp_params_init(&p);
        p.task = RP_TASK_ALIGN;
        p.boilerplate = mode == 0 ? RP_BOILERPLATE_HIDE : mode == 1 ? RP_BOILERPLATE_SHOW : RP_BOILERPLATE_OFF;
        rp_engine *e = run_engine(&p, path);
        stock_seen seen = {0, 0, 0};
        assert_int_equal(rp_engine_foreach_alignment(e, see_stock, &seen), RP_OK);
        rp_stats st;
        rp_engine_stats(e, &st);
        assert_int_equal(seen.rare, 1);
        assert_int_equal(seen.formula, mode == 0 ? 0 : 1);
        if (mode == 1) assert_true(seen.flagged >= 1 && st.banal_passages >= 1);
        rp_engine_free(e);
    }
    remove(path);
    free(t.s), free(formula.s), free(rare.s);
}

/* An alignment as a line of text: the two ids and each passage's offsets,
 * words and whether it is boilerplate. */
static int digest_pair(void *user, const rp_alignment *al)
{
    text *t = user;
    char line[128];
    snprintf(line, sizeof(line), "%.*s %.*s:", (int)al->a.len, al->a.str, (int)al->b.len, al->b.str);
    put(t, line);
    for (size_t k = 0; k < al->n_passages; k++) {
        const rp_passage *x = &al->passages[k];
        snprintf(line, sizeof(line), " %u-%u/%u-%u %u %d", x->a_start, x->a_end, x->b_start, x->b_end,
                 x->matches, x->boilerplate);
        put(t, line);
    }
    put(t, "\n");
    return 0;
}

/* The collect pass looks for boilerplate only in the documents the index
 * put under a boilerplate key: the same passages and the same words masked
 * as when it looks in every document, with a first document that has none
 * (a record's number is what finds its mark). */
static void test_masked_where_the_index_says(void **state)
{
    (void)state;
    make_corpus(400, 11);
    const char *path = write_corpus("reprint_marks.jsonl");
    text corpus = {0};
    char *plain = prose(120);
    for (char *c = plain; *c; c++) *c = *c == '"' || *c == '\\' || *c == '\n' ? ' ' : *c;
    put(&corpus, "{\"id\": \"plain\", \"text\": \"");
    put(&corpus, plain);
    put(&corpus, "\"}\n");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
        buf[got] = 0;
        put(&corpus, buf);
    }
    fclose(f);
    path = write_temp("reprint_marks.jsonl", corpus.s, corpus.len);
    text seen[2] = {{0}, {0}};
    uint64_t words[2];
    for (int every = 0; every < 2; every++) {
        rp__hooks.bp_every_doc = (size_t)every;
        rp_params p;
        rp_params_init(&p);
        p.task = RP_TASK_ALIGN;
        p.boilerplate = RP_BOILERPLATE_SHOW;
        rp_engine *e = run_engine(&p, path);
        assert_int_equal(rp_engine_foreach_alignment(e, digest_pair, &seen[every]), RP_OK);
        rp_stats st;
        rp_engine_stats(e, &st);
        words[every] = st.boilerplate_words;
        rp_engine_free(e);
    }
    rp__hooks.bp_every_doc = 0;
    assert_true(words[0] > 1000);
    assert_int_equal(words[0], words[1]);
    assert_non_null(seen[0].s);
    assert_string_equal(seen[0].s, seen[1].s);
    remove(path);
    free(seen[0].s), free(seen[1].s), free(corpus.s), free(plain);
    free_corpus();
    free(pages);
    free(arts);
    pages = NULL, arts = NULL, cap_pages = cap_arts = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scraped_pages),
        cmocka_unit_test(test_boilerplate_shown_and_off),
        cmocka_unit_test(test_stock_phrase),
        cmocka_unit_test(test_masked_where_the_index_says),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
