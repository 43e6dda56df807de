/*
 * batch.c — the worker pool: the first pass, and later passes, in batches.
 *
 * The reader thread (the caller's) reads records and copies them into
 * batches of about a megabyte; worker threads parse, tokenize and run the
 * task's work on whole batches; the reader thread commits finished batches
 * in input order, so numbering, rejections, their messages and the task's
 * state come out exactly as from one thread. With one thread the same
 * batches are worked on the caller's thread: one code path for both.
 */
#include "corpus_impl.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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
rp_status rp__tokenize_with(rp_tokenizer *tok, rp_spinner *spin, char *msg, rp_record *r)
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
rp_status rp__batch_ref(rp_batch *b, rp_status st, int is_record, size_t off, size_t len,
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
    /* a split batch's records all name its file (split_name, which lives
     * as long as the batch): compared once, not a record at a time */
    int same = b->last_name != SIZE_MAX && b->split && file == b->split_name && !*rel;
    if (!same && (b->last_name == SIZE_MAX || strcmp(b->names.data + b->last_name, file) != 0 ||
                  strcmp(b->names.data + b->last_name + strlen(file) + 1, rel) != 0)) {
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

rp_status rp__batch_add(rp_batch *b, rp_status st, int is_record, const char *bytes, size_t len,
                           const rp_doc *doc, int is_text, const char *rel)
{
    /* reserved even for nothing: raw.data is never NULL once a record is in */
    if (rp__buf_reserve(&b->raw, b->raw.len + len + 1)) return RP_ERR_NOMEM;
    if (len) memcpy(b->raw.data + b->raw.len, bytes, len);
    b->raw.len += len;
    return rp__batch_ref(b, st, is_record, b->raw.len - len, len, doc, is_text, rel);
}

/* Read-ahead for a line that ends past a batch: a batch's last line nearly
 * always does, and reading a whole MiB past it to finish a line of a few
 * hundred bytes read every plain file twice (2.66 GB of preads for 694 MB
 * of short posts). The first read past is small, and each next one twice
 * as large, up to SPLIT_AHEAD. */
enum { SPLIT_AHEAD_FIRST = 16 << 10, SPLIT_AHEAD = 1 << 20 };

/* The reading half of a split batch, on its worker: reads its bytes and
 * makes a record of every line that starts in them, as the reader would
 * (blank lines skipped; a line over max_doc_bytes rejected, its bytes read
 * past, not kept). A line belongs to the batch it starts in, so the byte
 * before the batch says whether its first bytes end an earlier one's line.
 * Line numbers need the newlines of every batch before: the batches take
 * their first line number in turn (line_seq), each as soon as it has
 * counted its own. */
void rp__batch_split(rp_pool *pool, rp_worker *w, rp_batch *b)
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
    size_t ahead = SPLIT_AHEAD_FIRST;
    while (!err && from + pos < e) {
        char *nl = memchr(in->data + pos, '\n', have - pos);
        while (!nl && from + have < b->file_size && have - pos <= max) {
            /* the line goes on past the batch: read on to its end */
            size_t more = (size_t)(b->file_size - (from + have));
            if (more > ahead) more = ahead;
            if (ahead < SPLIT_AHEAD) ahead *= 2;
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
            if (rp__batch_ref(b, RP_ERR_TOO_LARGE, 1, 0, 0, &doc, 0, NULL)) err = ENOMEM;
            else b->recs[b->n - 1].raw_len = (size_t)skipped;
            continue;
        }
        size_t content = len;
        if (content && in->data[start + content - 1] == '\r') content--;
        int blank = 1;
        for (size_t k = 0; k < content && blank; k++)
            blank = in->data[start + k] == ' ' || in->data[start + k] == '\t';
        if (blank) continue;
        if (rp__batch_ref(b, RP_OK, 1, start, content, &doc, 0, NULL)) {
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
        rp__batch_split(pool, w, b);
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
        if (pool->later) r.rec = br->rec; /* the first pass numbers it at the commit */
        const char *rel = r.doc.file + strlen(r.doc.file) + 1;
        if (!*rel) rel = NULL;
        rp_status st = rp__parse(&w->parser, base + br->off, br->len, br->is_text, rel, &r.doc);
        const char *msg = w->parser.err;
        if (st == RP_OK && (!pool->later || !pool->ops->tokens || pool->ops->tokens(pool->ctx, br->rec))) {
            st = rp__tokenize_with(w->tok, w->spin, w->msg, &r);
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

void rp__pool_free(rp_pool *pool)
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

rp_status rp__pool_init(rp_pool *pool, rp_corpus *c, const rp__first_pass_ops *ops, void *ctx)
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
    if (b->read_err) return rp__corpus_changed(c, pool->input); /* shorter than in the first pass */
    for (size_t i = 0; i < b->n && st == RP_OK; i++) {
        rp_brec *br = &b->recs[i];
        if (!pool->later && br->is_record) {
            /* the number this record is about to take, if it takes one */
            if ((st = rp__index_put(c, c->n_rec, br, &c->inputs[pool->input])) != RP_OK) return st;
        }
        rp_record r;
        memset(&r, 0, sizeof(r));
        r.doc.file = b->names.data + br->name;
        r.doc.line = br->line;
        r.is_text = br->is_text;
        if (pool->later) {
            if (br->out == RP_ERR_NOMEM) return br->out;
            /* the first pass accepted this record: failing now means it changed */
            if (br->out != RP_OK) return rp__corpus_changed(c, pool->input);
            r.rec = br->rec;
            r.result = b->res.data + br->res_off;
            r.result_len = br->res_len;
            st = pool->ops->commit(pool->ctx, &r);
            continue;
        }
        if (br->st != RP_OK) {
            char msg[RP_MSG_MAX];
            rp__msg(msg, "%.*s", (int)br->len, b->raw.data + br->off);
            st = rp__corpus_reject(c, stats, br->st, msg, br->is_record ? &r : NULL, pool->ops->commit, pool->ctx);
            continue;
        }
        if (br->out != RP_OK) {
            if (!rp_status_is_bad_input(br->out)) {
                if (br->out == RP_ERR_NOMEM) rp__msg(c->err, "out of memory");
                return br->out;
            }
            st = rp__corpus_reject(c, stats, br->out, b->res.data + br->res_off, &r, pool->ops->commit, pool->ctx);
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
void rp__pool_submit(rp_pool *pool)
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
void rp__pool_wait_done(rp_pool *pool, uint64_t seq)
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
rp_status rp__pool_drain(rp_pool *pool, uint64_t *committed, int all, rp_stats *stats,
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
            rp__pool_wait_done(pool, *committed + (pool->n_ring + 1) / 2 - 1);
        }
        rp__pool_wait_done(pool, *committed);
        rp_status st = commit_batch(pool, old, stats);
        batch_reset(old);
        ++*committed;
        rp__corpus_progress(pool->c, stage, bytes);
        if (st != RP_OK) return st;
    }
    return RP_OK;
}


/* Whether input i is one plain JSONL file, which the workers read and split
 * themselves; if so, its opened descriptor and status. */
