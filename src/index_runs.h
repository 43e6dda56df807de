/*
 * index_runs.h — the index's postings as sorted runs in LMDB (index_runs.c),
 * seen by index.c alone.
 */
#ifndef REPRINT_INDEX_RUNS_H
#define REPRINT_INDEX_RUNS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

/* A posting: a key (kind in the top bits) and a document. */
typedef struct {
    uint64_t key;
    uint32_t docno;
} rp_run_entry;

typedef struct rp_runs rp_runs;

/* The tables (made when create), and a process's view of the runs. */
int rp__runs_open(MDB_txn *t, int create, rp_runs **out);
void rp__runs_free(rp_runs *r);

/* In a write transaction: the n entries (sorted by key, then docno) as a
 * new run, then runs merged while a size class holds four; *moved gets the
 * entries rewritten by merges. Returns an LMDB code (ENOMEM). */
int rp__runs_add(rp_runs *r, MDB_txn *t, const rp_run_entry *e, size_t n, uint64_t *moved);
/* In a write transaction: every run merged into one, the entries whose
 * document keep() refuses dropped. */
int rp__runs_merge_all(rp_runs *r, MDB_txn *t, int (*keep)(void *ctx, uint32_t docno), void *ctx);

/* Readers: the view made current for the snapshot of t (it may have been
 * changed by any process's writer); the lookups below must run under the
 * read lock taken here and given back by rp__runs_unlock. */
int rp__runs_lock(rp_runs *r, MDB_txn *t);
void rp__runs_unlock(rp_runs *r);
/* The documents of key in every run, appended to *out (unsorted; a
 * document deleted since is still there until a merge of all). */
int rp__runs_lookup(const rp_runs *r, MDB_txn *t, uint64_t key, uint32_t **out, size_t *n, size_t *cap);
/* Runs and their entries in the view t's snapshot has. */
int rp__runs_count(MDB_txn *t, uint64_t *runs, uint64_t *entries);

#endif
