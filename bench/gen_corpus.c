/*
 * gen_corpus.c — writes a realistic JSONL corpus for benchmarks.
 *
 * Documents are news-like: a headline and paragraphs of sentences whose
 * words follow a Zipf distribution over a 60,000-word synthetic vocabulary
 * (so common words are common and shingles repeat as in real text). About
 * 10% of documents are near-duplicates of an earlier one, of varied kinds:
 *   exact      the same text
 *   restyled   curly quotes, doubled spaces, a changed case
 *   wrapped    a site header and footer around the copy
 *   edited     about 2% of words replaced
 *   trimmed    the last paragraph dropped
 * and, for passage alignment, partial reuse that is no near-duplicate:
 *   excerpt    a new article quoting 20 to 60 consecutive words of the source
 * The truth goes to the side file TRUTH: "dup_index source_index kind".
 *
 * usage: gen_corpus BYTES OUT.jsonl TRUTH.tsv [SEED] [short|sites]
 *   short: one paragraph of one to three sentences a document (about 300
 *   bytes), for corpora of many millions of documents on a modest disk
 *   sites: every document is a page of one of 50 sites, in that site's
 *   template (navigation, a byline, "Read more" teasers between paragraphs,
 *   a share bar and a copyright footer), its URL on the site's host; a copy
 *   is a page of another site than its source's
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static double rndf(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

enum { VOCAB = 60000 };
static char *vocab[VOCAB];
static double cdf[VOCAB];

static void make_vocab(void)
{
    static const char *syl[] = {"ka", "ri", "to", "men", "sa", "lo", "ve", "dan", "mi", "or",
                                "tel", "ba", "ne", "us", "ga", "li", "par", "con", "de", "st",
                                "ing", "er", "al", "pro", "an", "en", "re", "th", "is", "on"};
    double sum = 0;
    for (int i = 0; i < VOCAB; i++) {
        char buf[32];
        int n = 1 + (i > 50) + (i > 2000) + (i > 20000), len = 0;
        uint64_t x = (uint64_t)i * 2654435761u + 17;
        for (int k = 0; k < n; k++) {
            const char *s = syl[x % 30];
            x /= 30;
            x += (uint64_t)i * 31 + (uint64_t)k;
            len += sprintf(buf + len, "%s", s);
        }
        sprintf(buf + len, "%s", i < 30 ? "" : "");
        vocab[i] = strdup(buf);
        sum += 1.0 / pow(i + 1, 1.05);
        cdf[i] = sum;
    }
    for (int i = 0; i < VOCAB; i++) cdf[i] /= sum;
}

static const char *word(void)
{
    double u = rndf();
    int lo = 0, hi = VOCAB - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cdf[mid] < u) lo = mid + 1;
        else hi = mid;
    }
    return vocab[lo];
}

typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}
static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

static void sentence(sbuf *b)
{
    int n = 8 + (int)(rnd() % 18);
    for (int i = 0; i < n; i++) {
        const char *w = word();
        if (i == 0) {
            char c[64];
            snprintf(c, sizeof(c), "%s", w);
            c[0] = (char)(c[0] - 32);
            puts_(b, c);
        } else {
            puts_(b, " ");
            if (rnd() % 40 == 0) puts_(b, "\"");
            puts_(b, w);
            if (rnd() % 15 == 0) puts_(b, ",");
        }
    }
    puts_(b, ". ");
}

static int short_docs;

static void document(sbuf *b)
{
    b->len = 0;
    sentence(b);
    puts_(b, "\n\n");
    int paras = short_docs ? 1 : 3 + (int)(rnd() % 8);
    for (int p = 0; p < paras; p++) {
        int ss = short_docs ? 1 + (int)(rnd() % 3) : 2 + (int)(rnd() % 5);
        for (int s = 0; s < ss; s++) sentence(b);
        puts_(b, "\n\n");
    }
}

#define N_SITES 50
#define N_TEASERS 20

typedef struct {
    char nav[256], byline[128], footer[512];
    char teaser[N_TEASERS][160];
} site;

static site *sites;

static void make_sites(void)
{
    sites = calloc(N_SITES, sizeof(site));
    sbuf b = {0};
    for (int k = 0; k < N_SITES; k++) {
        site *x = &sites[k];
        b.len = 0;
        puts_(&b, "Home");
        for (int w = 0; w < 8; w++) {
            puts_(&b, " | ");
            puts_(&b, vocab[20000 + k * 40 + w]);
        }
        snprintf(x->nav, sizeof(x->nav), "%.*s", (int)b.len, b.s);
        snprintf(x->byline, sizeof(x->byline), "By %s %s | Site %d News", vocab[30000 + k],
                 vocab[31000 + k], k);
        snprintf(x->footer, sizeof(x->footer),
                 "Share this story: Facebook Twitter Email Print\n\nCopyright 2026 Site %d %s Media. "
                 "All rights reserved. No part of this site may be reproduced without permission. "
                 "Sign up for the %s newsletter.",
                 k, vocab[32000 + k], vocab[33000 + k]);
        for (int t = 0; t < N_TEASERS; t++) {
            b.len = 0;
            for (int w = 0; w < 8 + (int)(rnd() % 6); w++) {
                if (w) puts_(&b, " ");
                puts_(&b, word());
            }
            snprintf(x->teaser[t], sizeof(x->teaser[t]), "%.*s", (int)b.len, b.s);
        }
    }
    free(b.s);
}

/* body as a page of site k: its paragraphs (split at blank lines) with a
 * teaser after one in four, between the site's header and footer. */
static void site_page(sbuf *out, int k, const char *body, size_t n)
{
    const site *x = &sites[k];
    out->len = 0;
    puts_(out, x->nav);
    puts_(out, "\n\n");
    puts_(out, x->byline);
    puts_(out, "\n\n");
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !(body[j] == '\n' && j + 1 < n && body[j + 1] == '\n')) j++;
        put(out, body + i, j - i);
        puts_(out, "\n\n");
        i = j + 2;
        if (i < n && rnd() % 4 == 0) {
            puts_(out, "Read more: ");
            puts_(out, x->teaser[rnd() % N_TEASERS]);
            puts_(out, "\n\n");
        }
    }
    puts_(out, x->footer);
}

static void json_text(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') fputs("\\\"", f);
        else if (c == '\\') fputs("\\\\", f);
        else if (c == '\n') fputs("\\n", f);
        else fputc(c, f);
    }
    fputc('"', f);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen_corpus BYTES OUT.jsonl TRUTH.tsv [SEED]\n");
        return 2;
    }
    double target = strtod(argv[1], NULL);
    rng_state = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
    short_docs = argc > 5 && strcmp(argv[5], "short") == 0;
    int with_sites = argc > 5 && strcmp(argv[5], "sites") == 0;
    FILE *out = fopen(argv[2], "wb"), *truth = fopen(argv[3], "wb");
    if (!out || !truth) {
        perror("gen_corpus");
        return 1;
    }
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    make_vocab();
    if (with_sites) make_sites();
    enum { KEEP = 4096 };
    int *recent_site = calloc(KEEP, sizeof(int));
    sbuf page = {0};
    sbuf *recent = calloc(KEEP, sizeof(sbuf));
    uint64_t *recent_id = calloc(KEEP, sizeof(uint64_t));
    sbuf doc = {0}, tmp = {0};
    static const char *kinds[] = {"exact", "restyled", "wrapped", "edited", "trimmed", "excerpt"};
    uint64_t written = 0, n = 0, originals = 0;
    while ((double)written < target) {
        int dup = originals > 100 && rnd() % 10 == 0;
        int site_no = with_sites ? (int)(rnd() % N_SITES) : 0;
        if (!dup) {
            recent_site[originals % KEEP] = site_no;
            document(&doc);
            sbuf *slot = &recent[originals % KEEP];
            slot->len = 0;
            put(slot, doc.s, doc.len);
            recent_id[originals % KEEP] = n;
            originals++;
        } else {
            uint64_t k = rnd() % (originals < KEEP ? originals : KEEP);
            sbuf *src = &recent[k];
            if (with_sites && site_no == recent_site[k]) site_no = (site_no + 1) % N_SITES;
            int kind = (int)(rnd() % 6);
            tmp.len = 0;
            if (kind == 0) {
                put(&tmp, src->s, src->len);
            } else if (kind == 1) {
                for (size_t i = 0; i < src->len; i++) {
                    if (src->s[i] == '"') puts_(&tmp, "\xE2\x80\x9C");
                    else if (src->s[i] == ' ' && rnd() % 20 == 0) puts_(&tmp, "  ");
                    else put(&tmp, &src->s[i], 1);
                }
            } else if (kind == 2) {
                puts_(&tmp, "Home | World | Business | Opinion | Subscribe now and save\n\n");
                put(&tmp, src->s, src->len);
                puts_(&tmp, "\n\nShare this article. Copyright 2026 Example Media Group.");
            } else if (kind == 3) {
                size_t i = 0;
                while (i < src->len) {
                    size_t j = i;
                    while (j < src->len && src->s[j] != ' ') j++;
                    if (rnd() % 50 == 0) puts_(&tmp, word());
                    else put(&tmp, src->s + i, j - i);
                    if (j < src->len) put(&tmp, " ", 1);
                    i = j + 1;
                }
            } else if (kind == 5) {
                /* 20-60 words from a word boundary of the source, set as a
                 * paragraph of its own in the middle of a new article */
                size_t from = rnd() % (src->len / 2 + 1), words = 20 + rnd() % 41;
                while (from > 0 && src->s[from - 1] != ' ' && src->s[from - 1] != '\n') from--;
                size_t to = from;
                for (size_t w = 0; w < words && to < src->len; w++) {
                    while (to < src->len && src->s[to] != ' ' && src->s[to] != '\n') to++;
                    if (to < src->len && w + 1 < words) to++;
                }
                document(&doc);
                size_t mid = doc.len / 2;
                while (mid < doc.len && !(doc.s[mid] == '\n' && mid > 0 && doc.s[mid - 1] == '\n')) mid++;
                put(&tmp, doc.s, mid);
                puts_(&tmp, mid < doc.len ? "\n" : "\n\n");
                put(&tmp, src->s + from, to - from);
                puts_(&tmp, "\n\n");
                if (mid < doc.len) put(&tmp, doc.s + mid + 1, doc.len - mid - 1);
            } else {
                size_t cut = src->len;
                while (cut > src->len / 2 && !(src->s[cut - 1] == '\n' && src->s[cut - 2] == '\n'))
                    cut--;
                if (cut > 2) cut -= 2;
                while (cut > src->len * 8 / 10 && cut > 0) {
                    size_t c = cut - 1;
                    while (c > 0 && !(src->s[c] == '\n' && src->s[c - 1] == '\n')) c--;
                    if (c < src->len * 8 / 10) break;
                    cut = c - 1;
                }
                put(&tmp, src->s, cut);
            }
            fprintf(truth, "%llu\t%llu\t%s\n", (unsigned long long)n,
                    (unsigned long long)recent_id[k], kinds[kind]);
            doc.len = 0;
            put(&doc, tmp.s, tmp.len);
        }
        long before = ftell(out);
        if (with_sites) {
            site_page(&page, site_no, doc.s, doc.len);
            fprintf(out, "{\"id\": \"doc-%llu\", \"url\": \"https://site%d.example/%llu\", \"text\": ",
                    (unsigned long long)n, site_no, (unsigned long long)n);
            json_text(out, page.s, page.len);
        } else {
            fprintf(out, "{\"id\": \"doc-%llu\", \"url\": \"https://news.example/%llu\", \"text\": ",
                    (unsigned long long)n, (unsigned long long)n);
            json_text(out, doc.s, doc.len);
        }
        fputs("}\n", out);
        written += (uint64_t)(ftell(out) - before);
        n++;
    }
    fclose(out);
    fclose(truth);
    fprintf(stderr, "gen_corpus: %llu documents, %llu bytes\n", (unsigned long long)n,
            (unsigned long long)written);
    for (int k = 0; k < KEEP; k++) free(recent[k].s);
    free(recent), free(recent_id), free(recent_site);
    free(page.s), free(doc.s), free(tmp.s);
    return 0;
}
