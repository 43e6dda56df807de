/*
 * view_text.c — the readable views of the results, shown when stdout is a
 * terminal (or with --human): one per command, from the same results the
 * JSONL writers write. The commands decide when; this file says what a
 * person sees. An HTML view would be its sibling.
 */
#include "marks.h"
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---------------------------------------------------------------- dedup */

typedef struct {
    FILE *f;
    held_pairs *pairs;
} human_ctx;

static int show_cluster(void *user, const rp_cluster *c)
{
    human_ctx *h = user;
    char id[256], rep[256];
    held_id(rep, sizeof(rep), c->representative.str, c->representative.len, 0);
    fprintf(h->f, "\ncluster %llu: %zu documents\n", (unsigned long long)c->cluster, c->n_members);
    held_id(id, sizeof(id), rep, strlen(rep), 40);
    fprintf(h->f, "  kept     %s\n", id);
    for (size_t m = 1; m < c->n_members; m++) {
        char member[256];
        held_id(member, sizeof(member), c->members[m].str, c->members[m].len, 0);
        const held_pair *best = NULL, *with_rep = NULL;
        for (size_t k = 0; k < h->pairs->n; k++) {
            const held_pair *p = &h->pairs->v[k];
            int touches = strcmp(p->a, member) == 0 || strcmp(p->b, member) == 0;
            if (!touches) continue;
            if (strcmp(p->a, rep) == 0 || strcmp(p->b, rep) == 0) with_rep = p;
            if (!best || p->jaccard > best->jaccard) best = p;
        }
        held_id(id, sizeof(id), member, strlen(member), 40);
        if (with_rep)
            fprintf(h->f, "  removed  %s  jaccard %.3f%s\n", id, with_rep->jaccard,
                    with_rep->jaccard >= 0.9995 ? "  (same words)" : "");
        else if (best)
            fprintf(h->f, "  removed  %s  jaccard %.3f with %s\n", id, best->jaccard,
                    strcmp(best->a, member) == 0 ? best->b : best->a);
        else
            fprintf(h->f, "  removed  %s\n", id);
    }
    return 0;
}

/* dedup: each cluster, its kept document and the removed ones with their
 * Jaccard (with the kept one, or the member that pulled them in). */
static rp_status engine_clusters(void *ctx, int (*fn)(void *, const rp_cluster *), void *user)
{
    return rp_engine_foreach_cluster(ctx, fn, user);
}

rp_status view_clusters(FILE *f, rp_engine *e, const rp_params *p)
{
    held_pairs hp;
    rp_status st = held_collect(e, &hp);
    if (st != RP_OK) {
        held_free(&hp);
        return st;
    }
    rp_stats s;
    rp_engine_stats(e, &s);
    st = view_clusters_of(f, &hp, engine_clusters, e, s.clusters, p);
    held_free(&hp);
    return st;
}

rp_status view_clusters_of(FILE *f, held_pairs *hp,
                           rp_status (*each)(void *ctx, int (*fn)(void *, const rp_cluster *), void *user),
                           void *ctx, uint64_t clusters, const rp_params *p)
{
    /* a title, not the accounting: the summary on stderr has the counts */
    fprintf(f, "Near-duplicates (%s >= %.2f of word %u-grams), the first of each cluster kept:\n",
            p->measure == RP_MEASURE_JACCARD ? "Jaccard" : "containment", p->threshold, p->ngram);
    human_ctx h = {f, hp};
    rp_status st = each(ctx, show_cluster, &h);
    if (clusters == 0) fprintf(f, "\nno near-duplicates found\n");
    fprintf(f, "\n(the deduplicated corpus is written when stdout is not a terminal, or with -o FILE)\n");
    return st;
}

/* ---------------------------------------------------------------- pairs */

static int by_jaccard(const void *x, const void *y)
{
    const held_pair *a = x, *b = y;
    if (a->jaccard != b->jaccard) return a->jaccard > b->jaccard ? -1 : 1;
    if (a->a_index != b->a_index) return a->a_index < b->a_index ? -1 : 1;
    return a->b_index < b->b_index ? -1 : a->b_index > b->b_index;
}

/* pairs: the most alike first, with both containments. */
void view_pairs(FILE *f, held_pairs *hp, const rp_params *p)
{
    /* a title, not the accounting: the summary on stderr has the counts */
    fprintf(f, "Pairs with %s >= %.2f (word %u-grams), the most alike first:\n\n",
            p->measure == RP_MEASURE_JACCARD ? "Jaccard" : "containment",
            p->threshold, p->ngram);
    if (hp->n == 0) {
        fprintf(f, "none\n");
        return;
    }
    qsort(hp->v, hp->n, sizeof(*hp->v), by_jaccard);
    fprintf(f, "  jaccard  a in b  b in a   a                                b\n");
    for (size_t k = 0; k < hp->n; k++) {
        char a[256], b[256];
        held_id(a, sizeof(a), hp->v[k].a, strlen(hp->v[k].a), 32);
        held_id(b, sizeof(b), hp->v[k].b, strlen(hp->v[k].b), 0);
        fprintf(f, "  %7.3f  %6.2f  %6.2f   %s %s\n", hp->v[k].jaccard, hp->v[k].containment_a,
                hp->v[k].containment_b, a, b);
    }
}


/* ---------------------------------------------------------------- align */

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
    if (!da || !db || marks_words(ha, NULL, na, h, NULL, nb, 0, da, db)) goto done;
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

/* align: each pair, its relation and source, and its passages side by
 * side (words that differ highlighted; a rewritten passage sentence against
 * sentence), as wide as the terminal. */
struct alignment_view {
    view v;
};

alignment_view *view_alignments_begin(FILE *out, const rp_params *p)
{
    alignment_view *av = view_alignments_part(out);
    /* a title, not the accounting: the summary on stderr has the counts */
    if (av) fprintf(out, "Pairs of documents sharing passages of %u+ words:\n\n", p->min_words);
    return av;
}

alignment_view *view_alignments_part(FILE *out)
{
    alignment_view *av = calloc(1, sizeof(*av));
    if (!av) return NULL;
    av->v = (view){out, isatty(fileno(out)) && !getenv("NO_COLOR"), 0, rp_tokenizer_create(), 0};
    if (!av->v.tok) {
        free(av);
        return NULL;
    }
    av->v.width = (terminal_width() - 5) / 2;
    return av;
}

size_t view_alignments_part_end(alignment_view *av)
{
    if (!av) return 0;
    size_t shown = av->v.shown;
    rp_tokenizer_free(av->v.tok);
    free(av);
    return shown;
}

int view_alignment(void *av, const rp_alignment *al)
{
    return show_alignment(&((alignment_view *)av)->v, al);
}

void view_alignments_end(alignment_view *av)
{
    if (!av) return;
    if (av->v.shown == 0) fprintf(av->v.f, "none\n");
    rp_tokenizer_free(av->v.tok);
    free(av);
}

rp_status view_alignments(FILE *out, rp_engine *e, const rp_params *p)
{
    alignment_view *av = view_alignments_begin(out, p);
    if (!av) return RP_ERR_NOMEM;
    rp_status st = rp_engine_foreach_alignment(e, view_alignment, av);
    view_alignments_end(av);
    return st;
}

/* -------------------------------------------------------------- stories */

typedef struct {
    uint64_t a, b;           /* record numbers */
    char *ida, *idb;
    int relation, source;    /* rp_relation, rp_source_side */
    double cover_a, cover_b, differ;
    size_t passages, disguised;
} story_link;

typedef struct {
    rp_engine *stories;
    story_link *v;
    size_t n, cap;
} story_links;

static char *id_dup(const rp_id *id)
{
    char *s = malloc(id->len + 1);
    if (s) {
        memcpy(s, id->str, id->len);
        s[id->len] = 0;
    }
    return s;
}

static int keep_link(void *user, const rp_alignment *al)
{
    story_links *l = user;
    uint64_t sa = rp_engine_story_of(l->stories, al->a_index);
    if (!sa || sa != rp_engine_story_of(l->stories, al->b_index)) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        story_link *v = realloc(l->v, cap * sizeof(story_link));
        if (!v) return 1;
        l->v = v;
        l->cap = cap;
    }
    story_link *k = &l->v[l->n++];
    memset(k, 0, sizeof(*k));
    k->a = al->a_index;
    k->b = al->b_index;
    k->ida = id_dup(&al->a);
    k->idb = id_dup(&al->b);
    k->relation = (int)al->relation;
    k->source = (int)al->source;
    k->cover_a = al->coverage_a;
    k->cover_b = al->coverage_b;
    uint64_t words = 0, same = 0;
    for (size_t p = 0; p < al->n_passages; p++) {
        const rp_passage *ps = &al->passages[p];
        words += ps->words;
        same += ps->identical;
        k->disguised += rp_is_disguised(ps->matches, ps->identical);
    }
    k->differ = words ? 1.0 - (double)same / words : 0;
    k->passages = al->n_passages;
    return 0;
}

typedef struct {
    FILE *f;
    int color;
    const story_links *l;
} story_view;

static void show_id(FILE *f, const rp_id *id)
{
    fprintf(f, "%.*s", (int)(id->len > 60 ? 60 : id->len), id->str);
}

static int show_story(void *user, const rp_story *s)
{
    story_view *v = user;
    FILE *f = v->f;
    fprintf(f, "%sstory %llu%s: %zu documents; terms:", v->color ? "\033[1m" : "",
            (unsigned long long)s->story, v->color ? "\033[0m" : "", s->n_members);
    for (size_t t = 0; t < s->n_terms; t++) fprintf(f, "%s %.*s", t ? "," : "", (int)s->term_len[t], s->terms[t]);
    fputc('\n', f);
    for (size_t m = 0; m < s->n_members; m++) {
        fputs("  ", f);
        show_id(f, &s->members[m]);
        fputc('\n', f);
    }
    int any = 0;
    for (size_t k = 0; k < v->l->n; k++) {
        const story_link *x = &v->l->v[k];
        if (rp_engine_story_of(v->l->stories, x->a) != s->story) continue;
        if (!any) fputs("  who copies whom:\n", f);
        any = 1;
        const char *copy = x->source == RP_SOURCE_A ? x->idb : x->ida;
        const char *src = x->source == RP_SOURCE_A ? x->ida : x->idb;
        double cover = x->source == RP_SOURCE_A ? x->cover_b : x->cover_a;
        if (x->source == RP_SOURCE_UNKNOWN)
            fprintf(f, "    %s <-> %s: %s, %.0f%% and %.0f%% shared", x->ida, x->idb,
                    rp_relation_name((rp_relation)x->relation), x->cover_a * 100, x->cover_b * 100);
        else
            fprintf(f, "    %s <- %s: %s, %.0f%% of it from there", copy, src,
                    rp_relation_name((rp_relation)x->relation), cover * 100);
        if (x->disguised)
            fprintf(f, "; %s%zu of %zu passages disguised%s, %.0f%% of their words differ",
                    v->color ? "\033[33m" : "", x->disguised, x->passages, v->color ? "\033[0m" : "",
                    x->differ * 100);
        fputc('\n', f);
    }
    if (!any) fputs("  no shared passages: each tells it in its own words\n", f);
    fputc('\n', f);
    return ferror(f) != 0;
}

/* stories: each story, its terms and members, and who copies whom in it
 * from an alignment run over the same inputs (aligned). */
rp_status view_stories(FILE *f, rp_engine *stories, rp_engine *aligned, uint64_t *listed)
{
    story_links l = {stories, NULL, 0, 0};
    rp_status st = rp_engine_foreach_alignment(aligned, keep_link, &l);
    rp_stats s;
    rp_engine_stats(stories, &s);
    story_view v = {f, isatty(fileno(f)) && !getenv("NO_COLOR"), &l};
    if (st == RP_OK) {
        fprintf(f, "Stories of two or more documents:\n\n"); /* the counts are the summary's */
        st = rp_engine_foreach_story(stories, show_story, &v);
        if (s.clusters == 0) fprintf(f, "none\n");
        *listed = s.clusters;
    }
    for (size_t k = 0; k < l.n; k++) free(l.v[k].ida), free(l.v[k].idb);
    free(l.v);
    return st;
}

/* ------------------------------------------------------------- groups */

typedef struct {
    FILE *f;
    int color;
    uint64_t n;
} group_view;

static int show_group(void *user, const rp_group *g)
{
    group_view *v = user;
    FILE *f = v->f;
    v->n++;
    fprintf(f, "%sgroup %llu%s: %zu documents", v->color ? "\033[1m" : "", (unsigned long long)g->number + 1,
            v->color ? "\033[0m" : "", g->n_documents);
    if (g->earliest < g->n_members) {
        fputs(", likely first ", f);
        show_id(f, &g->members[g->earliest].id);
        fprintf(f, " (by %s)", strcmp(g->earliest_evidence, "alignments") == 0 ? "its alignments" : g->earliest_evidence);
    }
    fputc('\n', f);
    int width = 0; /* the ids in a column */
    for (size_t m = 0; m < g->n_members; m++)
        if ((int)g->members[m].id.len > width) width = g->members[m].id.len > 60 ? 60 : (int)g->members[m].id.len;
    for (size_t m = 0; m < g->n_members; m++) {
        const rp_group_member *x = &g->members[m];
        fputs(m == g->earliest && v->color ? "  \033[32m" : "  ", f);
        show_id(f, &x->id);
        fprintf(f, "%s%*s  [%u, %u) %u words", m == g->earliest && v->color ? "\033[0m" : "",
                width - (int)(x->id.len > 60 ? 60 : x->id.len), "", x->start, x->end, x->words);
        if (x->date) fprintf(f, "  %.*s", (int)(x->date_len > 40 ? 40 : x->date_len), x->date);
        fputc('\n', f);
    }
    if (g->excerpt) {
        fputs("  \"", f);
        for (size_t k = 0; k < g->excerpt_len; k++) /* one line: its breaks as spaces */
            fputc(g->excerpt[k] == '\n' || g->excerpt[k] == '\r' || g->excerpt[k] == '\t' ? ' ' : g->excerpt[k], f);
        fputs("...\"\n", f);
    }
    fputc('\n', f);
    return ferror(f) != 0;
}

rp_status view_groups(FILE *f, rp_grouper *g, int color, uint64_t *listed)
{
    group_view v = {f, color < 0 ? isatty(fileno(f)) && !getenv("NO_COLOR") : color, 0};
    fprintf(f, "Passages reused by two or more documents, a group each:\n\n");
    rp_status st = rp_grouper_foreach(g, show_group, &v);
    if (st == RP_OK && v.n == 0) fprintf(f, "none\n");
    *listed = v.n;
    return st;
}

static int group_line(void *user, const rp_group *g)
{
    group_view *v = user;
    v->n++;
    return rp_write_group_jsonl(v->f, g) != 0;
}

rp_status view_or_write_groups(FILE *f, rp_grouper *g, int human, int color, uint64_t *listed)
{
    if (human) return view_groups(f, g, color, listed);
    group_view v = {f, 0, 0};
    rp_status st = rp_grouper_foreach(g, group_line, &v);
    *listed = v.n;
    return st == RP_OK && ferror(f) ? RP_ERR_IO : st;
}
