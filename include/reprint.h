/*
 * reprint.h — the whole public API of libreprint.
 *
 * libreprint finds duplicated and reused text in a corpus. A corpus is a
 * list of inputs (JSONL files, plain-text files, directories of text files,
 * or "-" for standard input; .gz and .zst are decompressed transparently).
 *
 * The pipeline, one source file per stage:
 *
 *   read -> normalize -> shingle -> sign -> band -> verify -> cluster -> write
 *
 * Three layers are public:
 *   - rp_reader:    iterate over the documents of one input, with their ids,
 *                   text, raw bytes and location (file, line);
 *   - rp_tokenizer: the matching view of a text: normalized word hashes, each
 *                   with code point offsets into the original text;
 *   - rp_engine:    a task over a whole corpus: near-duplicate detection
 *                   (verified similar pairs, clusters, the deduplicated
 *                   corpus) or passage alignment (which documents reuse
 *                   which passages of which others);
 *   - rp_aligner:   the passages two texts share, aligned word by word.
 *
 * Conventions: every handle is opaque, created by rp_*_create/open and
 * released by rp_*_free (which accept NULL). Functions that can fail return
 * an rp_status; the handle then holds a message naming the input location
 * (rp_*_error). The library never prints and never exits.
 */
#ifndef REPRINT_H
#define REPRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the shared library exports: the rp_ functions below and nothing
 * else (it is built with hidden visibility, as zstd's ZSTDLIB_API). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define RP_API __attribute__((visibility("default")))
#else
#define RP_API
#endif

#define RP_VERSION_MAJOR 0
#define RP_VERSION_MINOR 1
#define RP_VERSION_PATCH 0
#define RP_VERSION_STRING "0.1.0"
#define RP_VERSION_NUMBER (RP_VERSION_MAJOR * 10000 + RP_VERSION_MINOR * 100 + RP_VERSION_PATCH)

/* The version of the library linked, which may differ from the header's. */
RP_API unsigned rp_version_number(void);
RP_API const char *rp_version_string(void);

/* ---------------------------------------------------------------- errors */

/* Status codes. The RP_ERR_* codes between RP_ERR_BAD_INPUT_FIRST and
 * RP_ERR_BAD_INPUT_LAST are problems of one document: with skip_bad they are
 * counted as rejections and the run goes on; without it they stop the run. */
typedef enum {
    RP_OK = 0,
    RP_EOF,              /* no more documents (not an error) */
    /* bad input: one document is unusable */
    RP_ERR_JSON,         /* malformed JSON line */
    RP_ERR_NOT_OBJECT,   /* JSON line is not an object */
    RP_ERR_NO_TEXT,      /* text field missing or not a string */
    RP_ERR_BAD_ID,       /* id field is neither a string nor a number */
    RP_ERR_UTF8,         /* invalid UTF-8 */
    RP_ERR_NUL,          /* NUL byte in a document */
    RP_ERR_EMPTY,        /* document has no words */
    RP_ERR_TOO_LARGE,    /* document larger than max_doc_bytes */
    /* failures of the run */
    RP_ERR_TRUNCATED,    /* compressed input ends early or is corrupt */
    RP_ERR_IO,           /* cannot open, read, write or map a file */
    RP_ERR_USAGE,        /* invalid parameter */
    RP_ERR_NOMEM,        /* out of memory */
    RP_ERR_LIMIT,        /* a hard limit of the implementation was reached */
    RP_ERR_EXISTS,       /* index: a document of that id is already indexed */
    RP_ERR_NOT_FOUND,    /* index: no document of that id */
    RP_ERR_INDEX,        /* index: made with other parameters or another format,
                            or damaged */
    RP_STATUS_COUNT
} rp_status;

#define RP_ERR_BAD_INPUT_FIRST RP_ERR_JSON
#define RP_ERR_BAD_INPUT_LAST RP_ERR_TOO_LARGE

/* Stable short name of a status, e.g. "invalid-json". Never NULL. */
RP_API const char *rp_status_name(rp_status status);

/* 1 when the status is a per-document input problem (rejectable). */
RP_API int rp_status_is_bad_input(rp_status status);

/* ------------------------------------------------------------ parameters */

typedef enum {
    RP_FORMAT_AUTO = 0, /* by extension (.jsonl/.ndjson/.json -> JSONL), stdin sniffed */
    RP_FORMAT_JSONL,
    RP_FORMAT_TEXT      /* one document per file */
} rp_format;

/* What makes a pair similar enough to report or merge. */
typedef enum {
    RP_MEASURE_JACCARD = 0,  /* |A n B| / |A u B|: the two are nearly the same */
    RP_MEASURE_CONTAINMENT   /* max(|A n B|/|A|, |A n B|/|B|): one is largely in the other */
} rp_measure;

/* What an engine run computes. */
typedef enum {
    RP_TASK_DEDUP = 0,       /* near-duplicate pairs and clusters, the kept corpus */
    RP_TASK_ALIGN,           /* shared passages between documents */
    RP_TASK_STORIES          /* documents reporting the same story */
} rp_task;

/* What align does with boilerplate: text a site repeats on its own pages
 * (navigation, bylines, teasers, copyright and share lines, ads), or, for
 * documents without a site, text in more than max_df documents. */
typedef enum {
    RP_BOILERPLATE_HIDE = 0, /* not part of any passage nor of coverage; a pair
                                that shares only boilerplate is not reported */
    RP_BOILERPLATE_SHOW,     /* aligned like content, passages flagged */
    RP_BOILERPLATE_OFF       /* not looked for: all shared text is reuse, and
                                text in more than max_df documents makes no pair */
} rp_boilerplate;

/* All tunables of a run. Initialize with rp_params_init(), then change what
 * you need: new fields get defaults there, so callers keep compiling. The
 * version field says which layout the caller's header had; a run refuses
 * parameters of another (RP_ERR_USAGE) rather than misread them. */
#define RP_PARAMS_VERSION 4

typedef struct {
    unsigned version;        /* RP_PARAMS_VERSION, set by rp_params_init */
    unsigned ngram;          /* words per shingle (default 5) */
    unsigned num_perm;       /* MinHash signature length (default 128) */
    unsigned bands;          /* LSH bands; 0 = chosen from threshold */
    unsigned rows;           /* LSH rows per band; 0 = chosen from threshold */
    double threshold;        /* similarity of a near-duplicate (default 0.7) */
    rp_measure measure;      /* what threshold applies to (default Jaccard). For
                                containment, LSH is tuned for the Jaccard of a
                                document at that containment inside one size_ratio
                                times its size, t/(1+size_ratio-t) */
    uint64_t seed;           /* hash seed (default 0) */
    size_t max_doc_bytes;    /* larger documents are rejected (default 64 MiB) */
    size_t max_bucket;       /* LSH buckets above this size are linked as a
                                chain instead of all pairs (default 256) */
    int skip_bad;            /* reject bad documents and go on (default 0) */
    rp_format format;        /* input format (default auto) */
    const char *id_field;    /* JSONL id field (default "id") */
    const char *text_field;  /* JSONL text field (default "text") */
    const char *tmp_dir;     /* temporary files (default $TMPDIR or /tmp) */
    rp_task task;            /* what rp_engine_run computes (default dedup) */
    /* passage alignment (RP_TASK_ALIGN and rp_aligner) */
    unsigned min_words;      /* shortest reported passage: this many matching words
                                (default 10). Any run of this many identical
                                words shared by two documents is found. */
    unsigned max_gap;        /* words of difference bridged inside one passage, in
                                each text (default 8): a changed word, a typo or a
                                dropped clause does not split a passage */
    unsigned max_insert;     /* words inserted into or dropped from one text that
                                still leave one passage, when the other text differs
                                by at most max_gap (default 40): a teaser line, an
                                ad, a caption or a dropped sentence */
    double min_identity;     /* passages whose share of matching words is lower
                                are dropped (default 0.6) */
    unsigned fingerprint_ngram; /* words per winnowed n-gram (default 6; at most
                                min_words). Longer n-grams make fewer chance
                                candidates and more fingerprints per word */
    unsigned max_df;         /* fingerprints found in more documents than this are
                                boilerplate and do not make candidates (default 100) */
    const char *date_field;  /* JSONL field with a document's date, used to tell
                                the source of a reuse (default "date") */
    rp_boilerplate boilerplate; /* page furniture: hidden (default), shown and
                                flagged, or not looked for */
    const char *site_field;  /* JSONL field naming a page's site (default "site") */
    const char *url_field;   /* JSONL field with a page's URL, whose host is its
                                site when site_field is absent (default "url") */
    unsigned site_pages;     /* text a site repeats on this many of its pages
                                is its furniture (default 3) */
    int keep_text;           /* keep the texts of aligned documents for display */
    int spin;                /* match through synonyms, word forms and numbers as
                                well (spun and lightly rewritten copies): content
                                words are compared by WordNet synonym class or
                                Snowball stem, function words as they are. Needs
                                the WordNet database (default 0) */
    int rewrites;            /* align: also find rewritten reuse (words shuffled,
                                inserted, deleted or replaced at high rates,
                                sentences paraphrased or condensed into a
                                summary) by aligning sentences on their content
                                words; implies spin (default 0) */
    double story_threshold;  /* stories: cosine of two documents' term vectors, and of
                                two stories' centroids, to join them (default 0.3) */
    /* resources */
    unsigned threads;        /* worker threads; 0 = one per online core (default) */
    uint64_t memory_limit;   /* bytes for dedup's band tables before they spill to
                                temporary files, 0 = no limit (default); align: for
                                its passage fingerprint index, 0 = 64 MiB */
    int connect_only;        /* dedup: score only the candidate pairs whose documents
                                are not yet in one cluster. The kept documents and the
                                clusters are the same; rp_engine_foreach_pair lists
                                only the pairs that joined clusters (default 0) */
    int groups;              /* align: pair each document under a shared passage
                                fingerprint with the first of them only (a star, not
                                every pair), for reuse groups (rp_grouper): candidates
                                grow with the passages' occurrences, not their pairs
                                (default 0) */
    double size_ratio;       /* containment: find a document inside one up to this
                                many times its size with p >= 0.9 at the threshold
                                (default 1: two of one size; 2 finds a text inside
                                one twice its length, and proposes more candidates
                                where documents share text; at least 1) */
    unsigned max_partners;   /* align: later documents a document is compared with,
                                at most, the first in input order; the candidate pairs
                                past it are counted (stats.cut_pairs), not aligned.
                                0 = no limit (default 1000) */
} rp_params;

RP_API void rp_params_init(rp_params *params);

/* The LSH S-curve: probability that a pair of Jaccard similarity s shares at
 * least one of `bands` bands of `rows` rows: 1 - (1 - s^rows)^bands. */
RP_API double rp_lsh_probability(double s, unsigned bands, unsigned rows);

/* Bands and rows for num_perm and threshold: the largest number of rows per
 * band that still makes a pair at the threshold a candidate with probability
 * >= 0.9, using as many signature values as fit. */
RP_API void rp_lsh_choose(double threshold, unsigned num_perm, unsigned *bands, unsigned *rows);

/* ---------------------------------------------------------------- reader */

/* A document id as it appeared in the input: a JSON string (unescaped, UTF-8)
 * or the literal text of a JSON number, a file path, or a line number. */
typedef struct {
    const char *str;
    size_t len;
    int is_number;           /* write without quotes */
} rp_id;

/* One document as read. All pointers belong to the reader and stay valid
 * until the next call on it. */
typedef struct {
    rp_id id;
    const char *text;        /* UTF-8 (not validated for text files) */
    size_t text_len;
    const char *raw;         /* the record exactly as read: a JSONL line with */
    size_t raw_len;          /*   its newline, or a whole text file */
    const char *file;        /* input name as given (or path inside a directory) */
    uint64_t line;           /* 1-based line of a JSONL record, 0 for a file */
} rp_doc;

typedef struct rp_reader rp_reader;

/* Opens one input: a file, a directory (walked recursively in sorted order),
 * or "-" for stdin. Returns NULL only when out of memory; an input that cannot
 * be opened yields its error on the first rp_reader_next(). */
RP_API rp_reader *rp_reader_open(const char *path, const rp_params *params);
RP_API void rp_reader_free(rp_reader *reader);

/* Next document. RP_OK: *doc is filled. RP_EOF: done. A bad-input status
 * means this record is unusable; doc->raw/file/line still describe it and the
 * next call moves on. Any other error ends the input. */
RP_API rp_status rp_reader_next(rp_reader *reader, rp_doc *doc);

/* The message of the last error: "file:line: what is wrong". */
RP_API const char *rp_reader_error(const rp_reader *reader);
/* Records without an id are named "FILE:LINE" (on) rather than by their
 * line number, as a run of several inputs names them, so that inputs read
 * one reader at a time keep distinct ids. */
RP_API void rp_reader_qualify_ids(rp_reader *reader, int on);

/* Bytes consumed from the underlying files so far (compressed size). */
RP_API uint64_t rp_reader_bytes_read(const rp_reader *reader);

/* ------------------------------------------------------------- tokenizer */

/* A word of the matching view with its place in the original text, in code
 * points (as a Python str indexes it), end exclusive. */
typedef struct {
    uint32_t start;
    uint32_t end;
} rp_span;

typedef struct rp_tokenizer rp_tokenizer;

RP_API rp_tokenizer *rp_tokenizer_create(void);
RP_API void rp_tokenizer_free(rp_tokenizer *tok);

/* Splits text into words for matching: NFKC, case folded, quotes and
 * apostrophes and dashes unified, markup (HTML tags and entities, markdown
 * link targets) and URLs skipped. On success *hashes and *spans point to n
 * entries owned by the tokenizer, valid until its next call. Fails with
 * RP_ERR_UTF8 or RP_ERR_NUL; rp_tokenizer_error() then gives the byte. */
RP_API rp_status rp_tokenize(rp_tokenizer *tok, const char *text, size_t len, const uint64_t **hashes,
                      const rp_span **spans, size_t *n);
RP_API const char *rp_tokenizer_error(const rp_tokenizer *tok);

/* The normalized form of the word text[spans[i]] as hashed (for display and
 * tests): copies at most cap-1 bytes plus a NUL into out; returns its length. */
RP_API size_t rp_tokenizer_word(rp_tokenizer *tok, size_t i, char *out, size_t cap);

/* ------------------------------------------------------------- spinner */

/* The spin-robust view of a tokenized text, a step after the tokenizer:
 * each word's key is its own hash for a function word, its WordNet synonym
 * class (of its base form) for a word WordNet knows, else the hash of its
 * Snowball stem, so that "said"/"stated", "held"/"holds" and "two"/"2"
 * meet. What --spin, --rewrites and stories compare. A spinner caches the
 * keys of the words it has seen; one per thread. */
typedef struct rp_spinner rp_spinner;

RP_API rp_spinner *rp_spinner_create(void);  /* NULL only when out of memory */
RP_API void rp_spinner_free(rp_spinner *spinner);
RP_API const char *rp_spinner_error(const rp_spinner *spinner);
/* The keys of the n words tok last tokenized, whose hashes rp_tokenize gave
 * (hashes), into *keys (valid until the next call). RP_ERR_IO when the
 * WordNet database cannot be loaded. */
RP_API rp_status rp_spin(rp_spinner *spinner, rp_tokenizer *tok, const uint64_t *hashes, size_t n,
                  const uint64_t **keys);

/* ---------------------------------------------------------------- engine */

/* A verified similar pair; a precedes b in input order. */
typedef struct {
    rp_id a, b;
    uint64_t a_index, b_index;   /* 0-based record numbers in the corpus */
    double jaccard;              /* of the shingle sets */
    double containment_a;        /* share of a's shingles found in b */
    double containment_b;
} rp_pair;

/* A cluster of two or more near-duplicates; the representative is its first
 * member in input order (the one dedup keeps). */
typedef struct {
    uint64_t cluster;            /* 1-based, in order of the representative */
    rp_id representative;
    const rp_id *members;        /* in input order, representative first */
    size_t n_members;
} rp_cluster;

typedef struct {
    uint64_t read;               /* records seen */
    uint64_t kept;
    uint64_t removed;            /* near-duplicates of an earlier document */
    uint64_t removed_exact;      /*   of which identical after normalization */
    uint64_t rejected;           /* bad input, by reason in rejected_by */
    uint64_t rejected_by[RP_STATUS_COUNT];
    uint64_t bytes;              /* input bytes read in the first pass */
    uint64_t skipped_entries;    /* directory entries not read (see rp_warning_fn) */
    uint64_t candidate_pairs;    /* from LSH and exact hashing */
    uint64_t similar_pairs;      /* candidates that passed verification */
    uint64_t truncated_buckets;  /* LSH buckets above max_bucket */
    uint64_t verified_pairs;     /* candidates whose sets were compared (connect_only:
                                    the others were already joined) */
    uint64_t clusters;
    unsigned bands, rows;        /* LSH parameters used */
    uint64_t spilled_bytes;      /* band keys (align: index entries) written to disk
                                    under memory_limit */
    uint64_t spill_partitions;   /* most key ranges one band was searched in */
    unsigned threads;            /* worker threads the first pass ran on */
    /* alignment */
    uint64_t fingerprints;       /* distinct (document, fingerprint) entries indexed */
    uint64_t common_fingerprints;/* fingerprints dropped as in more than max_df documents */
    uint64_t aligned_pairs;      /* candidate pairs that share at least one passage */
    uint64_t passages;
    uint64_t boilerplate_fingerprints; /* distinct fingerprints judged boilerplate */
    uint64_t boilerplate_spans;  /* stretches of boilerplate in the compared documents */
    uint64_t boilerplate_words;  /*   and their words */
    uint64_t boilerplate_pairs;  /* pairs that shared only boilerplate: not compared
                                    (hide; counted where its fingerprints are in at
                                    most max_df documents) or all passages flagged (show) */
    uint64_t banal_passages;     /* passages shorter than twice min_words made mostly of
                                    the corpus' commonest words: a stock phrase, not
                                    evidence (hidden, or flagged with show) */
    uint64_t cut_pairs;          /* candidate pairs past a document's max_partners:
                                    not aligned */
    double align_seconds;        /* wall time spent aligning candidate pairs */
    /* wall time of each stage, for finding where a run's time goes */
    double first_pass_seconds;   /* read, normalize, shingle, sign (or index) */
    double candidates_seconds;   /* dedup: band search and exact matches; align:
                                    fingerprints sorted and paired */
    double verify_seconds;       /* dedup: shingle sets re-read, pairs scored, clustered */
    double write_seconds;        /* dedup: the kept documents written */
    double collect_seconds;      /* align: candidate documents re-read and tokenized */
} rp_stats;

typedef struct rp_engine rp_engine;

/* Called for each rejected document when skip_bad is set (message names the
 * place), and with progress through the run. Both optional. */
typedef void (*rp_reject_fn)(void *user, rp_status status, const char *message);
typedef void (*rp_progress_fn)(void *user, const char *stage, uint64_t done, uint64_t total);
/* Called, with the callbacks' user pointer, for each directory entry a run
 * does not read (a link to a directory already walked, a broken link, an
 * unreadable entry, a FIFO or device, a path too long): "PATH: why". */
typedef void (*rp_warning_fn)(void *user, const char *message);

RP_API rp_engine *rp_engine_create(const rp_params *params);
RP_API void rp_engine_free(rp_engine *engine);
RP_API void rp_engine_set_callbacks(rp_engine *engine, rp_reject_fn on_reject, rp_progress_fn on_progress,
                             void *user);
RP_API void rp_engine_set_warnings(rp_engine *engine, rp_warning_fn on_warning);

/* Adds an input (see rp_reader_open). Inputs are read in the order added. */
RP_API rp_status rp_engine_add_input(rp_engine *engine, const char *path);

/* Reads and signs every document, finds and verifies candidate pairs and
 * clusters them. Keeps per document only its signature bands and status, so
 * memory grows with the number of documents, not their text; the inputs are
 * read again for verification (stdin is spooled to a temporary file). */
RP_API rp_status rp_engine_run(rp_engine *engine);

/* Calls fn for each verified pair with jaccard >= threshold, ordered by a then
 * b. A non-zero return from fn stops the iteration. The first call of this
 * or rp_engine_foreach_cluster reads the ids of documents that are only
 * exact copies from the inputs again (the run did not need them): an input
 * changed since fails it, with the message in rp_engine_error. */
RP_API rp_status rp_engine_foreach_pair(rp_engine *engine, int (*fn)(void *user, const rp_pair *pair),
                                 void *user);

/* Calls fn for each cluster, in order of their representative. */
RP_API rp_status rp_engine_foreach_cluster(rp_engine *engine,
                                    int (*fn)(void *user, const rp_cluster *cluster), void *user);

/* Writes every kept document, in input order, byte for byte as read: JSONL
 * records as their line (a newline is added to a last line that lacks one);
 * a text-file document, which has no line form, as a JSONL record
 * {"id": path, "text": ...}. Reads the inputs once more. */
RP_API rp_status rp_engine_write_kept(rp_engine *engine, FILE *out);

/* Whether record i (0-based, as in rp_pair.a_index) was kept. */
RP_API int rp_engine_is_kept(const rp_engine *engine, uint64_t index);

RP_API void rp_engine_stats(const rp_engine *engine, rp_stats *stats);
RP_API const char *rp_engine_error(const rp_engine *engine);

/* ------------------------------------------------------ distributed runs */

/* How the processes (ranks) of a distributed run exchange data: two
 * collective operations a program implements over its transport (the
 * reprint program's are MPI's). Every rank makes the same calls in the same
 * order, each with its own data; reprint itself opens no connection. */
enum { RP_COMM_SUM = 0, RP_COMM_MAX = 1 };
typedef struct {
    int rank, size;          /* this process, of size */
    void *ctx;
    /* All to all: send holds the bytes for rank 0, then those for rank 1,
     * ... (send_bytes[p] for rank p); *recv gets what every rank sent this
     * one, rank 0's first (recv_bytes[p] from rank p), in a buffer the
     * caller frees with free() (NULL when nothing came). 0, or -1 when the
     * transport failed. */
    int (*exchange)(void *ctx, const void *send, const uint64_t *send_bytes, void **recv,
                    uint64_t *recv_bytes);
    /* v[0..n) summed (RP_COMM_SUM) or their maximum taken (RP_COMM_MAX)
     * over the ranks, in place on every rank. 0, or -1. */
    int (*allreduce)(void *ctx, uint64_t *v, size_t n, int op);
    /* Up to this many similar pairs in all, the clusters are made on rank 0
     * (8 bytes a pair and 4 a document there); beyond it by label
     * propagation among the ranks, each keeping its own. 0: RP_GATHER_EDGES. */
    uint64_t gather_edges;
    /* A directory every rank can write (NULL: none): each rank keeps there
     * the stages it finished (its signed records, then its similar pairs),
     * and a rerun with the same directory, number of ranks, file and
     * parameters reads back the stages every rank finished instead of
     * doing them again: a run that lost a node resumes where it was. */
    const char *checkpoint;
} rp_comm;
#define RP_GATHER_EDGES ((uint64_t)1 << 26)

/* What one rank did in a distributed run. */
typedef struct {
    uint64_t records;        /* its share: the records whose lines start in its bytes */
    uint64_t first_record;   /* the global number of its first */
    uint64_t candidates;     /* candidate pairs whose first record is its own */
    uint64_t ghosts;         /* other ranks' records it read (by offset) to verify them */
    uint64_t edges;          /* similar pairs it found */
    uint64_t exchanges;      /* all-to-all exchanges */
    uint64_t cluster_rounds; /* 1 when clustered on rank 0, else the label propagation's */
    int resumed_stage;       /* stages read from the checkpoint: 0, 1 (sign), 2 (through verify) */
    uint64_t bytes_sent;     /* to other ranks */
    uint64_t bytes_received;
    double sign_seconds, exact_seconds, bands_seconds, candidates_seconds, verify_seconds,
        cluster_seconds;
} rp_dist_stats;

/* Runs dedup (RP_TASK_DEDUP) as one rank of a distributed run over a corpus
 * of JSONL files that every rank reads (a shared filesystem), in place of
 * rp_engine_run. The files in order are one run of bytes; a compressed one
 * (gzip, zstd) is first decompressed by one rank into comm->checkpoint
 * (kept) or params.tmp_dir (removed by that rank's rp_engine_free: free
 * the engine once every rank is done with it). Each rank signs the lines
 * that start in its share of the bytes; the exact hashes and band keys go to the rank that owns
 * their range; a candidate pair is verified by the owner of its first
 * document, which reads the other's line by the offset its owner sends.
 * The decisions are one process's: afterwards rp_engine_write_kept writes
 * this rank's kept records (the ranks' outputs in rank order are one
 * process's output), rp_engine_is_kept answers for this rank's records
 * (numbered from its first), rp_engine_stats gives the whole run's counts
 * on every rank, and rp_engine_dist_stats this rank's share of the work.
 * Pairs and clusters are listed by rp_engine_foreach_pair_distributed
 * and rp_engine_foreach_cluster_distributed. Align (RP_TASK_ALIGN) runs
 * the same way: the fingerprints go to the owners of their keys, each
 * candidate pair is aligned by the owner of its first document, and
 * afterwards rp_engine_foreach_alignment lists this rank's alignments
 * (global a_index and b_index): the ranks' lists in rank order are one
 * process's list. RP_ERR_USAGE for another task or another corpus; a failure on any rank fails every rank
 * (the first failed rank's message; the others' is empty). */
RP_API rp_status rp_engine_run_distributed(rp_engine *engine, const rp_comm *comm);
/* The bytes rp_engine_write_kept writes, counted without writing them: with
 * them each rank of a distributed run knows its place in a shared output
 * file before writing. RP_ERR_USAGE unless every input is a JSONL file
 * read by offset. */
RP_API rp_status rp_engine_kept_bytes(rp_engine *engine, uint64_t *bytes);
RP_API void rp_engine_dist_stats(const rp_engine *engine, rp_dist_stats *out);
/* After rp_engine_run_distributed, called by every rank together: the
 * clusters of the whole run are listed on rank 0 (fn; the other ranks may
 * pass NULL), numbered and ordered as rp_engine_foreach_cluster lists one
 * process's, each rank reading again the ids of its own members. */
RP_API rp_status rp_engine_foreach_cluster_distributed(rp_engine *engine, const rp_comm *comm,
                                                       int (*fn)(void *user, const rp_cluster *cluster),
                                                       void *user);
/* The same for the similar pairs (every pair scored: connect_only off), as
 * rp_engine_foreach_pair lists one process's; a pair's a_index and b_index
 * are global record numbers. */
RP_API rp_status rp_engine_foreach_pair_distributed(rp_engine *engine, const rp_comm *comm,
                                                    int (*fn)(void *user, const rp_pair *pair),
                                                    void *user);

/* ------------------------------------------------------------- alignment */

/* A passage two documents share. Offsets are code points into each original
 * text (as a Python str indexes it), end exclusive; words are counted on the
 * tokenizer's view. */
typedef struct {
    uint32_t a_start, a_end;
    uint32_t b_start, b_end;
    uint32_t a_word, a_words;    /* first word and number of words in a */
    uint32_t b_word, b_words;
    uint32_t words;              /* the longer side's length in words */
    uint32_t matches;            /* words aligned to an identical word (with spin: to
                                    a word of the same synonym class or stem) */
    double identity;             /* matches / words */
    uint32_t identical;          /* of the matches, words literally identical (all of
                                    them without spin) */
    double differ;               /* share of the passage's words that differ:
                                    1 - identical / words */
    int boilerplate;             /* RP_BOILERPLATE_SHOW: the passage is mostly
                                    boilerplate (and not counted in coverage) */
    int kind;                    /* how it was reused: an rp_passage_kind */
} rp_passage;

/* How a passage was reused:
 *   verbatim   word for word
 *   edited     words changed, put in or left out, most of it identical
 *   spun       words swapped for synonyms, other forms or numbers (spin)
 *   rewritten  sentence for sentence in other words: paraphrased, reordered,
 *              heavily edited (rewrites)
 *   summary    one side condensed from the other: fewer, shorter sentences
 *              of the same content (rewrites) */
typedef enum {
    RP_KIND_VERBATIM = 0,
    RP_KIND_EDITED,
    RP_KIND_SPUN,
    RP_KIND_REWRITTEN,
    RP_KIND_SUMMARY
} rp_passage_kind;

RP_API const char *rp_passage_kind_name(int kind);

/* How much of one document is derived from the other (the METER corpus'
 * categories of journalistic reuse), from the coverages:
 *   exact            the two are the same word for word
 *   near_duplicate   both coverages >= 0.8
 *   wholly_derived   one coverage >= 0.8: that document is made of the other
 *   partially_derived otherwise: they share passages
 *   spun             (spin) at least a twentieth of the matched words, and 3 or
 *                    more, match only as synonyms, word forms or numbers: the
 *                    reuse was disguised; coverages still say how much */
typedef enum {
    RP_REL_EXACT = 0,
    RP_REL_NEAR_DUPLICATE,
    RP_REL_WHOLLY_DERIVED,
    RP_REL_PARTIALLY_DERIVED,
    RP_REL_SPUN
} rp_relation;

#define RP_DERIVED_COVERAGE 0.8

RP_API const char *rp_relation_name(rp_relation rel);
/* 1 when matched words lean on substitution: of `matches` aligned words, at
 * least 3, and 3% or more, are not `identical` (the rule behind RP_REL_SPUN,
 * for a pair's passages together or for one passage). */
RP_API int rp_is_disguised(uint64_t matches, uint64_t identical);

/* Which document is the likely source. */
typedef enum {
    RP_SOURCE_UNKNOWN = 0,
    RP_SOURCE_A,
    RP_SOURCE_B
} rp_source_side;

typedef struct {
    rp_id a, b;                  /* a precedes b in input order */
    uint64_t a_index, b_index;   /* 0-based record numbers */
    const rp_passage *passages;  /* in order of a's offsets, never overlapping */
    size_t n_passages;
    double coverage_a;           /* share of a's words inside shared passages (of
                                    its words that are not boilerplate) */
    double coverage_b;
    rp_relation relation;
    rp_source_side source;
    const char *source_evidence; /* "date", "containment" (a wrapped copy: the inner
                                    text is the source), "abridgement" (the longer),
                                    "excerpt" (the longer), "edits" or "spinning" (the
                                    side without the rarer replaced words), "summary"
                                    (the side a summary passage condenses), or NULL */
    uint64_t substituted;        /* matched words not literally identical (spin) */
    const char *date_a, *date_b; /* the date fields, or NULL */
    const char *text_a;          /* with keep_text: the two texts, else NULL */
    size_t text_a_len;
    const char *text_b;
    size_t text_b_len;
} rp_alignment;

/* Before rp_engine_run (or rp_engine_run_distributed) of RP_TASK_ALIGN:
 * each alignment is handed to fn as soon as it and every pair before it
 * are aligned, in the order rp_engine_foreach_alignment lists them, from
 * one worker thread at a time, and none is kept: memory holds a window of
 * a few thousand pairs' results whatever their number, and
 * rp_engine_foreach_alignment is refused. fn returning nonzero stops the
 * run (rp_engine_run still returns RP_OK). */
RP_API void rp_engine_set_alignment_sink(rp_engine *engine, int (*fn)(void *user, const rp_alignment *al),
                                         void *user);
/* Calls fn for every pair of documents sharing at least one passage, ordered
 * by a then b (RP_TASK_ALIGN). The alignment and what it points to are valid
 * during the call only. A non-zero return from fn stops. */
RP_API rp_status rp_engine_foreach_alignment(rp_engine *engine,
                                      int (*fn)(void *user, const rp_alignment *al), void *user);

/* ----------------------------------------------------------- reuse groups */

/* The documents sharing one passage, as one group instead of every pair of
 * them (a wire story in 300 outlets is one group, not 44,850 pairs). A
 * grouper is given alignments (rp_grouper_add fits an alignment sink; with
 * rp_params.groups the run aligns each document under a shared passage with
 * the first of them only, so the work grows with the passage's occurrences,
 * not their pairs) and joins the two sides of each passage, and two
 * stretches of one document overlapping by half the longer or more (the
 * same text: a whole copied document does not join every passage it
 * holds). */
typedef struct {
    rp_id id;
    uint64_t index;              /* 0-based record number */
    uint32_t start, end;         /* code points into its text, end exclusive: its
                                    stretches in the group, overlapping ones merged */
    uint32_t word, words;        /* first word and number of words */
    const char *date;            /* its date field (date_len bytes), or NULL */
    size_t date_len;
} rp_group_member;

typedef struct {
    uint64_t number;             /* 0-based, groups in order of their first member */
    const rp_group_member *members; /* by record number, then offset; a document
                                    holding the passage twice is two members */
    size_t n_members;
    size_t n_documents;          /* distinct documents, 2 or more */
    size_t earliest;             /* the likely first member, or SIZE_MAX */
    const char *earliest_evidence; /* "date" (every member dated, this one
                                    alone the earliest), "alignments" (no dates:
                                    the one the group's alignments name the
                                    source most often and never the copy), "date
                                    and alignments" (the same among the documents
                                    of the earliest date), or NULL */
    const char *excerpt;         /* alignments with texts: the start of the
                                    earliest (else the first) member's stretch,
                                    excerpt_len bytes of UTF-8; else NULL */
    size_t excerpt_len;
} rp_group;

typedef struct rp_grouper rp_grouper;

RP_API rp_grouper *rp_grouper_create(void);
RP_API void rp_grouper_free(rp_grouper *grouper);
/* Adds an alignment's passages (an empty one is left out). RP_ERR_NOMEM,
 * RP_ERR_LIMIT past 2^31 passages or a record number past 2^32,
 * RP_ERR_USAGE for a document aligned with itself, or alignments with
 * texts mixed with some without. */
RP_API rp_status rp_grouper_add(rp_grouper *grouper, const rp_alignment *al);
/* Calls fn for every group, in order of number; what it points to is valid
 * during the call only. A non-zero return from fn stops. */
RP_API rp_status rp_grouper_foreach(rp_grouper *grouper, int (*fn)(void *user, const rp_group *group),
                                    void *user);

/* A grouper's content written to f, and every grouper saved in f (from its
 * position to its end, one after another) added to another: the parts of a
 * distributed run gathered on one rank, in the order that one process
 * would have added them, give its groups. The bytes are for the same build
 * on the same kind of machine, not for storing. RP_ERR_IO when f cannot be
 * written, RP_ERR_USAGE when what is read is not a saved grouper. */
RP_API rp_status rp_grouper_save(const rp_grouper *grouper, FILE *f);
RP_API rp_status rp_grouper_load(rp_grouper *grouper, FILE *f);

/* ---------------------------------------------------------------- stories */

#define RP_STORY_TERMS 8
/* Documents that report one story (RP_TASK_STORIES): two or more. */
typedef struct {
    uint64_t story;              /* 1-based, in order of the first member */
    const rp_id *members;        /* in input order */
    const uint64_t *indexes;     /* their 0-based record numbers */
    size_t n_members;
    const char *terms[RP_STORY_TERMS]; /* the terms that set it apart, heaviest first,
                                          as written in one member (not NUL-terminated) */
    size_t term_len[RP_STORY_TERMS];
    size_t n_terms;
} rp_story;

/* Calls fn for each story, in order of its first member; valid during the
 * call only. A non-zero return from fn stops. */
RP_API rp_status rp_engine_foreach_story(rp_engine *engine, int (*fn)(void *user, const rp_story *story),
                                  void *user);
/* The story (1-based) record i belongs to, 0 for none. */
RP_API uint64_t rp_engine_story_of(const rp_engine *engine, uint64_t index);

/* ------------------------------------------------------------ signatures */

/* A document's signature: what dedup computes for each document in its
 * first pass (the hash of its normalized words, its MinHash signature and
 * LSH band keys), with the parameters that made it, as a value to store,
 * send and compare later: an index of everything seen keeps these. Values
 * are pinned by known-answer tests; the encoded form is versioned
 * (RP_SIGNATURE_FORMAT), little-endian and checksummed. Two signatures
 * compare only when made with the same parameters. */
#define RP_SIGNATURE_FORMAT 1

typedef struct rp_signer rp_signer;
typedef struct rp_signature rp_signature;

/* A signer for params (ngram, num_perm, bands and rows or threshold and
 * measure, seed, spin); NULL only when out of memory. */
RP_API rp_signer *rp_signer_create(const rp_params *params);
RP_API void rp_signer_free(rp_signer *signer);
RP_API const char *rp_signer_error(const rp_signer *signer);
/* The signature of one text, new in *out (free it with
 * rp_signature_free). A text of no words is RP_ERR_EMPTY; invalid
 * parameters RP_ERR_USAGE. */
RP_API rp_status rp_sign(rp_signer *signer, const char *text, size_t len, rp_signature **out);
RP_API void rp_signature_free(rp_signature *sig);
/* Its encoded size; the bytes go to buf when cap holds them. */
RP_API size_t rp_signature_encode(const rp_signature *sig, void *buf, size_t cap);
/* A signature from its encoded bytes; NULL when they are not one (a wrong
 * magic, format, length or checksum) or out of memory. */
RP_API rp_signature *rp_signature_decode(const void *buf, size_t len);
/* The share of equal MinHash values: an estimate of the Jaccard similarity
 * of the two texts' shingle sets; -1 when made with other parameters. */
RP_API double rp_signature_similarity(const rp_signature *a, const rp_signature *b);
/* 1 when the two share an LSH band key (dedup compares them) or are the
 * same words; 0 when not, or made with other parameters. */
RP_API int rp_signature_candidates(const rp_signature *a, const rp_signature *b);
/* 1 when the two texts have the same normalized words. */
RP_API int rp_signature_same_words(const rp_signature *a, const rp_signature *b);
/* The words signed. */
RP_API uint64_t rp_signature_words(const rp_signature *sig);

/* A document's passage fingerprints: what align keys each document by in
 * its first pass to find the pairs that may share a passage (its winnowed
 * word k-grams: two texts sharing a run of min_words identical words share
 * one; with rewrites, its sentences' keys too), with the parameters that
 * made them, as a value to store and compare later: an index of passages
 * keeps these. Made by a signer (its params' fingerprint_ngram, min_words,
 * seed, spin and rewrites apply); pinned by known-answer tests; encoded
 * versioned (RP_FINGERPRINTS_FORMAT), little-endian and checksummed. */
#define RP_FINGERPRINTS_FORMAT 1

typedef struct rp_fingerprints rp_fingerprints;

/* The fingerprints of one text, new in *out (free with
 * rp_fingerprints_free). A text of no words is RP_ERR_EMPTY; invalid
 * parameters RP_ERR_USAGE. */
RP_API rp_status rp_fingerprint(rp_signer *signer, const char *text, size_t len,
                                rp_fingerprints **out);
RP_API void rp_fingerprints_free(rp_fingerprints *fp);
/* Its encoded size; the bytes go to buf when cap holds them. */
RP_API size_t rp_fingerprints_encode(const rp_fingerprints *fp, void *buf, size_t cap);
/* Fingerprints from their encoded bytes; NULL when they are not (a wrong
 * magic, format, length, order or checksum) or out of memory. */
RP_API rp_fingerprints *rp_fingerprints_decode(const void *buf, size_t len);
/* The passage fingerprints the two share (*sentence_keys, when not NULL,
 * gets the sentence keys they share); -1 when made with other parameters. */
RP_API int64_t rp_fingerprints_shared(const rp_fingerprints *a, const rp_fingerprints *b,
                                      uint64_t *sentence_keys);
/* 1 when align would compare the two, by their texts alone (in a corpus, a
 * fingerprint in more than max_df documents, or a site's furniture, makes
 * fewer pairs): a passage fingerprint in common, or with rewrites three
 * sentence keys; 0 when not, or made with other parameters. */
RP_API int rp_fingerprints_candidates(const rp_fingerprints *a, const rp_fingerprints *b);
/* How many: passage fingerprints, and the words fingerprinted. */
RP_API size_t rp_fingerprints_count(const rp_fingerprints *fp);
RP_API uint64_t rp_fingerprints_words(const rp_fingerprints *fp);

/* Aligns two texts directly (min_words, max_gap, min_identity, spin and
 * rewrites apply). */
typedef struct rp_aligner rp_aligner;

RP_API rp_aligner *rp_aligner_create(const rp_params *params);
RP_API void rp_aligner_free(rp_aligner *aligner);

/* Fills *out with the passages a and b share (valid until the next call);
 * ids and indexes are left zero and texts are set. Fails on text the
 * tokenizer rejects (RP_ERR_UTF8, RP_ERR_NUL); rp_aligner_error() says
 * which text and where. */
RP_API rp_status rp_align(rp_aligner *aligner, const char *a, size_t a_len, const char *b, size_t b_len,
                   rp_alignment *out);
RP_API const char *rp_aligner_error(const rp_aligner *aligner);

/* ----------------------------------------------------------------- index */

/* A persistent index of documents, added to as they arrive and asked at any
 * time which indexed documents a text duplicates or reuses. It lives in a
 * directory: an LMDB database (each document's id, date, band keys, exact
 * hash and passage fingerprints, and postings from each of those to the
 * documents) and an append-only log of the texts, each a zstd frame, which
 * the database references by offset. An add is durable when it returns (the
 * log synced, then the database committed); after a crash the log is cut
 * back to what the database references, so nothing half-written is seen.
 *
 * A query answers what the batch commands answer over the indexed corpus
 * with the query added: the pairs of `reprint pairs` (the same candidates,
 * Jaccard and containments) and the passages of `reprint align` with
 * boilerplate off (the same passages, offsets, coverages and relation), the
 * earlier document as a. What the index cannot know from one document's
 * side is listed in docs/INDEX.md.
 *
 * One index may be opened by several processes; in one process its handle
 * is safe to share between threads: queries run in parallel, adds are
 * serialized (LMDB has one writer). */
#define RP_INDEX_FORMAT 3
#define RP_ERROR_MAX 512     /* size of the err buffers below */

typedef struct rp_index rp_index;

enum {
    RP_INDEX_CREATE = 1,     /* make the index when DIR has none */
    RP_INDEX_READONLY = 2,   /* open for queries only */
    RP_INDEX_NO_PASSAGES = 4 /* with CREATE: keep no passage fingerprints (pairs
                                only; a third of the size) */
};

/* One document to add or ask about. */
typedef struct {
    rp_id id;
    const char *text;
    size_t text_len;
    const char *date;        /* its date field (ISO 8601 or a number), or NULL */
    size_t date_len;
    int date_is_number;
    const char *site;        /* its site field, or NULL: boilerplate is judged */
    size_t site_len;         /*   by what a site repeats on its own pages */
    const char *url;         /* its URL, whose host is the site when it has no */
    size_t url_len;          /*   site field; or NULL */
    const char *raw;         /* or its JSONL record, whose site and URL fields */
    size_t raw_len;          /*   (params' site_field, url_field) are read when
                                site and url are NULL; or NULL */
} rp_index_doc;

/* Opens (or with RP_INDEX_CREATE makes) the index in dir for params: an
 * index made with other parameters (shingles, signature, bands, spin,
 * fingerprints) is RP_ERR_INDEX, whose message names the first that
 * differs. err (RP_ERROR_MAX bytes, may be NULL) gets the message. */
RP_API rp_status rp_index_open(const char *dir, const rp_params *params, unsigned flags,
                               rp_index **out, char *err);
RP_API void rp_index_close(rp_index *idx);

/* Adds n documents in one durable commit (group commit: one sync for all).
 * status[i] (may be NULL) gets each one's: RP_OK, RP_ERR_EXISTS for an id
 * already indexed or earlier in the batch, or the tokenizer's rejection
 * (RP_ERR_EMPTY, RP_ERR_UTF8, RP_ERR_NUL, RP_ERR_TOO_LARGE): those are not
 * added, the others are. The return is the commit's: RP_OK, or a failure
 * after which none of the n is added. */
RP_API rp_status rp_index_add(rp_index *idx, const rp_index_doc *docs, size_t n, rp_status *status,
                              char *err);

/* What a query reports. */
enum {
    RP_QUERY_PAIRS = 1,      /* near-duplicate pairs, as `reprint pairs` */
    RP_QUERY_PASSAGES = 2    /* shared passages, as `reprint align` */
};

typedef struct {
    int (*pair)(void *user, const rp_pair *pair);              /* or NULL */
    int (*alignment)(void *user, const rp_alignment *al);      /* or NULL */
    void *user;
} rp_query_out;

/* Asks which indexed documents q duplicates (pairs) or shares passages
 * with, calling out's functions in order of the indexed documents (an
 * alignment's texts are set, valid during the call); a
 * document of q's id in the index is q itself, not its own duplicate. A
 * pair's and an alignment's a is the earlier document (an indexed one
 * before q when q is not indexed); a_index and b_index are insertion
 * numbers, q's UINT64_MAX when it is not indexed. A non-zero return from
 * out's function stops. */
RP_API rp_status rp_index_query(rp_index *idx, const rp_index_doc *q, unsigned what,
                                const rp_query_out *out, char *err);

/* An indexed document: its id, text, date and when it was added (Unix
 * seconds), valid during fn only. RP_ERR_NOT_FOUND when none has that id. */
typedef struct {
    rp_id id;
    const char *text;
    size_t text_len;
    const char *date;
    size_t date_len;
    int date_is_number;
    uint64_t added;
    uint64_t number;         /* insertion number */
} rp_indexed_doc;
RP_API rp_status rp_index_get(rp_index *idx, const rp_id *id,
                              int (*fn)(void *user, const rp_indexed_doc *doc), void *user, char *err);

/* Deletes the document of that id (RP_ERR_NOT_FOUND when none); durable on
 * return. Its text stays in the log until rp_index_compact. */
RP_API rp_status rp_index_delete(rp_index *idx, const rp_id *id, char *err);

/* Deletes every document of `before` (Unix seconds) or older: by its date
 * field when by_date and it has one that parses (else by when it was
 * added), or by when it was added. *deleted gets the count. */
RP_API rp_status rp_index_expire(rp_index *idx, uint64_t before, int by_date, uint64_t *deleted,
                                 char *err);

typedef struct {
    uint64_t documents;      /* indexed now */
    uint64_t added, deleted; /* ever */
    uint64_t text_bytes;     /* of the documents' texts, uncompressed */
    uint64_t log_bytes;      /* the text log, dead records and all */
    uint64_t live_log_bytes; /*   of which the indexed documents' */
    uint64_t db_bytes;       /* the LMDB file's pages up to its last used one */
    uint64_t free_bytes;     /*   of which free (reused by later writes; compact
                                gives them back) */
    uint64_t map_bytes;      /* its map size (grows as needed) */
    uint64_t postings;       /* exact hash, band and fingerprint entries (a deleted
                                document's until compact) */
    uint64_t runs;           /* the sorted runs they are in */
    uint64_t readers;        /* read transactions open now (all processes) */
    int passages;            /* passage fingerprints kept */
    rp_params params;        /* the parameters it was made with (string fields NULL) */
} rp_index_stats;
RP_API rp_status rp_index_stat(rp_index *idx, rp_index_stats *stats, char *err);

/* A hot, consistent copy of the index into the empty or new directory
 * to_dir while it is used (LMDB's copy of one snapshot, and the log up to
 * what that snapshot references); with compact, free pages and deleted
 * texts are left out. */
RP_API rp_status rp_index_backup(rp_index *idx, const char *to_dir, int compact, char *err);

/* Rewrites the index in place without free pages and deleted texts. It
 * needs the index to itself: RP_ERR_IO when another process has it open. */
RP_API rp_status rp_index_compact(rp_index *idx, char *err);

/* Writes s as a JSON string literal (quotes included); bytes that are not
 * valid UTF-8 become U+FFFD so the output is always valid JSON. */
RP_API int rp_write_json_string(FILE *out, const char *s, size_t len);

/* Writes an id: a number as is, anything else as a JSON string. */
RP_API int rp_write_json_id(FILE *out, const rp_id *id);

/* The results as one JSONL line each, in the stable formats of
 * docs/FORMATS.md: what `reprint pairs`, `dedup --clusters`, `align` and
 * `stories` print, and what a program (a server) returns to be the same.
 * Each returns 0, or -1 when the write failed. */
RP_API int rp_write_pair_jsonl(FILE *out, const rp_pair *pair);
RP_API int rp_write_cluster_jsonl(FILE *out, const rp_cluster *cluster);
RP_API int rp_write_alignment_jsonl(FILE *out, const rp_alignment *alignment);
/* {"group": n, "documents": n, "members": [{"id": ID, "span": [s, e], "words": n}, ...],
 *  "earliest": ID|null, "earliest_evidence": E|null} */
RP_API int rp_write_group_jsonl(FILE *out, const rp_group *group);
RP_API int rp_write_story_jsonl(FILE *out, const rp_story *story);
/* A run's accounting as one JSON object (`--stats FILE`): command names
 * the run, params are the ones it ran with. */
RP_API int rp_write_stats_json(FILE *out, const char *command, const rp_stats *stats,
                        const rp_params *params);

#ifdef __cplusplus
}
#endif
#endif /* REPRINT_H */
