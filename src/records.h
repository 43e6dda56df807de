/*
 * records.h — what the passes hand each other, declared so that a pass
 * can run alone over a part of the work, and the sort of candidate pairs.
 */
#ifndef REPRINT_RECORDS_H
#define REPRINT_RECORDS_H

#include "common/common.h"

/* ------------------------------------------------------------- records */

/* What the passes hand each other, declared so that a pass can run alone
 * over a part of the work and its output be sent to another process or
 * stored. A document's number is its place in the corpus (input order,
 * rejected records included): 64 bits, so that numbers stay global past
 * 4 billion records. */
typedef uint64_t rp_docno;

/* What the sign pass makes of one document: the exact hash of its words
 * and its band keys. As bytes (a worker's result, a message), the hash and
 * then the keys, bands of them, each in the machine's order; a lone
 * document's is the hash alone.
 *
 * A document of fewer words than a shingle is lone: its set is one
 * shingle of all its words, hashed apart from shingles of other lengths,
 * so it shares a shingle only with a document of the very same words,
 * which has its exact hash. It needs no signature and stays out of the
 * band tables (its keys are zero); the exact candidates pair it. */
#define RP_BANDS_MAX 4096 /* num_perm <= 4096 bounds the bands */
typedef struct {
    uint64_t exact;
    unsigned bands;
    int lone;
    uint32_t keys[RP_BANDS_MAX];
} rp_sign_result;

/* A candidate pair, a < b: the two documents may be alike. */
typedef struct {
    rp_docno a, b;
} rp_cand;

/* A verified pair, a < b: an edge of the similarity graph. Its records are
 * numbered under 2^32, as the band kernel's and union-find's are, so that
 * an edge takes 20 bytes, not 32: a corpus of near-copies has tens of
 * millions of them. */
typedef struct {
    uint32_t a, b;
    float jaccard, containment_a, containment_b;
} rp_edge;

/* Two documents of one story, a < b: the cosine of their term vectors.
 * Record numbers in 32 bits, as a run's are: 12 bytes an edge, where a
 * corpus of near-copies has millions of them (7.8 million for 100,000). */
typedef struct {
    uint32_t a, b;
    float sim;
} rp_story_edge;

/* Sorts candidates by (a, b) and removes repeats, in place (no memory
 * beyond the list's own); returns the new count. */
size_t rp__cands_sort_unique(rp_cand *v, size_t n);
/* Unpacks n pairs that lie packed (a << 32 | b, 8 bytes each) at the start
 * of v, which holds n rp_cand, into v itself. */
void rp__cands_unpack(rp_cand *v, size_t n);
/* Appends (a, b) to a growable list; 0, or -1 when out of memory. */
int rp__cands_push(rp_cand **v, size_t *n, size_t *cap, rp_docno a, rp_docno b);

#endif /* REPRINT_RECORDS_H */
