/*
 * read_source.c — raw bytes in, decompressed bytes out.
 *
 * Compression is recognized by magic number, not by file name, so a .gz
 * renamed .txt or compressed stdin still reads: 1f 8b is gzip (zlib's
 * inflate, with concatenated members as gzip(1) writes them), 28 b5 2f fd is
 * zstd (streaming ZSTD_decompressStream, concatenated frames too), and so is
 * 5? 2a 4d 18, a skippable frame, which zstd(1) reads past. Input
 * that ends inside a member or frame is an error (RP_ERR_TRUNCATED), never a
 * silently shorter corpus.
 *
 * Reads are 1 MiB at a time. With a spool file set, every raw byte is also
 * written there, so standard input can be read again by later passes.
 */
#include "internal.h"
#include "read_source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define RAW_CHUNK (1u << 20)

static rp_status fill_raw(rp_source *s)
{
    if (s->in_pos < s->in_len || s->in_eof) return RP_OK;
    for (;;) {
        ssize_t n = read(s->fd, s->in, s->in_cap);
        if (n < 0) {
            if (errno == EINTR) continue;
            rp__msg(s->err, "read failed: %s", strerror(errno));
            return RP_ERR_IO;
        }
        s->in_pos = 0;
        s->in_len = (size_t)n;
        if (n == 0) s->in_eof = 1;
        s->bytes_in += (uint64_t)n;
        if (n > 0 && s->spool && fwrite(s->in, 1, (size_t)n, s->spool) != (size_t)n) {
            rp__msg(s->err, "cannot write the spool file of a stream input (stdin or a pipe): %s", strerror(errno));
            return RP_ERR_IO;
        }
        return RP_OK;
    }
}

rp_src_kind rp__source_kind(const void *head, size_t n)
{
    const unsigned char *b = head;
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return RP_SRC_GZIP;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return RP_SRC_ZSTD;
    /* a skippable frame (magic 0x184D2A5?, little-endian) may come first;
     * ZSTD_decompressStream passes over it */
    if (n >= 4 && (b[0] & 0xF0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18)
        return RP_SRC_ZSTD;
    return RP_SRC_PLAIN;
}

rp_status rp__source_open(rp_source *s, const char *path, FILE *spool)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    s->spool = spool;
    if (strcmp(path, "-") == 0) {
        s->fd = 0;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            rp__msg(s->err, "cannot open: %s", strerror(errno));
            return RP_ERR_IO;
        }
        s->owns_fd = 1;
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    s->in_cap = RAW_CHUNK;
    s->in = malloc(s->in_cap);
    if (!s->in) {
        rp__msg(s->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    rp_status st = fill_raw(s);
    if (st != RP_OK) return st;
    rp_src_kind kind = rp__source_kind(s->in, s->in_len);
    if (kind == RP_SRC_GZIP) {
        s->kind = RP_SRC_GZIP;
        if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
            rp__msg(s->err, "cannot start gzip decompression");
            return RP_ERR_NOMEM;
        }
        s->z_live = 1;
    } else if (kind == RP_SRC_ZSTD) {
        s->kind = RP_SRC_ZSTD;
        s->zd = ZSTD_createDCtx();
        if (!s->zd) {
            rp__msg(s->err, "cannot start zstd decompression");
            return RP_ERR_NOMEM;
        }
    }
    return RP_OK;
}

static rp_status read_gzip(rp_source *s, unsigned char *dst, size_t cap, size_t *got)
{
    s->z.next_out = dst;
    s->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
    while (s->z.avail_out > 0) {
        rp_status st = fill_raw(s);
        if (st != RP_OK) return st;
        if (s->in_pos == s->in_len) { /* end of raw input */
            if (!s->z_member_done) {
                rp__msg(s->err, "gzip data ends early (truncated file?)");
                return RP_ERR_TRUNCATED;
            }
            break;
        }
        if (s->z_member_done) {
            /* another member follows: gzip files may be concatenated */
            if (inflateReset(&s->z) != Z_OK) return RP_ERR_NOMEM;
            s->z_member_done = 0;
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        int ret = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        if (ret == Z_STREAM_END) {
            s->z_member_done = 1;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            rp__msg(s->err, "corrupt gzip data: %s", s->z.msg ? s->z.msg : "inflate failed");
            return RP_ERR_TRUNCATED;
        }
        if (s->z.avail_out < cap) break; /* deliver what we have */
    }
    *got = cap - s->z.avail_out;
    return RP_OK;
}

static rp_status read_zstd(rp_source *s, unsigned char *dst, size_t cap, size_t *got)
{
    ZSTD_outBuffer out = {dst, cap, 0};
    while (out.pos == 0) {
        rp_status st = fill_raw(s);
        if (st != RP_OK) return st;
        if (s->in_pos == s->in_len) {
            if (s->zstd_ret != 0) {
                rp__msg(s->err, "zstd data ends early (truncated file?)");
                return RP_ERR_TRUNCATED;
            }
            break;
        }
        ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
        size_t ret = ZSTD_decompressStream(s->zd, &out, &in);
        s->in_pos = in.pos;
        if (ZSTD_isError(ret)) {
            rp__msg(s->err, "corrupt zstd data: %s", ZSTD_getErrorName(ret));
            return RP_ERR_TRUNCATED;
        }
        s->zstd_ret = ret;
    }
    *got = out.pos;
    return RP_OK;
}

rp_status rp__source_read(rp_source *s, void *dst, size_t cap, size_t *got)
{
    *got = 0;
    if (cap == 0) return RP_OK;
    if (s->kind == RP_SRC_GZIP) return read_gzip(s, dst, cap, got);
    if (s->kind == RP_SRC_ZSTD) return read_zstd(s, dst, cap, got);
    rp_status st = fill_raw(s);
    if (st != RP_OK) return st;
    size_t n = s->in_len - s->in_pos;
    if (n > cap) n = cap;
    memcpy(dst, s->in + s->in_pos, n);
    s->in_pos += n;
    *got = n;
    return RP_OK;
}

void rp__source_close(rp_source *s)
{
    if (s->z_live) inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    if (s->owns_fd && s->fd >= 0) close(s->fd);
    free(s->in);
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

rp_status rp__source_decompress(const char *path, const char *display, const char *to, char *err)
{
    enum { CHUNK = 1 << 20 };
    rp_source s;
    rp_status st = rp__source_open(&s, path, NULL);
    char *buf = st == RP_OK ? malloc(CHUNK) : NULL;
    FILE *out = st == RP_OK ? fopen(to, "wb") : NULL;
    if (st != RP_OK) rp__msg(err, "%s: %s", display, s.err);
    else if (!buf) st = RP_ERR_NOMEM, rp__msg(err, "out of memory");
    else if (!out) st = RP_ERR_IO, rp__msg(err, "%s: cannot create: %s", to, strerror(errno));
    while (st == RP_OK) {
        size_t got;
        if ((st = rp__source_read(&s, buf, CHUNK, &got)) != RP_OK) {
            rp__msg(err, "%s: %s", display, s.err);
            break;
        }
        if (!got) break;
        if (fwrite(buf, 1, got, out) != got) {
            rp__msg(err, "%s: cannot write: %s", to, strerror(errno));
            st = RP_ERR_IO;
        }
    }
    if (out && fclose(out) != 0 && st == RP_OK) {
        rp__msg(err, "%s: cannot write: %s", to, strerror(errno));
        st = RP_ERR_IO;
    }
    if (out && st != RP_OK) unlink(to);
    free(buf);
    rp__source_close(&s);
    return st;
}
