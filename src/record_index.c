/*
 * record_index.c — where every record's bytes are, and how later passes
 * read the records they want.
 *
 * For an input that is one JSONL file of plain bytes (or whose decompressed
 * bytes were spooled), the first pass keeps every record's offset and
 * length (12 bytes a record, rp__index_put) and, where blank lines shift
 * them, the line numbers that name id-less records (rp__index_line_of).
 * A later pass then reads the wanted lines in spans of nearby ones by
 * offset, planned by the calling thread and read by the workers
 * (rp__later_fill_span), and the write pass copies runs of adjacent kept
 * lines with sendfile (rp__later_copy_lines). Other inputs are read again
 * in full by their reader (rp__later_next hands on the wanted records).
 */
#include "corpus_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC_UNREAD UINT32_MAX

int rp__index_reserve(rp_corpus *c, size_t cap)
{
    if (cap <= c->cap_index) return 0;
    uint64_t *o = realloc(c->rec_off, cap * sizeof(*o));
    if (o) c->rec_off = o;
    uint32_t *l = realloc(c->rec_len, cap * sizeof(*l));
    if (l) c->rec_len = l;
    if (!o || !l) return -1;
    c->cap_index = cap;
    return 0;
}

/* The index entry of record rec (the last numbered), of input in. */
rp_status rp__index_put(rp_corpus *c, uint64_t rec, const rp_brec *br, const rp_input *in)
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
    /* by half: with the engine's arrays this is most of a record's cost */
    if (rec >= c->cap_index && rp__index_reserve(c, c->cap_index ? c->cap_index + c->cap_index / 2 : 4096))
        return RP_ERR_NOMEM;
    int good = br->st == RP_OK && br->out == RP_OK && !br->is_text && br->raw_len < REC_UNREAD;
    c->rec_off[rec] = br->src_off;
    c->rec_len[rec] = good ? (uint32_t)br->raw_len : REC_UNREAD;
    return RP_OK;
}

/* The line of record rec of indexed input i. */
uint64_t rp__index_line_of(const rp_corpus *c, size_t i, uint64_t rec)
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


rp_status rp__later_open(rp_later *it, rp_corpus *c, size_t i,
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
        it->rd = rp__corpus_reopen(c, i);
        return it->rd ? RP_OK : RP_ERR_NOMEM;
    }
    const char *path = rp__input_file(in);
    struct stat sb;
    if ((it->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        rp__msg(c->err, "%s: cannot open: %s", in->display, strerror(errno));
        return RP_ERR_IO;
    }
    if (fstat(it->fd, &sb) != 0 || (uint64_t)sb.st_size != in->size ||
        (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != in->mtime_ns)
        return rp__corpus_changed(c, i);
    return RP_OK;
}

/* The end of a later pass over an indexed input: the file must still be the
 * one the first pass indexed (a line rewritten in place while the pass read
 * it shows a new modification time). */
rp_status rp__later_finish(rp_later *it, rp_status st)
{
    const rp_input *in = &it->c->inputs[it->input];
    struct stat sb;
    if (st == RP_OK && it->fd >= 0 &&
        (fstat(it->fd, &sb) != 0 || (uint64_t)sb.st_size != in->size ||
         (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != in->mtime_ns))
        return rp__corpus_changed(it->c, it->input);
    return st;
}

void rp__later_close(rp_later *it)
{
    rp_reader_free(it->rd);
    if (it->fd >= 0) close(it->fd);
    rp__buf_free(&it->span);
    free(it->wanted);
}

uint64_t rp__later_bytes(const rp_later *it)
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
        if (n == 0) return rp__corpus_changed(c, it->input);
        got += (size_t)n;
    }
    return RP_OK;
}

/* With defer, the span is not read here but added to defer's reads. */
rp_status rp__later_fill_span(rp_later *it, rp_buf *dst, size_t max_recs, rp_batch *defer)
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
        if (c->rec_len[r] == REC_UNREAD) return rp__corpus_changed(c, it->input);
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
size_t rp__later_span_record_at(const rp_later *it, uint64_t r, size_t *len)
{
    *len = it->c->rec_len[r];
    return it->span_at + (size_t)(it->c->rec_off[r] - it->span_off);
}

/* The bytes of wanted record r of the span last read into dst, and their
 * length without the newline. */
static const char *span_record(const rp_later *it, const rp_buf *dst, uint64_t r, size_t *len)
{
    size_t n;
    const char *p = dst->data + rp__later_span_record_at(it, r, &n);
    if (n && p[n - 1] == '\n') n--;
    if (n && p[n - 1] == '\r') n--;
    *len = n;
    return p;
}

/* The next wanted record: its number, doc (raw, file, line), its bytes
 * without the newline and what they are; RP_EOF after the last. */
rp_status rp__later_next(rp_later *it, uint64_t *rec, rp_doc *doc, const char **bytes,
                            size_t *len, int *is_text, const char **rel)
{
    rp_corpus *c = it->c;
    if (!it->rd) {
        if (it->k == it->n_wanted) {
            it->span.len = 0;
            rp_status st = rp__later_fill_span(it, &it->span, SIZE_MAX, NULL);
            if (st != RP_OK) return st;
            if (!it->n_wanted) return RP_EOF;
        }
        uint64_t r = it->wanted[it->k++];
        memset(doc, 0, sizeof(*doc));
        doc->raw = span_record(it, &it->span, r, len);
        doc->raw_len = c->rec_len[r];
        doc->file = c->inputs[it->input].display;
        doc->line = rp__index_line_of(c, it->input, r);
        *rec = r;
        *bytes = doc->raw;
        *is_text = 0;
        *rel = NULL;
        return RP_OK;
    }
    for (;;) {
        rp_status rs = rp__reader_next_raw(it->rd, doc);
        if (rs == RP_EOF) return it->rec == it->end ? RP_EOF : rp__corpus_changed(c, it->input);
        if (rs == RP_ERR_TRUNCATED) continue; /* counted in the first pass */
        if (rs != RP_OK && !rp_status_is_bad_input(rs)) {
            rp__msg(c->err, "%s", rp_reader_error(it->rd));
            return rs;
        }
        if (it->rec >= it->end) return rp__corpus_changed(c, it->input);
        uint64_t r = it->rec++;
        if (!it->want(it->ctx, r)) continue;
        if (rs != RP_OK) return rp__corpus_changed(c, it->input); /* accepted by the first pass, bad now */
        const rp_input *in = &c->inputs[it->input];
        if (in->rec_hash && in->rec_hash[r - in->first_rec] &&
            in->rec_hash[r - in->first_rec] != rp__rec_hash_of(doc)) {
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


/* Runs shorter than this are copied through memory: a sendfile a run
 * costs a system call per few lines when most lines are kept but few runs
 * are long (a tenth of the records removed, here and there, makes runs of
 * ten). Short runs wait until one read of the input covers them all (at
 * most SPAN_BYTES, the removed lines between them included), then go out
 * through out's buffer. */
enum { SENDFILE_RUN = 32 << 10 };

typedef struct {
    uint64_t (*run)[2]; /* [from, to) of each, in order */
    size_t n, cap;
} rp_short_runs;

static rp_status flush_short(rp_later *it, FILE *out, rp_short_runs *s)
{
    if (!s->n) return RP_OK;
    uint64_t lo = s->run[0][0], hi = s->run[s->n - 1][1];
    size_t n = s->n;
    s->n = 0;
    if (rp__buf_reserve(&it->span, (size_t)(hi - lo))) return RP_ERR_NOMEM;
    rp_status st = read_at(it, it->span.data, (size_t)(hi - lo), lo);
    for (size_t k = 0; k < n && st == RP_OK; k++) {
        size_t len = (size_t)(s->run[k][1] - s->run[k][0]);
        if (fwrite(it->span.data + (s->run[k][0] - lo), 1, len, out) != len)
            st = rp__corpus_write_failed(it->c);
    }
    return st;
}

/* Bytes [from, to) of an indexed input to out: a short run joins those
 * waiting in s; a long one goes after them by sendfile, file to file in the
 * kernel, when out has a descriptor that takes it, else read and written
 * through out's buffer. */
static rp_status copy_run(rp_later *it, FILE *out, rp_short_runs *s, uint64_t from, uint64_t to)
{
    rp_corpus *c = it->c;
    if (to - from < SENDFILE_RUN) {
        rp_status st = s->n && to - s->run[0][0] > SPAN_BYTES ? flush_short(it, out, s) : RP_OK;
        if (st == RP_OK && rp__grow((void **)&s->run, &s->cap, s->n + 1, sizeof(s->run[0])))
            st = RP_ERR_NOMEM;
        if (st == RP_OK) s->run[s->n][0] = from, s->run[s->n++][1] = to;
        return st;
    }
    rp_status st = flush_short(it, out, s);
    if (st != RP_OK) return st;
    int ofd = fileno(out);
    if (ofd >= 0) {
        if (fflush(out) != 0) return rp__corpus_write_failed(c);
        off_t off = (off_t)from;
        while ((uint64_t)off < to) {
            ssize_t n = sendfile(ofd, it->fd, &off, (size_t)(to - (uint64_t)off));
            if (n > 0 || (n < 0 && errno == EINTR)) continue;
            if (n == 0) return rp__corpus_changed(c, it->input); /* the file got shorter */
            if (errno == EINVAL || errno == ENOSYS) break; /* not for this output */
            return rp__corpus_write_failed(c);
        }
        from = (uint64_t)off;
    }
    while (from < to) {
        size_t len = to - from < SPAN_BYTES ? (size_t)(to - from) : SPAN_BYTES;
        if (rp__buf_reserve(&it->span, len)) return RP_ERR_NOMEM;
        if ((st = read_at(it, it->span.data, len, from)) != RP_OK) return st;
        if (fwrite(it->span.data, 1, len, out) != len) return rp__corpus_write_failed(c);
        from += len;
    }
    return RP_OK;
}

/* An indexed input's wanted lines to out as they are, runs of adjacent
 * lines at once, never through the reader or this process's memory. */
rp_status rp__later_copy_lines(rp_later *it, FILE *out, const char *stage, uint64_t bytes_before)
{
    rp_corpus *c = it->c;
    const rp_input *in = &c->inputs[it->input];
    uint64_t from = 0, to = 0;
    rp_status st = RP_OK;
    rp_short_runs waiting = {NULL, 0, 0};
    for (; it->rec < it->end && st == RP_OK; it->rec++) {
        uint64_t r = it->rec;
        if (!it->want(it->ctx, r)) continue;
        if (c->rec_len[r] == REC_UNREAD) {
            free(waiting.run);
            return rp__corpus_changed(c, it->input);
        }
        if (c->rec_off[r] != to) {
            if (to > from) st = copy_run(it, out, &waiting, from, to);
            from = c->rec_off[r];
            if ((r & 4095) == 0) rp__corpus_progress(c, stage, bytes_before + from);
        }
        to = c->rec_off[r] + c->rec_len[r];
    }
    if (st == RP_OK && to > from) st = copy_run(it, out, &waiting, from, to);
    if (st == RP_OK) st = flush_short(it, out, &waiting);
    free(waiting.run);
    if (st == RP_OK && to > 0 && to == in->size) {
        /* only a file's last line can lack its newline */
        char last;
        if ((st = read_at(it, &last, 1, to - 1)) != RP_OK) return st;
        if (last != '\n' && fputc('\n', out) == EOF) return rp__corpus_write_failed(c);
    }
    it->bytes = in->size;
    return st;
}

