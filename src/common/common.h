/*
 * common.h — the stage-less helpers every layer of libreprint uses:
 * messages, growable buffers, sorts, the thread runner, positioned I/O,
 * and the tests' levers. Nothing here knows a document.
 */
#ifndef REPRINT_COMMON_H
#define REPRINT_COMMON_H

#include "reprint.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ error.c */

#define RP_MSG_MAX 512

/* Formats into a fixed message buffer of RP_MSG_MAX bytes. */
void rp__msg(char *buf, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ------------------------------------------------------- growable buffer */

/* A byte buffer that grows geometrically; owned by whoever embeds it. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} rp_buf;

int rp__buf_reserve(rp_buf *b, size_t need); /* 0 on success, -1 out of memory */
int rp__buf_append(rp_buf *b, const void *src, size_t n);
void rp__buf_free(rp_buf *b);

/* Grows a typed array (*ptr, *cap) to hold at least need elements. */
int rp__grow(void **ptr, size_t *cap, size_t need, size_t elem_size);

/* Gives the pages wholly inside bytes [from, to) of block p back to the
 * system, for a block read once from its start (its contents there are
 * gone; the block is still freed with free()). */
void rp__release(void *p, size_t from, size_t to);

/* Seconds on a monotonic clock, for the stage timings in rp_stats. */
double rp__seconds(void);

/* ---------------------------------------------------------------- sort.c */

/* Sorts and removes duplicates; returns the new count. scratch holds n
 * values, or is NULL to have it allocated (SIZE_MAX when out of memory). */
size_t rp__sort_unique_u64(uint64_t *v, size_t n, uint64_t *scratch);
/* The same with a scratch of the largest of 256 parts of the list, not of
 * all of it (what rp__sort_unique_u64 does for a long list given none). */
size_t rp__sort_unique_lean(uint64_t *v, size_t n);
/* The first index of sorted v[0..n) whose value is not below x (n if none). */
size_t rp__lower_bound_u64(const uint64_t *v, size_t n, uint64_t x);

/* Stable LSD radix sort of 64-bit values on bits [lo_bit, 64); the first
 * allocates its scratch (-1 when out of memory), the second is given n. */
int rp__radix_sort_u64(uint64_t *v, size_t n, unsigned lo_bit);
void rp__radix_sort_scratch(uint64_t *v, size_t n, unsigned lo_bit, uint64_t *scratch);

/* -------------------------------------------------------------- thread.c */

/* Runs fn on each of n items (item k at items + k * size): the first on the
 * calling thread, the others on threads of their own, or on the calling
 * thread after it when a thread cannot start. Returns when all are done. */
void rp__run_parallel(void *(*fn)(void *), void *items, size_t size, unsigned n);

/* ------------------------------------------------------------------ io.c */

/* Writes len bytes at off of fd, on any thread; 0, or the errno of the
 * failure (ENOSPC for a write that wrote nothing). */
int rp__pwrite_all(int fd, const void *src, size_t len, uint64_t off);
/* Reads len bytes at off of fd, on any thread, looping over short reads:
 * 0, an errno, or -1 when the file ends first. */
int rp__pread_all(int fd, void *dst, size_t len, uint64_t off);

/* -------------------------------------------------------------- error.c */

/* The tests' levers, in one place: how the work of a run is cut, which
 * never changes what it computes (tests make the pieces tiny to exercise
 * the seams between them). Read-only outside the tests. */
typedef struct {
    size_t batch_max_records; /* records in one batch of the first pass (4096) */
    size_t split_bytes;       /* bytes a worker reads of a plain JSONL file (1 MiB) */
    size_t align_chunk_pairs; /* the fewest candidate pairs in a chunk of align (256) */
    size_t story_chunk;       /* records a thread scores the candidates of at a time (1024) */
    size_t band_chunk;        /* records a chunk of the band store (65536) */
    size_t dist_group_bytes;  /* a rank's band entries in one exchange (256 MiB) */
    size_t align_block_entries; /* entries a block of align's index holds (8192) */
    size_t refuse_early;      /* pairs a record the buckets must propose for dedup to refuse
                                 them from profiles as it finds them (4; SIZE_MAX: never) */
    size_t scalar;            /* 1: no instruction-set path chosen at run time, the portable
                                 code instead (tests compare the two; 0) */
    size_t verify_batch;      /* candidate pairs verify scores at a time (1 << 20) */
    size_t edges_held;        /* similar pairs pairs holds before it writes them to a file,
                                 and under --memory a thread of stories before it writes
                                 its run (SIZE_MAX: as --memory says) */
    size_t cands_held;        /* candidate pairs a thread of the early refusal holds before
                                 it writes them to a file, sorted (SIZE_MAX: as --memory says) */
    size_t bp_every_doc;      /* 1: align's collect pass looks for boilerplate in every
                                 document, as a part of a distributed run does, not only in
                                 those under a boilerplate key (0) */
    size_t story_wide_places; /* 1: stories keeps its candidates' places and its partners'
                                 marks in 64 bits, as past 2^30 entries and 2^31 records,
                                 not 32 (0) */
    size_t meet_every_pair;   /* 1: dedup's band-by-band search meets every pair of a bucket
                                 one by one, none only counted as hopeless (0) */
} rp_test_hooks;

extern rp_test_hooks rp__hooks;
#define RP_TEST_HOOKS_DEFAULT                                                                      \
    {4096, (size_t)1 << 20, 256, 1024, (size_t)1 << 16, (size_t)256 << 20, 8192, 4, 0, (size_t)1 << 20, SIZE_MAX, SIZE_MAX, 0, 0, 0}

/* RP_ERR_USAGE, with the message in err, for parameters of another layout. */
rp_status rp__params_check_version(const rp_params *p, char *err);

#endif /* REPRINT_COMMON_H */
