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
 *
 * Later passes mostly want few records (verification: the documents in
 * candidate pairs) or want them only as bytes (writing the kept lines). For
 * an input that is one JSONL file of plain bytes (or whose decompressed
 * bytes were spooled) the first pass keeps every record's offset and length
 * (12 bytes a record), and later passes read the wanted lines in spans by
 * offset instead of reading and splitting the whole input again: a
 * verification pass then costs what its few records cost. A change to the
 * file between passes shows as a new size or modification time.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void drop_spool(rp_input *in);

int rp__corpus_init(rp_corpus *c, const rp_params *params, char *err)
{
    memset(c, 0, sizeof(*c));
    c->p = *params;
    c->err = err;
    c->id_field = dup_or_null(params->id_field ? params->id_field : "id");
    c->text_field = dup_or_null(params->text_field ? params->text_field : "text");
    c->date_field = dup_or_null(params->date_field ? params->date_field : "date");
    c->site_field = dup_or_null(params->site_field ? params->site_field : "");
    c->url_field = dup_or_null(params->url_field ? params->url_field : "");
    const char *tmp = params->tmp_dir ? params->tmp_dir : getenv("TMPDIR");
    c->tmp_dir = dup_or_null(tmp && *tmp ? tmp : "/tmp");
    c->tok = rp_tokenizer_create();
    c->p.id_field = c->id_field;
    c->p.text_field = c->text_field;
    c->p.date_field = c->date_field;
    c->p.site_field = c->site_field;
    c->p.url_field = c->url_field;
    c->p.tmp_dir = c->tmp_dir;
    return c->id_field && c->text_field && c->date_field && c->site_field && c->url_field &&
                   c->tmp_dir && c->tok
               ? 0
               : -1;
}

void rp__corpus_free(rp_corpus *c)
{
    free(c->rec_off);
    free(c->rec_len);
    free(c->line_fix);
    for (size_t i = 0; i < c->n_inputs; i++) {
        free(c->inputs[i].path);
        free(c->inputs[i].display);
        free(c->inputs[i].rec_hash);
        if (c->inputs[i].spool_path) {
            drop_spool(&c->inputs[i]);
        }
    }
    free(c->inputs);
    rp_tokenizer_free(c->tok);
    rp_spinner_free(c->spin);
    free(c->id_field);
    free(c->text_field);
    free(c->date_field);
    free(c->site_field);
    free(c->url_field);
    free(c->tmp_dir);
    memset(c, 0, sizeof(*c));
}

rp_status rp__corpus_spin(rp_corpus *c, char *err)
{
    c->p.spin = 1;
    if (!c->spin && !(c->spin = rp_spinner_create())) {
        rp__msg(err, "out of memory");
        return RP_ERR_NOMEM;
    }
    return rp__lexicon_load(err);
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

/* A spool file is unlinked as soon as it is made, so that nothing is left
 * in --tmp-dir by a run that is killed: the later passes open it again as
 * /proc/self/fd/N of a descriptor kept for them. Without /proc it keeps its
 * name until the corpus is freed. */
static rp_status open_spool(rp_corpus *c, rp_input *in, FILE **spool, const char *what)
{
    size_t n = strlen(c->tmp_dir) + 32;
    in->spool_path = malloc(n < 64 ? 64 : n);
    if (!in->spool_path) return RP_ERR_NOMEM;
    snprintf(in->spool_path, n, "%s/reprint-%s-XXXXXX", c->tmp_dir, what);
    in->spool_fd = -1;
    int fd = mkstemp(in->spool_path);
    if (fd < 0 || !(*spool = fdopen(fd, "wb"))) {
        rp__msg(c->err, "cannot create a spool file for %s in %s: %s", in->display, c->tmp_dir,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(in->spool_path);
        }
        free(in->spool_path);
        in->spool_path = NULL;
        return RP_ERR_IO;
    }
    int keep = dup(fd);
    char proc[64];
    if (keep >= 0) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", keep);
    if (keep >= 0 && access(proc, R_OK) == 0) {
        unlink(in->spool_path);
        memcpy(in->spool_path, proc, strlen(proc) + 1);
        in->spool_fd = keep;
    } else if (keep >= 0) {
        close(keep);
    }
    return RP_OK;
}

/* Forgets input in's spool: its descriptor closed, or its name unlinked. */
static void drop_spool(rp_input *in)
{
    if (in->spool_fd >= 0) close(in->spool_fd);
    else unlink(in->spool_path);
    in->spool_fd = -1;
    free(in->spool_path);
    in->spool_path = NULL;
}

/* A record's bytes as the first pass saw them, for inputs read again by
 * the reader (a directory's files, a text file): 0 is "not checked". */
static uint32_t rec_hash_of(const rp_doc *doc)
{
    return doc->raw ? (uint32_t)XXH3_64bits(doc->raw, doc->raw_len) | 1 : 0;
}

static int push_rec_hash(rp_input *in, uint32_t h)
{
    if (rp__grow((void **)&in->rec_hash, &in->cap_rec_hash, in->n_rec_hash + 1, sizeof(uint32_t)))
        return -1;
    in->rec_hash[in->n_rec_hash++] = h;
    return 0;
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

/* ----------------------------------------------- the first pass, in batches
 *
 * The reader thread (the caller's) reads records and copies them into
 * batches of about a megabyte; worker threads parse, tokenize and run the
 * task's work on whole batches; the reader thread commits finished batches
 * in input order, so numbering, rejections, their messages and the task's
 * state come out exactly as from one thread. With one thread the same
 * batches are worked on the caller's thread: one code path for both.
 */

enum { BATCH_BYTES = 1 << 20 };

typedef struct {
    rp_status st;             /* from the reader: RP_OK or bad input */
    int is_record;            /* a bad record takes a number; an unreadable
                                 rest of a file does not */
    int is_text;
    uint64_t line;
    size_t name;              /* offset in names: "file\0rel\0", rel "" for none */
    size_t off, len;          /* record bytes (or a message) in raw; a split
                                 batch's good records are in its worker's rbuf */
    uint64_t rec;             /* later passes: the record's number */
    uint64_t src_off;         /* first pass: where its line is in the file */
    size_t raw_len;           /* and how long, with the newline */
    rp_status out;            /* from the worker */
    size_t res_off, res_len;  /* result (or worker message) in res */
} rp_brec;

/* A span of an indexed input that the worker reads into raw itself, so
 * that the reading thread's share of a later pass is only to plan it. */
typedef struct {
    size_t at;                /* where in raw */
    uint64_t off;             /* where in the file */
    size_t len;
} rp_span_read;

typedef struct {
    rp_brec *recs;
    size_t n, cap;
    rp_buf raw, names, res;
    size_t last_name;         /* names offset of the last record's file */
    int fd;                   /* later passes: the file the spans are in */
    rp_span_read *reads;
    size_t n_reads, cap_reads;
    /* first pass over a plain JSONL file: the worker reads the bytes
     * [split_start, split_end) of fd and makes the records of the lines
     * that start there */
    int split;
    uint64_t split_start, split_end, file_size, seq;
    const char *split_name;
    int read_err;             /* the worker's reads: 0, an errno, or -1 when
                                 the file ended early */
    atomic_int done;          /* worked on, ready to commit */
} rp_batch;

typedef struct {
    struct rp_pool *pool;
    rp_tokenizer *tok;
    rp_spinner *spin;         /* --spin: the words' keys after the tokenizer */
    rp_parser parser;
    void *state;              /* the task's (ops->worker_new) */
    rp_buf rbuf;              /* split batches: the bytes read, and */
    rp_buf skip;              /* where an overlong line's bytes pass
                                 through, unkept */
    char msg[RP_MSG_MAX];
} rp_worker;

typedef struct rp_pool {
    rp_corpus *c;
    const rp__first_pass_ops *ops;
    void *ctx;
    rp_batch *ring;
    size_t n_ring;
    rp_worker *workers;
    unsigned n_workers;
    pthread_t *tids;
    unsigned n_started;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    uint64_t filled, taken;   /* batches filled and taken by workers, so far */
    uint64_t wake_at;         /* the batch the filling thread sleeps on */
    pthread_cond_t line_cv;   /* split batches learn their first line in */
    uint64_t line_seq;        /* order: the next batch to, and the lines */
    uint64_t line_base;       /* of the file before it */
    int stop;
    int later;                /* a later pass: records are numbered already */
    size_t input;             /* the input being read (later passes' messages) */
} rp_pool;

static void batch_free(rp_batch *b)
{
    free(b->recs);
    free(b->reads);
    rp__buf_free(&b->raw);
    rp__buf_free(&b->names);
    rp__buf_free(&b->res);
    memset(b, 0, sizeof(*b));
}

static void batch_reset(rp_batch *b)
{
    /* a huge record made its buffers huge: give the memory back */
    if (b->raw.cap > 4 * BATCH_BYTES) rp__buf_free(&b->raw);
    if (b->res.cap > 4 * BATCH_BYTES) rp__buf_free(&b->res);
    b->n = b->n_reads = 0;
    b->read_err = b->split = 0;
    b->raw.len = b->names.len = b->res.len = 0;
    b->last_name = SIZE_MAX;
    atomic_store(&b->done, 0);
}

/* Tokenizes doc, and with a spinner (--spin) gives its words' spin keys as
 * the hashes, their own hashes as literal; on bad input fills msg with the
 * located message. */
static rp_status tokenize_with(rp_tokenizer *tok, rp_spinner *spin, char *msg, rp_record *r)
{
    const rp_doc *doc = &r->doc;
    rp_status st = rp_tokenize(tok, doc->text, doc->text_len, &r->hashes, &r->spans, &r->n_tokens);
    r->literal = r->hashes;
    if (st == RP_OK && spin && (st = rp_spin(spin, tok, r->literal, r->n_tokens, &r->hashes)) != RP_OK) {
        rp__msg(msg, "%s", rp_spinner_error(spin));
        return st;
    }
    if (st == RP_OK && r->n_tokens > 0) return RP_OK;
    if (st == RP_ERR_NOMEM) return st;
    char where[RP_MSG_MAX]; /* formatted only for a bad document: this is the hot path */
    if (doc->line) snprintf(where, sizeof(where), "%s:%llu", doc->file, (unsigned long long)doc->line);
    else snprintf(where, sizeof(where), "%s", doc->file);
    if (st != RP_OK) {
        rp__msg(msg, "%s: %s%s", where, rp_tokenizer_error(tok), doc->line ? " of the text field" : "");
        return st;
    }
    rp__msg(msg, "%s: document has no words", where);
    return RP_ERR_EMPTY;
}

/* A record whose bytes are already in the batch at raw[off, off + len). */
static rp_status batch_ref(rp_batch *b, rp_status st, int is_record, size_t off, size_t len,
                           const rp_doc *doc, int is_text, const char *rel)
{
    if (rp__grow((void **)&b->recs, &b->cap, b->n + 1, sizeof(rp_brec))) return RP_ERR_NOMEM;
    rp_brec *br = &b->recs[b->n];
    memset(br, 0, sizeof(*br));
    br->st = st;
    br->is_record = is_record;
    br->is_text = is_text;
    br->line = doc ? doc->line : 0;
    const char *file = doc && doc->file ? doc->file : "";
    if (!rel) rel = ""; /* a path inside a directory is never empty */
    if (b->last_name == SIZE_MAX || strcmp(b->names.data + b->last_name, file) != 0 ||
        strcmp(b->names.data + b->last_name + strlen(file) + 1, rel) != 0) {
        b->last_name = b->names.len;
        if (rp__buf_append(&b->names, file, strlen(file) + 1) ||
            rp__buf_append(&b->names, rel, strlen(rel) + 1))
            return RP_ERR_NOMEM;
    }
    br->name = b->last_name;
    br->off = off;
    br->len = len;
    b->n++;
    return RP_OK;
}

static rp_status batch_add(rp_batch *b, rp_status st, int is_record, const char *bytes, size_t len,
                           const rp_doc *doc, int is_text, const char *rel)
{
    /* reserved even for nothing: raw.data is never NULL once a record is in */
    if (rp__buf_reserve(&b->raw, b->raw.len + len + 1)) return RP_ERR_NOMEM;
    if (len) memcpy(b->raw.data + b->raw.len, bytes, len);
    b->raw.len += len;
    return batch_ref(b, st, is_record, b->raw.len - len, len, doc, is_text, rel);
}

enum { SPLIT_AHEAD = 1 << 20 }; /* read-ahead for a line that ends past a batch */

/* The reading half of a split batch, on its worker: reads its bytes and
 * makes a record of every line that starts in them, as the reader would
 * (blank lines skipped; a line over max_doc_bytes rejected, its bytes read
 * past, not kept). A line belongs to the batch it starts in, so the byte
 * before the batch says whether its first bytes end an earlier one's line.
 * Line numbers need the newlines of every batch before: the batches take
 * their first line number in turn (line_seq), each as soon as it has
 * counted its own. */
static void split_batch(rp_pool *pool, rp_worker *w, rp_batch *b)
{
    size_t max = pool->c->p.max_doc_bytes;
    uint64_t from = b->split_start ? b->split_start - 1 : 0, e = b->split_end;
    size_t have = (size_t)(e - from), pos = (size_t)(b->split_start - from);
    uint64_t newlines = 0; /* in [split_start, split_end): the lines before the next batch */
    rp_buf *in = &w->rbuf; /* the worker's own: its cache lines stay on its core */
    if (in->cap > 4 * BATCH_BYTES) rp__buf_free(in); /* a huge line made it huge */
    int err = rp__buf_reserve(in, have + 1) ? ENOMEM : rp__pread_all(b->fd, in->data, have, from);
    if (!err && b->split_start && in->data[0] != '\n') {
        /* the first bytes end a line that started in an earlier batch */
        char *nl = memchr(in->data + pos, '\n', have - pos);
        pos = nl ? (size_t)(nl - in->data) + 1 : have;
        newlines += nl != NULL;
    }
    rp_doc doc = {.file = b->split_name};
    while (!err && from + pos < e) {
        char *nl = memchr(in->data + pos, '\n', have - pos);
        while (!nl && from + have < b->file_size && have - pos <= max) {
            /* the line goes on past the batch: read on to its end */
            size_t more = (size_t)(b->file_size - (from + have));
            if (more > SPLIT_AHEAD) more = SPLIT_AHEAD;
            if (rp__buf_reserve(in, have + more + 1)) {
                err = ENOMEM;
                break;
            }
            if ((err = rp__pread_all(b->fd, in->data + have, more, from + have)) != 0) break;
            nl = memchr(in->data + have, '\n', more);
            have += more;
        }
        if (err) break;
        size_t len = nl ? (size_t)(nl - (in->data + pos)) : have - pos;
        uint64_t skipped = len;
        if (!nl && from + have < b->file_size) {
            /* too long to hold: its bytes are read only to find its end */
            if (rp__buf_reserve(&w->skip, SPLIT_AHEAD)) {
                err = ENOMEM;
                break;
            }
            for (uint64_t at = from + have; at < b->file_size && !nl;) {
                size_t n = (size_t)(b->file_size - at < SPLIT_AHEAD ? b->file_size - at : SPLIT_AHEAD);
                if ((err = rp__pread_all(b->fd, w->skip.data, n, at)) != 0) break;
                nl = memchr(w->skip.data, '\n', n);
                skipped += nl ? (uint64_t)(nl - w->skip.data) : n;
                at += n;
            }
            if (err) break;
        }
        doc.line = newlines + 1; /* in the batch, until its first line is known */
        size_t start = pos;
        uint64_t src_off = from + start;
        if (nl && src_off + skipped < e) newlines++;
        pos = nl && skipped == len ? pos + len + 1 : have;
        if (skipped > max) {
            /* the message, which names the line, is written when that is known */
            if (batch_ref(b, RP_ERR_TOO_LARGE, 1, 0, 0, &doc, 0, NULL)) err = ENOMEM;
            else b->recs[b->n - 1].raw_len = (size_t)skipped;
            continue;
        }
        size_t content = len;
        if (content && in->data[start + content - 1] == '\r') content--;
        int blank = 1;
        for (size_t k = 0; k < content && blank; k++)
            blank = in->data[start + k] == ' ' || in->data[start + k] == '\t';
        if (blank) continue;
        if (batch_ref(b, RP_OK, 1, start, content, &doc, 0, NULL)) {
            err = ENOMEM;
            break;
        }
        b->recs[b->n - 1].src_off = src_off;
        b->recs[b->n - 1].raw_len = nl ? len + 1 : len;
    }
    pthread_mutex_lock(&pool->mu);
    while (pool->line_seq != b->seq && !pool->stop) pthread_cond_wait(&pool->line_cv, &pool->mu);
    uint64_t base = pool->line_base;
    pool->line_base += newlines;
    pool->line_seq++;
    pthread_cond_broadcast(&pool->line_cv);
    pthread_mutex_unlock(&pool->mu);
    if (err) {
        b->read_err = err;
        return;
    }
    in->len = have;
    if (rp__buf_reserve(&b->raw, 1)) { /* raw holds the batch's messages only */
        b->read_err = ENOMEM;
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        rp_brec *br = &b->recs[i];
        br->line += base;
        if (br->st != RP_ERR_TOO_LARGE) continue;
        char msg[RP_MSG_MAX];
        rp__msg(msg, "%s:%llu: document of %zu bytes exceeds --max-doc-bytes %zu", b->split_name,
                (unsigned long long)br->line, br->raw_len, max);
        br->off = b->raw.len;
        br->len = strlen(msg);
        if (rp__buf_append(&b->raw, msg, br->len)) {
            b->read_err = ENOMEM;
            return;
        }
    }
}

/* A worker's part for one batch: parse, tokenize, the task's work. */
static void batch_work(rp_pool *pool, rp_worker *w, rp_batch *b)
{
    if (b->split) {
        split_batch(pool, w, b);
        if (b->read_err) return;
    }
    /* a good record's bytes: in raw, or, split, in the worker's buffer */
    const char *base = b->split ? w->rbuf.data : b->raw.data;
    for (size_t k = 0; k < b->n_reads && !b->read_err; k++) {
        const rp_span_read *sr = &b->reads[k];
        for (size_t got = 0; got < sr->len;) {
            ssize_t n = pread(b->fd, b->raw.data + sr->at + got, sr->len - got,
                              (off_t)(sr->off + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                b->read_err = n < 0 ? errno : -1;
                break;
            }
            got += (size_t)n;
        }
    }
    if (b->read_err) return; /* the committer reports it */
    for (size_t i = 0; i < b->n && b->n_reads; i++) {
        /* records of spans read here: their line ends, unseen till now */
        rp_brec *br = &b->recs[i];
        if (br->len && b->raw.data[br->off + br->len - 1] == '\n') br->len--;
        if (br->len && b->raw.data[br->off + br->len - 1] == '\r') br->len--;
    }
    if (rp__buf_reserve(&b->res, 1)) { /* res.data is never NULL below */
        for (size_t i = 0; i < b->n; i++) b->recs[i].out = RP_ERR_NOMEM;
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        rp_brec *br = &b->recs[i];
        if (br->st != RP_OK) continue;
        rp_record r;
        memset(&r, 0, sizeof(r));
        r.doc.file = b->names.data + br->name;
        r.doc.line = br->line;
        r.doc.raw = base + br->off;
        r.doc.raw_len = br->len;
        r.is_text = br->is_text;
        const char *rel = r.doc.file + strlen(r.doc.file) + 1;
        if (!*rel) rel = NULL;
        rp_status st = rp__parse(&w->parser, base + br->off, br->len, br->is_text, rel, &r.doc);
        const char *msg = w->parser.err;
        if (st == RP_OK && (!pool->later || !pool->ops->tokens || pool->ops->tokens(pool->ctx, br->rec))) {
            st = tokenize_with(w->tok, w->spin, w->msg, &r);
            msg = w->msg;
        }
        br->res_off = b->res.len;
        if (st == RP_OK) {
            st = pool->ops->work(w->state, &r, &b->res);
        } else if (rp_status_is_bad_input(st)) {
            if (rp__buf_append(&b->res, msg, strlen(msg) + 1)) st = RP_ERR_NOMEM;
        }
        br->out = st;
        br->res_len = b->res.len - br->res_off;
    }
}

static void *worker_main(void *arg)
{
    rp_worker *w = arg;
    rp_pool *pool = w->pool;
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (!pool->stop && pool->taken == pool->filled)
            pthread_cond_wait(&pool->work_cv, &pool->mu);
        if (pool->stop) break;
        uint64_t seq = pool->taken++;
        rp_batch *b = &pool->ring[seq % pool->n_ring];
        pthread_mutex_unlock(&pool->mu);
        batch_work(pool, w, b);
        pthread_mutex_lock(&pool->mu);
        atomic_store(&b->done, 1);
        if (seq == pool->wake_at) pthread_cond_signal(&pool->done_cv);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

static unsigned thread_count(const rp_params *p)
{
    if (p->threads) return p->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)(n < 256 ? n : 256) : 1;
}

static void pool_stop(rp_pool *pool)
{
    if (pool->n_started) {
        pthread_mutex_lock(&pool->mu);
        pool->stop = 1;
        pthread_cond_broadcast(&pool->work_cv);
        pthread_cond_broadcast(&pool->line_cv);
        pthread_mutex_unlock(&pool->mu);
        for (unsigned t = 0; t < pool->n_started; t++) pthread_join(pool->tids[t], NULL);
        pool->n_started = 0;
    }
}

static void pool_free(rp_pool *pool)
{
    pool_stop(pool);
    for (size_t i = 0; i < pool->n_ring; i++) batch_free(&pool->ring[i]);
    free(pool->ring);
    for (unsigned t = 0; t < pool->n_workers; t++) {
        rp_worker *w = &pool->workers[t];
        rp_tokenizer_free(w->tok);
        rp_spinner_free(w->spin);
        rp__parser_free(&w->parser);
        rp__buf_free(&w->skip);
        rp__buf_free(&w->rbuf);
        if (w->state) pool->ops->worker_free(w->state);
    }
    free(pool->workers);
    free(pool->tids);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->work_cv);
    pthread_cond_destroy(&pool->done_cv);
    pthread_cond_destroy(&pool->line_cv);
}

static rp_status pool_init(rp_pool *pool, rp_corpus *c, const rp__first_pass_ops *ops, void *ctx)
{
    memset(pool, 0, sizeof(*pool));
    pool->c = c;
    pool->ops = ops;
    pool->ctx = ctx;
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->work_cv, NULL);
    pthread_cond_init(&pool->done_cv, NULL);
    pthread_cond_init(&pool->line_cv, NULL);
    pool->wake_at = UINT64_MAX;
    unsigned threads = thread_count(&c->p);
    pool->n_workers = threads;
    pool->n_ring = threads == 1 ? 1 : 2 * (size_t)threads + 2;
    pool->ring = calloc(pool->n_ring, sizeof(rp_batch));
    pool->workers = calloc(threads, sizeof(rp_worker));
    pool->tids = calloc(threads, sizeof(pthread_t));
    if (!pool->ring || !pool->workers || !pool->tids) return RP_ERR_NOMEM;
    for (size_t i = 0; i < pool->n_ring; i++) batch_reset(&pool->ring[i]);
    for (unsigned t = 0; t < threads; t++) {
        rp_worker *w = &pool->workers[t];
        w->pool = pool;
        rp__parser_init(&w->parser, c->id_field, c->text_field, c->n_inputs > 1);
        c->temp_status = RP_OK;
        if (!(w->tok = rp_tokenizer_create())) return RP_ERR_NOMEM;
        if (!(w->state = ops->worker_new(ctx))) /* a temporary file it could not make, or memory */
            return c->temp_status != RP_OK ? c->temp_status : RP_ERR_NOMEM;
        if (c->p.spin) {
            if (!(w->spin = rp_spinner_create())) return RP_ERR_NOMEM;
            rp_status st = rp__lexicon_load(c->msg);
            if (st != RP_OK) return st;
        }
    }
    /* the calling thread is worker 0 between its own work; the others start */
    for (unsigned t = 1; t < threads; t++) {
        if (pthread_create(&pool->tids[t - 1], NULL, worker_main, &pool->workers[t]) != 0)
            break; /* fewer threads than asked: still correct */
        pool->n_started++;
    }
    return RP_OK;
}

#define REC_UNREAD UINT32_MAX

/* The index entry of record rec (the last numbered), of input in. */
static rp_status index_put(rp_corpus *c, uint64_t rec, const rp_brec *br, const rp_input *in)
{
    uint64_t skipped = br->line - 1 - (rec - in->first_rec);
    if (br->line && skipped != c->skipped) {
        if (rp__grow((void **)&c->line_fix, &c->cap_line_fix, c->n_line_fix + 1,
                     sizeof(*c->line_fix)))
            return RP_ERR_NOMEM;
        c->line_fix[c->n_line_fix][0] = rec;
        c->line_fix[c->n_line_fix++][1] = skipped;
        c->skipped = skipped;
    }
    if (rec >= c->cap_index) {
        /* by half: with the engine's arrays this is most of a record's cost */
        size_t cap = c->cap_index ? c->cap_index + c->cap_index / 2 : 4096;
        uint64_t *o = realloc(c->rec_off, cap * sizeof(*o));
        if (o) c->rec_off = o;
        uint32_t *l = realloc(c->rec_len, cap * sizeof(*l));
        if (l) c->rec_len = l;
        if (!o || !l) return RP_ERR_NOMEM;
        c->cap_index = cap;
    }
    int good = br->st == RP_OK && br->out == RP_OK && !br->is_text && br->raw_len < REC_UNREAD;
    c->rec_off[rec] = br->src_off;
    c->rec_len[rec] = good ? (uint32_t)br->raw_len : REC_UNREAD;
    return RP_OK;
}

/* The line of record rec of indexed input i. */
static uint64_t line_of(const rp_corpus *c, size_t i, uint64_t rec)
{
    const rp_input *in = &c->inputs[i];
    size_t lo = 0, hi = c->n_line_fix; /* the last fix at or before rec */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->line_fix[mid][0] <= rec) lo = mid + 1;
        else hi = mid;
    }
    uint64_t skipped = lo && c->line_fix[lo - 1][0] >= in->first_rec ? c->line_fix[lo - 1][1] : 0;
    return rec - in->first_rec + 1 + skipped;
}

/* Commits the oldest uncommitted batch, in record order. */
static rp_status commit_batch(rp_pool *pool, rp_batch *b, rp_stats *stats)
{
    rp_corpus *c = pool->c;
    rp_status st = RP_OK;
    if (b->read_err == ENOMEM) {
        rp__msg(c->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    if (b->read_err > 0) {
        rp__msg(c->err, "%s: cannot read: %s", c->inputs[pool->input].display,
                strerror(b->read_err));
        return RP_ERR_IO;
    }
    if (b->read_err && !pool->later) {
        rp__msg(c->err, "%s: the file got shorter while it was read", c->inputs[pool->input].display);
        return RP_ERR_IO;
    }
    if (b->read_err) return changed(c, pool->input); /* shorter than in the first pass */
    for (size_t i = 0; i < b->n && st == RP_OK; i++) {
        rp_brec *br = &b->recs[i];
        if (!pool->later && br->is_record) {
            /* the number this record is about to take, if it takes one */
            if ((st = index_put(c, c->n_rec, br, &c->inputs[pool->input])) != RP_OK) return st;
        }
        rp_record r;
        memset(&r, 0, sizeof(r));
        r.doc.file = b->names.data + br->name;
        r.doc.line = br->line;
        r.is_text = br->is_text;
        if (pool->later) {
            if (br->out == RP_ERR_NOMEM) return br->out;
            /* the first pass accepted this record: failing now means it changed */
            if (br->out != RP_OK) return changed(c, pool->input);
            r.rec = br->rec;
            r.result = b->res.data + br->res_off;
            r.result_len = br->res_len;
            st = pool->ops->commit(pool->ctx, &r);
            continue;
        }
        if (br->st != RP_OK) {
            char msg[RP_MSG_MAX];
            rp__msg(msg, "%.*s", (int)br->len, b->raw.data + br->off);
            st = reject(c, stats, br->st, msg, br->is_record ? &r : NULL, pool->ops->commit, pool->ctx);
            continue;
        }
        if (br->out != RP_OK) {
            if (!rp_status_is_bad_input(br->out)) {
                if (br->out == RP_ERR_NOMEM) rp__msg(c->err, "out of memory");
                return br->out;
            }
            st = reject(c, stats, br->out, b->res.data + br->res_off, &r, pool->ops->commit, pool->ctx);
            continue;
        }
        if (c->n_rec >= UINT32_MAX - 1) {
            rp__msg(c->err, "more than %u records in one run", UINT32_MAX - 1);
            return RP_ERR_LIMIT;
        }
        r.rec = c->n_rec++;
        stats->read++;
        r.result = b->res.data + br->res_off;
        r.result_len = br->res_len;
        st = pool->ops->commit(pool->ctx, &r);
    }
    return st;
}

/* Hands batch seq to the workers (or works on it here, with one thread). */
static void submit(rp_pool *pool)
{
    if (pool->n_started == 0) {
        batch_work(pool, &pool->workers[0], &pool->ring[pool->filled % pool->n_ring]);
        atomic_store(&pool->ring[pool->filled % pool->n_ring].done, 1);
        pool->filled++;
        return;
    }
    pthread_mutex_lock(&pool->mu);
    pool->filled++;
    pthread_cond_signal(&pool->work_cv);
    pthread_mutex_unlock(&pool->mu);
}

/* The calling thread works on the next batch no worker has taken, if any. */
static int help(rp_pool *pool)
{
    pthread_mutex_lock(&pool->mu);
    if (pool->taken == pool->filled) {
        pthread_mutex_unlock(&pool->mu);
        return 0;
    }
    uint64_t seq = pool->taken++;
    rp_batch *b = &pool->ring[seq % pool->n_ring];
    pthread_mutex_unlock(&pool->mu);
    batch_work(pool, &pool->workers[0], b);
    atomic_store(&b->done, 1); /* only this thread waits on done */
    return 1;
}

/* Waits until batch seq is worked on; only its own end wakes this thread. */
static void wait_done(rp_pool *pool, uint64_t seq)
{
    rp_batch *b = &pool->ring[seq % pool->n_ring];
    if (pool->n_started == 0 || atomic_load(&b->done)) return;
    pthread_mutex_lock(&pool->mu);
    pool->wake_at = seq;
    while (!atomic_load(&b->done)) pthread_cond_wait(&pool->done_cv, &pool->mu);
    pool->wake_at = UINT64_MAX;
    pthread_mutex_unlock(&pool->mu);
}

/* Commits finished batches in order: the oldest, waiting for it, while the
 * ring is full; then any that are done; with all, every one left. */
static rp_status drain(rp_pool *pool, uint64_t *committed, int all, rp_stats *stats,
                       const char *stage, uint64_t bytes)
{
    while (*committed < pool->filled &&
           (all || pool->filled - *committed >= pool->n_ring ||
            atomic_load(&pool->ring[*committed % pool->n_ring].done))) {
        rp_batch *old = &pool->ring[*committed % pool->n_ring];
        if (pool->n_started && !atomic_load(&old->done) && help(pool)) continue;
        if (!all && !atomic_load(&old->done)) {
            /* a full ring: sleep until half of it is done, not batch by batch,
             * so that this thread wakes (and takes a core from a worker)
             * once per half a ring */
            wait_done(pool, *committed + (pool->n_ring + 1) / 2 - 1);
        }
        wait_done(pool, *committed);
        rp_status st = commit_batch(pool, old, stats);
        batch_reset(old);
        ++*committed;
        progress(pool->c, stage, bytes);
        if (st != RP_OK) return st;
    }
    return RP_OK;
}


/* Whether input i is one plain JSONL file, which the workers read and split
 * themselves; if so, its opened descriptor and status. */
static int splittable(rp_corpus *c, size_t i, int *fd, struct stat *sb)
{
    const rp_input *in = &c->inputs[i];
    rp_format f = c->p.format != RP_FORMAT_AUTO ? c->p.format : rp__format_of_name(in->path);
    int sniff = c->p.format == RP_FORMAT_AUTO && f == RP_FORMAT_TEXT;
    if (strcmp(in->path, "-") == 0 || (f != RP_FORMAT_JSONL && !sniff)) return 0;
    /* not even opened unless regular: opening a FIFO would take its writer's data */
    if (stat(in->path, sb) != 0 || !S_ISREG(sb->st_mode)) return 0;
    if ((*fd = open(in->path, O_RDONLY | O_CLOEXEC)) < 0) return 0; /* the reader says why */
    char head[RP_SNIFF_BYTES];
    ssize_t n = fstat(*fd, sb) == 0 && S_ISREG(sb->st_mode)
                    ? pread(*fd, head, sniff ? sizeof(head) : 4, 0)
                    : -1;
    if (n >= 0 && rp__source_kind(head, (size_t)n) == RP_SRC_PLAIN &&
        (!sniff || rp__looks_jsonl(head, (size_t)n, c->p.text_field))) {
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
        return 1;
    }
    close(*fd);
    return 0;
}

/* The first pass over a plain JSONL file: this thread hands out byte ranges
 * (split_batch does the rest) and commits. */
static rp_status first_pass_split(rp_corpus *c, rp_pool *pool, uint64_t *committed, size_t i,
                                  rp_stats *stats, uint64_t *bytes_before, int fd,
                                  const struct stat *sb)
{
    rp_input *in = &c->inputs[i];
    in->first_rec = c->n_rec;
    c->skipped = 0;
    pool->input = i;
    pthread_mutex_lock(&pool->mu); /* the workers are idle: every batch is committed */
    pool->line_seq = pool->filled;
    pool->line_base = 0;
    pthread_mutex_unlock(&pool->mu);
    uint64_t size = (uint64_t)sb->st_size, pos = 0;
    rp_status st = RP_OK;
    for (;;) {
        if ((st = drain(pool, committed, pos >= size, stats, "reading", *bytes_before + pos)) != RP_OK)
            break;
        if (pos >= size) break;
        rp_batch *b = &pool->ring[pool->filled % pool->n_ring];
        b->split = 1;
        b->fd = fd;
        b->split_name = in->display;
        b->split_start = pos;
        b->split_end = pos = size - pos > rp__hooks.split_bytes ? pos + rp__hooks.split_bytes : size;
        b->file_size = size;
        b->seq = pool->filled;
        submit(pool);
    }
    /* a stopped pass may leave batches at work: they read from fd */
    for (uint64_t q = *committed; q < pool->filled; q++) wait_done(pool, q);
    close(fd);
    *bytes_before += pos;
    in->end_rec = c->n_rec;
    if (st == RP_OK) {
        in->format = RP_FORMAT_JSONL;
        in->indexed = 1;
        in->size = size;
        in->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    }
    return st;
}

static rp_status first_pass_input(rp_corpus *c, rp_pool *pool, uint64_t *committed, size_t i,
                                  rp_stats *stats, uint64_t *bytes_before)
{
    rp_input *in = &c->inputs[i];
    int fd;
    struct stat fsb;
    if (splittable(c, i, &fd, &fsb))
        return first_pass_split(c, pool, committed, i, stats, bytes_before, fd, &fsb);
    rp_reader *rd = rp_reader_open(in->path, &c->p);
    if (!rd) return RP_ERR_NOMEM;
    rp__reader_qualify_ids(rd, c->n_inputs > 1);
    FILE *spool = NULL, *decoded = NULL;
    rp_status st = RP_OK, read_st = RP_OK;
    char read_msg[RP_MSG_MAX] = "";
    struct stat sb;
    int have_stat = strcmp(in->path, "-") != 0 && stat(in->path, &sb) == 0;
    if (!have_stat ? strcmp(in->path, "-") == 0 : !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        /* stdin, a named pipe, a process substitution: read once, so kept
         * for the later passes as it was read */
        if ((st = open_spool(c, in, &spool, "stream")) != RP_OK) goto done;
        rp__reader_spool(rd, spool);
    } else if (have_stat && S_ISREG(sb.st_mode)) {
        /* if it turns out compressed, later passes read its decompressed
         * bytes from here rather than decompress it twice more */
        if ((st = open_spool(c, in, &decoded, "decoded")) != RP_OK) goto done;
        rp__reader_spool_decoded(rd, decoded);
    }
    in->first_rec = c->n_rec;
    c->skipped = 0;
    pool->input = i;
    int eof = 0;
    while (st == RP_OK) {
        if ((st = drain(pool, committed, eof, stats, "reading",
                        *bytes_before + rp_reader_bytes_read(rd))) != RP_OK)
            goto done;
        if (eof) break;
        rp_batch *b = &pool->ring[pool->filled % pool->n_ring];
        while (b->raw.len < BATCH_BYTES && b->n < rp__hooks.batch_max_records) {
            rp_doc doc;
            rp_status rs = rp__reader_next_raw(rd, &doc);
            if (rs == RP_EOF) {
                eof = 1;
                break;
            }
            if (rs != RP_OK && !rp_status_is_bad_input(rs) && rs != RP_ERR_TRUNCATED) {
                /* the records before it are committed first, as they came first */
                read_st = rs;
                rp__msg(read_msg, "%s", rp_reader_error(rd));
                eof = 1;
                break;
            }
            if (rs != RP_ERR_TRUNCATED && push_rec_hash(in, rs == RP_OK ? rec_hash_of(&doc) : 0)) {
                st = RP_ERR_NOMEM;
                break;
            }
            if (rs != RP_OK) {
                const char *m = rp_reader_error(rd);
                st = batch_add(b, rs, rs != RP_ERR_TRUNCATED, m, strlen(m), &doc, 0, NULL);
            } else {
                const char *bytes, *rel;
                size_t len;
                int is_text;
                rp__reader_record(rd, &bytes, &len, &is_text, &rel);
                st = batch_add(b, RP_OK, 1, bytes, len, &doc, is_text, rel);
                if (st == RP_OK) {
                    b->recs[b->n - 1].src_off = rp__reader_record_offset(rd);
                    b->recs[b->n - 1].raw_len = doc.raw_len;
                }
            }
            if (st != RP_OK) goto done;
        }
        if (b->n) submit(pool);
    }
    if (st == RP_OK && read_st != RP_OK) {
        rp__msg(c->err, "%s", read_msg);
        st = read_st;
    }
done:
    *bytes_before += rp_reader_bytes_read(rd);
    in->end_rec = c->n_rec;
    size_t n_notes;
    const char *notes = rp__reader_notes(rd, &n_notes);
    stats->skipped_entries += n_notes;
    for (size_t k = 0; k < n_notes && c->on_warning; k++) { /* a line each */
        const char *nl = strchr(notes, '\n');
        char line[RP_MSG_MAX];
        snprintf(line, sizeof(line), "%.*s", (int)(nl - notes), notes);
        c->on_warning(c->user, line);
        notes = nl + 1;
    }
    if (st == RP_OK) in->format = rp__reader_format(rd);
    if (spool && fclose(spool) != 0 && st == RP_OK) {
        rp__msg(c->err, "cannot write the spool file of a stream input (stdin or a pipe): %s", strerror(errno));
        st = RP_ERR_IO;
    }
    int decoded_kept = 0;
    if (decoded) {
        /* kept only when whole; otherwise later passes read the input itself */
        int whole = rp__reader_decoded_finish(rd); /* before the file is closed */
        decoded_kept = fclose(decoded) == 0 && st == RP_OK && whole;
        if (!decoded_kept) drop_spool(in);
    }
    if (st == RP_OK && (rp__reader_lines_at_offsets(rd) || (decoded_kept && in->format == RP_FORMAT_JSONL))) {
        struct stat sb;
        if (stat(in->spool_path ? in->spool_path : in->path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            in->indexed = 1;
            in->size = (uint64_t)sb.st_size;
            in->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        }
    }
    if (in->indexed || in->spool_path) {
        /* read again by offset, checked by size and time, or from our own
         * spool, which nothing can change: no record needs its hash */
        free(in->rec_hash);
        in->rec_hash = NULL;
    }
    rp_reader_free(rd);
    return st;
}

rp_status rp__corpus_first_pass(rp_corpus *c, rp_stats *stats, const rp__first_pass_ops *ops,
                                void *ctx)
{
    double t0 = rp__seconds();
    rp_pool pool;
    rp_status st = pool_init(&pool, c, ops, ctx);
    stats->threads = pool.n_started + 1;
    uint64_t bytes = 0, committed = 0;
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++) {
        st = first_pass_input(c, &pool, &committed, i, stats, &bytes);
        /* a stopped run leaves batches behind: they are dropped unseen */
        if (st != RP_OK) break;
    }
    if (st == RP_ERR_NOMEM && !c->err[0]) rp__msg(c->err, "out of memory");
    pool_free(&pool);
    stats->bytes = bytes;
    progress(c, "reading", bytes);
    stats->first_pass_seconds = rp__seconds() - t0;
    return st;
}

/* ------------------------------------------------------- later passes
 *
 * A later pass walks an input's records again and hands on the ones want()
 * asks for: read in full and split again, or, for an indexed input, read
 * by offset in spans of nearby wanted lines. */

enum { SPAN_BYTES = 1 << 20, SPAN_GAP = 16 << 10 };

typedef struct {
    rp_corpus *c;
    size_t input;
    int (*want)(void *ctx, uint64_t rec);
    void *ctx;
    uint64_t rec, end;        /* next record to look at; the input's end */
    rp_reader *rd;            /* not indexed: the input read again */
    int fd;                   /* indexed: the file the records are read from */
    rp_buf span;              /* the span's bytes (or a batch's, see span_at) */
    uint64_t span_off;        /* where the span starts in the file */
    size_t span_at;           /* and in the buffer it was read into */
    uint64_t *wanted;         /* the span's wanted records, the next at k */
    size_t n_wanted, k, cap_wanted;
    uint64_t bytes;           /* how far into the input (progress) */
} rp_later;

static rp_status later_open(rp_later *it, rp_corpus *c, size_t i,
                            int (*want)(void *ctx, uint64_t rec), void *ctx)
{
    memset(it, 0, sizeof(*it));
    rp_input *in = &c->inputs[i];
    it->c = c;
    it->input = i;
    it->want = want;
    it->ctx = ctx;
    it->rec = in->first_rec;
    it->end = in->end_rec;
    it->fd = -1;
    if (!in->indexed) {
        it->rd = reopen(c, i);
        return it->rd ? RP_OK : RP_ERR_NOMEM;
    }
    const char *path = in->spool_path ? in->spool_path : in->path;
    struct stat sb;
    if ((it->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        rp__msg(c->err, "%s: cannot open: %s", in->display, strerror(errno));
        return RP_ERR_IO;
    }
    if (fstat(it->fd, &sb) != 0 || (uint64_t)sb.st_size != in->size ||
        (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != in->mtime_ns)
        return changed(c, i);
    return RP_OK;
}

/* The end of a later pass over an indexed input: the file must still be the
 * one the first pass indexed (a line rewritten in place while the pass read
 * it shows a new modification time). */
static rp_status later_finish(rp_later *it, rp_status st)
{
    const rp_input *in = &it->c->inputs[it->input];
    struct stat sb;
    if (st == RP_OK && it->fd >= 0 &&
        (fstat(it->fd, &sb) != 0 || (uint64_t)sb.st_size != in->size ||
         (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != in->mtime_ns))
        return changed(it->c, it->input);
    return st;
}

static void later_close(rp_later *it)
{
    rp_reader_free(it->rd);
    if (it->fd >= 0) close(it->fd);
    rp__buf_free(&it->span);
    free(it->wanted);
}

static uint64_t later_bytes(const rp_later *it)
{
    return it->rd ? rp_reader_bytes_read(it->rd) : it->bytes;
}

/* Gathers the next wanted records that lie close together and reads them
 * with one pread; none left: n_wanted is 0. */
/* Reads len bytes at off of an indexed input; a file that ends early has
 * changed since the first pass. */
static rp_status read_at(rp_later *it, char *dst, size_t len, uint64_t off)
{
    rp_corpus *c = it->c;
    for (size_t got = 0; got < len;) {
        ssize_t n = pread(it->fd, dst + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rp__msg(c->err, "%s: cannot read: %s", c->inputs[it->input].display, strerror(errno));
            return RP_ERR_IO;
        }
        if (n == 0) return changed(c, it->input);
        got += (size_t)n;
    }
    return RP_OK;
}

/* With defer, the span is not read here but added to defer's reads. */
static rp_status fill_span(rp_later *it, rp_buf *dst, size_t max_recs, rp_batch *defer)
{
    rp_corpus *c = it->c;
    uint64_t start = 0, stop = 0;
    it->n_wanted = it->k = 0;
    while (it->rec < it->end && it->n_wanted < max_recs) {
        uint64_t r = it->rec;
        if (!it->want(it->ctx, r)) {
            it->rec++;
            continue;
        }
        /* the first pass did not accept it: wanting it means it changed */
        if (c->rec_len[r] == REC_UNREAD) return changed(c, it->input);
        uint64_t off = c->rec_off[r], e = off + c->rec_len[r];
        if (it->n_wanted && (off - stop > SPAN_GAP || e - start > SPAN_BYTES)) break;
        if (!it->n_wanted) start = off;
        stop = e;
        if (rp__grow((void **)&it->wanted, &it->cap_wanted, it->n_wanted + 1, sizeof(uint64_t)))
            return RP_ERR_NOMEM;
        it->wanted[it->n_wanted++] = r;
        it->rec++;
    }
    if (!it->n_wanted) return RP_OK;
    size_t len = (size_t)(stop - start);
    if (rp__buf_reserve(dst, dst->len + len + 1)) return RP_ERR_NOMEM;
    if (defer) {
        if (rp__grow((void **)&defer->reads, &defer->cap_reads, defer->n_reads + 1,
                     sizeof(rp_span_read)))
            return RP_ERR_NOMEM;
        defer->reads[defer->n_reads++] = (rp_span_read){dst->len, start, len};
        defer->fd = it->fd;
    } else {
        rp_status st = read_at(it, dst->data + dst->len, len, start);
        if (st != RP_OK) return st;
    }
    it->span_at = dst->len;
    dst->len += len;
    it->span_off = start;
    it->bytes = stop;
    return RP_OK;
}

/* Where wanted record r of the span last planned is in the buffer it goes
 * to, and its length with the newline (a deferred span is not read yet). */
static size_t span_record_at(const rp_later *it, uint64_t r, size_t *len)
{
    *len = it->c->rec_len[r];
    return it->span_at + (size_t)(it->c->rec_off[r] - it->span_off);
}

/* The bytes of wanted record r of the span last read into dst, and their
 * length without the newline. */
static const char *span_record(const rp_later *it, const rp_buf *dst, uint64_t r, size_t *len)
{
    size_t n;
    const char *p = dst->data + span_record_at(it, r, &n);
    if (n && p[n - 1] == '\n') n--;
    if (n && p[n - 1] == '\r') n--;
    *len = n;
    return p;
}

/* The next wanted record: its number, doc (raw, file, line), its bytes
 * without the newline and what they are; RP_EOF after the last. */
static rp_status later_next(rp_later *it, uint64_t *rec, rp_doc *doc, const char **bytes,
                            size_t *len, int *is_text, const char **rel)
{
    rp_corpus *c = it->c;
    if (!it->rd) {
        if (it->k == it->n_wanted) {
            it->span.len = 0;
            rp_status st = fill_span(it, &it->span, SIZE_MAX, NULL);
            if (st != RP_OK) return st;
            if (!it->n_wanted) return RP_EOF;
        }
        uint64_t r = it->wanted[it->k++];
        memset(doc, 0, sizeof(*doc));
        doc->raw = span_record(it, &it->span, r, len);
        doc->raw_len = c->rec_len[r];
        doc->file = c->inputs[it->input].display;
        doc->line = line_of(c, it->input, r);
        *rec = r;
        *bytes = doc->raw;
        *is_text = 0;
        *rel = NULL;
        return RP_OK;
    }
    for (;;) {
        rp_status rs = rp__reader_next_raw(it->rd, doc);
        if (rs == RP_EOF) return it->rec == it->end ? RP_EOF : changed(c, it->input);
        if (rs == RP_ERR_TRUNCATED) continue; /* counted in the first pass */
        if (rs != RP_OK && !rp_status_is_bad_input(rs)) {
            rp__msg(c->err, "%s", rp_reader_error(it->rd));
            return rs;
        }
        if (it->rec >= it->end) return changed(c, it->input);
        uint64_t r = it->rec++;
        if (!it->want(it->ctx, r)) continue;
        if (rs != RP_OK) return changed(c, it->input); /* accepted by the first pass, bad now */
        const rp_input *in = &c->inputs[it->input];
        if (in->rec_hash && in->rec_hash[r - in->first_rec] &&
            in->rec_hash[r - in->first_rec] != rec_hash_of(doc)) {
            /* a file of a directory rewritten since: named */
            rp__msg(c->err, "%s: input changed between passes (read it from a stable file)",
                    doc->file ? doc->file : in->display);
            return RP_ERR_IO;
        }
        rp__reader_record(it->rd, bytes, len, is_text, rel);
        *rec = r;
        return RP_OK;
    }
}

static rp_status later_pass_input(rp_corpus *c, rp_pool *pool, uint64_t *committed, size_t i,
                                  const char *stage, int (*want)(void *ctx, uint64_t rec),
                                  uint64_t *bytes_before)
{
    rp_later it;
    rp_status st = later_open(&it, c, i, want, pool->ctx);
    pool->input = i;
    int eof = 0;
    while (st == RP_OK) {
        if ((st = drain(pool, committed, eof, NULL, stage, *bytes_before + later_bytes(&it))) != RP_OK)
            break;
        if (eof) break;
        rp_batch *b = &pool->ring[pool->filled % pool->n_ring];
        while (st == RP_OK && !it.rd && b->raw.len < BATCH_BYTES && b->n < rp__hooks.batch_max_records) {
            /* an indexed input's span: the worker reads it into the batch */
            if ((st = fill_span(&it, &b->raw, rp__hooks.batch_max_records - b->n, b)) != RP_OK)
                break;
            if (!it.n_wanted) {
                eof = 1;
                break;
            }
            rp_doc doc = {.file = c->inputs[i].display};
            for (size_t k = 0; k < it.n_wanted && st == RP_OK; k++) {
                doc.line = line_of(c, i, it.wanted[k]);
                size_t len, at = span_record_at(&it, it.wanted[k], &len);
                if ((st = batch_ref(b, RP_OK, 1, at, len, &doc, 0, NULL)) == RP_OK)
                    b->recs[b->n - 1].rec = it.wanted[k];
            }
        }
        while (st == RP_OK && it.rd && b->raw.len < BATCH_BYTES && b->n < rp__hooks.batch_max_records) {
            rp_doc doc;
            const char *bytes, *rel;
            size_t len;
            int is_text;
            uint64_t r;
            st = later_next(&it, &r, &doc, &bytes, &len, &is_text, &rel);
            if (st == RP_EOF) {
                st = RP_OK;
                eof = 1;
                break;
            }
            if (st == RP_OK && (st = batch_add(b, RP_OK, 1, bytes, len, &doc, is_text, rel)) == RP_OK)
                b->recs[b->n - 1].rec = r;
        }
        if (st == RP_OK && b->n) submit(pool);
    }
    /* a stopped pass may leave batches at work: they read from it.fd */
    for (uint64_t q = *committed; q < pool->filled; q++) wait_done(pool, q);
    *bytes_before += later_bytes(&it);
    st = later_finish(&it, st);
    later_close(&it);
    return st;
}

rp_status rp__corpus_pass_mt(rp_corpus *c, const char *stage, int (*want)(void *ctx, uint64_t rec),
                             const rp__first_pass_ops *ops, void *ctx)
{
    rp_pool pool;
    rp_status st = pool_init(&pool, c, ops, ctx);
    pool.later = 1;
    uint64_t bytes = 0, committed = 0;
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++)
        st = later_pass_input(c, &pool, &committed, i, stage, want, &bytes);
    if (st == RP_ERR_NOMEM && !c->err[0]) rp__msg(c->err, "out of memory");
    pool_free(&pool);
    progress(c, stage, bytes);
    return st;
}

static rp_status write_failed(rp_corpus *c)
{
    rp__msg(c->err, "cannot write output: %s", strerror(errno));
    return RP_ERR_IO;
}

/* Bytes [from, to) of an indexed input to out: by sendfile, file to file in
 * the kernel, when out has a descriptor that takes it; else read and
 * written through out's buffer. */
static rp_status copy_run(rp_later *it, FILE *out, uint64_t from, uint64_t to)
{
    rp_corpus *c = it->c;
    int ofd = fileno(out);
    if (ofd >= 0) {
        if (fflush(out) != 0) return write_failed(c);
        off_t off = (off_t)from;
        while ((uint64_t)off < to) {
            ssize_t n = sendfile(ofd, it->fd, &off, (size_t)(to - (uint64_t)off));
            if (n > 0 || (n < 0 && errno == EINTR)) continue;
            if (n == 0) return changed(c, it->input); /* the file got shorter */
            if (errno == EINVAL || errno == ENOSYS) break; /* not for this output */
            return write_failed(c);
        }
        from = (uint64_t)off;
    }
    while (from < to) {
        size_t len = to - from < SPAN_BYTES ? (size_t)(to - from) : SPAN_BYTES;
        if (rp__buf_reserve(&it->span, len)) return RP_ERR_NOMEM;
        rp_status st = read_at(it, it->span.data, len, from);
        if (st != RP_OK) return st;
        if (fwrite(it->span.data, 1, len, out) != len) return write_failed(c);
        from += len;
    }
    return RP_OK;
}

/* An indexed input's wanted lines to out as they are, runs of adjacent
 * lines at once, never through the reader or this process's memory. */
static rp_status copy_lines(rp_later *it, FILE *out, const char *stage, uint64_t bytes_before)
{
    rp_corpus *c = it->c;
    const rp_input *in = &c->inputs[it->input];
    uint64_t from = 0, to = 0;
    rp_status st = RP_OK;
    for (; it->rec < it->end && st == RP_OK; it->rec++) {
        uint64_t r = it->rec;
        if (!it->want(it->ctx, r)) continue;
        if (c->rec_len[r] == REC_UNREAD) return changed(c, it->input);
        if (c->rec_off[r] != to) {
            if (to > from) st = copy_run(it, out, from, to);
            from = c->rec_off[r];
            if ((r & 4095) == 0) progress(c, stage, bytes_before + from);
        }
        to = c->rec_off[r] + c->rec_len[r];
    }
    if (st == RP_OK && to > from) st = copy_run(it, out, from, to);
    if (st == RP_OK && to > 0 && to == in->size) {
        /* only a file's last line can lack its newline */
        char last;
        if ((st = read_at(it, &last, 1, to - 1)) != RP_OK) return st;
        if (last != '\n' && fputc('\n', out) == EOF) return write_failed(c);
    }
    it->bytes = in->size;
    return st;
}

rp_status rp__corpus_pass(rp_corpus *c, const char *stage, int tokenize_text,
                          int (*want)(void *ctx, uint64_t rec), rp__visit_fn visit,
                          FILE *copy_to, void *ctx)
{
    rp_status st = RP_OK;
    uint64_t bytes = 0;
    rp_parser parser; /* indexed inputs' lines: the reader parses its own */
    rp__parser_init(&parser, c->id_field, c->text_field, c->n_inputs > 1);
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++) {
        rp_later it;
        if ((st = later_open(&it, c, i, want, ctx)) != RP_OK) {
            later_close(&it);
            break;
        }
        uint64_t tick = 0;
        if (copy_to && !tokenize_text && !it.rd) {
            st = later_finish(&it, copy_lines(&it, copy_to, stage, bytes));
            bytes += later_bytes(&it);
            later_close(&it);
            continue;
        }
        for (;;) {
            rp_record r;
            memset(&r, 0, sizeof(r));
            const char *rec_bytes, *rel;
            size_t len;
            st = later_next(&it, &r.rec, &r.doc, &rec_bytes, &len, &r.is_text, &rel);
            if (st == RP_EOF) {
                st = RP_OK;
                break;
            }
            if (st != RP_OK) break;
            if ((++tick & 255) == 0) progress(c, stage, bytes + later_bytes(&it));
            /* the first pass accepted this record: failing now means it changed */
            if (tokenize_text || r.is_text) {
                rp_status ps = it.rd ? rp__reader_parse(it.rd, &r.doc)
                                     : rp__parse(&parser, rec_bytes, len, 0, NULL, &r.doc);
                if (ps != RP_OK) {
                    st = changed(c, i);
                    break;
                }
            }
            if (tokenize_text && tokenize_with(c->tok, c->spin, c->msg, &r) != RP_OK) {
                st = changed(c, i);
                break;
            }
            if ((st = visit(ctx, &r)) != RP_OK) break;
        }
        bytes += later_bytes(&it);
        st = later_finish(&it, st);
        later_close(&it);
    }
    rp__parser_free(&parser);
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

rp_status rp__corpus_temp_read(const rp_corpus *c, char *err, FILE *f, void *dst, size_t len,
                               uint64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fileno(f), (char *)dst + got, len - got, (off_t)(off + got));
        if (r <= 0) {
            rp__msg(err, "cannot read temporary file in %s: %s", c->tmp_dir,
                    r < 0 ? strerror(errno) : "it ends early");
            return RP_ERR_IO;
        }
        got += (size_t)r;
    }
    return RP_OK;
}

rp_status rp__corpus_temp(rp_corpus *c, FILE **out)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/reprint-XXXXXX", c->tmp_dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        rp__msg(c->err, "cannot create a temporary file in %s: %s", c->tmp_dir, strerror(errno));
        return c->temp_status = RP_ERR_IO;
    }
    unlink(path); /* anonymous: gone when closed, whatever happens */
    if (!(*out = fdopen(fd, "w+b"))) {
        close(fd);
        return RP_ERR_NOMEM;
    }
    return RP_OK;
}
