/*
 * view_html.c — the report as one HTML file: a skeleton, the stylesheet and
 * script of cli/report/ (compiled in), and the data as one JSON object in a
 * <script type="application/json"> element.
 *
 * Documents are data, never markup: the data element holds JSON with '<',
 * '>' and '&' escaped (so no text can close it), the script builds the page
 * with textContent only, and a Content-Security-Policy forbids any network
 * access and any script but the page's own.
 *
 * The words inside each passage are marked here, where the tokenizer and
 * the spinner are: identical (no mark), changed (in one text only: the
 * other says something else or nothing), spun (a synonym, word form or
 * number of the word across: WordNet and Snowball as --spin sees them) or
 * rewritten (in a rewritten or summary passage, a word the other side lacks).
 */
#include "marks.h"
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report_css.h"
#include "report_js.h"

/* ------------------------------------------------------------- the texts */

typedef struct {
    uint64_t *h, *k;           /* word hashes, spin keys (NULL without spin) */
    rp_span *sp;
    size_t n;
} words;

static void words_free(words *w)
{
    free(w->h), free(w->k), free(w->sp);
    memset(w, 0, sizeof(*w));
}

/* The words of a text as the aligner saw them, copied out of the
 * tokenizer. A text that does not tokenize (the aligner rejected it
 * too) has none. */
static int words_of(rp_tokenizer *tok, rp_spinner *spinner, const char *text, size_t len, words *w)
{
    static const uint64_t no_hash[1];
    static const rp_span no_span[1];
    const uint64_t *h = no_hash, *k = NULL;
    const rp_span *sp = no_span;
    size_t n = 0;
    memset(w, 0, sizeof(*w));
    if (!text || rp_tokenize(tok, text, len, &h, &sp, &n) != RP_OK) h = no_hash, sp = no_span, n = 0;
    if (spinner && n && rp_spin(spinner, tok, h, n, &k) != RP_OK) k = NULL;
    w->h = malloc((n + 1) * sizeof(uint64_t));
    w->sp = malloc((n + 1) * sizeof(rp_span));
    w->k = k ? malloc((n + 1) * sizeof(uint64_t)) : NULL;
    if (!w->h || !w->sp || (k && !w->k)) {
        words_free(w);
        return -1;
    }
    memcpy(w->h, h, n * sizeof(uint64_t));
    memcpy(w->sp, sp, n * sizeof(rp_span));
    if (k) memcpy(w->k, k, n * sizeof(uint64_t));
    w->n = n;
    return 0;
}

/* The words inside [start, end): *first and the count. */
static size_t words_in(const words *w, uint32_t start, uint32_t end, size_t *first)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->sp[mid].start < start) lo = mid + 1;
        else hi = mid;
    }
    *first = lo;
    size_t e = lo;
    while (e < w->n && w->sp[e].end <= end) e++;
    return e - lo;
}

/* The marks of one side: [start, end, mark, ...] of its marked words. */
static int write_marks(FILE *f, const words *w, size_t first, const uint8_t *m, size_t n)
{
    int bad = fputc('[', f) == EOF;
    const char *sep = "";
    for (size_t i = 0; i < n; i++) {
        if (m[i] == MARK_SAME) continue;
        bad |= fprintf(f, "%s%u,%u,%u", sep, w->sp[first + i].start, w->sp[first + i].end, m[i]) < 0;
        sep = ",";
    }
    return bad | (fputc(']', f) == EOF);
}

static int write_pair_marks(FILE *f, const report *r, const rep_pair *p, rp_tokenizer *tok,
                            rp_spinner *spinner)
{
    words w[2];
    int bad = 0;
    for (int s = 0; s < 2; s++) {
        const rep_doc *d = &r->docs[p->doc[s]];
        if (words_of(tok, spinner, d->text, d->text_len, &w[s])) {
            if (s) words_free(&w[0]);
            return -1;
        }
    }
    bad |= fputc('[', f) == EOF;
    for (size_t i = 0; i < p->n_ps && !bad; i++) {
        const rep_passage *q = &p->ps[i];
        size_t first[2], n[2];
        for (int s = 0; s < 2; s++) n[s] = words_in(&w[s], q->start[s], q->end[s], &first[s]);
        uint8_t *m[2] = {malloc(n[0] + 1), malloc(n[1] + 1)};
        int rewritten = q->kind == RP_KIND_REWRITTEN || q->kind == RP_KIND_SUMMARY;
        if (!m[0] || !m[1] ||
            marks_words(w[0].h + first[0], w[0].k ? w[0].k + first[0] : NULL, n[0],
                              w[1].h + first[1], w[1].k ? w[1].k + first[1] : NULL, n[1], rewritten,
                              m[0], m[1])) {
            bad = 1;
        } else {
            bad |= fprintf(f, "%s{\"a\": ", i ? ", " : "") < 0;
            bad |= write_marks(f, &w[0], first[0], m[0], n[0]);
            bad |= fputs(", \"b\": ", f) < 0;
            bad |= write_marks(f, &w[1], first[1], m[1], n[1]);
            bad |= fputc('}', f) == EOF;
        }
        free(m[0]), free(m[1]);
    }
    bad |= fputc(']', f) == EOF;
    words_free(&w[0]), words_free(&w[1]);
    return bad ? -1 : 0;
}

int report_have_spin(void)
{
    rp_tokenizer *tok = rp_tokenizer_create();
    rp_spinner *sp = rp_spinner_create();
    const uint64_t *h, *k;
    const rp_span *s;
    size_t n;
    int ok = tok && sp && rp_tokenize(tok, "word", 4, &h, &s, &n) == RP_OK &&
             rp_spin(sp, tok, h, n, &k) == RP_OK;
    rp_tokenizer_free(tok);
    rp_spinner_free(sp);
    return ok;
}

/* -------------------------------------------------------------- the data */

typedef struct {
    uint64_t order;
    size_t doc;
} doc_order;

static int by_order(const void *x, const void *y)
{
    const doc_order *a = x, *b = y;
    return a->order < b->order ? -1 : a->order > b->order;
}

static const char *boilerplate_name(int b)
{
    return b == RP_BOILERPLATE_SHOW ? "show" : b == RP_BOILERPLATE_OFF ? "off" : "hide";
}

static int write_data(FILE *f, report *r)
{
    int bad = 0;
    /* documents in input order; pos[d] is where document d is listed */
    doc_order *order = malloc((r->n_docs + 1) * sizeof(doc_order));
    size_t *pos = malloc((r->n_docs + 1) * sizeof(size_t));
    if (!order || !pos) {
        free(order), free(pos);
        return -1;
    }
    for (size_t i = 0; i < r->n_docs; i++) order[i] = (doc_order){r->docs[i].order, i};
    qsort(order, r->n_docs, sizeof(doc_order), by_order);
    for (size_t i = 0; i < r->n_docs; i++) pos[order[i].doc] = i;

    bad |= fprintf(f, "{\"format\": 1, \"reprint\": \"%s\", \"title\": ", rp_version_string()) < 0;
    bad |= rp_write_json_string(f, r->title, strlen(r->title));
    bad |= fputs(", \"from\": ", f) < 0;
    bad |= r->from ? rp_write_json_string(f, r->from, strlen(r->from)) : fputs("null", f) < 0;
    bad |= fprintf(f, ",\n\"options\": {\"spin\": %s, \"rewrites\": %s, \"boilerplate\": \"%s\", "
                      "\"min_words\": %u},\n\"stats\": %s,\n",
                   r->params->spin || r->params->rewrites ? "true" : "false",
                   r->params->rewrites ? "true" : "false", boilerplate_name(r->params->boilerplate),
                   r->params->min_words, r->stats_json ? r->stats_json : "null") < 0;
    bad |= fprintf(f, "\"documents_read\": %llu, \"pairs_total\": %llu, \"stories_total\": %llu, "
                      "\"stories_note\": ",
                   (unsigned long long)r->docs_read, (unsigned long long)r->pairs_total,
                   (unsigned long long)r->stories_total) < 0;
    bad |= r->stories_note ? rp_write_json_string(f, r->stories_note, strlen(r->stories_note))
                           : fputs("null", f) < 0;
    bad |= fputs(",\n\"documents\": [", f) < 0;
    for (size_t i = 0; i < r->n_docs && !bad; i++) {
        const rep_doc *d = &r->docs[order[i].doc];
        bad |= fprintf(f, "%s\n{\"id\": %s, \"where\": ", i ? "," : "", d->id_json) < 0;
        bad |= d->where ? rp_write_json_string(f, d->where, strlen(d->where)) : fputs("null", f) < 0;
        bad |= fprintf(f, ", \"title\": %s, \"date\": %s, \"story\": ", d->title ? d->title : "null",
                       d->date_json ? d->date_json : "null") < 0;
        bad |= (d->story ? fprintf(f, "%llu", (unsigned long long)d->story) : fprintf(f, "null")) < 0;
        bad |= fputs(", \"text\": ", f) < 0;
        bad |= d->text ? rp_write_json_string(f, d->text, d->text_len) : fputs("null", f) < 0;
        bad |= fputc('}', f) == EOF;
    }
    bad |= fputs("],\n\"alignments\": [", f) < 0;
    for (size_t i = 0; i < r->n_pairs && !bad; i++) {
        bad |= fputs(i ? ",\n" : "\n", f) < 0;
        bad |= fwrite(r->pairs[i].json, 1, r->pairs[i].json_len, f) != r->pairs[i].json_len;
    }
    bad |= fputs("],\n\"pair_docs\": [", f) < 0;
    for (size_t i = 0; i < r->n_pairs && !bad; i++)
        bad |= fprintf(f, "%s[%zu, %zu]", i ? ", " : "", pos[r->pairs[i].doc[0]], pos[r->pairs[i].doc[1]]) < 0;
    bad |= fputs("],\n\"marks\": [", f) < 0;
    rp_tokenizer *tok = rp_tokenizer_create();
    rp_spinner *spinner = r->spin && r->have_spin ? rp_spinner_create() : NULL;
    if (!tok) bad = 1;
    for (size_t i = 0; i < r->n_pairs && !bad; i++) {
        bad |= fputs(i ? ",\n" : "\n", f) < 0;
        bad |= write_pair_marks(f, r, &r->pairs[i], tok, spinner);
    }
    rp_tokenizer_free(tok);
    rp_spinner_free(spinner);
    bad |= fputs("],\n\"stories\": [", f) < 0;
    for (size_t i = 0; i < r->n_stories && !bad; i++) {
        bad |= fputs(i ? ",\n" : "\n", f) < 0;
        bad |= fwrite(r->stories[i].json, 1, r->stories[i].json_len, f) != r->stories[i].json_len;
    }
    bad |= fputs("]}", f) < 0;
    free(order), free(pos);
    return bad ? -1 : 0;
}

/* ------------------------------------------------------------- the page */

/* JSON inside a script element: '<', '>' and '&' only ever occur in its
 * strings, where \u escapes mean the same, so no text can end the element
 * or open a comment. */
static int put_escaped(FILE *f, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = s[i] == '<' ? "\\u003c" : s[i] == '>' ? "\\u003e" : s[i] == '&' ? "\\u0026" : NULL;
        if (!esc) continue;
        if (fwrite(s + run, 1, i - run, f) != i - run || fputs(esc, f) < 0) return -1;
        run = i + 1;
    }
    return fwrite(s + run, 1, n - run, f) == n - run ? 0 : -1;
}

int report_write_html(FILE *f, report *r, char *err, size_t err_cap)
{
    char *data = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&data, &len);
    if (!m) return -1;
    int bad = write_data(m, r);
    if (fclose(m) != 0 || bad) {
        free(data);
        snprintf(err, err_cap, "out of memory while writing the report");
        return -1;
    }
    bad |= fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
                      "base-uri 'none'; form-action 'none'\">\n"
                      "<meta name=\"generator\" content=\"reprint %s\">\n"
                      "<title>reprint report</title>\n<style>\n",
                   rp_version_string()) < 0;
    bad |= fwrite(report_css, 1, sizeof(report_css), f) != sizeof(report_css);
    bad |= fputs("</style>\n</head>\n<body>\n<div id=\"app\"><noscript>This report is drawn by its "
                 "script: allow JavaScript for this file.</noscript></div>\n"
                 "<script type=\"application/json\" id=\"reprint-data\">",
                 f) < 0;
    bad |= put_escaped(f, data, len);
    bad |= fputs("</script>\n<script>\n", f) < 0;
    bad |= fwrite(report_js, 1, sizeof(report_js), f) != sizeof(report_js);
    bad |= fputs("</script>\n</body>\n</html>\n", f) < 0;
    free(data);
    return bad ? -1 : 0;
}
