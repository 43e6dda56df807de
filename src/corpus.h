/*
 * corpus.h — the inputs of a run and the passes over them (corpus.c), the
 * interface every task uses to read its corpus once and again.
 */
#ifndef REPRINT_CORPUS_H
#define REPRINT_CORPUS_H

#include "read.h"
#include "records.h"

/* ------------------------------------------------------------- corpus.c */

typedef struct {
    char *path;              /* as given */
    char *display;           /* name in messages */
    char *spool_path;        /* stdin spooled here by the first pass */
    int spool_fd;            /* the spool's descriptor when it was unlinked, or -1 */
    int spool_keep;          /* a spool this corpus must not remove (a
                                distributed run's that another rank made, or
                                kept in the checkpoint directory) */
    uint32_t *rec_hash;      /* inputs read again by the reader (a directory's files,
                                text files): a hash of each record's bytes in the
                                first pass, 0 for a bad one, to tell a changed file */
    size_t n_rec_hash, cap_rec_hash;
    rp_format format;        /* as detected in the first pass (for the spool) */
    uint64_t first_rec, end_rec;
    int indexed;             /* later passes read its records by offset */
    uint64_t size;           /* then the size and modification time of the */
    int64_t mtime_ns;        /* file they read, to tell that it changed */
    size_t of;               /* the input as given whose file it reads: itself,
                                or for a run of another part's records in a
                                distributed run (ghosts), the one they are of */
} rp_input;

/* The file an input's bytes are read from: its spool (stdin's, or its
 * decompressed bytes) when it has one, else the path given. */
static inline const char *rp__input_file(const rp_input *in)
{
    return in->spool_path ? in->spool_path : in->path;
}

/* The inputs of a run and the passes over them (see corpus.c). */
typedef struct {
    rp_params p;             /* its strings point at the owned copies below */
    char *id_field, *text_field, *date_field, *site_field, *url_field, *tmp_dir;
    rp_input *inputs;        /* as given (n_named), then runs of ghosts */
    size_t n_inputs, cap_inputs, n_named;
    rp_reject_fn on_reject;
    rp_progress_fn on_progress;
    rp_warning_fn on_warning;
    rp_status temp_status;   /* why rp__corpus_temp last failed (a worker's state
                                needs a file: not always out of memory) */
    void *user;
    uint64_t total_bytes;    /* sum of input file sizes, 0 when unknown */
    uint64_t n_rec;          /* records numbered by the first pass */
    uint64_t *rec_off;       /* per record: where its line starts in the file */
    uint32_t *rec_len;       /* later passes read, and its length with the
                                newline (REC_UNREAD: not a good record) */
    size_t cap_index;
    uint64_t (*line_fix)[2]; /* (record, lines before it that took no
                                number): where that count changes, so that
                                a record's line is known without a field
                                per record; blank lines are rare */
    size_t n_line_fix, cap_line_fix;
    uint64_t skipped;        /* that count for the input being read */
    rp_tokenizer *tok;
    rp_spinner *spin;        /* --spin: spin keys for the passes on this thread */
    char *err;               /* the owner's message buffer (RP_MSG_MAX) */
    char msg[RP_MSG_MAX];
} rp_corpus;

/* One record as a pass hands it to its visitor. In the first pass a rejected
 * record comes with its bad-input status and no tokens. */
typedef struct {
    uint64_t rec;            /* 0-based record number in the corpus (in the
                                first pass, at the commit only: a worker
                                sees 0) */
    rp_status status;        /* RP_OK, or why the record was rejected */
    rp_doc doc;
    int is_text;             /* a text file, not a JSONL line */
    const uint64_t *hashes;  /* the tokenizer's view, when tokenized */
    const rp_span *spans;
    size_t n_tokens;
    const uint64_t *literal;  /* the words' own hashes (hashes are spin keys under --spin) */
    const void *result;      /* first pass, commit: what the task's work made */
    size_t result_len;
} rp_record;

typedef rp_status (*rp__visit_fn)(void *ctx, const rp_record *r);

int rp__corpus_init(rp_corpus *c, const rp_params *params, char *err);
void rp__corpus_free(rp_corpus *c);
rp_status rp__corpus_add(rp_corpus *c, const char *path);
/* Passes give words' spin keys as their hashes from now on (--spin);
 * RP_ERR_IO when WordNet cannot be loaded (message in err). */
rp_status rp__corpus_spin(rp_corpus *c, char *err);
/* What a task does with each record of the first pass, split in two so that
 * the costly half runs on worker threads (corpus.c). */
typedef struct {
    void *(*worker_new)(void *ctx);   /* a worker's own state (NULL: no memory) */
    void (*worker_free)(void *state);
    /* On a worker thread, for a good tokenized record (r->rec not yet known):
     * appends the task's result for it to out. Must not touch shared state. */
    rp_status (*work)(void *state, const rp_record *r, rp_buf *out);
    /* On the calling thread, in record order, for every numbered record: a
     * good one with r->result, a rejected one (skip_bad) with r->status. */
    rp__visit_fn commit;
    /* Later passes: whether record rec needs tokenizing for work (NULL:
     * every one does); one that does not comes with its document only. */
    int (*tokens)(void *ctx, uint64_t rec);
} rp__first_pass_ops;


/* Reads every record, counting read and rejected ones into stats, on
 * params.threads threads; the task sees records as ops says. */
rp_status rp__corpus_first_pass(rp_corpus *c, rp_stats *stats, const rp__first_pass_ops *ops,
                                void *ctx);
/* The first pass over part of a corpus of plain JSONL files: the lines
 * that start in bytes [from, to) of the files' concatenation, in the
 * order given, numbered from 0 (a part's place among the others is its
 * caller's: the counts of the parts before it); their line numbers, which
 * name id-less records, count each file's lines before the part: those of
 * the file holding byte from are lines_before (UINT64_MAX: counted, by
 * reading that file up to from). Later passes read the part's records as
 * those of a whole run. RP_ERR_USAGE for any other corpus (naming the
 * input), or once records were read. */
rp_status rp__corpus_first_pass_range(rp_corpus *c, rp_stats *stats, const rp__first_pass_ops *ops,
                                      void *ctx, uint64_t from, uint64_t to, uint64_t lines_before);
/* The sizes of the inputs of a corpus of plain JSONL files (size[i] per
 * input given); RP_ERR_USAGE naming the first input that is not one
 * (stdin, a pipe, a directory, a compressed or text file), RP_ERR_IO for
 * one that cannot be opened. */
rp_status rp__corpus_plain_sizes(rp_corpus *c, uint64_t *size);
/* Whether input i is a regular file of compressed bytes (gzip, zstd),
 * and its size. */
int rp__corpus_compressed(const rp_corpus *c, size_t i, uint64_t *size);
/* Input i is read from now on from path, its bytes decompressed there;
 * removed when the corpus is freed unless keep. */
rp_status rp__corpus_use_spool(rp_corpus *c, size_t i, const char *path, int keep);
/* The newlines in bytes [from, to) of input i, a plain JSONL file: summed
 * over the parts before one, its lines_before. */
rp_status rp__corpus_count_lines(rp_corpus *c, size_t i, uint64_t from, uint64_t to, uint64_t *lines);
/* Re-reads the inputs; visits the records want() asks for, tokenized when
 * tokenize_text is set; without it a JSONL line is visited as read (raw
 * only), a text file parsed (it has no raw form). With copy_to (and without
 * tokenize_text), the wanted lines of an indexed input are copied to it as
 * they are instead, a missing last newline added. Reports progress under
 * the stage's name. */
rp_status rp__corpus_pass(rp_corpus *c, const char *stage, int tokenize_text,
                          int (*want)(void *ctx, uint64_t rec), rp__visit_fn visit,
                          FILE *copy_to, void *ctx);
/* The same for records that need work: wanted records are parsed, tokenized
 * and worked on by ops on worker threads, and committed in record order. */
rp_status rp__corpus_pass_mt(rp_corpus *c, const char *stage, int (*want)(void *ctx, uint64_t rec),
                             const rp__first_pass_ops *ops, void *ctx);
/* A part's record index (offsets, lengths, line numbers, which input
 * holds which records) written to a checkpoint and read back into a fresh
 * corpus of the same files, which must not have changed (size and
 * modification time): RP_ERR_USAGE else, or for a checkpoint that ends
 * early. */
rp_status rp__corpus_save_index(const rp_corpus *c, FILE *f);
/* The names of the inputs given, hashed: a checkpoint is of these files. */
uint64_t rp__corpus_names_hash(const rp_corpus *c);
rp_status rp__corpus_load_index(rp_corpus *c, FILE *f);
/* The bytes a later pass with copy_to would copy of the records want()
 * asks for (an indexed corpus; RP_ERR_USAGE for another), counted from the
 * index without reading them. */
rp_status rp__corpus_copy_size(const rp_corpus *c, int (*want)(void *ctx, uint64_t rec), void *ctx,
                               uint64_t *bytes);
/* The input holding record rec (inputs hold runs of records in order). */
size_t rp__corpus_input_of(const rp_corpus *c, uint64_t rec);
/* Where record rec of an indexed corpus lies: the input given whose file
 * holds it, its offset and its length with the newline (UINT32_MAX: not a
 * good record); 0 for a record not indexed. */
int rp__corpus_record_at(const rp_corpus *c, uint64_t rec, uint32_t *file, uint64_t *off, uint32_t *len);
/* Appends n records found by another part of a distributed run (ghosts),
 * in record order, by file (an input given), offset, length and line
 * (NULL: lines not needed), numbered after the corpus' own: later passes
 * read them like its own, an id-less one named by its line. */
rp_status rp__corpus_add_ghosts(rp_corpus *c, const uint32_t *file, const uint64_t *off, const uint32_t *len,
                                const uint64_t *line, size_t n);
/* Numbers the records of the pairs 0, 1, ... in record order: *slot_of
 * gets per record its slot or UINT32_MAX. Returns the number of slots;
 * SIZE_MAX when out of memory, or (RP_ERR_USAGE, message in err) when a
 * pair is not a < b of the corpus' records (any_order: two of its records,
 * as a part of a distributed run numbers its own before other parts'):
 * SIZE_MAX - 1. */
size_t rp__corpus_slots(const rp_corpus *c, const rp_cand *pairs, size_t n_pairs, int any_order,
                        uint32_t **slot_of, char *err);
/* An anonymous temporary file in tmp_dir (unlinked at once). */
rp_status rp__corpus_temp(rp_corpus *c, FILE **out);
/* Reads len bytes at off of a temporary file (pread: the file position and
 * any stdio buffer are left alone); a short read is an I/O error, its
 * message put in err (a worker thread's own buffer, or c->err). */
rp_status rp__corpus_temp_read(const rp_corpus *c, char *err, FILE *f, void *dst, size_t len,
                               uint64_t off);
/* RP_ERR_IO, its message in err: a temporary file could not be written
 * (errnum, the errno of the failed call). */
rp_status rp__corpus_temp_write_failed(const rp_corpus *c, char *err, int errnum);

#endif /* REPRINT_CORPUS_H */
