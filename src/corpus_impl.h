/*
 * corpus_impl.h — the corpus layer's own: the batches and the worker pool
 * (batch.c), where every record's bytes are and how later passes read them
 * (record_index.c), and what corpus.c lends them. Included by those three
 * files only; the other layers see corpus.h.
 */
#ifndef REPRINT_CORPUS_IMPL_H
#define REPRINT_CORPUS_IMPL_H

#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>

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

/* corpus.c */
rp_status rp__corpus_changed(rp_corpus *c, size_t i);

void rp__corpus_progress(rp_corpus *c, const char *stage, uint64_t done);

/* A record's bytes as the first pass saw them, for inputs read again by
 * the reader (a directory's files, a text file): 0 is "not checked". */
uint32_t rp__rec_hash_of(const rp_doc *doc);

/* A bad record: counted and reported when skipping, fatal otherwise. A bad
 * record that is a record (not the unreadable rest of a file) still takes a
 * number, so the visitor hears of it. */
rp_status rp__corpus_reject(rp_corpus *c, rp_stats *stats, rp_status st, const char *msg,
                        rp_record *r, rp__visit_fn visit, void *ctx);

/* Opens input i for a later pass: the spool of stdin, or the input again. */
rp_reader *rp__corpus_reopen(rp_corpus *c, size_t i);

rp_status rp__corpus_write_failed(rp_corpus *c);

/* batch.c */
rp_status rp__batch_add(rp_batch *b, rp_status st, int is_record, const char *bytes, size_t len,
                           const rp_doc *doc, int is_text, const char *rel);

/* A record whose bytes are already in the batch at raw[off, off + len). */
rp_status rp__batch_ref(rp_batch *b, rp_status st, int is_record, size_t off, size_t len,
                           const rp_doc *doc, int is_text, const char *rel);

/* Commits finished batches in order: the oldest, waiting for it, while the
 * ring is full; then any that are done; with all, every one left. */
rp_status rp__pool_drain(rp_pool *pool, uint64_t *committed, int all, rp_stats *stats,
                       const char *stage, uint64_t bytes);

void rp__pool_free(rp_pool *pool);

rp_status rp__pool_init(rp_pool *pool, rp_corpus *c, const rp__first_pass_ops *ops, void *ctx);

/* The reading half of a split batch, on its worker: reads its bytes and
 * makes a record of every line that starts in them, as the reader would
 * (blank lines skipped; a line over max_doc_bytes rejected, its bytes read
 * past, not kept). A line belongs to the batch it starts in, so the byte
 * before the batch says whether its first bytes end an earlier one's line.
 * Line numbers need the newlines of every batch before: the batches take
 * their first line number in turn (line_seq), each as soon as it has
 * counted its own. */
void rp__batch_split(rp_pool *pool, rp_worker *w, rp_batch *b);

/* Hands batch seq to the workers (or works on it here, with one thread). */
void rp__pool_submit(rp_pool *pool);

/* Tokenizes doc, and with a spinner (--spin) gives its words' spin keys as
 * the hashes, their own hashes as literal; on bad input fills msg with the
 * located message. */
rp_status rp__tokenize_with(rp_tokenizer *tok, rp_spinner *spin, char *msg, rp_record *r);

/* Waits until batch seq is worked on; only its own end wakes this thread. */
void rp__pool_wait_done(rp_pool *pool, uint64_t seq);

/* record_index.c */
/* An indexed input's wanted lines to out as they are, runs of adjacent
 * lines at once, never through the reader or this process's memory. */
rp_status rp__later_copy_lines(rp_later *it, FILE *out, const char *stage, uint64_t bytes_before);

/* With defer, the span is not read here but added to defer's reads. */
rp_status rp__later_fill_span(rp_later *it, rp_buf *dst, size_t max_recs, rp_batch *defer);

/* The index entry of record rec (the last numbered), of input in. */
/* Room for cap records in the index (0, or -1 when out of memory). */
int rp__index_reserve(rp_corpus *c, size_t cap);
rp_status rp__index_put(rp_corpus *c, uint64_t rec, const rp_brec *br, const rp_input *in);

uint64_t rp__later_bytes(const rp_later *it);

void rp__later_close(rp_later *it);

/* The end of a later pass over an indexed input: the file must still be the
 * one the first pass indexed (a line rewritten in place while the pass read
 * it shows a new modification time). */
rp_status rp__later_finish(rp_later *it, rp_status st);

/* The next wanted record: its number, doc (raw, file, line), its bytes
 * without the newline and what they are; RP_EOF after the last. */
rp_status rp__later_next(rp_later *it, uint64_t *rec, rp_doc *doc, const char **bytes,
                            size_t *len, int *is_text, const char **rel);

rp_status rp__later_open(rp_later *it, rp_corpus *c, size_t i,
                            int (*want)(void *ctx, uint64_t rec), void *ctx);

/* The line of record rec of indexed input i. */
uint64_t rp__index_line_of(const rp_corpus *c, size_t i, uint64_t rec);

/* Where wanted record r of the span last planned is in the buffer it goes
 * to, and its length with the newline (a deferred span is not read yet). */
size_t rp__later_span_record_at(const rp_later *it, uint64_t r, size_t *len);

#endif /* REPRINT_CORPUS_IMPL_H */
