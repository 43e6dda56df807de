/*
 * align_dist.c — align as one rank of a distributed run (over rp_comm, as
 * dedup_dist.c). The passes are align_task.c's; this file says who does
 * which part and what crosses between the ranks. Its outcome, the ranks'
 * alignments listed in rank order, is one process's list.
 *
 * Fingerprint: each rank reads the lines that start in its share of the
 *   file's bytes (rp__align_task_fingerprint_range); record numbers become
 *   global by the counts of the ranks before it. The word counts are
 *   summed, and, when boilerplate is judged, every rank gets every
 *   record's site (4 bytes a record): a fingerprint is judged by the sites
 *   of all its documents and the whole corpus's page counts.
 * Index: each (key, record) entry goes to the rank that owns the key's
 *   range of 2^32, sixteen of the 256 partitions an exchange. The entries
 *   arrive in rank order, each rank's in record order, so a key lists its
 *   documents in global order as on one machine, and its pairs, its star
 *   and its judgement are the same.
 * Candidates: each rank searches each group of partitions as it arrives
 *   (rp__align_task_search_parts: a rank never holds its share of the
 *   index twice); every pair goes to the owner of its first record, where
 *   the counts of star and sentence pairs are made whole and the lists
 *   combined (rp__align_task_combine); the boilerplate fingerprints go to
 *   everyone, since any rank may collect a page that holds them. The pairs
 *   are then spread evenly: rank r aligns the r-th size-th of them in
 *   order, so that rank order is still pair order.
 * Collect and align: the records of a rank's pairs that are other ranks'
 *   are read from the shared file by offset (ghosts; their lines, which
 *   name id-less records, told by their owners); no text is shipped. Each
 *   record's boilerplate is counted once, by its owner when it collects
 *   it, else by the first rank that asked for it.
 * Checkpoints (comm->checkpoint): after the fingerprints, and after the
 *   candidates are spread.
 */
#include "dist.h"
#include "corpus_impl.h"

#include <string.h>
#include <xxhash.h>

#define GROUP 16 /* partitions an exchange of the index */

static rp_status words_summed(rp_align_task *ru, const rp_comm *cm, char *err)
{
    uint64_t *w = malloc(RP_ALIGN_WORD_SLOTS * sizeof(uint64_t));
    rp_status st = rp__dist_agree(cm, w ? RP_OK : RP_ERR_NOMEM, err);
    if (st == RP_OK) {
        rp__align_task_words(ru, w);
        st = rp__dist_reduce(cm, w, RP_ALIGN_WORD_SLOTS, RP_COMM_SUM, err);
    }
    if (st == RP_OK) rp__align_task_set_words(ru, w);
    free(w);
    return st;
}

/* Every rank's sites to every rank: the whole corpus's, in record order. */
static rp_status sites_gathered(rp_align_task *ru, const rp_comm *cm, rp_dist_stats *ds, uint64_t total,
                                char *err)
{
    size_t n;
    const uint32_t *own = rp__align_task_sites(ru, &n);
    uint64_t want = ds->records;
    rp_outbox o;
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)cm->size, sizeof(uint64_t));
    rp_status st = rp__outbox_init(&o, cm->size) || !in_bytes || n < want ? RP_ERR_NOMEM : RP_OK;
    for (int p = 0; st == RP_OK && p < cm->size; p++) o.bytes[p] = want * sizeof(uint32_t);
    if (st == RP_OK && rp__outbox_alloc(&o, cm->size)) st = RP_ERR_NOMEM;
    for (int p = 0; st == RP_OK && p < cm->size; p++) rp__outbox_put(&o, p, own, want * sizeof(uint32_t));
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    free(in_bytes);
    if (st == RP_OK && !in && total) st = RP_ERR_NOMEM;
    if (st == RP_OK) st = rp__align_task_set_sites(ru, in, (size_t)total, 1);
    else free(in);
    return rp__dist_agree(cm, st, err);
}

/* The index's entries to the owners of their keys, a group of partitions
 * at a time: for each destination, per partition a count and its entries
 * (key << 32 | global record); each group's keys searched as it arrives,
 * into lists. */
static rp_status index_shuffled(rp_align_task *ru, const rp_comm *cm, rp_dist_stats *ds, uint64_t first,
                                rp_u64s lists[RP_ALIGN_LISTS], double *search_seconds, char *err)
{
    int size = cm->size;
    rp_status st = RP_OK;
    uint64_t *cnt = calloc((size_t)GROUP * (size_t)size, sizeof(uint64_t));
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    if (!cnt || !in_bytes) st = RP_ERR_NOMEM;
    for (unsigned g = 0; g < RP_ALIGN_PARTS && (st = rp__dist_agree(cm, st, err)) == RP_OK; g += GROUP) {
        uint64_t *v[GROUP] = {0};
        size_t n[GROUP] = {0};
        rp_outbox o;
        if (rp__outbox_init(&o, size)) st = RP_ERR_NOMEM;
        memset(cnt, 0, (size_t)GROUP * (size_t)size * sizeof(uint64_t));
        for (unsigned k = 0; k < GROUP && st == RP_OK; k++) {
            st = rp__align_task_take_part(ru, g + k, &v[k], &n[k]);
            for (size_t i = 0; st == RP_OK && i < n[k]; i++)
                cnt[k * (size_t)size + (size_t)rp__dist_range_owner(v[k][i] >> 32, size)]++;
            for (int p = 0; st == RP_OK && p < size; p++)
                o.bytes[p] += (1 + cnt[k * (size_t)size + (size_t)p]) * sizeof(uint64_t);
        }
        if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
        for (unsigned k = 0; k < GROUP && st == RP_OK; k++) {
            for (int p = 0; p < size; p++) rp__outbox_put(&o, p, &cnt[k * (size_t)size + (size_t)p], sizeof(uint64_t));
            for (size_t i = 0; i < n[k]; i++) {
                uint64_t e = (v[k][i] & 0xFFFFFFFF00000000ULL) | ((v[k][i] & 0xFFFFFFFFULL) + first);
                rp__outbox_put(&o, rp__dist_range_owner(v[k][i] >> 32, size), &e, sizeof(e));
            }
        }
        for (unsigned k = 0; k < GROUP; k++) free(v[k]);
        void *in = NULL;
        if ((st = rp__dist_agree(cm, st, err)) == RP_OK)
            st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
        rp__outbox_free(&o);
        /* in rank order, each rank's partitions in turn */
        const uint64_t *at = in;
        for (int p = 0; st == RP_OK && p < size; p++) {
            const uint64_t *end = at + in_bytes[p] / sizeof(uint64_t);
            for (unsigned k = 0; k < GROUP && st == RP_OK; k++) {
                if (at >= end || (uint64_t)(end - at - 1) < at[0]) {
                    rp__msg(err, "rank %d: a malformed exchange of the index", cm->rank);
                    st = RP_ERR_IO;
                    break;
                }
                size_t m = (size_t)at[0];
                st = rp__align_task_add_part(ru, g + k, at + 1, m);
                at += 1 + m;
            }
        }
        free(in);
        /* the group's keys searched now: what arrived is let go before the
         * next group comes */
        double t = rp__seconds();
        if (st == RP_OK) st = rp__align_task_search_parts(ru, g, g + GROUP, lists);
        *search_seconds += rp__seconds() - t;
    }
    free(cnt);
    free(in_bytes);
    return st;
}

/* The packed outbox sent (its list l freed), and what every rank sent
 * this one, in rank order, becomes l. */
static rp_status list_sent(const rp_comm *cm, rp_dist_stats *ds, rp_outbox *o, rp_status st, rp_u64s *l,
                           char *err)
{
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)cm->size, sizeof(uint64_t));
    if (!in_bytes) st = RP_ERR_NOMEM;
    free(l->v);
    *l = (rp_u64s){0};
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o->data, o->bytes, &in, in_bytes, err);
    rp__outbox_free(o);
    if (st == RP_OK) {
        uint64_t t = 0;
        for (int p = 0; p < cm->size; p++) t += in_bytes[p];
        l->v = in;
        l->n = l->cap = (size_t)(t / sizeof(uint64_t));
    } else {
        free(in);
    }
    free(in_bytes);
    return rp__dist_agree(cm, st, err);
}

/* A list of pairs (a << 32 | b, global) to the owner of each first record;
 * what came, from every rank, replaces it. */
static rp_status pairs_routed(const rp_comm *cm, rp_dist_stats *ds, const uint64_t *base, rp_u64s *l,
                              char *err)
{
    int size = cm->size;
    rp_outbox o;
    rp_status st = rp__outbox_init(&o, size) ? RP_ERR_NOMEM : RP_OK;
    for (size_t i = 0; st == RP_OK && i < l->n; i++)
        o.bytes[rp__dist_owner(base, size, l->v[i] >> 32)] += sizeof(uint64_t);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < l->n; i++)
        rp__outbox_put(&o, rp__dist_owner(base, size, l->v[i] >> 32), &l->v[i], sizeof(uint64_t));
    return list_sent(cm, ds, &o, st, l, err);
}

/* A list to every rank: all ranks' lists joined in rank order. */
static rp_status list_to_all(const rp_comm *cm, rp_dist_stats *ds, rp_u64s *l, char *err)
{
    int size = cm->size;
    rp_outbox o;
    rp_status st = rp__outbox_init(&o, size) ? RP_ERR_NOMEM : RP_OK;
    for (int p = 0; st == RP_OK && p < size; p++) o.bytes[p] = l->n * sizeof(uint64_t);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (int p = 0; st == RP_OK && p < size; p++) rp__outbox_put(&o, p, l->v, l->n * sizeof(uint64_t));
    return list_sent(cm, ds, &o, st, l, err);
}

/* ------------------------------------------------------------- ghosts */

typedef struct {
    uint64_t off, line;
    uint32_t len;
    uint32_t counted; /* the asker counts its boilerplate */
    uint32_t file, pad;
} ghost_where;

typedef struct {
    rp_corpus *c;
    const uint8_t *collected; /* per own record: in one of this rank's pairs */
    uint8_t *asked;           /* per own record: another rank asked for it */
} ghost_owner;

static rp_status where_answer(void *ctx, uint64_t local, void *out)
{
    ghost_owner *g = ctx;
    ghost_where w = {0, 0, UINT32_MAX, 0, 0, 0};
    if (!rp__corpus_record_at(g->c, local, &w.file, &w.off, &w.len)) return RP_ERR_USAGE;
    w.line = rp__index_line_of(g->c, rp__corpus_input_of(g->c, local), local);
    /* questions come in rank order: the first asker of a record its owner
     * does not collect counts it */
    w.counted = !g->collected[local] && !g->asked[local];
    g->asked[local] = 1;
    memcpy(out, &w, sizeof(w));
    return RP_OK;
}

/* The other ranks' records of this rank's pairs appended as ghosts, the
 * pairs renumbered (own records from 0, then the ghosts), the task told
 * every record's global number, site and who counts it. */
static rp_status ghosts_added(rp_align_task *ru, rp_corpus *c, const rp_comm *cm, rp_dist_stats *ds,
                              const uint64_t *base, rp_cand *cand, size_t n_cand, char *err)
{
    uint64_t lo = base[cm->rank], hi = base[cm->rank + 1], n_own = hi - lo;
    uint64_t *want = malloc((n_cand ? 2 * n_cand : 1) * sizeof(uint64_t));
    uint8_t *collected = calloc((size_t)(n_own ? n_own : 1), 1), *asked = calloc((size_t)(n_own ? n_own : 1), 1);
    size_t n_want = 0;
    rp_status st = want && collected && asked ? RP_OK : RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n_cand; i++) {
        uint64_t r[2] = {cand[i].a, cand[i].b};
        for (int k = 0; k < 2; k++) {
            if (r[k] < lo || r[k] >= hi) want[n_want++] = r[k];
            else collected[r[k] - lo] = 1;
        }
    }
    if (st == RP_OK && (n_want = rp__sort_unique_u64(want, n_want, NULL)) == SIZE_MAX)
        st = RP_ERR_NOMEM, n_want = 0;
    ghost_where *gw = st == RP_OK ? malloc((n_want ? n_want : 1) * sizeof(ghost_where)) : NULL;
    if (st == RP_OK && !gw) st = RP_ERR_NOMEM;
    ghost_owner owner = {c, collected, asked};
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK)
        st = rp__dist_ask(cm, ds, base, want, n_want, sizeof(ghost_where), where_answer, &owner, gw, err);
    size_t n_local = (size_t)n_own + n_want;
    uint64_t *off = NULL, *line = NULL, *global_of = NULL;
    uint32_t *len = NULL, *site = NULL, *file = NULL;
    uint8_t *uncounted = NULL;
    if (st == RP_OK) {
        file = malloc((n_want ? n_want : 1) * sizeof(uint32_t));
        off = malloc((n_want ? n_want : 1) * sizeof(uint64_t));
        line = malloc((n_want ? n_want : 1) * sizeof(uint64_t));
        len = malloc((n_want ? n_want : 1) * sizeof(uint32_t));
        global_of = malloc((n_local ? n_local : 1) * sizeof(uint64_t));
        site = calloc(n_local ? n_local : 1, sizeof(uint32_t));
        uncounted = calloc(n_local ? n_local : 1, 1);
        if (!file || !off || !line || !len || !global_of || !site || !uncounted) st = RP_ERR_NOMEM;
    }
    for (size_t i = 0; st == RP_OK && i < n_want; i++) {
        file[i] = gw[i].file, off[i] = gw[i].off, len[i] = gw[i].len, line[i] = gw[i].line;
        uncounted[n_own + i] = !gw[i].counted;
    }
    if (st == RP_OK) st = rp__corpus_add_ghosts(c, file, off, len, line, n_want);
    if (st == RP_OK) {
        size_t n_all;
        const uint32_t *all = rp__align_task_sites(ru, &n_all);
        for (size_t i = 0; i < n_local; i++) {
            global_of[i] = i < n_own ? lo + i : want[i - n_own];
            site[i] = c->p.boilerplate != RP_BOILERPLATE_OFF && global_of[i] < n_all ? all[global_of[i]] : 0;
        }
        for (size_t i = 0; i < n_cand; i++) {
            uint64_t r[2] = {cand[i].a, cand[i].b};
            for (int k = 0; k < 2; k++)
                r[k] = r[k] >= lo && r[k] < hi ? r[k] - lo : n_own + rp__lower_bound_u64(want, n_want, r[k]);
            cand[i] = (rp_cand){r[0], r[1]};
        }
        rp__align_task_set_global(ru, global_of, uncounted);
        global_of = NULL, uncounted = NULL;
        st = rp__align_task_set_sites(ru, site, n_local, 0);
        site = NULL;
    }
    ds->ghosts = n_want;
    free(want), free(collected), free(asked), free(gw), free(file), free(off), free(line), free(len);
    free(global_of), free(site), free(uncounted);
    return rp__dist_agree(cm, st, err);
}

/* The rank that aligns pair g of total. */
static int target(uint64_t g, int size, uint64_t total)
{
    uint64_t s = (uint64_t)size;
    return (int)(total <= UINT64_MAX / s ? g * s / total : g / (total / s + 1));
}

/* The pairs (sorted; global numbers) spread evenly over the ranks: rank r
 * aligns the r-th size-th of all of them in order, wherever their
 * documents lie (the owners of first documents would have the most: a
 * copy comes after its source), so the ranks' alignments in rank order
 * are still in pair order. */
static rp_status pairs_balanced(const rp_comm *cm, rp_dist_stats *ds, rp_cand **cand, size_t *n_cand, char *err)
{
    int size = cm->size;
    uint64_t *count = calloc((size_t)size, sizeof(uint64_t));
    rp_status st = rp__dist_agree(cm, count ? RP_OK : RP_ERR_NOMEM, err);
    if (st != RP_OK) {
        free(count);
        return st;
    }
    count[cm->rank] = *n_cand;
    st = rp__dist_reduce(cm, count, (size_t)size, RP_COMM_SUM, err);
    uint64_t first = 0, total = 0;
    for (int p = 0; p < size; p++) total += count[p], first += p < cm->rank ? count[p] : 0;
    free(count);
    if (st != RP_OK) return st;
    rp_outbox o;
    void *in = NULL;
    uint64_t *in_bytes = calloc((size_t)size, sizeof(uint64_t));
    if (rp__outbox_init(&o, size) || !in_bytes) st = RP_ERR_NOMEM;
#define TARGET(i) target(first + (i), size, total)
    for (size_t i = 0; st == RP_OK && i < *n_cand; i++) o.bytes[TARGET(i)] += sizeof(rp_cand);
    if (st == RP_OK && rp__outbox_alloc(&o, size)) st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < *n_cand; i++) rp__outbox_put(&o, TARGET(i), &(*cand)[i], sizeof(rp_cand));
#undef TARGET
    st = rp__dist_agree(cm, st, err);
    if (st == RP_OK) st = rp__dist_xchg(cm, ds, o.data, o.bytes, &in, in_bytes, err);
    rp__outbox_free(&o);
    if (st == RP_OK) {
        uint64_t t = 0;
        for (int p = 0; p < size; p++) t += in_bytes[p];
        free(*cand);
        *cand = in;
        *n_cand = (size_t)(t / sizeof(rp_cand));
    } else {
        free(in);
    }
    free(in_bytes);
    return rp__dist_agree(cm, st, err);
}

/* --------------------------------------------------------- checkpoints
 *
 * Two stages, each rank's written whole when it ends (dist.h):
 * rank-R-of-N.fingerprints after pass 1 (its counts, record index, word
 * counts, sites and the index's entries) and rank-R-of-N.candidates once
 * the pairs are found and spread (its counts, record index, the whole
 * corpus's word counts and sites, the boilerplate fingerprints, its
 * pairs). A rerun reads back the stages every rank finished. */

/* What an align run's candidates depend on. */
static uint64_t params_hash(const rp_params *p)
{
    uint64_t v[14] = {p->fingerprint_ngram, p->min_words, p->max_df, p->boilerplate, p->site_pages, p->spin,
                      p->rewrites, p->skip_bad, p->max_doc_bytes, p->seed, p->task, p->groups,
                      p->max_partners, 0};
    uint64_t h = XXH3_64bits(v, sizeof(v));
    const char *f[5] = {p->id_field, p->text_field, p->site_field, p->url_field, rp_version_string()};
    for (int k = 0; k < 5; k++) h = XXH3_64bits_withSeed(f[k] ? f[k] : "", f[k] ? strlen(f[k]) : 0, h);
    return h;
}

static rp_status write_fingerprints(const rp_ckpt *k, FILE *f, void *ctx)
{
    if (fwrite(k->stats, sizeof(*k->stats), 1, f) != 1) return RP_ERR_IO;
    rp_status st = rp__corpus_save_index(k->c, f);
    return st != RP_OK ? st : rp__align_task_save_fingerprints(ctx, f);
}

static rp_status ckpt_load_fingerprints(const rp_ckpt *k, rp_align_task *ru)
{
    FILE *f = rp__ckpt_open(k, "fingerprints");
    rp_status st = f ? RP_OK : RP_ERR_IO;
    if (st == RP_OK && fread(k->stats, sizeof(*k->stats), 1, f) != 1) st = RP_ERR_USAGE;
    if (st == RP_OK) st = rp__corpus_load_index(k->c, f);
    if (st == RP_OK) st = rp__align_task_load_fingerprints(ru, k->c, k->stats, k->err, f);
    if (f) fclose(f);
    if (st != RP_OK && !k->err[0])
        rp__msg(k->err, "rank %d: the checkpoint of the fingerprints cannot be read", k->cm->rank);
    return st;
}

typedef struct {
    rp_align_task *ru;
    const rp_cand *cand;
    size_t n;
} cands_out;

static rp_status write_candidates(const rp_ckpt *k, FILE *f, void *ctx)
{
    const cands_out *co = ctx;
    uint64_t n = co->n;
    if (fwrite(k->stats, sizeof(*k->stats), 1, f) != 1 || fwrite(k->ds, sizeof(*k->ds), 1, f) != 1) return RP_ERR_IO;
    rp_status st = rp__corpus_save_index(k->c, f);
    if (st == RP_OK) st = rp__align_task_save_judged(co->ru, f);
    if (st == RP_OK && (fwrite(&n, sizeof(n), 1, f) != 1 || (n && fwrite(co->cand, sizeof(rp_cand), co->n, f) != co->n)))
        st = RP_ERR_IO;
    return st;
}

static rp_status ckpt_load_candidates(const rp_ckpt *k, rp_align_task *ru, rp_cand **cand, size_t *n_cand)
{
    FILE *f = rp__ckpt_open(k, "candidates");
    rp_status st = f ? RP_OK : RP_ERR_IO;
    uint64_t n = 0;
    if (st == RP_OK && (fread(k->stats, sizeof(*k->stats), 1, f) != 1 || fread(k->ds, sizeof(*k->ds), 1, f) != 1))
        st = RP_ERR_USAGE;
    if (st == RP_OK) st = rp__corpus_load_index(k->c, f);
    if (st == RP_OK) st = rp__align_task_load_judged(ru, k->c, k->stats, k->err, f);
    if (st == RP_OK && (fread(&n, sizeof(n), 1, f) != 1 || n > SIZE_MAX / sizeof(rp_cand))) st = RP_ERR_USAGE;
    if (st == RP_OK && !(*cand = malloc((size_t)(n ? n : 1) * sizeof(rp_cand)))) st = RP_ERR_NOMEM;
    if (st == RP_OK && n && fread(*cand, sizeof(rp_cand), (size_t)n, f) != n) st = RP_ERR_USAGE;
    if (st == RP_OK) *n_cand = (size_t)n;
    if (f) fclose(f);
    if (st != RP_OK && !k->err[0])
        rp__msg(k->err, "rank %d: the checkpoint of the candidates cannot be read", k->cm->rank);
    return st;
}

/* ---------------------------------------------------------------- run */

rp_status rp__align_task_run_dist(rp_align_task *ru, rp_corpus *c, rp_stats *stats, const rp_comm *cm,
                                  rp_dist_stats *ds, char *err)
{
    memset(ds, 0, sizeof(*ds));
    uint64_t from, to, before;
    double t = rp__seconds(); /* the share's compressed inputs decompressed count as fingerprinting */
    rp_status st = rp__dist_share(c, cm, &from, &to, &before, err);
    if (st != RP_OK) return st;
    int size = cm->size, rank = cm->rank;
    static const char *const stages[2] = {"fingerprints", "candidates"};
    rp_ckpt ck = {cm, c, stats, ds, err, params_hash(&c->p) ^ rp__corpus_names_hash(c)};
    int have = cm->checkpoint ? rp__ckpt_have(&ck, stages, 2) : 0;
    if ((st = rp__ckpt_agree(cm, &have, err)) != RP_OK) return st;
    rp_cand *cand = NULL;
    size_t n_cand = 0;
    if (have == 2) {
        st = rp__dist_agree(cm, ckpt_load_candidates(&ck, ru, &cand, &n_cand), err);
        ds->resumed_stage = 2;
    } else if (have == 1) {
        st = rp__dist_agree(cm, ckpt_load_fingerprints(&ck, ru), err);
        ds->resumed_stage = 1;
    } else {
        st = rp__align_task_fingerprint_range(ru, c, stats, err, from, to, before);
        if (st == RP_OK && cm->checkpoint) st = rp__ckpt_write(&ck, stages[0], write_fingerprints, ru);
        if ((st = rp__dist_agree(cm, st, err)) == RP_OK && cm->checkpoint) rp__ckpt_reached(c, 1);
    }
    if (st != RP_OK) {
        free(cand);
        return st;
    }
    ds->records = c->n_rec;
    uint64_t *base = NULL;
    if ((st = rp__dist_bases(cm, ds, &base, err)) != RP_OK) {
        free(cand);
        return st;
    }
    ds->first_record = base[rank];
    if (base[size] > UINT32_MAX) { /* the index's record numbers */
        rp__msg(err, "%llu records: a distributed run takes at most %u", (unsigned long long)base[size],
                UINT32_MAX);
        free(base);
        free(cand);
        return RP_ERR_LIMIT;
    }
    if (have == 2) goto collect;
    st = words_summed(ru, cm, err);
    if (st == RP_OK && c->p.boilerplate != RP_BOILERPLATE_OFF) st = sites_gathered(ru, cm, ds, base[size], err);
    ds->sign_seconds = rp__seconds() - t;

    /* the index by key, searched where it lies */
    t = rp__seconds();
    rp_u64s lists[RP_ALIGN_LISTS];
    memset(lists, 0, sizeof(lists));
    double searching = 0;
    if (st == RP_OK) st = index_shuffled(ru, cm, ds, base[rank], lists, &searching, err);
    st = rp__dist_agree(cm, st, err); /* the last group's search too */
    ds->bands_seconds = rp__seconds() - t - searching;
    t = rp__seconds() - searching;
    for (int l = 0; l < RP_ALIGN_LISTS && st == RP_OK; l++)
        st = l == L_BP ? list_to_all(cm, ds, &lists[l], err) : pairs_routed(cm, ds, base, &lists[l], err);
    if (st == RP_OK) st = rp__dist_agree(cm, rp__align_task_combine(ru, lists, &cand, &n_cand), err);
    for (int l = 0; l < RP_ALIGN_LISTS; l++) free(lists[l].v);
    if (st == RP_OK) st = pairs_balanced(cm, ds, &cand, &n_cand, err);
    ds->candidates = n_cand;
    if (st == RP_OK && cm->checkpoint) {
        cands_out co = {ru, cand, n_cand};
        if ((st = rp__dist_agree(cm, rp__ckpt_write(&ck, stages[1], write_candidates, &co), err)) == RP_OK)
            rp__ckpt_reached(c, 2);
    }
    ds->candidates_seconds = rp__seconds() - t;
    stats->candidates_seconds = ds->bands_seconds + ds->candidates_seconds;

collect:
    /* the pairs' documents, ghosts read by offset, and the pairs aligned */
    t = rp__seconds();
    if (st == RP_OK) st = ghosts_added(ru, c, cm, ds, base, cand, n_cand, err);
    if (st == RP_OK) st = rp__dist_agree(cm, rp__align_task_collect(ru, cand, n_cand), err);
    stats->collect_seconds = rp__seconds() - t;
    if (st == RP_OK) st = rp__dist_agree(cm, rp__align_task_align(ru, cand, n_cand), err);
    free(cand);
    ds->verify_seconds = rp__seconds() - t;
    free(base);
    if (st == RP_ERR_NOMEM && !err[0]) rp__msg(err, "rank %d: out of memory", rank);
    if (st != RP_OK) return st;

    /* the run's counts, on every rank (the boilerplate fingerprints every
     * rank has all of) */
    uint64_t v[13 + RP_STATUS_COUNT] = {stats->read, stats->rejected, stats->bytes, stats->fingerprints,
                                        stats->common_fingerprints, stats->candidate_pairs,
                                        stats->boilerplate_pairs, stats->boilerplate_spans,
                                        stats->boilerplate_words, stats->banal_passages,
                                        stats->aligned_pairs, stats->passages, stats->cut_pairs};
    for (int k = 0; k < RP_STATUS_COUNT; k++) v[13 + k] = stats->rejected_by[k];
    if ((st = rp__dist_reduce(cm, v, 13 + RP_STATUS_COUNT, RP_COMM_SUM, err)) != RP_OK) return st;
    stats->read = v[0], stats->rejected = v[1], stats->bytes = v[2], stats->fingerprints = v[3];
    stats->common_fingerprints = v[4], stats->candidate_pairs = v[5], stats->boilerplate_pairs = v[6];
    stats->boilerplate_spans = v[7], stats->boilerplate_words = v[8], stats->banal_passages = v[9];
    stats->aligned_pairs = v[10], stats->passages = v[11], stats->cut_pairs = v[12];
    for (int k = 0; k < RP_STATUS_COUNT; k++) stats->rejected_by[k] = v[13 + k];
    stats->kept = stats->read - stats->rejected;
    return RP_OK;
}
