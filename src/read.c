/*
 * read.c — corpus readers: JSONL files, plain-text files, directories, stdin.
 *
 * An input is walked as a sequence of records. A JSONL file has one record a
 * line (blank lines are not records); a text file is one record; a directory
 * is the files under it, recursively, in byte order of their relative paths
 * (hidden entries skipped), each read by its own format. The format of a file
 * comes from its name (.jsonl, .ndjson, .json, before any .gz/.zst) unless
 * forced; a file otherwise named is JSONL all the same when its first line
 * is a JSON object with a string text field; stdin is sniffed: JSONL when
 * its first non-blank byte is '{'.
 *
 * Every record is accounted for: it parses into a document, or it yields a
 * bad-input status naming the file, the line and what is wrong, and the next
 * call moves on. Records are produced in the same order on every read, which
 * is what lets the engine re-read inputs instead of keeping their text.
 *
 * A record never needs more memory than max_doc_bytes: a longer line is
 * skipped through in chunks and reported as too large.
 *
 * JSON is parsed by jansson (with \u0000 allowed in strings so that a NUL in
 * a text is reported as such by the tokenizer rather than as invalid JSON).
 *
 * A compressed file's decompressed bytes are spooled for later passes by a
 * thread of their own: a gigabyte written to the page cache costs this
 * machine from 0.3 to 2 s of kernel time, which on the reading thread came
 * on top of the decompression that already bounds the first pass.
 */
#include "internal.h"
#include "read_source.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)
#define SPOOL_SLOTS 4

/* Chunks [head, tail) of slot are the writer's; the reader fills slot[tail]. */
typedef struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rp_buf slot[SPOOL_SLOTS];
    size_t head, tail;
    int fd, stop, failed;
} rp_spool_writer;

struct rp_reader {
    rp_params params;
    char *id_field, *text_field;
    char *path;              /* as given */
    char *display;           /* name used in ids and messages for a file input */
    rp_format forced;
    int qualify_ids;
    FILE *spool;
    FILE *decoded;           /* a compressed file's decompressed bytes go here */
    rp_spool_writer *writer; /* ... by this thread (NULL: written here) */
    int decoded_used, decoded_bad;
    /* directory walk: relative paths, sorted */
    char **files;
    size_t n_files, next_file;
    int skip_rest_of_line;   /* a line reported too long before its end was found */
    uint64_t (*seen)[2];     /* (device, inode) of every directory walked: a set */
    size_t seen_mask, n_seen;
    rp_buf notes;            /* what the walk skipped, a line each */
    size_t n_notes;
    int is_dir;
    int started;
    /* current file */
    rp_source src;
    int src_open, src_eof;
    rp_format fmt;
    char *cur_name;          /* display name of the current file */
    char *cur_rel;           /* path relative to a directory input, or NULL */
    rp_buf buf;              /* decompressed bytes; [pos, len) unconsumed */
    size_t pos;
    uint64_t buf_base;       /* decompressed bytes of the file before buf */
    int any_compressed;      /* a file of the input was gzip or zstd */
    uint64_t line;
    uint64_t bytes_closed;   /* raw bytes of files already closed */
    /* current record */
    const char *rec;
    size_t rec_len;          /* without the newline */
    size_t raw_len;          /* with it */
    int rec_is_text;
    rp_parser parser;
    char err[RP_MSG_MAX];
    rp_status open_status;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

rp_format rp__format_of_name(const char *name)
{
    size_t n = strlen(name);
    if (ends_with(name, n, ".gz")) n -= 3;
    else if (ends_with(name, n, ".zst")) n -= 4;
    else if (ends_with(name, n, ".zstd")) n -= 5;
    char tmp[16];
    const char *exts[] = {".jsonl", ".ndjson", ".json"};
    for (size_t k = 0; k < 3; k++) {
        size_t m = strlen(exts[k]);
        if (n >= m) {
            memcpy(tmp, name + n - m, m);
            tmp[m] = 0;
            for (size_t c = 0; c < m; c++)
                if (tmp[c] >= 'A' && tmp[c] <= 'Z') tmp[c] = (char)(tmp[c] + 32);
            if (strcmp(tmp, exts[k]) == 0) return RP_FORMAT_JSONL;
        }
    }
    return RP_FORMAT_TEXT;
}

int rp__looks_jsonl(const char *head, size_t n, const char *text_field)
{
    size_t k = 0;
    while (k < n && (head[k] == ' ' || head[k] == '\t' || head[k] == '\r' || head[k] == '\n')) k++;
    if (k + 3 <= n && memcmp(head + k, "\xEF\xBB\xBF", 3) == 0) k += 3;
    if (k >= n || head[k] != '{') return 0;
    const char *line = head + k, *nl = memchr(line, '\n', n - k);
    if (!nl) return 1; /* a first line longer than the look: '{' decides, as for stdin */
    size_t len = (size_t)(nl - line);
    while (len && line[len - 1] == '\r') len--;
    rp_json_fields f;
    if (rp__json_scan(line, len, "id", text_field, &f) == 0) return f.text_kind == RP_JF_STRING;
    json_t *root = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
    int ok = root && json_is_object(root) && json_is_string(json_object_get(root, text_field));
    json_decref(root);
    return ok;
}

/* ------------------------------------------------------- directory walk */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Records what the walk passes over, for the summary: a walk that skips
 * quietly loses documents without a word. */
static rp_status note(rp_reader *r, const char *path, const char *why)
{
    char line[4096 + 128];
    int n = snprintf(line, sizeof(line), "%s: %s\n", path, why);
    if (rp__buf_append(&r->notes, line, n > 0 && (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1))
        return RP_ERR_NOMEM;
    r->n_notes++;
    return RP_OK;
}

/* Adds a directory to the set of those walked; 0 if it was there already
 * (a link back up the tree, or a second way to the same directory: its
 * files would be read twice, or forever), -1 out of memory. */
static int first_visit(rp_reader *r, const struct stat *sb)
{
    if (r->n_seen * 2 >= r->seen_mask) {
        size_t slots = r->seen_mask ? (r->seen_mask + 1) * 2 : 64;
        uint64_t (*grown)[2] = calloc(slots, sizeof(*grown));
        if (!grown) return -1;
        for (size_t k = 0; r->seen && k <= r->seen_mask; k++) {
            if (!r->seen[k][0] && !r->seen[k][1]) continue;
            size_t h = (size_t)(r->seen[k][0] * 0x9E3779B97F4A7C15ULL ^ r->seen[k][1]) & (slots - 1);
            while (grown[h][0] || grown[h][1]) h = (h + 1) & (slots - 1);
            grown[h][0] = r->seen[k][0], grown[h][1] = r->seen[k][1];
        }
        free(r->seen);
        r->seen = grown;
        r->seen_mask = slots - 1;
    }
    uint64_t dev = (uint64_t)sb->st_dev + 1, ino = (uint64_t)sb->st_ino; /* never both 0 */
    size_t h = (size_t)(dev * 0x9E3779B97F4A7C15ULL ^ ino) & r->seen_mask;
    while (r->seen[h][0] || r->seen[h][1]) {
        if (r->seen[h][0] == dev && r->seen[h][1] == ino) return 0;
        h = (h + 1) & r->seen_mask;
    }
    r->seen[h][0] = dev, r->seen[h][1] = ino;
    r->n_seen++;
    return 1;
}

/* The files under root/rel, recursively. Links are followed, but no
 * directory is walked twice (by device and inode), so a link loop ends; a
 * broken link, an unreadable or over-long entry and anything that is not a
 * file or a directory (a FIFO would block the run) are skipped and noted. */
static rp_status walk(rp_reader *r, const char *root, const char *rel, size_t *cap, int depth)
{
    char full[4096];
    if (rel[0]) snprintf(full, sizeof(full), "%s/%s", root, rel);
    else snprintf(full, sizeof(full), "%s", root);
    if (depth > 64) return note(r, full, "directories nested too deep, not walked");
    DIR *d = opendir(full);
    if (!d) {
        if (depth == 0) {
            rp__msg(r->err, "%s: cannot open directory: %s", full, strerror(errno));
            return RP_ERR_IO;
        }
        char why[256];
        snprintf(why, sizeof(why), "cannot open directory: %s", strerror(errno));
        return note(r, full, why);
    }
    struct dirent *e;
    rp_status st = RP_OK;
    while (st == RP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char sub[4096], subfull[4096];
        int n1 = rel[0] ? snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name)
                        : snprintf(sub, sizeof(sub), "%s", e->d_name);
        int n2 = snprintf(subfull, sizeof(subfull), "%s/%s", root, sub);
        if (n1 < 0 || (size_t)n1 >= sizeof(sub) || n2 < 0 || (size_t)n2 >= sizeof(subfull)) {
            st = note(r, full, "an entry with a path too long, skipped");
            continue;
        }
        struct stat sb;
        if (stat(subfull, &sb) != 0) {
            struct stat lsb;
            if (lstat(subfull, &lsb) == 0 && S_ISLNK(lsb.st_mode)) st = note(r, subfull, "a broken link, skipped");
            else {
                char why[256];
                snprintf(why, sizeof(why), "cannot be read: %s", strerror(errno));
                st = note(r, subfull, why);
            }
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            int first = first_visit(r, &sb);
            if (first < 0) st = RP_ERR_NOMEM;
            else if (!first) st = note(r, subfull, "a directory already walked (a link), not walked again");
            else st = walk(r, root, sub, cap, depth + 1);
        } else if (S_ISREG(sb.st_mode)) {
            if (rp__grow((void **)&r->files, cap, r->n_files + 1, sizeof(char *))) {
                st = RP_ERR_NOMEM;
                break;
            }
            r->files[r->n_files] = dup_str(sub);
            if (!r->files[r->n_files]) {
                st = RP_ERR_NOMEM;
                break;
            }
            r->n_files++;
        } else {
            st = note(r, subfull, "not a regular file (a FIFO, a socket or a device), skipped");
        }
    }
    closedir(d);
    return st;
}

const char *rp__reader_notes(const rp_reader *r, size_t *n)
{
    *n = r->n_notes;
    return r->notes.len ? r->notes.data : "";
}

/* ----------------------------------------------------------- open/close */

rp_reader *rp__reader_open_as(const char *path, const char *display, rp_format format,
                              const rp_params *params)
{
    rp_reader *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->params = *params;
    r->id_field = dup_str(params->id_field ? params->id_field : "id");
    r->text_field = dup_str(params->text_field ? params->text_field : "text");
    r->path = dup_str(path);
    r->display = dup_str(display);
    r->forced = format;
    if (!r->id_field || !r->text_field || !r->path || !r->display) {
        rp_reader_free(r);
        return NULL;
    }
    r->src.fd = -1;
    rp__parser_init(&r->parser, r->id_field, r->text_field, 0);
    return r;
}

rp_reader *rp_reader_open(const char *path, const rp_params *params)
{
    return rp__reader_open_as(path, strcmp(path, "-") == 0 ? "<stdin>" : path, params->format,
                              params);
}

void rp__reader_qualify_ids(rp_reader *r, int on)
{
    r->qualify_ids = on;
    r->parser.qualify_ids = on;
}

void rp_reader_qualify_ids(rp_reader *r, int on)
{
    rp__reader_qualify_ids(r, on);
}

void rp__reader_spool(rp_reader *r, FILE *spool)
{
    r->spool = spool;
}

static void *spool_main(void *arg)
{
    rp_spool_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->head == w->tail && !w->stop) pthread_cond_wait(&w->cv, &w->mu);
        if (w->head == w->tail) break;
        rp_buf *b = &w->slot[w->head % SPOOL_SLOTS];
        int failed = w->failed;
        pthread_mutex_unlock(&w->mu);
        for (size_t done = 0; !failed && done < b->len;) {
            ssize_t n = write(w->fd, b->data + done, b->len - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) failed = 1;
            else done += (size_t)n;
        }
        pthread_mutex_lock(&w->mu);
        w->failed |= failed;
        w->head++;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Hands n bytes to the writer; -1 when it failed (later passes then read
 * the input itself). */
static int spool_put(rp_spool_writer *w, const char *p, size_t n)
{
    pthread_mutex_lock(&w->mu);
    while (w->tail - w->head == SPOOL_SLOTS && !w->failed) pthread_cond_wait(&w->cv, &w->mu);
    int failed = w->failed;
    pthread_mutex_unlock(&w->mu);
    if (failed) return -1;
    rp_buf *b = &w->slot[w->tail % SPOOL_SLOTS];
    if (rp__buf_reserve(b, n)) return -1;
    memcpy(b->data, p, n);
    b->len = n;
    pthread_mutex_lock(&w->mu);
    w->tail++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

/* Waits for the writer to write what it was handed; 0 if it all was. */
static int spool_finish(rp_reader *r)
{
    rp_spool_writer *w = r->writer;
    if (!w) return 0;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    int failed = w->failed;
    for (int k = 0; k < SPOOL_SLOTS; k++) rp__buf_free(&w->slot[k]);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    r->writer = NULL;
    return failed ? -1 : 0;
}

void rp__reader_spool_decoded(rp_reader *r, FILE *f)
{
    r->decoded = f;
}

/* The writer thread, started at the first decompressed bytes (a plain file
 * never needs it); without one they are written on this thread. */
static void spool_start(rp_reader *r)
{
    rp_spool_writer *w = calloc(1, sizeof(*w));
    if (!w) return;
    w->fd = fileno(r->decoded);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, spool_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return;
    }
    r->writer = w;
}

int rp__reader_decoded_finish(rp_reader *r)
{
    if (spool_finish(r)) r->decoded_bad = 1;
    return r->decoded_used && !r->decoded_bad;
}

rp_format rp__reader_format(const rp_reader *r)
{
    return r->fmt;
}

int rp__reader_is_text(const rp_reader *r)
{
    return r->rec_is_text;
}

static void close_file(rp_reader *r)
{
    r->skip_rest_of_line = 0;
    if (r->src_open) {
        r->bytes_closed += r->src.bytes_in;
        rp__source_close(&r->src);
    }
    r->src_open = 0;
    free(r->cur_name);
    r->cur_name = NULL;
    r->cur_rel = NULL;
}

void rp_reader_free(rp_reader *r)
{
    if (!r) return;
    spool_finish(r);
    close_file(r);
    for (size_t i = 0; i < r->n_files; i++) free(r->files[i]);
    free(r->files);
    free(r->seen);
    rp__buf_free(&r->notes);
    free(r->id_field);
    free(r->text_field);
    free(r->path);
    free(r->display);
    rp__buf_free(&r->buf);
    rp__parser_free(&r->parser);
    free(r);
}

const char *rp_reader_error(const rp_reader *r)
{
    return r->err;
}

uint64_t rp_reader_bytes_read(const rp_reader *r)
{
    return r->bytes_closed + (r->src_open ? r->src.bytes_in : 0);
}

/* Reads more decompressed bytes after the unconsumed ones; 0 bytes = EOF. */
static rp_status refill(rp_reader *r, size_t *got)
{
    if (r->pos > 0) {
        r->buf_base += r->pos;
        memmove(r->buf.data, r->buf.data + r->pos, r->buf.len - r->pos);
        r->buf.len -= r->pos;
        r->pos = 0;
    }
    if (rp__buf_reserve(&r->buf, r->buf.len + READ_CHUNK)) return RP_ERR_NOMEM;
    size_t room = r->buf.cap - r->buf.len;
    rp_status st = rp__source_read(&r->src, r->buf.data + r->buf.len, room, got);
    if (st != RP_OK) {
        r->decoded_bad = 1; /* a truncated stream: later passes read the file itself */
        rp__msg(r->err, "%s: %s", r->cur_name, r->src.err);
        return st;
    }
    if (r->decoded && *got && r->src.kind != RP_SRC_PLAIN) {
        if (!r->decoded_used) spool_start(r);
        r->decoded_used = 1;
        const char *p = r->buf.data + r->buf.len;
        if (r->decoded_bad) {
            /* a chunk was lost: the spool will not be used */
        } else if (r->writer ? spool_put(r->writer, p, *got) != 0
                             : fwrite(p, 1, *got, r->decoded) != *got) {
            r->decoded_bad = 1;
        }
    }
    r->buf.len += *got;
    if (*got == 0) r->src_eof = 1;
    return RP_OK;
}

/* Opens the next file of the input; RP_EOF when there is none. */
static rp_status open_next_file(rp_reader *r)
{
    close_file(r);
    const char *path;
    char full[8192];
    if (!r->started) {
        r->started = 1;
        struct stat sb;
        if (strcmp(r->path, "-") != 0 && stat(r->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            size_t cap = 0;
            r->is_dir = 1;
            if (first_visit(r, &sb) < 0) return RP_ERR_NOMEM;
            rp_status st = walk(r, r->path, "", &cap, 0);
            if (st != RP_OK) return st;
            if (r->n_files) qsort(r->files, r->n_files, sizeof(char *), cmp_str);
        }
    }
    if (r->is_dir) {
        if (r->next_file >= r->n_files) return RP_EOF;
        r->cur_rel = r->files[r->next_file++];
        size_t n = strlen(r->path);
        int slash = n > 0 && r->path[n - 1] == '/';
        snprintf(full, sizeof(full), "%s%s%s", r->path, slash ? "" : "/", r->cur_rel);
        path = full;
        r->cur_name = dup_str(full);
    } else {
        if (r->next_file > 0) return RP_EOF;
        r->next_file = 1;
        path = r->path;
        r->cur_name = dup_str(r->display);
    }
    if (!r->cur_name) return RP_ERR_NOMEM;
    r->buf.len = r->pos = 0;
    r->buf_base = 0;
    r->line = 0;
    r->src_eof = 0;
    rp_status st = rp__source_open(&r->src, path, r->is_dir ? NULL : r->spool);
    r->src_open = 1;
    if (r->src.kind != RP_SRC_PLAIN) r->any_compressed = 1;
    if (st != RP_OK) {
        rp__msg(r->err, "%s: %s", r->cur_name, r->src.err);
        return st;
    }
    if (r->forced != RP_FORMAT_AUTO) {
        r->fmt = r->forced;
    } else if (!r->is_dir && strcmp(r->path, "-") == 0) {
        size_t got = 0;
        r->fmt = RP_FORMAT_TEXT;
        for (;;) { /* sniff the first non-blank byte */
            size_t k = r->pos;
            while (k < r->buf.len && strchr(" \t\r\n", r->buf.data[k]) && r->buf.data[k]) k++;
            if (k < r->buf.len) {
                if (r->buf.data[k] == '{') r->fmt = RP_FORMAT_JSONL;
                break;
            }
            if (r->src_eof) break;
            if ((st = refill(r, &got)) != RP_OK) return st;
        }
    } else if ((r->fmt = rp__format_of_name(path)) == RP_FORMAT_TEXT) {
        /* a file not named as JSONL may hold JSONL all the same: its first
         * line a JSON object with a string text field */
        size_t got = 0;
        while (r->buf.len - r->pos < RP_SNIFF_BYTES && !r->src_eof &&
               (r->buf.len == r->pos || !memchr(r->buf.data + r->pos, '\n', r->buf.len - r->pos)))
            if ((st = refill(r, &got)) != RP_OK) return st;
        size_t look = r->buf.len - r->pos < RP_SNIFF_BYTES ? r->buf.len - r->pos : RP_SNIFF_BYTES;
        if (look && rp__looks_jsonl(r->buf.data + r->pos, look, r->text_field))
            r->fmt = RP_FORMAT_JSONL;
    }
    return RP_OK;
}

/* ------------------------------------------------------------- records */

static rp_status next_line(rp_reader *r, rp_doc *doc)
{
    size_t max = r->params.max_doc_bytes;
    while (r->skip_rest_of_line) { /* the rest of a line reported too long */
        size_t avail = r->buf.len - r->pos;
        char *nl = avail ? memchr(r->buf.data + r->pos, '\n', avail) : NULL;
        if (nl) {
            r->pos += (size_t)(nl - (r->buf.data + r->pos)) + 1;
            r->skip_rest_of_line = 0;
            break;
        }
        r->pos = r->buf.len;
        if (r->src_eof) {
            r->skip_rest_of_line = 0;
            break;
        }
        size_t got;
        rp_status st = refill(r, &got);
        if (st != RP_OK) return st;
    }
    for (;;) {
        size_t avail = r->buf.len - r->pos;
        char *start = avail ? r->buf.data + r->pos : r->buf.data; /* data is NULL before a read */
        char *nl = avail ? memchr(start, '\n', avail) : NULL;
        if (!nl && !r->src_eof && avail <= max) {
            size_t got;
            rp_status st = refill(r, &got);
            if (st != RP_OK) return st;
            continue;
        }
        if (!nl && avail > max && !r->params.skip_bad) {
            /* too long, and a run without --skip-bad stops here: its end is
             * looked for only if another record is asked for (a compressed
             * bomb would be inflated to it) */
            doc->file = r->cur_name;
            doc->line = ++r->line;
            r->decoded_bad = 1;
            r->skip_rest_of_line = 1;
            rp__msg(r->err, "%s:%llu: document of more than %zu bytes exceeds --max-doc-bytes",
                    r->cur_name, (unsigned long long)doc->line, max);
            return RP_ERR_TOO_LARGE;
        }
        if (!nl && avail > max) {
            /* too long: skip to the end of the line without holding it; a
             * compressed input's decoded bytes stop going to its spool, so
             * the disk holds no more than was read before the line (later
             * passes decompress the file again) */
            uint64_t line = ++r->line;
            size_t skipped = 0;
            if (r->src.kind != RP_SRC_PLAIN) r->decoded_bad = 1;
            for (;;) {
                start = r->buf.data + r->pos;
                avail = r->buf.len - r->pos;
                nl = memchr(start, '\n', avail);
                if (nl) {
                    skipped += (size_t)(nl - start) + 1;
                    r->pos += (size_t)(nl - start) + 1;
                    break;
                }
                skipped += avail;
                r->pos = r->buf.len;
                if (r->src_eof) break;
                size_t got;
                rp_status st = refill(r, &got);
                if (st != RP_OK) return st;
            }
            doc->raw = NULL;
            doc->raw_len = 0;
            doc->file = r->cur_name;
            doc->line = line;
            rp__msg(r->err, "%s:%llu: document of %zu bytes exceeds --max-doc-bytes %zu",
                    r->cur_name, (unsigned long long)line, skipped, max);
            return RP_ERR_TOO_LARGE;
        }
        if (avail == 0) return RP_EOF;
        size_t len = nl ? (size_t)(nl - start) : avail;
        r->line++;
        r->pos += nl ? len + 1 : len;
        if (len > max) {
            doc->file = r->cur_name;
            doc->line = r->line;
            rp__msg(r->err, "%s:%llu: document of %zu bytes exceeds --max-doc-bytes %zu",
                    r->cur_name, (unsigned long long)r->line, len, max);
            return RP_ERR_TOO_LARGE;
        }
        size_t content = len;
        if (content > 0 && start[content - 1] == '\r') content--;
        int blank = 1;
        for (size_t k = 0; k < content && blank; k++)
            if (!strchr(" \t", start[k])) blank = 0;
        if (blank) continue; /* not a record */
        r->rec = start;
        r->rec_len = content;
        r->raw_len = nl ? len + 1 : len;
        r->rec_is_text = 0;
        doc->raw = start;
        doc->raw_len = r->raw_len;
        doc->file = r->cur_name;
        doc->line = r->line;
        return RP_OK;
    }
}

static rp_status next_text_file(rp_reader *r, rp_doc *doc)
{
    size_t max = r->params.max_doc_bytes;
    while (!r->src_eof && r->buf.len - r->pos <= max) {
        size_t got;
        rp_status st = refill(r, &got);
        if (st != RP_OK) return st;
    }
    doc->file = r->cur_name;
    doc->line = 0;
    r->rec_is_text = 1;
    size_t size = r->buf.len - r->pos;
    if (size > max) {
        /* Read no further: the limit bounds the work and the spool, and a
         * compressed bomb is not inflated to its end. A plain file's size
         * is known without reading it. */
        struct stat sb;
        int known = r->src.kind == RP_SRC_PLAIN && fstat(r->src.fd, &sb) == 0 && S_ISREG(sb.st_mode);
        r->pos = r->buf.len;
        r->src_eof = 1;
        r->decoded_bad = 1; /* its spool is cut short: later passes read the file */
        doc->raw = NULL;
        doc->raw_len = 0;
        if (known)
            rp__msg(r->err, "%s: document of %llu bytes exceeds --max-doc-bytes %zu", r->cur_name,
                    (unsigned long long)sb.st_size, max);
        else
            rp__msg(r->err, "%s: document of more than %zu bytes (decompressed; not read further) "
                            "exceeds --max-doc-bytes",
                    r->cur_name, max);
        return RP_ERR_TOO_LARGE;
    }
    r->rec = r->buf.data ? r->buf.data + r->pos : ""; /* an empty file reads nothing */
    r->rec_len = r->raw_len = size;
    r->pos = r->buf.len;
    doc->raw = r->rec;
    doc->raw_len = size;
    return RP_OK;
}

rp_status rp__reader_next_raw(rp_reader *r, rp_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
    r->err[0] = 0;
    for (;;) {
        if (!r->src_open) {
            rp_status st = open_next_file(r);
            if (st != RP_OK) {
                if (st == RP_EOF) return st;
                close_file(r);
                r->next_file = r->is_dir ? r->next_file : 1;
                return st;
            }
            if (r->fmt == RP_FORMAT_TEXT) {
                st = next_text_file(r, doc);
                if (st != RP_OK && !rp_status_is_bad_input(st)) close_file(r);
                return st;
            }
        }
        if (r->fmt == RP_FORMAT_TEXT) {
            close_file(r);
            continue;
        }
        rp_status st = next_line(r, doc);
        if (st == RP_EOF) {
            close_file(r);
            continue;
        }
        /* an unreadable file ends here; the next call moves to the next one */
        if (st != RP_OK && !rp_status_is_bad_input(st)) close_file(r);
        return st;
    }
}

/* ------------------------------------------------------------ parsing */

void rp__parser_init(rp_parser *p, const char *id_field, const char *text_field, int qualify_ids)
{
    memset(p, 0, sizeof(*p));
    p->id_field = id_field;
    p->text_field = text_field;
    p->qualify_ids = qualify_ids;
}

void rp__parser_free(rp_parser *p)
{
    rp__buf_free(&p->id_buf);
    rp__buf_free(&p->text_buf);
    if (p->json) json_decref(p->json);
    p->json = NULL;
}

/* A record without an id is named by its line: "12", or "file:12" when the
 * run has several inputs. */
static rp_status id_from_line(rp_parser *p, rp_doc *doc)
{
    char tmp[64];
    p->id_buf.len = 0;
    if (p->qualify_ids && rp__buf_append(&p->id_buf, doc->file, strlen(doc->file)))
        return RP_ERR_NOMEM;
    int n = snprintf(tmp, sizeof(tmp), "%s%llu", p->qualify_ids ? ":" : "",
                     (unsigned long long)doc->line);
    if (rp__buf_append(&p->id_buf, tmp, (size_t)n)) return RP_ERR_NOMEM;
    doc->id.str = p->id_buf.data;
    doc->id.len = p->id_buf.len;
    doc->id.is_number = !p->qualify_ids;
    return RP_OK;
}

static rp_status no_text(rp_parser *p, const rp_doc *doc, int missing)
{
    rp__msg(p->err, "%s:%llu: %s field \"%s\"", doc->file, (unsigned long long)doc->line,
            missing ? "no" : "not a string:", p->text_field);
    return RP_ERR_NO_TEXT;
}

static rp_status bad_id(rp_parser *p, const rp_doc *doc)
{
    rp__msg(p->err, "%s:%llu: id field \"%s\" is neither a string nor a number", doc->file,
            (unsigned long long)doc->line, p->id_field);
    return RP_ERR_BAD_ID;
}

/* A JSON string's \\u0000 is text, not binary data: for matching it is a
 * separator, a space (one byte and one code point, so offsets stay); the
 * record itself is kept byte for byte. */
static rp_status nul_to_space(rp_parser *p, rp_doc *doc)
{
    if (!doc->text_len || !memchr(doc->text, 0, doc->text_len)) return RP_OK;
    if (doc->text != p->text_buf.data) {
        p->text_buf.len = 0;
        if (rp__buf_append(&p->text_buf, doc->text, doc->text_len)) return RP_ERR_NOMEM;
        doc->text = p->text_buf.data;
    }
    for (size_t k = 0; k < doc->text_len; k++)
        if (!p->text_buf.data[k]) p->text_buf.data[k] = ' ';
    return RP_OK;
}

static rp_status parse_fast(rp_parser *p, rp_doc *doc, const rp_json_fields *f)
{
    if (f->text_kind != RP_JF_STRING) return no_text(p, doc, f->text_kind == RP_JF_MISSING);
    if (f->text_escaped) {
        if (rp__json_unescape(f->text, f->text_len, &p->text_buf)) return RP_ERR_NOMEM;
        doc->text = p->text_buf.data;
        doc->text_len = p->text_buf.len;
        if (nul_to_space(p, doc)) return RP_ERR_NOMEM;
    } else {
        doc->text = f->text;
        doc->text_len = f->text_len;
    }
    doc->id.is_number = 0;
    switch (f->id_kind) {
    case RP_JF_MISSING:
    case RP_JF_NULL:
        return id_from_line(p, doc);
    case RP_JF_STRING:
        if (f->id_escaped) {
            if (rp__json_unescape(f->id, f->id_len, &p->id_buf)) return RP_ERR_NOMEM;
            doc->id.str = p->id_buf.data;
            doc->id.len = p->id_buf.len;
        } else {
            doc->id.str = f->id;
            doc->id.len = f->id_len;
        }
        return RP_OK;
    case RP_JF_NUMBER:
        doc->id.str = f->id;
        doc->id.len = f->id_len;
        doc->id.is_number = 1;
        return RP_OK;
    default:
        return bad_id(p, doc);
    }
}

/* What a line that is not JSON may be instead, when its bytes say so. */
static const char *encoding_hint(const char *rec, size_t len)
{
    const unsigned char *b = (const unsigned char *)rec;
    if (len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return " (the file looks like UTF-16; reprint reads UTF-8: iconv -f UTF-16 -t UTF-8)";
    size_t zeros = 0;
    for (size_t k = 0; k < len && k < 64; k++) zeros += b[k] == 0;
    if (len >= 8 && zeros * 3 >= (len < 64 ? len : 64))
        return " (NUL bytes between the characters: UTF-16 or UTF-32? reprint reads UTF-8)";
    if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        return " (a byte order mark inside the file: files joined with cat?)";
    return "";
}

rp_status rp__parse(rp_parser *p, const char *rec, size_t len, int is_text, const char *rel,
                    rp_doc *doc)
{
    if (p->json) {
        json_decref(p->json);
        p->json = NULL;
    }
    if (is_text) {
        const char *id = rel ? rel : doc->file;
        doc->id.str = id;
        doc->id.len = strlen(id);
        doc->id.is_number = 0;
        doc->text = rec;
        doc->text_len = len;
        return RP_OK;
    }
    if (doc->line == 1 && len >= 3 && memcmp(rec, "\xEF\xBB\xBF", 3) == 0) rec += 3, len -= 3;
    rp_json_fields f;
    if (rp__json_scan(rec, len, p->id_field, p->text_field, &f) == 0 ||
        rp__json_scan_lenient(rec, len, p->id_field, p->text_field, &f) == 0)
        return parse_fast(p, doc, &f);
    json_error_t jerr;
    p->json = json_loadb(rec, len, JSON_ALLOW_NUL, &jerr);
    if (!p->json) {
        rp__msg(p->err, "%s:%llu: invalid JSON: %s at byte %d%s", doc->file,
                (unsigned long long)doc->line, jerr.text, jerr.position, encoding_hint(rec, len));
        return RP_ERR_JSON;
    }
    if (!json_is_object((json_t *)p->json)) {
        rp__msg(p->err, "%s:%llu: JSON line is not an object", doc->file,
                (unsigned long long)doc->line);
        return RP_ERR_NOT_OBJECT;
    }
    json_t *text = json_object_get(p->json, p->text_field);
    if (!text || !json_is_string(text)) return no_text(p, doc, !text);
    doc->text = json_string_value(text);
    doc->text_len = json_string_length(text);
    if (nul_to_space(p, doc)) return RP_ERR_NOMEM;
    json_t *id = json_object_get(p->json, p->id_field);
    doc->id.is_number = 0;
    if (!id || json_is_null(id)) return id_from_line(p, doc);
    if (json_is_string(id)) {
        doc->id.str = json_string_value(id);
        doc->id.len = json_string_length(id);
    } else if (json_is_integer(id) || json_is_real(id)) {
        char tmp[64];
        int n = json_is_integer(id)
                    ? snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(id))
                    : snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(id));
        p->id_buf.len = 0;
        if (rp__buf_append(&p->id_buf, tmp, (size_t)n)) return RP_ERR_NOMEM;
        doc->id.str = p->id_buf.data;
        doc->id.len = p->id_buf.len;
        doc->id.is_number = 1;
    } else {
        return bad_id(p, doc);
    }
    return RP_OK;
}

void rp__reader_record(const rp_reader *r, const char **rec, size_t *len, int *is_text,
                       const char **rel)
{
    *rec = r->rec;
    *len = r->rec_len;
    *is_text = r->rec_is_text;
    *rel = r->cur_rel;
}

uint64_t rp__reader_record_offset(const rp_reader *r)
{
    return r->buf_base + (uint64_t)(r->rec - r->buf.data);
}

int rp__reader_lines_at_offsets(const rp_reader *r)
{
    return !r->is_dir && r->fmt == RP_FORMAT_JSONL && !r->any_compressed;
}

rp_status rp__reader_parse(rp_reader *r, rp_doc *doc)
{
    rp_status st = rp__parse(&r->parser, r->rec, r->rec_len, r->rec_is_text, r->cur_rel, doc);
    if (st != RP_OK) rp__msg(r->err, "%s", r->parser.err);
    return st;
}

rp_status rp_reader_next(rp_reader *r, rp_doc *doc)
{
    rp_status st = rp__reader_next_raw(r, doc);
    if (st != RP_OK) return st;
    return rp__reader_parse(r, doc);
}
