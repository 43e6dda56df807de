/*
 * cmd_index.c — `reprint index VERB --db DIR ...`: the persistent index
 * (the library's rp_index) from the command line: add, query, get, delete,
 * expire, stats, compact, backup.
 *
 * add reads its inputs as the other commands do and commits every --batch
 * documents (one sync each); a document whose id is indexed already is
 * reported, not added: read = added + already indexed + rejected. query
 * writes, for each input document in order, the answers in the JSONL of
 * `reprint pairs` or `reprint align`.
 */
#include "index_io.h"
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Reads every document of the inputs, calling fn for each; rejected ones
 * are reported and counted (with --skip-bad) or end it (exit 1). */
typedef int (*doc_fn)(void *user, const rp_index_doc *doc);

static int each_doc(cli_opts *o, size_t first_input, doc_fn fn, void *user, uint64_t *read,
                    uint64_t *rejected)
{
    cli_doc_fields fields;
    cli_doc_fields_init(&fields, &o->params);
    int rc = EXIT_OK;
    for (size_t k = first_input; k < o->n_inputs && rc == EXIT_OK; k++) {
        rp_reader *r = rp_reader_open(o->inputs[k], &o->params);
        if (!r) {
            fprintf(stderr, "reprint: out of memory\n");
            rc = EXIT_IO;
            break;
        }
        /* id-less records named as the batch commands name them */
        rp_reader_qualify_ids(r, o->n_inputs - first_input > 1);
        rp_doc d;
        rp_status st;
        while ((st = rp_reader_next(r, &d)) != RP_EOF) {
            if (st == RP_OK) {
                rp_index_doc x;
                if ((st = cli_doc_of(&fields, &d, &x)) == RP_OK) {
                    ++*read;
                    if ((rc = fn(user, &x)) != EXIT_OK) break;
                    continue;
                }
            }
            if (rp_status_is_bad_input(st)) {
                ++*read;
                ++*rejected;
                fprintf(stderr, "reprint: %s (%s%s)\n", rp_reader_error(r), rp_status_name(st),
                        o->params.skip_bad ? ", skipped" : "");
                if (o->params.skip_bad) continue;
                rc = EXIT_BAD_INPUT;
            } else {
                fprintf(stderr, "reprint: %s\n", rp_reader_error(r));
                rc = cli_exit_code(st);
            }
            break;
        }
        rp_reader_free(r);
    }
    cli_doc_fields_free(&fields);
    return rc;
}

/* ----------------------------------------------------------------- add */

typedef struct {
    rp_index *ix;
    cli_opts *o;
    rp_index_doc *docs;
    char **owned;            /* the batch's copies of ids, texts and dates */
    size_t n, cap;
    uint64_t added, existing, rejected;
    int rc;
} adder;

static int flush(adder *a)
{
    if (a->n == 0) return EXIT_OK;
    rp_status *st = calloc(a->n, sizeof(rp_status));
    char err[RP_ERROR_MAX] = "";
    rp_status r = st ? rp_index_add(a->ix, a->docs, a->n, st, err) : RP_ERR_NOMEM;
    int rc = EXIT_OK;
    if (r != RP_OK) {
        fprintf(stderr, "reprint: %s\n", err[0] ? err : rp_status_name(r));
        rc = cli_exit_code(r);
    } else {
        for (size_t i = 0; i < a->n; i++) {
            if (st[i] == RP_OK) {
                a->added++;
                continue;
            }
            if (st[i] == RP_ERR_EXISTS) a->existing++;
            else a->rejected++;
            fputs("reprint: ", stderr);
            if (a->docs[i].id.is_number) fprintf(stderr, "%.*s", (int)a->docs[i].id.len, a->docs[i].id.str);
            else fprintf(stderr, "\"%.*s\"", (int)a->docs[i].id.len, a->docs[i].id.str);
            fprintf(stderr, ": %s\n", st[i] == RP_ERR_EXISTS ? "already indexed, not added" : rp_status_name(st[i]));
            if (st[i] != RP_ERR_EXISTS && !a->o->params.skip_bad) rc = EXIT_BAD_INPUT;
        }
    }
    for (size_t i = 0; i < a->n; i++) free(a->owned[i]);
    free(st);
    a->n = 0;
    /* with --progress, each durable commit acknowledged */
    if (r == RP_OK && a->o->progress && !a->o->quiet)
        fprintf(stderr, "reprint: index add: %llu added, committed\n", (unsigned long long)a->added);
    return rc;
}

static int add_one(void *user, const rp_index_doc *d)
{
    adder *a = user;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        rp_index_doc *docs = realloc(a->docs, cap * sizeof(*docs));
        if (docs) a->docs = docs;
        char **owned = realloc(a->owned, cap * sizeof(char *));
        if (owned) a->owned = owned;
        if (!docs || !owned) return EXIT_IO;
        a->cap = cap;
    }
    /* the reader's buffers are valid until its next record: the batch keeps
     * a copy, id, text, date and record (its site and URL, cli_doc_of) in
     * one block */
    char *m = malloc(d->id.len + d->text_len + d->date_len + d->raw_len + 1);
    if (!m) return EXIT_IO;
    rp_index_doc c = *d;
    char *at = m;
    c.id.str = memcpy(at, d->id.str, d->id.len), at += d->id.len;
    c.text = memcpy(at, d->text, d->text_len), at += d->text_len;
    c.date = d->date ? memcpy(at, d->date, d->date_len) : NULL, at += d->date_len;
    c.raw = d->raw ? memcpy(at, d->raw, d->raw_len) : NULL;
    a->owned[a->n] = m;
    a->docs[a->n++] = c;
    return a->n >= a->o->batch ? flush(a) : EXIT_OK;
}

static int cmd_add(rp_index *ix, cli_opts *o)
{
    adder a = {ix, o, NULL, NULL, 0, 0, 0, 0, 0, 0};
    uint64_t read = 0, rejected = 0;
    int rc = each_doc(o, 1, add_one, &a, &read, &rejected);
    int rc2 = flush(&a);
    if (rc == EXIT_OK) rc = rc2;
    free(a.docs);
    free(a.owned);
    if (!o->quiet)
        fprintf(stderr, "reprint: index add: %llu read, %llu added, %llu already indexed, %llu rejected\n",
                (unsigned long long)read, (unsigned long long)a.added, (unsigned long long)a.existing,
                (unsigned long long)(rejected + a.rejected));
    return rc;
}

/* --------------------------------------------------------------- query */

typedef struct {
    rp_index *ix;
    cli_opts *o;
    FILE *f;
    held_pairs *held;        /* the readable view's pairs, shown at the end */
    alignment_view *view;    /* the readable view's alignments, as they come */
    unsigned what;
    uint64_t answers, queried;
    rp_status st;
    char err[RP_ERROR_MAX];
} querier;

static int put_pair(void *user, const rp_pair *p)
{
    querier *q = user;
    q->answers++;
    if (q->held) return held_add(q->held, p);
    return rp_write_pair_jsonl(q->f, p) != 0;
}

static int put_alignment(void *user, const rp_alignment *al)
{
    querier *q = user;
    q->answers++;
    if (q->view) return view_alignment(q->view, al);
    return rp_write_alignment_jsonl(q->f, al) != 0;
}

static int query_one(void *user, const rp_index_doc *d)
{
    querier *q = user;
    rp_query_out out = {put_pair, put_alignment, q};
    q->queried++;
    rp_status st = rp_index_query(q->ix, d, q->what, &out, q->err);
    if (st == RP_OK || rp_status_is_bad_input(st)) {
        if (st != RP_OK) {
            fprintf(stderr, "reprint: ");
            if (d->id.is_number) fprintf(stderr, "%.*s", (int)d->id.len, d->id.str);
            else fprintf(stderr, "\"%.*s\"", (int)d->id.len, d->id.str);
            fprintf(stderr, ": %s (%s%s)\n", q->err, rp_status_name(st), q->o->params.skip_bad ? ", skipped" : "");
            if (!q->o->params.skip_bad) return EXIT_BAD_INPUT;
        }
        return ferror(q->f) ? EXIT_IO : EXIT_OK;
    }
    q->st = st;
    return cli_exit_code(st);
}

typedef struct {
    querier *q;
    uint64_t read, rejected;
    int rc;
} query_run;

static rp_status write_answers(void *ctx, FILE *f)
{
    query_run *r = ctx;
    r->q->f = f;
    r->rc = each_doc(r->q->o, 1, query_one, r->q, &r->read, &r->rejected);
    if (r->rc == EXIT_OK) return RP_OK;
    if (r->q->st != RP_OK) fprintf(stderr, "reprint: %s\n", r->q->err);
    return r->rc == EXIT_BAD_INPUT ? RP_ERR_JSON : RP_ERR_IO; /* said already */
}

static int cmd_query(rp_index *ix, cli_opts *o)
{
    rp_index_stats s;
    char err[RP_ERROR_MAX];
    if (rp_index_stat(ix, &s, err) != RP_OK) {
        fprintf(stderr, "reprint: %s\n", err);
        return EXIT_IO;
    }
    querier q = {ix, o, NULL, NULL, NULL, 0, 0, 0, RP_OK, ""};
    q.what = o->answer == 1 ? RP_QUERY_PAIRS : o->answer == 2 ? RP_QUERY_PASSAGES
             : s.passages                      ? RP_QUERY_PASSAGES
                                               : RP_QUERY_PAIRS;
    query_run r = {&q, 0, 0, EXIT_OK};
    if (o->human < 0) o->human = !o->output && cli_stdout_is_terminal();
    int rc;
    if (o->human) { /* on a terminal: the views of pairs and align */
        held_pairs hp = {0};
        o->params.min_words = s.params.min_words;
        if (q.what == RP_QUERY_PAIRS) q.held = &hp;
        else if (!(q.view = view_alignments_begin(stdout, &o->params))) return EXIT_IO;
        q.f = stdout;
        rc = each_doc(o, 1, query_one, &q, &r.read, &r.rejected);
        if (q.view) view_alignments_end(q.view);
        if (q.held) view_pairs(stdout, &hp, &o->params);
        held_free(&hp);
    } else {
        rc = cli_write_output(o->output, write_answers, &r, "the answers", NULL);
    }
    if (r.rc != EXIT_OK) rc = r.rc;
    if (!o->quiet)
        fprintf(stderr, "reprint: index query: %llu read, %llu asked, %llu rejected, %llu answers\n",
                (unsigned long long)r.read, (unsigned long long)q.queried, (unsigned long long)r.rejected,
                (unsigned long long)q.answers);
    return rc;
}

/* ------------------------------------------------------ get and delete */

static int cmd_ids(rp_index *ix, cli_opts *o, int del)
{
    int rc = EXIT_OK;
    if (o->n_inputs < 2) {
        fprintf(stderr, "reprint: index %s: no id given\n", del ? "delete" : "get");
        return EXIT_USAGE;
    }
    for (size_t k = 1; k < o->n_inputs; k++) {
        rp_id id;
        cli_id_arg(o->inputs[k], &id);
        char err[RP_ERROR_MAX] = "";
        rp_status st = del ? rp_index_delete(ix, &id, err) : rp_index_get(ix, &id, cli_write_indexed_doc, stdout, err);
        if (st != RP_OK) {
            fprintf(stderr, "reprint: %s: %s\n", o->inputs[k], err);
            if (rc == EXIT_OK) rc = st == RP_ERR_NOT_FOUND ? EXIT_BAD_INPUT : cli_exit_code(st);
        }
    }
    return rc;
}

/* ----------------------------------------------------- the maintenance */

static int cmd_expire(rp_index *ix, cli_opts *o)
{
    uint64_t age;
    if (!o->ttl || cli_parse_age(o->ttl, &age)) {
        fprintf(stderr, "reprint: index expire needs --ttl AGE (30d, 12h, 90m, or seconds)\n");
        return EXIT_USAGE;
    }
    uint64_t now = (uint64_t)time(NULL), deleted = 0;
    char err[RP_ERROR_MAX] = "";
    rp_status st = rp_index_expire(ix, now > age ? now - age : 0, o->by_date, &deleted, err);
    if (st != RP_OK) fprintf(stderr, "reprint: %s\n", err);
    if (!o->quiet) fprintf(stderr, "reprint: index expire: %llu deleted\n", (unsigned long long)deleted);
    return cli_exit_code(st);
}

static int cmd_stats(rp_index *ix)
{
    rp_index_stats s;
    char err[RP_ERROR_MAX] = "";
    rp_status st = rp_index_stat(ix, &s, err);
    if (st != RP_OK) {
        fprintf(stderr, "reprint: %s\n", err);
        return cli_exit_code(st);
    }
    cli_write_index_stats(stdout, &s);
    return EXIT_OK;
}

int cli_index(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, cli_command_named("index"));
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    static const char *const verbs[] = {"add", "query", "get", "delete", "expire", "stats", "compact", "backup", NULL};
    const char *verb = o.n_inputs ? o.inputs[0] : NULL;
    int v = 0;
    while (verb && verbs[v] && strcmp(verbs[v], verb) != 0) v++;
    if (!verb || !verbs[v] || !o.db) {
        fprintf(stderr, !verb || !verbs[v] ? "reprint: index: say what to do (add, query, get, delete, expire, "
                                             "stats, compact or backup)\n"
                                           : "reprint: index %s needs --db DIR\n",
                verb);
        free(o.inputs);
        return EXIT_USAGE;
    }
    if ((v == 0 || v == 1) && o.n_inputs < 2) {
        fprintf(stderr, "reprint: index %s: no input given (use - for stdin)\n", verb);
        free(o.inputs);
        return EXIT_USAGE;
    }
    if (!o.batch) o.batch = 10000;
    unsigned flags = v == 0 ? RP_INDEX_CREATE | (o.pairs_only ? RP_INDEX_NO_PASSAGES : 0)
                     : v == 1 || v == 2 || v == 5 || v == 7 ? RP_INDEX_READONLY
                                                            : 0;
    rp_index *ix = NULL;
    char err[RP_ERROR_MAX] = "";
    rp_status st = rp_index_open(o.db, &o.params, flags, &ix, err);
    if (st != RP_OK) {
        fprintf(stderr, "reprint: %s\n", err);
        free(o.inputs);
        return st == RP_ERR_INDEX ? EXIT_USAGE : cli_exit_code(st);
    }
    switch (v) {
    case 0: rc = cmd_add(ix, &o); break;
    case 1: rc = cmd_query(ix, &o); break;
    case 2: rc = cmd_ids(ix, &o, 0); break;
    case 3: rc = cmd_ids(ix, &o, 1); break;
    case 4: rc = cmd_expire(ix, &o); break;
    case 5: rc = cmd_stats(ix); break;
    case 6:
        if ((st = rp_index_compact(ix, err)) != RP_OK) fprintf(stderr, "reprint: %s\n", err);
        rc = cli_exit_code(st);
        break;
    default:
        if (o.n_inputs != 2) {
            fprintf(stderr, "reprint: index backup TO_DIR: one directory\n");
            rc = EXIT_USAGE;
        } else if ((st = rp_index_backup(ix, o.inputs[1], 0, err)) != RP_OK) {
            fprintf(stderr, "reprint: %s\n", err);
            rc = cli_exit_code(st);
        }
    }
    rp_index_close(ix);
    free(o.inputs);
    return rc;
}
