/*
 * cmd_align.c — `reprint align`: which documents reuse passages of which.
 *
 * One JSONL line per pair of documents sharing at least one passage:
 *   {"a": ID, "b": ID, "passages": [{"a": [s, e], "b": [s, e], "words": n,
 *    "identity": x, "differ": x, "kind": K}, ...], "coverage_a": x, "coverage_b": x,
 *    "relation": R, "source": ID|null, "source_evidence": E|null}
 * On a terminal each pair is shown with its passages side by side, the words
 * that differ inside a passage highlighted; a rewritten passage sentence
 * against sentence.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: reprint align [OPTIONS] INPUT...\n"
            "\n"
            "Finds every pair of documents that share a passage of at least --min-words\n"
            "words and aligns the passages, one JSONL line per pair:\n"
            "  {\"a\": ID, \"b\": ID, \"passages\": [{\"a\": [start, end], \"b\": [start, end],\n"
            "   \"words\": n, \"identity\": x, \"differ\": x, \"kind\": K}, ...], \"coverage_a\": x,\n"
            "   \"coverage_b\": x, \"relation\": R, \"source\": ID|null, \"source_evidence\": E|null}\n"
            "Offsets are code points into each text, end exclusive. kind: verbatim,\n"
            "edited, spun (--spin), rewritten or summary (--rewrites). coverage_a is the\n"
            "share of a's words inside shared passages. relation: exact, near_duplicate\n"
            "(both coverages >= 0.8), wholly_derived (one >= 0.8), partially_derived.\n"
            "source: the earlier --date-field when both have one, else what the texts\n"
            "show (source_evidence: containment, abridgement, excerpt, edits,\n"
            "spinning, summary), else null. 'reprint align A B' on two files shows their\n"
            "passages side by side on a terminal.\n"
            "\n"
            "alignment:\n"
            "      --min-words N     shortest passage, in matching words (default 10);\n"
            "                        every shared run of N identical words is found\n"
            "      --max-gap N       differing words bridged inside a passage, in each\n"
            "                        text (default 8)\n"
            "      --min-identity X  share of matching words a passage needs (default 0.6)\n"
            "      --max-insert N    words inserted into or dropped from one text that\n"
            "                        still leave one passage (a teaser, an ad, a dropped\n"
            "                        sentence), the other differing by at most --max-gap\n"
            "                        (default 40)\n"
            "      --rewrites        also find rewritten passages: paraphrased, reordered,\n"
            "                        heavily edited (30-50%% of the words changed) or\n"
            "                        condensed into a summary, by aligning sentences on\n"
            "                        their content words (implies --spin). Costs\n"
            "                        sentence keys beside the fingerprints: on the 1 GB\n"
            "                        bench corpus 2.5 times --spin's time and memory\n"
            "      --max-df N        text in more than N documents pairs each with the\n"
            "                        first of them only, where two such fingerprints\n"
            "                        agree; in documents without a site it is taken\n"
            "                        for boilerplate (default 100)\n"
            "  -n, --ngram N         words per fingerprint n-gram (default 6)\n"
            "      --seed N          hash seed (default 0)\n"
            "      --date-field F    JSONL field with the date (default date)\n"
            "  -o, --output FILE     write the pairs to FILE (complete or not at all)\n"
            "boilerplate (page furniture: navigation, bylines, teasers, ads, copyright\n"
            "and share lines):\n"
            "      --boilerplate M   hide (default): in no passage and not in coverage,\n"
            "                        and a pair sharing only it is not reported; show:\n"
            "                        reported, flagged \"boilerplate\": true, not counted;\n"
            "                        off: not looked for\n"
            "      --site-field F    JSONL field naming a page's site (default site)\n"
            "      --url-field F     JSONL field with its URL, whose host is the site\n"
            "                        when there is no site field (default url)\n"
            "      --site-pages N    text a site repeats on N of its own pages is its\n"
            "                        furniture; a wire story is reprinted once a site\n"
            "                        (default 3)\n"
            "%s",
            cli_common_help);
}

static int extra(cli_opts *o, const char *opt, const char *arg)
{
    rp_params *p = &o->params;
    char *end;
    if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
        if (!arg) return -1;
        o->output = arg;
        return 2;
    }
    if (strcmp(opt, "--date-field") == 0 || strcmp(opt, "--site-field") == 0 ||
        strcmp(opt, "--url-field") == 0) {
        if (!arg) return -1;
        *(opt[2] == 'd' ? &p->date_field : opt[2] == 's' ? &p->site_field : &p->url_field) = arg;
        return 2;
    }
    if (strcmp(opt, "--boilerplate") == 0) {
        if (!arg) return -1;
        if (strcmp(arg, "hide") == 0) p->boilerplate = RP_BOILERPLATE_HIDE;
        else if (strcmp(arg, "show") == 0) p->boilerplate = RP_BOILERPLATE_SHOW;
        else if (strcmp(arg, "off") == 0) p->boilerplate = RP_BOILERPLATE_OFF;
        else return -1;
        return 2;
    }
    if (strcmp(opt, "--rewrites") == 0) {
        p->rewrites = 1;
        return 1;
    }
    if (strcmp(opt, "--min-identity") == 0) {
        if (!arg) return -1;
        p->min_identity = strtod(arg, &end);
        return *end || !(p->min_identity >= 0 && p->min_identity <= 1) ? -1 : 2;
    }
    unsigned *target = strcmp(opt, "-n") == 0 || strcmp(opt, "--ngram") == 0 ? &p->fingerprint_ngram
                       : strcmp(opt, "--min-words") == 0  ? &p->min_words
                       : strcmp(opt, "--max-gap") == 0  ? &p->max_gap
                       : strcmp(opt, "--max-insert") == 0 ? &p->max_insert
                       : strcmp(opt, "--max-df") == 0   ? &p->max_df
                       : strcmp(opt, "--site-pages") == 0 ? &p->site_pages
                                                        : NULL;
    if (!target) return 0;
    if (!arg) return -1;
    unsigned long v = strtoul(arg, &end, 10);
    if (*end || end == arg || v > 100000) return -1;
    *target = (unsigned)v;
    if (target == &p->min_words && v < 2) return -1;
    if ((target == &p->max_df || target == &p->site_pages) && v < 2) return -1;
    if ((target == &p->max_gap || target == &p->max_insert) && v > 1000) return -1;
    if (target == &p->fingerprint_ngram && (v < 1 || v > 64)) return -1;
    return 2;
}

/* ------------------------------------------------------------- JSONL */

static int write_alignment(void *user, const rp_alignment *al)
{
    return rp_write_alignment_jsonl(user, al) != 0;
}

/* ------------------------------------------------------ readable view */

typedef struct {
    FILE *f;
    int color;
    int width;            /* of one column */
    rp_tokenizer *tok;
    size_t shown;
} view;

/* Byte offset of code point cp in s (s is valid UTF-8: it was tokenized). */
static size_t byte_at(const char *s, size_t len, uint32_t cp)
{
    size_t i = 0;
    for (uint32_t c = 0; c < cp && i < len; c++) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

/* A passage laid out in lines of at most width code points; each chunk of
 * non-space text is marked when it holds a word that does not match. */
typedef struct {
    char **lines;
    size_t n, cap;
} column;

static void column_free(column *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->lines[i]);
    free(c->lines);
}

static int column_push(column *c, const char *s, size_t len)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        char **l = realloc(c->lines, cap * sizeof(char *));
        if (!l) return -1;
        c->lines = l;
        c->cap = cap;
    }
    char *d = malloc(len + 1);
    if (!d) return -1;
    memcpy(d, s, len);
    d[len] = 0;
    c->lines[c->n++] = d;
    return 0;
}

#define HI_ON "\033[1;33m"
#define HI_OFF "\033[0m"

static int layout(const view *v, const char *s, size_t len, const uint8_t *word_differs,
                  const rp_span *spans, size_t n_words, column *out)
{
    char line[4096];
    size_t ll = 0, lw = 0, w = 0, i = 0;
    uint32_t cp = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) i++, cp++;
        if (i >= len) break;
        size_t j = i;
        uint32_t cp_end = cp;
        while (j < len && !(s[j] == ' ' || s[j] == '\n' || s[j] == '\t' || s[j] == '\r')) {
            j++;
            while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80) j++;
            cp_end++;
        }
        int differs = 0;
        while (w < n_words && spans[w].start < cp_end) differs |= word_differs[w++];
        size_t chunk_w = cp_end - cp;
        if (lw > 0 && lw + 1 + chunk_w > (size_t)v->width) {
            if (column_push(out, line, ll)) return -1;
            ll = lw = 0;
        }
        if (ll + (j - i) + 16 >= sizeof(line)) { /* a chunk longer than a line */
            if (ll && column_push(out, line, ll)) return -1;
            ll = lw = 0;
            if (column_push(out, s + i, j - i > 1000 ? 1000 : j - i)) return -1;
        } else {
            if (lw > 0) line[ll++] = ' ', lw++;
            if (differs && v->color) memcpy(line + ll, HI_ON, strlen(HI_ON)), ll += strlen(HI_ON);
            if (differs && !v->color) line[ll++] = '[';
            memcpy(line + ll, s + i, j - i);
            ll += j - i;
            lw += chunk_w;
            if (differs && !v->color) line[ll++] = ']', lw += 2;
            if (differs && v->color) memcpy(line + ll, HI_OFF, strlen(HI_OFF)), ll += strlen(HI_OFF);
        }
        i = j;
        cp = cp_end;
    }
    if (ll && column_push(out, line, ll)) return -1;
    return 0;
}

/* Visible width of a laid-out line: code points outside escape sequences. */
static size_t visible(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\033') {
            while (*p && *p != 'm') p++;
            if (!*p) break;
            continue;
        }
        n += ((unsigned char)*p & 0xC0) != 0x80;
    }
    return n;
}

/* Marks the words of each side that the other side lacks (LCS on hashes). */
static int diff_words(const uint64_t *ha, size_t na, const uint64_t *hb, size_t nb, uint8_t *da,
                      uint8_t *db)
{
    memset(da, 0, na);
    memset(db, 0, nb);
    /* a passage of thousands of words is shown without marks rather than
     * with a table of hundreds of megabytes */
    if ((double)(na + 1) * (double)(nb + 1) > 16e6) return 0;
    size_t cells = (na + 1) * (nb + 1);
    uint32_t *t = malloc(cells * sizeof(uint32_t));
    if (!t) return -1;
    for (size_t x = na + 1; x-- > 0;)
        for (size_t y = nb + 1; y-- > 0;) {
            uint32_t *c = &t[x * (nb + 1) + y];
            if (x == na || y == nb) *c = 0;
            else if (ha[x] == hb[y]) *c = t[(x + 1) * (nb + 1) + y + 1] + 1;
            else {
                uint32_t r = t[(x + 1) * (nb + 1) + y], d = t[x * (nb + 1) + y + 1];
                *c = r > d ? r : d;
            }
        }
    memset(da, 1, na);
    memset(db, 1, nb);
    size_t x = 0, y = 0;
    while (x < na && y < nb) {
        if (ha[x] == hb[y]) da[x++] = 0, db[y++] = 0;
        else if (t[(x + 1) * (nb + 1) + y] >= t[x * (nb + 1) + y + 1]) x++;
        else y++;
    }
    free(t);
    return 0;
}

static void id_text(char *dst, size_t cap, const rp_id *id)
{
    size_t n = id->len < cap - 1 ? id->len : cap - 1;
    for (size_t i = 0; i < n; i++) dst[i] = (id->str[i] == '\n' || id->str[i] == '\t') ? ' ' : id->str[i];
    dst[n] = 0;
}

/* Two stretches of text side by side, the words each lacks of the other
 * marked. */
static int show_columns(view *v, const char *sa, size_t la, const char *sb, size_t lb)
{
    const uint64_t *h;
    const rp_span *sp;
    size_t na, nb;
    int rc = -1;
    uint64_t *ha = NULL;
    rp_span *spa = NULL;
    uint8_t *da = NULL, *db = NULL;
    column ca = {0}, cb = {0};
    if (rp_tokenize(v->tok, sa, la, &h, &sp, &na) != RP_OK) return -1;
    ha = malloc((na + 1) * sizeof(uint64_t));
    spa = malloc((na + 1) * sizeof(rp_span));
    if (!ha || !spa) goto done;
    memcpy(ha, h, na * sizeof(uint64_t));
    memcpy(spa, sp, na * sizeof(rp_span));
    if (rp_tokenize(v->tok, sb, lb, &h, &sp, &nb) != RP_OK) goto done;
    da = malloc(na + 1);
    db = malloc(nb + 1);
    if (!da || !db || diff_words(ha, na, h, nb, da, db)) goto done;
    if (layout(v, sa, la, da, spa, na, &ca) || layout(v, sb, lb, db, sp, nb, &cb)) goto done;
    size_t rows = ca.n > cb.n ? ca.n : cb.n;
    for (size_t r = 0; r < rows; r++) {
        const char *l = r < ca.n ? ca.lines[r] : "";
        const char *rt = r < cb.n ? cb.lines[r] : "";
        size_t pad = (size_t)v->width > visible(l) ? (size_t)v->width - visible(l) : 0;
        fprintf(v->f, "  %s%*s | %s\n", l, (int)pad, "", rt);
    }
    rc = 0;
done:
    free(ha);
    free(spa);
    free(da);
    free(db);
    column_free(&ca);
    column_free(&cb);
    return rc;
}

/* The sentences of s: (start, length) pairs, split after a full stop,
 * question or exclamation mark followed by a space, or at a line break. */
typedef struct {
    size_t start, len;
} stretch;

static size_t sentences(const char *s, size_t len, stretch *out, size_t cap)
{
    size_t n = 0, from = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        int end = s[i] == '\n' ||
                  ((s[i] == '.' || s[i] == '?' || s[i] == '!') && i + 1 < len && s[i + 1] == ' ');
        if (!end) continue;
        if (i + 1 > from) out[n++] = (stretch){from, i + 1 - from};
        from = i + 1;
        while (from < len && (s[from] == ' ' || s[from] == '\n')) from++;
        i = from ? from - 1 : 0;
    }
    if (from < len) out[n++] = (stretch){from, len - from};
    return n;
}

/* Dice of two sentences' word sets (their hashes, sorted). */
static double dice(rp_tokenizer *tok, const char *a, size_t la, const char *b, size_t lb)
{
    const uint64_t *h;
    const rp_span *sp;
    size_t na, nb;
    if (rp_tokenize(tok, a, la, &h, &sp, &na) != RP_OK || !na) return 0;
    uint64_t *x = malloc(na * sizeof(uint64_t));
    if (!x) return 0;
    memcpy(x, h, na * sizeof(uint64_t));
    if (rp_tokenize(tok, b, lb, &h, &sp, &nb) != RP_OK || !nb) {
        free(x);
        return 0;
    }
    size_t shared = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (x[i] == h[j]) {
                shared++;
                break;
            }
    free(x);
    return 2.0 * (double)shared / (double)(na + nb);
}

#define MAX_SENTENCES 256

/* A rewritten passage, sentence against sentence: sentences that are each
 * other's likest side by side, the others (what a summary left out, what a
 * rewrite added) beside nothing, in the order of both texts. */
static int show_sentences(view *v, const char *sa, size_t la, const char *sb, size_t lb)
{
    stretch *x = malloc(2 * MAX_SENTENCES * sizeof(stretch)), *y = x + MAX_SENTENCES;
    double *d = malloc(MAX_SENTENCES * MAX_SENTENCES * sizeof(double));
    long *best_a = malloc(2 * MAX_SENTENCES * sizeof(long)), *best_b = best_a + MAX_SENTENCES;
    int rc = -1;
    if (!x || !d || !best_a) goto done;
    size_t nx = sentences(sa, la, x, MAX_SENTENCES), ny = sentences(sb, lb, y, MAX_SENTENCES);
    for (size_t i = 0; i < nx; i++) best_a[i] = -1;
    for (size_t j = 0; j < ny; j++) best_b[j] = -1;
    for (size_t i = 0; i < nx; i++)
        for (size_t j = 0; j < ny; j++) {
            d[i * ny + j] = dice(v->tok, sa + x[i].start, x[i].len, sb + y[j].start, y[j].len);
            if (d[i * ny + j] < 0.15) continue; /* less alike is not the same sentence */
            if (best_a[i] < 0 || d[i * ny + j] > d[i * ny + (size_t)best_a[i]]) best_a[i] = (long)j;
            if (best_b[j] < 0 || d[i * ny + j] > d[(size_t)best_b[j] * ny + j]) best_b[j] = (long)i;
        }
    size_t i = 0, j = 0;
    rc = 0;
    while ((i < nx || j < ny) && rc == 0) {
        int mutual_i = i < nx && best_a[i] >= 0 && best_b[best_a[i]] == (long)i;
        int mutual_j = j < ny && best_b[j] >= 0 && best_a[best_b[j]] == (long)j;
        if (mutual_i && best_a[i] == (long)j) { /* a pair, in order on both sides */
            rc = show_columns(v, sa + x[i].start, x[i].len, sb + y[j].start, y[j].len);
            i++, j++;
        } else if (i < nx && (!mutual_i || best_a[i] > (long)j) && (j >= ny || mutual_j || !mutual_i)) {
            if (mutual_j && !mutual_i && j < ny && best_b[j] < (long)i) { /* b's pair is behind */
                rc = show_columns(v, "", 0, sb + y[j].start, y[j].len);
                j++;
            } else {
                rc = show_columns(v, sa + x[i].start, x[i].len, "", 0);
                i++;
            }
        } else {
            rc = show_columns(v, "", 0, sb + y[j].start, y[j].len);
            j++;
        }
        if (rc == 0) fprintf(v->f, "  %*s |\n", v->width, "");
    }
done:
    free(x);
    free(d);
    free(best_a);
    return rc;
}

static int show_passage(view *v, const rp_alignment *al, const rp_passage *p)
{
    size_t a0 = byte_at(al->text_a, al->text_a_len, p->a_start);
    size_t a1 = byte_at(al->text_a, al->text_a_len, p->a_end);
    size_t b0 = byte_at(al->text_b, al->text_b_len, p->b_start);
    size_t b1 = byte_at(al->text_b, al->text_b_len, p->b_end);
    fprintf(v->f, "  %s passage: %u words, identity %.2f, %.0f%% of words differ%s%s   a[%u:%u]  b[%u:%u]\n",
            rp_passage_kind_name(p->kind), p->words, p->identity, p->differ * 100,
            p->kind == RP_KIND_SPUN ? " (disguised: synonyms, word forms)" : "",
            p->boilerplate ? " (boilerplate: not counted)" : "", p->a_start, p->a_end, p->b_start,
            p->b_end);
    int rc = p->kind >= RP_KIND_REWRITTEN
                 ? show_sentences(v, al->text_a + a0, a1 - a0, al->text_b + b0, b1 - b0)
                 : show_columns(v, al->text_a + a0, a1 - a0, al->text_b + b0, b1 - b0);
    fputc('\n', v->f);
    return rc;
}

static int show_alignment(void *user, const rp_alignment *al)
{
    view *v = user;
    char a[128], b[128];
    id_text(a, sizeof(a), &al->a);
    id_text(b, sizeof(b), &al->b);
    const char *src = al->source == RP_SOURCE_A ? a : al->source == RP_SOURCE_B ? b : NULL;
    fprintf(v->f, "%s%s%s  <->  %s%s%s\n", v->color ? "\033[1m" : "", a, v->color ? "\033[0m" : "",
            v->color ? "\033[1m" : "", b, v->color ? "\033[0m" : "");
    fprintf(v->f, "  %s: %.0f%% of a and %.0f%% of b in %zu shared passage%s", rp_relation_name(al->relation),
            al->coverage_a * 100, al->coverage_b * 100, al->n_passages, al->n_passages == 1 ? "" : "s");
    if (src) fprintf(v->f, "; likely source: %s (by %s)", src, al->source_evidence);
    fputs("\n\n", v->f);
    v->shown++;
    for (size_t k = 0; k < al->n_passages; k++)
        if (show_passage(v, al, &al->passages[k])) return 1;
    return ferror(v->f) != 0;
}

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
    const char *c = getenv("COLUMNS");
    int n = c ? atoi(c) : 0;
    return n >= 40 ? n : 120;
}

typedef struct {
    rp_engine *e;
    const cli_opts *o;
    int human;
} align_output;

static rp_status write_alignments(void *ctx, FILE *out)
{
    align_output *ao = ctx;
    if (!ao->human) return rp_engine_foreach_alignment(ao->e, write_alignment, out);
    view v = {out, isatty(fileno(out)) && !getenv("NO_COLOR"), 0, rp_tokenizer_create(), 0};
    if (!v.tok) return RP_ERR_NOMEM;
    v.width = (terminal_width() - 5) / 2;
    /* a title, not the accounting: the summary on stderr has the counts */
    fprintf(out, "Pairs of documents sharing passages of %u+ words:\n\n", ao->o->params.min_words);
    rp_status st = rp_engine_foreach_alignment(ao->e, show_alignment, &v);
    if (st == RP_OK && v.shown == 0) fprintf(out, "none\n");
    rp_tokenizer_free(v.tok);
    return st;
}

int cli_align(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, RP_MEASURE_CONTAINMENT, usage, extra);
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    o.params.task = RP_TASK_ALIGN;
    int human = o.human >= 0 ? o.human : (!o.output && isatty(1));
    o.params.keep_text = human;
    rp_engine *e;
    if ((rc = cli_run_engine(&o, &e)) != EXIT_OK) {
        free(o.inputs);
        return rc;
    }
    align_output ao = {e, &o, human};
    rc = cli_write_output(o.output, write_alignments, &ao, "the alignments", e);
    if (rc == EXIT_OK) rc = cli_report(&o, "align", e);
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
