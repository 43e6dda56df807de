/*
 * tasks.h — the three tasks, peers, each a sequence of passes over the
 * corpus: dedup (dedup.c, with its band store), align (align_task.c) and
 * stories (stories.c). The engine (engine.c) dispatches to them.
 */
#ifndef REPRINT_TASKS_H
#define REPRINT_TASKS_H

#include "corpus.h"
#include "kernels.h"

/* -------------------------------------------------------------- dedup.c */

/* The dedup task (see dedup.c), its passes in the order they run; each
 * refuses (RP_ERR_USAGE) to run out of it. */
typedef struct rp_dedup rp_dedup;

/* stats and err are the caller's; the parameters are the corpus's. */
rp_dedup *rp__dedup_create(rp_corpus *c, rp_stats *stats, char *err);
void rp__dedup_free(rp_dedup *d);
/* Pass 1 over every input: each record signed on the workers and added. */
rp_status rp__dedup_sign(rp_dedup *d);
/* Pass 1 over the lines that start in bytes [from, to) of a corpus of one
 * plain JSONL file (rp__corpus_first_pass_range): a part of the corpus
 * signed on its own, its records numbered from 0; lines_before the file's
 * newlines before from (UINT64_MAX: counted here). */
rp_status rp__dedup_sign_range(rp_dedup *d, uint64_t from, uint64_t to, uint64_t lines_before);
/* The records signed, and record n's sign record (RP_ERR_USAGE past them;
 * a rejected record is one whose status is not RP_OK). */
uint64_t rp__dedup_count(const rp_dedup *d);
rp_status rp__dedup_signed(rp_dedup *d, rp_docno n, rp_sign_result *out, rp_status *status);
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
/* The same, scoring only the pairs (in batches, in order) whose documents
 * the edges found so far have not joined: every cluster's documents are
 * joined by the edges it returns, a spanning subset of all. */
rp_status rp__dedup_verify_connecting(rp_dedup *d, const rp_cand *cand, size_t n, rp_edge **edges,
                                      size_t *n_edges);
/* Unions the edges in order (taking them: freed with d) into clusters
 * whose roots are their earliest documents; counts kept and removed. */
rp_status rp__dedup_cluster(rp_dedup *d, rp_edge *edges, size_t n);
/* sign, candidates over all keys, verify, cluster: the one-call run. */
rp_status rp__dedup_run(rp_dedup *d);
/* The similar pairs after the cluster pass, as verify made them (tests). */
const rp_edge *rp__dedup_edges(const rp_dedup *d, size_t *n);
int rp__dedup_is_kept(const rp_dedup *d, uint64_t rec);
rp_status rp__dedup_foreach_pair(rp_dedup *d, int (*fn)(void *, const rp_pair *), void *user);
/* The listing of pairs from verified edges (rp__dedup_foreach_pair's, and
 * a distributed run's on rank 0): every edge, each exact copy given every
 * pair of its first and paired with the other copies, sorted by (a, b).
 * The view numbers the edges' records 0..n_slots (slot), says which are
 * exact copies, and names them. */
typedef struct {
    size_t n_slots;
    uint32_t (*slot)(void *ctx, uint64_t rec);
    int (*is_copy)(void *ctx, uint64_t rec);
    rp_id (*id)(void *ctx, uint64_t rec);
    void *ctx;
} rp_pair_view;
/* Edges in order, held in memory or, past a bound (the one-call run's
 * pairs under --memory), written to a temporary file and read back a window
 * at a time (dedup.c): rp__edges_at(e, k) is edge k, walked forwards or
 * backwards, NULL when the file cannot be read (e->st and e->err say why). */
typedef struct {
    rp_edge *mem;               /* the edges, or the file's window */
    size_t n_mem, cap_mem;
    size_t n;                   /* all the edges */
    FILE *file;                 /* NULL: all in mem */
    size_t win_lo;              /* the window's first edge */
    const rp_corpus *c;         /* the file's corpus and error buffer */
    char *err;
    rp_status st;
} rp_edges;
/* The n edges at mem, as they are (rp__edges_free frees mem). */
rp_edges rp__edges_of(const rp_edge *mem, size_t n);
const rp_edge *rp__edges_read(rp_edges *e, size_t k);
static inline const rp_edge *rp__edges_at(rp_edges *e, size_t k)
{
    if (!e->file) return &e->mem[k];
    if (k - e->win_lo < e->n_mem) return &e->mem[k - e->win_lo];
    return rp__edges_read(e, k);
}
void rp__edges_free(rp_edges *e);
rp_status rp__pairs_list(rp_edges *e, const rp_pair_view *v, int (*fn)(void *, const rp_pair *),
                         void *user);
rp_status rp__dedup_foreach_cluster(rp_dedup *d, int (*fn)(void *, const rp_cluster *), void *user);
/* Pass 3: every kept record copied to out as read. */
rp_status rp__dedup_write_kept(rp_dedup *d, FILE *out);
/* What pass 3 writes, counted without writing (RP_ERR_USAGE for a corpus
 * that is not one indexed JSONL file). */
rp_status rp__dedup_kept_bytes(rp_dedup *d, uint64_t *bytes);

/* A part of a distributed run (dedup_dist.c): after rp__dedup_sign_range,
 * its records' band keys (while the bands are held) and exact hashes (0
 * for a record that is no document, or after the exact copies are marked);
 * whether a record goes into the band search (a document, not an exact
 * copy) or is an exact copy; the exact copies the whole run found among
 * them, marked once (instead of rp__dedup_exact_candidates); the bands let
 * go; records of other parts appended as ghosts (documents whose sets the
 * verify pass reads by offset, rp__corpus_add_ghosts); and the removals the
 * whole run decided, per own record (ghosts are never kept), instead of
 * rp__dedup_cluster. */
rp_status rp__dedup_band_column(rp_dedup *d, unsigned b, uint32_t *keys);
unsigned rp__dedup_bands(const rp_dedup *d);
int rp__dedup_exact_of(const rp_dedup *d, rp_docno n, uint64_t *exact);
int rp__dedup_in_bands(const rp_dedup *d, rp_docno n);
int rp__dedup_is_exact_copy(const rp_dedup *d, rp_docno n);
rp_status rp__dedup_mark_exact(rp_dedup *d, const rp_docno *copies, size_t n);
rp_status rp__dedup_drop_bands(rp_dedup *d);
/* The sign pass's records (status, exact hash, band keys) written to a
 * checkpoint right after the pass, and read back in its place. */
rp_status rp__dedup_save(rp_dedup *d, FILE *f);
rp_status rp__dedup_load(rp_dedup *d, FILE *f);
rp_status rp__dedup_add_ghosts(rp_dedup *d, const uint8_t *exact_copy, size_t n);
rp_status rp__dedup_set_removed(rp_dedup *d, const uint8_t *removed, size_t n_own);

/* dedup as rank comm->rank of comm->size over a corpus of one plain JSONL
 * file (dedup_dist.c): stats end up the whole run's on every rank, ds this
 * rank's; afterwards the records kept are this rank's share's. */
rp_status rp__dedup_run_dist(rp_dedup *d, rp_corpus *c, rp_stats *stats, const rp_comm *cm,
                             rp_dist_stats *ds, uint32_t **labels, rp_edge **edges,
                             size_t *n_edges, char *err);
/* After it, on every rank together: the pairs of the whole run listed on
 * rank 0 (fn, as rp__dedup_foreach_pair lists one process's), from each
 * rank's edges (*edges above, global numbers), the ids and exact copies
 * told by each record's owner. */
rp_status rp__dedup_dist_pairs(rp_corpus *c, const rp_comm *cm, const rp_dist_stats *ds,
                               const rp_dedup *d, const rp_edge *edges, size_t n_edges,
                               int (*fn)(void *, const rp_pair *), void *user, char *err);
/* After it, on every rank together: the clusters, listed on rank 0 (fn,
 * in input order of their first record, as rp__dedup_foreach_cluster),
 * from each rank's labels (*labels above: per own record, its cluster's
 * first record), the ids read again by each record's owner. */
rp_status rp__dedup_dist_clusters(rp_dedup *d, rp_corpus *c, const rp_comm *cm, const rp_dist_stats *ds,
                                  const uint32_t *labels, int (*fn)(void *, const rp_cluster *), void *user,
                                  char *err);

/* -------------------------------------------------------------- align_task.c */

/* The align task over a corpus (see align_task.c). */
typedef struct rp_align_task rp_align_task;

/* A growable list of 64-bit values: pairs a << 32 | b, or fingerprints. */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} rp_u64s;

/* What the candidate search makes, each a list. */
enum {
    L_CAND,    /* candidate pairs */
    L_BP,      /* boilerplate fingerprints found (40 bits: partition << 32 | key) */
    L_BP_CAND, /* hide: the pairs they would have made, for the count */
    L_STAR,    /* pairs of content keys in more than max_df documents, once a key */
    L_SENT,    /* rewrites: pairs of a sentence key, once a key */
    RP_ALIGN_LISTS
};

/* ------------------------------------------------------------- stories.c */
typedef struct rp_stories rp_stories;
rp_stories *rp__stories_create(void);
void rp__stories_free(rp_stories *s);
/* Its passes in the order they run; each refuses (RP_ERR_USAGE) to run out
 * of it. Pass 1 over every input: each document's terms (spin keys) and
 * their document frequencies. */
rp_status rp__stories_terms(rp_stories *s, rp_corpus *c, rp_stats *stats, char *err);
/* Pass 2 over the good documents: their TF-IDF vectors. */
rp_status rp__stories_weigh(rp_stories *s);
/* The pairs alike at the threshold, by similarity (highest first), then
 * pair: *edges is the caller's. Under --memory, past an eighth of it they
 * are in sorted runs in a temporary file instead: *edges is NULL, and
 * *n_edges says how many the runs hold. */
rp_status rp__stories_candidates(rp_stories *s, rp_story_edge **edges, size_t *n_edges);
/* Sorts edges as the clustering takes them: the most similar first, then
 * by (a, b); -1 when out of memory. */
int rp__story_edges_sort(rp_story_edge *e, size_t n);
/* Joins the documents of a given list of edges, in that order, into stories
 * whose centroids stay alike; once. With no list (edges NULL, n_edges
 * the candidates' count), the candidates' runs merged. */
rp_status rp__stories_cluster(rp_stories *s, const rp_story_edge *edges, size_t n_edges);
/* The four in turn. */
rp_status rp__stories_run(rp_stories *s, rp_corpus *c, rp_stats *stats, char *err);
rp_status rp__stories_foreach(rp_stories *s, int (*fn)(void *user, const rp_story *story), void *user);
int64_t rp__stories_story_of(const rp_stories *s, uint64_t rec);

rp_align_task *rp__align_task_create(void);
void rp__align_task_free(rp_align_task *ru);
/* Its passes in the order they run; each refuses (RP_ERR_USAGE) to run out
 * of it. Pass 1 over every input: fingerprints, sites, word counts. */
rp_status rp__align_task_fingerprint(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err);
/* A part of a distributed run (align_dist.c): pass 1 over the lines that
 * start in bytes [from, to) of one plain JSONL file (its records numbered
 * from 0), which leaves the whole corpus's judgements to the caller: the
 * sites (per record, 0 for none) taken and given back, judged (judge: the
 * whole corpus's, one array of its records; else the part's own records
 * and ghosts'), the word counts by slot read and given back summed; the
 * partitions of the index taken (their entries key << 32 | record, in
 * record order) and given (appended); the records' global numbers and
 * those whose boilerplate another part counts (both taken). */
#define RP_ALIGN_WORD_SLOTS (1 << 16)
rp_status rp__align_task_fingerprint_range(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err,
                                           uint64_t from, uint64_t to, uint64_t lines_before);
const uint32_t *rp__align_task_sites(const rp_align_task *ru, size_t *n);
rp_status rp__align_task_set_sites(rp_align_task *ru, uint32_t *site, size_t n, int judge);
void rp__align_task_words(const rp_align_task *ru, uint64_t *out);
void rp__align_task_set_words(rp_align_task *ru, const uint64_t *in);
#define RP_ALIGN_PARTS 256
rp_status rp__align_task_take_part(rp_align_task *ru, unsigned k, uint64_t **v, size_t *n);
/* The index's entries (fingerprint bits << 32 | record) as a spilled run
 * holds them: 5 bytes an entry in record order, 9 where the record goes
 * back or jumps by 255 or more. Pack writes at most 9 n bytes to out and
 * returns how many; unpack fills v with n entries from exactly len bytes,
 * -1 when they do not hold them. */
size_t rp__align_entries_pack(const uint64_t *v, size_t n, uint32_t *prev, uint8_t *out);
int rp__align_entries_unpack(const uint8_t *in, size_t len, uint64_t *v, size_t n);
rp_status rp__align_task_add_part(rp_align_task *ru, unsigned k, const uint64_t *v, size_t n);
void rp__align_task_set_global(rp_align_task *ru, uint64_t *global_of, uint8_t *uncounted);
/* A part's checkpoints: after pass 1 (word counts, sites, the index's
 * partitions) and after the candidates (the whole corpus's word counts and
 * sites, the boilerplate fingerprints), each read back into a fresh task
 * in place of the steps before it. */
rp_status rp__align_task_save_fingerprints(rp_align_task *ru, FILE *f);
rp_status rp__align_task_load_fingerprints(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err, FILE *f);
rp_status rp__align_task_save_judged(rp_align_task *ru, FILE *f);
rp_status rp__align_task_load_judged(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err, FILE *f);
/* align as rank comm->rank of comm->size over a corpus of one plain JSONL
 * file (align_dist.c): stats end up the whole run's on every rank, ds this
 * rank's; afterwards rp__align_task_foreach lists the alignments whose
 * first document is this rank's (global numbers), and the ranks' lists in
 * rank order are one process's. */
rp_status rp__align_task_run_dist(rp_align_task *ru, rp_corpus *c, rp_stats *stats, const rp_comm *cm,
                                  rp_dist_stats *ds, char *err);
/* The candidate pairs, sorted (by a, then b) and unique, in *out (the
 * caller's); the fingerprint index is gone after it. It is the two steps
 * below, between which a distributed run sends each pair to the owner of
 * its first record and every rank the boilerplate fingerprints: the
 * search of the index's keys into lists (out[l], the caller's), and the
 * lists combined into candidates (each freed). */
rp_status rp__align_task_candidates(rp_align_task *ru, rp_cand **out, size_t *n);
rp_status rp__align_task_search(rp_align_task *ru, rp_u64s out[RP_ALIGN_LISTS]);
/* The search of partitions [k0, k1) only (their keys taken out of the
 * index), its lists appended to out's: a distributed run searches each
 * group of partitions as it arrives, so that no rank holds its whole share
 * of the index twice. */
rp_status rp__align_task_search_parts(rp_align_task *ru, unsigned k0, unsigned k1, rp_u64s out[RP_ALIGN_LISTS]);
rp_status rp__align_task_combine(rp_align_task *ru, rp_u64s lists[RP_ALIGN_LISTS], rp_cand **out, size_t *n);
/* Pass 2: the documents of the pairs read again and kept in temporary files. */
rp_status rp__align_task_collect(rp_align_task *ru, const rp_cand *cand, size_t n);
/* Aligns collected pairs (in order of a) and keeps those sharing passages. */
rp_status rp__align_task_align(rp_align_task *ru, const rp_cand *cand, size_t n);
/* The four in turn over the whole corpus. */
rp_status rp__align_task_run(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err);
rp_status rp__align_task_foreach(rp_align_task *ru, int (*fn)(void *user, const rp_alignment *al), void *user);
/* Before the run: each alignment handed to fn as it is made, in pair order
 * (from one worker at a time), and none kept for rp__align_task_foreach;
 * memory holds a window of chunks of results, whatever their number. fn
 * returning nonzero stops the run. */
void rp__align_task_set_sink(rp_align_task *ru, int (*fn)(void *user, const rp_alignment *al), void *user);

/* --------------------------------------------------------- band_store.c */

/* The band keys of every record, in memory up to a limit and spilled to a
 * temporary file beyond it (see band_store.c). */
typedef struct rp_bands rp_bands;
typedef struct {
    uint64_t spilled_bytes;     /* band keys written to the temporary file */
    uint64_t read_back_bytes;   /* and read back by the candidate search */
    uint64_t partitions;        /* most key ranges one band was split into */
} rp_bands_stats;


/* limit: bytes for keys and sorting, 0 = none. corpus: temporary files. */
rp_bands *rp__bands_create(unsigned bands, uint64_t limit, rp_corpus *corpus);
void rp__bands_free(rp_bands *t);
/* The next record's keys, one per band; NULL for a record the search
 * skips (rejected, lone), whose keys then read as zero. */
rp_status rp__bands_add(rp_bands *t, const uint32_t *keys);
/* Record rec's keys, in memory or read back (a failed read's message in err). */
rp_status rp__bands_get(rp_bands *t, uint64_t rec, uint32_t *keys, char *err);
/* Band b's keys of every record, in record order, into dst: a column a
 * chunk, in memory or read back. */
rp_status rp__bands_get_band(rp_bands *t, unsigned b, uint32_t *dst, char *err);
/* Appends every band's candidate pairs (rp__band_pairs_scratch) among the
 * records whose skip[] byte is 0 and whose key lies in [key_lo, key_hi)
 * (of 2^32), bands shared out among threads threads; pairs come in no
 * particular order and may repeat across calls (not within one). A bucket
 * lies in one key range, so the ranges of a partition of the keys give
 * every pair. */
rp_status rp__bands_pairs(rp_bands *t, const uint8_t *skip, size_t max_bucket, unsigned threads,
                          uint64_t key_lo, uint64_t key_hi, rp_cand **pairs, size_t *n_pairs,
                          size_t *cap_pairs, uint64_t *truncated);
/* One bucket of band `band`: its m >= 2 entries (key << 32 | record, in
 * record order), found by search thread `thread`; anything but RP_OK stops
 * the search. */
typedef rp_status (*rp_bucket_visit)(void *ctx, unsigned thread, unsigned band,
                                     const uint64_t *entries, size_t m);
/* Every bucket of two records or more (skip[] as for rp__bands_pairs) of
 * the first n_bands bands, to visit, the bands shared out among threads
 * threads (at most as many as bands): thread k visits bands k,
 * k + threads, ... in order. */
rp_status rp__bands_buckets(rp_bands *t, const uint8_t *skip, unsigned threads, unsigned n_bands,
                            rp_bucket_visit visit, void *ctx);
/* Every record's keys, record-major (rows[rec * bands + b]), the spilled
 * ones read back a chunk at a time. */
rp_status rp__bands_rows(rp_bands *t, uint32_t *rows, char *err);
void rp__bands_stats(const rp_bands *t, rp_bands_stats *s);

#endif /* REPRINT_TASKS_H */
