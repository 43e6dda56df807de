/*
 * corpus.c — the inputs of a run and the passes over them.
 *
 * Every task reads its corpus more than once: a first pass that sees every
 * record, numbers it and accounts for it (read = good + rejected), and later
 * passes that re-read the inputs to look again at the few records the first
 * pass found interesting. Record numbers tie the passes together: a reader
 * yields the same records in the same order every time, bad ones included,
 * and a count that differs between passes means an input changed under us.
 *
 * Standard input cannot be read twice, so the first pass spools its raw bytes
 * to a temporary file that later passes read instead.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int rp__corpus_init(rp_corpus *c, const rp_params *params, char *err)
{
    memset(c, 0, sizeof(*c));
    c->p = *params;
    c->err = err;
    c->id_field = dup_or_null(params->id_field ? params->id_field : "id");
    c->text_field = dup_or_null(params->text_field ? params->text_field : "text");
    c->date_field = dup_or_null(params->date_field ? params->date_field : "date");
    const char *tmp = params->tmp_dir ? params->tmp_dir : getenv("TMPDIR");
    c->tmp_dir = dup_or_null(tmp && *tmp ? tmp : "/tmp");
    c->tok = rp_tokenizer_create();
    c->p.id_field = c->id_field;
    c->p.text_field = c->text_field;
    c->p.date_field = c->date_field;
    c->p.tmp_dir = c->tmp_dir;
    return c->id_field && c->text_field && c->date_field && c->tmp_dir && c->tok ? 0 : -1;
}

void rp__corpus_free(rp_corpus *c)
{
    for (size_t i = 0; i < c->n_inputs; i++) {
        free(c->inputs[i].path);
        free(c->inputs[i].display);
        if (c->inputs[i].spool_path) {
            unlink(c->inputs[i].spool_path);
            free(c->inputs[i].spool_path);
        }
    }
    free(c->inputs);
    rp_tokenizer_free(c->tok);
    free(c->id_field);
    free(c->text_field);
    free(c->date_field);
    free(c->tmp_dir);
    memset(c, 0, sizeof(*c));
}

rp_status rp__corpus_add(rp_corpus *c, const char *path)
{
    if (rp__grow((void **)&c->inputs, &c->cap_inputs, c->n_inputs + 1, sizeof(rp_input)))
        return RP_ERR_NOMEM;
    rp_input *in = &c->inputs[c->n_inputs];
    memset(in, 0, sizeof(*in));
    in->path = dup_or_null(path);
    in->display = dup_or_null(strcmp(path, "-") == 0 ? "<stdin>" : path);
    if (!in->path || !in->display) {
        free(in->path);
        free(in->display);
        return RP_ERR_NOMEM;
    }
    c->n_inputs++;
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        c->total_bytes += (uint64_t)sb.st_size;
    return RP_OK;
}

static void progress(rp_corpus *c, const char *stage, uint64_t done)
{
    if (c->on_progress) c->on_progress(c->user, stage, done, c->total_bytes);
}

/* Tokenizes doc; on bad input fills c->msg with the located message. */
static rp_status tokenize(rp_corpus *c, rp_record *r)
{
    const rp_doc *doc = &r->doc;
    rp_status st = rp_tokenize(c->tok, doc->text, doc->text_len, &r->hashes, &r->spans, &r->n_tokens);
    if (st == RP_OK && r->n_tokens > 0) return RP_OK;
    if (st == RP_ERR_NOMEM) return st;
    char where[RP_MSG_MAX]; /* formatted only for a bad document: this is the hot path */
    if (doc->line) snprintf(where, sizeof(where), "%s:%llu", doc->file, (unsigned long long)doc->line);
    else snprintf(where, sizeof(where), "%s", doc->file);
    if (st != RP_OK) {
        rp__msg(c->msg, "%s: %s%s", where, rp_tokenizer_error(c->tok),
                doc->line ? " of the text field" : "");
        return st;
    }
    rp__msg(c->msg, "%s: document has no words", where);
    return RP_ERR_EMPTY;
}

/* A bad record: counted and reported when skipping, fatal otherwise. A bad
 * record that is a record (not the unreadable rest of a file) still takes a
 * number, so the visitor hears of it. */
static rp_status reject(rp_corpus *c, rp_stats *stats, rp_status st, const char *msg,
                        rp_record *r, rp__visit_fn visit, void *ctx)
{
    stats->read++;
    stats->rejected++;
    stats->rejected_by[st]++;
    if (!c->p.skip_bad) {
        rp__msg(c->err, "%s", msg);
        return st;
    }
    if (c->on_reject) c->on_reject(c->user, st, msg);
    if (!r) return RP_OK;
    if (c->n_rec >= UINT32_MAX - 1) {
        rp__msg(c->err, "more than %u records in one run", UINT32_MAX - 1);
        return RP_ERR_LIMIT;
    }
    r->rec = c->n_rec++;
    r->status = st;
    return visit(ctx, r);
}

static rp_status open_spool(rp_corpus *c, rp_input *in, FILE **spool)
{
    size_t n = strlen(c->tmp_dir) + 32;
    in->spool_path = malloc(n);
    if (!in->spool_path) return RP_ERR_NOMEM;
    snprintf(in->spool_path, n, "%s/reprint-stdin-XXXXXX", c->tmp_dir);
    int fd = mkstemp(in->spool_path);
    if (fd < 0 || !(*spool = fdopen(fd, "wb"))) {
        rp__msg(c->err, "cannot create a spool file for standard input in %s: %s", c->tmp_dir,
                strerror(errno));
        if (fd >= 0) close(fd);
        free(in->spool_path);
        in->spool_path = NULL;
        return RP_ERR_IO;
    }
    return RP_OK;
}

static rp_status first_pass_input(rp_corpus *c, size_t i, rp_stats *stats, rp__visit_fn visit,
                                  void *ctx, uint64_t *bytes_before)
{
    rp_input *in = &c->inputs[i];
    rp_reader *rd = rp_reader_open(in->path, &c->p);
    if (!rd) return RP_ERR_NOMEM;
    rp__reader_qualify_ids(rd, c->n_inputs > 1);
    FILE *spool = NULL;
    rp_status st = RP_OK;
    if (strcmp(in->path, "-") == 0) {
        if ((st = open_spool(c, in, &spool)) != RP_OK) goto done;
        rp__reader_spool(rd, spool);
    }
    in->first_rec = c->n_rec;
    uint64_t tick = 0;
    for (;;) {
        rp_record r;
        memset(&r, 0, sizeof(r));
        st = rp__reader_next_raw(rd, &r.doc);
        if (st == RP_EOF) {
            st = RP_OK;
            break;
        }
        if (st == RP_ERR_TRUNCATED) {
            /* the unreadable rest of a file: one rejection, not a record */
            if ((st = reject(c, stats, st, rp_reader_error(rd), NULL, visit, ctx)) != RP_OK) break;
            continue;
        }
        if (st != RP_OK && !rp_status_is_bad_input(st)) {
            rp__msg(c->err, "%s", rp_reader_error(rd));
            break;
        }
        if (st == RP_OK) st = rp__reader_parse(rd, &r.doc);
        if (st != RP_OK) {
            if ((st = reject(c, stats, st, rp_reader_error(rd), &r, visit, ctx)) != RP_OK) break;
            continue;
        }
        st = tokenize(c, &r);
        if (st == RP_ERR_NOMEM) break;
        if (st != RP_OK) {
            if ((st = reject(c, stats, st, c->msg, &r, visit, ctx)) != RP_OK) break;
            continue;
        }
        if (c->n_rec >= UINT32_MAX - 1) {
            rp__msg(c->err, "more than %u records in one run", UINT32_MAX - 1);
            st = RP_ERR_LIMIT;
            break;
        }
        r.rec = c->n_rec++;
        r.is_text = rp__reader_is_text(rd);
        stats->read++;
        if ((st = visit(ctx, &r)) != RP_OK) break;
        if ((++tick & 1023) == 0) progress(c, "reading", *bytes_before + rp_reader_bytes_read(rd));
    }
done:
    *bytes_before += rp_reader_bytes_read(rd);
    in->end_rec = c->n_rec;
    if (st == RP_OK) in->format = rp__reader_format(rd);
    if (spool && fclose(spool) != 0 && st == RP_OK) {
        rp__msg(c->err, "cannot write the spool file of standard input: %s", strerror(errno));
        st = RP_ERR_IO;
    }
    rp_reader_free(rd);
    return st;
}

rp_status rp__corpus_first_pass(rp_corpus *c, rp_stats *stats, rp__visit_fn visit, void *ctx)
{
    uint64_t bytes = 0;
    rp_status st = RP_OK;
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++)
        st = first_pass_input(c, i, stats, visit, ctx, &bytes);
    stats->bytes = bytes;
    progress(c, "reading", bytes);
    return st;
}

static rp_status changed(rp_corpus *c, size_t i)
{
    rp__msg(c->err, "%s: input changed between passes (read it from a stable file)",
            c->inputs[i].display);
    return RP_ERR_IO;
}

/* Opens input i for a later pass: the spool of stdin, or the input again. */
static rp_reader *reopen(rp_corpus *c, size_t i)
{
    rp_input *in = &c->inputs[i];
    rp_reader *r = in->spool_path
                       ? rp__reader_open_as(in->spool_path, in->display, in->format, &c->p)
                       : rp__reader_open_as(in->path, in->display, c->p.format, &c->p);
    if (r) rp__reader_qualify_ids(r, c->n_inputs > 1);
    return r;
}

rp_status rp__corpus_pass(rp_corpus *c, const char *stage, int tokenize_text,
                          int (*want)(void *ctx, uint64_t rec), rp__visit_fn visit, void *ctx)
{
    rp_status st = RP_OK;
    uint64_t bytes = 0;
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++) {
        rp_reader *rd = reopen(c, i);
        if (!rd) return RP_ERR_NOMEM;
        uint64_t rec = c->inputs[i].first_rec, tick = 0;
        for (;;) {
            rp_record r;
            memset(&r, 0, sizeof(r));
            st = rp__reader_next_raw(rd, &r.doc);
            if (st == RP_EOF) {
                st = rec == c->inputs[i].end_rec ? RP_OK : changed(c, i);
                break;
            }
            if (st == RP_ERR_TRUNCATED) continue; /* counted in the first pass */
            if (st != RP_OK && !rp_status_is_bad_input(st)) {
                rp__msg(c->err, "%s", rp_reader_error(rd));
                break;
            }
            if (rec >= c->inputs[i].end_rec) {
                st = changed(c, i);
                break;
            }
            r.rec = rec++;
            st = RP_OK;
            if ((++tick & 1023) == 0) progress(c, stage, bytes + rp_reader_bytes_read(rd));
            if (!want(ctx, r.rec)) continue;
            /* the first pass accepted this record: failing now means it changed */
            if (rp__reader_parse(rd, &r.doc) != RP_OK ||
                (tokenize_text && tokenize(c, &r) != RP_OK)) {
                st = changed(c, i);
                break;
            }
            r.is_text = rp__reader_is_text(rd);
                if ((st = visit(ctx, &r)) != RP_OK) break;
        }
        bytes += rp_reader_bytes_read(rd);
        rp_reader_free(rd);
    }
    progress(c, stage, bytes);
    return st;
}

size_t rp__corpus_slots(const rp_corpus *c, const uint64_t *pairs, size_t n_pairs, uint32_t **slot_of)
{
    size_t n_rec = c->n_rec;
    uint32_t *s = malloc((n_rec ? n_rec : 1) * sizeof(uint32_t));
    *slot_of = s;
    if (!s) return SIZE_MAX;
    memset(s, 0xFF, n_rec * sizeof(uint32_t));
    for (size_t i = 0; i < n_pairs; i++) {
        s[pairs[i] >> 32] = 0;
        s[(uint32_t)pairs[i]] = 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_rec; i++)
        if (s[i] != UINT32_MAX) s[i] = (uint32_t)n++;
    return n;
}

rp_status rp__corpus_temp(rp_corpus *c, FILE **out)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/reprint-XXXXXX", c->tmp_dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        rp__msg(c->err, "cannot create a temporary file in %s: %s", c->tmp_dir, strerror(errno));
        return RP_ERR_IO;
    }
    unlink(path); /* anonymous: gone when closed, whatever happens */
    if (!(*out = fdopen(fd, "w+b"))) {
        close(fd);
        return RP_ERR_NOMEM;
    }
    return RP_OK;
}
