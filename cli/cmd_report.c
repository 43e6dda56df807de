/*
 * cmd_report.c — `reprint report`: gathers what the page shows, then has
 * view_html.c write it.
 *
 * The pairs come from an align run over the inputs, or from a saved align
 * output (--from); either way as the library's JSONL lines, which the page
 * embeds as they are, so that it shows what `reprint align` says and
 * nothing of its own. The stories come from a stories run over the same
 * inputs. The texts the offsets point into are read again from the inputs,
 * by id, for the documents of the pairs shown only.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

/* -------------------------------------------------------------- documents */

static char *dup_mem(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* A JSON value written by fn into a fresh string. */
static char *to_json(int (*fn)(FILE *, const void *), const void *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    int bad = fn(f, v);
    if (fclose(f) != 0 || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int write_id(FILE *f, const void *id)
{
    return rp_write_json_id(f, id);
}

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need) c *= 2;
    void *nv = realloc(*v, c * size);
    if (!nv) return -1;
    *v = nv;
    *cap = c;
    return 0;
}

static int rehash(report *r)
{
    size_t n = r->n_slots ? r->n_slots * 2 : 1024;
    size_t *s = calloc(n, sizeof(size_t));
    if (!s) return -1;
    for (size_t i = 0; i < r->n_docs; i++) {
        size_t h = (size_t)XXH3_64bits(r->docs[i].key, r->docs[i].key_len) & (n - 1);
        while (s[h]) h = (h + 1) & (n - 1);
        s[h] = i + 1;
    }
    free(r->slots);
    r->slots = s;
    r->n_slots = n;
    return 0;
}

/* The document of key, added when add is set; SIZE_MAX when absent or out
 * of memory (*oom set). */
static size_t doc_of(report *r, const char *key, size_t key_len, int add, int *oom)
{
    if (r->n_slots) {
        size_t h = (size_t)XXH3_64bits(key, key_len) & (r->n_slots - 1);
        for (; r->slots[h]; h = (h + 1) & (r->n_slots - 1)) {
            rep_doc *d = &r->docs[r->slots[h] - 1];
            if (d->key_len == key_len && memcmp(d->key, key, key_len) == 0) return r->slots[h] - 1;
        }
    }
    if (!add) return SIZE_MAX;
    if ((r->n_docs + 1) * 2 > r->n_slots && rehash(r)) goto oom;
    if (grow((void **)&r->docs, &r->cap_docs, r->n_docs + 1, sizeof(rep_doc))) goto oom;
    rep_doc *d = &r->docs[r->n_docs];
    memset(d, 0, sizeof(*d));
    d->order = UINT64_MAX;
    if (!(d->key = dup_mem(key, key_len))) goto oom;
    d->key_len = key_len;
    size_t h = (size_t)XXH3_64bits(key, key_len) & (r->n_slots - 1);
    while (r->slots[h]) h = (h + 1) & (r->n_slots - 1);
    r->slots[h] = ++r->n_docs;
    return r->n_docs - 1;
oom:
    *oom = 1;
    return SIZE_MAX;
}

/* How an id read as JSON meets the same id read from an input. */
static char *json_id_key(const json_t *v, size_t *len)
{
    char num[64];
    const char *s;
    size_t n;
    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        n = (size_t)snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        s = num;
    } else if (json_is_real(v)) {
        n = (size_t)snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        s = num;
    } else {
        return NULL;
    }
    char *k = malloc(n + 3);
    if (!k) return NULL;
    k[0] = json_is_string(v) ? 's' : 'n';
    k[1] = ':';
    memcpy(k + 2, s, n);
    k[n + 2] = 0;
    *len = n + 2;
    return k;
}

static char *doc_id_key(const rp_id *id, size_t *len)
{
    char *k = malloc(id->len + 3);
    if (!k) return NULL;
    k[0] = id->is_number ? 'n' : 's';
    k[1] = ':';
    memcpy(k + 2, id->str, id->len);
    k[id->len + 2] = 0;
    *len = id->len + 2;
    return k;
}

/* -------------------------------------------------------------- pairs */

static int kind_named(const char *s)
{
    for (int k = RP_KIND_VERBATIM; k <= RP_KIND_SUMMARY; k++)
        if (strcmp(s, rp_passage_kind_name(k)) == 0) return k;
    return -1;
}

static int by_rank(const void *x, const void *y)
{
    const rep_pair *a = x, *b = y;
    if (a->rank != b->rank) return a->rank > b->rank ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int by_seq(const void *x, const void *y)
{
    const rep_pair *a = x, *b = y;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void pair_free(rep_pair *p)
{
    free(p->json);
    free(p->ps);
}

/* Keeps the max_pairs pairs of highest coverage, in output order. */
static void cut_pairs(report *r)
{
    if (r->n_pairs <= r->max_pairs) return;
    qsort(r->pairs, r->n_pairs, sizeof(rep_pair), by_rank);
    for (size_t i = r->max_pairs; i < r->n_pairs; i++) pair_free(&r->pairs[i]);
    r->n_pairs = r->max_pairs;
    qsort(r->pairs, r->n_pairs, sizeof(rep_pair), by_seq);
}

/* One alignment line (the library's format), from an align run or a file;
 * where names it for an error. Returns 0, 1 for a line that is not one, -1
 * when out of memory. */
static int add_alignment(report *r, const char *line, size_t len, const char *where, char *err,
                         size_t err_cap)
{
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je);
    json_t *ps = o ? json_object_get(o, "passages") : NULL;
    json_t *ca = o ? json_object_get(o, "coverage_a") : NULL, *cb = o ? json_object_get(o, "coverage_b") : NULL;
    if (!o || !json_is_object(o) || !json_is_array(ps) || !json_is_number(ca) || !json_is_number(cb)) {
        snprintf(err, err_cap, "%s: not an alignment line of 'reprint align' (%s)", where,
                 o ? "no passages or coverages" : je.text);
        json_decref(o);
        return 1;
    }
    int oom = 0, rc = 0;
    rep_pair p = {0};
    p.seq = r->pairs_total++;
    p.rank = json_number_value(ca) > json_number_value(cb) ? json_number_value(ca) : json_number_value(cb);
    const char *side[2] = {"a", "b"};
    for (int s = 0; s < 2; s++) {
        size_t kl;
        char *key = json_id_key(json_object_get(o, side[s]), &kl);
        if (!key) {
            snprintf(err, err_cap, "%s: the alignment's \"%s\" is not an id", where, side[s]);
            rc = 1;
            goto done;
        }
        p.doc[s] = doc_of(r, key, kl, 1, &oom);
        free(key);
        if (oom) goto nomem;
        if (!r->docs[p.doc[s]].id_json &&
            !(r->docs[p.doc[s]].id_json = json_dumps(json_object_get(o, side[s]), JSON_ENCODE_ANY)))
            goto nomem;
    }
    p.n_ps = json_array_size(ps);
    if (p.n_ps && !(p.ps = calloc(p.n_ps, sizeof(rep_passage)))) goto nomem;
    for (size_t i = 0; i < p.n_ps; i++) {
        json_t *x = json_array_get(ps, i);
        rep_passage *q = &p.ps[i];
        for (int s = 0; s < 2; s++) {
            json_t *span = json_object_get(x, side[s]);
            json_t *st = json_array_get(span, 0), *en = json_array_get(span, 1);
            if (!json_is_integer(st) || !json_is_integer(en) || json_integer_value(st) < 0 ||
                json_integer_value(en) < json_integer_value(st) || json_integer_value(en) > UINT32_MAX) {
                snprintf(err, err_cap, "%s: passage %zu has no [start, end] for %s", where, i + 1,
                         side[s]);
                rc = 1;
                goto done;
            }
            q->start[s] = (uint32_t)json_integer_value(st);
            q->end[s] = (uint32_t)json_integer_value(en);
        }
        json_t *k = json_object_get(x, "kind");
        q->kind = json_is_string(k) ? kind_named(json_string_value(k)) : RP_KIND_VERBATIM;
        if (q->kind < 0) q->kind = RP_KIND_EDITED;
        q->boilerplate = json_is_true(json_object_get(x, "boilerplate"));
        if (q->kind == RP_KIND_SPUN || q->kind == RP_KIND_REWRITTEN || q->kind == RP_KIND_SUMMARY)
            r->spin = 1;
    }
    if (!(p.json = dup_mem(line, len))) goto nomem;
    p.json_len = len;
    if (grow((void **)&r->pairs, &r->cap_pairs, r->n_pairs + 1, sizeof(rep_pair))) goto nomem;
    r->pairs[r->n_pairs++] = p;
    p.json = NULL, p.ps = NULL;
    /* bounded memory: cut to max_pairs whenever twice as many are held */
    if (r->n_pairs >= 2 * r->max_pairs) cut_pairs(r);
    goto done;
nomem:
    rc = -1;
    snprintf(err, err_cap, "out of memory");
done:
    pair_free(&p);
    json_decref(o);
    return rc;
}

typedef struct {
    report *r;
    char err[512];
    int rc;
} gather;

static int take_alignment(void *user, const rp_alignment *al)
{
    gather *g = user;
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f) return g->rc = -1;
    int bad = rp_write_alignment_jsonl(f, al);
    if (fclose(f) != 0 || bad) g->rc = -1;
    else g->rc = add_alignment(g->r, line, len, "align", g->err, sizeof(g->err));
    free(line);
    return g->rc != 0;
}

/* --from FILE: the lines of a saved align output. */
static int read_alignments(report *r, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "reprint: cannot open %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    char *line = NULL, where[1024], err[1024];
    size_t cap = 0;
    ssize_t n;
    uint64_t lineno = 0;
    int rc = EXIT_OK;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        size_t k = 0;
        while (k < (size_t)n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' || line[k] == '\n'))
            k++;
        if (k == (size_t)n) continue; /* a blank line */
        snprintf(where, sizeof(where), "%s:%llu", path, (unsigned long long)lineno);
        int st = add_alignment(r, line, (size_t)n, where, err, sizeof(err));
        if (st) {
            fprintf(stderr, "reprint: %s\n", err);
            rc = st < 0 ? EXIT_IO : EXIT_BAD_INPUT;
            break;
        }
    }
    if (rc == EXIT_OK && ferror(f)) {
        fprintf(stderr, "reprint: cannot read %s: %s\n", path, strerror(errno));
        rc = EXIT_IO;
    }
    free(line);
    if (f != stdin) fclose(f);
    return rc;
}

/* -------------------------------------------------------------- stories */

static int by_size(const void *x, const void *y)
{
    const rep_story *a = x, *b = y;
    if (a->n_members != b->n_members) return a->n_members > b->n_members ? -1 : 1;
    return a->story < b->story ? -1 : a->story > b->story;
}

/* Keeps the max_pairs largest stories (the page lists as many stories as
 * pairs at most), largest first. */
static void cut_stories(report *r)
{
    if (r->n_stories > 1) qsort(r->stories, r->n_stories, sizeof(rep_story), by_size);
    while (r->n_stories > r->max_pairs) free(r->stories[--r->n_stories].json);
}

static int take_story(void *user, const rp_story *s)
{
    gather *g = user;
    report *r = g->r;
    r->stories_total++;
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f) return g->rc = -1;
    int bad = rp_write_story_jsonl(f, s);
    if (fclose(f) != 0 || bad ||
        grow((void **)&r->stories, &r->cap_stories, r->n_stories + 1, sizeof(rep_story))) {
        free(line);
        return g->rc = -1;
    }
    while (len && line[len - 1] == '\n') len--;
    r->stories[r->n_stories++] = (rep_story){line, len, s->n_members, s->story};
    if (r->n_stories >= 2 * r->max_pairs) cut_stories(r);
    for (size_t m = 0; m < s->n_members; m++) {
        size_t kl;
        int oom = 0;
        char *key = doc_id_key(&s->members[m], &kl);
        size_t d = key ? doc_of(r, key, kl, 1, &oom) : SIZE_MAX;
        free(key);
        if (d == SIZE_MAX) return g->rc = -1;
        r->docs[d].story = s->story;
        if (!r->docs[d].id_json && !(r->docs[d].id_json = to_json(write_id, &s->members[m])))
            return g->rc = -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the texts */

/* The first line of a text with words, at most 120 bytes cut on a
 * character, as a JSON string. */
static char *title_of(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++;
    size_t e = i;
    while (e < n && t[e] != '\n' && e - i < 120) e++;
    if (e < n && t[e] != '\n')
        while (e > i && ((unsigned char)t[e] & 0xC0) == 0x80) e--;
    while (e > i && (t[e - 1] == ' ' || t[e - 1] == '\r')) e--;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    int bad = rp_write_json_string(f, t + i, e - i);
    if (fclose(f) != 0 || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The --date-field of a JSONL record, as JSON, or NULL. */
static char *date_of(const rp_doc *doc, const char *field)
{
    if (!doc->line || !doc->raw_len) return NULL;
    json_t *o = json_loadb(doc->raw, doc->raw_len, JSON_DISABLE_EOF_CHECK, NULL);
    json_t *v = o ? json_object_get(o, field) : NULL;
    char *s = (json_is_string(v) || json_is_number(v)) ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
    json_decref(o);
    return s;
}

/* Reads the inputs again for the texts, dates and places of the documents
 * the page names. */
static int read_texts(report *r, const cli_opts *o)
{
    for (size_t i = 0; i < r->n_pairs; i++)
        for (int s = 0; s < 2; s++) r->docs[r->pairs[i].doc[s]].in_pair = 1;
    const char *field = o->params.date_field ? o->params.date_field : "date";
    uint64_t order = 0, dup = 0;
    for (size_t in = 0; in < o->n_inputs; in++) {
        rp_reader *rd = rp_reader_open(o->inputs[in], &o->params);
        if (!rd) return EXIT_IO;
        rp_doc doc;
        rp_status st;
        while ((st = rp_reader_next(rd, &doc)) != RP_EOF) {
            r->docs_read++;
            if (st != RP_OK) {
                if (!rp_status_is_bad_input(st)) {
                    fprintf(stderr, "reprint: %s\n", rp_reader_error(rd));
                    rp_reader_free(rd);
                    return cli_exit_code(st);
                }
                r->docs_rejected++;
                if (r->from && r->stories_note && !o->quiet) /* no run read it before: name it */
                    fprintf(stderr, "reprint: %s (%s, skipped)\n", rp_reader_error(rd), rp_status_name(st));
                continue;
            }
            uint64_t here = order++;
            size_t kl;
            int oom = 0;
            char *key = doc_id_key(&doc.id, &kl);
            if (!key) goto nomem;
            size_t d = doc_of(r, key, kl, 0, &oom);
            free(key);
            if (d == SIZE_MAX) continue;
            rep_doc *x = &r->docs[d];
            if (x->order != UINT64_MAX) { /* ids are how pairs name documents: the first wins */
                dup++;
                continue;
            }
            x->order = here;
            char where[1200];
            if (doc.line) snprintf(where, sizeof(where), "%s:%llu", doc.file, (unsigned long long)doc.line);
            else snprintf(where, sizeof(where), "%s", doc.file);
            if (!(x->where = strdup(where)) || !(x->title = title_of(doc.text, doc.text_len))) goto nomem;
            x->date_json = date_of(&doc, field);
            if (x->in_pair) {
                if (!(x->text = dup_mem(doc.text, doc.text_len))) goto nomem;
                x->text_len = doc.text_len;
            }
            continue;
        nomem:
            rp_reader_free(rd);
            fprintf(stderr, "reprint: out of memory\n");
            return EXIT_IO;
        }
        rp_reader_free(rd);
    }
    if (dup && !o->quiet)
        fprintf(stderr, "reprint report: %llu documents repeat an earlier one's id; the page shows the "
                        "first of each\n",
                (unsigned long long)dup);
    size_t missing = 0;
    for (size_t i = 0; i < r->n_docs; i++) missing += r->docs[i].order == UINT64_MAX;
    if (missing) {
        for (size_t i = 0; i < r->n_docs; i++)
            if (r->docs[i].order == UINT64_MAX) {
                fprintf(stderr, "reprint: %zu document%s of the pairs not found in the inputs, %s "
                                "among them: give --from the texts it was made of\n",
                        missing, missing == 1 ? "" : "s", r->docs[i].key + 2);
                break;
            }
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

/* ---------------------------------------------------------------- run */

static void report_free(report *r)
{
    for (size_t i = 0; i < r->n_docs; i++) {
        rep_doc *d = &r->docs[i];
        free(d->key), free(d->id_json), free(d->text), free(d->title), free(d->date_json), free(d->where);
    }
    for (size_t i = 0; i < r->n_pairs; i++) pair_free(&r->pairs[i]);
    for (size_t i = 0; i < r->n_stories; i++) free(r->stories[i].json);
    free(r->docs), free(r->slots), free(r->pairs), free(r->stories), free(r->stats_json);
}

static rp_status write_page(void *ctx, FILE *out)
{
    char err[256] = "";
    if (report_write_html(out, ctx, err, sizeof(err)) == 0) return RP_OK;
    if (err[0]) fprintf(stderr, "reprint: %s\n", err);
    return RP_ERR_IO;
}

static int cmp_story(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static int run_stories(report *r, cli_opts *o)
{
    cli_opts so = *o;
    so.params.task = RP_TASK_STORIES;
    so.quiet = 1;
    so.stats_file = NULL;
    if (!r->have_spin) { /* a build without WordNet: the page says so */
        r->stories_note = "this reprint was built without WordNet and libstemmer: no stories";
        return EXIT_OK;
    }
    rp_engine *e = NULL;
    int rc = cli_run_engine(&so, &e);
    if (rc != EXIT_OK) return rc;
    gather g = {r, "", 0};
    rp_status st = rp_engine_foreach_story(e, take_story, &g);
    rp_engine_free(e);
    if (st != RP_OK || g.rc) {
        fprintf(stderr, "reprint: out of memory\n");
        return EXIT_IO;
    }
    cut_stories(r);
    if (r->stories_total > r->n_stories) { /* members of a story not listed belong to none */
        uint64_t *kept = malloc((r->n_stories + 1) * sizeof(uint64_t));
        if (!kept) return EXIT_IO;
        for (size_t i = 0; i < r->n_stories; i++) kept[i] = r->stories[i].story;
        qsort(kept, r->n_stories, sizeof(uint64_t), cmp_story);
        for (size_t i = 0; i < r->n_docs; i++)
            if (r->docs[i].story &&
                !bsearch(&r->docs[i].story, kept, r->n_stories, sizeof(uint64_t), cmp_story))
                r->docs[i].story = 0;
        free(kept);
    }
    return EXIT_OK;
}

int cli_report_html(int argc, char **argv)
{
    cli_opts o;
    report r = {0};
    rp_engine *e = NULL;
    int rc = cli_parse(argc, argv, &o, cli_command_named("report"));
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    if (!o.output && cli_stdout_is_terminal()) {
        fprintf(stderr, "reprint: the report is an HTML file: name it with -o FILE\n");
        free(o.inputs);
        return EXIT_USAGE;
    }
    if (o.texts && !o.from) {
        fprintf(stderr, "reprint: --texts goes with --from\n");
        free(o.inputs);
        return EXIT_USAGE;
    }
    if (o.from && o.stats_file) {
        fprintf(stderr, "reprint: --stats accounts for an align run; with --from there is none "
                        "(the align run that wrote the file had its own)\n");
        free(o.inputs);
        return EXIT_USAGE;
    }
    r.max_pairs = o.max_pairs ? o.max_pairs : 1000;
    r.title = o.title ? o.title : "reprint report";
    r.from = o.from;
    r.params = &o.params;
    r.spin = o.params.spin || o.params.rewrites;
    r.have_spin = report_have_spin();
    if (o.from) {
        rc = read_alignments(&r, o.from);
    } else {
        o.params.task = RP_TASK_ALIGN;
        o.params.keep_text = 0; /* the texts are read once, for the pairs shown */
        if ((rc = cli_run_engine(&o, &e)) == EXIT_OK) {
            gather g = {&r, "", 0};
            rp_status st = rp_engine_foreach_alignment(e, take_alignment, &g);
            if (st != RP_OK || g.rc) {
                fprintf(stderr, "reprint: %s\n", g.err[0] ? g.err : "out of memory");
                rc = EXIT_IO;
            }
            rp_stats s;
            rp_engine_stats(e, &s);
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            if (f) {
                rp_write_stats_json(f, "align", &s, &o.params);
                fclose(f);
                while (len && buf[len - 1] == '\n') buf[--len] = 0;
                r.stats_json = buf;
            }
        }
    }
    if (rc != EXIT_OK) goto done;
    cut_pairs(&r);
    if ((rc = run_stories(&r, &o)) != EXIT_OK) goto done;
    if ((rc = read_texts(&r, &o)) != EXIT_OK) goto done;
    rc = cli_write_output(o.output, write_page, &r, "the report", e);
    if (rc == EXIT_OK && e) rc = cli_summary(&o, "report", e);
    if (rc == EXIT_OK && !o.quiet) {
        fprintf(stderr, "reprint report: %zu of %llu pairs shown", r.n_pairs,
                (unsigned long long)r.pairs_total);
        if (r.pairs_total > r.n_pairs)
            fprintf(stderr, " (the %llu of lowest coverage cut by --max-pairs %zu, counted on the page)",
                    (unsigned long long)(r.pairs_total - r.n_pairs), r.max_pairs);
        fprintf(stderr, ", %zu of %llu stories; %llu documents read for their texts (%llu rejected)%s%s\n",
                r.n_stories, (unsigned long long)r.stories_total, (unsigned long long)r.docs_read,
                (unsigned long long)r.docs_rejected, o.output ? " -> " : "", o.output ? o.output : "");
    }
done:
    rp_engine_free(e);
    report_free(&r);
    free(o.inputs);
    return rc;
}
