/*
 * internal.h — declarations shared between the stages of libreprint.
 * Nothing here is public; cross-file functions carry the rp__ prefix.
 */
#ifndef REPRINT_INTERNAL_H
#define REPRINT_INTERNAL_H

#include "reprint.h"

#include <stdarg.h>
#include <stdint.h>
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

/* Seconds on a monotonic clock, for the stage timings in rp_stats. */
double rp__seconds(void);

/* ------------------------------------------------------------- records */

/* What the passes hand each other, declared so that a pass can run alone
 * over a part of the work and its output be sent to another process or
 * stored. A document's number is its place in the corpus (input order,
 * rejected records included): 64 bits, so that numbers stay global past
 * 4 billion records. */
typedef uint64_t rp_docno;

/* What the sign pass makes of one document: the exact hash of its words
 * and its band keys. As bytes (a worker's result, a message), the hash and
 * then the keys, bands of them, each in the machine's order. */
#define RP_BANDS_MAX 4096 /* num_perm <= 4096 bounds the bands */
typedef struct {
    uint64_t exact;
    unsigned bands;
    uint32_t keys[RP_BANDS_MAX];
} rp_sign_result;

/* A candidate pair, a < b: the two documents may be alike. */
typedef struct {
    rp_docno a, b;
} rp_cand;

/* A verified pair, a < b: an edge of the similarity graph. */
typedef struct {
    rp_docno a, b;
    float jaccard, containment_a, containment_b;
} rp_edge;

/* Sorts candidates by (a, b) and removes repeats; returns the new count, or
 * SIZE_MAX when out of memory. */
size_t rp__cands_sort_unique(rp_cand *v, size_t n);
/* Appends (a, b) to a growable list; 0, or -1 when out of memory. */
int rp__cands_push(rp_cand **v, size_t *n, size_t *cap, rp_docno a, rp_docno b);

/* ------------------------------------------------------------ shingle.c */

/* Hashes of the word n-grams of a token hash sequence, sorted and unique
 * when `set` is non-zero. A text shorter than n words gives one shingle of
 * all its words. Returns the count, or SIZE_MAX when out of memory. */
size_t rp__shingles(const uint64_t *tokens, size_t n_tokens, unsigned ngram, uint64_t seed,
                    uint64_t **out, size_t *cap, int set);

/* Hash of the whole normalized word sequence: equal for exact duplicates. */
uint64_t rp__exact_hash(const uint64_t *tokens, size_t n_tokens, uint64_t seed);

/* The hash of every k-gram of a text, in order (n_tokens - k + 1 of them,
 * into out), as rp__winnow hashes them: a fingerprint is one of these. */
size_t rp__kgram_hashes(const uint64_t *tokens, size_t n_tokens, unsigned k, uint64_t seed,
                        uint64_t *out);
/* The winnowed fingerprints of a text: the minimum hash of every window of
 * w consecutive word k-grams (Schleimer et al. 2003), sorted and unique, in
 * *out. Two texts sharing a run of w + k - 1 identical words share at least
 * one fingerprint. Returns the count, or SIZE_MAX when out of memory. */
size_t rp__winnow(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                  uint64_t **out, size_t *cap);

/* Sorts and removes duplicates; returns the new count. scratch holds n
 * values, or is NULL to have it allocated (SIZE_MAX when out of memory). */
size_t rp__sort_unique_u64(uint64_t *v, size_t n, uint64_t *scratch);
/* The first index of sorted v[0..n) whose value is not below x (n if none). */
size_t rp__lower_bound_u64(const uint64_t *v, size_t n, uint64_t x);

/* --------------------------------------------------------------- sign.c */

/* One-permutation MinHash with optimal densification (see sign.c).
 * sig must hold num_perm values. Returns 0, or -1 when there are no
 * shingles (or, past 4096 values, no memory). */
int rp__sign(const uint64_t *shingles, size_t n, unsigned num_perm, uint64_t seed, uint64_t *sig);
/* The same signature as rp__sign over rp__shingles(tokens), without
 * storing the shingles. */
int rp__sign_tokens(const uint64_t *tokens, size_t n_tokens, unsigned ngram, unsigned num_perm,
                    uint64_t seed, uint64_t *sig);

/* Share of equal positions: the Jaccard estimate of two signatures. */
double rp__sig_similarity(const uint64_t *a, const uint64_t *b, unsigned num_perm);

/* --------------------------------------------------------------- band.c */

/* The bands and rows of LSH for p: as set, or chosen from its threshold
 * (for containment, from the Jaccard of two equal documents at it); the
 * shingle and signature parameters checked too. */
rp_status rp__lsh_params(const rp_params *p, unsigned *bands, unsigned *rows, char *err);

/* 32-bit key of band b (rows values starting at sig + b * rows). */
uint32_t rp__band_key(const uint64_t *sig, unsigned band, unsigned rows, uint64_t seed);

/* Stable LSD radix sort of 64-bit values on bits [lo_bit, 64); the first
 * allocates its scratch (-1 when out of memory), the second is given n. */
int rp__radix_sort_u64(uint64_t *v, size_t n, unsigned lo_bit);
void rp__radix_sort_scratch(uint64_t *v, size_t n, unsigned lo_bit, uint64_t *scratch);

/* Candidate pairs (a << 32 | b, a < b: the kernel's packed form, for
 * the records of one store) from one band's entries (key << 32 | doc),
 * which are sorted in place with the caller's scratch (n values). Appends
 * to *pairs. Returns 0 or -1 when out of memory. */
int rp__band_pairs_scratch(uint64_t *entries, size_t n, uint64_t *scratch, size_t max_bucket,
                           uint64_t **pairs, size_t *n_pairs, size_t *cap_pairs, uint64_t *truncated);

/* ------------------------------------------------------------- verify.c */

typedef struct {
    uint64_t inter;
    uint64_t size_a, size_b;
} rp_overlap;

/* Size of the intersection of two sorted unique arrays. */
uint64_t rp__intersect_count(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* ------------------------------------------------------------ cluster.c */

/* Union-find over n elements with path halving and union by smaller index,
 * so every root is the earliest member of its set. Owns one uint32 array. */
typedef struct {
    uint32_t *parent;
    size_t n;
} rp_uf;

int rp__uf_init(rp_uf *uf, size_t n);
uint32_t rp__uf_find(rp_uf *uf, uint32_t x);
void rp__uf_union(rp_uf *uf, uint32_t a, uint32_t b);
void rp__uf_free(rp_uf *uf);


/* -------------------------------------------------------- read_source.c */

#include <zlib.h>
#include <zstd.h>

typedef enum { RP_SRC_PLAIN, RP_SRC_GZIP, RP_SRC_ZSTD } rp_src_kind;

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

/* What the first bytes of a stream say it is (by magic number). */
rp_src_kind rp__source_kind(const void *head, size_t n);
/* Opens path ("-" = stdin). Returns RP_OK or RP_ERR_IO with err set. */
rp_status rp__source_open(rp_source *s, const char *path, FILE *spool);
/* Reads up to cap decompressed bytes; *got = 0 means end of stream. */
rp_status rp__source_read(rp_source *s, void *dst, size_t cap, size_t *got);
void rp__source_close(rp_source *s);

/* --------------------------------------------------------------- read.c */

/* The parsing half of a reader, on its own so that worker threads can parse
 * records the reader thread has copied out: id and text of one record. Its
 * buffers (and doc's pointers into them) live until the next call. */
typedef struct {
    const char *id_field, *text_field; /* not owned */
    int qualify_ids;                   /* ids from lines as "file:line" */
    rp_buf id_buf, text_buf;
    void *json;                        /* jansson's tree, for the slow path */
    char err[RP_MSG_MAX];
} rp_parser;

void rp__parser_init(rp_parser *p, const char *id_field, const char *text_field, int qualify_ids);
void rp__parser_free(rp_parser *p);
/* rec: a JSONL line without its newline, or a whole text file (is_text);
 * doc->file and doc->line must be set; rel names a file inside a directory
 * input (NULL otherwise). Fills doc->id and doc->text; on bad input returns
 * its status with the message, naming file and line, in p->err. */
rp_status rp__parse(rp_parser *p, const char *rec, size_t len, int is_text, const char *rel,
                    rp_doc *doc);
/* The bytes of the record last returned by rp__reader_next_raw (valid until
 * the next call), and the arguments rp__parse needs for it. */
void rp__reader_record(const rp_reader *r, const char **rec, size_t *len, int *is_text,
                       const char **rel);

/* Opens an input under another name with a fixed format (used to re-read
 * spooled stdin), and makes missing-id documents use "file:line" ids. */
rp_reader *rp__reader_open_as(const char *path, const char *display, rp_format format,
                              const rp_params *params);
void rp__reader_qualify_ids(rp_reader *r, int on);
/* Tees the raw bytes of a stdin input into spool. */
void rp__reader_spool(rp_reader *r, FILE *spool);
/* Format detected for the input (after the first document). */
rp_format rp__reader_format(const rp_reader *r);
/* A compressed file input also writes its decompressed bytes to f, so that
 * later passes read them instead of decompressing again. Complete: some
 * were written, all of them, without a read or write error. */
void rp__reader_spool_decoded(rp_reader *r, FILE *f);
/* Waits until the decompressed bytes are all written to the spool; whether
 * they were (the spool then holds the whole input, decompressed). */
int rp__reader_decoded_finish(rp_reader *r);
/* Reads the next record without parsing it: only raw/file/line are set. */
rp_status rp__reader_next_raw(rp_reader *r, rp_doc *doc);
/* Parses the record last returned by rp__reader_next_raw. */
rp_status rp__reader_parse(rp_reader *r, rp_doc *doc);
/* 1 when the record last returned is a text file, not a JSONL line. */
int rp__reader_is_text(const rp_reader *r);
/* Where the record last returned starts in its file's decompressed bytes. */
uint64_t rp__reader_record_offset(const rp_reader *r);
/* 1 when the input is one JSONL file of plain bytes, so that a record's
 * offset is where it is in the file. */
int rp__reader_lines_at_offsets(const rp_reader *r);
/* What a directory walk skipped (links to a directory walked already,
 * broken links, unreadable entries, FIFOs, paths too long): n lines, each
 * "PATH: why", once the walk is done. */
const char *rp__reader_notes(const rp_reader *r, size_t *n);
/* The format a file's name implies (RP_FORMAT_TEXT when none does). */
rp_format rp__format_of_name(const char *name);
/* Bytes of a file not named as JSONL looked at to tell that it is. */
#define RP_SNIFF_BYTES (64u << 10)
/* Whether head (the first n bytes of a file, decompressed) starts with a
 * line that is a JSON object with a string text_field: JSONL, whatever the
 * file's name. A first line longer than n counts when it starts with '{'. */
int rp__looks_jsonl(const char *head, size_t n, const char *text_field);

/* ---------------------------------------------------------- read_jsonl.c */

enum { RP_JF_MISSING = 0, RP_JF_STRING, RP_JF_NUMBER, RP_JF_NULL, RP_JF_OTHER };

/* Where the id and text fields of one JSONL line are. String values point at
 * the bytes between the quotes (still escaped when *_escaped). */
typedef struct {
    const char *text;
    size_t text_len;
    int text_escaped, text_kind;
    const char *id;
    size_t id_len;
    int id_escaped, id_kind;
} rp_json_fields;

/* 0 when the line is a valid JSON object and its fields were found; -1 when
 * it is not, or may not be: the caller then asks jansson. */
int rp__json_scan(const char *s, size_t n, const char *id_field, const char *text_field,
                  rp_json_fields *f);
/* rp__json_scan for a line it declined that may hold a number jansson
 * cannot read (12345678901234567890, 1e400): valid JSON all the same, and
 * an id that must be written as it was read. */
int rp__json_scan_lenient(const char *s, size_t n, const char *id_field, const char *text_field,
                          rp_json_fields *f);
/* Unescapes the body of a string rp__json_scan accepted into out. */
int rp__json_unescape(const char *s, size_t n, rp_buf *out);

/* ---------------------------------------------------------- normalize.c */

/* Tests: on, the tokenizer takes its scalar loop only (the 64-byte block path
 * must give exactly the same words). */
void rp__tokenizer_scalar(rp_tokenizer *tok, int on);

/* --------------------------------------------------------------- spin.c */
/* The spinner (rp_spin) is public; its lexicon is built once a process,
 * RP_ERR_IO when WordNet is missing. */
rp_status rp__lexicon_load(char *err);
/* 1 for a closed-class word (article, pronoun, preposition, ...) once the
 * lexicon is loaded. */
int rp__is_function_word(uint64_t h);

/* ------------------------------------------------------------- corpus.c */

typedef struct {
    char *path;              /* as given */
    char *display;           /* name in messages */
    char *spool_path;        /* stdin spooled here by the first pass */
    int spool_fd;            /* the spool's descriptor when it was unlinked, or -1 */
    uint32_t *rec_hash;      /* inputs read again by the reader (a directory's files,
                                text files): a hash of each record's bytes in the
                                first pass, 0 for a bad one, to tell a changed file */
    size_t n_rec_hash, cap_rec_hash;
    rp_format format;        /* as detected in the first pass (for the spool) */
    uint64_t first_rec, end_rec;
    int indexed;             /* later passes read its records by offset */
    uint64_t size;           /* then the size and modification time of the */
    int64_t mtime_ns;        /* file they read, to tell that it changed */
} rp_input;

/* The inputs of a run and the passes over them (see corpus.c). */
typedef struct {
    rp_params p;             /* its strings point at the owned copies below */
    char *id_field, *text_field, *date_field, *site_field, *url_field, *tmp_dir;
    rp_input *inputs;
    size_t n_inputs, cap_inputs;
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
    uint64_t rec;            /* 0-based record number in the corpus */
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
/* Runs fn on each of n items (item k at items + k * size): the first on the
 * calling thread, the others on threads of their own, or on the calling
 * thread after it when a thread cannot start. Returns when all are done. */
void rp__run_parallel(void *(*fn)(void *), void *items, size_t size, unsigned n);
/* Numbers the records that appear in pairs (a << 32 | b) 0, 1, ... in record
 * order: *slot_of gets per record its slot or UINT32_MAX. Returns the number
 * of slots, or SIZE_MAX when out of memory. */
size_t rp__corpus_slots(const rp_corpus *c, const uint64_t *pairs, size_t n_pairs, uint32_t **slot_of);
/* An anonymous temporary file in tmp_dir (unlinked at once). */
rp_status rp__corpus_temp(rp_corpus *c, FILE **out);
/* Reads len bytes at off of a temporary file (pread: the file position and
 * any stdio buffer are left alone); a short read is an I/O error, its
 * message put in err (a worker thread's own buffer, or c->err). */
rp_status rp__corpus_temp_read(const rp_corpus *c, char *err, FILE *f, void *dst, size_t len,
                               uint64_t off);
/* Writes len bytes at off of fd, on any thread; 0, or the errno of the
 * failure (ENOSPC for a write that wrote nothing). */
int rp__pwrite_all(int fd, const void *src, size_t len, uint64_t off);

/* -------------------------------------------------------------- align.c */

typedef struct rp_align_ws rp_align_ws;

rp_align_ws *rp__align_ws_create(void);
void rp__align_ws_free(rp_align_ws *ws);
/* A word hash narrowed to the 32 bits alignment compares. */
static inline uint32_t rp__token32(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}
/* The word hashes of a text narrowed, into a growable array. */
int rp__align_tokens32(const uint64_t *h, size_t n, uint32_t **out, size_t *cap);
rp_status rp__align_check(const rp_params *p, char *err);
/* Indexes the first text; it must stay valid while aligning against it. */
int rp__align_set_a(rp_align_ws *ws, const uint32_t *ta, size_t na, unsigned min_words);
/* With --spin, the two texts' own word hashes beside the keys aligned on, so
 * that passages count their literally identical words; NULL, NULL without. */
void rp__align_set_literal(rp_align_ws *ws, const uint32_t *la, const uint32_t *lb);
/* The boilerplate of the two texts, n (start, end) word ranges each (NULL,
 * 0 for none): gaps between passages do not count it. */
void rp__align_set_boilerplate(rp_align_ws *ws, const uint32_t *ma, size_t n_ma,
                               const uint32_t *mb, size_t n_mb);
/* Passages shared by the first text and tb (word positions only), in order
 * of their place in the first text, in ws. Returns the count or SIZE_MAX. */
size_t rp__align_with(rp_align_ws *ws, const uint32_t *tb, size_t nb, const rp_params *p,
                      rp_passage **out);
/* What tells which of two texts is the source, beside their passages:
 * their words (boilerplate and all), their boilerplate word ranges (not
 * counted as extra text; NULL, 0 for none), and the one-for-one
 * replacements in which that side's word is much the rarer (a sign of the
 * copy). */
typedef struct {
    size_t words_a, words_b;
    const uint32_t *mask_a, *mask_b; /* (start, end) pairs */
    size_t n_mask_a, n_mask_b;
    uint32_t copy_votes_a, copy_votes_b;
} rp_direction;
/* Words of [from, to) inside n ranges r, as (start, end) pairs. */
long rp__words_in_ranges(const uint32_t *r, size_t n, uint32_t from, uint32_t to);
/* The likely source and its evidence, from the passages' structure (an
 * abridged or a wrapped copy) and the replaced words; left unknown where
 * the evidence is weak or the two disagree. Call after summarizing. */
void rp__align_source(rp_alignment *al, const rp_passage *ps, size_t n, const rp_direction *d);
/* Offsets from the spans, coverages (of content_a and content_b words: the
 * documents' words that are not boilerplate; passages flagged boilerplate
 * do not count) and relation. */
void rp__align_summarize(rp_alignment *al, rp_passage *ps, size_t n, const rp_span *sa,
                         size_t content_a, const rp_span *sb, size_t content_b, int identical);

/* -------------------------------------------------------------- error.c */

/* The tests' levers, in one place: how the work of a run is cut, which
 * never changes what it computes (tests make the pieces tiny to exercise
 * the seams between them). Read-only outside the tests. */
typedef struct {
    size_t batch_max_records; /* records in one batch of the first pass (4096) */
    size_t split_bytes;       /* bytes a worker reads of a plain JSONL file (1 MiB) */
    size_t align_chunk_pairs; /* the fewest candidate pairs in a chunk of align (256) */
    size_t story_chunk;       /* records a thread scores the candidates of at a time (1024) */
} rp_test_hooks;

extern rp_test_hooks rp__hooks;
#define RP_TEST_HOOKS_DEFAULT {4096, (size_t)1 << 20, 256, 1024}

/* RP_ERR_USAGE, with the message in err, for parameters of another layout. */
rp_status rp__params_check_version(const rp_params *p, char *err);

/* ----------------------------------------------------------- sentence.c */

/* Where the sentences of a tokenized text end: out[k] is one past the last
 * word of sentence k (out holds n + 1). Returns the number of sentences. */
size_t rp__sentence_ends(const char *text, size_t len, const rp_span *spans, size_t n,
                         uint32_t *out);

/* ------------------------------------------------------------ rewrite.c */

/* A text as the sentence aligner sees it: per word its key (the spin key;
 * equal to its own token for a function word or a masked one) and own
 * token; per sentence one past its last word. */
typedef struct {
    const uint32_t *key, *lit;
    const uint32_t *sent_end;
    size_t n_sent, n_words;
} rp_rw_text;

typedef struct rp_rewrite_ws rp_rewrite_ws;

rp_rewrite_ws *rp__rewrite_ws_create(void);
void rp__rewrite_ws_free(rp_rewrite_ws *ws);
/* The n passages ps the plain aligner found, with the rewritten passages a
 * and b share added (those plain ones inside a rewritten one join it), in
 * a's order, in ws: *out. Returns the count or SIZE_MAX. */
size_t rp__rewrite_align(rp_rewrite_ws *ws, const rp_rw_text *a, const rp_rw_text *b,
                         const rp_passage *ps, size_t n, const rp_params *p, rp_passage **out);

/* -------------------------------------------------------------- dedup.c */

/* The dedup task (see dedup.c), its passes in the order they run; each
 * refuses (RP_ERR_USAGE) to run out of it. */
typedef struct rp_dedup rp_dedup;

/* stats and err are the caller's; the parameters are the corpus's. */
rp_dedup *rp__dedup_create(rp_corpus *c, rp_stats *stats, char *err);
void rp__dedup_free(rp_dedup *d);
/* Pass 1 over every input: each record signed on the workers and added. */
rp_status rp__dedup_sign(rp_dedup *d);
/* Adds document n's sign record (NULL: a rejected record), n = the count so far. */
rp_status rp__dedup_add_signed(rp_dedup *d, rp_docno n, const rp_sign_result *s);
/* Appends the pairs of documents with equal words (each copy with the
 * first, which it then stands for: it leaves the band search); once. */
rp_status rp__dedup_exact_candidates(rp_dedup *d, rp_cand **out, size_t *n, size_t *cap);
/* Appends the candidates of band keys in [key_lo, key_hi) of 2^32 (pairs
 * may repeat); after the exact ones, for any partition of the keys. */
rp_status rp__dedup_band_candidates(rp_dedup *d, uint64_t key_lo, uint64_t key_hi, rp_cand **out,
                                    size_t *n, size_t *cap);
/* The edges among n candidates (sorted, unique; an exact copy paired only
 * with its first): each pair's Jaccard and containments from the shingle
 * sets of its documents, read again; kept at the threshold, in the
 * candidates' order. *edges is the caller's (free). Keeps the ids of the
 * pairs' documents for the results, replacing those of an earlier call. */
rp_status rp__dedup_verify(rp_dedup *d, const rp_cand *cand, size_t n, rp_edge **edges,
                           size_t *n_edges);
/* Unions the edges in order (taking them: freed with d) into clusters
 * whose roots are their earliest documents; counts kept and removed. */
rp_status rp__dedup_cluster(rp_dedup *d, rp_edge *edges, size_t n);
/* sign, candidates over all keys, verify, cluster: the one-call run. */
rp_status rp__dedup_run(rp_dedup *d);
int rp__dedup_is_kept(const rp_dedup *d, uint64_t rec);
rp_status rp__dedup_foreach_pair(rp_dedup *d, int (*fn)(void *, const rp_pair *), void *user);
rp_status rp__dedup_foreach_cluster(rp_dedup *d, int (*fn)(void *, const rp_cluster *), void *user);
/* Pass 3: every kept record copied to out as read. */
rp_status rp__dedup_write_kept(rp_dedup *d, FILE *out);

/* -------------------------------------------------------------- reuse.c */

/* The align task over a corpus (see reuse.c). */
typedef struct rp_reuse rp_reuse;

/* ------------------------------------------------------------- story.c */
typedef struct rp_stories rp_stories;
rp_stories *rp__stories_create(void);
void rp__stories_free(rp_stories *s);
rp_status rp__stories_run(rp_stories *s, rp_corpus *c, rp_stats *stats, char *err);
rp_status rp__stories_foreach(rp_stories *s, int (*fn)(void *user, const rp_story *story), void *user);
int64_t rp__stories_story_of(const rp_stories *s, uint64_t rec);

rp_reuse *rp__reuse_create(void);
void rp__reuse_free(rp_reuse *ru);
rp_status rp__reuse_run(rp_reuse *ru, rp_corpus *c, rp_stats *stats, char *err);
rp_status rp__reuse_foreach(rp_reuse *ru, int (*fn)(void *user, const rp_alignment *al), void *user);

/* --------------------------------------------------------- band_store.c */

/* The band keys of every record, in memory up to a limit and spilled to a
 * temporary file beyond it (see band_store.c). */
typedef struct rp_bands rp_bands;
typedef struct {
    uint64_t spilled_bytes;     /* band keys written to the temporary file */
    uint64_t read_back_bytes;   /* and read back by the candidate search */
    uint64_t partitions;        /* most key ranges one band was split into */
} rp_bands_stats;

extern size_t rp__band_chunk;   /* records a chunk (tests make it tiny) */

/* limit: bytes for keys and sorting, 0 = none. corpus: temporary files. */
rp_bands *rp__bands_create(unsigned bands, uint64_t limit, rp_corpus *corpus);
void rp__bands_free(rp_bands *t);
/* The next record's keys, one per band. */
rp_status rp__bands_add(rp_bands *t, const uint32_t *keys);
/* Appends every band's candidate pairs (rp__band_pairs_scratch) among the
 * records whose skip[] byte is 0 and whose key lies in [key_lo, key_hi)
 * (of 2^32), bands shared out among threads threads; pairs come in no
 * particular order and may repeat across calls (not within one). A bucket
 * lies in one key range, so the ranges of a partition of the keys give
 * every pair. */
rp_status rp__bands_pairs(rp_bands *t, const uint8_t *skip, size_t max_bucket, unsigned threads,
                          uint64_t key_lo, uint64_t key_hi, rp_cand **pairs, size_t *n_pairs,
                          size_t *cap_pairs, uint64_t *truncated);
void rp__bands_stats(const rp_bands *t, rp_bands_stats *s);

#endif /* REPRINT_INTERNAL_H */
