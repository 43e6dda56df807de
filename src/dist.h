/*
 * dist.h — what a distributed run's tasks share (dist.c): the rp_comm
 * transport's two collectives with their failures agreed on by every rank,
 * per-destination buffers, who owns which record or key, and the questions
 * a rank asks the owners of records.
 */
#ifndef REPRINT_DIST_H
#define REPRINT_DIST_H

#include "internal.h"

/* All to all (cm->exchange), counted into ds; *recv the caller's (free). */
rp_status rp__dist_xchg(const rp_comm *cm, rp_dist_stats *ds, const void *send, const uint64_t *send_bytes,
                        void **recv, uint64_t *recv_bytes, char *err);
rp_status rp__dist_reduce(const rp_comm *cm, uint64_t *v, size_t n, int op, char *err);
/* Every rank learns whether any failed: the failure of the lowest rank
 * that failed is the run's (its message stands; the others' is empty). */
rp_status rp__dist_agree(const rp_comm *cm, rp_status st, char *err);

/* A buffer of per-destination lists: counted, then filled. */
typedef struct {
    uint64_t *bytes;          /* per rank */
    uint64_t *at;             /* fill position per rank, in bytes */
    char *data;
    size_t total;
} rp_outbox;
int rp__outbox_init(rp_outbox *o, int size);
/* After counting o->bytes: room, and fill positions. */
int rp__outbox_alloc(rp_outbox *o, int size);
void rp__outbox_put(rp_outbox *o, int p, const void *v, size_t n);
void rp__outbox_free(rp_outbox *o);

/* The rank whose share holds global record g (base: size + 1 starts). */
int rp__dist_owner(const uint64_t *base, int size, uint64_t g);
/* The rank that owns a 32-bit key's range of 2^32 (inline: it is asked
 * for every band entry of a share). */
static inline int rp__dist_range_owner(uint64_t x32, int size)
{
    return (int)((x32 * (uint64_t)size) >> 32);
}
/* Asks the owners of n global records (any order, repeats allowed) for
 * answer_size bytes each, which answer(ctx, own record, out) writes on the
 * owner (the asking ranks' questions in rank order); out (n answers) gets
 * id[i]'s i-th. */
rp_status rp__dist_ask(const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base, const uint64_t *id,
                       size_t n, size_t answer_size, rp_status (*answer)(void *ctx, uint64_t local, void *out),
                       void *ctx, void *out, char *err);
/* Every rank's first global record (size + 1 starts) from each rank's
 * count (ds->records); *base is the caller's (free). */
rp_status rp__dist_bases(const rp_comm *cm, const rp_dist_stats *ds, uint64_t **base, char *err);
/* This rank's share of a corpus of plain JSONL files: the lines that
 * start in bytes [*from, *to) of their concatenation, and the newlines
 * before *from in the file that holds it (every rank counts those of its
 * share in the last file it holds bytes of, the ranks before it summed).
 * A communicator that is not one, or another corpus: RP_ERR_USAGE,
 * agreed. */
rp_status rp__dist_share(rp_corpus *c, const rp_comm *cm, uint64_t *from, uint64_t *to, uint64_t *before,
                         char *err);

/* Checkpoints (comm->checkpoint): each rank keeps there a file a stage,
 * rank-R-of-N.STAGE, written whole when the stage ends (a temporary name,
 * then renamed), headed by the version, the rank, the ranks and a hash of
 * the parameters the stage depends on. A rerun with the same directory,
 * ranks, file and parameters reads back the stages every rank finished. */
#define CKPT_MAGIC "RPCKPT02" /* 02: edges (rp_edge) of 20 bytes */
typedef struct {
    const rp_comm *cm;
    rp_corpus *c;
    rp_stats *stats;
    rp_dist_stats *ds;
    char *err;
    uint64_t params;          /* what the records depend on */
} rp_ckpt;

typedef struct {
    char magic[8];
    char version[24];
    uint32_t rank, size;
    uint64_t params;
} rp_ckpt_head;
typedef rp_status (*rp_ckpt_writer)(const rp_ckpt *k, FILE *f, void *ctx);
void rp__ckpt_path(const rp_ckpt *k, const char *stage, char *path, size_t cap);
/* The stage's file, its header checked: NULL when absent or not this run's. */
FILE *rp__ckpt_open(const rp_ckpt *k, const char *stage);
/* How many of the n stages, in order, this rank has. */
int rp__ckpt_have(const rp_ckpt *k, const char *const *stages, int n);
/* The stages every rank has (*have: this rank's, then the run's). */
rp_status rp__ckpt_agree(const rp_comm *cm, int *have, char *err);
/* A stage's file written whole: the header, then what write writes. */
rp_status rp__ckpt_write(const rp_ckpt *k, const char *stage, rp_ckpt_writer write, void *ctx);
/* Tells the progress callback that stage (1, 2, ...) is checkpointed: a
 * lever for the restart test. */
void rp__ckpt_reached(rp_corpus *c, uint64_t stage);

#endif /* REPRINT_DIST_H */
