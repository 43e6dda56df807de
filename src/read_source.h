/*
 * read_source.h — a byte stream, decompressed when it is gzip or zstd: the
 * one header that includes zlib and zstd (read.c and read_source.c only).
 */
#ifndef REPRINT_READ_SOURCE_H
#define REPRINT_READ_SOURCE_H

#include "read.h"

#include <zlib.h>
#include <zstd.h>

/* -------------------------------------------------------- read_source.c */

/* A byte stream from a file descriptor, decompressed when its first bytes
 * are a gzip or zstd magic number. Owns its buffers and, unless it is
 * stdin, its descriptor. */
typedef struct {
    int fd;
    int owns_fd;
    rp_src_kind kind;
    unsigned char *in;       /* raw bytes read from fd */
    size_t in_len, in_pos, in_cap;
    int in_eof;
    z_stream z;
    int z_live;              /* z initialized */
    int z_member_done;       /* a gzip member ended and no new one started */
    ZSTD_DCtx *zd;
    size_t zstd_ret;         /* last ZSTD_decompressStream result: 0 = frame end */
    uint64_t bytes_in;       /* raw bytes consumed */
    FILE *spool;             /* when set, raw bytes are also written here */
    char err[RP_MSG_MAX];
} rp_source;

/* Opens path ("-" = stdin). Returns RP_OK or RP_ERR_IO with err set. */
rp_status rp__source_open(rp_source *s, const char *path, FILE *spool);
/* Reads up to cap decompressed bytes; *got = 0 means end of stream. */
rp_status rp__source_read(rp_source *s, void *dst, size_t cap, size_t *got);
void rp__source_close(rp_source *s);

#endif /* REPRINT_READ_SOURCE_H */
