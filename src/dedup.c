/*
 * dedup.c — the dedup task: near-duplicate detection over a corpus, as a
 * sequence of passes, each a function with declared inputs and outputs
 * (internal.h: rp_sign_result, rp_cand, rp_edge, 64-bit rp_docno), so that
 * one can run alone over a part of the work; rp__dedup_run composes them.
 *
 * Sign (rp__dedup_sign): every record is read, normalized, shingled and
 *   signed on the worker threads; what a worker makes of a record is an
 *   rp_sign_result (exact hash, band keys), committed in record order by
 *   rp__dedup_add_signed. The task keeps per record one status byte, a
 *   64-bit hash of its normalized word sequence, and a 32-bit key per LSH
 *   band (band_store.c). Text is dropped as soon as it is signed: memory
 *   grows with documents, not with their text.
 * Candidates: records with equal exact hashes are paired with the first of
 *   them (rp__dedup_exact_candidates; they leave the LSH tables, so a
 *   thousand copies of one page cost a thousand pairs, not half a million);
 *   band buckets give the rest (rp__dedup_band_candidates, for a range of
 *   band keys: a bucket lies in one range), the bands searched on up to
 *   four threads.
 * Verify (rp__dedup_verify, a given list of candidates): only records in a
 *   pair that needs their sets are read again (those in exact pairs only,
 *   Jaccard 1, not at all: their ids are read when the pairs or clusters
 *   are asked for), shingled on the workers, which write the sorted sets to
 *   temporary files, one per thread. Each candidate's exact
 *   Jaccard is computed on the threads, sets read back with pread; pairs at
 *   or above the threshold are the edges. The one-call run hands the early
 *   refusal's list over packed (8 bytes a pair), its pages given back as
 *   they are scored, so that the candidates give back their memory as the
 *   edges take theirs (rp_cands). Under --memory, pairs holds an eighth of it in
 *   edges, the rest going to a temporary file, read back a window at a
 *   time to be clustered and listed (rp_edges); and an eighth in the
 *   candidates the early refusal finds, the rest going to temporary files
 *   in sorted runs, merged as verify takes them (rp_runs).
 * Cluster (rp__dedup_cluster, a given list of edges): unioned in order,
 *   the root of each cluster its earliest document, which is kept.
 * Write (rp__dedup_write_kept): every record that is the first of its
 *   cluster, or in none, is copied out as read (by sendfile, runs of
 *   adjacent lines at once, when the input is indexed: corpus.c).
 *
 * The passes over the inputs themselves (numbering, rejections, stdin
 * spooling, re-reading) are corpus.c's; this file says what each pass does
 * with a record.
 */
#include "internal.h"

#include <stdatomic.h>

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    REC_DOC = 0,      /* a document, kept unless clustered under another */
    REC_REJECTED = 1, /* bad input, counted */
    REC_STATE = 3,
    REC_EXACT = 4,    /* flag: same exact hash as an earlier document */
    REC_REMOVED = 8,  /* flag: near-duplicate of an earlier document */
    REC_SET = 16,     /* flag: verification needs its shingle set */
    REC_LONE = 32,    /* flag: fewer words than a shingle, out of the bands (records.h) */
};

typedef struct rp_set_writer rp_set_writer;

/* The task's state. The parameters are the corpus's (their one owner);
 * stats and err are the engine's. */
struct rp_dedup {
    rp_corpus *corpus;
    const rp_params *p;
    rp_stats *stats;
    char *err;

    /* per record */
    uint8_t *status;
    uint64_t *exact;            /* until the exact candidates are found */
    size_t n_rec, cap_rec;
    unsigned bands, rows;
    rp_bands *band;             /* every record's band keys (band_store.c) */

    /* the records of the verified pairs */
    uint32_t *slot;             /* per record: index among needed ones, or UINT32_MAX */
    size_t n_slots;
    uint64_t *set_off;          /* per slot: offset (in uint64s) of its shingle set */
    uint32_t *set_len;
    uint64_t *id_off;           /* per slot: offset in id_arena << 1 | is_number */
    uint32_t *id_len;           /* ID_UNREAD: not read yet (read_ids) */
    rp_buf id_arena;
    rp_set_writer *ready_sets;  /* written before the search (refuse_early), for verify */

    /* the clusters */
    rp_edges edges;             /* owned, from rp__dedup_cluster or the one-call run */
    rp_uf uf;
    int exact_done;             /* the exact candidates were found */
    int clustered;
};

rp_dedup *rp__dedup_create(rp_corpus *c, rp_stats *stats, char *err)
{
    rp_dedup *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->corpus = c;
    d->p = &c->p;
    d->stats = stats;
    d->err = err;
    return d;
}

static void free_slots(rp_dedup *d)
{
    free(d->slot);
    free(d->set_off);
    free(d->set_len);
    free(d->id_off);
    free(d->id_len);
    rp__buf_free(&d->id_arena);
    d->slot = NULL;
    d->set_off = d->id_off = NULL;
    d->set_len = d->id_len = NULL;
    d->n_slots = 0;
}

static void close_sets(rp_set_writer *sets);

void rp__dedup_free(rp_dedup *d)
{
    if (!d) return;
    close_sets(d->ready_sets);
    rp__bands_free(d->band);
    free(d->status);
    free(d->exact);
    free_slots(d);
    rp__edges_free(&d->edges);
    rp__uf_free(&d->uf);
    free(d);
}

static rp_status add_record(rp_dedup *d, uint8_t status, uint64_t exact)
{
    if (d->n_rec == d->cap_rec) {
        /* grow by half: these two arrays are most of what a document costs
         * once the band keys are out of the way */
        size_t cap = d->cap_rec ? d->cap_rec + d->cap_rec / 2 : 4096;
        uint8_t *s = realloc(d->status, cap);
        if (s) d->status = s;
        uint64_t *x = realloc(d->exact, cap * sizeof(uint64_t));
        if (x) d->exact = x;
        if (!s || !x) return RP_ERR_NOMEM;
        d->cap_rec = cap;
    }
    d->status[d->n_rec] = status;
    d->exact[d->n_rec] = exact;
    d->n_rec++;
    return RP_OK;
}


typedef struct {
    rp_dedup *d;
    rp_set_writer *sets;        /* pass 2: where sets go */
    unsigned set_file;          /* the file this worker alone writes, */
    uint64_t set_flushed;       /* uint64s written to it, */
    rp_buf set_pending;         /* and sets not yet written (a write a MiB) */
    uint64_t *shingles;         /* pass 2: a needed record's shingle set */
    size_t shingles_cap;
    uint64_t *sig;
} rp_work;

/* Memory a worker writes at every shingle, on cache lines of its own: two
 * workers' states allocated one after the other would otherwise share a
 * line where they meet, and each write would take it from the other core. */
static void *own_lines(size_t n)
{
    return aligned_alloc(64, (n + 63) / 64 * 64);
}

static void work_free(rp_work *w)
{
    rp__buf_free(&w->set_pending);
    free(w->shingles);
    free(w->sig);
}

static int work_init(rp_work *w, rp_dedup *d)
{
    memset(w, 0, sizeof(*w));
    w->d = d;
    w->sig = own_lines(d->p->num_perm * sizeof(uint64_t));
    return w->sig ? 0 : -1;
}

static void *sign_worker_new(void *ctx)
{
    rp_work *w = own_lines(sizeof(*w));
    if (w && work_init(w, ctx)) {
        work_free(w);
        free(w);
        return NULL;
    }
    return w;
}

static void sign_worker_free(void *state)
{
    work_free(state);
    free(state);
}

static size_t sign_result_size(unsigned bands)
{
    return sizeof(uint64_t) + bands * sizeof(uint32_t);
}

static rp_status sign_result_put(const rp_sign_result *s, rp_buf *out)
{
    size_t need = s->lone ? sizeof(s->exact) : sign_result_size(s->bands);
    if (rp__buf_reserve(out, out->len + need)) return RP_ERR_NOMEM;
    memcpy(out->data + out->len, &s->exact, sizeof(s->exact));
    if (!s->lone) memcpy(out->data + out->len + sizeof(s->exact), s->keys, s->bands * sizeof(uint32_t));
    out->len += need;
    return RP_OK;
}

static void sign_result_get(const void *src, size_t len, unsigned bands, rp_sign_result *s)
{
    /* sign_result_size(bands) by construction, or the hash alone */
    s->bands = bands;
    s->lone = len == sizeof(s->exact);
    memcpy(&s->exact, src, sizeof(s->exact));
    if (!s->lone) memcpy(s->keys, (const char *)src + sizeof(s->exact), bands * sizeof(uint32_t));
}

/* Pass 1, on a worker: a record's exact hash and its band keys. */
static rp_status sign_record(void *state, const rp_record *r, rp_buf *out)
{
    rp_work *w = state;
    rp_dedup *d = w->d;
    rp_sign_result s;
    s.exact = rp__exact_hash(r->hashes, r->n_tokens, d->p->seed);
    s.bands = d->bands;
    if ((s.lone = r->n_tokens < rp__shingle_words(d->p->ngram))) return sign_result_put(&s, out);
    if (rp__sign_tokens(r->hashes, r->n_tokens, d->p->ngram, d->p->num_perm, d->p->seed, w->sig))
        return RP_ERR_NOMEM; /* n_tokens > 0 here: only a densify buffer can fail */
    for (unsigned b = 0; b < d->bands; b++) s.keys[b] = rp__band_key(w->sig, b, d->rows, d->p->seed);
    return sign_result_put(&s, out);
}

rp_status rp__dedup_add_signed(rp_dedup *d, rp_docno n, const rp_sign_result *s)
{
    if (n != d->n_rec || (s && s->bands != d->bands)) {
        rp__msg(d->err, "signed record %llu out of order (%zu expected)", (unsigned long long)n,
                d->n_rec);
        return RP_ERR_USAGE;
    }
    /* a rejected or lone record still has a place in the band tables, never used */
    uint8_t status = !s ? REC_REJECTED : s->lone ? REC_DOC | REC_LONE : REC_DOC;
    rp_status st = add_record(d, status, s ? s->exact : 0);
    return st != RP_OK ? st : rp__bands_add(d->band, s && !s->lone ? s->keys : NULL);
}

/* Pass 1, in record order: what sign_record made goes into the tables. */
static rp_status commit_record(void *ctx, const rp_record *r)
{
    rp_dedup *d = ctx;
    if (r->status != RP_OK) return rp__dedup_add_signed(d, r->rec, NULL);
    rp_sign_result s;
    sign_result_get(r->result, r->result_len, d->bands, &s);
    return rp__dedup_add_signed(d, r->rec, &s);
}

static const rp__first_pass_ops sign_ops = {sign_worker_new, sign_worker_free, sign_record,
                                            commit_record, NULL};

/* -------------------------------------------------------- candidates */

rp_status rp__dedup_exact_candidates(rp_dedup *d, rp_cand **out, size_t *n, size_t *cap)
{
    /* Documents with equal exact hashes: sorted (radix, stable) on the
     * hash's top 32 bits beside the record number, and a run of equal tops,
     * nearly always one document, split by the whole hash. The first of
     * each hash pairs with every later one. */
    if (!d->band || d->exact_done) {
        rp__msg(d->err, "the exact candidates are found once, after the sign pass");
        return RP_ERR_USAGE;
    }
    d->exact_done = 1;
    size_t n_docs = 0;
    for (size_t i = 0; i < d->n_rec; i++) n_docs += (d->status[i] & REC_STATE) == REC_DOC;
    uint64_t *ex = malloc((n_docs ? n_docs : 1) * 2 * sizeof(uint64_t));
    if (!ex) return RP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < d->n_rec; i++)
        if ((d->status[i] & REC_STATE) == REC_DOC) ex[k++] = (d->exact[i] >> 32) << 32 | i;
    /* most hashes are met once, and a hash met once pairs nothing */
    k = rp__drop_lone_keys(ex, k, ex + k);
    rp__radix_sort_scratch(ex, k, 32, ex + k);
    rp_status st = RP_OK;
    for (size_t i = 0; i < k && st == RP_OK;) {
        size_t j = i + 1;
        while (j < k && ex[j] >> 32 == ex[i] >> 32) j++;
        for (size_t x = i; x + 1 < j && st == RP_OK; x++) {
            uint32_t a = (uint32_t)ex[x];
            if (d->status[a] & REC_EXACT) continue; /* a copy of an earlier one */
            for (size_t y = x + 1; y < j; y++) {
                uint32_t b = (uint32_t)ex[y];
                if (d->exact[b] != d->exact[a] || (d->status[b] & REC_EXACT)) continue;
                d->status[b] |= REC_EXACT;
                if (rp__cands_push(out, n, cap, a, b)) {
                    st = RP_ERR_NOMEM;
                    break;
                }
            }
        }
        i = j;
    }
    free(ex);
    free(d->exact);
    d->exact = NULL;
    return st;
}

rp_status rp__dedup_band_candidates(rp_dedup *d, uint64_t key_lo, uint64_t key_hi, rp_cand **out,
                                    size_t *n, size_t *cap)
{
    if (!d->band || !d->exact_done) {
        rp__msg(d->err, "the band candidates are found after the exact ones");
        return RP_ERR_USAGE;
    }
    /* only documents that are not exact copies of an earlier one: status 0;
     * each searching thread sorts a band of 16 bytes a document: at most
     * four, so that the search never holds more than the band keys do */
    unsigned searchers = d->stats->threads < 4 ? d->stats->threads : 4;
    rp_status st = rp__bands_pairs(d->band, d->status, d->p->max_bucket, searchers, key_lo, key_hi,
                                   out, n, cap, &d->stats->truncated_buckets);
    rp_bands_stats bs;
    rp__bands_stats(d->band, &bs);
    d->stats->spilled_bytes = bs.spilled_bytes;
    d->stats->spill_partitions = bs.partitions;
    return st;
}

/* ------------------------------------------------------------- pass 2 */

/* A slot's id not read yet: the records of exact pairs only, whose sets are
 * not needed, are read for their ids only if the pairs or clusters are
 * asked for (dedup writing its corpus never asks: on a crawl with a third
 * of its pages exact copies, verify would read a third of it again). */
#define ID_UNREAD UINT32_MAX

/* A record's id at the head of a pass's result (the sets pass, the ids
 * pass): [length u32][is_number u8][id]. */
static rp_status put_id(rp_buf *out, const rp_id *id)
{
    uint32_t len = (uint32_t)(id->len >= ID_UNREAD ? ID_UNREAD - 1 : id->len);
    uint8_t is_number = id->is_number ? 1 : 0;
    if (rp__buf_append(out, (const char *)&len, sizeof(len)) ||
        rp__buf_append(out, (const char *)&is_number, 1) || rp__buf_append(out, id->str, len))
        return RP_ERR_NOMEM;
    return RP_OK;
}

/* The id put_id wrote at src; the bytes it took. */
static size_t get_id(const char *src, rp_id *id)
{
    uint32_t len;
    memcpy(&len, src, sizeof(len));
    *id = (rp_id){src + sizeof(len) + 1, len, src[sizeof(len)] != 0};
    return sizeof(len) + 1 + len;
}

static rp_status store_id(rp_dedup *d, uint32_t slot, const rp_id *id)
{
    d->id_off[slot] = (uint64_t)d->id_arena.len << 1 | (id->is_number ? 1 : 0);
    d->id_len[slot] = (uint32_t)(id->len >= ID_UNREAD ? ID_UNREAD - 1 : id->len);
    return rp__buf_append(&d->id_arena, id->str, d->id_len[slot]) ? RP_ERR_NOMEM : RP_OK;
}

/* Sets files: one per worker, written by it alone, a MiB at a time (a
 * write per set cost a system call each), so that workers neither queue on
 * one file's lock nor need to agree on places; a set's place is its file
 * (top 8 bits) and offset in uint64s. */
enum { SETS_FILES_MAX = 256, SET_FILE_SHIFT = 56, SET_WRITE_BYTES = 1 << 20 };

struct rp_set_writer {
    rp_dedup *d;
    FILE *file[SETS_FILES_MAX];
    unsigned n_files;         /* one per worker (workers are made one by one) */
    _Atomic int err;          /* errno of a failed write, 0 if none */
    uint64_t *mem[SETS_FILES_MAX]; /* the files mapped (or read) into memory, when they fit */
    size_t mapped[SETS_FILES_MAX]; /* the bytes of a mapping, 0 where read */
    uint64_t words[SETS_FILES_MAX]; /* the elements in memory, mapped or read */
    uint8_t *profile;         /* with them, or made by the pass when set
                                 before it: per slot, its set's profile
                                 (RP_PROFILE_BYTES, rp__set_profile) */
};

/* Sets up to this many bytes in all are read into memory once after they
 * are written (half of --memory when it is set lower), when there are at
 * least SETS_READS_IN_MEMORY pairs to score a set: scoring a pair then
 * reads its second set there, not with a pread of its own. On 100,000
 * near-copies of 300 templates (2.4 million pairs to score) the syscalls
 * were two thirds of the verify pass. Where a set is read about once (the
 * 1 GB news bench: 36,489 pairs), reading them all into fresh memory cost
 * more than the preads it saved: verify 0.47 -> 0.86 s, 64 -> 166 MB. */
#define SETS_IN_MEMORY ((uint64_t)256 << 20)
#define SETS_READS_IN_MEMORY 4

/* Writes a worker's pending sets to its file; 0, or -1 with sw->err set. */
static int flush_sets(rp_work *w)
{
    rp_set_writer *sw = w->sets;
    size_t len = w->set_pending.len;
    int err = rp__pwrite_all(fileno(sw->file[w->set_file]), w->set_pending.data, len,
                             w->set_flushed * sizeof(uint64_t));
    if (err) {
        int zero = 0;
        atomic_compare_exchange_strong(&sw->err, &zero, err);
        return -1;
    }
    w->set_flushed += len / sizeof(uint64_t);
    w->set_pending.len = 0;
    return 0;
}

/* Pass 2, on a worker: a needed record's sorted shingle set, written to
 * the worker's own sets file (so the committing thread copies nothing), and
 * its id, as the result [id length u32]
 * [is_number u8][id][set offset u64][set length u32], then its set's
 * profile when the writer keeps them. */
static rp_status make_set(void *state, const rp_record *r, rp_buf *out)
{
    rp_work *w = state;
    rp_dedup *d = w->d;
    size_t n = 0;
    if (r->hashes &&
        (n = rp__shingles(r->hashes, r->n_tokens, d->p->ngram, d->p->seed, &w->shingles,
                          &w->shingles_cap, 1)) == SIZE_MAX)
        return RP_ERR_NOMEM;
    uint64_t at = w->set_flushed + w->set_pending.len / sizeof(uint64_t);
    if (rp__buf_append(&w->set_pending, (const char *)w->shingles, n * sizeof(uint64_t)))
        return RP_ERR_NOMEM;
    if (w->set_pending.len >= SET_WRITE_BYTES && flush_sets(w)) return RP_ERR_IO;
    at |= (uint64_t)w->set_file << SET_FILE_SHIFT;
    uint32_t len = (uint32_t)n;
    if (put_id(out, &r->doc.id) != RP_OK || rp__buf_append(out, (const char *)&at, sizeof(at)) ||
        rp__buf_append(out, (const char *)&len, sizeof(len)))
        return RP_ERR_NOMEM;
    if (w->sets->profile) {
        uint8_t profile[RP_PROFILE_BYTES];
        rp__set_profile(w->shingles, n, profile);
        if (rp__buf_append(out, (const char *)profile, sizeof(profile))) return RP_ERR_NOMEM;
    }
    return RP_OK;
}

/* Pass 2, in record order: the id and where the set is. */
static rp_status write_set(void *ctx, const rp_record *r)
{
    rp_set_writer *sw = ctx;
    rp_dedup *d = sw->d;
    uint32_t slot = d->slot[r->rec];
    const char *src = r->result;
    rp_id id;
    size_t head = get_id(src, &id);
    if (store_id(d, slot, &id) != RP_OK) return RP_ERR_NOMEM;
    memcpy(&d->set_off[slot], src + head, sizeof(uint64_t));
    memcpy(&d->set_len[slot], src + head + sizeof(uint64_t), sizeof(uint32_t));
    if (sw->profile)
        memcpy(sw->profile + (size_t)slot * RP_PROFILE_BYTES, src + head + sizeof(uint64_t) + sizeof(uint32_t),
               RP_PROFILE_BYTES);
    return RP_OK;
}

static int needs_tokens(void *ctx, uint64_t rec)
{
    return ((rp_set_writer *)ctx)->d->status[rec] & REC_SET;
}

static void *set_worker_new(void *ctx)
{
    rp_set_writer *sw = ctx;
    rp_work *w = sw->n_files < SETS_FILES_MAX ? sign_worker_new(sw->d) : NULL;
    if (!w) return NULL;
    if (rp__corpus_temp(sw->d->corpus, &sw->file[sw->n_files]) != RP_OK) {
        sign_worker_free(w);
        return NULL; /* the corpus has the message */
    }
    w->sets = sw;
    w->set_file = sw->n_files++;
    return w;
}

/* The end of the pass: what is pending goes to the file. */
static void set_worker_free(void *state)
{
    rp_work *w = state;
    flush_sets(w);
    sign_worker_free(w);
}

static const rp__first_pass_ops set_ops = {set_worker_new, set_worker_free, make_set, write_set,
                                           needs_tokens};

/* Re-reads the inputs and writes the shingle set of every needed record. */
static rp_status build_sets(rp_dedup *d, rp_set_writer *sw)
{
    rp_status st = rp__corpus_pass_mt(d->corpus, "verifying", needs_tokens, &set_ops, sw);
    if (atomic_load(&sw->err)) {
        st = rp__corpus_temp_write_failed(d->corpus, d->err, atomic_load(&sw->err));
    }
    return st;
}

/* A set's place (set_off: its file's number, then its offset in uint64s). */
static inline unsigned set_file(uint64_t at)
{
    return (unsigned)(at >> SET_FILE_SHIFT);
}

static inline uint64_t set_offset(uint64_t at)
{
    return at & (((uint64_t)1 << SET_FILE_SHIFT) - 1);
}

/* Slot's set where its file was read into memory, else NULL. */
static inline const uint64_t *set_in_memory(const rp_dedup *d, const rp_set_writer *sw, uint32_t slot)
{
    uint64_t at = d->set_off[slot];
    const uint64_t *mem = sw->mem[set_file(at)];
    return mem ? mem + set_offset(at) : NULL;
}

/* A record's set: in memory where the files were read there, else read
 * into *buf; *set points at it. */
static rp_status read_set(rp_dedup *d, rp_set_writer *sw, uint32_t slot, uint64_t **buf,
                          size_t *cap, const uint64_t **set, char *err)
{
    size_t n = d->set_len[slot];
    if ((*set = set_in_memory(d, sw, slot))) return RP_OK;
    if (rp__grow((void **)buf, cap, n ? n : 1, sizeof(uint64_t))) return RP_ERR_NOMEM;
    *set = *buf;
    uint64_t at = d->set_off[slot];
    return rp__corpus_temp_read(d->corpus, err, sw->file[set_file(at)], *buf, n * sizeof(uint64_t),
                                set_offset(at) * sizeof(uint64_t));
}

/* The sets files into memory, when all of them fit (SETS_IN_MEMORY):
 * mapped, where they are read from the page cache as they are, or else
 * read (900,000 near-copies' 260 MB of sets took 0.6 s to read into fresh
 * memory). */
static rp_status sets_to_memory(rp_dedup *d, rp_set_writer *sw)
{
    uint64_t budget = SETS_IN_MEMORY, total = 0, size[SETS_FILES_MAX];
    if (d->p->memory_limit && d->p->memory_limit / 2 < budget) budget = d->p->memory_limit / 2;
    for (unsigned k = 0; k < sw->n_files; k++) {
        if (sw->mem[k]) return RP_OK; /* there already */
        if (fflush(sw->file[k]) != 0 || fseeko(sw->file[k], 0, SEEK_END) != 0) return RP_OK; /* pread then */
        off_t end = ftello(sw->file[k]);
        if (end < 0) return RP_OK;
        total += size[k] = (uint64_t)end;
    }
    if (total > budget) return RP_OK;
    for (unsigned k = 0; k < sw->n_files; k++) {
        if (!size[k]) continue;
        sw->words[k] = size[k] / sizeof(uint64_t);
        void *m = mmap(NULL, size[k], PROT_READ, MAP_SHARED, fileno(sw->file[k]), 0);
        if (m != MAP_FAILED) {
            sw->mem[k] = m, sw->mapped[k] = size[k];
            continue;
        }
        if (!(sw->mem[k] = malloc(size[k] ? size[k] : 1))) return RP_ERR_NOMEM;
        rp_status st = rp__corpus_temp_read(d->corpus, d->err, sw->file[k], sw->mem[k], size[k], 0);
        if (st != RP_OK) return st;
    }
    /* with the sets in memory, pairs are many: most can be refused from
     * their profiles, a cache line a document, without their sets */
    if (sw->profile) return RP_OK; /* made by the pass */
    if (!(sw->profile = malloc(d->n_slots ? d->n_slots * RP_PROFILE_BYTES : 1))) return RP_ERR_NOMEM;
    for (uint32_t slot = 0; slot < d->n_slots; slot++)
        rp__set_profile(set_in_memory(d, sw, slot), d->set_len[slot], sw->profile + (size_t)slot * RP_PROFILE_BYTES);
    return RP_OK;
}

typedef struct {
    rp_dedup *d;
    rp_set_writer *sets;
    const rp_cand *cand;
    size_t from, to;          /* the pairs [from, to) */
    float *score;             /* per pair: Jaccard (-1 below the threshold),
                                 containment of a, of b */
    rp_status st;
    char err[RP_MSG_MAX];     /* a failed read's message */
} rp_scorer;

/* Candidates sorted by their first document meet their second ones at
 * random: its status, slot, set's place and set are four dependent misses
 * a pair, most of verify's time. Each is asked for a few pairs ahead, the
 * next from the one asked for before it. (Written in the loop: gcc takes a
 * function of prefetches alone for one without effect and drops its calls.) */
enum { PREFETCH_SET = 6, PREFETCH_PLACE = 12, PREFETCH_SLOT = 18, VERDICTS = PREFETCH_SET + 2 };
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Whether the sets of slots sa and sb are below the threshold by their
 * profiles alone (none: not refused). Asked when a pair's set would be
 * prefetched, so that a refused pair's set is not, and kept till it is
 * scored. */
static inline int refused(const rp_dedup *d, const rp_set_writer *sw, uint32_t sa, uint32_t sb)
{
    if (!sw->profile) return 0;
    uint64_t na = d->set_len[sa], nb = d->set_len[sb];
    return rp__profile_bound(sw->profile + (size_t)sa * RP_PROFILE_BYTES, na,
                             sw->profile + (size_t)sb * RP_PROFILE_BYTES, nb) <
           rp__intersect_need(d->p->measure, d->p->threshold, na, nb);
}

/* A pair's scores from its intersection: f[0] its Jaccard, or -1 when
 * the measure puts it below the threshold, f[1] and f[2] the share of each
 * set the other holds. verify and dedup's band walk both decide by it. */
static inline void pair_scores(const rp_dedup *d, uint64_t inter, uint64_t na, uint64_t nb, float f[3])
{
    double j = (double)inter / (double)(na + nb - inter);
    f[0] = rp__pair_reaches(d->p->measure, d->p->threshold, inter, na, nb) ? (float)j : -1;
    f[1] = (float)((double)inter / (double)na);
    f[2] = (float)((double)inter / (double)nb);
}

/* Scores a range of candidate pairs from their shingle sets. Sets are read
 * back with pread, the first document's once for all its partners (pairs
 * are sorted by it): a mapping of the file would count every set read as
 * resident memory until the end. */
static void *score_pairs(void *arg)
{
    rp_scorer *w = arg;
    rp_dedup *d = w->d;
    uint64_t *buf_a = NULL, *buf_b = NULL;
    const uint64_t *set_a = NULL, *set_b = NULL;
    size_t cap_a = 0, cap_b = 0;
    rp_docno loaded_a = UINT64_MAX;
    rp_set_table table = {0}; /* a's set, while its pairs are scored */
    int tabled = 0;
    uint8_t verdict[VERDICTS];    /* refused(), of the pairs prefetched ahead */
    for (size_t i = w->from; w->st == RP_OK && i < w->to; i++) {
        if (i + PREFETCH_SLOT < w->to) {
            rp_docno b = w->cand[i + PREFETCH_SLOT].b;
            PREFETCH(&d->slot[b]);
            PREFETCH(&d->status[b]);
        }
        if (i + PREFETCH_PLACE < w->to) {
            uint32_t sb = d->slot[w->cand[i + PREFETCH_PLACE].b];
            PREFETCH(&d->set_off[sb]);
            PREFETCH(&d->set_len[sb]);
            if (w->sets->profile) PREFETCH(w->sets->profile + (size_t)sb * RP_PROFILE_BYTES);
        }
        if (i + PREFETCH_SET < w->to) { /* its verdict kept for when it is scored */
            const rp_cand *c = &w->cand[i + PREFETCH_SET];
            uint32_t sb = d->slot[c->b];
            const uint64_t *set = set_in_memory(d, w->sets, sb);
            verdict[(i + PREFETCH_SET) % VERDICTS] = (uint8_t)refused(d, w->sets, d->slot[c->a], sb);
            if (set && !verdict[(i + PREFETCH_SET) % VERDICTS]) {
                size_t bytes = d->set_len[sb] * sizeof(uint64_t);
                for (size_t o = 0; o < bytes && o < 1024; o += 64) PREFETCH((const char *)set + o);
            }
        }
        rp_docno a = w->cand[i].a, b = w->cand[i].b;
        float *f = w->score + 3 * i;
        if (d->status[b] & REC_EXACT) { /* equal words: nothing to read */
            f[0] = f[1] = f[2] = 1;
            continue;
        }
        uint32_t sa = d->slot[a], sb = d->slot[b];
        uint64_t na = d->set_len[sa], nb = d->set_len[sb];
        if (loaded_a != a) {
            if ((w->st = read_set(d, w->sets, sa, &buf_a, &cap_a, &set_a, w->err)) != RP_OK) break;
            loaded_a = a;
            tabled = 0; /* made when a pair of it is first intersected */
        }
        if (i >= w->from + PREFETCH_SET ? verdict[i % VERDICTS] : refused(d, w->sets, sa, sb)) {
            f[0] = -1, f[1] = f[2] = 0; /* below the threshold, as the sets would say */
            continue;
        }
        uint64_t need = rp__intersect_need(d->p->measure, d->p->threshold, na, nb);
        if ((w->st = read_set(d, w->sets, sb, &buf_b, &cap_b, &set_b, w->err)) != RP_OK) break;
        if (rp__sample_refuses(set_a, na, set_b, nb, need)) {
            f[0] = -1, f[1] = f[2] = 0;
            continue;
        }
        if (!tabled && na <= RP_SET_TABLE_MAX) {
            if (rp__set_table_build(&table, set_a, na)) {
                w->st = RP_ERR_NOMEM;
                break;
            }
            tabled = 1;
        }
        uint64_t inter = tabled ? rp__set_table_intersect(&table, set_b, nb, need)
                                : rp__intersect_at_least(set_a, na, set_b, nb, need);
        pair_scores(d, inter, na, nb, f);
    }
    free(buf_a);
    free(buf_b);
    rp__set_table_free(&table);
    return NULL;
}

/* Numbers the records of the pairs 0, 1, ... in record order (their
 * slots, where their sets and ids are kept), and marks those whose sets
 * are needed: an exact copy (out of the LSH tables) pairs only with the
 * first document it equals, at Jaccard 1, and needs none. */
static rp_status slot_places(rp_dedup *d);

/* ---------------------------------------------------- candidate sources */

/* Sorted runs of packed candidates (a << 32 | b) in temporary files, the
 * early refusal's under --memory, and one in memory, merged as verify
 * takes them: a binary heap of the runs by their next value, each run read
 * up to RUN_READ values ahead, as many as the runs share of what the
 * candidates may hold (a tiny --memory makes many runs). A pair in two
 * runs is handed out once. */
enum { RUN_READ = 8192, RUN_READ_MIN = 256 };

typedef struct {
    FILE *file;                 /* NULL: all in buf */
    uint64_t off, left;         /* the run's values still in its file */
    uint64_t *buf;              /* read ahead: buf[at, n) */
    size_t at, n;
} rp_run;

typedef struct {
    rp_run *run;
    size_t n_runs, cap_runs;
    FILE **files;               /* owned, the runs' files */
    size_t n_files, cap_files;
    size_t *heap;               /* runs with values left, the smallest next value first */
    size_t n_heap;
    uint64_t total;             /* values in all runs, a pair in two runs counted twice */
    size_t ahead;               /* values a run reads ahead */
    uint64_t last;              /* the last value handed out, */
    int any;                    /* if any was */
    int started;
    const rp_corpus *c;
    char *err;
} rp_runs;

static void runs_free(rp_runs *r)
{
    if (!r) return;
    for (size_t k = 0; k < r->n_runs; k++) free(r->run[k].buf);
    for (size_t k = 0; k < r->n_files; k++) fclose(r->files[k]);
    free(r->run);
    free(r->files);
    free(r->heap);
    free(r);
}

/* A run of n values: at off in file, or at mem (taken). */
static int runs_add(rp_runs *r, FILE *file, uint64_t off, uint64_t *mem, size_t n)
{
    if (!n) {
        free(mem);
        return 0;
    }
    if (rp__grow((void **)&r->run, &r->cap_runs, r->n_runs + 1, sizeof(rp_run))) {
        free(mem);
        return -1;
    }
    r->run[r->n_runs++] = file ? (rp_run){file, off, n, NULL, 0, 0} : (rp_run){NULL, 0, 0, mem, 0, n};
    r->total += n;
    return 0;
}

static inline uint64_t run_head(const rp_runs *r, size_t k)
{
    return r->run[k].buf[r->run[k].at];
}

static void heap_down(rp_runs *r, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, least = i;
        if (l < r->n_heap && run_head(r, r->heap[l]) < run_head(r, r->heap[least])) least = l;
        if (l + 1 < r->n_heap && run_head(r, r->heap[l + 1]) < run_head(r, r->heap[least])) least = l + 1;
        if (least == i) return;
        size_t t = r->heap[i];
        r->heap[i] = r->heap[least];
        r->heap[least] = t;
        i = least;
    }
}

/* Run k's next values into its buffer (none left: n = 0). */
static rp_status run_fill(rp_runs *r, size_t k)
{
    rp_run *u = &r->run[k];
    size_t m = u->left < r->ahead ? (size_t)u->left : r->ahead;
    u->at = u->n = 0;
    if (!m) return RP_OK;
    rp_status st = rp__corpus_temp_read(r->c, r->err, u->file, u->buf, m * sizeof(uint64_t), u->off);
    if (st != RP_OK) return st;
    u->off += m * sizeof(uint64_t);
    u->left -= m;
    u->n = m;
    return RP_OK;
}

/* Up to max candidates, in order, into out; their count (0: no more). */
static size_t runs_next(rp_runs *r, rp_cand *out, size_t max, rp_status *st)
{
    if (!r->started) {
        r->started = 1;
        if (!(r->heap = malloc((r->n_runs ? r->n_runs : 1) * sizeof(size_t)))) {
            *st = RP_ERR_NOMEM;
            return 0;
        }
        for (size_t k = 0; k < r->n_runs; k++) {
            if (r->run[k].file) {
                if (!(r->run[k].buf = malloc(r->ahead * sizeof(uint64_t)))) *st = RP_ERR_NOMEM;
                else *st = run_fill(r, k);
                if (*st != RP_OK) return 0;
            }
            if (r->run[k].n) r->heap[r->n_heap++] = k;
        }
        for (size_t i = r->n_heap / 2; i-- > 0;) heap_down(r, i);
    }
    size_t m = 0;
    while (m < max && r->n_heap) {
        size_t k = r->heap[0];
        uint64_t v = run_head(r, k);
        if (!r->any || v != r->last) {
            out[m++] = (rp_cand){v >> 32, (uint32_t)v};
            r->last = v;
            r->any = 1;
        }
        rp_run *u = &r->run[k];
        if (++u->at == u->n && u->file && (*st = run_fill(r, k)) != RP_OK) return 0;
        if (u->at == u->n) r->heap[0] = r->heap[--r->n_heap];
        if (r->n_heap) heap_down(r, 0);
    }
    return m;
}

/* The candidates verify takes, a batch at a time: a list as it is, or
 * packed (8 bytes a pair) and its pages given back as they are read, or
 * runs merged. */
typedef struct {
    const rp_cand *cand;
    uint64_t *packed;           /* owned */
    rp_runs *runs;              /* owned */
    size_t n;                   /* candidates; for runs, at most */
    size_t at;                  /* taken so far */
    rp_cand *buf;               /* a batch unpacked */
    size_t cap;
} rp_cands;

/* The next batch of at most max candidates (*m of them; 0: no more). */
static const rp_cand *cands_next(rp_cands *s, size_t max, size_t *m, rp_status *st)
{
    *m = 0;
    if (s->cand) {
        *m = s->n - s->at < max ? s->n - s->at : max;
        s->at += *m;
        return s->cand + s->at - *m;
    }
    if (max > s->cap) {
        free(s->buf);
        if (!(s->buf = malloc(max * sizeof(rp_cand)))) {
            s->cap = 0;
            *st = RP_ERR_NOMEM;
            return NULL;
        }
        s->cap = max;
    }
    if (s->runs) {
        *m = runs_next(s->runs, s->buf, max, st);
    } else if (s->packed) {
        *m = s->n - s->at < max ? s->n - s->at : max;
        for (size_t i = 0; i < *m; i++) s->buf[i] = (rp_cand){s->packed[s->at + i] >> 32, (uint32_t)s->packed[s->at + i]};
        rp__release(s->packed, 0, (s->at + *m) * sizeof(uint64_t));
    }
    s->at += *m;
    return s->buf;
}

static void cands_free(rp_cands *s)
{
    free(s->packed);
    runs_free(s->runs);
    free(s->buf);
    memset(s, 0, sizeof(*s));
}

static rp_status number_slots(rp_dedup *d, const rp_cand *cand, size_t n)
{
    free_slots(d);
    size_t n_slots = rp__corpus_slots(d->corpus, cand, n, 0, &d->slot, d->err);
    if (n_slots >= SIZE_MAX - 1) return n_slots == SIZE_MAX ? RP_ERR_NOMEM : RP_ERR_USAGE;
    d->n_slots = n_slots;
    for (size_t i = 0; i < n; i++)
        if (!(d->status[cand[i].b] & REC_EXACT))
            d->status[cand[i].a] |= REC_SET, d->status[cand[i].b] |= REC_SET;
    return slot_places(d);
}

/* Where each slot's set and id will be: an empty set and no id until the
 * pass that reads the record says. */
static rp_status slot_places(rp_dedup *d)
{
    size_t ns = d->n_slots ? d->n_slots : 1;
    d->set_off = calloc(ns, sizeof(uint64_t));
    d->set_len = calloc(ns, sizeof(uint32_t));
    d->id_off = malloc(ns * sizeof(uint64_t));
    d->id_len = malloc(ns * sizeof(uint32_t));
    if (!d->set_off || !d->set_len || !d->id_off || !d->id_len) return RP_ERR_NOMEM;
    memset(d->id_len, 0xFF, ns * sizeof(uint32_t)); /* ID_UNREAD */
    return RP_OK;
}

/* The sets of the pairs' documents, read again and written to the sets
 * files (*out, closed by close_sets). */
static rp_status prepare_sets(rp_dedup *d, const rp_cands *src, rp_set_writer **out)
{
    *out = NULL;
    size_t n = src->n;
    if (!d->exact_done) {
        rp__msg(d->err, "pairs are verified after the candidates are found");
        return RP_ERR_USAGE;
    }
    if (d->ready_sets) { /* written before the search, which refused pairs from them */
        *out = d->ready_sets;
        d->ready_sets = NULL;
        return n / SETS_READS_IN_MEMORY < d->n_slots ? RP_OK : sets_to_memory(d, *out);
    }
    if (!src->cand && n) { /* the early refusal's, packed or in runs */
        rp__msg(d->err, "candidates refused early are verified with their sets written");
        return RP_ERR_USAGE;
    }
    rp_status st = number_slots(d, src->cand, n);
    if (st != RP_OK || n == 0) return st;
    rp_set_writer *sets = calloc(1, sizeof(*sets));
    if (!sets) return RP_ERR_NOMEM;
    sets->d = d;
    *out = sets;
    st = build_sets(d, sets);
    if (st != RP_OK || n / SETS_READS_IN_MEMORY < d->n_slots) return st;
    return sets_to_memory(d, sets);
}

static void close_sets(rp_set_writer *sets)
{
    if (!sets) return;
    for (unsigned k = 0; k < sets->n_files; k++) {
        if (sets->mapped[k]) munmap(sets->mem[k], sets->mapped[k]);
        else free(sets->mem[k]);
        if (sets->file[k]) fclose(sets->file[k]);
    }
    free(sets->profile);
    free(sets);
}

/* The n pairs' scores from their sets, on the run's threads, each over a
 * range of pairs; appended in pair order to *edges when at the threshold.
 * rp__hooks.verify_batch pairs are scored at a time. */

static rp_status score(rp_dedup *d, rp_set_writer *sets, const rp_cand *cand, size_t n,
                       float *scores, rp_edges *e)
{
    unsigned threads = d->stats->threads ? d->stats->threads : 1;
    rp_scorer *sc = calloc(threads, sizeof(*sc));
    if (!sc) return RP_ERR_NOMEM;
    for (unsigned k = 0; k < threads; k++)
        sc[k] = (rp_scorer){d, sets, cand, n * k / threads, n * (k + 1) / threads, scores, RP_OK, ""};
    rp__run_parallel(score_pairs, sc, sizeof(*sc), threads);
    rp_status st = RP_OK;
    for (unsigned k = 0; k < threads && st == RP_OK; k++)
        if ((st = sc[k].st) == RP_ERR_IO) rp__msg(d->err, "%s", sc[k].err);
    free(sc);
    size_t kept = 0;
    for (size_t i = 0; st == RP_OK && i < n; i++) kept += scores[3 * i] >= 0;
    if (st == RP_OK && rp__grow((void **)&e->mem, &e->cap_mem, e->n_mem + kept + 1, sizeof(rp_edge)))
        st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n; i++) {
        const float *f = scores + 3 * i;
        if (f[0] >= 0) e->mem[e->n_mem++] = (rp_edge){cand[i].a, cand[i].b, f[0], f[1], f[2]};
    }
    if (st == RP_OK) e->n += kept;
    return st;
}

/* ------------------------------------------------------------ edges */

enum { EDGE_WINDOW = 1 << 16 }; /* edges read back from their file at a time */

rp_edges rp__edges_of(const rp_edge *mem, size_t n)
{
    return (rp_edges){(rp_edge *)(uintptr_t)mem, n, n, n, NULL, 0, NULL, NULL, RP_OK};
}

/* The edges held, appended to their file (made on the first call). */
static rp_status edges_write(rp_dedup *d, rp_edges *e)
{
    if (!e->file) {
        rp_status st = rp__corpus_temp(d->corpus, &e->file);
        if (st != RP_OK) return st;
        e->c = d->corpus;
        e->err = d->err;
    }
    if (e->n_mem && fwrite(e->mem, sizeof(rp_edge), e->n_mem, e->file) != e->n_mem)
        return rp__corpus_temp_write_failed(d->corpus, d->err, errno);
    d->stats->spilled_bytes += e->n_mem * sizeof(rp_edge);
    e->n_mem = 0;
    return RP_OK;
}

/* The last edges written, and the memory that held them made a window,
 * no larger than the edges held. */
static rp_status edges_finish(rp_dedup *d, rp_edges *e, size_t held)
{
    rp_status st = edges_write(d, e);
    if (st == RP_OK && fflush(e->file)) st = rp__corpus_temp_write_failed(d->corpus, d->err, errno);
    free(e->mem);
    e->cap_mem = held < EDGE_WINDOW ? (held ? held : 1) : EDGE_WINDOW;
    if (!(e->mem = malloc(e->cap_mem * sizeof(rp_edge))) && st == RP_OK) st = RP_ERR_NOMEM;
    e->win_lo = 0;
    return st;
}

const rp_edge *rp__edges_read(rp_edges *e, size_t k)
{
    if (e->st != RP_OK || k >= e->n || !e->mem) return NULL;
    size_t lo = k;
    if (k < e->win_lo) /* walking backwards: the window ends at k */
        lo = k + 1 > e->cap_mem ? k + 1 - e->cap_mem : 0;
    size_t m = e->n - lo < e->cap_mem ? e->n - lo : e->cap_mem;
    e->n_mem = 0;
    if ((e->st = rp__corpus_temp_read(e->c, e->err, e->file, e->mem, m * sizeof(rp_edge),
                                      (uint64_t)lo * sizeof(rp_edge))) != RP_OK)
        return NULL;
    e->win_lo = lo;
    e->n_mem = m;
    return &e->mem[k - lo];
}

void rp__edges_free(rp_edges *e)
{
    free(e->mem);
    if (e->file) fclose(e->file);
    memset(e, 0, sizeof(*e));
}

/* ---------------------------------------------------------------- verify */

/* The candidates scored a batch at a time, into *e: the scores of 97
 * million candidates would be 1.2 GB, the similar ones' edges are what is
 * kept. The one-call run hands the early refusal's candidates over packed
 * or in runs (taken: freed here), so that they give back their memory as the edges
 * take theirs (300 templates' 900,000 near-copies held 87 million
 * candidates of 16 bytes beside 57 million edges of 32: 3.6 GB). The edges
 * held past `held` are written to a file (--memory), every similar pair
 * being listed only once verify ends. */
static rp_status verify_list(rp_dedup *d, rp_cands *src, size_t held, rp_edges *e)
{
    memset(e, 0, sizeof(*e));
    rp_set_writer *sets;
    size_t n = src->n;
    rp_status st = prepare_sets(d, src, &sets);
    size_t batch = n < rp__hooks.verify_batch ? n : rp__hooks.verify_batch;
    if (batch > held) batch = held ? held : 1; /* then at most 2 * held edges are held */
    float *scores = st == RP_OK && n ? malloc(batch * 3 * sizeof(float)) : NULL;
    if (st == RP_OK && n && !scores) st = RP_ERR_NOMEM;
    size_t m;
    const rp_cand *c;
    while (st == RP_OK && n && (c = cands_next(src, batch, &m, &st)) && m) {
        st = score(d, sets, c, m, scores, e);
        d->stats->verified_pairs += m;
        if (st == RP_OK && e->n_mem >= held) st = edges_write(d, e);
    }
    if (st == RP_OK && e->file) st = edges_finish(d, e, held);
    free(scores);
    close_sets(sets);
    return st;
}

rp_status rp__dedup_verify(rp_dedup *d, const rp_cand *cand, size_t n, rp_edge **edges,
                           size_t *n_edges)
{
    rp_edges e;
    rp_cands src = {.cand = cand, .n = n};
    rp_status st = verify_list(d, &src, SIZE_MAX, &e);
    if (st != RP_OK) rp__edges_free(&e);
    *edges = e.mem;
    *n_edges = e.n_mem;
    return st;
}

/* Pairs scored at a time by rp__dedup_verify_connecting: a 64th of them,
 * between 256 and 65536: enough to keep the threads busy (a batch starts
 * them), few enough that the unions of one batch spare the next most of
 * its pairs. */
#define CONNECT_BATCH_MIN 256
#define CONNECT_BATCH_MAX (1 << 16)

static rp_status verify_connecting(rp_dedup *d, rp_cands *src, rp_edge **edges, size_t *n_edges)
{
    rp_edges e = {0};
    rp_set_writer *sets;
    size_t n = src->n;
    rp_status st = prepare_sets(d, src, &sets);
    rp_uf uf = {0};
    size_t batch = n / 64;
    if (batch < CONNECT_BATCH_MIN) batch = CONNECT_BATCH_MIN;
    if (batch > CONNECT_BATCH_MAX) batch = CONNECT_BATCH_MAX;
    rp_cand *todo = NULL;
    float *scores = NULL;
    if (st == RP_OK && n &&
        (rp__uf_init(&uf, d->n_rec) || !(todo = malloc(batch * sizeof(rp_cand))) ||
         !(scores = malloc(batch * 3 * sizeof(float)))))
        st = RP_ERR_NOMEM;
    size_t got;
    const rp_cand *cand;
    while (st == RP_OK && n && (cand = cands_next(src, batch, &got, &st)) && got) {
        size_t m = 0;
        for (size_t i = 0; i < got; i++) /* a pair already joined needs no score */
            if (rp__uf_find(&uf, (uint32_t)cand[i].a) != rp__uf_find(&uf, (uint32_t)cand[i].b))
                todo[m++] = cand[i];
        size_t before = e.n_mem;
        if (m) st = score(d, sets, todo, m, scores, &e);
        for (size_t k = before; st == RP_OK && k < e.n_mem; k++)
            rp__uf_union(&uf, (uint32_t)e.mem[k].a, (uint32_t)e.mem[k].b);
        d->stats->verified_pairs += m;
    }
    *edges = e.mem;
    *n_edges = e.n_mem;
    rp__uf_free(&uf);
    free(todo);
    free(scores);
    close_sets(sets);
    return st;
}

rp_status rp__dedup_verify_connecting(rp_dedup *d, const rp_cand *cand, size_t n, rp_edge **edges,
                                      size_t *n_edges)
{
    rp_cands src = {.cand = cand, .n = n};
    return verify_connecting(d, &src, edges, n_edges);
}

/* rp__dedup_cluster of edges held in memory or in their file (taken). */
static rp_status cluster_edges(rp_dedup *d, rp_edges *e)
{
    if (d->clustered || rp__uf_init(&d->uf, d->n_rec)) {
        rp__edges_free(e);
        if (!d->clustered) return RP_ERR_NOMEM;
        rp__msg(d->err, "the documents are clustered once");
        return RP_ERR_USAGE;
    }
    d->clustered = 1;
    d->edges = *e;
    e = &d->edges;
    for (size_t i = 0; i < e->n; i++) {
        const rp_edge *p = rp__edges_at(e, i);
        if (!p) return e->st;
        if (p->a >= p->b || p->b >= d->n_rec) {
            rp__msg(d->err, "edge (%llu, %llu) of %zu records", (unsigned long long)p->a,
                    (unsigned long long)p->b, d->n_rec);
            return RP_ERR_USAGE;
        }
        rp__uf_union(&d->uf, (uint32_t)p->a, (uint32_t)p->b);
    }
    d->stats->similar_pairs = e->n;
    for (size_t i = 0; i < d->n_rec; i++) {
        if ((d->status[i] & REC_STATE) != REC_DOC) continue;
        if (rp__uf_find(&d->uf, (uint32_t)i) != i) {
            d->status[i] |= REC_REMOVED;
            d->stats->removed++;
            if (d->status[i] & REC_EXACT) d->stats->removed_exact++;
        } else {
            d->stats->kept++;
        }
    }
    /* a cluster per root that has at least one removed member */
    uint8_t *seen = calloc(d->n_rec ? d->n_rec : 1, 1);
    if (!seen) return RP_ERR_NOMEM;
    uint64_t clusters = 0;
    for (size_t i = 0; i < d->n_rec; i++)
        if (d->status[i] & REC_REMOVED) {
            uint32_t root = rp__uf_find(&d->uf, (uint32_t)i);
            if (!seen[root]) seen[root] = 1, clusters++;
        }
    free(seen);
    d->stats->clusters = clusters;
    return RP_OK;
}

rp_status rp__dedup_cluster(rp_dedup *d, rp_edge *edges, size_t n)
{
    rp_edges e = rp__edges_of(edges, n);
    return cluster_edges(d, &e);
}

/* The LSH parameters and the band store, before a sign pass. */
static rp_status sign_setup(rp_dedup *d)
{
    if (d->band || d->n_rec) {
        rp__msg(d->err, "the sign pass runs once");
        return RP_ERR_USAGE;
    }
    if (d->p->max_doc_bytes < 1 || d->p->max_bucket < 2) {
        rp__msg(d->err, "invalid parameters (max_doc_bytes >= 1, max_bucket >= 2)");
        return RP_ERR_USAGE;
    }
    rp_status st = rp__lsh_params(d->p, &d->bands, &d->rows, d->err);
    if (st != RP_OK) return st;
    d->stats->bands = d->bands;
    d->stats->rows = d->rows;
    d->band = rp__bands_create(d->bands, d->p->memory_limit, d->corpus);
    return d->band ? RP_OK : RP_ERR_NOMEM;
}

rp_status rp__dedup_sign(rp_dedup *d)
{
    rp_status st = sign_setup(d);
    return st != RP_OK ? st : rp__corpus_first_pass(d->corpus, d->stats, &sign_ops, d);
}

rp_status rp__dedup_sign_range(rp_dedup *d, uint64_t from, uint64_t to, uint64_t lines_before)
{
    rp_status st = sign_setup(d);
    if (st != RP_OK) return st;
    return rp__corpus_first_pass_range(d->corpus, d->stats, &sign_ops, d, from, to, lines_before);
}

uint64_t rp__dedup_count(const rp_dedup *d)
{
    return d->n_rec;
}

rp_status rp__dedup_signed(rp_dedup *d, rp_docno n, rp_sign_result *out, rp_status *status)
{
    if (n >= d->n_rec || d->exact_done || !d->band) return RP_ERR_USAGE; /* before the candidates */
    *status = (d->status[n] & REC_STATE) == REC_REJECTED ? RP_ERR_BAD_INPUT_FIRST : RP_OK;
    out->exact = d->exact[n];
    out->bands = d->bands;
    out->lone = (d->status[n] & REC_LONE) != 0;
    return rp__bands_get(d->band, n, out->keys, d->err);
}

/* ------------------------------------------------ a part of a run
 *
 * What dedup_dist.c needs of the state of one part of a distributed run:
 * its records' sign results, the exact copies and ghosts (records of other
 * parts that its pairs name, read by offset), and the removals the whole
 * run decided. */

rp_status rp__dedup_band_column(rp_dedup *d, unsigned b, uint32_t *keys)
{
    if (!d->band) return RP_ERR_USAGE;
    return rp__bands_get_band(d->band, b, keys, d->err);
}

unsigned rp__dedup_bands(const rp_dedup *d)
{
    return d->bands;
}

int rp__dedup_exact_of(const rp_dedup *d, rp_docno n, uint64_t *exact)
{
    if (n >= d->n_rec || !d->exact || (d->status[n] & REC_STATE) != REC_DOC) return 0;
    *exact = d->exact[n];
    return 1;
}

int rp__dedup_in_bands(const rp_dedup *d, rp_docno n)
{
    return n < d->n_rec && d->status[n] == REC_DOC;
}

int rp__dedup_is_exact_copy(const rp_dedup *d, rp_docno n)
{
    return n < d->n_rec && (d->status[n] & REC_EXACT);
}

rp_status rp__dedup_mark_exact(rp_dedup *d, const rp_docno *copies, size_t n)
{
    if (!d->band || d->exact_done) {
        rp__msg(d->err, "the exact copies are marked once, after the sign pass");
        return RP_ERR_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        if (copies[i] >= d->n_rec || (d->status[copies[i]] & REC_STATE) != REC_DOC) {
            rp__msg(d->err, "exact copy %llu is not a document of %zu",
                    (unsigned long long)copies[i], d->n_rec);
            return RP_ERR_USAGE;
        }
        d->status[copies[i]] |= REC_EXACT;
    }
    d->exact_done = 1;
    free(d->exact);
    d->exact = NULL;
    return RP_OK;
}

rp_status rp__dedup_save(rp_dedup *d, FILE *f)
{
    if (!d->band || d->exact_done) return RP_ERR_USAGE; /* right after the sign pass */
    uint64_t head[3] = {d->n_rec, d->bands, d->rows};
    if (fwrite(head, sizeof(head), 1, f) != 1) return RP_ERR_IO;
    uint32_t keys[RP_BANDS_MAX];
    for (size_t i = 0; i < d->n_rec; i++) {
        uint8_t st = d->status[i] & (REC_STATE | REC_LONE);
        rp_status s = rp__bands_get(d->band, i, keys, d->err);
        if (s != RP_OK) return s;
        if (fwrite(&st, 1, 1, f) != 1 || fwrite(&d->exact[i], sizeof(uint64_t), 1, f) != 1 ||
            fwrite(keys, sizeof(uint32_t), d->bands, f) != d->bands)
            return RP_ERR_IO;
    }
    return RP_OK;
}

rp_status rp__dedup_load(rp_dedup *d, FILE *f)
{
    uint64_t head[3];
    rp_status st = sign_setup(d);
    if (st != RP_OK) return st;
    if (fread(head, sizeof(head), 1, f) != 1 || head[1] != d->bands || head[2] != d->rows) {
        rp__msg(d->err, "the checkpoint was made with other bands and rows");
        return RP_ERR_USAGE;
    }
    rp_sign_result s;
    s.bands = d->bands;
    for (uint64_t i = 0; i < head[0]; i++) {
        uint8_t state;
        if (fread(&state, 1, 1, f) != 1 || fread(&s.exact, sizeof(uint64_t), 1, f) != 1 ||
            fread(s.keys, sizeof(uint32_t), d->bands, f) != d->bands) {
            rp__msg(d->err, "the checkpoint ends early");
            return RP_ERR_USAGE;
        }
        s.lone = (state & REC_LONE) != 0;
        st = rp__dedup_add_signed(d, i, (state & REC_STATE) == REC_DOC ? &s : NULL);
        if (st != RP_OK) return st;
    }
    return RP_OK;
}

rp_status rp__dedup_drop_bands(rp_dedup *d)
{
    rp_bands_stats bs;
    if (d->band) {
        rp__bands_stats(d->band, &bs);
        d->stats->spilled_bytes = bs.spilled_bytes;
        d->stats->spill_partitions = bs.partitions;
    }
    rp__bands_free(d->band);
    d->band = NULL;
    return RP_OK;
}

rp_status rp__dedup_add_ghosts(rp_dedup *d, const uint8_t *exact_copy, size_t n)
{
    if (!d->exact_done || d->clustered) return RP_ERR_USAGE;
    for (size_t i = 0; i < n; i++) {
        if (d->n_rec == d->cap_rec) {
            size_t cap = d->cap_rec ? d->cap_rec + d->cap_rec / 2 : 4096;
            uint8_t *st = realloc(d->status, cap);
            if (!st) return RP_ERR_NOMEM;
            d->status = st;
            d->cap_rec = cap;
        }
        d->status[d->n_rec++] = REC_DOC | (exact_copy[i] ? REC_EXACT : 0);
    }
    return RP_OK;
}

rp_status rp__dedup_set_removed(rp_dedup *d, const uint8_t *removed, size_t n_own)
{
    if (d->clustered || n_own > d->n_rec) return RP_ERR_USAGE;
    d->clustered = 1;
    for (size_t i = 0; i < d->n_rec; i++) {
        if ((d->status[i] & REC_STATE) != REC_DOC) continue;
        if (i >= n_own || removed[i]) { /* a ghost is another part's to write */
            d->status[i] |= REC_REMOVED;
            if (i >= n_own) continue;
            d->stats->removed++;
            if (d->status[i] & REC_EXACT) d->stats->removed_exact++;
        } else {
            d->stats->kept++;
        }
    }
    return RP_OK;
}

/* ---------------------------------------------------------------- run */

/* ---------------------------------------------- candidates refused early
 *
 * On a corpus of many near-copies (reposts, pages cut from a few
 * templates) the buckets propose about a hundred pairs a document, nearly
 * all under the threshold: 97 million for 900,000 short copies of 300
 * templates, of which the sets' profiles refuse 80 %. Listed, sorted and
 * then refused, they were most of dedup's time and 1.5 GB. So when the
 * buckets propose many pairs a document, the sets are written first and
 * each bucket's pairs are refused from their profiles as it is searched,
 * the members' profiles in cache: the same test verify makes
 * (refused()), so the edges, and everything after them, are the same.
 *
 * The count of distinct candidates stays exact without listing them: a
 * pair of a bucket is counted in the first band where the two share an
 * untruncated bucket (their keys agree there; a truncated bucket proposes
 * only its chain). A chain's links are refused as a bucket's pairs are,
 * and those that share no untruncated bucket are kept apart, to be counted
 * once each however many chains link them.
 *
 * Two searches of the bands, then: the first marks which records are in a
 * bucket (they need sets) and which buckets are truncated, and counts the
 * pairs; the second refuses. */

#define NEED_TABLE 1024

typedef struct {
    uint64_t raw;               /* first search: pairs proposed, chains' links for truncated buckets */
    uint64_t truncated;
    uint64_t distinct;          /* second search: bucket pairs counted */
    uint64_t *pairs;            /* a << 32 | b: not refused, and chains' links */
    size_t n_pairs, cap_pairs;
    uint64_t *lone;             /* the links of chains that share no untruncated bucket */
    size_t n_lone, cap_lone;
    uint32_t *doc;              /* a bucket's members: record, slot, */
    uint32_t *slot;
    uint64_t *uncut;            /* bands where its bucket is not truncated (bit l: band l), */
    uint32_t *row;              /* keys (ROW_STRIDE a member) and set's profile, gathered */
    uint8_t *profile;           /* so that the pairs find them in cache, */
    uint32_t *len, *shared;     /* its set's size, and at most how much of it another shares */
    size_t cap;
    FILE *run_file;             /* pairs written in sorted runs (--memory): */
    uint64_t run_off;           /*   its length, */
    uint64_t *runs;             /*   each run's offset and count */
    size_t n_runs, cap_runs;
    char err[RP_MSG_MAX];
    char pad[64];               /* threads' counts on lines of their own */
} rp_early_thread;

typedef struct {
    rp_dedup *d;
    unsigned bands, threads;    /* the searching threads: at most 4, at most the bands */
    size_t held;                /* pairs a thread holds before it writes them in a run */
    size_t words;               /* 64-bit words of one band's bitmap */
    uint64_t *member;           /* band-major bitmaps of records: in a bucket of two or more, */
    uint64_t *cut;              /* in a truncated one */
    uint8_t *skip;              /* the records the first search skipped (status bytes) */
    uint32_t *rows;             /* the second search: every record's keys, record-major */
    const uint8_t *profile;     /* per slot */
    uint64_t need[NEED_TABLE];  /* rp__intersect_need of sizes summing to k (Jaccard), or
                                   of a smaller set of k (containment) */
    rp_early_thread *th;
} rp_early;

static inline int bit(const uint64_t *map, uint64_t i)
{
    return (int)(map[i >> 6] >> (i & 63) & 1);
}

static rp_status early_mark(void *ctx, unsigned thread, unsigned band, const uint64_t *e, size_t m)
{
    rp_early *x = ctx;
    rp_early_thread *t = &x->th[thread];
    uint64_t *member = x->member + band * x->words, *cut = x->cut + band * x->words;
    int truncated = m > x->d->p->max_bucket;
    t->raw += truncated ? m - 1 : (uint64_t)m * (m - 1) / 2;
    t->truncated += (uint64_t)truncated;
    for (size_t i = 0; i < m; i++) {
        uint32_t r = (uint32_t)e[i];
        member[r >> 6] |= (uint64_t)1 << (r & 63);
        if (truncated) cut[r >> 6] |= (uint64_t)1 << (r & 63);
    }
    return RP_OK;
}

/* Whether records a and b share an untruncated bucket in a band before `band`. */
static inline int shared_before(const rp_early *x, uint32_t a, uint32_t b, unsigned band)
{
    const uint32_t *ra = x->rows + (size_t)a * x->bands, *rb = x->rows + (size_t)b * x->bands;
    for (unsigned l = 0; l < band; l++)
        if (ra[l] == rb[l] && !bit(x->cut + l * x->words, a)) return 1;
    return 0;
}

/* The same, for the bands before `band` < 64 of rows gathered from
 * x->rows (ROW_STRIDE keys, the last ones 0), uncut the bands where a's
 * bucket is not truncated: every band compared, without a branch (most
 * pairs share none). */
#define ROW_STRIDE 64
static inline int shared_uncut(const uint32_t *ra, const uint32_t *rb, uint64_t uncut, unsigned band)
{
    uint64_t eq = 0;
#if defined(__SSE2__) && defined(__x86_64__)
    for (unsigned l = 0; l < band; l += 4) {
        __m128i e = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(ra + l)),
                                    _mm_loadu_si128((const __m128i *)(rb + l)));
        eq |= (uint64_t)_mm_movemask_ps(_mm_castsi128_ps(e)) << l;
    }
#else
    for (unsigned l = 0; l < band; l++) eq |= (uint64_t)(ra[l] == rb[l]) << l;
#endif
    return (eq & uncut & (((uint64_t)1 << band) - 1)) != 0;
}

/* At most how much of a set of len another shares, by its profile alone:
 * the profile's total, which bounds any intersection before its ranges are
 * compared (a copy's own edits leave it under most pairs' need); a set of
 * RP_PROFILE_FULL or more may have a full count, which is only a floor:
 * its size then. */
static inline uint32_t profile_total(const uint8_t *profile, uint32_t len)
{
    uint32_t sum = 0;
    for (unsigned k = 0; k < RP_PROFILE_BYTES; k++) sum += profile[k];
    return len >= RP_PROFILE_FULL ? len : sum;
}

static inline uint64_t need_of(const rp_early *x, uint64_t na, uint64_t nb)
{
    const rp_params *p = x->d->p;
    uint64_t k = p->measure == RP_MEASURE_CONTAINMENT ? (na < nb ? na : nb) : na + nb;
    return k < NEED_TABLE ? x->need[k] : rp__intersect_need(p->measure, p->threshold, na, nb);
}

/* Whether the profiles of slots sa and sb refuse the pair, as refused() does. */
static inline int early_refused(const rp_early *x, uint32_t sa, uint32_t sb)
{
    const rp_dedup *d = x->d;
    uint64_t na = d->set_len[sa], nb = d->set_len[sb];
    return rp__profile_bound(x->profile + (size_t)sa * RP_PROFILE_BYTES, na,
                             x->profile + (size_t)sb * RP_PROFILE_BYTES, nb) < need_of(x, na, nb);
}

/* The thread's pairs sorted and written to its file as a run. */
static rp_status write_run(rp_early *x, rp_early_thread *t)
{
    size_t m = rp__sort_unique_u64(t->pairs, t->n_pairs, NULL);
    if (m == SIZE_MAX) return RP_ERR_NOMEM;
    rp_status st = t->run_file ? RP_OK : rp__corpus_temp(x->d->corpus, &t->run_file);
    if (st != RP_OK) return st;
    if (m && fwrite(t->pairs, sizeof(uint64_t), m, t->run_file) != m)
        return rp__corpus_temp_write_failed(x->d->corpus, t->err, errno);
    if (rp__grow((void **)&t->runs, &t->cap_runs, t->n_runs + 2, sizeof(uint64_t))) return RP_ERR_NOMEM;
    t->runs[t->n_runs++] = t->run_off;
    t->runs[t->n_runs++] = m;
    t->run_off += m * sizeof(uint64_t);
    t->n_pairs = 0;
    return RP_OK;
}

static rp_status push_pair(rp_early *x, rp_early_thread *t, uint32_t a, uint32_t b)
{
    if (rp__push_pair(&t->pairs, &t->n_pairs, &t->cap_pairs, a, b)) return RP_ERR_NOMEM;
    return t->n_pairs < x->held ? RP_OK : write_run(x, t);
}

static rp_status early_refuse(void *ctx, unsigned thread, unsigned band, const uint64_t *e, size_t m)
{
    rp_early *x = ctx;
    rp_early_thread *t = &x->th[thread];
    rp_dedup *d = x->d;
    if (m > d->p->max_bucket) { /* a chain, as rp__band_pairs_scratch makes it */
        for (size_t i = 0; i + 1 < m; i++) {
            uint32_t a = (uint32_t)e[i], b = (uint32_t)e[i + 1];
            if (!shared_before(x, a, b, x->bands) && rp__push_pair(&t->lone, &t->n_lone, &t->cap_lone, a, b))
                return RP_ERR_NOMEM;
            rp_status st = early_refused(x, d->slot[a], d->slot[b]) ? RP_OK : push_pair(x, t, a, b);
            if (st != RP_OK) return st;
        }
        return RP_OK;
    }
    if (m > t->cap) {
        free(t->doc);
        free(t->slot);
        free(t->uncut);
        free(t->row);
        free(t->profile);
        free(t->len);
        free(t->shared);
        t->cap = m;
        t->doc = malloc(m * sizeof(uint32_t));
        t->slot = malloc(m * sizeof(uint32_t));
        t->uncut = malloc(m * sizeof(uint64_t));
        t->row = calloc(m * ROW_STRIDE, sizeof(uint32_t));
        t->profile = aligned_alloc(64, m * RP_PROFILE_BYTES);
        t->len = malloc(m * sizeof(uint32_t));
        t->shared = malloc(m * sizeof(uint32_t));
        if (!t->doc || !t->slot || !t->uncut || !t->row || !t->profile || !t->len || !t->shared)
            return RP_ERR_NOMEM;
    }
    int fast = band < ROW_STRIDE;
    for (size_t i = 0; i < m; i++) {
        /* the members are far apart: their slots, keys and profiles asked
         * for ahead (each gathered once a band, 19 million misses on the
         * near-copies otherwise) */
        if (i + 16 < m) PREFETCH(&d->slot[(uint32_t)e[i + 16]]);
        if (i + 8 < m) {
            uint32_t ahead = (uint32_t)e[i + 8];
            PREFETCH(x->profile + (size_t)d->slot[ahead] * RP_PROFILE_BYTES);
            PREFETCH(x->rows + (size_t)ahead * x->bands);
        }
        uint32_t r = t->doc[i] = (uint32_t)e[i];
        t->slot[i] = d->slot[r];
        uint64_t uncut = 0;
        for (unsigned l = 0; fast && l < band; l++) {
            uncut |= (uint64_t)!bit(x->cut + l * x->words, r) << l;
            t->row[i * ROW_STRIDE + l] = x->rows[(size_t)r * x->bands + l];
        }
        t->uncut[i] = uncut;
        uint8_t *pi = t->profile + i * RP_PROFILE_BYTES;
        memcpy(pi, x->profile + (size_t)t->slot[i] * RP_PROFILE_BYTES, RP_PROFILE_BYTES);
        t->len[i] = d->set_len[t->slot[i]];
        t->shared[i] = profile_total(pi, t->len[i]);
    }
    for (size_t i = 0; i + 1 < m; i++) {
        uint32_t a = t->doc[i], sha = t->shared[i];
        uint64_t na = t->len[i];
        const uint32_t *ra = t->row + i * ROW_STRIDE;
        const uint8_t *pa = t->profile + i * RP_PROFILE_BYTES;
        for (size_t j = i + 1; j < m; j++) {
            uint32_t b = t->doc[j];
            if (band && (fast ? shared_uncut(ra, t->row + j * ROW_STRIDE, t->uncut[i], band)
                              : shared_before(x, a, b, band)))
                continue; /* counted there */
            t->distinct++;
            uint64_t nb = t->len[j], need = need_of(x, na, nb);
            if ((sha < t->shared[j] ? sha : t->shared[j]) < need ||
                rp__profile_bound(pa, na, t->profile + j * RP_PROFILE_BYTES, nb) < need)
                continue;
            rp_status st = push_pair(x, t, a, b);
            if (st != RP_OK) return st;
        }
    }
    return RP_OK;
}

/* Shingles that occur in one set alone, of all the sets written, are in no
 * pair's intersection, so a profile of the others alone still bounds every
 * intersection, and more tightly: a copy of a template whose two edited
 * words made ten shingles of its own shares at most 36 of its 46 with any
 * other copy, under the 37 that Jaccard 0.7 needs. Which occur once is
 * told by a table of two bits a position, about four positions a shingle
 * (a shingle's position: its hash's top bits), the first bit set when a
 * shingle is met there and the second when one is met again: a shingle
 * whose second bit is clear is in one set only; another's sharing its
 * position can only set it, which keeps a shingle in the profile, never
 * drops one wrongly. The sets
 * are streamed from their files, a thread a file, twice: once to mark, once
 * to count. */
typedef struct {
    rp_dedup *d;
    rp_set_writer *sw;
    unsigned file, bits;
    _Atomic uint64_t *seen;     /* two bits a position: met once, met again */
    int count;                  /* 0: mark, 1: make the profiles */
    rp_status st;
    char err[RP_MSG_MAX];
} rp_refiner;

enum { REFINE_WINDOW = 1 << 20 }; /* uint64s read from a sets file at a time */
#define REFINE_SPREAD 4 /* positions a shingle; 8 refused 1 % more pairs on the near-copies */
#define REFINE_AHEAD 16 /* shingles between a table word asked for and its use */

/* A shingle's position in the table of 2^bits positions. */
static inline uint64_t seen_position(uint64_t h, unsigned bits)
{
    return (h * 0x9E3779B97F4A7C15ULL) >> (64 - bits);
}

static void *refine_file(void *arg)
{
    rp_refiner *r = arg;
    rp_dedup *d = r->d;
    rp_set_writer *sw = r->sw;
    _Atomic uint64_t *seen = r->seen; /* in locals: the loops' stores would reload them */
    const unsigned bits = r->bits;
    size_t cap = REFINE_WINDOW;
    uint64_t *buf = malloc(cap * sizeof(uint64_t)), from = 0, len = 0; /* the window: [from, from + len) */
    uint64_t *shared = NULL;
    size_t cap_shared = 0;
    if (!buf) r->st = RP_ERR_NOMEM;
    for (uint32_t slot = 0; r->st == RP_OK && slot < d->n_slots; slot++) {
        uint64_t at = d->set_off[slot], n = d->set_len[slot];
        if (set_file(at) != r->file || !n) continue;
        uint64_t off = set_offset(at);
        const uint64_t *mem = sw->mem[r->file];
        if (!mem && (off < from || off + n > from + len)) { /* read on from the set */
            if (n > cap) {
                free(buf);
                if (!(buf = malloc((cap = n) * sizeof(uint64_t)))) {
                    r->st = RP_ERR_NOMEM;
                    break;
                }
            }
            struct stat sb;
            if (fstat(fileno(sw->file[r->file]), &sb) != 0) sb.st_size = 0;
            uint64_t end = (uint64_t)sb.st_size / sizeof(uint64_t);
            len = end > off ? end - off : 0;
            if (len > cap) len = cap;
            if (len < n) len = n; /* the read says the file is short */
            from = off;
            r->st = rp__corpus_temp_read(d->corpus, r->err, sw->file[r->file], buf, len * sizeof(uint64_t),
                                         off * sizeof(uint64_t));
            if (r->st != RP_OK) break;
        }
        const uint64_t *set = mem ? mem + off : buf + (off - from);
        /* the table's words asked for ahead, across the sets when they are
         * in memory one after another (the first of each set's shingles
         * missed it otherwise), within the set when read */
        uint64_t ahead_end = mem ? sw->words[r->file] - off : n;
        if (!r->count) {
            for (uint64_t i = 0; i < n; i++) {
                if (i + REFINE_AHEAD < ahead_end) PREFETCH(&seen[seen_position(set[i + REFINE_AHEAD], bits) >> 5]);
                uint64_t h = seen_position(set[i], bits), once = (uint64_t)1 << (2 * (h & 31));
                /* a locked write only where a bit is still to set: a
                 * template's shingles, met thousands of times, are read */
                uint64_t was = atomic_load_explicit(&seen[h >> 5], memory_order_relaxed);
                if (!(was & once)) was = atomic_fetch_or_explicit(&seen[h >> 5], once, memory_order_relaxed);
                if ((was & once) && !(was & once << 1))
                    atomic_fetch_or_explicit(&seen[h >> 5], once << 1, memory_order_relaxed);
            }
            continue;
        }
        /* the shingles met again, profiled as any set is */
        if (n > cap_shared) {
            free(shared);
            if (!(shared = malloc((cap_shared = n) * sizeof(uint64_t)))) {
                r->st = RP_ERR_NOMEM;
                break;
            }
        }
        size_t m = 0;
        for (uint64_t i = 0; i < n; i++) {
            if (i + REFINE_AHEAD < ahead_end) PREFETCH(&seen[seen_position(set[i + REFINE_AHEAD], bits) >> 5]);
            uint64_t h = seen_position(set[i], bits);
            shared[m] = set[i];
            m += atomic_load_explicit(&seen[h >> 5], memory_order_relaxed) >> (2 * (h & 31) + 1) & 1;
        }
        rp__set_profile(shared, m, sw->profile + (size_t)slot * RP_PROFILE_BYTES);
    }
    free(buf);
    free(shared);
    return NULL;
}

/* The sets' profiles of the shingles some other set has too (above), the
 * table as large as a quarter of --memory lets it be (smaller, more
 * shingles share a position: fewer are known to be met once, never a
 * wrong one). */
static rp_status refine_profiles(rp_dedup *d, rp_set_writer *sw)
{
    uint64_t total = 0, small = 0;
    for (uint32_t slot = 0; slot < d->n_slots; slot++) {
        total += d->set_len[slot];
        small += d->set_len[slot] < RP_PROFILE_FULL;
    }
    /* two sets of RP_PROFILE_FULL or more are bounded by their sizes, not
     * their profiles: with no smaller set, no bound would change (10,000
     * long documents strung from shared passages: a sixth of pairs' time) */
    if (!small) return RP_OK;
    unsigned bits = 6;
    while (bits < 40 && ((uint64_t)1 << bits) < total * REFINE_SPREAD) bits++;
    uint64_t room = (uint64_t)1 << 30;
    if (d->p->memory_limit && d->p->memory_limit / 4 < room) room = d->p->memory_limit / 4;
    while (bits > 6 && ((uint64_t)1 << bits) / 4 > room) bits--;
    if (!total || !sw->n_files) return RP_OK;
    size_t words = ((size_t)1 << bits) / 32;
    /* written zero at once: the marks read a word before they write it,
     * and a word read first would be mapped from the zero page and faulted
     * again on its first write (aligned_alloc: gcc makes malloc and a
     * memset of zeros one calloc, which leaves fresh pages untouched) */
    _Atomic uint64_t *seen = aligned_alloc(64, words * sizeof(uint64_t));
    if (seen) memset((void *)seen, 0, words * sizeof(uint64_t));
    rp_refiner *r = calloc(sw->n_files, sizeof(*r));
    rp_status st = seen && r ? RP_OK : RP_ERR_NOMEM;
    for (unsigned k = 0; st == RP_OK && k < sw->n_files; k++)
        if (fflush(sw->file[k]) != 0) st = RP_ERR_IO;
    for (int count = 0; count < 2 && st == RP_OK; count++) {
        for (unsigned k = 0; k < sw->n_files; k++)
            r[k] = (rp_refiner){d, sw, k, bits, seen, count, RP_OK, ""};
        rp__run_parallel(refine_file, r, sizeof(*r), sw->n_files);
        for (unsigned k = 0; k < sw->n_files && st == RP_OK; k++)
            if ((st = r[k].st) == RP_ERR_IO) rp__msg(d->err, "%s", r[k].err);
    }
    free((void *)seen);
    free(r);
    return st;
}

/* The records of the exact pairs and of the buckets get slots, the
 * buckets' marked for their sets, and the sets are written with their
 * profiles, ready for verify (d->ready_sets). */
static rp_status early_sets(rp_dedup *d, rp_early *x, const rp_cand *cand, size_t n)
{
    free_slots(d);
    if (!(d->slot = malloc((d->n_rec ? d->n_rec : 1) * sizeof(uint32_t)))) return RP_ERR_NOMEM;
    memset(d->slot, 0xFF, d->n_rec * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) d->slot[cand[i].a] = d->slot[cand[i].b] = 0;
    for (size_t w = 0; w < x->words; w++) {
        uint64_t any = 0;
        for (unsigned b = 0; b < x->bands; b++) any |= x->member[b * x->words + w];
        for (; any; any &= any - 1) {
            size_t r = w * 64 + (size_t)__builtin_ctzll(any);
            d->slot[r] = 0;
            d->status[r] |= REC_SET;
        }
    }
    size_t n_slots = 0;
    for (size_t r = 0; r < d->n_rec; r++)
        if (d->slot[r] != UINT32_MAX) d->slot[r] = (uint32_t)n_slots++;
    d->n_slots = n_slots;
    rp_status st = slot_places(d);
    rp_set_writer *sets = st == RP_OK ? calloc(1, sizeof(*sets)) : NULL;
    if (st == RP_OK && !sets) st = RP_ERR_NOMEM;
    if (st != RP_OK) return st;
    d->ready_sets = sets;
    sets->d = d;
    if (!(sets->profile = malloc((n_slots ? n_slots : 1) * RP_PROFILE_BYTES))) return RP_ERR_NOMEM;
    memset(sets->profile, 0, n_slots * RP_PROFILE_BYTES); /* an unread slot's: an empty set's */
    st = build_sets(d, sets);
    if (st == RP_OK) st = sets_to_memory(d, sets); /* where they fit, refined there */
    return st == RP_OK ? refine_profiles(d, sets) : st;
}

/* The first search of the bands, which says whether to refuse early:
 * *used = 1 when the buckets propose at least rp__hooks.refuse_early pairs
 * a record, x then holding the marks of the records in buckets and of the
 * truncated ones (early_free lets it go). */
static rp_status early_search(rp_dedup *d, rp_early *x, int *used)
{
    *used = 0;
    unsigned bands = d->bands, threads = d->stats->threads < 4 ? d->stats->threads : 4;
    if (threads < 1) threads = 1;
    if (threads > bands) threads = bands;
    if (d->n_rec > UINT32_MAX || rp__hooks.refuse_early == SIZE_MAX) return RP_OK;
    *x = (rp_early){.d = d, .bands = bands, .threads = threads, .words = (d->n_rec + 63) / 64};
    x->member = calloc((size_t)bands * x->words + 1, sizeof(uint64_t));
    x->cut = calloc((size_t)bands * x->words + 1, sizeof(uint64_t));
    x->th = calloc(threads, sizeof(rp_early_thread));
    if (!x->member || !x->cut || !x->th) return RP_ERR_NOMEM;
    /* the first band's pairs, times the bands, say whether to search them
     * all: on most corpora they propose too few for this (the 1 GB bench:
     * 36,489 candidates for 430,156 documents), and the first search's
     * sorts would be a twentieth more of dedup's time */
    rp_status st = rp__bands_buckets(d->band, d->status, 1, 1, early_mark, x);
    uint64_t want = (uint64_t)rp__hooks.refuse_early * d->n_rec;
    if (st != RP_OK || x->th[0].raw * bands < want / 4) return st;
    x->th[0].raw = x->th[0].truncated = 0;
    st = rp__bands_buckets(d->band, d->status, threads, bands, early_mark, x);
    uint64_t raw = 0, truncated = 0;
    for (unsigned k = 0; k < threads; k++) raw += x->th[k].raw, truncated += x->th[k].truncated;
    if (st != RP_OK || raw < want || !raw) return st;
    *used = 1;
    for (uint64_t k = 0; k < NEED_TABLE; k++)
        x->need[k] = d->p->measure == RP_MEASURE_CONTAINMENT
                         ? rp__intersect_need(d->p->measure, d->p->threshold, k, k)
                         : rp__intersect_need(d->p->measure, d->p->threshold, k, 0);
    d->stats->truncated_buckets += truncated;
    /* the records searched again are those of the first search: early_sets
     * marks the status bytes the search skips on */
    if (!(x->skip = malloc(d->n_rec ? d->n_rec : 1))) return RP_ERR_NOMEM;
    memcpy(x->skip, d->status, d->n_rec);
    return RP_OK;
}

static void early_free(rp_early *x)
{
    for (unsigned k = 0; x->th && k < x->threads; k++) {
        free(x->th[k].pairs);
        free(x->th[k].lone);
        free(x->th[k].doc);
        free(x->th[k].slot);
        free(x->th[k].uncut);
        free(x->th[k].row);
        free(x->th[k].profile);
        free(x->th[k].len);
        free(x->th[k].shared);
        free(x->th[k].runs);
        if (x->th[k].run_file) fclose(x->th[k].run_file);
    }
    free(x->th);
    free(x->member);
    free(x->cut);
    free(x->rows);
    free(x->skip);
    memset(x, 0, sizeof(*x));
}

/* The band candidates refused early, after early_search said to (cand,
 * which holds the exact pairs, freed, and *out the candidates, packed, or
 * in sorted runs when the searching threads held more than `held` pairs;
 * *counted the distinct candidates, the exact pairs' included). */
static rp_status refuse_early(rp_dedup *d, rp_early *x, rp_cand **cand, size_t *n, size_t *cap,
                              size_t held, rp_cands *out, uint64_t *counted, double *sets_seconds)
{
    unsigned bands = d->bands, threads = x->threads;
    rp_bands_stats bs;
    x->held = held / threads ? held / threads : 1;
    size_t n_exact = *n;
    /* Under --memory too, even with the bands spilled: the band keys again,
     * record-major, are then over the limit by 4 bytes a record a band, but
     * the pairs listed in full instead were 142 million on 900,000
     * near-copies (3.65 GB and 465 s under --memory 256M, against 1.61 GB
     * and 82 s refused early under 512M) */
    uint64_t rows_bytes = (uint64_t)d->n_rec * bands * sizeof(uint32_t);
    rp_status st = (x->rows = malloc(rows_bytes ? rows_bytes : 1)) ? RP_OK : RP_ERR_NOMEM;
    if (st == RP_OK) st = rp__bands_rows(d->band, x->rows, d->err);
    double t = rp__seconds();
    if (st == RP_OK) st = early_sets(d, x, *cand, *n);
    *sets_seconds = rp__seconds() - t;
    x->profile = d->ready_sets ? d->ready_sets->profile : NULL;
    if (st == RP_OK) st = rp__bands_buckets(d->band, x->skip, threads, bands, early_refuse, x);
    rp__bands_stats(d->band, &bs);
    d->stats->spilled_bytes = bs.spilled_bytes;
    d->stats->spill_partitions = bs.partitions ? bs.partitions : 1;
    /* the bucket pairs counted, and the chains' links that no untruncated
     * bucket gives (the exact pairs are in *n already) */
    uint64_t distinct = 0, *lone = NULL;
    size_t n_lone = 0, cap_lone = 0, listed = 0;
    for (unsigned k = 0; x->th && k < threads; k++) listed += x->th[k].n_pairs;
    for (unsigned k = 0; x->th && k < threads; k++) {
        distinct += x->th[k].distinct;
        if (st == RP_OK && rp__grow((void **)&lone, &cap_lone, n_lone + x->th[k].n_lone + 1, sizeof(uint64_t)))
            st = RP_ERR_NOMEM;
        if (st == RP_OK && x->th[k].n_lone) memcpy(lone + n_lone, x->th[k].lone, x->th[k].n_lone * sizeof(uint64_t));
        n_lone += x->th[k].n_lone;
    }
    /* Past `held`, each thread wrote its pairs in sorted runs: the rest are
     * written too, and the exact pairs are a run in memory, merged as
     * verify takes them. Else the pairs are gathered packed (a << 32 | b),
     * the first thread's list grown to hold them all and each other one let
     * go once copied, and sorted so (gathered as pairs they took 24 bytes a
     * pair beside the lists: 2.4 GB on 900,000 near-copies, more than
     * verify then holds) */
    int in_runs = 0;
    for (unsigned k = 0; x->th && k < threads; k++) in_runs |= x->th[k].run_file != NULL;
    rp_runs *runs = in_runs && st == RP_OK ? calloc(1, sizeof(rp_runs)) : NULL;
    if (in_runs && st == RP_OK && !runs) st = RP_ERR_NOMEM;
    if (runs) runs->c = d->corpus, runs->err = d->err;
    for (unsigned k = 0; runs && k < threads && st == RP_OK; k++) {
        rp_early_thread *t = &x->th[k];
        if (t->n_pairs) st = write_run(x, t);
        if (st == RP_OK && t->run_file && fflush(t->run_file))
            st = rp__corpus_temp_write_failed(d->corpus, t->err, errno);
        d->stats->spilled_bytes += t->run_off;
        if (t->run_file) {
            if (rp__grow((void **)&runs->files, &runs->cap_files, runs->n_files + 1, sizeof(FILE *))) {
                st = RP_ERR_NOMEM;
                break;
            }
            runs->files[runs->n_files++] = t->run_file;
            t->run_file = NULL;
        }
        for (size_t r = 0; st == RP_OK && r < t->n_runs; r += 2)
            if (runs_add(runs, runs->files[runs->n_files - 1], t->runs[r], NULL, t->runs[r + 1]))
                st = RP_ERR_NOMEM;
    }
    for (unsigned k = 0; x->th && k < threads; k++)
        if (st != RP_OK && x->th[k].err[0] && !d->err[0]) rp__msg(d->err, "%s", x->th[k].err);
    uint64_t *all = NULL;
    size_t n_all = 0;
    if (st == RP_OK && x->th && !runs) {
        all = realloc(x->th[0].pairs, (*n + listed + 1) * sizeof(uint64_t));
        if (!all) st = RP_ERR_NOMEM;
        else x->th[0].pairs = NULL, n_all = x->th[0].n_pairs;
    }
    for (unsigned k = 1; all && k < threads; k++) {
        if (x->th[k].n_pairs) memcpy(all + n_all, x->th[k].pairs, x->th[k].n_pairs * sizeof(uint64_t));
        n_all += x->th[k].n_pairs;
        free(x->th[k].pairs), x->th[k].pairs = NULL;
    }
    if (runs && st == RP_OK && !(all = malloc((*n ? *n : 1) * sizeof(uint64_t)))) st = RP_ERR_NOMEM;
    for (size_t i = 0; all && i < *n; i++) all[n_all++] = (*cand)[i].a << 32 | (*cand)[i].b;
    uint64_t *scratch = st == RP_OK && n_lone ? malloc(n_lone * sizeof(uint64_t)) : NULL;
    if (st == RP_OK && n_lone && !scratch) st = RP_ERR_NOMEM;
    if (st == RP_OK && n_lone) n_lone = rp__sort_unique_u64(lone, n_lone, scratch);
    free(scratch);
    free(lone);
    *counted = n_exact + distinct + n_lone;
    if (all && st == RP_OK) {
        free(*cand);
        *cand = NULL;
        *n = *cap = 0;
        size_t m = rp__sort_unique_u64(all, n_all, NULL);
        uint64_t *c = m == SIZE_MAX ? NULL : realloc(all, (m ? m : 1) * sizeof(uint64_t));
        if (!c) {
            st = RP_ERR_NOMEM;
        } else if (runs) {
            all = NULL;
            if (runs_add(runs, NULL, 0, c, m)) st = RP_ERR_NOMEM;
            size_t ahead = held / (runs->n_runs ? runs->n_runs : 1);
            runs->ahead = ahead < RUN_READ_MIN ? RUN_READ_MIN : ahead > RUN_READ ? RUN_READ : ahead;
            out->runs = runs, runs = NULL;
            out->n = out->runs->total;
        } else {
            all = NULL;
            out->packed = c, out->n = m;
        }
    }
    free(all);
    runs_free(runs);
    return st;
}

/* ------------------------------------------- dedup's clusters, band by band
 *
 * dedup needs the clusters, not every similar pair: a pair whose two
 * documents are already in one cluster needs no score. Where the buckets
 * propose many pairs a record (early_search's case), the early refusal
 * still counted and refused every pair of a bucket of a thousand copies,
 * half a million, to score a few (96.6 million counted for 900,000
 * near-copies, two fifths of dedup's time). So dedup searches the bands
 * one after another, and scores a bucket's pairs only between documents
 * not yet joined:
 *
 * - a band's buckets are shared among the threads by key range; each
 *   sees the clusters as the bands before left them (`root`, read only),
 *   and the band's joins are made when all its buckets are done: a
 *   bucket's work depends on the bucket alone, so the same pairs are
 *   scored on any number of threads;
 * - a bucket whose documents are all in one cluster is passed over;
 *   otherwise its documents are grouped by cluster, and each group is
 *   tried against each earlier group not yet joined to it, pair by pair,
 *   until a pair is similar (a bucket of a thousand copies scores about a
 *   thousand pairs); a truncated bucket's chain scores each link whose
 *   ends are not yet joined.
 *
 * A pair is passed over only when its documents are joined already, and a
 * group pair only when one similar pair joins them, so the clusters are
 * those of every candidate pair scored. */

typedef struct {
    rp_dedup *d;
    const rp_early *x;          /* the profiles and the intersections needed */
    rp_set_writer *sets;
    const uint32_t *root;       /* each record's cluster as the bands before left it */
    const uint32_t *slot_shared; /* each slot's profile_total, made once */
    const uint32_t *col;        /* the band's keys, */
    const uint8_t *skip;        /* of records not skipped, */
    size_t n_rec;
    uint64_t key_lo, key_hi;    /* this thread's: [key_lo, key_hi) */
    uint64_t *v, *v_scratch;    /* their entries, key << 32 | record, sorted */
    size_t cap_v;
    rp_edge *edges;             /* the similar pairs found, in bucket order */
    size_t n_edges, cap_edges;
    uint64_t examined, scored;  /* pairs not yet joined; of them, those the profiles let through */
    /* a bucket's members, in the order of their clusters (so that a
     * group's are together) and gathered, so that its pairs find them in
     * cache: */
    uint64_t *group;            /* cluster << 32 | place in the bucket, sorted */
    uint64_t *scratch;
    uint32_t *rec, *slot, *len, *shared; /* record, slot, set's size, at most shared with another */
    uint8_t *profile;
    uint32_t *at;               /* a place in the bucket -> in group order */
    uint32_t *of;               /* in group order -> its group */
    uint32_t *start;            /* group g's members: [start[g], start[g + 1]) */
    uint32_t *up;               /* the groups' union-find */
    uint32_t *hopeful;          /* the groups with a member some other member may be similar to */
    size_t cap;
    uint64_t *buf_a, *buf_b;    /* sets read from their files */
    size_t cap_a, cap_b;
    uint32_t last_p;            /* the member whose set was intersected last, */
    const uint64_t *set_p;      /* its set, */
    int tabled;                 /* and whether its set is in the table */
    rp_set_table table;
    rp_status st;
    char err[RP_MSG_MAX];
} rp_connector;

static void connector_free(rp_connector *w)
{
    free(w->edges), free(w->group), free(w->scratch), free(w->rec), free(w->slot), free(w->len);
    free(w->shared), free(w->profile), free(w->at), free(w->of), free(w->start), free(w->up);
    free(w->hopeful), free(w->buf_a), free(w->buf_b), free(w->v), free(w->v_scratch);
    rp__set_table_free(&w->table);
}

static uint32_t group_find(uint32_t *up, uint32_t g)
{
    while (up[g] != g) g = up[g] = up[up[g]];
    return g;
}

/* Whether the members at p and q (in group order) are similar, scored as
 * score_pairs does; their edge kept if so. */
static int connect_pair(rp_connector *w, uint32_t p, uint32_t q)
{
    rp_dedup *d = w->d;
    uint64_t na = w->len[p], nb = w->len[q], need = need_of(w->x, na, nb);
    w->examined++;
    if ((w->shared[p] < w->shared[q] ? w->shared[p] : w->shared[q]) < need ||
        rp__profile_bound(w->profile + (size_t)p * RP_PROFILE_BYTES, na,
                          w->profile + (size_t)q * RP_PROFILE_BYTES, nb) < need)
        return 0;
    w->scored++;
    const uint64_t *set_a, *set_b;
    /* a member met against a second partner in a row (a group against a
     * group) has its set put in a table, looked up by the next ones: its
     * set not fetched again, and no merge */
    int again = w->last_p == p;
    if (!again) w->last_p = p, w->tabled = 0;
    if (!w->tabled && (w->st = read_set(d, w->sets, w->slot[p], &w->buf_a, &w->cap_a, &w->set_p, w->err)) != RP_OK)
        return 0;
    set_a = w->set_p;
    if ((w->st = read_set(d, w->sets, w->slot[q], &w->buf_b, &w->cap_b, &set_b, w->err)) != RP_OK) return 0;
    if (rp__sample_refuses(set_a, na, set_b, nb, need)) return 0; /* as score_pairs */
    if (again && !w->tabled && na <= RP_SET_TABLE_MAX) {
        if (rp__set_table_build(&w->table, set_a, na)) {
            w->st = RP_ERR_NOMEM;
            return 0;
        }
        w->tabled = 1;
    }
    uint64_t inter = w->tabled ? rp__set_table_intersect(&w->table, set_b, nb, need)
                               : rp__intersect_at_least(set_a, na, set_b, nb, need);
    float f[3];
    pair_scores(d, inter, na, nb, f);
    if (f[0] < 0) return 0;
    if (rp__grow((void **)&w->edges, &w->cap_edges, w->n_edges + 1, sizeof(rp_edge))) {
        w->st = RP_ERR_NOMEM;
        return 0;
    }
    uint32_t a = w->rec[p], b = w->rec[q];
    w->edges[w->n_edges++] = a < b ? (rp_edge){a, b, f[0], f[1], f[2]} : (rp_edge){b, a, f[0], f[2], f[1]};
    return 1;
}

static int connector_grow(rp_connector *w, size_t m)
{
    if (m <= w->cap) return 0;
    free(w->group), free(w->scratch), free(w->rec), free(w->slot), free(w->len);
    free(w->shared), free(w->profile), free(w->at), free(w->of), free(w->start), free(w->up);
    free(w->hopeful);
    w->cap = m;
    w->group = malloc(m * sizeof(uint64_t));
    w->scratch = malloc(m * sizeof(uint64_t));
    w->rec = malloc(m * sizeof(uint32_t));
    w->slot = malloc(m * sizeof(uint32_t));
    w->len = malloc(m * sizeof(uint32_t));
    w->shared = malloc(m * sizeof(uint32_t));
    w->profile = aligned_alloc(64, m * RP_PROFILE_BYTES);
    w->at = malloc(m * sizeof(uint32_t));
    w->of = malloc(m * sizeof(uint32_t));
    w->start = malloc((m + 1) * sizeof(uint32_t));
    w->up = malloc(m * sizeof(uint32_t));
    w->hopeful = malloc(m * sizeof(uint32_t));
    if (w->group && w->scratch && w->rec && w->slot && w->len && w->shared && w->profile && w->at &&
        w->of && w->start && w->up && w->hopeful)
        return 0;
    w->cap = 0;
    return -1;
}

static void connect_bucket(rp_connector *w, const uint64_t *e, size_t m)
{
    const uint32_t *root = w->root;
    const rp_dedup *d = w->d;
    uint32_t first = root[(uint32_t)e[0]];
    size_t i = 1;
    while (i < m && root[(uint32_t)e[i]] == first) i++;
    if (i == m) return; /* one cluster already */
    if (connector_grow(w, m)) {
        w->st = RP_ERR_NOMEM;
        return;
    }
    w->last_p = UINT32_MAX; /* places are the bucket's */
    for (i = 0; i < m; i++) w->group[i] = (uint64_t)root[(uint32_t)e[i]] << 32 | i;
    if (m > 32) {
        rp__radix_sort_scratch(w->group, m, 0, w->scratch);
    } else { /* most buckets: a radix sort's counts would cost more */
        for (i = 1; i < m; i++) {
            uint64_t g = w->group[i];
            size_t j = i;
            for (; j && w->group[j - 1] > g; j--) w->group[j] = w->group[j - 1];
            w->group[j] = g;
        }
    }
    uint32_t k = 0, min_len = UINT32_MAX;
    for (uint32_t p = 0; p < m; p++) {
        if (!p || w->group[p] >> 32 != w->group[p - 1] >> 32) w->up[k] = k, w->start[k++] = p;
        w->of[p] = k - 1;
        /* the members are far apart: their slots, then sizes asked for ahead */
        if (p + 16 < m) PREFETCH(&d->slot[(uint32_t)e[(uint32_t)w->group[p + 16]]]);
        if (p + 8 < m) {
            uint32_t ahead = d->slot[(uint32_t)e[(uint32_t)w->group[p + 8]]];
            PREFETCH(&d->set_len[ahead]);
            PREFETCH(&w->slot_shared[ahead]);
        }
        uint32_t r = w->rec[p] = (uint32_t)e[(uint32_t)w->group[p]];
        w->at[(uint32_t)w->group[p]] = p;
        uint32_t sl = w->slot[p] = d->slot[r];
        w->len[p] = d->set_len[sl];
        w->shared[p] = w->slot_shared[sl];
        if (w->len[p] < min_len) min_len = w->len[p];
    }
    w->start[k] = (uint32_t)m;
    /* A member whose shared shingles are fewer than it needs with the
     * bucket's smallest set is refused with every other member by
     * connect_pair's first test (the need grows with either size): its
     * profile is never read, and a group of such members alone joins
     * nothing here, so its pairs are only counted, not met one by one
     * (a bucket of two thousand copies of a template, each left under the
     * need by its own two edits, is two million pairs otherwise). */
    uint32_t n_hopeful = 0;
    uint64_t in_groups = 0, in_hopeful = 0, hopeful_members = 0;
    for (uint32_t g = 0; g < k; g++) {
        int any = 0;
        for (uint32_t p = w->start[g]; p < w->start[g + 1]; p++) {
            if (p + 8 < m) PREFETCH(w->x->profile + (size_t)w->slot[p + 8] * RP_PROFILE_BYTES);
            if (w->shared[p] < need_of(w->x, w->len[p], min_len) && !rp__hooks.meet_every_pair) continue;
            any = 1;
            memcpy(w->profile + (size_t)p * RP_PROFILE_BYTES, w->x->profile + (size_t)w->slot[p] * RP_PROFILE_BYTES,
                   RP_PROFILE_BYTES);
        }
        uint64_t size = w->start[g + 1] - w->start[g];
        in_groups += size * size;
        if (any) w->hopeful[n_hopeful++] = g, in_hopeful += size * size, hopeful_members += size;
    }
    if (m > d->p->max_bucket) { /* a chain, as rp__band_pairs_scratch makes it */
        for (i = 0; i + 1 < m && w->st == RP_OK; i++) {
            uint32_t p = w->at[i], q = w->at[i + 1];
            uint32_t gp = group_find(w->up, w->of[p]), gq = group_find(w->up, w->of[q]);
            if (gp != gq && connect_pair(w, p, q)) w->up[gp > gq ? gp : gq] = gp < gq ? gp : gq;
        }
        return;
    }
    /* the pairs of groups one of which is hopeless, in the order they
     * would have been met: none joins, each is counted */
    w->examined += ((uint64_t)m * m - in_groups - (hopeful_members * hopeful_members - in_hopeful)) / 2;
    for (uint32_t gi = 1; gi < n_hopeful && w->st == RP_OK; gi++)
        for (uint32_t hi = 0; hi < gi && w->st == RP_OK; hi++) {
            uint32_t g = w->hopeful[gi], h = w->hopeful[hi];
            uint32_t rg = group_find(w->up, g), rh = group_find(w->up, h);
            if (rg == rh) continue;
            int joined = 0;
            for (uint32_t p = w->start[g]; !joined && p < w->start[g + 1] && w->st == RP_OK; p++)
                for (uint32_t q = w->start[h]; !joined && q < w->start[h + 1] && w->st == RP_OK; q++)
                    joined = connect_pair(w, p, q);
            if (joined) w->up[rg > rh ? rg : rh] = rg < rh ? rg : rh;
        }
}

/* The band's buckets whose keys are in the thread's range: its entries
 * gathered from the band's keys, sorted, and walked. */
static void *connect_range(void *arg)
{
    rp_connector *w = arg;
    /* every thread reads the whole band for its keys, every band: the
     * loop's fields in locals, which the stores to v would otherwise make
     * it load again each record (a third of this function's time) */
    const uint32_t *col = w->col;
    const uint8_t *skip = w->skip;
    uint64_t lo = w->key_lo, span = w->key_hi - w->key_lo, *v = w->v;
    size_t m = 0, cap_v = w->cap_v, n_rec = w->n_rec;
    for (size_t r = 0; r < n_rec; r++) {
        uint64_t key = col[r];
        if (skip[r] || key - lo >= span) continue; /* unsigned: below lo wraps past span */
        if (m == cap_v) {
            size_t cap = cap_v;
            if (rp__grow((void **)&w->v, &cap, m + 1, sizeof(uint64_t))) {
                w->st = RP_ERR_NOMEM;
                return NULL;
            }
            free(w->v_scratch);
            if (!(w->v_scratch = malloc(cap * sizeof(uint64_t)))) {
                w->st = RP_ERR_NOMEM;
                return NULL;
            }
            w->cap_v = cap_v = cap;
            v = w->v;
        }
        v[m++] = key << 32 | r;
    }
    m = rp__drop_lone_keys(w->v, m, w->v_scratch);
    rp__radix_sort_scratch(w->v, m, 32, w->v_scratch);
    for (size_t i = 0, j; i < m && w->st == RP_OK; i = j) {
        for (j = i + 1; j < m && (w->v[j] >> 32) == (w->v[i] >> 32); j++) {}
        if (j - i > 1) connect_bucket(w, w->v + i, j - i);
    }
    return NULL;
}

static int cmp_edge(const void *x, const void *y)
{
    const rp_edge *a = x, *b = y;
    return a->a != b->a ? (a->a < b->a ? -1 : 1) : a->b < b->b ? -1 : a->b > b->b;
}

/* The clusters of the exact pairs (cand) and of the band buckets, after
 * early_search said the buckets propose many pairs: their joining pairs in
 * *e, sorted; *counted the pairs whose documents were not yet joined when
 * met (the exact pairs included), and *verify_seconds its time but the
 * bands' sorts (the candidates'). */
static rp_status connect_bands(rp_dedup *d, rp_early *x, const rp_cand *cand, size_t n, rp_edges *e,
                               uint64_t *counted, double *verify_seconds)
{
    double start = rp__seconds(), reading = 0;
    unsigned threads = d->stats->threads ? d->stats->threads : 1;
    rp_status st = early_sets(d, x, cand, n);
    rp_set_writer *sets = d->ready_sets;
    d->ready_sets = NULL;
    x->profile = sets ? sets->profile : NULL;
    rp_uf uf = {0};
    size_t n_rec = d->n_rec;
    uint32_t *col = malloc((n_rec ? n_rec : 1) * sizeof(uint32_t));
    rp_connector *w = calloc(threads, sizeof(*w));
    rp_edge *edges = NULL;
    size_t n_edges = 0, cap_edges = 0;
    /* each set's shared shingles, counted once rather than in every bucket */
    uint32_t *slot_shared = malloc((d->n_slots ? d->n_slots : 1) * sizeof(uint32_t));
    for (uint32_t sl = 0; slot_shared && x->profile && sl < d->n_slots; sl++)
        slot_shared[sl] = profile_total(x->profile + (size_t)sl * RP_PROFILE_BYTES, d->set_len[sl]);
    if (st == RP_OK && (!col || !w || !slot_shared || rp__uf_init(&uf, n_rec) ||
                        rp__grow((void **)&edges, &cap_edges, n + 1, sizeof(rp_edge))))
        st = RP_ERR_NOMEM;
    for (size_t i = 0; st == RP_OK && i < n; i++) { /* exact copies: equal words, Jaccard 1 */
        edges[n_edges++] = (rp_edge){cand[i].a, cand[i].b, 1, 1, 1};
        rp__uf_union(&uf, (uint32_t)cand[i].a, (uint32_t)cand[i].b);
    }
    for (unsigned b = 0; st == RP_OK && b < d->bands; b++) {
        double t = rp__seconds();
        if ((st = rp__bands_get_band(d->band, b, col, d->err)) != RP_OK) break;
        reading += rp__seconds() - t;
        /* the clusters so far, flat: a record's parent is its root (a union
         * makes the smaller root the parent, so a record's parent is
         * before it, flat already when it is reached) */
        for (size_t r = 0; r < n_rec; r++) uf.parent[r] = uf.parent[uf.parent[r]];
        for (unsigned k = 0; k < threads; k++) {
            w[k].d = d, w[k].x = x, w[k].sets = sets, w[k].root = uf.parent, w[k].slot_shared = slot_shared;
            w[k].col = col, w[k].skip = x->skip, w[k].n_rec = n_rec;
            w[k].key_lo = ((uint64_t)1 << 32) * k / threads;
            w[k].key_hi = ((uint64_t)1 << 32) * (k + 1) / threads;
            w[k].n_edges = 0;
        }
        rp__run_parallel(connect_range, w, sizeof(*w), threads);
        for (unsigned k = 0; k < threads && st == RP_OK; k++) {
            if ((st = w[k].st) == RP_ERR_IO) rp__msg(d->err, "%s", w[k].err);
            if (st == RP_OK && rp__grow((void **)&edges, &cap_edges, n_edges + w[k].n_edges + 1, sizeof(rp_edge)))
                st = RP_ERR_NOMEM;
            for (size_t i = 0; st == RP_OK && i < w[k].n_edges; i++) {
                edges[n_edges++] = w[k].edges[i];
                rp__uf_union(&uf, (uint32_t)w[k].edges[i].a, (uint32_t)w[k].edges[i].b);
            }
        }
    }
    rp_bands_stats bs;
    rp__bands_stats(d->band, &bs);
    d->stats->spilled_bytes = bs.spilled_bytes;
    d->stats->spill_partitions = bs.partitions ? bs.partitions : 1;
    uint64_t examined = n, scored = n;
    for (unsigned k = 0; w && k < threads; k++) {
        examined += w[k].examined, scored += w[k].scored;
        connector_free(&w[k]);
    }
    free(w);
    free(col);
    free(slot_shared);
    rp__uf_free(&uf);
    close_sets(sets);
    if (st == RP_OK) qsort(edges, n_edges, sizeof(rp_edge), cmp_edge);
    *e = rp__edges_of(edges, n_edges);
    if (st != RP_OK) rp__edges_free(e);
    *counted = examined;
    d->stats->verified_pairs += scored;
    *verify_seconds = rp__seconds() - start - reading;
    return st;
}

/* The passes in turn over the whole corpus, on this machine: the whole key
 * range at once. */
rp_status rp__dedup_run(rp_dedup *d)
{
    rp_status st = rp__dedup_sign(d);
    if (d->corpus->on_progress) /* no bytes to count here: the stage is named */
        d->corpus->on_progress(d->corpus->user, "candidates", 0, 0);
    double t = rp__seconds();
    rp_cand *cand = NULL;
    size_t n = 0, cap = 0;
    int early = 0;
    uint64_t counted = 0;
    double sets_seconds = 0;
    /* Under --memory, pairs holds an eighth of it in similar pairs (past
     * it, they go to a file), and as much in candidates while the early
     * refusal finds them (past it, they go to files in sorted runs, merged
     * as verify takes them). dedup holds only a spanning subset of its
     * similar pairs, and takes its candidates in order from memory. */
    int listing = !d->p->connect_only;
    size_t held = !d->p->memory_limit ? SIZE_MAX : d->p->memory_limit / 8 / sizeof(rp_edge);
    size_t held_edges = rp__hooks.edges_held != SIZE_MAX ? rp__hooks.edges_held : held;
    size_t held_cands = !listing                         ? SIZE_MAX
                        : rp__hooks.cands_held != SIZE_MAX ? rp__hooks.cands_held
                        : held == SIZE_MAX                 ? SIZE_MAX
                                                           : d->p->memory_limit / 8 / sizeof(uint64_t);
    rp_cands src = {0};
    rp_early x = {0};
    if (st == RP_OK) st = rp__dedup_exact_candidates(d, &cand, &n, &cap);
    if (st == RP_OK) st = early_search(d, &x, &early);
    rp_edges e = {0};
    int connected = st == RP_OK && early && !listing;
    if (connected) st = connect_bands(d, &x, cand, n, &e, &counted, &sets_seconds);
    else if (st == RP_OK && early)
        st = refuse_early(d, &x, &cand, &n, &cap, held_cands, &src, &counted, &sets_seconds);
    early_free(&x);
    if (st == RP_OK && !early) st = rp__dedup_band_candidates(d, 0, (uint64_t)1 << 32, &cand, &n, &cap);
    rp__bands_free(d->band);
    d->band = NULL;
    /* not refused early, the candidates are few (under rp__hooks.refuse_early
     * a record) and taken as a list */
    if (st == RP_OK && !early && (n = rp__cands_sort_unique(cand, n)) == SIZE_MAX) st = RP_ERR_NOMEM;
    if (st == RP_OK && !early) src.cand = cand, src.n = n;
    d->stats->candidate_pairs = st != RP_OK ? 0 : early ? counted : src.n;
    /* the sets written for the search count as verify's, as they do without it */
    d->stats->candidates_seconds = rp__seconds() - t - sets_seconds;
    t = rp__seconds() - sets_seconds;
    if (st == RP_OK && listing) {
        st = verify_list(d, &src, held_edges, &e);
    } else if (st == RP_OK && !connected) { /* connected: the clusters are found */
        rp_edge *edges = NULL;
        size_t n_edges = 0;
        st = verify_connecting(d, &src, &edges, &n_edges);
        e = rp__edges_of(edges, n_edges);
    }
    cands_free(&src);
    free(cand);
    if (st == RP_OK) st = cluster_edges(d, &e);
    else rp__edges_free(&e);
    d->stats->verify_seconds = rp__seconds() - t;
    if (st == RP_ERR_NOMEM) rp__msg(d->err, "out of memory");
    return st;
}

/* ------------------------------------------------------------ results */

static int needs_id(void *ctx, uint64_t rec)
{
    const rp_dedup *d = ctx;
    return d->slot[rec] != UINT32_MAX && d->id_len[d->slot[rec]] == ID_UNREAD;
}

static int no_tokens(void *ctx, uint64_t rec)
{
    (void)ctx, (void)rec;
    return 0;
}

static void *id_worker_new(void *ctx)
{
    return ctx; /* nothing of its own */
}

static void id_worker_free(void *state)
{
    (void)state;
}

/* On a worker: the record's id. */
static rp_status name_record(void *state, const rp_record *r, rp_buf *out)
{
    (void)state;
    return put_id(out, &r->doc.id);
}

static rp_status named_record(void *ctx, const rp_record *r)
{
    rp_dedup *d = ctx;
    rp_id id;
    get_id(r->result, &id);
    return store_id(d, d->slot[r->rec], &id);
}

static const rp__first_pass_ops id_ops = {id_worker_new, id_worker_free, name_record, named_record,
                                          no_tokens};

/* The ids of the slots verify did not read (records of exact pairs only),
 * read once, when pairs or clusters are first asked for. */
static rp_status read_ids(rp_dedup *d)
{
    size_t unread = 0;
    for (size_t s = 0; s < d->n_slots; s++) unread += d->id_len[s] == ID_UNREAD;
    return unread ? rp__corpus_pass_mt(d->corpus, "naming", needs_id, &id_ops, d) : RP_OK;
}

const rp_edge *rp__dedup_edges(const rp_dedup *d, size_t *n)
{
    *n = d->edges.file ? 0 : d->edges.n;
    return d->edges.file ? NULL : d->edges.mem;
}

int rp__dedup_is_kept(const rp_dedup *d, uint64_t rec)
{
    if (!d->clustered || rec >= d->n_rec) return 0;
    return (d->status[rec] & REC_STATE) == REC_DOC && !(d->status[rec] & REC_REMOVED);
}

static rp_id id_of(const rp_dedup *d, uint32_t rec)
{
    uint32_t s = d->slot[rec];
    rp_id id = {d->id_arena.data + (d->id_off[s] >> 1), d->id_len[s], (int)(d->id_off[s] & 1)};
    return id;
}

typedef struct {
    uint64_t key; /* a << 32 | b */
    float jaccard, containment_a, containment_b;
    uint64_t seq; /* its place among all pairs as listed (ties: the first wins) */
} rp_out_pair;

static int cmp_out_pair(const void *x, const void *y)
{
    const rp_out_pair *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static rp_out_pair out_pair(uint32_t a, uint32_t b, float j, float ca, float cb, uint64_t seq)
{
    if (a < b) return (rp_out_pair){(uint64_t)a << 32 | b, j, ca, cb, seq};
    return (rp_out_pair){(uint64_t)b << 32 | a, j, cb, ca, seq};
}

static int push_out(rp_out_pair **v, size_t *n, size_t *cap, rp_out_pair p)
{
    if (rp__grow((void **)v, cap, *n + 1, sizeof(rp_out_pair))) return -1;
    (*v)[(*n)++] = p;
    return 0;
}

/* Members of the group of slot g: g itself, then the exact copies of it. */
static size_t group_of(uint32_t g, const uint32_t *copy_head, const uint32_t *copy_next,
                       uint32_t **buf, size_t *cap)
{
    size_t n = 0;
    for (uint32_t x = g; x != UINT32_MAX; x = (n == 1 ? copy_head[g] : copy_next[x])) {
        if (rp__grow((void **)buf, cap, n + 1, sizeof(uint32_t))) return SIZE_MAX;
        (*buf)[n++] = x;
    }
    return n;
}

/* The pairs an edge stands for, in the order they are listed. Exact copies
 * left the LSH tables, so their only pair is with the first document they
 * equal. Equal shingle sets have equal scores: each copy takes every pair
 * of its first, and the copies pair among themselves. The edge's own pair
 * comes first: the rest ("more") are few beside it unless copies abound. */
typedef struct {
    const rp_pair_view *v;
    uint32_t *copy_head, *copy_next, *first_of, *rec_of;
    uint32_t *ga, *gb;
    size_t cap_a, cap_b;
} rp_expander;

/* Edge p's own pair into *own and the others into more (when more is not
 * NULL), numbered from *seq on, which moves past them all; -1 out of
 * memory. */
static int expand_edge(rp_expander *x, const rp_edge *p, uint64_t *seq, rp_out_pair *own,
                       rp_out_pair **more, size_t *n_more, size_t *cap_more)
{
    const rp_pair_view *v = x->v;
    uint32_t sa = v->slot(v->ctx, p->a), sb = v->slot(v->ctx, p->b);
    if (x->first_of[sb] == sa) {
        *own = out_pair((uint32_t)p->a, (uint32_t)p->b, 1, 1, 1, (*seq)++);
        for (uint32_t c = x->copy_next[sb]; c != UINT32_MAX; c = x->copy_next[c], (*seq)++)
            if (more && push_out(more, n_more, cap_more, out_pair((uint32_t)p->b, x->rec_of[c], 1, 1, 1, *seq)))
                return -1;
        return 0;
    }
    size_t na = group_of(sa, x->copy_head, x->copy_next, &x->ga, &x->cap_a);
    size_t nb = group_of(sb, x->copy_head, x->copy_next, &x->gb, &x->cap_b);
    if (na == SIZE_MAX || nb == SIZE_MAX) return -1;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++, (*seq)++) {
            rp_out_pair o = out_pair(x->rec_of[x->ga[i]], x->rec_of[x->gb[j]], p->jaccard, p->containment_a,
                                     p->containment_b, *seq);
            if (i == 0 && j == 0) *own = o;
            else if (more && push_out(more, n_more, cap_more, o)) return -1;
        }
    return 0;
}

rp_status rp__pairs_list(rp_edges *e, const rp_pair_view *v, int (*fn)(void *, const rp_pair *),
                         void *user)
{
    /* Edges in order and no exact copy among them (the usual case): each
     * edge is its one pair, listed as it comes, with nothing to expand,
     * hold or merge (11 million pairs of near-copies spent about a third
     * of their listing in the general walk below) */
    size_t n_edges = e->n;
    const rp_edge *p, *q = NULL;
    int ordered = 1, copies = 0;
    for (size_t k = 0; k < n_edges && ordered; k++, q = p) {
        rp_edge last = q ? *q : (rp_edge){0};
        if (!(p = rp__edges_at(e, k))) return e->st;
        ordered = p->a < p->b && (k == 0 || p->a > last.a || (p->a == last.a && p->b > last.b));
        copies |= p->jaccard >= 1.0f && v->is_copy(v->ctx, p->b);
    }
    if (ordered && !copies) {
        for (size_t k = 0; k < n_edges; k++) {
            if (!(p = rp__edges_at(e, k))) return e->st;
            rp_pair pair = {v->id(v->ctx, p->a), v->id(v->ctx, p->b), p->a, p->b, p->jaccard,
                            p->containment_a, p->containment_b};
            if (fn(user, &pair)) break;
        }
        return RP_OK;
    }
    size_t ns = v->n_slots ? v->n_slots : 1;
    rp_expander x = {v, malloc(ns * sizeof(uint32_t)), /* per first: its copies, */
                     malloc(ns * sizeof(uint32_t)),    /*   linked in input order */
                     malloc(ns * sizeof(uint32_t)),    /* per copy: its first */
                     malloc(ns * sizeof(uint32_t)),    /* slot -> record */
                     NULL, NULL, 0, 0};
    rp_out_pair *more = NULL;
    size_t n_more = 0, cap_more = 0;
    rp_status st = RP_OK;
    if (!x.copy_head || !x.copy_next || !x.first_of || !x.rec_of) {
        st = RP_ERR_NOMEM;
        goto done;
    }
    memset(x.copy_head, 0xFF, ns * sizeof(uint32_t));
    memset(x.copy_next, 0xFF, ns * sizeof(uint32_t));
    memset(x.first_of, 0xFF, ns * sizeof(uint32_t));
    for (size_t k = 0; k < n_edges; k++) {
        if (!(p = rp__edges_at(e, k))) goto failed;
        x.rec_of[v->slot(v->ctx, p->a)] = (uint32_t)p->a;
        x.rec_of[v->slot(v->ctx, p->b)] = (uint32_t)p->b;
    }
    for (size_t k = n_edges; k-- > 0;) { /* backwards: lists end up in input order */
        if (!(p = rp__edges_at(e, k))) goto failed;
        uint32_t sa = v->slot(v->ctx, p->a), sb = v->slot(v->ctx, p->b);
        if (!v->is_copy(v->ctx, p->b) || p->jaccard < 1.0f || x.first_of[sb] != UINT32_MAX) continue;
        x.first_of[sb] = sa;
        x.copy_next[sb] = x.copy_head[sa];
        x.copy_head[sa] = sb;
    }
    /* The pairs are written in order of (a, b), and of those listed twice
     * the first listed. Edges come in that order, so their own pairs do
     * too: only the others are held and sorted, then merged with the own
     * pairs as a second walk of the edges makes them again. Edges out of
     * order (not made by this process's verify) are all held. */
    uint64_t seq = 0;
    rp_out_pair own;
    for (size_t k = 0; k < n_edges && st == RP_OK; k++) {
        if (!(p = rp__edges_at(e, k))) goto failed;
        if (expand_edge(&x, p, &seq, &own, &more, &n_more, &cap_more) ||
            (!ordered && push_out(&more, &n_more, &cap_more, own)))
            st = RP_ERR_NOMEM;
    }
    if (st != RP_OK) goto done;
    if (n_more > 1) qsort(more, n_more, sizeof(*more), cmp_out_pair);
    seq = 0;
    uint64_t last = UINT64_MAX;
    size_t m = 0, k = 0;
    int have_own = 0;
    for (;;) {
        if (ordered && !have_own && k < n_edges) {
            if (!(p = rp__edges_at(e, k++))) goto failed;
            if (expand_edge(&x, p, &seq, &own, NULL, NULL, NULL)) {
                st = RP_ERR_NOMEM;
                break;
            }
            have_own = 1;
        }
        const rp_out_pair *next;
        if (have_own && (m == n_more || cmp_out_pair(&own, &more[m]) < 0)) next = &own, have_own = 0;
        else if (m < n_more) next = &more[m++];
        else break;
        if (next->key == last) continue;
        last = next->key;
        uint32_t a = (uint32_t)(next->key >> 32), b = (uint32_t)next->key;
        rp_pair pair = {v->id(v->ctx, a), v->id(v->ctx, b), a, b, next->jaccard, next->containment_a,
                        next->containment_b};
        if (fn(user, &pair)) break;
    }
    goto done;
failed:
    st = e->st;
done:
    free(x.copy_head);
    free(x.copy_next);
    free(x.first_of);
    free(x.rec_of);
    free(x.ga);
    free(x.gb);
    free(more);
    return st;
}

static uint32_t slot_here(void *ctx, uint64_t rec)
{
    return ((const rp_dedup *)ctx)->slot[rec];
}

static int copy_here(void *ctx, uint64_t rec)
{
    return (((const rp_dedup *)ctx)->status[rec] & REC_EXACT) != 0;
}

static rp_id id_here(void *ctx, uint64_t rec)
{
    return id_of(ctx, (uint32_t)rec);
}

rp_status rp__dedup_foreach_pair(rp_dedup *d, int (*fn)(void *, const rp_pair *), void *user)
{
    if (!d->clustered) return RP_ERR_USAGE;
    rp_status st = read_ids(d);
    if (st != RP_OK) return st;
    rp_pair_view v = {d->n_slots, slot_here, copy_here, id_here, d};
    return rp__pairs_list(&d->edges, &v, fn, user);
}

rp_status rp__dedup_foreach_cluster(rp_dedup *d, int (*fn)(void *, const rp_cluster *), void *user)
{
    if (!d->clustered) return RP_ERR_USAGE;
    rp_status st = read_ids(d);
    if (st != RP_OK) return st;
    /* members by root: root << 32 | record, sorted */
    size_t n = 0;
    for (size_t i = 0; i < d->n_rec; i++)
        if (d->slot[i] != UINT32_MAX && (d->status[i] & REC_STATE) == REC_DOC) n++;
    uint64_t *v = malloc((n ? n : 1) * sizeof(uint64_t));
    rp_id *ids = malloc((n ? n : 1) * sizeof(rp_id));
    if (!v || !ids) {
        free(v);
        free(ids);
        return RP_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < d->n_rec; i++)
        if (d->slot[i] != UINT32_MAX && (d->status[i] & REC_STATE) == REC_DOC)
            v[k++] = (uint64_t)rp__uf_find(&d->uf, (uint32_t)i) << 32 | i;
    st = rp__radix_sort_u64(v, n, 0) ? RP_ERR_NOMEM : RP_OK;
    uint64_t number = 0;
    for (size_t i = 0; i < n && st == RP_OK;) {
        size_t j = i + 1;
        while (j < n && (v[j] >> 32) == (v[i] >> 32)) j++;
        if (j - i > 1) {
            for (size_t m = i; m < j; m++) ids[m - i] = id_of(d, (uint32_t)v[m]);
            rp_cluster c = {++number, ids[0], ids, j - i};
            if (fn(user, &c)) break;
        }
        i = j;
    }
    free(v);
    free(ids);
    return st;
}

/* ------------------------------------------------------------- pass 3 */

typedef struct {
    rp_dedup *d;
    FILE *out;
} rp_kept_writer;

static int is_kept(void *ctx, uint64_t rec)
{
    return rp__dedup_is_kept(((rp_kept_writer *)ctx)->d, rec);
}

/* Pass 3 for one kept record: the line as read, or a text file as JSONL. */
static rp_status write_record(void *ctx, const rp_record *r)
{
    rp_kept_writer *kw = ctx;
    FILE *out = kw->out;
    const rp_doc *doc = &r->doc;
    int bad = 0;
    if (r->is_text) {
        bad |= fputs("{\"id\": ", out) < 0;
        bad |= rp_write_json_id(out, &doc->id) < 0;
        bad |= fputs(", \"text\": ", out) < 0;
        bad |= rp_write_json_string(out, doc->text, doc->text_len) < 0;
        bad |= fputs("}\n", out) < 0;
    } else {
        bad |= fwrite(doc->raw, 1, doc->raw_len, out) != doc->raw_len;
        if (doc->raw_len && doc->raw[doc->raw_len - 1] != '\n') bad |= fputc('\n', out) < 0;
    }
    if (bad) {
        rp__msg(kw->d->err, "cannot write output: %s", strerror(errno));
        return RP_ERR_IO;
    }
    return RP_OK;
}

static int is_kept_here(void *ctx, uint64_t rec)
{
    return rp__dedup_is_kept(ctx, rec);
}

rp_status rp__dedup_kept_bytes(rp_dedup *d, uint64_t *bytes)
{
    if (!d->clustered) return RP_ERR_USAGE;
    return rp__corpus_copy_size(d->corpus, is_kept_here, d, bytes);
}

rp_status rp__dedup_write_kept(rp_dedup *d, FILE *out)
{
    if (!d->clustered) return RP_ERR_USAGE;
    rp_kept_writer kw = {d, out};
    return rp__corpus_pass(d->corpus, "writing", 0, is_kept, write_record, out, &kw);
}

