/*
 * dedup_dist.c — dedup as one rank of a distributed run, over a transport
 * the program brings (rp_comm: an all-to-all exchange and an all-reduce;
 * the reprint program's is MPI). The passes are dedup.c's; what this file
 * adds is who does which part and what crosses between the ranks.
 *
 * Sign: each rank signs the lines that start in its share of the file's
 *   bytes (rp__dedup_sign_range); record numbers become global by the sum
 *   of the counts of the ranks before it.
 * Exact: (exact hash, record) goes to the rank that owns the hash's range;
 *   there the first record of each hash pairs with the later ones, which
 *   their owners mark as exact copies (they leave the band search), as
 *   rp__dedup_exact_candidates does on one machine.
 * Bands: one band at a time, (key, record) goes to the rank that owns the
 *   key's range of 2^32, where the buckets are cut into pairs by the same
 *   kernel with the same cap (rp__band_pairs_scratch): the entries arrive
 *   in rank order, each rank's in record order, so a bucket lists its
 *   records in global order as on one machine, and an oversized bucket is
 *   chained identically.
 * Verify: every candidate goes to the rank that owns its first record. The
 *   second's line, when another rank's, is read from the shared file by
 *   the offset its owner sends (a ghost record): texts are never shipped.
 * Cluster: up to comm->gather_edges similar pairs, the edges are gathered
 *   on rank 0, unioned with the earliest record as root, and each rank
 *   gets the roots of its own records; beyond, labels propagate among the
 *   ranks (components_by_labels) to the same roots.
 *
 * The outcome on every rank: its records kept or removed exactly as one
 * process would decide, and the run's counts. Each rank writes its own
 * kept records; their concatenation in rank order is one process's output.
 */
#include "internal.h"
#include "dist.h"

#include <string.h>
#include <xxhash.h>

/* ---------------------------------------------------------------- run */

typedef struct {
    uint64_t h, rec;
} hash_rec;

static int cmp_hash_rec(const void *x, const void *y)
{
    const hash_rec *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}

/* Exact copies: (hash, record) to the owner of the hash's range; the
 * pairs (first, copy) kept there as candidates, the copies' owners told. */
static rp_status exact_pass(rp_dedup *d, const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base,
                            rp_cand **cand, size_t *n_cand, size_t *cap_cand, char *err)
{
    int size = cm->size;
    uint64_t n_own = base[cm->rank + 1] - base[cm->rank];
    rp_outbox o = {0};
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    rp_status st = rp__outbox_init(&o, size) || !in_bytes ? RP_ERR_NOMEM : RP_OK;
    uint64_t h;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++)
        if (rp__dedup_exact_of(d, i, &h)) o.bytes[rp__dist_range_owner(h >> 32, size)] += sizeof(hash_rec);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++)
        if (rp__dedup_exact_of(d, i, &h)) {
            hash_rec hr = {h, base[cm->rank] + i};
            rp__outbox_put(&o, rp__dist_range_owner(h >> 32, size), &hr, sizeof(hr));
        }
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    /* the copies found here, to be told to their owners */
    size_t n_in = 0;
    for (int p = 0; p < size; p++) n_in += (size_t)(in_bytes[p] / sizeof(hash_rec));
    hash_rec *v = in;
    if (st == RP_OK && n_in > 1) qsort(v, n_in, sizeof(hash_rec), cmp_hash_rec);
    if (st == RP_OK && rp__outbox_init(&o, size)) st = RP_ERR_NOMEM;
    for (size_t i = 1; st == RP_OK && i < n_in; i++)
        if (v[i].h == v[i - 1].h) o.bytes[rp__dist_owner(base, size, v[i].rec)] += sizeof(uint64_t);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (size_t i = 0, first = 0; st == RP_OK && i < n_in; i++) {
        if (i == 0 || v[i].h != v[i - 1].h) {
            first = i;
            continue;
        }
        rp__outbox_put(&o, rp__dist_owner(base, size, v[i].rec), &v[i].rec, sizeof(uint64_t));
        if (rp__cands_push(cand, n_cand, cap_cand, v[first].rec, v[i].rec)) st = RP_ERR_NOMEM;
    }
    free(in);
    in = NULL;
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    size_t n_copies = 0;
    for (int p = 0; p < size; p++) n_copies += (size_t)(in_bytes[p] / sizeof(uint64_t));
    uint64_t *copies = in;
    for (size_t i = 0; st == RP_OK && i < n_copies; i++) copies[i] -= base[cm->rank];
    if (st == RP_OK) st = rp__dedup_mark_exact(d, copies, n_copies);
    free(in);
    free(in_bytes);
    return rp__dist_agree(cm, st, err);
}

/* The band search: one band at a time, (key << 32 | record) to the owner of
 * the key's range, whose buckets become pairs as on one machine. */
/* In one source's block of a group of bands (per band a count, then its
 * entries), the entries of the group's k-th band, and their count. */
static const char *band_in(const char *block, unsigned k, uint64_t *count)
{
    for (;;) {
        memcpy(count, block, sizeof(*count));
        if (k-- == 0) return block + sizeof(uint64_t);
        block += sizeof(uint64_t) * (1 + *count);
    }
}

static rp_status band_pass(rp_dedup *d, const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base,
                           const rp_params *p, rp_cand **cand, size_t *n_cand, size_t *cap_cand,
                           uint64_t *truncated, char *err)
{
    int size = cm->size;
    uint64_t n_own = base[cm->rank + 1] - base[cm->rank];
    unsigned bands = rp__dedup_bands(d);
    /* the keys by band, a column of the store's chunks at a time (it may
     * have spilled them): the store is let go once they are copied */
    uint32_t *keys = malloc((size_t)(n_own ? n_own : 1) * bands * sizeof(uint32_t));
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    uint64_t *pairs = NULL;
    size_t n_pairs = 0, cap_pairs = 0;
    rp_status st = keys && in_bytes ? RP_OK : RP_ERR_NOMEM;
    uint8_t *in_bands = malloc((size_t)(n_own ? n_own : 1)); /* once, not per band */
    if (!in_bands) st = RP_ERR_NOMEM;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++) in_bands[i] = (uint8_t)rp__dedup_in_bands(d, i);
    for (unsigned b = 0; st == RP_OK && b < bands; b++) st = rp__dedup_band_column(d, b, keys + (size_t)b * n_own);
    rp__dedup_drop_bands(d);
    /* bands a group, the group's entries in one exchange: per destination,
     * per band, a count and the entries; a group holds at most 256 MiB of a
     * rank's entries (rp__hooks: all 21 bands of a share of 1.5 million
     * records) */
    size_t per_band = (size_t)n_own * sizeof(uint64_t) + (size_t)size * sizeof(uint64_t);
    unsigned group = per_band ? (unsigned)(rp__hooks.dist_group_bytes / per_band) : bands;
    if (group < 1) group = 1;
    if (group > bands) group = bands;
    uint64_t *count = calloc((size_t)size * bands, sizeof(uint64_t)); /* [dest][band] */
    if (st == RP_OK && !count) st = RP_ERR_NOMEM;
    for (unsigned g0 = 0; g0 < bands; g0 += group) {
        unsigned g1 = g0 + group < bands ? g0 + group : bands;
        rp_outbox o = {0};
        void *in = NULL;
        if (st == RP_OK && rp__outbox_init(&o, size)) st = RP_ERR_NOMEM;
        if (st == RP_OK) memset(count, 0, (size_t)size * bands * sizeof(uint64_t));
        for (unsigned b = g0; st == RP_OK && b < g1; b++) {
            const uint32_t *kb = keys + (size_t)b * n_own;
            for (uint64_t i = 0; i < n_own; i++)
                if (in_bands[i]) count[(size_t)rp__dist_range_owner(kb[i], size) * bands + b]++;
        }
        for (int q = 0; st == RP_OK && q < size; q++)
            for (unsigned b = g0; b < g1; b++)
                o.bytes[q] += sizeof(uint64_t) * (1 + count[(size_t)q * bands + b]);
        if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
        /* per destination, the bands in order: each band's count first,
         * its entries in record order after it */
        uint64_t *at = st == RP_OK ? calloc((size_t)size * bands, sizeof(uint64_t)) : NULL;
        if (st == RP_OK && !at) st = RP_ERR_NOMEM;
        for (int q = 0; st == RP_OK && q < size; q++) {
            uint64_t pos = o.at[q];
            for (unsigned b = g0; b < g1; b++) {
                memcpy(o.data + pos, &count[(size_t)q * bands + b], sizeof(uint64_t));
                at[(size_t)q * bands + b] = pos + sizeof(uint64_t);
                pos += sizeof(uint64_t) * (1 + count[(size_t)q * bands + b]);
            }
        }
        for (unsigned b = g0; st == RP_OK && b < g1; b++) {
            const uint32_t *kb = keys + (size_t)b * n_own;
            for (uint64_t i = 0; i < n_own; i++) {
                if (!in_bands[i]) continue;
                uint64_t e = (uint64_t)kb[i] << 32 | (base[cm->rank] + i);
                uint64_t *w = &at[(size_t)rp__dist_range_owner(kb[i], size) * bands + b];
                memcpy(o.data + *w, &e, sizeof(e));
                *w += sizeof(e);
            }
        }
        free(at);
        st = rp__dist_agree(cm, st, err);
        if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
        rp__outbox_free(&o);
        /* each band's entries, the sources in rank order: a bucket lists its
         * records in global order */
        const char *src = in;
        uint64_t *v = NULL, *scratch = NULL;
        size_t cap_v = 0;
        for (unsigned b = g0; st == RP_OK && b < g1; b++) {
            size_t m = 0;
            for (int pass = 0; pass < 2; pass++) { /* the sizes, then the entries */
                const char *p0 = src;
                size_t k0 = 0;
                for (int q = 0; q < size; q++) {
                    uint64_t k;
                    const char *pq = band_in(p0, b - g0, &k);
                    if (pass) memcpy(v + k0, pq, (size_t)k * sizeof(uint64_t));
                    k0 += (size_t)k;
                    p0 += in_bytes[q];
                }
                if (pass) break;
                m = k0;
                if (m > cap_v) {
                    free(v), free(scratch);
                    v = malloc(m * sizeof(uint64_t)), scratch = malloc(m * sizeof(uint64_t));
                    cap_v = m;
                    if (!v || !scratch) {
                        st = RP_ERR_NOMEM;
                        break;
                    }
                }
            }
            if (st != RP_OK) break;
            if (m > 1 && rp__band_pairs_scratch(v, m, scratch, p->max_bucket, &pairs, &n_pairs, &cap_pairs,
                                                truncated))
                st = RP_ERR_NOMEM;
        }
        free(v), free(scratch), free(in);
        if (st != RP_OK) break;
    }
    free(count);
    free(in_bands);
    for (size_t i = 0; st == RP_OK && i < n_pairs; i++)
        if (rp__cands_push(cand, n_cand, cap_cand, pairs[i] >> 32, (uint32_t)pairs[i])) st = RP_ERR_NOMEM;
    free(pairs);
    free(keys);
    free(in_bytes);
    return rp__dist_agree(cm, st, err);
}

/* Every candidate to the owner of its first record; there sorted, unique. */
static rp_status route_candidates(const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base,
                                  rp_cand **cand, size_t *n_cand, char *err)
{
    int size = cm->size;
    rp_outbox o = {0};
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    rp_status st = rp__outbox_init(&o, size) || !in_bytes ? RP_ERR_NOMEM : RP_OK;
    for (size_t i = 0; st == RP_OK && i < *n_cand; i++)
        o.bytes[rp__dist_owner(base, size, (*cand)[i].a)] += sizeof(rp_cand);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < *n_cand; i++)
        rp__outbox_put(&o, rp__dist_owner(base, size, (*cand)[i].a), &(*cand)[i], sizeof(rp_cand));
    free(*cand);
    *cand = NULL;
    *n_cand = 0;
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    size_t n = 0;
    for (int p = 0; p < size; p++) n += (size_t)(in_bytes[p] / sizeof(rp_cand));
    if (st == RP_OK && (n = rp__cands_sort_unique(in, n)) == SIZE_MAX) st = RP_ERR_NOMEM;
    if (st == RP_OK) *cand = in, *n_cand = n;
    else free(in);
    free(in_bytes);
    return rp__dist_agree(cm, st, err);
}

typedef struct {
    uint64_t off;
    uint32_t len;
    uint32_t exact_copy;
    uint32_t file, pad;
} ghost_info;

typedef struct {
    rp_dedup *d;
    rp_corpus *c;
} ghost_owner;

/* The owner's answer about a record of its own: where its line is, and
 * whether it is an exact copy. */
static rp_status ghost_answer(void *ctx, uint64_t local, void *out)
{
    const ghost_owner *g = ctx;
    ghost_info gi = {0, UINT32_MAX, 0, 0, 0};
    if (!rp__corpus_record_at(g->c, local, &gi.file, &gi.off, &gi.len)) return RP_ERR_USAGE;
    gi.exact_copy = (uint32_t)rp__dedup_is_exact_copy(g->d, local);
    memcpy(out, &gi, sizeof(gi));
    return RP_OK;
}

/* The second records of this rank's candidates that are other ranks':
 * their offsets asked of their owners and appended as ghosts; the
 * candidates renumbered into this rank's records (own from 0, then the
 * ghosts); *ghost_of (the caller frees) gets each ghost's global number. */
static rp_status add_ghosts(rp_dedup *d, rp_corpus *c, const rp_comm *cm, rp_dist_stats *ds,
                            const uint64_t *base, rp_cand *cand, size_t n_cand, uint64_t **ghost_of,
                            char *err)
{
    uint64_t lo = base[cm->rank], hi = base[cm->rank + 1];
    /* the foreign records wanted, sorted, unique: their order is the ghosts' */
    uint64_t *want = malloc((n_cand ? n_cand : 1) * sizeof(uint64_t));
    size_t n_want = 0;
    rp_status st = want ? RP_OK : RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n_cand; i++)
        if (cand[i].b >= hi) want[n_want++] = cand[i].b;
    if (st == RP_OK && (n_want = rp__sort_unique_u64(want, n_want, NULL)) == SIZE_MAX)
        st = RP_ERR_NOMEM, n_want = 0;
    ghost_owner owner = {d, c};
    ghost_info *gi = st == RP_OK ? malloc((n_want ? n_want : 1) * sizeof(ghost_info)) : NULL;
    if (st == RP_OK && !gi) st = RP_ERR_NOMEM;
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_ask(cm, ds, base, want, n_want, sizeof(ghost_info), ghost_answer, &owner, gi, err);
    uint64_t *off = st == RP_OK ? malloc((n_want ? n_want : 1) * sizeof(uint64_t)) : NULL;
    uint32_t *len = st == RP_OK ? malloc((n_want ? n_want : 1) * sizeof(uint32_t)) : NULL;
    uint32_t *file = st == RP_OK ? malloc((n_want ? n_want : 1) * sizeof(uint32_t)) : NULL;
    uint8_t *ex = st == RP_OK ? malloc(n_want ? n_want : 1) : NULL;
    if (st == RP_OK && (!off || !len || !file || !ex)) st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n_want; i++)
        off[i] = gi[i].off, len[i] = gi[i].len, file[i] = gi[i].file, ex[i] = (uint8_t)gi[i].exact_copy;
    uint64_t n_own = hi - lo;
    if (st == RP_OK) st = rp__corpus_add_ghosts(c, file, off, len, NULL, n_want);
    if (st == RP_OK) st = rp__dedup_add_ghosts(d, ex, n_want);
    /* renumber: own records from 0, ghosts after them in want's order */
    for (size_t i = 0; st == RP_OK && i < n_cand; i++) {
        uint64_t b = cand[i].b;
        b = b < hi ? b - lo : n_own + rp__lower_bound_u64(want, n_want, b);
        cand[i] = (rp_cand){cand[i].a - lo, b};
    }
    ds->ghosts = n_want;
    free(off), free(len), free(file), free(ex), free(gi);
    *ghost_of = want;
    return rp__dist_agree(cm, st, err);
}

/* ---------------------------------------------------------- components */

static rp_status label_of(void *ctx, uint64_t local, void *out)
{
    memcpy(out, &((const uint32_t *)ctx)[local], sizeof(uint32_t));
    return RP_OK;
}

/* Below RP_GATHER_EDGES edges in all (or comm->gather_edges): unioned on
 * rank 0 (8 bytes an edge and 4 a record there), each rank sent its
 * records' roots. */
static rp_status components_on_rank0(const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base,
                                     const uint64_t *pairs, size_t n_pairs, uint32_t *label, char *err)
{
    int size = cm->size;
    uint64_t *send_bytes = calloc((size_t)size, sizeof(uint64_t)), *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    void *in = NULL;
    rp_status st = send_bytes && in_bytes ? RP_OK : RP_ERR_NOMEM;
    if (st == RP_OK) send_bytes[0] = n_pairs * sizeof(uint64_t);
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, pairs, send_bytes, &in, in_bytes, err);
    uint32_t *roots = NULL;
    if (st == RP_OK) memset(send_bytes, 0, (size_t)size * sizeof(uint64_t));
    if (st == RP_OK && cm->rank == 0) {
        uint64_t total = base[size];
        rp_uf uf = {0};
        size_t n_in = 0;
        for (int p = 0; p < size; p++) n_in += (size_t)(in_bytes[p] / sizeof(uint64_t));
        const uint64_t *e = in;
        roots = malloc((size_t)(total ? total : 1) * sizeof(uint32_t));
        if (!roots || rp__uf_init(&uf, (size_t)total)) st = RP_ERR_NOMEM;
        for (size_t i = 0; st == RP_OK && i < n_in; i++) rp__uf_union(&uf, (uint32_t)(e[i] >> 32), (uint32_t)e[i]);
        for (uint64_t g = 0; st == RP_OK && g < total; g++) roots[g] = rp__uf_find(&uf, (uint32_t)g);
        rp__uf_free(&uf);
        for (int p = 0; st == RP_OK && p < size; p++) send_bytes[p] = (base[p + 1] - base[p]) * sizeof(uint32_t);
    }
    free(in);
    in = NULL;
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, roots, send_bytes, &in, in_bytes, err);
    free(roots);
    uint64_t n_own = base[cm->rank + 1] - base[cm->rank];
    if (st == RP_OK && in_bytes[0] != n_own * sizeof(uint32_t)) st = RP_ERR_USAGE;
    if (st == RP_OK && n_own) memcpy(label, in, (size_t)n_own * sizeof(uint32_t));
    free(in), free(send_bytes), free(in_bytes);
    ds->cluster_rounds = 1;
    return rp__dist_agree(cm, st, err);
}

typedef struct {
    uint64_t target;
    uint32_t label;
} proposal;

static int cmp_proposal(const void *x, const void *y)
{
    const proposal *a = x, *b = y;
    if (a->target != b->target) return a->target < b->target ? -1 : 1;
    return a->label < b->label ? -1 : a->label > b->label;
}

/* Above it: minimum-label propagation with hooking and pointer jumping
 * (after Shiloach and Vishkin), edges staying where they were found. Every
 * record starts as its own label; a round gives each edge's two records
 * and their labels' records the smaller of the two labels, then makes
 * each label the label of its label. A label only falls and is always a
 * record of the component, so at rest every component is labelled by its
 * earliest record: union-find's root. */
static rp_status components_by_labels(const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base,
                                      const uint64_t *pairs, size_t n_pairs, uint32_t *label, char *err)
{
    int size = cm->size;
    uint64_t lo = base[cm->rank], n_own = base[cm->rank + 1] - lo;
    for (uint64_t i = 0; i < n_own; i++) label[i] = (uint32_t)(lo + i);
    uint64_t *ends = malloc((n_pairs ? n_pairs : 1) * 2 * sizeof(uint64_t));
    uint32_t *lab = malloc((n_pairs ? n_pairs : 1) * 2 * sizeof(uint32_t));
    uint64_t *ptr = malloc((size_t)(n_own ? n_own : 1) * sizeof(uint64_t));
    uint32_t *up = malloc((size_t)(n_own ? n_own : 1) * sizeof(uint32_t));
    proposal *prop = malloc((n_pairs ? n_pairs : 1) * 4 * sizeof(proposal));
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    rp_status st = ends && lab && ptr && up && prop && in_bytes ? RP_OK : RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n_pairs; i++) ends[2 * i] = pairs[i] >> 32, ends[2 * i + 1] = (uint32_t)pairs[i];
    st = rp__dist_agree(cm, st, err);
    for (uint64_t changed = 1; st == RP_OK && changed;) {
        ds->cluster_rounds++;
        /* hooking: each edge's records and their labels' records get the
         * smaller label */
        if ((st = rp__dist_ask(cm, ds, base, ends, 2 * n_pairs, sizeof(uint32_t), label_of, label, lab, err)) != RP_OK)
            break;
        size_t n_prop = 0;
        for (size_t i = 0; i < n_pairs; i++) {
            uint32_t la = lab[2 * i], lb = lab[2 * i + 1], m = la < lb ? la : lb;
            if (la == lb) continue;
            prop[n_prop++] = (proposal){ends[2 * i], m};
            prop[n_prop++] = (proposal){ends[2 * i + 1], m};
            prop[n_prop++] = (proposal){la, m};
            prop[n_prop++] = (proposal){lb, m};
        }
        if (n_prop > 1) qsort(prop, n_prop, sizeof(proposal), cmp_proposal);
        rp_outbox o = {0};
        void *in = NULL;
        if (rp__outbox_init(&o, size)) st = RP_ERR_NOMEM;
        for (size_t i = 0; st == RP_OK && i < n_prop; i++)
            if (!i || prop[i].target != prop[i - 1].target) o.bytes[rp__dist_owner(base, size, prop[i].target)] += sizeof(proposal);
        if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
        for (size_t i = 0; st == RP_OK && i < n_prop; i++) /* the smallest for each record */
            if (!i || prop[i].target != prop[i - 1].target)
                rp__outbox_put(&o, rp__dist_owner(base, size, prop[i].target), &prop[i], sizeof(proposal));
        st = rp__dist_agree(cm, st, err);
        if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
        rp__outbox_free(&o);
        uint64_t moved = 0;
        size_t n_in = 0;
        for (int p = 0; p < size; p++) n_in += (size_t)(in_bytes[p] / sizeof(proposal));
        const proposal *got = in;
        for (size_t i = 0; st == RP_OK && i < n_in; i++) {
            uint64_t v = got[i].target - lo;
            if (got[i].label < label[v]) label[v] = got[i].label, moved++;
        }
        free(in);
        /* jumping: each label becomes its label's label */
        for (uint64_t i = 0; st == RP_OK && i < n_own; i++) ptr[i] = label[i];
        if (st == RP_OK) st = rp__dist_ask(cm, ds, base, ptr, (size_t)n_own, sizeof(uint32_t), label_of, label, up, err);
        for (uint64_t i = 0; st == RP_OK && i < n_own; i++)
            if (up[i] < label[i]) label[i] = up[i], moved++;
        uint64_t any[1] = {moved};
        if (st == RP_OK) st = rp__dist_reduce(cm, any, 1, RP_COMM_SUM, err);
        changed = any[0];
    }
    free(ends), free(lab), free(ptr), free(up), free(prop), free(in_bytes);
    return rp__dist_agree(cm, st, err);
}

/* The clusters: the labels that some other record carries, each counted
 * by its owner. */
static rp_status count_clusters(const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base,
                                const uint32_t *label, char *err, uint64_t *clusters)
{
    int size = cm->size;
    uint64_t lo = base[cm->rank], n_own = base[cm->rank + 1] - lo;
    rp_outbox o = {0};
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    rp_status st = rp__outbox_init(&o, size) || !in_bytes ? RP_ERR_NOMEM : RP_OK;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++)
        if (label[i] != lo + i) o.bytes[rp__dist_owner(base, size, label[i])] += sizeof(uint32_t);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++)
        if (label[i] != lo + i) rp__outbox_put(&o, rp__dist_owner(base, size, label[i]), &label[i], sizeof(uint32_t));
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    uint8_t *seen = st == RP_OK ? calloc((size_t)(n_own ? n_own : 1), 1) : NULL;
    if (st == RP_OK && !seen) st = RP_ERR_NOMEM;
    size_t n_in = 0;
    for (int p = 0; p < size; p++) n_in += (size_t)(in_bytes[p] / sizeof(uint32_t));
    const uint32_t *roots = in;
    *clusters = 0;
    for (size_t i = 0; st == RP_OK && i < n_in; i++)
        if (!seen[roots[i] - lo]) seen[roots[i] - lo] = 1, (*clusters)++;
    free(seen), free(in), free(in_bytes);
    return rp__dist_agree(cm, st, err);
}

/* --------------------------------------------------------- checkpoints
 *
 * With comm->checkpoint, each rank keeps two files there, written whole
 * (a temporary name, then renamed) when a stage ends: rank-R-of-N.sign,
 * its share's records after the sign pass (record index, status, exact
 * hash and band keys, the pass's counts), and rank-R-of-N.pairs, after
 * the verify pass (its exact copies, its similar pairs, the counts of
 * the run so far). A rerun with the same directory, ranks, file and
 * parameters reads back the stages every rank finished: a run that lost a
 * node resumes from its last finished stage. A checkpoint of other
 * parameters, of another file or of another version is not used. */

/* What a dedup run's records depend on. */
static uint64_t params_hash(const rp_params *p)
{
    uint64_t v[13] = {p->ngram, p->num_perm, p->bands, p->rows, p->seed, p->measure, p->spin,
                      p->skip_bad, p->max_doc_bytes, p->max_bucket, p->connect_only, 0, 0};
    memcpy(&v[11], &p->threshold, sizeof(double));
    memcpy(&v[12], &p->size_ratio, sizeof(double));
    uint64_t h = XXH3_64bits(v, sizeof(v));
    const char *f[3] = {p->id_field, p->text_field, rp_version_string()};
    for (int k = 0; k < 3; k++) h = XXH3_64bits_withSeed(f[k] ? f[k] : "", f[k] ? strlen(f[k]) : 0, h);
    return h;
}

static rp_status write_sign(const rp_ckpt *k, FILE *f, void *ctx)
{
    rp_dedup *d = ctx;
    if (fwrite(k->stats, sizeof(*k->stats), 1, f) != 1) return RP_ERR_IO;
    rp_status st = rp__corpus_save_index(k->c, f);
    return st != RP_OK ? st : rp__dedup_save(d, f);
}

static rp_status ckpt_save_sign(const rp_ckpt *k, rp_dedup *d)
{
    return rp__ckpt_write(k, "sign", write_sign, d);
}

static rp_status ckpt_load_sign(const rp_ckpt *k, rp_dedup *d)
{
    FILE *f = rp__ckpt_open(k, "sign");
    rp_status st = f ? RP_OK : RP_ERR_IO;
    if (st == RP_OK && fread(k->stats, sizeof(*k->stats), 1, f) != 1) st = RP_ERR_USAGE;
    if (st == RP_OK) st = rp__corpus_load_index(k->c, f);
    if (st == RP_OK) st = rp__dedup_load(d, f);
    if (f) fclose(f);
    if (st != RP_OK && !k->err[0])
        rp__msg(k->err, "rank %d: the checkpoint of the sign stage cannot be read", k->cm->rank);
    return st;
}

typedef struct {
    const rp_edge *edges;
    size_t n;
    rp_dedup *d;
} pairs_out;

static rp_status write_pairs(const rp_ckpt *k, FILE *f, void *ctx)
{
    pairs_out *po = ctx;
    uint64_t n_own = k->ds->records, copies = 0;
    for (uint64_t i = 0; i < n_own; i++) copies += (uint64_t)rp__dedup_is_exact_copy(po->d, i);
    uint64_t head[5] = {copies, po->n, k->stats->candidate_pairs, k->stats->truncated_buckets,
                        k->stats->verified_pairs};
    if (fwrite(head, sizeof(head), 1, f) != 1 || fwrite(k->ds, sizeof(*k->ds), 1, f) != 1) return RP_ERR_IO;
    for (uint64_t i = 0; i < n_own; i++)
        if (rp__dedup_is_exact_copy(po->d, i) && fwrite(&i, sizeof(i), 1, f) != 1) return RP_ERR_IO;
    return po->n && fwrite(po->edges, sizeof(rp_edge), po->n, f) != po->n ? RP_ERR_IO : RP_OK;
}

static rp_status ckpt_save_pairs(const rp_ckpt *k, rp_dedup *d, const rp_edge *edges, size_t n)
{
    pairs_out po = {edges, n, d};
    return rp__ckpt_write(k, "pairs", write_pairs, &po);
}

/* The pairs stage read back: the exact copies marked, the similar pairs
 * (global numbers) and the counts as they were. */
static rp_status ckpt_load_pairs(const rp_ckpt *k, rp_dedup *d, rp_edge **pairs, size_t *n)
{
    FILE *f = rp__ckpt_open(k, "pairs");
    uint64_t head[5];
    rp_dist_stats was;
    rp_status st = f && fread(head, sizeof(head), 1, f) == 1 && fread(&was, sizeof(was), 1, f) == 1
                       ? RP_OK
                       : RP_ERR_USAGE;
    uint64_t *copies = st == RP_OK ? malloc((size_t)(head[0] ? head[0] : 1) * sizeof(uint64_t)) : NULL;
    *pairs = st == RP_OK ? malloc((size_t)(head[1] ? head[1] : 1) * sizeof(rp_edge)) : NULL;
    if (st == RP_OK && (!copies || !*pairs)) st = RP_ERR_NOMEM;
    if (st == RP_OK && (fread(copies, sizeof(uint64_t), (size_t)head[0], f) != head[0] ||
                        fread(*pairs, sizeof(rp_edge), (size_t)head[1], f) != head[1]))
        st = RP_ERR_USAGE;
    if (st == RP_OK) st = rp__dedup_mark_exact(d, copies, (size_t)head[0]);
    rp__dedup_drop_bands(d);
    if (st == RP_OK) {
        *n = (size_t)head[1];
        k->stats->candidate_pairs = head[2];
        k->stats->truncated_buckets = head[3];
        k->stats->verified_pairs = head[4];
        k->ds->candidates = was.candidates;
        k->ds->ghosts = was.ghosts;
    }
    free(copies);
    if (f) fclose(f);
    if (st == RP_ERR_USAGE && !k->err[0])
        rp__msg(k->err, "rank %d: the checkpoint of the pairs stage cannot be read", k->cm->rank);
    return st;
}

/* Tells the program a stage is safe on disk (its progress callback sees
 * the stage "checkpoint", done = 1 after sign, 2 after the pairs). */
rp_status rp__dedup_run_dist(rp_dedup *d, rp_corpus *c, rp_stats *stats, const rp_comm *cm,
                             rp_dist_stats *ds, uint32_t **labels, rp_edge **edges_out,
                             size_t *n_edges_out, char *err)
{
    memset(ds, 0, sizeof(*ds));
    *labels = NULL;
    *edges_out = NULL;
    *n_edges_out = 0;
    int size = cm->size, rank = cm->rank;
    uint64_t from, to, before;
    double t = rp__seconds(); /* the share's compressed inputs decompressed count as signing */
    rp_status st = rp__dist_share(c, cm, &from, &to, &before, err);
    if (st != RP_OK) return st;
    /* a checkpoint of every rank's stages: the ones all ranks finished are
     * read back instead of done again */
    static const char *const stages[2] = {"sign", "pairs"};
    rp_ckpt ck = {cm, c, stats, ds, err, params_hash(&c->p) ^ rp__corpus_names_hash(c)};
    int have = cm->checkpoint ? rp__ckpt_have(&ck, stages, 2) : 0;
    if ((st = rp__ckpt_agree(cm, &have, err)) != RP_OK) return st;
    if (have >= 1) {
        st = ckpt_load_sign(&ck, d);
        ds->resumed_stage = 1;
    } else {
        st = rp__dedup_sign_range(d, from, to, before);
        if (st == RP_OK && cm->checkpoint) st = ckpt_save_sign(&ck, d);
    }
    ds->sign_seconds = rp__seconds() - t;
    if ((st = rp__dist_agree(cm, st, err)) != RP_OK) return st;
    if (cm->checkpoint && !have) rp__ckpt_reached(c, 1);

    /* global numbers: each rank's first is the count before it */
    uint64_t *base = calloc((size_t)size + 1, sizeof(uint64_t));
    if (!base) st = RP_ERR_NOMEM;
    if ((st = rp__dist_agree(cm, st, err)) != RP_OK) return st;
    base[rank + 1] = rp__dedup_count(d);
    if ((st = rp__dist_reduce(cm, base + 1, (size_t)size, RP_COMM_SUM, err)) != RP_OK) goto done;
    for (int p = 0; p < size; p++) base[p + 1] += base[p];
    ds->records = base[rank + 1] - base[rank];
    ds->first_record = base[rank];
    if (base[size] > UINT32_MAX) { /* the band kernel's and union-find's record numbers */
        rp__msg(err, "%llu records: a distributed run takes at most %u",
                (unsigned long long)base[size], UINT32_MAX);
        st = RP_ERR_LIMIT;
        goto done;
    }

    uint64_t n_own = base[rank + 1] - base[rank];
    rp_edge *edges = NULL;      /* global numbers once verified */
    size_t n_edges = 0;
    if (have >= 2) {
        st = rp__dist_agree(cm, ckpt_load_pairs(&ck, d, &edges, &n_edges), err);
        ds->resumed_stage = 2;
        goto components;
    }
    t = rp__seconds();
    rp_cand *cand = NULL;
    size_t n_cand = 0, cap_cand = 0;
    uint64_t truncated = 0;
    st = exact_pass(d, cm, ds, base, &cand, &n_cand, &cap_cand, err);
    ds->exact_seconds = rp__seconds() - t;
    t = rp__seconds();
    if (st == RP_OK) st = band_pass(d, cm, ds, base, &c->p, &cand, &n_cand, &cap_cand, &truncated, err);
    rp__dedup_drop_bands(d);
    ds->bands_seconds = rp__seconds() - t;
    t = rp__seconds();
    if (st == RP_OK) st = route_candidates(cm, ds, base, &cand, &n_cand, err);
    ds->candidates_seconds = rp__seconds() - t;
    uint64_t counts[2] = {n_cand, truncated};
    if (st == RP_OK && (st = rp__dist_reduce(cm, counts, 2, RP_COMM_SUM, err)) == RP_OK) {
        stats->candidate_pairs = counts[0];
        stats->truncated_buckets = counts[1];
    }
    ds->candidates = n_cand;

    /* verify the own pairs, ghosts read by offset */
    t = rp__seconds();
    uint64_t *ghost_of = NULL; /* ghost i's global number */
    if (st == RP_OK) st = add_ghosts(d, c, cm, ds, base, cand, n_cand, &ghost_of, err);
    uint64_t verified_before = stats->verified_pairs;
    if (st == RP_OK)
        st = c->p.connect_only ? rp__dedup_verify_connecting(d, cand, n_cand, &edges, &n_edges)
                               : rp__dedup_verify(d, cand, n_cand, &edges, &n_edges);
    free(cand);
    st = rp__dist_agree(cm, st, err);
    for (size_t i = 0; st == RP_OK && i < n_edges; i++) { /* back to global numbers */
        edges[i].b = edges[i].b < n_own ? edges[i].b + base[rank] : ghost_of[edges[i].b - n_own];
        edges[i].a += base[rank];
    }
    free(ghost_of);
    ds->verify_seconds = rp__seconds() - t;
    uint64_t verified[1] = {stats->verified_pairs - verified_before};
    if (st == RP_OK && (st = rp__dist_reduce(cm, verified, 1, RP_COMM_SUM, err)) == RP_OK)
        stats->verified_pairs = verified[0];
    if (st == RP_OK && cm->checkpoint) st = rp__dist_agree(cm, ckpt_save_pairs(&ck, d, edges, n_edges), err);
    if (st == RP_OK && cm->checkpoint) rp__ckpt_reached(c, 2);

components:
    /* the components: each own record's label, its earliest document */
    ds->edges = n_edges;
    t = rp__seconds();
    uint32_t *label = NULL;
    uint64_t *pairs = NULL;
    uint64_t found[2] = {n_edges, 0}; /* similar pairs, clusters */
    if (st == RP_OK) {
        label = malloc((size_t)(n_own ? n_own : 1) * sizeof(uint32_t));
        pairs = malloc((n_edges ? n_edges : 1) * sizeof(uint64_t));
        if (!label || !pairs) st = RP_ERR_NOMEM;
        for (size_t i = 0; st == RP_OK && i < n_edges; i++) pairs[i] = (uint64_t)edges[i].a << 32 | edges[i].b;
        st = rp__dist_agree(cm, st, err);
    }
    uint64_t all_edges[1] = {n_edges};
    if (st == RP_OK) st = rp__dist_reduce(cm, all_edges, 1, RP_COMM_SUM, err);
    uint64_t limit = cm->gather_edges ? cm->gather_edges : RP_GATHER_EDGES;
    if (st == RP_OK)
        st = all_edges[0] <= limit ? components_on_rank0(cm, ds, base, pairs, n_edges, label, err)
                                   : components_by_labels(cm, ds, base, pairs, n_edges, label, err);
    free(pairs);
    uint8_t *removed = NULL;
    if (st == RP_OK) {
        removed = malloc((size_t)(n_own ? n_own : 1));
        if (!removed) st = RP_ERR_NOMEM;
        for (uint64_t i = 0; st == RP_OK && i < n_own; i++) removed[i] = label[i] != base[rank] + i;
        st = rp__dist_agree(cm, st, err);
    }
    if (st == RP_OK) st = count_clusters(cm, ds, base, label, err, &found[1]);
    if (st == RP_OK) *labels = label, *edges_out = edges, *n_edges_out = n_edges;
    else free(label), free(edges);
    if (st == RP_OK) st = rp__dedup_set_removed(d, removed, (size_t)n_own);
    free(removed);
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK && (st = rp__dist_reduce(cm, found, 2, RP_COMM_SUM, err)) == RP_OK) {
        stats->similar_pairs = found[0];
        stats->clusters = found[1];
    }
    ds->cluster_seconds = rp__seconds() - t;

    /* the run's counts, on every rank */
    if (st == RP_OK) {
        uint64_t v[5 + RP_STATUS_COUNT] = {stats->read, stats->kept, stats->removed, stats->removed_exact,
                                           stats->rejected};
        for (int k = 0; k < RP_STATUS_COUNT; k++) v[5 + k] = stats->rejected_by[k];
        uint64_t bytes[1] = {stats->bytes};
        if ((st = rp__dist_reduce(cm, v, 5 + RP_STATUS_COUNT, RP_COMM_SUM, err)) == RP_OK &&
            (st = rp__dist_reduce(cm, bytes, 1, RP_COMM_SUM, err)) == RP_OK) {
            stats->read = v[0], stats->kept = v[1], stats->removed = v[2], stats->removed_exact = v[3];
            stats->rejected = v[4];
            for (int k = 0; k < RP_STATUS_COUNT; k++) stats->rejected_by[k] = v[5 + k];
            stats->bytes = bytes[0];
        }
    }
done:
    free(base);
    return st;
}

/* ------------------------------------------------------------ clusters */

typedef struct {
    const uint32_t *label;
    const uint8_t *listed;    /* per own record: a member, or the root of some */
    uint64_t first;           /* the global number of the first own record */
    uint64_t n_own;
    rp_buf out;               /* (root, record, is_number, id length, id bytes) */
} id_collect;

static int listed_record(void *ctx, uint64_t rec)
{
    const id_collect *ic = ctx;
    return rec < ic->n_own && ic->listed[rec];
}

static rp_status collect_id(void *ctx, const rp_record *r)
{
    id_collect *ic = ctx;
    if (r->status != RP_OK) return RP_OK;
    uint64_t head[3] = {ic->label[r->rec], ic->first + r->rec, (uint64_t)r->doc.id.is_number << 32 | r->doc.id.len};
    return rp__buf_append(&ic->out, head, sizeof(head)) || rp__buf_append(&ic->out, r->doc.id.str, r->doc.id.len)
               ? RP_ERR_NOMEM
               : RP_OK;
}

typedef struct {
    uint64_t root, rec;
    const char *id;
    size_t len;
    int is_number;
} member;

static int cmp_member(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->root != b->root) return a->root < b->root ? -1 : 1;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}

rp_status rp__dedup_dist_clusters(rp_dedup *d, rp_corpus *c, const rp_comm *cm, const rp_dist_stats *ds,
                                  const uint32_t *label, int (*fn)(void *, const rp_cluster *), void *user,
                                  char *err)
{
    (void)d;
    int size = cm->size;
    rp_dist_stats scratch = *ds; /* exchanges counted apart from the run's */
    uint64_t *base;
    rp_status st = label ? rp__dist_bases(cm, ds, &base, err) : rp__dist_agree(cm, RP_ERR_USAGE, err);
    if (st != RP_OK) return st;
    uint64_t lo = base[cm->rank], n_own = ds->records;
    /* the roots learn they are roots: each member's label to its owner */
    rp_outbox o = {0};
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    uint8_t *listed = calloc((size_t)(n_own ? n_own : 1), 1);
    if (rp__outbox_init(&o, size) || !in_bytes || !listed) st = RP_ERR_NOMEM;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++)
        if (label[i] != lo + i) o.bytes[rp__dist_owner(base, size, label[i])] += sizeof(uint32_t), listed[i] = 1;
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++)
        if (label[i] != lo + i) rp__outbox_put(&o, rp__dist_owner(base, size, label[i]), &label[i], sizeof(uint32_t));
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, &scratch, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    size_t n_in = 0;
    for (int p = 0; p < size; p++) n_in += (size_t)(in_bytes[p] / sizeof(uint32_t));
    for (size_t i = 0; st == RP_OK && i < n_in; i++) listed[((const uint32_t *)in)[i] - lo] = 1;
    free(in);
    in = NULL;
    /* their ids, read again from the input, to rank 0 */
    id_collect ic = {label, listed, lo, n_own, {0}};
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_agree(cm, rp__corpus_pass(c, "clusters", 1, listed_record, collect_id, NULL, &ic), err);
    uint64_t *send_bytes = calloc((size_t)size, sizeof(uint64_t));
    if (st == RP_OK && !send_bytes) st = RP_ERR_NOMEM;
    if (st == RP_OK) send_bytes[0] = ic.out.len;
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, &scratch, ic.out.data, send_bytes, &in, in_bytes, err);
    rp__buf_free(&ic.out);
    free(listed), free(send_bytes);
    /* rank 0: the members by root, then by record: clusters in input order
     * of their first, as one process lists them */
    if (st == RP_OK && cm->rank == 0) {
        size_t total = 0, n = 0, cap = 0;
        for (int p = 0; p < size; p++) total += (size_t)in_bytes[p];
        member *m = NULL;
        rp_id *ids = NULL;
        for (size_t at = 0; st == RP_OK && at < total;) {
            uint64_t head[3];
            memcpy(head, (const char *)in + at, sizeof(head));
            at += sizeof(head);
            if (rp__grow((void **)&m, &cap, n + 1, sizeof(member))) {
                st = RP_ERR_NOMEM;
                break;
            }
            m[n++] = (member){head[0], head[1], (const char *)in + at, (size_t)(uint32_t)head[2], (int)(head[2] >> 32)};
            at += (size_t)(uint32_t)head[2];
        }
        if (st == RP_OK && n > 1) qsort(m, n, sizeof(member), cmp_member);
        if (st == RP_OK && !(ids = malloc((n ? n : 1) * sizeof(rp_id)))) st = RP_ERR_NOMEM;
        uint64_t number = 0;
        for (size_t i = 0; st == RP_OK && i < n;) {
            size_t j = i + 1;
            while (j < n && m[j].root == m[i].root) j++;
            for (size_t k = i; k < j; k++) ids[k - i] = (rp_id){m[k].id, m[k].len, m[k].is_number};
            rp_cluster cl = {++number, ids[0], ids, j - i};
            if (fn && fn(user, &cl)) break;
            i = j;
        }
        free(m), free(ids);
    }
    free(in), free(in_bytes), free(base);
    return rp__dist_agree(cm, st, err);
}

/* --------------------------------------------------------------- pairs */

typedef struct {
    uint64_t rec;
    uint32_t copy;
    const char *id;
    size_t len;
    int is_number;
} named;

static int cmp_named(const void *x, const void *y)
{
    uint64_t a = ((const named *)x)->rec, b = ((const named *)y)->rec;
    return a < b ? -1 : a > b;
}

typedef struct {
    const named *v;
    size_t n;
} named_view;

static uint32_t named_slot(void *ctx, uint64_t rec)
{
    const named_view *nv = ctx;
    size_t lo = 0, hi = nv->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nv->v[mid].rec < rec) lo = mid + 1;
        else hi = mid;
    }
    return (uint32_t)lo;
}

static int named_copy(void *ctx, uint64_t rec)
{
    const named_view *nv = ctx;
    return (int)nv->v[named_slot(ctx, rec)].copy;
}

static rp_id named_id(void *ctx, uint64_t rec)
{
    const named_view *nv = ctx;
    const named *x = &nv->v[named_slot(ctx, rec)];
    return (rp_id){x->id, x->len, x->is_number};
}

rp_status rp__dedup_dist_pairs(rp_corpus *c, const rp_comm *cm, const rp_dist_stats *ds,
                               const rp_dedup *d, const rp_edge *edges, size_t n_edges,
                               int (*fn)(void *, const rp_pair *), void *user, char *err)
{
    int size = cm->size;
    rp_dist_stats scratch = *ds; /* exchanges counted apart from the run's */
    uint64_t *base;
    rp_status st = rp__dist_bases(cm, ds, &base, err);
    if (st != RP_OK) return st;
    uint64_t lo = base[cm->rank], n_own = ds->records;
    /* the owners learn which of their records the pairs name */
    rp_outbox o = {0};
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t)), *send_bytes = calloc((size_t)size, sizeof(uint64_t));
    uint8_t *listed = calloc((size_t)(n_own ? n_own : 1), 1);
    if (rp__outbox_init(&o, size) || !in_bytes || !send_bytes || !listed) st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n_edges; i++) {
        o.bytes[rp__dist_owner(base, size, edges[i].a)] += sizeof(uint64_t);
        o.bytes[rp__dist_owner(base, size, edges[i].b)] += sizeof(uint64_t);
    }
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n_edges; i++) {
        uint64_t a = edges[i].a, b = edges[i].b; /* record numbers go as 8 bytes */
        rp__outbox_put(&o, rp__dist_owner(base, size, a), &a, sizeof(a));
        rp__outbox_put(&o, rp__dist_owner(base, size, b), &b, sizeof(b));
    }
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, &scratch, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    size_t n_in = 0;
    for (int p = 0; p < size; p++) n_in += (size_t)(in_bytes[p] / sizeof(uint64_t));
    for (size_t i = 0; st == RP_OK && i < n_in; i++) listed[((const uint64_t *)in)[i] - lo] = 1;
    free(in);
    in = NULL;
    /* their ids (the label slot carries whether each is an exact copy) */
    uint32_t *copy = st == RP_OK ? malloc((size_t)(n_own ? n_own : 1) * sizeof(uint32_t)) : NULL;
    if (st == RP_OK && !copy) st = RP_ERR_NOMEM;
    for (uint64_t i = 0; st == RP_OK && i < n_own; i++) copy[i] = (uint32_t)rp__dedup_is_exact_copy(d, i);
    id_collect ic = {copy, listed, lo, n_own, {0}};
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_agree(cm, rp__corpus_pass(c, "pairs", 1, listed_record, collect_id, NULL, &ic), err);
    if (st == RP_OK) send_bytes[0] = ic.out.len;
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, &scratch, ic.out.data, send_bytes, &in, in_bytes, err);
    rp__buf_free(&ic.out);
    free(listed), free(copy);
    /* and the edges, to rank 0 */
    void *all_edges = NULL;
    uint64_t *edge_bytes = calloc((size_t)size, sizeof(uint64_t));
    if (st == RP_OK && !edge_bytes) st = RP_ERR_NOMEM;
    if (st == RP_OK) send_bytes[0] = n_edges * sizeof(rp_edge);
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, &scratch, edges, send_bytes, &all_edges, edge_bytes, err);
    if (st == RP_OK && cm->rank == 0) {
        size_t total = 0, n = 0, cap = 0, ne = 0;
        for (int p = 0; p < size; p++) total += (size_t)in_bytes[p], ne += (size_t)(edge_bytes[p] / sizeof(rp_edge));
        named *v = NULL;
        for (size_t at = 0; st == RP_OK && at < total;) {
            uint64_t head[3];
            memcpy(head, (const char *)in + at, sizeof(head));
            at += sizeof(head);
            if (rp__grow((void **)&v, &cap, n + 1, sizeof(named))) {
                st = RP_ERR_NOMEM;
                break;
            }
            v[n++] = (named){head[1], (uint32_t)head[0], (const char *)in + at, (size_t)(uint32_t)head[2],
                             (int)(head[2] >> 32)};
            at += (size_t)(uint32_t)head[2];
        }
        if (st == RP_OK && n > 1) qsort(v, n, sizeof(named), cmp_named);
        named_view nv = {v, n};
        rp_pair_view pv = {n, named_slot, named_copy, named_id, &nv};
        rp_edges e = rp__edges_of(all_edges, ne);
        if (st == RP_OK) st = rp__pairs_list(&e, &pv, fn, user);
        free(v);
    }
    free(all_edges), free(edge_bytes), free(in), free(in_bytes), free(send_bytes), free(base);
    return rp__dist_agree(cm, st, err);
}
