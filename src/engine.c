/*
 * engine.c — near-duplicate detection over a corpus, pass by pass.
 *
 * Pass 1 (sign): every record is read, normalized, shingled and signed; the
 *   engine keeps per record one status byte, a 64-bit hash of its normalized
 *   word sequence, and a 32-bit key per LSH band (band_store.c). Text is
 *   dropped as soon as it is signed: memory grows with documents, not with
 *   their text.
 * Candidates: records with equal exact hashes are paired with the first of
 *   them (and leave the LSH tables, so a thousand copies of one page cost a
 *   thousand pairs, not half a million); band buckets give the rest, the
 *   bands searched on up to four threads.
 * Pass 2 (verify): only records in a candidate pair are read again. Those in
 *   exact pairs only (Jaccard 1) give just their ids; the others are
 *   shingled on the workers, which write the sorted sets to temporary files,
 *   one per thread. Each candidate's exact Jaccard is computed on the
 *   threads, sets read back with pread; pairs at or above the threshold are
 *   kept and unioned into clusters in pair order.
 * Pass 3 (write, dedup only): every record that is the first of its
 *   cluster, or in none, is copied out as read (by sendfile, runs of
 *   adjacent lines at once, when the input is indexed: corpus.c).
 *
 * The passes themselves (numbering, rejections, stdin spooling, re-reading)
 * are corpus.c's; this file says what each pass does with a record.
 */
#include "internal.h"

#include <stdatomic.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    REC_DOC = 0,      /* a document, kept unless clustered under another */
    REC_REJECTED = 1, /* bad input, counted */
    REC_STATE = 3,
    REC_EXACT = 4,    /* flag: same exact hash as an earlier document */
    REC_REMOVED = 8,  /* flag: near-duplicate of an earlier document */
    REC_SET = 16,     /* flag: verification needs its shingle set */
};

typedef struct {
    uint32_t a, b;
    float jaccard, containment_a, containment_b;
} rp_vpair;

struct rp_engine {
    rp_params p;
    rp_corpus corpus;
    rp_reuse *reuse;            /* the align task's state (reuse.c) */
    rp_stories *stories;        /* the stories task's state (story.c) */

    /* per record */
    uint8_t *status;
    uint64_t *exact;
    size_t n_rec, cap_rec;
    unsigned bands, rows;
    rp_bands *band;             /* every record's band keys (band_store.c) */

    /* candidates, then verified results */
    uint64_t *cand;             /* a << 32 | b */
    size_t n_cand, cap_cand;
    uint32_t *slot;             /* per record: index among needed ones, or UINT32_MAX */
    size_t n_slots;
    uint64_t *set_off;          /* per slot: offset (in uint64s) of its shingle set */
    uint32_t *set_len;
    uint64_t *id_off;           /* per slot: offset in id_arena << 1 | is_number */
    uint32_t *id_len;
    rp_buf id_arena;
    rp_vpair *pairs;
    size_t n_pairs, cap_pairs;
    rp_uf uf;
    int ran;

    rp_stats stats;
    char err[RP_MSG_MAX];
};

void rp_params_init(rp_params *p)
{
    memset(p, 0, sizeof(*p));
    p->version = RP_PARAMS_VERSION;
    p->ngram = 5;
    p->num_perm = 128;
    p->threshold = 0.7;
    p->max_doc_bytes = (size_t)64 << 20;
    p->max_bucket = 256;
    p->format = RP_FORMAT_AUTO;
    p->id_field = "id";
    p->text_field = "text";
    p->task = RP_TASK_DEDUP;
    p->min_words = 10;
    p->max_gap = 8;
    p->max_insert = 40;
    p->min_identity = 0.6;
    p->fingerprint_ngram = 6;
    p->max_df = 100;
    p->story_threshold = 0.3;
    p->date_field = "date";
    p->boilerplate = RP_BOILERPLATE_HIDE;
    p->site_field = "site";
    p->url_field = "url";
    p->site_pages = 3;
}

rp_engine *rp_engine_create(const rp_params *params)
{
    rp_engine *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    if (rp__corpus_init(&e->corpus, params, e->err) ||
        (params->task == RP_TASK_ALIGN && !(e->reuse = rp__reuse_create())) ||
        (params->task == RP_TASK_STORIES && !(e->stories = rp__stories_create()))) {
        rp_engine_free(e);
        return NULL;
    }
    e->p = e->corpus.p;
    return e;
}

static void free_candidates(rp_engine *e)
{
    rp__bands_free(e->band);
    e->band = NULL;
    free(e->cand);
    e->cand = NULL;
    e->n_cand = e->cap_cand = 0;
}

void rp_engine_free(rp_engine *e)
{
    if (!e) return;
    rp__corpus_free(&e->corpus);
    rp__reuse_free(e->reuse);
    rp__stories_free(e->stories);
    free_candidates(e);
    free(e->status);
    free(e->exact);
    free(e->slot);
    free(e->set_off);
    free(e->set_len);
    free(e->id_off);
    free(e->id_len);
    rp__buf_free(&e->id_arena);
    free(e->pairs);
    rp__uf_free(&e->uf);
    free(e);
}

void rp_engine_set_callbacks(rp_engine *e, rp_reject_fn on_reject, rp_progress_fn on_progress,
                             void *user)
{
    e->corpus.on_reject = on_reject;
    e->corpus.on_progress = on_progress;
    e->corpus.user = user;
}

void rp_engine_set_warnings(rp_engine *e, rp_warning_fn on_warning)
{
    e->corpus.on_warning = on_warning;
}

const char *rp_engine_error(const rp_engine *e)
{
    return e->err;
}

void rp_engine_stats(const rp_engine *e, rp_stats *stats)
{
    *stats = e->stats;
}

int rp_engine_is_kept(const rp_engine *e, uint64_t index)
{
    if (e->p.task != RP_TASK_DEDUP || index >= e->n_rec) return 0;
    return (e->status[index] & REC_STATE) == REC_DOC && !(e->status[index] & REC_REMOVED);
}

rp_status rp_engine_add_input(rp_engine *e, const char *path)
{
    if (e->ran) {
        rp__msg(e->err, "inputs must be added before the run");
        return RP_ERR_USAGE;
    }
    return rp__corpus_add(&e->corpus, path);
}

/* ------------------------------------------------------------- pass 1 */

static rp_status add_record(rp_engine *e, uint8_t status, uint64_t exact)
{
    if (e->n_rec == e->cap_rec) {
        /* grow by half: these two arrays are most of what a document costs
         * once the band keys are out of the way */
        size_t cap = e->cap_rec ? e->cap_rec + e->cap_rec / 2 : 4096;
        uint8_t *s = realloc(e->status, cap);
        if (s) e->status = s;
        uint64_t *x = realloc(e->exact, cap * sizeof(uint64_t));
        if (x) e->exact = x;
        if (!s || !x) return RP_ERR_NOMEM;
        e->cap_rec = cap;
    }
    e->status[e->n_rec] = status;
    e->exact[e->n_rec] = exact;
    e->n_rec++;
    return RP_OK;
}

typedef struct rp_set_writer rp_set_writer;

typedef struct {
    rp_engine *e;
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

static int work_init(rp_work *w, rp_engine *e)
{
    memset(w, 0, sizeof(*w));
    w->e = e;
    w->sig = own_lines(e->p.num_perm * sizeof(uint64_t));
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

/* What the sign pass makes of one record, handed from the worker that
 * signed it to the commit (and what a rank of a distributed run would send):
 * the exact hash of its words and its band keys. Its bytes are the struct's
 * fields in order, the keys after the hash, bands of them. */
typedef struct {
    uint64_t exact;
    unsigned bands;
    uint32_t keys[4096];     /* bands used; num_perm <= 4096 bounds them */
} rp_sign_result;

static size_t sign_result_size(unsigned bands)
{
    return sizeof(uint64_t) + bands * sizeof(uint32_t);
}

static rp_status sign_result_put(const rp_sign_result *s, rp_buf *out)
{
    size_t need = sign_result_size(s->bands);
    if (rp__buf_reserve(out, out->len + need)) return RP_ERR_NOMEM;
    memcpy(out->data + out->len, &s->exact, sizeof(s->exact));
    memcpy(out->data + out->len + sizeof(s->exact), s->keys, s->bands * sizeof(uint32_t));
    out->len += need;
    return RP_OK;
}

static void sign_result_get(const void *src, size_t len, unsigned bands, rp_sign_result *s)
{
    (void)len; /* sign_result_size(bands) by construction */
    s->bands = bands;
    memcpy(&s->exact, src, sizeof(s->exact));
    memcpy(s->keys, (const char *)src + sizeof(s->exact), bands * sizeof(uint32_t));
}

/* Pass 1, on a worker: a record's exact hash and its band keys. */
static rp_status sign_record(void *state, const rp_record *r, rp_buf *out)
{
    rp_work *w = state;
    rp_engine *e = w->e;
    if (rp__sign_tokens(r->hashes, r->n_tokens, e->p.ngram, e->p.num_perm, e->p.seed, w->sig))
        return RP_ERR_NOMEM; /* n_tokens > 0 here: only a densify buffer can fail */
    rp_sign_result s;
    s.exact = rp__exact_hash(r->hashes, r->n_tokens, e->p.seed);
    s.bands = e->bands;
    for (unsigned b = 0; b < e->bands; b++) s.keys[b] = rp__band_key(w->sig, b, e->rows, e->p.seed);
    return sign_result_put(&s, out);
}

/* Pass 1, in record order: what sign_record made goes into the tables. */
static rp_status commit_record(void *ctx, const rp_record *r)
{
    rp_engine *e = ctx;
    rp_sign_result s;
    if (r->status != RP_OK) {
        /* a rejected record still has a place in the band tables, never used */
        memset(s.keys, 0, e->bands * sizeof(uint32_t));
        rp_status st = add_record(e, REC_REJECTED, 0);
        return st != RP_OK ? st : rp__bands_add(e->band, s.keys);
    }
    sign_result_get(r->result, r->result_len, e->bands, &s);
    rp_status st = add_record(e, REC_DOC, s.exact);
    return st != RP_OK ? st : rp__bands_add(e->band, s.keys);
}

static const rp__first_pass_ops sign_ops = {sign_worker_new, sign_worker_free, sign_record,
                                            commit_record, NULL};

/* -------------------------------------------------------- candidates */

static rp_status push_cand(rp_engine *e, uint32_t a, uint32_t b)
{
    if (rp__grow((void **)&e->cand, &e->cap_cand, e->n_cand + 1, sizeof(uint64_t)))
        return RP_ERR_NOMEM;
    e->cand[e->n_cand++] = (uint64_t)a << 32 | b;
    return RP_OK;
}

static rp_status find_candidates(rp_engine *e)
{
    /* Documents with equal exact hashes: sorted (radix, stable) on the
     * hash's top 32 bits beside the record number, and a run of equal tops,
     * nearly always one document, split by the whole hash. The first of
     * each hash pairs with every later one. */
    size_t n_docs = 0;
    for (size_t i = 0; i < e->n_rec; i++) n_docs += (e->status[i] & REC_STATE) == REC_DOC;
    uint64_t *ex = malloc((n_docs ? n_docs : 1) * 2 * sizeof(uint64_t));
    if (!ex) return RP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < e->n_rec; i++)
        if ((e->status[i] & REC_STATE) == REC_DOC) ex[k++] = (e->exact[i] >> 32) << 32 | i;
    rp__radix_sort_scratch(ex, k, 32, ex + k);
    for (size_t i = 0; i < k;) {
        size_t j = i + 1;
        while (j < k && ex[j] >> 32 == ex[i] >> 32) j++;
        for (size_t x = i; x + 1 < j; x++) {
            uint32_t a = (uint32_t)ex[x];
            if (e->status[a] & REC_EXACT) continue; /* a copy of an earlier one */
            for (size_t y = x + 1; y < j; y++) {
                uint32_t b = (uint32_t)ex[y];
                if (e->exact[b] != e->exact[a] || (e->status[b] & REC_EXACT)) continue;
                e->status[b] |= REC_EXACT;
                if (push_cand(e, a, b) != RP_OK) {
                    free(ex);
                    return RP_ERR_NOMEM;
                }
            }
        }
        i = j;
    }
    free(ex);
    free(e->exact);
    e->exact = NULL;

    /* only documents that are not exact copies of an earlier one: status 0 */
    /* each searching thread sorts a band of 16 bytes a document: at most
     * four, so that the search never holds more than the band keys do */
    unsigned searchers = e->stats.threads < 4 ? e->stats.threads : 4;
    rp_status st = rp__bands_pairs(e->band, e->status, e->p.max_bucket, searchers, &e->cand,
                                   &e->n_cand, &e->cap_cand, &e->stats.truncated_buckets);
    if (st != RP_OK) return st;
    rp_bands_stats bs;
    rp__bands_stats(e->band, &bs);
    e->stats.spilled_bytes = bs.spilled_bytes;
    e->stats.spill_partitions = bs.partitions;
    rp__bands_free(e->band);
    e->band = NULL;
    size_t w = rp__sort_unique_u64(e->cand, e->n_cand, NULL);
    if (w == SIZE_MAX) return RP_ERR_NOMEM;
    e->n_cand = w;
    e->stats.candidate_pairs = w;
    return RP_OK;
}

/* ------------------------------------------------------------- pass 2 */

static rp_status store_id(rp_engine *e, uint32_t slot, const rp_id *id)
{
    e->id_off[slot] = (uint64_t)e->id_arena.len << 1 | (id->is_number ? 1 : 0);
    e->id_len[slot] = (uint32_t)(id->len > UINT32_MAX ? UINT32_MAX : id->len);
    return rp__buf_append(&e->id_arena, id->str, e->id_len[slot]) ? RP_ERR_NOMEM : RP_OK;
}

/* Sets files: one per worker, written by it alone, a MiB at a time (a
 * write per set cost a system call each), so that workers neither queue on
 * one file's lock nor need to agree on places; a set's place is its file
 * (top 8 bits) and offset in uint64s. */
enum { SETS_FILES_MAX = 256, SET_FILE_SHIFT = 56, SET_WRITE_BYTES = 1 << 20 };

struct rp_set_writer {
    rp_engine *e;
    FILE *file[SETS_FILES_MAX];
    unsigned n_files;         /* one per worker (workers are made one by one) */
    _Atomic int err;          /* errno of a failed write, 0 if none */
};

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
 * [is_number u8][id][set offset u64][set length u32]. A record only in
 * exact pairs is not tokenized and has an empty set. */
static rp_status make_set(void *state, const rp_record *r, rp_buf *out)
{
    rp_work *w = state;
    rp_engine *e = w->e;
    size_t n = 0;
    if (r->hashes &&
        (n = rp__shingles(r->hashes, r->n_tokens, e->p.ngram, e->p.seed, &w->shingles,
                          &w->shingles_cap, 1)) == SIZE_MAX)
        return RP_ERR_NOMEM;
    uint64_t at = w->set_flushed + w->set_pending.len / sizeof(uint64_t);
    if (rp__buf_append(&w->set_pending, (const char *)w->shingles, n * sizeof(uint64_t)))
        return RP_ERR_NOMEM;
    if (w->set_pending.len >= SET_WRITE_BYTES && flush_sets(w)) return RP_ERR_IO;
    at |= (uint64_t)w->set_file << SET_FILE_SHIFT;
    uint32_t id_len = (uint32_t)(r->doc.id.len > UINT32_MAX ? UINT32_MAX : r->doc.id.len);
    uint8_t is_number = r->doc.id.is_number ? 1 : 0;
    uint32_t len = (uint32_t)n;
    if (rp__buf_append(out, (const char *)&id_len, sizeof(id_len)) ||
        rp__buf_append(out, (const char *)&is_number, 1) ||
        rp__buf_append(out, r->doc.id.str, id_len) ||
        rp__buf_append(out, (const char *)&at, sizeof(at)) ||
        rp__buf_append(out, (const char *)&len, sizeof(len)))
        return RP_ERR_NOMEM;
    return RP_OK;
}

/* Pass 2, in record order: the id and where the set is. */
static rp_status write_set(void *ctx, const rp_record *r)
{
    rp_set_writer *sw = ctx;
    rp_engine *e = sw->e;
    uint32_t slot = e->slot[r->rec], id_len;
    const char *src = r->result;
    memcpy(&id_len, src, sizeof(id_len));
    rp_id id = {src + sizeof(id_len) + 1, id_len, src[sizeof(id_len)] != 0};
    size_t head = sizeof(id_len) + 1 + id_len;
    if (store_id(e, slot, &id) != RP_OK) return RP_ERR_NOMEM;
    memcpy(&e->set_off[slot], src + head, sizeof(uint64_t));
    memcpy(&e->set_len[slot], src + head + sizeof(uint64_t), sizeof(uint32_t));
    return RP_OK;
}

static int needs_set(void *ctx, uint64_t rec)
{
    return ((rp_set_writer *)ctx)->e->slot[rec] != UINT32_MAX;
}

static int needs_tokens(void *ctx, uint64_t rec)
{
    return ((rp_set_writer *)ctx)->e->status[rec] & REC_SET;
}

static void *set_worker_new(void *ctx)
{
    rp_set_writer *sw = ctx;
    rp_work *w = sw->n_files < SETS_FILES_MAX ? sign_worker_new(sw->e) : NULL;
    if (!w) return NULL;
    if (rp__corpus_temp(&sw->e->corpus, &sw->file[sw->n_files]) != RP_OK) {
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
static rp_status build_sets(rp_engine *e, rp_set_writer *sw)
{
    rp_status st = rp__corpus_pass_mt(&e->corpus, "verifying", needs_set, &set_ops, sw);
    if (atomic_load(&sw->err)) {
        rp__msg(e->err, "cannot write temporary file in %s: %s", e->corpus.tmp_dir,
                strerror(atomic_load(&sw->err)));
        st = RP_ERR_IO;
    }
    return st;
}

static rp_status read_set(rp_engine *e, rp_set_writer *sw, uint32_t slot, uint64_t **buf,
                          size_t *cap, char *err)
{
    size_t n = e->set_len[slot];
    uint64_t at = e->set_off[slot];
    if (rp__grow((void **)buf, cap, n ? n : 1, sizeof(uint64_t))) return RP_ERR_NOMEM;
    return rp__corpus_temp_read(&e->corpus, err, sw->file[at >> SET_FILE_SHIFT], *buf,
                                n * sizeof(uint64_t),
                                (at & (((uint64_t)1 << SET_FILE_SHIFT) - 1)) * sizeof(uint64_t));
}

typedef struct {
    rp_engine *e;
    rp_set_writer *sets;
    size_t from, to;          /* the pairs [from, to) */
    float *score;             /* per pair: Jaccard (-1 below the threshold),
                                 containment of a, of b */
    rp_status st;
    char err[RP_MSG_MAX];     /* a failed read's message */
} rp_scorer;

/* Scores a range of candidate pairs from their shingle sets. Sets are read
 * back with pread, the first document's once for all its partners (pairs
 * are sorted by it): a mapping of the file would count every set read as
 * resident memory until the end. */
static void *score_pairs(void *arg)
{
    rp_scorer *w = arg;
    rp_engine *e = w->e;
    uint64_t *set_a = NULL, *set_b = NULL;
    size_t cap_a = 0, cap_b = 0;
    uint32_t loaded_a = UINT32_MAX;
    for (size_t i = w->from; w->st == RP_OK && i < w->to; i++) {
        uint32_t a = (uint32_t)(e->cand[i] >> 32), b = (uint32_t)e->cand[i];
        float *f = w->score + 3 * i;
        if (e->status[b] & REC_EXACT) { /* equal words: nothing to read */
            f[0] = f[1] = f[2] = 1;
            continue;
        }
        uint32_t sa = e->slot[a], sb = e->slot[b];
        uint64_t na = e->set_len[sa], nb = e->set_len[sb];
        if (loaded_a != a) {
            if ((w->st = read_set(e, w->sets, sa, &set_a, &cap_a, w->err)) != RP_OK) break;
            loaded_a = a;
        }
        if ((w->st = read_set(e, w->sets, sb, &set_b, &cap_b, w->err)) != RP_OK) break;
        uint64_t inter = rp__intersect_count(set_a, na, set_b, nb);
        double j = (double)inter / (double)(na + nb - inter), score = j;
        if (e->p.measure == RP_MEASURE_CONTAINMENT)
            score = (double)inter / (double)(na < nb ? na : nb);
        f[0] = score + 1e-12 < e->p.threshold ? -1 : (float)j; /* -1: below the threshold */
        f[1] = (float)((double)inter / (double)na);
        f[2] = (float)((double)inter / (double)nb);
    }
    free(set_a);
    free(set_b);
    return NULL;
}

static rp_status verify(rp_engine *e)
{
    rp_status st = RP_OK;
    e->n_slots = rp__corpus_slots(&e->corpus, e->cand, e->n_cand, &e->slot);
    if (e->n_slots == SIZE_MAX) {
        e->n_slots = 0;
        return RP_ERR_NOMEM;
    }
    size_t ns = e->n_slots ? e->n_slots : 1;
    e->set_off = malloc(ns * sizeof(uint64_t));
    e->set_len = malloc(ns * sizeof(uint32_t));
    e->id_off = malloc(ns * sizeof(uint64_t));
    e->id_len = malloc(ns * sizeof(uint32_t));
    if (!e->set_off || !e->set_len || !e->id_off || !e->id_len) return RP_ERR_NOMEM;
    if (e->n_slots == 0) return RP_OK;
    /* An exact copy (out of the LSH tables) pairs only with the first
     * document it equals, at Jaccard 1: the pair needs no sets. */
    for (size_t i = 0; i < e->n_cand; i++) {
        uint32_t a = (uint32_t)(e->cand[i] >> 32), b = (uint32_t)e->cand[i];
        if (!(e->status[b] & REC_EXACT)) e->status[a] |= REC_SET, e->status[b] |= REC_SET;
    }

    unsigned threads = e->stats.threads ? e->stats.threads : 1;
    rp_set_writer *sets = calloc(1, sizeof(*sets));
    if (!sets) return RP_ERR_NOMEM;
    sets->e = e;
    st = build_sets(e, sets);
    /* The pairs' scores, on the run's threads, each over a range of pairs;
     * then, in pair order, the ones at the threshold are kept and joined. */
    rp_scorer *sc = calloc(threads, sizeof(*sc));
    float *score = malloc((e->n_cand ? e->n_cand : 1) * 3 * sizeof(float));
    if (st == RP_OK && (!sc || !score)) st = RP_ERR_NOMEM;
    if (st == RP_OK) {
        for (unsigned k = 0; k < threads; k++)
            sc[k] = (rp_scorer){e, sets, e->n_cand * k / threads, e->n_cand * (k + 1) / threads,
                                score, RP_OK, ""};
        rp__run_parallel(score_pairs, sc, sizeof(*sc), threads);
        for (unsigned k = 0; k < threads && st == RP_OK; k++)
            if ((st = sc[k].st) == RP_ERR_IO) rp__msg(e->err, "%s", sc[k].err);
    }
    for (size_t i = 0; st == RP_OK && i < e->n_cand; i++) {
        uint32_t a = (uint32_t)(e->cand[i] >> 32), b = (uint32_t)e->cand[i];
        const float *f = score + 3 * i;
        if (f[0] < 0) continue;
        if (rp__grow((void **)&e->pairs, &e->cap_pairs, e->n_pairs + 1, sizeof(rp_vpair))) {
            st = RP_ERR_NOMEM;
            break;
        }
        e->pairs[e->n_pairs++] = (rp_vpair){a, b, f[0], f[1], f[2]};
        rp__uf_union(&e->uf, a, b);
    }
    free(sc);
    free(score);
    for (unsigned k = 0; k < sets->n_files; k++)
        if (sets->file[k]) fclose(sets->file[k]);
    free(sets);
    e->stats.similar_pairs = e->n_pairs;
    return st;
}

/* ---------------------------------------------------------------- run */

rp_status rp_engine_run(rp_engine *e)
{
    rp_status st0;
    if (e->ran) {
        rp__msg(e->err, "the engine has already run");
        return RP_ERR_USAGE;
    }
    e->ran = 1;
    if ((st0 = rp__params_check_version(&e->p, e->err)) != RP_OK) return st0;
    /* stories' terms are spin keys, with the function words left out */
    if (e->p.task == RP_TASK_STORIES) e->p.spin = 1;
    if (e->p.task == RP_TASK_ALIGN && e->p.rewrites) e->p.spin = 1;
    if (e->p.spin) {
        rp_status st = rp__corpus_spin(&e->corpus, e->err);
        if (st != RP_OK) return st;
    }
    if (e->p.task == RP_TASK_ALIGN) return rp__reuse_run(e->reuse, &e->corpus, &e->stats, e->err);
    if (e->p.task == RP_TASK_STORIES)
        return rp__stories_run(e->stories, &e->corpus, &e->stats, e->err);
    if (e->p.max_doc_bytes < 1 || e->p.max_bucket < 2) {
        rp__msg(e->err, "invalid parameters (max_doc_bytes >= 1, max_bucket >= 2)");
        return RP_ERR_USAGE;
    }
    rp_status st = rp__lsh_params(&e->p, &e->bands, &e->rows, e->err);
    if (st != RP_OK) return st;
    e->stats.bands = e->bands;
    e->stats.rows = e->rows;
    e->band = rp__bands_create(e->bands, e->p.memory_limit, &e->corpus);
    if (!e->band) return RP_ERR_NOMEM;

    st = rp__corpus_first_pass(&e->corpus, &e->stats, &sign_ops, e);
    if (e->corpus.on_progress) /* no bytes to count here: the stage is named */
        e->corpus.on_progress(e->corpus.user, "candidates", 0, 0);
    double t = rp__seconds();
    if (st == RP_OK) st = find_candidates(e);
    e->stats.candidates_seconds = rp__seconds() - t;
    t = rp__seconds();
    if (st == RP_OK && rp__uf_init(&e->uf, e->n_rec)) st = RP_ERR_NOMEM;
    if (st == RP_OK) st = verify(e);
    free_candidates(e);
    if (st == RP_ERR_NOMEM) rp__msg(e->err, "out of memory");
    if (st != RP_OK) return st;

    for (size_t i = 0; i < e->n_rec; i++) {
        if ((e->status[i] & REC_STATE) != REC_DOC) continue;
        if (rp__uf_find(&e->uf, (uint32_t)i) != i) {
            e->status[i] |= REC_REMOVED;
            e->stats.removed++;
            if (e->status[i] & REC_EXACT) e->stats.removed_exact++;
        } else {
            e->stats.kept++;
        }
    }
    uint64_t clusters = 0;
    {
        /* a cluster per root that has at least one removed member */
        uint8_t *seen = calloc(e->n_rec ? e->n_rec : 1, 1);
        if (!seen) return RP_ERR_NOMEM;
        for (size_t i = 0; i < e->n_rec; i++)
            if (e->status[i] & REC_REMOVED) {
                uint32_t root = rp__uf_find(&e->uf, (uint32_t)i);
                if (!seen[root]) seen[root] = 1, clusters++;
            }
        free(seen);
    }
    e->stats.clusters = clusters;
    e->stats.verify_seconds = rp__seconds() - t;
    return RP_OK;
}

/* ------------------------------------------------------------ results */

static rp_id id_of(const rp_engine *e, uint32_t rec)
{
    uint32_t s = e->slot[rec];
    rp_id id = {e->id_arena.data + (e->id_off[s] >> 1), e->id_len[s], (int)(e->id_off[s] & 1)};
    return id;
}

typedef struct {
    uint64_t key; /* a << 32 | b */
    float jaccard, containment_a, containment_b;
} rp_out_pair;

static int cmp_out_pair(const void *x, const void *y)
{
    uint64_t a = ((const rp_out_pair *)x)->key, b = ((const rp_out_pair *)y)->key;
    return a < b ? -1 : a > b;
}

static int push_out(rp_out_pair **v, size_t *n, size_t *cap, uint32_t a, uint32_t b, float j,
                    float ca, float cb)
{
    if (rp__grow((void **)v, cap, *n + 1, sizeof(rp_out_pair))) return -1;
    if (a < b) (*v)[(*n)++] = (rp_out_pair){(uint64_t)a << 32 | b, j, ca, cb};
    else (*v)[(*n)++] = (rp_out_pair){(uint64_t)b << 32 | a, j, cb, ca};
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

rp_status rp_engine_foreach_pair(rp_engine *e, int (*fn)(void *, const rp_pair *), void *user)
{
    if (!e->ran || e->p.task != RP_TASK_DEDUP) return RP_ERR_USAGE;
    /* Exact copies left the LSH tables, so their only pair is with the first
     * document they equal. Equal shingle sets have equal scores: each copy
     * takes every pair of its first, and the copies pair among themselves. */
    size_t ns = e->n_slots ? e->n_slots : 1;
    uint32_t *copy_head = malloc(ns * sizeof(uint32_t)); /* per first: its copies, */
    uint32_t *copy_next = malloc(ns * sizeof(uint32_t)); /*   linked in input order */
    uint32_t *first_of = malloc(ns * sizeof(uint32_t));  /* per copy: its first */
    uint32_t *rec_of = malloc(ns * sizeof(uint32_t));    /* slot -> record */
    uint32_t *ga = NULL, *gb = NULL;
    size_t cap_a = 0, cap_b = 0;
    rp_out_pair *out = NULL;
    size_t n_out = 0, cap_out = 0;
    rp_status st = RP_OK;
    if (!copy_head || !copy_next || !first_of || !rec_of) {
        st = RP_ERR_NOMEM;
        goto done;
    }
    memset(copy_head, 0xFF, ns * sizeof(uint32_t));
    memset(copy_next, 0xFF, ns * sizeof(uint32_t));
    memset(first_of, 0xFF, ns * sizeof(uint32_t));
    for (size_t i = 0; i < e->n_rec; i++)
        if (e->slot[i] != UINT32_MAX) rec_of[e->slot[i]] = (uint32_t)i;
    for (size_t k = e->n_pairs; k-- > 0;) { /* backwards: lists end up in input order */
        const rp_vpair *p = &e->pairs[k];
        uint32_t sa = e->slot[p->a], sb = e->slot[p->b];
        if (!(e->status[p->b] & REC_EXACT) || p->jaccard < 1.0f || first_of[sb] != UINT32_MAX)
            continue;
        first_of[sb] = sa;
        copy_next[sb] = copy_head[sa];
        copy_head[sa] = sb;
    }
    for (size_t k = 0; k < e->n_pairs && st == RP_OK; k++) {
        const rp_vpair *p = &e->pairs[k];
        uint32_t sa = e->slot[p->a], sb = e->slot[p->b];
        if (first_of[sb] == sa) {
            if (push_out(&out, &n_out, &cap_out, p->a, p->b, 1, 1, 1)) st = RP_ERR_NOMEM;
            for (uint32_t c = copy_next[sb]; c != UINT32_MAX && st == RP_OK; c = copy_next[c])
                if (push_out(&out, &n_out, &cap_out, p->b, rec_of[c], 1, 1, 1)) st = RP_ERR_NOMEM;
            continue;
        }
        size_t na = group_of(sa, copy_head, copy_next, &ga, &cap_a);
        size_t nb = group_of(sb, copy_head, copy_next, &gb, &cap_b);
        if (na == SIZE_MAX || nb == SIZE_MAX) {
            st = RP_ERR_NOMEM;
            break;
        }
        for (size_t x = 0; x < na && st == RP_OK; x++)
            for (size_t y = 0; y < nb && st == RP_OK; y++)
                if (push_out(&out, &n_out, &cap_out, rec_of[ga[x]], rec_of[gb[y]], p->jaccard,
                             p->containment_a, p->containment_b))
                    st = RP_ERR_NOMEM;
    }
    if (st != RP_OK) goto done;
    if (n_out > 1) qsort(out, n_out, sizeof(*out), cmp_out_pair);
    for (size_t k = 0; k < n_out; k++) {
        if (k > 0 && out[k].key == out[k - 1].key) continue;
        uint32_t a = (uint32_t)(out[k].key >> 32), b = (uint32_t)out[k].key;
        rp_pair pair = {id_of(e, a), id_of(e, b), a, b, out[k].jaccard, out[k].containment_a,
                        out[k].containment_b};
        if (fn(user, &pair)) break;
    }
done:
    free(copy_head);
    free(copy_next);
    free(first_of);
    free(rec_of);
    free(ga);
    free(gb);
    free(out);
    return st;
}

rp_status rp_engine_foreach_cluster(rp_engine *e, int (*fn)(void *, const rp_cluster *), void *user)
{
    if (!e->ran || e->p.task != RP_TASK_DEDUP) return RP_ERR_USAGE;
    /* members by root: root << 32 | record, sorted */
    size_t n = 0;
    for (size_t i = 0; i < e->n_rec; i++)
        if (e->slot[i] != UINT32_MAX && (e->status[i] & REC_STATE) == REC_DOC) n++;
    uint64_t *v = malloc((n ? n : 1) * sizeof(uint64_t));
    rp_id *ids = malloc((n ? n : 1) * sizeof(rp_id));
    if (!v || !ids) {
        free(v);
        free(ids);
        return RP_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < e->n_rec; i++)
        if (e->slot[i] != UINT32_MAX && (e->status[i] & REC_STATE) == REC_DOC)
            v[k++] = (uint64_t)rp__uf_find(&e->uf, (uint32_t)i) << 32 | i;
    rp_status st = rp__radix_sort_u64(v, n, 0) ? RP_ERR_NOMEM : RP_OK;
    uint64_t number = 0;
    for (size_t i = 0; i < n && st == RP_OK;) {
        size_t j = i + 1;
        while (j < n && (v[j] >> 32) == (v[i] >> 32)) j++;
        if (j - i > 1) {
            for (size_t m = i; m < j; m++) ids[m - i] = id_of(e, (uint32_t)v[m]);
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
    rp_engine *e;
    FILE *out;
} rp_kept_writer;

static int is_kept(void *ctx, uint64_t rec)
{
    return rp_engine_is_kept(((rp_kept_writer *)ctx)->e, rec);
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
        rp__msg(kw->e->err, "cannot write output: %s", strerror(errno));
        return RP_ERR_IO;
    }
    return RP_OK;
}

rp_status rp_engine_write_kept(rp_engine *e, FILE *out)
{
    if (!e->ran || e->p.task != RP_TASK_DEDUP) return RP_ERR_USAGE;
    rp_kept_writer kw = {e, out};
    double t = rp__seconds();
    rp_status st = rp__corpus_pass(&e->corpus, "writing", 0, is_kept, write_record, out, &kw);
    e->stats.write_seconds = rp__seconds() - t;
    return st;
}

rp_status rp_engine_foreach_alignment(rp_engine *e, int (*fn)(void *, const rp_alignment *),
                                      void *user)
{
    if (!e->ran || e->p.task != RP_TASK_ALIGN) return RP_ERR_USAGE;
    return rp__reuse_foreach(e->reuse, fn, user);
}

rp_status rp_engine_foreach_story(rp_engine *e, int (*fn)(void *, const rp_story *), void *user)
{
    if (!e->ran || e->p.task != RP_TASK_STORIES) return RP_ERR_USAGE;
    return rp__stories_foreach(e->stories, fn, user);
}

uint64_t rp_engine_story_of(const rp_engine *e, uint64_t index)
{
    if (!e->ran || e->p.task != RP_TASK_STORIES) return 0;
    return (uint64_t)rp__stories_story_of(e->stories, index);
}
