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
 *
 * This file holds the inputs and the passes' plan; the batches and worker
 * threads they run on are batch.c's, the record index and the reading of
 * wanted records record_index.c's (corpus_impl.h between them).
 */
#include "corpus_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
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
    in->of = c->n_inputs;
    c->n_named = ++c->n_inputs;
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        c->total_bytes += (uint64_t)sb.st_size;
    return RP_OK;
}

void rp__corpus_progress(rp_corpus *c, const char *stage, uint64_t done)
{
    if (c->on_progress) c->on_progress(c->user, stage, done, c->total_bytes);
}

/* A bad record: counted and reported when skipping, fatal otherwise. A bad
 * record that is a record (not the unreadable rest of a file) still takes a
 * number, so the visitor hears of it. */
rp_status rp__corpus_reject(rp_corpus *c, rp_stats *stats, rp_status st, const char *msg,
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
    else if (!in->spool_keep) unlink(in->spool_path);
    in->spool_fd = -1;
    free(in->spool_path);
    in->spool_path = NULL;
}

/* A record's bytes as the first pass saw them, for inputs read again by
 * the reader (a directory's files, a text file): 0 is "not checked". */
uint32_t rp__rec_hash_of(const rp_doc *doc)
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

rp_status rp__corpus_changed(rp_corpus *c, size_t i)
{
    rp__msg(c->err, "%s: input changed between passes (read it from a stable file)",
            c->inputs[i].display);
    return RP_ERR_IO;
}

/* Opens input i for a later pass: the spool of stdin, or the input again. */
rp_reader *rp__corpus_reopen(rp_corpus *c, size_t i)
{
    rp_input *in = &c->inputs[i];
    rp_reader *r = in->spool_path
                       ? rp__reader_open_as(in->spool_path, in->display, in->format, &c->p)
                       : rp__reader_open_as(in->path, in->display, c->p.format, &c->p);
    if (r) rp__reader_qualify_ids(r, c->n_named > 1);
    return r;
}

static int splittable(rp_corpus *c, size_t i, int *fd, struct stat *sb)
{
    const rp_input *in = &c->inputs[i];
    const char *file = rp__input_file(in);
    rp_format f = c->p.format != RP_FORMAT_AUTO ? c->p.format : rp__format_of_name(in->path);
    int sniff = c->p.format == RP_FORMAT_AUTO && f == RP_FORMAT_TEXT;
    if (strcmp(file, "-") == 0 || (f != RP_FORMAT_JSONL && !sniff)) return 0;
    /* not even opened unless regular: opening a FIFO would take its writer's data */
    if (stat(file, sb) != 0 || !S_ISREG(sb->st_mode)) return 0;
    if ((*fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) return 0; /* the reader says why */
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
/* The byte range [from, to) of a plain JSONL file: the lines that start in
 * it, the first numbered lines_before + 1 (the file's lines before from). */
typedef struct {
    uint64_t from, to, lines_before;
} rp_range;

static rp_status first_pass_split(rp_corpus *c, rp_pool *pool, uint64_t *committed, size_t i,
                                  rp_stats *stats, uint64_t *bytes_before, int fd,
                                  const struct stat *sb, const rp_range *range)
{
    rp_input *in = &c->inputs[i];
    in->first_rec = c->n_rec;
    c->skipped = 0; /* the index notes the lines before the first record */
    pool->input = i;
    pthread_mutex_lock(&pool->mu); /* the workers are idle: every batch is committed */
    pool->line_seq = pool->filled;
    pool->line_base = range ? range->lines_before : 0;
    pthread_mutex_unlock(&pool->mu);
    uint64_t size = (uint64_t)sb->st_size, pos = range ? range->from : 0;
    uint64_t end = range && range->to < size ? range->to : size, start = pos;
    rp_status st = RP_OK;
    for (;;) {
        if ((st = rp__pool_drain(pool, committed, pos >= end, stats, "reading",
                                 *bytes_before + pos - start)) != RP_OK)
            break;
        if (pos >= end) break;
        rp_batch *b = &pool->ring[pool->filled % pool->n_ring];
        b->split = 1;
        b->fd = fd;
        b->split_name = in->display;
        b->split_start = pos;
        b->split_end = pos = end - pos > rp__hooks.split_bytes ? pos + rp__hooks.split_bytes : end;
        b->file_size = size;
        b->seq = pool->filled;
        rp__pool_submit(pool);
    }
    /* a stopped pass may leave batches at work: they read from fd */
    for (uint64_t q = *committed; q < pool->filled; q++) rp__pool_wait_done(pool, q);
    close(fd);
    *bytes_before += pos - start;
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
        return first_pass_split(c, pool, committed, i, stats, bytes_before, fd, &fsb, NULL);
    rp_reader *rd = rp_reader_open(in->path, &c->p);
    if (!rd) return RP_ERR_NOMEM;
    rp__reader_qualify_ids(rd, c->n_named > 1);
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
        if ((st = rp__pool_drain(pool, committed, eof, stats, "reading",
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
            if (rs != RP_ERR_TRUNCATED && push_rec_hash(in, rs == RP_OK ? rp__rec_hash_of(&doc) : 0)) {
                st = RP_ERR_NOMEM;
                break;
            }
            if (rs != RP_OK) {
                const char *m = rp_reader_error(rd);
                st = rp__batch_add(b, rs, rs != RP_ERR_TRUNCATED, m, strlen(m), &doc, 0, NULL);
            } else {
                const char *bytes, *rel;
                size_t len;
                int is_text;
                rp__reader_record(rd, &bytes, &len, &is_text, &rel);
                st = rp__batch_add(b, RP_OK, 1, bytes, len, &doc, is_text, rel);
                if (st == RP_OK) {
                    b->recs[b->n - 1].src_off = rp__reader_record_offset(rd);
                    b->recs[b->n - 1].raw_len = doc.raw_len;
                }
            }
            if (st != RP_OK) goto done;
        }
        if (b->n) rp__pool_submit(pool);
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
        if (stat(rp__input_file(in), &sb) == 0 && S_ISREG(sb.st_mode)) {
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

/* The end of a first pass: the pool stopped, the bytes and time counted. */
static rp_status first_pass_end(rp_corpus *c, rp_stats *stats, rp_pool *pool, rp_status st,
                                uint64_t bytes, double t0)
{
    if (st == RP_ERR_NOMEM && !c->err[0]) rp__msg(c->err, "out of memory");
    rp__pool_free(pool);
    stats->bytes = bytes;
    rp__corpus_progress(c, "reading", bytes);
    stats->first_pass_seconds = rp__seconds() - t0;
    return st;
}

/* The newlines in the first `end` bytes of fd: 0, an errno, or -1 when
 * the file ends first. */
static int count_lines(int fd, uint64_t start, uint64_t end, uint64_t *lines)
{
    enum { BLOCK = 1 << 20 };
    char *buf = malloc(BLOCK);
    if (!buf) return ENOMEM;
    int err = 0;
    *lines = 0;
    for (uint64_t at = start; at < end && !err;) {
        size_t n = end - at < BLOCK ? (size_t)(end - at) : BLOCK;
        if ((err = rp__pread_all(fd, buf, n, at)) != 0) break;
        for (const char *p = buf, *e = buf + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
            (*lines)++;
        at += n;
    }
    free(buf);
    return err;
}

/* Input i opened as a plain JSONL file read by byte ranges (*fd, *sb), or
 * the reason it cannot be, in c->err. */
static rp_status open_plain(rp_corpus *c, size_t i, int *fd, struct stat *sb)
{
    const rp_input *in = &c->inputs[i];
    const char *file = rp__input_file(in);
    if (strcmp(file, "-") != 0 && stat(file, sb) != 0) {
        if (in->spool_path)
            rp__msg(c->err, "%s: cannot open its decompressed bytes %s: %s (they are made where every "
                            "rank must see them: --checkpoint, or else --tmp-dir)",
                    in->display, file, strerror(errno));
        else
            rp__msg(c->err, "%s: cannot open: %s", in->display, strerror(errno));
        return RP_ERR_IO;
    }
    if (!splittable(c, i, fd, sb)) {
        rp__msg(c->err, "%s: a distributed run reads JSONL files, divided by bytes "
                        "(plain or compressed; not stdin, a pipe, a directory or a text file)", in->display);
        return RP_ERR_USAGE;
    }
    return RP_OK;
}

rp_status rp__corpus_plain_sizes(rp_corpus *c, uint64_t *size)
{
    for (size_t i = 0; i < c->n_named; i++) {
        int fd;
        struct stat sb;
        rp_status st = open_plain(c, i, &fd, &sb);
        if (st != RP_OK) return st;
        close(fd);
        size[i] = (uint64_t)sb.st_size;
    }
    return RP_OK;
}

int rp__corpus_compressed(const rp_corpus *c, size_t i, uint64_t *size)
{
    const rp_input *in = &c->inputs[i];
    struct stat sb;
    unsigned char head[4];
    if (strcmp(in->path, "-") == 0 || stat(in->path, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? pread(fd, head, sizeof(head), 0) : -1;
    if (fd >= 0) close(fd);
    *size = (uint64_t)sb.st_size;
    return n > 0 && rp__source_kind(head, (size_t)n) != RP_SRC_PLAIN;
}

rp_status rp__corpus_use_spool(rp_corpus *c, size_t i, const char *path, int keep)
{
    rp_input *in = &c->inputs[i];
    char *p = dup_or_null(path);
    if (!p) return RP_ERR_NOMEM;
    if (in->spool_path) drop_spool(in);
    in->spool_path = p;
    in->spool_fd = -1;
    in->spool_keep = keep;
    return RP_OK;
}

rp_status rp__corpus_count_lines(rp_corpus *c, size_t i, uint64_t from, uint64_t to, uint64_t *lines)
{
    int fd;
    struct stat sb;
    *lines = 0;
    if (i >= c->n_named || !splittable(c, i, &fd, &sb)) {
        rp__msg(c->err, "lines are counted in a plain JSONL file");
        return RP_ERR_USAGE;
    }
    uint64_t size = (uint64_t)sb.st_size;
    int err = count_lines(fd, from < size ? from : size, to < size ? to : size, lines);
    close(fd);
    if (err) rp__msg(c->err, "%s: %s", c->inputs[i].display, err < 0 ? "file ended early" : strerror(err));
    return err == ENOMEM ? RP_ERR_NOMEM : err ? RP_ERR_IO : RP_OK;
}

/* An input the part holds no line of: read by no later pass, but checked
 * as the others are. */
static void empty_part(rp_corpus *c, size_t i, const struct stat *sb)
{
    rp_input *in = &c->inputs[i];
    in->first_rec = in->end_rec = c->n_rec;
    in->format = RP_FORMAT_JSONL;
    in->indexed = 1;
    in->size = (uint64_t)sb->st_size;
    in->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

rp_status rp__corpus_first_pass_range(rp_corpus *c, rp_stats *stats, const rp__first_pass_ops *ops,
                                      void *ctx, uint64_t from, uint64_t to, uint64_t lines_before)
{
    if (c->n_rec || c->n_inputs != c->n_named) {
        rp__msg(c->err, "a byte range is read of a corpus once");
        return RP_ERR_USAGE;
    }
    double t0 = rp__seconds();
    rp_pool pool;
    rp_status st = rp__pool_init(&pool, c, ops, ctx);
    stats->threads = pool.n_started + 1;
    uint64_t bytes = 0, committed = 0, base = 0, size = 0;
    for (size_t i = 0; i < c->n_named && st == RP_OK; base += size, i++) {
        int fd;
        struct stat sb;
        if ((st = open_plain(c, i, &fd, &sb)) != RP_OK) break;
        size = (uint64_t)sb.st_size;
        uint64_t lo = from > base ? from : base, hi = to < base + size ? to : base + size;
        if (lo >= hi) {
            close(fd);
            empty_part(c, i, &sb);
            continue;
        }
        /* the lines before the part: of the file holding byte from, given
         * or counted; a later file's part starts at its beginning */
        rp_range range = {lo - base, hi - base, lo == from ? lines_before : 0};
        int err = range.lines_before != UINT64_MAX ? 0 : count_lines(fd, 0, range.from, &range.lines_before);
        if (err) {
            close(fd);
            rp__msg(c->err, "%s: %s", c->inputs[i].display, err < 0 ? "file ended early" : strerror(err));
            st = err == ENOMEM ? RP_ERR_NOMEM : RP_ERR_IO;
            break;
        }
        st = first_pass_split(c, &pool, &committed, i, stats, &bytes, fd, &sb, &range);
    }
    return first_pass_end(c, stats, &pool, st, bytes, t0);
}

rp_status rp__corpus_first_pass(rp_corpus *c, rp_stats *stats, const rp__first_pass_ops *ops,
                                void *ctx)
{
    double t0 = rp__seconds();
    rp_pool pool;
    rp_status st = rp__pool_init(&pool, c, ops, ctx);
    stats->threads = pool.n_started + 1;
    uint64_t bytes = 0, committed = 0;
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++) {
        st = first_pass_input(c, &pool, &committed, i, stats, &bytes);
        /* a stopped run leaves batches behind: they are dropped unseen */
        if (st != RP_OK) break;
    }
    return first_pass_end(c, stats, &pool, st, bytes, t0);
}

/* ------------------------------------------------------- later passes
 *
 * (the records are found and read by record_index.c)
 *
 * A later pass walks an input's records again and hands on the ones want()
 * asks for: read in full and split again, or, for an indexed input, read
 * by offset in spans of nearby wanted lines. */

static rp_status later_pass_input(rp_corpus *c, rp_pool *pool, uint64_t *committed, size_t i,
                                  const char *stage, int (*want)(void *ctx, uint64_t rec),
                                  uint64_t *bytes_before)
{
    rp_later it;
    rp_status st = rp__later_open(&it, c, i, want, pool->ctx);
    pool->input = i;
    int eof = 0;
    while (st == RP_OK) {
        if ((st = rp__pool_drain(pool, committed, eof, NULL, stage, *bytes_before + rp__later_bytes(&it))) != RP_OK)
            break;
        if (eof) break;
        rp_batch *b = &pool->ring[pool->filled % pool->n_ring];
        while (st == RP_OK && !it.rd && b->raw.len < BATCH_BYTES && b->n < rp__hooks.batch_max_records) {
            /* an indexed input's span: the worker reads it into the batch */
            if ((st = rp__later_fill_span(&it, &b->raw, rp__hooks.batch_max_records - b->n, b)) != RP_OK)
                break;
            if (!it.n_wanted) {
                eof = 1;
                break;
            }
            rp_doc doc = {.file = c->inputs[i].display};
            for (size_t k = 0; k < it.n_wanted && st == RP_OK; k++) {
                doc.line = rp__index_line_of(c, i, it.wanted[k]);
                size_t len, at = rp__later_span_record_at(&it, it.wanted[k], &len);
                if ((st = rp__batch_ref(b, RP_OK, 1, at, len, &doc, 0, NULL)) == RP_OK)
                    b->recs[b->n - 1].rec = it.wanted[k];
            }
        }
        while (st == RP_OK && it.rd && b->raw.len < BATCH_BYTES && b->n < rp__hooks.batch_max_records) {
            rp_doc doc;
            const char *bytes, *rel;
            size_t len;
            int is_text;
            uint64_t r;
            st = rp__later_next(&it, &r, &doc, &bytes, &len, &is_text, &rel);
            if (st == RP_EOF) {
                st = RP_OK;
                eof = 1;
                break;
            }
            if (st == RP_OK && (st = rp__batch_add(b, RP_OK, 1, bytes, len, &doc, is_text, rel)) == RP_OK)
                b->recs[b->n - 1].rec = r;
        }
        if (st == RP_OK && b->n) rp__pool_submit(pool);
    }
    /* a stopped pass may leave batches at work: they read from it.fd */
    for (uint64_t q = *committed; q < pool->filled; q++) rp__pool_wait_done(pool, q);
    *bytes_before += rp__later_bytes(&it);
    st = rp__later_finish(&it, st);
    rp__later_close(&it);
    return st;
}

rp_status rp__corpus_pass_mt(rp_corpus *c, const char *stage, int (*want)(void *ctx, uint64_t rec),
                             const rp__first_pass_ops *ops, void *ctx)
{
    rp_pool pool;
    rp_status st = rp__pool_init(&pool, c, ops, ctx);
    pool.later = 1;
    uint64_t bytes = 0, committed = 0;
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++)
        st = later_pass_input(c, &pool, &committed, i, stage, want, &bytes);
    if (st == RP_ERR_NOMEM && !c->err[0]) rp__msg(c->err, "out of memory");
    rp__pool_free(&pool);
    rp__corpus_progress(c, stage, bytes);
    return st;
}

rp_status rp__corpus_write_failed(rp_corpus *c)
{
    rp__msg(c->err, "cannot write output: %s", strerror(errno));
    return RP_ERR_IO;
}

rp_status rp__corpus_pass(rp_corpus *c, const char *stage, int tokenize_text,
                          int (*want)(void *ctx, uint64_t rec), rp__visit_fn visit,
                          FILE *copy_to, void *ctx)
{
    rp_status st = RP_OK;
    uint64_t bytes = 0;
    rp_parser parser; /* indexed inputs' lines: the reader parses its own */
    rp__parser_init(&parser, c->id_field, c->text_field, c->n_named > 1);
    for (size_t i = 0; i < c->n_inputs && st == RP_OK; i++) {
        rp_later it;
        if ((st = rp__later_open(&it, c, i, want, ctx)) != RP_OK) {
            rp__later_close(&it);
            break;
        }
        uint64_t tick = 0;
        if (copy_to && !tokenize_text && !it.rd) {
            st = rp__later_finish(&it, rp__later_copy_lines(&it, copy_to, stage, bytes));
            bytes += rp__later_bytes(&it);
            rp__later_close(&it);
            continue;
        }
        for (;;) {
            rp_record r;
            memset(&r, 0, sizeof(r));
            const char *rec_bytes, *rel;
            size_t len;
            st = rp__later_next(&it, &r.rec, &r.doc, &rec_bytes, &len, &r.is_text, &rel);
            if (st == RP_EOF) {
                st = RP_OK;
                break;
            }
            if (st != RP_OK) break;
            if ((++tick & 255) == 0) rp__corpus_progress(c, stage, bytes + rp__later_bytes(&it));
            /* the first pass accepted this record: failing now means it changed */
            if (tokenize_text || r.is_text) {
                rp_status ps = it.rd ? rp__reader_parse(it.rd, &r.doc)
                                     : rp__parse(&parser, rec_bytes, len, 0, NULL, &r.doc);
                if (ps != RP_OK) {
                    st = rp__corpus_changed(c, i);
                    break;
                }
            }
            if (tokenize_text && rp__tokenize_with(c->tok, c->spin, c->msg, &r) != RP_OK) {
                st = rp__corpus_changed(c, i);
                break;
            }
            if ((st = visit(ctx, &r)) != RP_OK) break;
        }
        bytes += rp__later_bytes(&it);
        st = rp__later_finish(&it, st);
        rp__later_close(&it);
    }
    rp__parser_free(&parser);
    rp__corpus_progress(c, stage, bytes);
    return st;
}

/* ------------------------------------------------------- checkpoints */

static int put(FILE *f, const void *v, size_t n)
{
    return n && fwrite(v, 1, n, f) != n ? -1 : 0;
}

static int get(FILE *f, void *v, size_t n)
{
    return n && fread(v, 1, n, f) != n ? -1 : 0;
}

uint64_t rp__corpus_names_hash(const rp_corpus *c)
{
    XXH3_state_t *h = XXH3_createState();
    uint64_t v = 0;
    if (h && XXH3_64bits_reset(h) == XXH_OK) {
        for (size_t i = 0; i < c->n_named; i++)
            XXH3_64bits_update(h, c->inputs[i].path, strlen(c->inputs[i].path) + 1);
        v = XXH3_64bits_digest(h);
    }
    XXH3_freeState(h);
    return v;
}

rp_status rp__corpus_save_index(const rp_corpus *c, FILE *f)
{
    for (size_t i = 0; i < c->n_inputs; i++)
        if (!c->inputs[i].indexed) return RP_ERR_USAGE;
    uint64_t head[4] = {c->n_rec, c->n_line_fix, c->n_inputs, rp__corpus_names_hash(c)};
    int bad = put(f, head, sizeof(head));
    for (size_t i = 0; i < c->n_inputs && !bad; i++) {
        const rp_input *in = &c->inputs[i];
        uint64_t v[5] = {in->of, in->first_rec, in->end_rec, in->size, (uint64_t)in->mtime_ns};
        bad = put(f, v, sizeof(v));
    }
    bad = bad || put(f, c->rec_off, c->n_rec * sizeof(uint64_t)) ||
          put(f, c->rec_len, c->n_rec * sizeof(uint32_t)) ||
          put(f, c->line_fix, c->n_line_fix * sizeof(*c->line_fix));
    return bad ? RP_ERR_IO : RP_OK;
}

/* A run of records of input of (one given), appended. */
static rp_status add_run(rp_corpus *c, size_t of)
{
    if (of >= c->n_named) return RP_ERR_USAGE;
    if (rp__grow((void **)&c->inputs, &c->cap_inputs, c->n_inputs + 1, sizeof(rp_input))) return RP_ERR_NOMEM;
    const rp_input *src = &c->inputs[of];
    rp_input *in = &c->inputs[c->n_inputs];
    memset(in, 0, sizeof(*in));
    in->path = dup_or_null(src->path);
    in->display = dup_or_null(src->display);
    in->spool_path = src->spool_path ? dup_or_null(src->spool_path) : NULL;
    if (!in->path || !in->display || (src->spool_path && !in->spool_path)) {
        free(in->path);
        free(in->display);
        free(in->spool_path);
        return RP_ERR_NOMEM;
    }
    in->spool_fd = -1;
    in->spool_keep = 1; /* the input it is a run of removes it */
    in->format = src->format;
    in->indexed = src->indexed;
    in->size = src->size;
    in->mtime_ns = src->mtime_ns;
    in->of = of;
    in->first_rec = in->end_rec = c->n_rec;
    c->n_inputs++;
    return RP_OK;
}

rp_status rp__corpus_load_index(rp_corpus *c, FILE *f)
{
    uint64_t head[4];
    if (c->n_rec || c->n_inputs != c->n_named || get(f, head, sizeof(head))) return RP_ERR_USAGE;
    if (head[2] < c->n_named || head[2] > SIZE_MAX / 2 || head[3] != rp__corpus_names_hash(c)) {
        rp__msg(c->err, "the checkpoint is of other inputs");
        return RP_ERR_USAGE;
    }
    for (uint64_t i = 0; i < head[2]; i++) {
        uint64_t v[5];
        if (get(f, v, sizeof(v))) return RP_ERR_USAGE;
        rp_status st = i < c->n_named ? (v[0] == i ? RP_OK : RP_ERR_USAGE) : add_run(c, (size_t)v[0]);
        if (st != RP_OK) return st;
        rp_input *in = &c->inputs[i];
        struct stat sb;
        if (i < c->n_named && (stat(rp__input_file(in), &sb) != 0 || (uint64_t)sb.st_size != v[3] ||
                               (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != (int64_t)v[4])) {
            rp__msg(c->err, "%s changed since the checkpoint was made", in->display);
            return RP_ERR_USAGE;
        }
        if (v[1] > v[2] || v[2] > head[0] || (i && v[1] < c->inputs[i - 1].end_rec)) return RP_ERR_USAGE;
        in->first_rec = v[1];
        in->end_rec = v[2];
        in->format = RP_FORMAT_JSONL;
        in->indexed = 1;
        in->size = v[3];
        in->mtime_ns = (int64_t)v[4];
    }
    if (rp__index_reserve(c, (size_t)(head[0] ? head[0] : 1)) ||
        rp__grow((void **)&c->line_fix, &c->cap_line_fix, (size_t)(head[1] ? head[1] : 1), sizeof(*c->line_fix)))
        return RP_ERR_NOMEM;
    if (get(f, c->rec_off, (size_t)head[0] * sizeof(uint64_t)) ||
        get(f, c->rec_len, (size_t)head[0] * sizeof(uint32_t)) ||
        get(f, c->line_fix, (size_t)head[1] * sizeof(*c->line_fix)))
        return RP_ERR_USAGE;
    c->n_rec = head[0];
    c->n_line_fix = (size_t)head[1];
    return RP_OK;
}

size_t rp__corpus_input_of(const rp_corpus *c, uint64_t rec)
{
    size_t lo = 0, hi = c->n_inputs; /* the first input ending after rec */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->inputs[mid].end_rec <= rec) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int rp__corpus_record_at(const rp_corpus *c, uint64_t rec, uint32_t *file, uint64_t *off, uint32_t *len)
{
    size_t i = rp__corpus_input_of(c, rec);
    if (rec >= c->n_rec || i >= c->n_inputs || !c->inputs[i].indexed) return 0;
    *file = (uint32_t)c->inputs[i].of;
    *off = c->rec_off[rec];
    *len = c->rec_len[rec];
    return 1;
}

rp_status rp__corpus_copy_size(const rp_corpus *c, int (*want)(void *ctx, uint64_t rec), void *ctx,
                               uint64_t *bytes)
{
    *bytes = 0;
    for (size_t i = 0; i < c->n_inputs; i++) {
        const rp_input *in = &c->inputs[i];
        if (!in->indexed) return RP_ERR_USAGE;
        uint64_t end = 0;
        for (uint64_t r = in->first_rec; r < in->end_rec; r++) {
            if (!want(ctx, r)) continue;
            if (c->rec_len[r] == UINT32_MAX) return RP_ERR_USAGE;
            *bytes += c->rec_len[r];
            if (c->rec_off[r] + c->rec_len[r] > end) end = c->rec_off[r] + c->rec_len[r];
        }
        if (end && end == in->size) { /* the file's last line, which may lack its newline */
            int fd = open(rp__input_file(in), O_RDONLY | O_CLOEXEC);
            char last = '\n';
            int err = fd < 0 ? errno : rp__pread_all(fd, &last, 1, end - 1);
            if (fd >= 0) close(fd);
            if (err) return RP_ERR_IO;
            *bytes += last != '\n';
        }
    }
    return RP_OK;
}

rp_status rp__corpus_add_ghosts(rp_corpus *c, const uint32_t *file, const uint64_t *off, const uint32_t *len,
                                const uint64_t *line, size_t n)
{
    for (size_t i = 0; i < c->n_inputs; i++)
        if (!c->inputs[i].indexed) {
            rp__msg(c->err, "records of other parts join an indexed corpus");
            return RP_ERR_USAGE;
        }
    if (rp__index_reserve(c, c->n_rec + n)) return RP_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        /* a run of the last input's file goes on; another file starts one */
        rp_input *last = c->n_inputs ? &c->inputs[c->n_inputs - 1] : NULL;
        if (!last || last->of != file[k] || last->end_rec != c->n_rec) {
            rp_status st = add_run(c, file[k]);
            if (st == RP_ERR_USAGE) rp__msg(c->err, "a record of input %u of %zu", file[k], c->n_named);
            if (st != RP_OK) return st;
            last = &c->inputs[c->n_inputs - 1];
        }
        uint64_t rec = c->n_rec;
        c->rec_off[rec] = off[k];
        c->rec_len[rec] = len[k];
        /* each ghost's line (which names it when it has no id) as a fix of
         * the line count, as a part's first record has its own */
        if (line) {
            uint64_t skipped = line[k] - 1 - (rec - last->first_rec);
            if (line[k] != rp__index_line_of(c, c->n_inputs - 1, rec)) { /* the fixes so far say otherwise */
                if (rp__grow((void **)&c->line_fix, &c->cap_line_fix, c->n_line_fix + 1, sizeof(*c->line_fix)))
                    return RP_ERR_NOMEM;
                c->line_fix[c->n_line_fix][0] = rec;
                c->line_fix[c->n_line_fix++][1] = skipped;
            }
        }
        c->n_rec++;
        last->end_rec = c->n_rec;
    }
    return RP_OK;
}

size_t rp__corpus_slots(const rp_corpus *c, const rp_cand *pairs, size_t n_pairs, int any_order,
                        uint32_t **slot_of, char *err)
{
    size_t n_rec = c->n_rec;
    uint32_t *s = malloc((n_rec ? n_rec : 1) * sizeof(uint32_t));
    *slot_of = s;
    if (!s) return SIZE_MAX;
    memset(s, 0xFF, n_rec * sizeof(uint32_t));
    for (size_t i = 0; i < n_pairs; i++) {
        if ((any_order ? pairs[i].a == pairs[i].b : pairs[i].a >= pairs[i].b) || pairs[i].a >= n_rec ||
            pairs[i].b >= n_rec) {
            rp__msg(err, "candidate pair (%llu, %llu) of %zu records",
                    (unsigned long long)pairs[i].a, (unsigned long long)pairs[i].b, n_rec);
            return SIZE_MAX - 1;
        }
        s[pairs[i].a] = s[pairs[i].b] = 0;
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

rp_status rp__corpus_temp_write_failed(const rp_corpus *c, char *err, int errnum)
{
    rp__msg(err, "cannot write a temporary file in %s: %s", c->tmp_dir, strerror(errnum));
    return RP_ERR_IO;
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
