/*
 * dist.c — the pieces every task of a distributed run uses (dist.h): the
 * transport's collectives, per-destination buffers, ownership of records
 * and keys, questions to the owners of records, the share of the input.
 */
#include "dist.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <xxhash.h>

/* ------------------------------------------------------------ transport */

rp_status rp__dist_xchg(const rp_comm *cm, rp_dist_stats *ds, const void *send, const uint64_t *send_bytes,
                      void **recv, uint64_t *recv_bytes, char *err)
{
    *recv = NULL;
    if (cm->exchange(cm->ctx, send, send_bytes, recv, recv_bytes)) {
        rp__msg(err, "rank %d: the exchange between ranks failed", cm->rank);
        return RP_ERR_IO;
    }
    ds->exchanges++;
    for (int p = 0; p < cm->size; p++) {
        if (p != cm->rank) ds->bytes_sent += send_bytes[p], ds->bytes_received += recv_bytes[p];
    }
    return RP_OK;
}

rp_status rp__dist_reduce(const rp_comm *cm, uint64_t *v, size_t n, int op, char *err)
{
    if (cm->allreduce(cm->ctx, v, n, op)) {
        rp__msg(err, "rank %d: the reduction between ranks failed", cm->rank);
        return RP_ERR_IO;
    }
    return RP_OK;
}

/* Every rank learns whether any failed: the failure of the lowest rank
 * that failed is the run's (its message stands; the others' is empty). */
rp_status rp__dist_agree(const rp_comm *cm, rp_status st, char *err)
{
    uint64_t v[2] = {st != RP_OK ? (uint64_t)(cm->size - cm->rank) : 0, 0};
    if (rp__dist_reduce(cm, v, 1, RP_COMM_MAX, err) != RP_OK) return RP_ERR_IO;
    if (!v[0]) return RP_OK;
    int first = cm->size - (int)v[0];
    uint64_t code[1] = {cm->rank == first ? (uint64_t)st : 0};
    if (rp__dist_reduce(cm, code, 1, RP_COMM_MAX, err) != RP_OK) return RP_ERR_IO;
    if (cm->rank != first) err[0] = 0;
    return (rp_status)code[0];
}


int rp__outbox_init(rp_outbox *o, int size)
{
    memset(o, 0, sizeof(*o));
    o->bytes = calloc((size_t)size, sizeof(uint64_t));
    o->at = calloc((size_t)size, sizeof(uint64_t));
    return o->bytes && o->at ? 0 : -1;
}

/* After counting o->bytes: room, and fill positions. */
int rp__outbox_alloc(rp_outbox *o, int size)
{
    uint64_t t = 0;
    for (int p = 0; p < size; p++) o->at[p] = t, t += o->bytes[p];
    o->total = (size_t)t;
    o->data = malloc(o->total ? o->total : 1);
    return o->data ? 0 : -1;
}

void rp__outbox_put(rp_outbox *o, int p, const void *v, size_t n)
{
    if (!n) return; /* an empty list may have no buffer */
    memcpy(o->data + o->at[p], v, n);
    o->at[p] += n;
}

void rp__outbox_free(rp_outbox *o)
{
    free(o->bytes);
    free(o->at);
    free(o->data);
    memset(o, 0, sizeof(*o));
}

/* The rank whose share holds global record g (base: size + 1 starts). */
int rp__dist_owner(const uint64_t *base, int size, uint64_t g)
{
    int lo = 0, hi = size - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (base[mid] <= g) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* Asks the owners of n global records (any order, repeats allowed) for
 * answer_size bytes each, which answer(ctx, own record, out) writes on the
 * owner; out (n answers) gets id[i]'s i-th. */
rp_status rp__dist_ask(const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base, const uint64_t *id,
                     size_t n, size_t answer_size, rp_status (*answer)(void *ctx, uint64_t local, void *out),
                     void *ctx, void *out, char *err)
{
    int size = cm->size;
    rp_outbox o = {0};
    void *in = NULL, *back = NULL;
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t)), *back_bytes = calloc((size_t)size, sizeof(uint64_t));
    size_t *pos = malloc((n ? n : 1) * sizeof(size_t)); /* where each asked id sits in the rp_outbox */
    char *one = malloc(answer_size);
    rp_status st = rp__outbox_init(&o, size) || !in_bytes || !back_bytes || !pos || !one ? RP_ERR_NOMEM : RP_OK;
    for (size_t i = 0; st == RP_OK && i < n; i++) o.bytes[rp__dist_owner(base, size, id[i])] += sizeof(uint64_t);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n; i++) {
        int p = rp__dist_owner(base, size, id[i]);
        pos[i] = (size_t)(o.at[p] / sizeof(uint64_t));
        rp__outbox_put(&o, p, &id[i], sizeof(uint64_t));
    }
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    /* each request answered in the order asked: the answers come back laid
     * out as the requests went */
    if (st == RP_OK && rp__outbox_init(&o, size)) st = RP_ERR_NOMEM;
    for (int p = 0; st == RP_OK && p < size; p++) o.bytes[p] = in_bytes[p] / sizeof(uint64_t) * answer_size;
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    const uint64_t *asked = in;
    for (int p = 0, k = 0; st == RP_OK && p < size; p++)
        for (uint64_t j = 0; st == RP_OK && j < in_bytes[p] / sizeof(uint64_t); j++, k++) {
            if ((st = answer(ctx, asked[k] - base[cm->rank], one)) != RP_OK)
                rp__msg(err, "rank %d: cannot answer for record %llu", cm->rank, (unsigned long long)asked[k]);
            else rp__outbox_put(&o, p, one, answer_size);
        }
    free(in);
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &back, back_bytes, err);
    rp__outbox_free(&o);
    for (size_t i = 0; st == RP_OK && i < n; i++)
        memcpy((char *)out + i * answer_size, (const char *)back + pos[i] * answer_size, answer_size);
    free(back), free(pos), free(in_bytes), free(back_bytes), free(one);
    return st;
}

/* Every rank's first global record (size + 1 starts), after a run, from
 * each rank's count; *base is the caller's (free). */
rp_status rp__dist_bases(const rp_comm *cm, const rp_dist_stats *ds, uint64_t **base, char *err)
{
    *base = calloc((size_t)cm->size + 1, sizeof(uint64_t));
    rp_status st = rp__dist_agree(cm, *base ? RP_OK : RP_ERR_NOMEM, err);
    if (st == RP_OK) {
        (*base)[cm->rank + 1] = ds->records;
        st = rp__dist_reduce(cm, *base + 1, (size_t)cm->size, RP_COMM_SUM, err);
    }
    if (st != RP_OK) {
        free(*base);
        *base = NULL;
        return st;
    }
    for (int p = 0; p < cm->size; p++) (*base)[p + 1] += (*base)[p];
    return RP_OK;
}

/* Where compressed input i is decompressed to: in the checkpoint directory
 * named for its path, size and modification time; else in the temporary
 * directory, named for the run. */
static void spool_name(const rp_corpus *c, const rp_comm *cm, size_t i, uint64_t run, char *path, size_t cap)
{
    const rp_input *in = &c->inputs[i];
    if (!cm->checkpoint) {
        snprintf(path, cap, "%s/reprint-%016llx-%zu.jsonl", c->tmp_dir, (unsigned long long)run, i);
        return;
    }
    struct stat sb;
    uint64_t key[3] = {XXH3_64bits(in->path, strlen(in->path)), 0, 0};
    if (stat(in->path, &sb) == 0) {
        key[1] = (uint64_t)sb.st_size;
        key[2] = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
    }
    snprintf(path, cap, "%s/input-%016llx.jsonl", cm->checkpoint, (unsigned long long)XXH3_64bits(key, sizeof(key)));
}

/* Compressed inputs (gzip, zstd) cannot be divided by bytes: each is
 * decompressed once, by one rank (the largest first, each to the rank with
 * the fewest compressed bytes so far), into a file every rank reads as the
 * input's bytes. In the checkpoint directory, named for the input's path,
 * size and modification time, they are kept for a rerun, which finds them
 * made; else in the temporary directory, named for the run, and removed by
 * the rank that made them when its corpus is freed (the program frees it
 * once every rank is done reading). */
static rp_status spool_compressed(rp_corpus *c, const rp_comm *cm, char *err)
{
    size_t n = c->n_named;
    int size = cm->size;
    uint64_t *bytes = calloc(n ? n : 1, sizeof(uint64_t)), *load = calloc((size_t)size, sizeof(uint64_t));
    int *owner = malloc((n ? n : 1) * sizeof(int));
    uint64_t run[1] = {0};
    rp_status st = bytes && load && owner ? RP_OK : RP_ERR_NOMEM;
    size_t n_comp = 0;
    for (size_t i = 0; st == RP_OK && i < n; i++) {
        owner[i] = -1;
        if (rp__corpus_compressed(c, i, &bytes[i])) n_comp++;
        else bytes[i] = UINT64_MAX;
    }
    /* every rank must see the same inputs compressed: its count against
     * the most any rank counts */
    uint64_t agreed[1] = {n_comp};
    if ((st = rp__dist_agree(cm, st, err)) != RP_OK ||
        (st = rp__dist_reduce(cm, agreed, 1, RP_COMM_MAX, err)) != RP_OK)
        goto done;
    if (agreed[0] != n_comp) {
        rp__msg(err, "rank %d sees other inputs compressed than another rank does", cm->rank);
        st = RP_ERR_IO;
    }
    if ((st = rp__dist_agree(cm, st, err)) != RP_OK || n_comp == 0) goto done;
    if (!cm->checkpoint) { /* the run's name: rank 0's */
        if (cm->rank == 0) run[0] = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL) ^ (uint64_t)clock();
        if ((st = rp__dist_reduce(cm, run, 1, RP_COMM_SUM, err)) != RP_OK) goto done;
    }
    for (size_t k = 0; k < n_comp; k++) { /* the largest not yet owned */
        size_t big = n;
        for (size_t i = 0; i < n; i++)
            if (bytes[i] != UINT64_MAX && owner[i] < 0 && (big == n || bytes[i] > bytes[big])) big = i;
        int least = 0;
        for (int r = 1; r < size; r++)
            if (load[r] < load[least]) least = r;
        owner[big] = least;
        load[least] += bytes[big];
    }
    char path[4096];
    for (int pass = 0; pass < 2 && st == RP_OK; pass++) {
        /* pass 0: this rank's inputs decompressed; pass 1, once every rank
         * is done: every compressed input read from its file */
        for (size_t i = 0; i < n && st == RP_OK; i++) {
            if (owner[i] < 0) continue;
            const rp_input *in = &c->inputs[i];
            spool_name(c, cm, i, run[0], path, sizeof(path));
            if (pass == 1) {
                if (!in->spool_path) st = rp__corpus_use_spool(c, i, path, 1);
                continue;
            }
            if (owner[i] != cm->rank || (cm->checkpoint && access(path, R_OK) == 0)) continue;
            /* whole or not at all: a rerun finds only whole ones */
            char tmp[4200];
            snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, cm->rank);
            st = rp__source_decompress(in->path, in->display, tmp, err);
            if (st == RP_ERR_TRUNCATED) { /* one process would read what is there */
                size_t m = strlen(err);
                snprintf(err + m, RP_MSG_MAX - m, "; a distributed run reads its compressed inputs whole (one "
                                                  "process with --skip-bad reads what is there)");
            }
            if (st == RP_OK && rename(tmp, path) != 0) {
                rp__msg(err, "%s: cannot write: %s", path, strerror(errno));
                unlink(tmp);
                st = RP_ERR_IO;
            }
            /* its maker's to remove, whatever becomes of the run */
            if (st == RP_OK) st = rp__corpus_use_spool(c, i, path, cm->checkpoint != NULL);
        }
        if (pass == 0) st = rp__dist_agree(cm, st, err);
    }
done:
    free(bytes), free(load), free(owner);
    return st;
}

rp_status rp__dist_share(rp_corpus *c, const rp_comm *cm, uint64_t *from, uint64_t *to, uint64_t *before,
                         char *err)
{
    int size = cm->size, rank = cm->rank;
    *from = *to = *before = 0;
    if (size < 1 || rank < 0 || rank >= size || !cm->exchange || !cm->allreduce) {
        rp__msg(err, "invalid communicator (rank %d of %d)", rank, size);
        return RP_ERR_USAGE;
    }
    rp_status sp = spool_compressed(c, cm, err);
    if (sp != RP_OK) return sp;
    size_t n = c->n_named;
    uint64_t *fsize = calloc(n ? n : 1, sizeof(uint64_t)), total = 0;
    /* per rank: the last file its share holds bytes of (+1; 0 none) and
     * the newlines of its share in that file */
    uint64_t *last = calloc(2 * (size_t)size, sizeof(uint64_t));
    rp_status st = fsize && last ? RP_OK : RP_ERR_NOMEM;
    if (st == RP_OK && n == 0) {
        rp__msg(err, "a distributed run needs an input");
        st = RP_ERR_USAGE;
    }
    if (st == RP_OK) st = rp__corpus_plain_sizes(c, fsize);
    for (size_t i = 0; st == RP_OK && i < n; i++) total += fsize[i];
    uint64_t s = (uint64_t)size;
    *from = total / s * (uint64_t)rank + total % s * (uint64_t)rank / s;
    *to = rank + 1 == size ? total : total / s * (uint64_t)(rank + 1) + total % s * (uint64_t)(rank + 1) / s;
    /* Byte from lies in file first; the ranks before that hold bytes of
     * it hold it last, and their newlines there are its lines before from. */
    size_t first = n;
    uint64_t base = 0;
    for (size_t i = 0; st == RP_OK && i < n; base += fsize[i++]) {
        uint64_t lo = *from > base ? *from : base, hi = *to < base + fsize[i] ? *to : base + fsize[i];
        if (first == n && *from < base + fsize[i]) first = i;
        if (lo < hi && hi == *to) { /* the last file the share holds bytes of */
            last[2 * rank] = i + 1;
            st = rp__corpus_count_lines(c, i, lo - base, hi - base, &last[2 * rank + 1]);
        }
    }
    if ((st = rp__dist_agree(cm, st, err)) == RP_OK &&
        (st = rp__dist_reduce(cm, last, 2 * (size_t)size, RP_COMM_SUM, err)) == RP_OK)
        for (int p = 0; p < rank; p++)
            if (last[2 * p] == first + 1) *before += last[2 * p + 1];
    free(fsize), free(last);
    return st;
}

/* --------------------------------------------------------- checkpoints */

void rp__ckpt_path(const rp_ckpt *k, const char *stage, char *path, size_t cap)
{
    snprintf(path, cap, "%s/rank-%d-of-%d.%s", k->cm->checkpoint, k->cm->rank, k->cm->size, stage);
}

/* The stage's file, its header checked: NULL when absent or not this run's. */
FILE *rp__ckpt_open(const rp_ckpt *k, const char *stage)
{
    char path[4096];
    rp__ckpt_path(k, stage, path, sizeof(path));
    FILE *f = fopen(path, "rb");
    rp_ckpt_head h;
    if (!f) return NULL;
    if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, CKPT_MAGIC, 8) != 0 ||
        strncmp(h.version, rp_version_string(), sizeof(h.version)) != 0 || h.rank != (uint32_t)k->cm->rank ||
        h.size != (uint32_t)k->cm->size || h.params != k->params) {
        fclose(f);
        return NULL;
    }
    return f;
}

int rp__ckpt_have(const rp_ckpt *k, const char *const *stages, int n)
{
    int have = 0;
    for (FILE *f; have < n && (f = rp__ckpt_open(k, stages[have])) != NULL; have++) fclose(f);
    return have;
}

/* The stage every rank has. */
rp_status rp__ckpt_agree(const rp_comm *cm, int *have, char *err)
{
    uint64_t v[1] = {(uint64_t)(255 - *have)}; /* the smallest by the largest of 255 - have */
    rp_status st = rp__dist_reduce(cm, v, 1, RP_COMM_MAX, err);
    *have = 255 - (int)v[0];
    return st;
}


rp_status rp__ckpt_write(const rp_ckpt *k, const char *stage, rp_ckpt_writer write, void *ctx)
{
    char path[4096], tmp[4200];
    rp__ckpt_path(k, stage, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        rp__msg(k->err, "rank %d: cannot write checkpoint %s: %s", k->cm->rank, tmp, strerror(errno));
        return RP_ERR_IO;
    }
    rp_ckpt_head h = {CKPT_MAGIC, "", (uint32_t)k->cm->rank, (uint32_t)k->cm->size, k->params};
    memcpy(h.magic, CKPT_MAGIC, 8);
    snprintf(h.version, sizeof(h.version), "%s", rp_version_string());
    rp_status st = fwrite(&h, sizeof(h), 1, f) == 1 ? write(k, f, ctx) : RP_ERR_IO;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) st = RP_ERR_IO;
    if (fclose(f) != 0) st = RP_ERR_IO;
    if (st == RP_OK && rename(tmp, path) != 0) st = RP_ERR_IO;
    if (st != RP_OK) {
        if (st == RP_ERR_IO)
            rp__msg(k->err, "rank %d: cannot write checkpoint %s: %s", k->cm->rank, path, strerror(errno));
        unlink(tmp);
    }
    return st;
}

void rp__ckpt_reached(rp_corpus *c, uint64_t stage)
{
    if (c->on_progress) c->on_progress(c->user, "checkpoint", stage, 2);
}
