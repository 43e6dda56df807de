/*
 * index.c — a persistent index of documents: added as they arrive, asked
 * which of them a text duplicates or reuses.
 *
 * Layout of the directory:
 *   data.mdb, lock.mdb   LMDB (one environment, named databases below)
 *   texts.G.log          the texts, one zstd frame each, appended; G is the
 *                        generation a compaction moves to
 *   lock                 flock: shared by every open handle, exclusive for
 *                        a compaction (which replaces both files)
 *
 * Databases (docnos are 32-bit insertion numbers; in postings big-endian so
 * that LMDB's byte order is insertion order):
 *   meta    format, parameters, the log's generation and end, counters
 *   docs    docno (integer key) -> doc_head, id, date
 *   ids     XXH3-128 of the id -> docno
 *   runs.*  the postings (index_runs.c): each document under its exact
 *           hash, its band keys and its passage fingerprints, as sorted
 *           runs merged four at a time
 *   added   added (u64 BE), docno                -> (nothing): expiry by age
 *   dated   date or added (u64 BE), docno        -> (nothing): by date
 *   words   chunk (u16 BE) -> 1024 word counts   the corpus's word counts
 *           in align's 65536 slots, which name the copy among replaced words
 *           and the common words a banal passage is made of
 *   live    docno / 1020 (u32 BE) -> 1020 u32    each document's site
 *           (rp__site_hash; 1 for none), 0 when it is not (or no longer)
 *           indexed: what boilerplate is judged by, read a page at a time
 *           for a key's documents rather than a record each
 *   sites   site (integer key) -> its pages (u64)
 * A document keeps no copy of its postings: deleting one re-derives them
 * from its text, which is rare, rather than storing ~1 KB more for each.
 *
 * Durability: an add appends its texts at the log's end as the meta record
 * has it, syncs the log, then commits (LMDB syncs). A crash before the
 * commit leaves bytes past the committed end, which no record references
 * and the next add overwrites: there is nothing to recover. Reads see one
 * snapshot; a read transaction lasts one lookup, never a whole query, so
 * writers are never kept from reusing pages (LMDB's caveat).
 *
 * A query is the batch commands' answer for the pair (indexed document,
 * query): pairs are candidates by an equal exact hash or a shared band key
 * and pass at the threshold on the exact Jaccard (or containment) of the
 * two shingle sets, recomputed from the texts; passages come from the
 * aligner over the two texts, candidates by a shared passage fingerprint
 * found in at most max_df documents, with dates naming the source as
 * align's do.
 */
#include "internal.h"
#include "index_runs.h"
#include "shingle_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

#define MAP_SIZE ((size_t)1 << 40) /* address space only: the file grows as used */
#define ZSTD_LEVEL 3
#define NO_DOC UINT32_MAX

/* Fixed head of a docs record; the id and date bytes follow. */
typedef struct {
    uint64_t added;          /* Unix seconds */
    uint64_t when;           /* the date field in Unix seconds, else added */
    uint64_t log_off;
    uint64_t exact;
    uint32_t log_len;        /* compressed */
    uint32_t text_len;
    uint32_t log_sum;        /* XXH32 of the compressed bytes */
    uint16_t id_len, date_len;
    uint8_t id_is_number, date_is_number, has_date, pad;
} doc_head;

/* What the meta record "params" holds: what the stored values depend on. */
typedef struct {
    uint32_t format, ngram, num_perm, bands, rows, spin, passages, fp_k, min_words, rewrites;
    uint32_t site_fields;    /* XXH32 of the site and URL fields' names: each
                                document's site is read by them when added */
    uint32_t pad;
    uint64_t seed;
} stored_params;

/* The counters kept in meta "counts". */
typedef struct {
    uint64_t log_end, next_doc, documents, added, deleted, text_bytes, live_log, postings;
} counts;

/* One thread's tools and buffers, pooled on the index. */
typedef struct ws {
    struct ws *next;
    rp_signer *signer;
    rp_tokenizer *tok;
    rp_spinner *spin;
    rp_aligner *al;
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
    uint64_t *set_q, *set_d;
    size_t cap_q, cap_d;
    uint64_t *counts;        /* word counts by slot, for a query's votes */
    rp_buf text, comp, scratch;
    uint32_t *docs, *codes, *sites; /* a key's documents, their codes, sites */
    size_t cap_docs, cap_codes, cap_sites;
    uint64_t *q_fp;          /* a query's fingerprints */
    size_t cap_q_fp;
    uint64_t *memo_key;      /* judgements of a query (judge_fp) */
    uint8_t *memo_val;
    size_t memo_mask, memo_n;
} ws;

struct rp_index {
    char dir[4096];
    MDB_env *env;
    MDB_dbi meta, docs, ids, added, dated, words, live, sites;
    rp_runs *runs;
    int log_fd, lock_fd;
    uint64_t log_gen;
    unsigned flags;
    rp_params p;
    stored_params sp;
    pthread_mutex_t add_mu, pool_mu;
    ws *pool;
};

/* ------------------------------------------------------------ helpers */

static void put_be32(uint8_t *o, uint32_t v)
{
    for (int k = 0; k < 4; k++) o[k] = (uint8_t)(v >> (24 - 8 * k));
}

static void put_be64(uint8_t *o, uint64_t v)
{
    for (int k = 0; k < 8; k++) o[k] = (uint8_t)(v >> (56 - 8 * k));
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++) v = v << 8 | p[k];
    return v;
}

static void set_err(char *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void set_err(char *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, RP_ERROR_MAX, fmt, ap);
    va_end(ap);
}

static rp_status lmdb_fail(const rp_index *ix, char *err, const char *what, int rc)
{
    set_err(err, "%s: %s: %s", ix->dir, what, mdb_strerror(rc));
    if (rc == ENOMEM) return RP_ERR_NOMEM;
    if (rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) return RP_ERR_INDEX;
    return RP_ERR_IO;
}

/* An id's key: fixed size whatever the id's length (LMDB keys are at most
 * 511 bytes); the record it leads to holds the id itself, checked. */
static void id_key(const rp_id *id, uint8_t out[16])
{
    XXH3_state_t st;
    XXH3_128bits_reset(&st);
    uint8_t num = id->is_number ? 1 : 0;
    XXH3_128bits_update(&st, &num, 1);
    XXH3_128bits_update(&st, id->str, id->len);
    XXH128_canonicalFromHash((XXH128_canonical_t *)out, XXH3_128bits_digest(&st));
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* A date field in Unix seconds: a number is one; a string starting with an
 * ISO 8601 date YYYY-MM-DD (a time and zone after it may follow; the time
 * counts, the zone is taken as UTC) is read. 0 when it is neither. */
static int parse_when(const char *s, size_t n, int is_number, uint64_t *out)
{
    char buf[64];
    if (!s || n == 0 || n >= sizeof(buf)) return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (is_number) {
        char *end;
        double v = strtod(buf, &end);
        if (*end || !(v >= 0) || v > 1e15) return 0;
        *out = (uint64_t)v;
        return 1;
    }
    unsigned y, mo, d, h = 0, mi = 0, se = 0;
    int used = 0;
    if (sscanf(buf, "%4u-%2u-%2u%n", &y, &mo, &d, &used) != 3 || used != 10 || mo < 1 || mo > 12 ||
        d < 1 || d > 31 || y < 1970)
        return 0;
    if (buf[10] == 'T' || buf[10] == ' ') sscanf(buf + 11, "%2u:%2u:%2u", &h, &mi, &se);
    if (h > 23 || mi > 59 || se > 60) h = mi = se = 0;
    *out = (uint64_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se);
    return 1;
}

static void stored_of(const rp_params *p, unsigned bands, unsigned rows, int passages, stored_params *sp)
{
    memset(sp, 0, sizeof(*sp));
    sp->format = RP_INDEX_FORMAT;
    sp->ngram = p->ngram;
    sp->num_perm = p->num_perm;
    sp->bands = bands;
    sp->rows = rows;
    sp->spin = p->spin || p->rewrites ? 1 : 0;
    sp->passages = passages ? 1 : 0;
    if (passages) {
        sp->fp_k = rp__fp_ngram(p);
        sp->min_words = p->min_words;
        sp->rewrites = p->rewrites ? 1 : 0;
        const char *sf = p->site_field ? p->site_field : "", *uf = p->url_field ? p->url_field : "";
        sp->site_fields = XXH32(sf, strlen(sf), XXH32(uf, strlen(uf), 0x5173));
    }
    sp->seed = p->seed;
}

/* The first stored value that differs, named, or NULL. */
static int params_differ(const stored_params *have, const stored_params *want, char *msg, size_t cap)
{
    struct { const char *name; uint64_t a, b; } f[] = {
        {"format", have->format, want->format},
        {"ngram (--ngram)", have->ngram, want->ngram},
        {"signature length (--num-perm)", have->num_perm, want->num_perm},
        {"bands (--bands, or --threshold and --size-ratio)", have->bands, want->bands},
        {"rows (--rows, or --threshold and --size-ratio)", have->rows, want->rows},
        {"spin (--spin)", have->spin, want->spin},
        {"seed (--seed)", have->seed, want->seed},
        {"fingerprint n-gram (--fingerprint-ngram)", have->fp_k, want->passages ? want->fp_k : have->fp_k},
        {"min words (--min-words)", have->min_words, want->passages ? want->min_words : have->min_words},
        {"rewrites (--rewrites)", have->rewrites, want->passages ? want->rewrites : have->rewrites},
        {"site and URL fields (--site-field, --url-field)", have->site_fields,
         want->passages ? want->site_fields : have->site_fields},
    };
    for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
        if (f[k].a != f[k].b && k == sizeof(f) / sizeof(f[0]) - 1) {
            snprintf(msg, cap, "%s are not those it was made with", f[k].name); /* names, kept as a hash */
            return 1;
        } else if (f[k].a != f[k].b) {
            snprintf(msg, cap, "%s is %llu in the index, %llu asked", f[k].name, (unsigned long long)f[k].a,
                     (unsigned long long)f[k].b);
            return 1;
        }
    return 0;
}

/* ---------------------------------------------------------- workspaces */

static void ws_free(ws *w)
{
    if (!w) return;
    rp_signer_free(w->signer);
    rp_tokenizer_free(w->tok);
    rp_spinner_free(w->spin);
    rp_aligner_free(w->al);
    ZSTD_freeCCtx(w->cctx);
    ZSTD_freeDCtx(w->dctx);
    free(w->set_q);
    free(w->set_d);
    free(w->counts);
    free(w->docs);
    free(w->codes);
    free(w->sites);
    free(w->q_fp);
    free(w->memo_key);
    free(w->memo_val);
    rp__buf_free(&w->text);
    rp__buf_free(&w->scratch);
    rp__buf_free(&w->comp);
    free(w);
}

static ws *ws_take(rp_index *ix)
{
    pthread_mutex_lock(&ix->pool_mu);
    ws *w = ix->pool;
    if (w) ix->pool = w->next;
    pthread_mutex_unlock(&ix->pool_mu);
    if (w) return w;
    if (!(w = calloc(1, sizeof(*w)))) return NULL;
    rp_params p = ix->p;
    p.spin = ix->sp.spin;
    w->signer = rp_signer_create(&p);
    w->tok = rp_tokenizer_create();
    w->al = rp_aligner_create(&p);
    w->cctx = ZSTD_createCCtx();
    w->dctx = ZSTD_createDCtx();
    if (p.spin) w->spin = rp_spinner_create();
    if (!w->signer || !w->tok || !w->al || !w->cctx || !w->dctx || (p.spin && !w->spin)) {
        ws_free(w);
        return NULL;
    }
    return w;
}

static void ws_give(rp_index *ix, ws *w)
{
    if (!w) return;
    pthread_mutex_lock(&ix->pool_mu);
    w->next = ix->pool;
    ix->pool = w;
    pthread_mutex_unlock(&ix->pool_mu);
}

/* ---------------------------------------------------------------- meta */

static int meta_get(MDB_txn *t, const rp_index *ix, const char *name, void *out, size_t len)
{
    MDB_val k = {strlen(name), (void *)name}, v;
    int rc = mdb_get(t, ix->meta, &k, &v);
    if (rc == 0 && v.mv_size != len) return MDB_CORRUPTED;
    if (rc == 0) memcpy(out, v.mv_data, len);
    return rc;
}

static int meta_put(MDB_txn *t, const rp_index *ix, const char *name, const void *val, size_t len)
{
    MDB_val k = {strlen(name), (void *)name}, v = {len, (void *)val};
    return mdb_put(t, ix->meta, &k, &v, 0);
}

static int counts_get(MDB_txn *t, const rp_index *ix, counts *c)
{
    int rc = meta_get(t, ix, "counts", c, sizeof(*c));
    if (rc == MDB_NOTFOUND) {
        memset(c, 0, sizeof(*c));
        rc = 0;
    }
    return rc;
}

/* ---------------------------------------------------------------- open */

static void log_name(const rp_index *ix, uint64_t gen, char *out, size_t cap)
{
    snprintf(out, cap, "%s/texts.%llu.log", ix->dir, (unsigned long long)gen);
}

/* Leftovers of a compaction that did not finish: a log of another
 * generation, the temporary directory. Only with the index to ourselves. */
static void remove_leftovers(rp_index *ix)
{
    DIR *d = opendir(ix->dir);
    if (!d) return;
    struct dirent *e;
    char keep[64], path[4400];
    snprintf(keep, sizeof(keep), "texts.%llu.log", (unsigned long long)ix->log_gen);
    while ((e = readdir(d)))
        if (strncmp(e->d_name, "texts.", 6) == 0 && strcmp(e->d_name, keep) != 0) {
            snprintf(path, sizeof(path), "%s/%s", ix->dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    const char *tmp_files[] = {"data.mdb", "lock.mdb", NULL};
    for (int k = 0; tmp_files[k]; k++) {
        snprintf(path, sizeof(path), "%s/compact.tmp/%s", ix->dir, tmp_files[k]);
        unlink(path);
    }
    d = opendir((snprintf(path, sizeof(path), "%s/compact.tmp", ix->dir), path));
    if (d) {
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                char f[4700];
                snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
                unlink(f);
            }
        closedir(d);
        rmdir(path);
    }
}

static rp_status open_env(rp_index *ix, char *err)
{
    int rc, ro = (ix->flags & RP_INDEX_READONLY) != 0;
    if ((rc = mdb_env_create(&ix->env)) || (rc = mdb_env_set_maxdbs(ix->env, 12)) ||
        (rc = mdb_env_set_mapsize(ix->env, MAP_SIZE)) || (rc = mdb_env_set_maxreaders(ix->env, 1024)))
        return lmdb_fail(ix, err, "cannot make the environment", rc);
    if ((rc = mdb_env_open(ix->env, ix->dir, MDB_NOTLS | MDB_NORDAHEAD | (ro ? MDB_RDONLY : 0), 0666)))
        return lmdb_fail(ix, err, "cannot open the database", rc);
    MDB_txn *t;
    if ((rc = mdb_txn_begin(ix->env, NULL, ro ? MDB_RDONLY : 0, &t)))
        return lmdb_fail(ix, err, "cannot begin", rc);
    unsigned c = ro ? 0 : MDB_CREATE;
    struct { const char *name; MDB_dbi *dbi; unsigned flags; } dbs[] = {
        {"meta", &ix->meta, 0},   {"docs", &ix->docs, MDB_INTEGERKEY}, {"ids", &ix->ids, 0},
        {"added", &ix->added, 0}, {"dated", &ix->dated, 0},            {"words", &ix->words, 0},
        {"live", &ix->live, 0},   {"sites", &ix->sites, MDB_INTEGERKEY},
    };
    for (size_t k = 0; k < sizeof(dbs) / sizeof(dbs[0]); k++)
        if ((rc = mdb_dbi_open(t, dbs[k].name, dbs[k].flags | c, dbs[k].dbi))) {
            mdb_txn_abort(t);
            if (rc == MDB_NOTFOUND) {
                set_err(err, "%s: not an index (no %s table)", ix->dir, dbs[k].name);
                return RP_ERR_INDEX;
            }
            return lmdb_fail(ix, err, "cannot open a table", rc);
        }
    rp__runs_free(ix->runs);
    ix->runs = NULL;
    if ((rc = rp__runs_open(t, !ro, &ix->runs))) {
        mdb_txn_abort(t);
        if (rc == MDB_NOTFOUND) {
            set_err(err, "%s: not an index of this format (no runs)", ix->dir);
            return RP_ERR_INDEX;
        }
        return lmdb_fail(ix, err, "cannot open a table", rc);
    }
    stored_params have;
    rc = meta_get(t, ix, "params", &have, sizeof(have));
    if (rc == MDB_NOTFOUND && !ro && (ix->flags & RP_INDEX_CREATE)) {
        uint64_t gen = 0;
        if ((rc = meta_put(t, ix, "params", &ix->sp, sizeof(ix->sp))) ||
            (rc = meta_put(t, ix, "log_gen", &gen, sizeof(gen)))) {
            mdb_txn_abort(t);
            return lmdb_fail(ix, err, "cannot write", rc);
        }
        have = ix->sp;
    } else if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(t);
        set_err(err, "%s: no index here (make one with `reprint index add`)", ix->dir);
        return RP_ERR_INDEX;
    } else if (rc) {
        mdb_txn_abort(t);
        if (rc == MDB_CORRUPTED) {
            set_err(err, "%s: its parameters record is not of this version of reprint", ix->dir);
            return RP_ERR_INDEX;
        }
        return lmdb_fail(ix, err, "cannot read", rc);
    }
    char why[256];
    if (have.format != RP_INDEX_FORMAT) {
        mdb_txn_abort(t);
        set_err(err, "%s: index format %u, this reprint reads format %u", ix->dir, have.format,
                RP_INDEX_FORMAT);
        return RP_ERR_INDEX;
    }
    if (!(ix->flags & RP_INDEX_CREATE) || have.passages == ix->sp.passages) {
        stored_params want = ix->sp;
        want.passages = have.passages;
        if (!have.passages) want.fp_k = want.min_words = want.rewrites = want.site_fields = 0;
        if (params_differ(&have, &want, why, sizeof(why))) {
            mdb_txn_abort(t);
            set_err(err, "%s: made with other parameters: %s", ix->dir, why);
            return RP_ERR_INDEX;
        }
    }
    ix->sp = have;
    if ((rc = meta_get(t, ix, "log_gen", &ix->log_gen, sizeof(ix->log_gen)))) {
        mdb_txn_abort(t);
        return lmdb_fail(ix, err, "cannot read the log's generation", rc);
    }
    if ((rc = mdb_txn_commit(t))) return lmdb_fail(ix, err, "cannot commit", rc);
    char path[4200];
    log_name(ix, ix->log_gen, path, sizeof(path));
    if ((ix->log_fd = open(path, ro ? O_RDONLY : O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0) {
        if (ro && errno == ENOENT) return RP_OK; /* nothing added yet */
        set_err(err, "%s: %s", path, strerror(errno));
        return RP_ERR_IO;
    }
    return RP_OK;
}

rp_status rp_index_open(const char *dir, const rp_params *params, unsigned flags, rp_index **out,
                        char *err)
{
    *out = NULL;
    char e[RP_MSG_MAX] = "";
    rp_status st = rp__params_check_version(params, e);
    unsigned bands = 0, rows = 0;
    if (st == RP_OK) st = rp__lsh_params(params, &bands, &rows, e);
    int passages = !(flags & RP_INDEX_NO_PASSAGES);
    if (st == RP_OK && passages) st = rp__align_check(params, e);
    if (st != RP_OK) {
        set_err(err, "%s", e);
        return st;
    }
    if (strlen(dir) >= sizeof(((rp_index *)0)->dir)) {
        set_err(err, "%s: path too long", dir);
        return RP_ERR_USAGE;
    }
    rp_index *ix = calloc(1, sizeof(*ix));
    if (!ix) return RP_ERR_NOMEM;
    strcpy(ix->dir, dir);
    ix->flags = flags;
    ix->p = *params;
    ix->log_fd = ix->lock_fd = -1;
    stored_of(params, bands, rows, passages, &ix->sp);
    pthread_mutex_init(&ix->add_mu, NULL);
    pthread_mutex_init(&ix->pool_mu, NULL);
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/data.mdb", dir);
    if (stat(path, &sb) != 0) {
        if (!(flags & RP_INDEX_CREATE) || (flags & RP_INDEX_READONLY)) {
            set_err(err, "%s: no index here (make one with `reprint index add`)", dir);
            rp_index_close(ix);
            return RP_ERR_INDEX;
        }
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            set_err(err, "%s: cannot make the directory: %s", dir, strerror(errno));
            rp_index_close(ix);
            return RP_ERR_IO;
        }
    }
    snprintf(path, sizeof(path), "%s/lock", dir);
    if ((ix->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0 &&
        (ix->lock_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        rp_index_close(ix);
        return RP_ERR_IO;
    }
    int alone = flock(ix->lock_fd, LOCK_EX | LOCK_NB) == 0;
    if (!alone && flock(ix->lock_fd, LOCK_SH) != 0) {
        set_err(err, "%s: cannot lock: %s", path, strerror(errno));
        rp_index_close(ix);
        return RP_ERR_IO;
    }
    if ((st = open_env(ix, err)) != RP_OK) {
        rp_index_close(ix);
        return st;
    }
    if (alone) {
        if (!(flags & RP_INDEX_READONLY)) remove_leftovers(ix);
        flock(ix->lock_fd, LOCK_SH);
    }
    *out = ix;
    return RP_OK;
}

void rp_index_close(rp_index *ix)
{
    if (!ix) return;
    if (ix->env) mdb_env_close(ix->env);
    rp__runs_free(ix->runs);
    if (ix->log_fd >= 0) close(ix->log_fd);
    if (ix->lock_fd >= 0) close(ix->lock_fd);
    while (ix->pool) {
        ws *w = ix->pool;
        ix->pool = w->next;
        ws_free(w);
    }
    pthread_mutex_destroy(&ix->add_mu);
    pthread_mutex_destroy(&ix->pool_mu);
    free(ix);
}

/* ------------------------------------------------------------- records */

/* A document as read from docs, copied out of the transaction. */
typedef struct {
    uint32_t docno;
    doc_head h;
    const char *id, *date; /* into mem */
    char mem[512];         /* id and date, when they fit; else heap */
    char *heap;
} doc_rec;

static void rec_free(doc_rec *r)
{
    free(r->heap);
    r->heap = NULL;
}

static int rec_read(MDB_txn *t, const rp_index *ix, uint32_t docno, doc_rec *r)
{
    unsigned int key = docno;
    MDB_val k = {sizeof(key), &key}, v;
    int rc = mdb_get(t, ix->docs, &k, &v);
    if (rc) return rc;
    if (v.mv_size < sizeof(doc_head)) return MDB_CORRUPTED;
    memcpy(&r->h, v.mv_data, sizeof(doc_head));
    size_t extra = (size_t)r->h.id_len + r->h.date_len;
    if (v.mv_size != sizeof(doc_head) + extra) return MDB_CORRUPTED;
    char *dst = r->mem;
    r->heap = NULL;
    if (extra > sizeof(r->mem) && !(dst = r->heap = malloc(extra))) return ENOMEM;
    memcpy(dst, (const char *)v.mv_data + sizeof(doc_head), extra);
    r->docno = docno;
    r->id = dst;
    r->date = dst + r->h.id_len;
    return 0;
}

static int docno_of(MDB_txn *t, const rp_index *ix, const rp_id *id, uint32_t *docno)
{
    uint8_t key[16];
    id_key(id, key);
    MDB_val k = {sizeof(key), key}, v;
    int rc = mdb_get(t, ix->ids, &k, &v);
    if (rc) return rc;
    if (v.mv_size != 4) return MDB_CORRUPTED;
    *docno = get_be32(v.mv_data);
    return 0;
}

/* A document's text from the log, into w->text (NUL-terminated). */
static rp_status read_text(rp_index *ix, ws *w, const doc_rec *r, char *err)
{
    if (rp__buf_reserve(&w->comp, r->h.log_len) || rp__buf_reserve(&w->text, (size_t)r->h.text_len + 1))
        return RP_ERR_NOMEM;
    if (ix->log_fd < 0 || rp__pread_all(ix->log_fd, w->comp.data, r->h.log_len, r->h.log_off)) {
        set_err(err, "%s: cannot read the text of record %u from the log: %s", ix->dir, r->docno,
                ix->log_fd < 0 ? "no log" : strerror(errno));
        return RP_ERR_IO;
    }
    size_t got = ZSTD_decompressDCtx(w->dctx, w->text.data, r->h.text_len, w->comp.data, r->h.log_len);
    if (XXH32(w->comp.data, r->h.log_len, 0) != r->h.log_sum || ZSTD_isError(got) || got != r->h.text_len) {
        set_err(err, "%s: the text of record %u is damaged in the log", ix->dir, r->docno);
        return RP_ERR_INDEX;
    }
    w->text.data[got] = 0;
    w->text.len = got;
    return RP_OK;
}

/* The words of a text as dedup shingles them (spin keys under spin). */
static rp_status words(rp_index *ix, ws *w, const char *text, size_t len, const uint64_t **h,
                       size_t *n, char *err)
{
    const rp_span *sp;
    rp_status st = rp_tokenize(w->tok, text, len, h, &sp, n);
    if (st != RP_OK) {
        set_err(err, "%s", rp_tokenizer_error(w->tok));
        return st;
    }
    if (*n == 0) {
        set_err(err, "the text has no words");
        return RP_ERR_EMPTY;
    }
    if (ix->sp.spin && (st = rp_spin(w->spin, w->tok, *h, *n, h)) != RP_OK)
        set_err(err, "%s", rp_spinner_error(w->spin));
    return st;
}

static rp_status shingle_set(rp_index *ix, ws *w, const char *text, size_t len, uint64_t **set,
                             size_t *cap, size_t *n, char *err)
{
    const uint64_t *h;
    size_t nw;
    rp_status st = words(ix, w, text, len, &h, &nw, err);
    if (st != RP_OK) return st;
    if ((*n = rp__shingles(h, nw, ix->sp.ngram, ix->sp.seed, set, cap, 1)) == SIZE_MAX) return RP_ERR_NOMEM;
    return RP_OK;
}

/* --------------------------------------------------------- word counts */

#define WORD_SLOTS (1u << 16) /* as align's run counts them */
#define WORD_CHUNK 1024u

/* Counts each word's own token of a text into slot counts (add, or with
 * sign -1 take away). */
static rp_status count_words(ws *w, const char *text, size_t len, int64_t *counts, int sign)
{
    const uint64_t *h;
    const rp_span *sp;
    size_t n;
    rp_status st = rp_tokenize(w->tok, text, len, &h, &sp, &n);
    for (size_t i = 0; st == RP_OK && i < n; i++) counts[rp__token32(h[i]) & (WORD_SLOTS - 1)] += sign;
    return st;
}

/* Adds counts (WORD_SLOTS of them, some negative) to the stored ones, in t. */
static int store_counts(MDB_txn *t, const rp_index *ix, const int64_t *counts)
{
    uint64_t chunk[WORD_CHUNK];
    for (uint32_t c = 0; c < WORD_SLOTS / WORD_CHUNK; c++) {
        const int64_t *d = counts + (size_t)c * WORD_CHUNK;
        int touched = 0;
        for (uint32_t k = 0; k < WORD_CHUNK && !touched; k++) touched = d[k] != 0;
        if (!touched) continue;
        uint8_t kb[2] = {(uint8_t)(c >> 8), (uint8_t)c};
        MDB_val k = {2, kb}, v;
        int rc = mdb_get(t, ix->words, &k, &v);
        if (rc == MDB_NOTFOUND) memset(chunk, 0, sizeof(chunk));
        else if (rc) return rc;
        else if (v.mv_size != sizeof(chunk)) return MDB_CORRUPTED;
        else memcpy(chunk, v.mv_data, sizeof(chunk));
        for (uint32_t x = 0; x < WORD_CHUNK; x++) chunk[x] = (uint64_t)((int64_t)chunk[x] + d[x]);
        v = (MDB_val){sizeof(chunk), chunk};
        if ((rc = mdb_put(t, ix->words, &k, &v, 0))) return rc;
    }
    return 0;
}

/* The stored counts into w->counts. */
static rp_status load_counts(rp_index *ix, ws *w, char *err)
{
    if (!w->counts && !(w->counts = malloc(WORD_SLOTS * sizeof(uint64_t)))) return RP_ERR_NOMEM;
    memset(w->counts, 0, WORD_SLOTS * sizeof(uint64_t));
    MDB_txn *t;
    MDB_cursor *cur;
    MDB_val k, v;
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t);
    if (rc) return lmdb_fail(ix, err, "cannot begin", rc);
    if (!(rc = mdb_cursor_open(t, ix->words, &cur))) {
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            uint32_t c = k.mv_size == 2 ? (uint32_t)((const uint8_t *)k.mv_data)[0] << 8 | ((const uint8_t *)k.mv_data)[1]
                                        : UINT32_MAX;
            if (c >= WORD_SLOTS / WORD_CHUNK || v.mv_size != WORD_CHUNK * sizeof(uint64_t)) {
                rc = MDB_CORRUPTED;
                break;
            }
            memcpy(w->counts + (size_t)c * WORD_CHUNK, v.mv_data, v.mv_size);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(t);
    return rc == MDB_NOTFOUND ? RP_OK : lmdb_fail(ix, err, "cannot read the word counts", rc);
}

static uint64_t count_of(void *ctx, uint32_t token)
{
    return ((const uint64_t *)ctx)[token & (WORD_SLOTS - 1)];
}

/* ------------------------------------------------------- sites, live */

/* 1020 entries a chunk: with LMDB's page header, one 4 KB page each */
#define LIVE_CHUNK 1020u
#define LIVE_NO_SITE 1u

/* The site of a document to add or ask about, as align's run finds it:
 * from its site, else its URL, given or read from its record. */
static rp_status site_of_doc(const rp_index *ix, const rp_index_doc *d, rp_buf *scratch, uint32_t *site)
{
    *site = 0;
    if (d->site && d->site_len) *site = rp__site_hash(d->site, d->site_len, 0);
    else if (d->url && d->url_len) *site = rp__site_hash(d->url, d->url_len, 1);
    else if (!d->site && !d->url && d->raw) return rp__site_of_json(d->raw, d->raw_len, &ix->p, scratch, site);
    return RP_OK;
}

/* Writes the live map a chunk at a time (an add's docnos are consecutive). */
typedef struct {
    uint32_t chunk;          /* UINT32_MAX: none loaded */
    int dirty;
    uint32_t v[LIVE_CHUNK];
} live_writer;

static int live_flush(MDB_txn *t, const rp_index *ix, live_writer *lw)
{
    if (lw->chunk == UINT32_MAX || !lw->dirty) return 0;
    uint8_t k[4];
    put_be32(k, lw->chunk);
    MDB_val kk = {4, k}, v = {sizeof(lw->v), lw->v};
    lw->dirty = 0;
    return mdb_put(t, ix->live, &kk, &v, 0);
}

/* Sets docno's entry to code (0: not live, LIVE_NO_SITE, or its site); the
 * old one in *was (may be NULL). */
static int live_set(MDB_txn *t, const rp_index *ix, live_writer *lw, uint32_t docno, uint32_t code, uint32_t *was)
{
    uint32_t c = docno / LIVE_CHUNK;
    if (c != lw->chunk) {
        int rc = live_flush(t, ix, lw);
        if (rc) return rc;
        uint8_t k[4];
        put_be32(k, c);
        MDB_val kk = {4, k}, v;
        rc = mdb_get(t, ix->live, &kk, &v);
        if (rc == MDB_NOTFOUND) memset(lw->v, 0, sizeof(lw->v));
        else if (rc) return rc;
        else if (v.mv_size != sizeof(lw->v)) return MDB_CORRUPTED;
        else memcpy(lw->v, v.mv_data, sizeof(lw->v));
        lw->chunk = c;
    }
    if (was) *was = lw->v[docno % LIVE_CHUNK];
    lw->v[docno % LIVE_CHUNK] = code;
    lw->dirty = 1;
    return 0;
}

/* Adds delta to a site's pages, in t; a site of none is dropped. */
static int site_pages_add(MDB_txn *t, const rp_index *ix, uint32_t site, int64_t delta)
{
    unsigned int key = site;
    MDB_val k = {sizeof(key), &key}, v;
    uint64_t pages = 0;
    int rc = mdb_get(t, ix->sites, &k, &v);
    if (rc && rc != MDB_NOTFOUND) return rc;
    if (!rc) {
        if (v.mv_size != sizeof(pages)) return MDB_CORRUPTED;
        memcpy(&pages, v.mv_data, sizeof(pages));
    }
    pages = (uint64_t)((int64_t)pages + delta);
    if ((int64_t)pages <= 0) return rc == MDB_NOTFOUND ? 0 : mdb_del(t, ix->sites, &k, NULL);
    v = (MDB_val){sizeof(pages), &pages};
    return mdb_put(t, ix->sites, &k, &v, 0);
}

/* Reads the live map for sorted docnos (a chunk a page): each one's code
 * into codes[] (0 for a document no longer indexed). */
static int live_codes(MDB_txn *t, const rp_index *ix, const uint32_t *docs, size_t n, uint32_t *codes)
{
    uint32_t cur = UINT32_MAX;
    const uint32_t *chunk = NULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = docs[i] / LIVE_CHUNK;
        if (c != cur) {
            uint8_t k[4];
            put_be32(k, c);
            MDB_val kk = {4, k}, v;
            int rc = mdb_get(t, ix->live, &kk, &v);
            if (rc && rc != MDB_NOTFOUND) return rc;
            if (!rc && v.mv_size != LIVE_CHUNK * sizeof(uint32_t)) return MDB_CORRUPTED;
            chunk = rc ? NULL : v.mv_data;
            cur = c;
        }
        uint32_t code = 0;
        if (chunk) memcpy(&code, chunk + docs[i] % LIVE_CHUNK, sizeof(code)); /* pages are aligned */
        codes[i] = code;
    }
    return 0;
}

/* ---------------------------------------------------------------- keys */

/* A posting is an rp_run_entry: the key's kind in its top two bits (an
 * exact hash keeps its other 62), the document. */
typedef rp_run_entry posting;

#define KEY_EXACT(h) ((h) & (((uint64_t)1 << 62) - 1))
#define KEY_BAND(b, k) ((uint64_t)1 << 62 | (uint64_t)(b) << 32 | (k))
#define KEY_FP(v) ((uint64_t)2 << 62 | (v))
#define KEY_KIND(k) ((k) >> 62)

/* Sorts postings by key, stably (an add's are in docno order already): a
 * byte at a time from the lowest, skipping bytes all keys share. qsort was
 * a fifth of an ingest's time, inside the commit's lock. 0, or -1 out of
 * memory. */
static int sort_postings(posting *ps, size_t n)
{
    posting *tmp = malloc((n ? n : 1) * sizeof(posting));
    if (!tmp) return -1;
    posting *from = ps, *to = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++) count[(from[i].key >> shift) & 0xFF]++;
        if (count[(from[0].key >> shift) & 0xFF] == n) continue;
        size_t at = 0;
        for (unsigned b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) to[count[(from[i].key >> shift) & 0xFF]++] = from[i];
        posting *x = from;
        from = to, to = x;
    }
    if (from != ps) memcpy(ps, from, n * sizeof(posting));
    free(tmp);
    return 0;
}

/* The postings of one text: its exact hash, band keys and fingerprints. */
static rp_status postings_of(rp_index *ix, ws *w, const char *text, size_t len, uint32_t docno,
                             posting **out, size_t *n, size_t *cap, uint64_t *exact, char *err)
{
    rp_signature *sig;
    rp_status st = rp_sign(w->signer, text, len, &sig);
    if (st != RP_OK) {
        set_err(err, "%s", rp_signer_error(w->signer));
        return st;
    }
    unsigned nb;
    const uint32_t *keys = rp__signature_keys(sig, &nb);
    *exact = rp__signature_exact(sig);
    if (rp__grow((void **)out, cap, *n + nb + 1, sizeof(posting))) {
        rp_signature_free(sig);
        return RP_ERR_NOMEM;
    }
    (*out)[(*n)++] = (posting){KEY_EXACT(*exact), docno};
    for (unsigned b = 0; b < nb; b++) (*out)[(*n)++] = (posting){KEY_BAND(b, keys[b]), docno};
    rp_signature_free(sig);
    if (!ix->sp.passages) return RP_OK;
    rp_fingerprints *fp;
    if ((st = rp_fingerprint(w->signer, text, len, &fp)) != RP_OK) {
        set_err(err, "%s", rp_signer_error(w->signer));
        return st;
    }
    size_t nf;
    const uint64_t *v = rp__fingerprints_values(fp, &nf);
    if (rp__grow((void **)out, cap, *n + nf, sizeof(posting))) {
        rp_fingerprints_free(fp);
        return RP_ERR_NOMEM;
    }
    for (size_t i = 0; i < nf; i++) (*out)[(*n)++] = (posting){KEY_FP(v[i]), docno};
    rp_fingerprints_free(fp);
    return RP_OK;
}

/* ----------------------------------------------------------------- add */

typedef struct {
    rp_status st;
    uint64_t exact, when;
    int has_date;
    unsigned part;           /* the prep part whose buffers hold its */
    size_t comp_off, comp_len; /*   compressed text, */
    size_t first_posting, n_postings; /* postings */
    size_t first_slot, n_slots;       /* and word slots */
    uint32_t log_sum;
    uint32_t site;
} add_item;

/* One thread's share of an add's work that needs no lock. */
typedef struct {
    rp_index *ix;
    const rp_index_doc *docs;
    add_item *it;
    size_t from, to;
    unsigned index;
    uint64_t now;
    ws *w;
    posting *ps;
    size_t n_ps, cap_ps;
    uint16_t *slots;
    size_t n_slots, cap_slots;
    rp_buf comp;
    rp_status st;
} prep;

/* Signs, fingerprints, counts the words of and compresses its documents. */
static void *prepare(void *arg)
{
    prep *pp = arg;
    rp_index *ix = pp->ix;
    if (!pp->w && !(pp->w = ws_take(ix))) {
        pp->st = RP_ERR_NOMEM;
        return NULL;
    }
    ws *w = pp->w;
    for (size_t i = pp->from; i < pp->to && pp->st == RP_OK; i++) {
        const rp_index_doc *d = &pp->docs[i];
        add_item *x = &pp->it[i];
        char e[RP_ERROR_MAX];
        x->part = pp->index;
        x->first_posting = pp->n_ps;
        x->first_slot = pp->n_slots;
        if (d->text_len > ix->p.max_doc_bytes || d->text_len > UINT32_MAX || d->id.len > UINT16_MAX ||
            d->date_len > 256) {
            x->st = d->text_len > ix->p.max_doc_bytes || d->text_len > UINT32_MAX ? RP_ERR_TOO_LARGE : RP_ERR_BAD_ID;
            continue;
        }
        rp_status s = postings_of(ix, w, d->text, d->text_len, 0, &pp->ps, &pp->n_ps, &pp->cap_ps, &x->exact, e);
        if (s == RP_ERR_NOMEM) pp->st = s;
        if ((x->st = s) != RP_OK) {
            pp->n_ps = x->first_posting;
            continue;
        }
        x->n_postings = pp->n_ps - x->first_posting;
        if (ix->sp.passages) { /* its words' slots, counted if it is added */
            const uint64_t *h;
            const rp_span *sp;
            size_t nw;
            if (rp_tokenize(w->tok, d->text, d->text_len, &h, &sp, &nw) != RP_OK ||
                rp__grow((void **)&pp->slots, &pp->cap_slots, pp->n_slots + nw, sizeof(uint16_t))) {
                pp->st = RP_ERR_NOMEM;
                break;
            }
            for (size_t k = 0; k < nw; k++) pp->slots[pp->n_slots++] = (uint16_t)(rp__token32(h[k]) & (WORD_SLOTS - 1));
            x->n_slots = nw;
        }
        size_t bound = ZSTD_compressBound(d->text_len);
        if (rp__buf_reserve(&pp->comp, pp->comp.len + bound)) {
            pp->st = RP_ERR_NOMEM;
            break;
        }
        size_t got = ZSTD_compressCCtx(w->cctx, pp->comp.data + pp->comp.len, bound, d->text, d->text_len, ZSTD_LEVEL);
        if (ZSTD_isError(got)) {
            pp->st = RP_ERR_NOMEM;
            break;
        }
        x->comp_off = pp->comp.len;
        x->comp_len = got;
        x->log_sum = XXH32(pp->comp.data + pp->comp.len, got, 0);
        pp->comp.len += got;
        if (site_of_doc(ix, d, &w->scratch, &x->site) != RP_OK) {
            pp->st = RP_ERR_NOMEM;
            break;
        }
        x->has_date = parse_when(d->date, d->date_len, d->date_is_number, &x->when);
        if (!x->has_date) x->when = pp->now;
    }
    return NULL;
}

rp_status rp_index_add(rp_index *ix, const rp_index_doc *docs, size_t n, rp_status *status, char *err)
{
    if (ix->flags & RP_INDEX_READONLY) {
        set_err(err, "%s: opened read-only", ix->dir);
        return RP_ERR_USAGE;
    }
    /* the work that needs no lock, on threads: a few hundred documents each */
    unsigned parts = ix->p.threads ? ix->p.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (parts < 1) parts = 1;
    if (parts > 64) parts = 64;
    if ((size_t)parts > n / 256 + 1) parts = (unsigned)(n / 256 + 1);
    add_item *it = calloc(n ? n : 1, sizeof(*it));
    prep *pp = calloc(parts, sizeof(prep));
    posting *ps = NULL;
    int64_t *wc = calloc(WORD_SLOTS, sizeof(int64_t));
    rp_status st = pp && it && wc ? RP_OK : RP_ERR_NOMEM;
    uint64_t now = (uint64_t)time(NULL);
    for (unsigned k = 0; st == RP_OK && k < parts; k++)
        pp[k] = (prep){ix, docs, it, n * k / parts, n * (k + 1) / parts, k, now, NULL, NULL, 0, 0, NULL, 0, 0,
                       {0}, RP_OK};
    if (st == RP_OK) rp__run_parallel(prepare, pp, sizeof(prep), parts);
    for (unsigned k = 0; st == RP_OK && k < parts; k++)
        if (pp[k].st != RP_OK) st = pp[k].st;
    size_t total = 0;
    for (unsigned k = 0; st == RP_OK && k < parts; k++) total += pp[k].n_ps;
    if (st == RP_OK && !(ps = malloc((total ? total : 1) * sizeof(posting)))) st = RP_ERR_NOMEM;
    if (st != RP_OK) {
        set_err(err, "out of memory");
        goto out;
    }
    /* the commit: one writer at a time (LMDB's lock across processes; ours
     * keeps this process's threads from queueing on it with a handle each) */
    pthread_mutex_lock(&ix->add_mu);
    MDB_txn *t = NULL;
    counts c;
    live_writer *lw = malloc(sizeof(*lw));
    int rc = lw ? mdb_txn_begin(ix->env, NULL, 0, &t) : ENOMEM;
    if (lw) lw->chunk = UINT32_MAX, lw->dirty = 0;
    if (!rc) rc = counts_get(t, ix, &c);
    uint64_t log_start = 0;
    if (!rc) log_start = c.log_end;
    for (size_t i = 0; i < n && !rc; i++) {
        if (it[i].st != RP_OK) continue;
        const rp_index_doc *d = &docs[i];
        uint8_t ik[16];
        id_key(&d->id, ik);
        MDB_val k = {sizeof(ik), ik}, v;
        if ((rc = mdb_get(t, ix->ids, &k, &v)) == 0) {
            it[i].st = RP_ERR_EXISTS;
            continue;
        }
        if (rc != MDB_NOTFOUND) break;
        if (c.next_doc >= NO_DOC) {
            it[i].st = RP_ERR_LIMIT;
            rc = 0;
            continue;
        }
        uint32_t docno = (uint32_t)c.next_doc++;
        uint8_t db[4];
        put_be32(db, docno);
        v = (MDB_val){4, db};
        if ((rc = mdb_put(t, ix->ids, &k, &v, 0))) break;
        doc_head h = {now, it[i].when, c.log_end, it[i].exact, (uint32_t)it[i].comp_len, (uint32_t)d->text_len,
                      it[i].log_sum, (uint16_t)d->id.len, (uint16_t)d->date_len,
                      (uint8_t)(d->id.is_number != 0), (uint8_t)(d->date_is_number != 0),
                      (uint8_t)it[i].has_date, 0};
        unsigned int key = docno;
        MDB_val dk = {sizeof(key), &key}, dv = {sizeof(h) + h.id_len + h.date_len, NULL};
        if ((rc = mdb_put(t, ix->docs, &dk, &dv, MDB_RESERVE | MDB_APPEND))) break;
        memcpy(dv.mv_data, &h, sizeof(h));
        memcpy((char *)dv.mv_data + sizeof(h), d->id.str, h.id_len);
        if (h.date_len) memcpy((char *)dv.mv_data + sizeof(h) + h.id_len, d->date, h.date_len);
        uint8_t tk[12];
        put_be64(tk, now);
        put_be32(tk + 8, docno);
        MDB_val ek = {12, tk}, ev = {0, NULL};
        if ((rc = mdb_put(t, ix->added, &ek, &ev, 0))) break;
        put_be64(tk, it[i].when);
        if ((rc = mdb_put(t, ix->dated, &ek, &ev, 0))) break;
        if ((rc = live_set(t, ix, lw, docno, it[i].site ? it[i].site : LIVE_NO_SITE, NULL)) ||
            (it[i].site && (rc = site_pages_add(t, ix, it[i].site, 1))))
            break;
        prep *pt = &pp[it[i].part];
        for (size_t x = 0; x < it[i].n_postings; x++) pt->ps[it[i].first_posting + x].docno = docno;
        for (size_t x = 0; x < it[i].n_slots; x++) wc[pt->slots[it[i].first_slot + x]]++;
        c.log_end += it[i].comp_len;
        c.live_log += it[i].comp_len;
        c.text_bytes += d->text_len;
        c.documents++;
        c.added++;
        c.postings += it[i].n_postings;
    }
    /* the postings of the documents added: one sorted run, appended */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].st == RP_OK) {
            memcpy(ps + m, pp[it[i].part].ps + it[i].first_posting, it[i].n_postings * sizeof(posting));
            m += it[i].n_postings;
        }
    if (!rc && m > 1 && sort_postings(ps, m)) rc = ENOMEM;
    uint64_t moved = 0;
    if (!rc) rc = live_flush(t, ix, lw);
    if (!rc) rc = rp__runs_add(ix->runs, t, ps, m, &moved);
    /* the texts, then the commit that references them */
    uint64_t at = log_start;
    for (size_t i = 0; i < n && !rc; i++) {
        if (it[i].st != RP_OK) continue;
        if (rp__pwrite_all(ix->log_fd, pp[it[i].part].comp.data + it[i].comp_off, it[i].comp_len, at)) {
            set_err(err, "%s: cannot write the text log: %s", ix->dir, strerror(errno));
            st = RP_ERR_IO;
            break;
        }
        at += it[i].comp_len;
    }
    if (!rc && st == RP_OK && at > log_start && fdatasync(ix->log_fd) != 0) {
        set_err(err, "%s: cannot sync the text log: %s", ix->dir, strerror(errno));
        st = RP_ERR_IO;
    }
    if (!rc && st == RP_OK && ix->sp.passages) rc = store_counts(t, ix, wc);
    if (!rc && st == RP_OK) rc = meta_put(t, ix, "counts", &c, sizeof(c));
    if (!rc && st == RP_OK) {
        rc = mdb_txn_commit(t);
        t = NULL;
    }
    if (t) mdb_txn_abort(t);
    pthread_mutex_unlock(&ix->add_mu);
    free(lw);
    if (rc == ENOMEM && st == RP_OK) st = RP_ERR_NOMEM, set_err(err, "out of memory");
    if (rc && st == RP_OK) st = lmdb_fail(ix, err, "cannot add", rc);
out:
    if (status)
        for (size_t i = 0; i < n; i++) status[i] = st != RP_OK && it && it[i].st == RP_OK ? st : it ? it[i].st : st;
    for (unsigned k = 0; pp && k < parts; k++) {
        free(pp[k].ps);
        free(pp[k].slots);
        rp__buf_free(&pp[k].comp);
        ws_give(ix, pp[k].w);
    }
    free(pp);
    free(it);
    free(ps);
    free(wc);
    return st;
}

/* --------------------------------------------------------------- query */

typedef struct {
    uint32_t docno;
    uint8_t exact, band;     /* dedup candidate by */
    uint32_t passage, sentence; /* fingerprints shared */
    uint32_t star;           /* fingerprints of more than max_df documents
                                that pair it with q (the first of them, or q
                                first): two make a candidate, as in align */
} cand;

/* Whether the query aligns with it: a passage fingerprint shared, enough
 * sentence keys, or two keys of more than max_df documents. */
static int aligned(const cand *c)
{
    return c->passage || c->sentence >= RP_SENT_AGREE || c->star >= 2;
}

static int cmp_cand(const void *x, const void *y)
{
    uint32_t a = ((const cand *)x)->docno, b = ((const cand *)y)->docno;
    return a < b ? -1 : a > b;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* The documents under key still indexed (a deleted one's postings stay
 * until a compaction), in order, in *docs, with their live-map codes in
 * *codes. Returns an LMDB code. */
static int live_docs(rp_index *ix, MDB_txn *t, uint64_t key, uint32_t **docs, size_t *n, size_t *cap,
                     uint32_t **codes, size_t *cap_codes)
{
    *n = 0;
    int rc = rp__runs_lookup(ix->runs, t, key, docs, n, cap);
    if (rc || *n == 0) return rc;
    /* each run's are in order, and runs mostly follow one another */
    size_t i = 1;
    while (i < *n && (*docs)[i - 1] < (*docs)[i]) i++;
    if (i < *n) qsort(*docs, *n, sizeof(uint32_t), cmp_u32);
    if (rp__grow((void **)codes, cap_codes, *n, sizeof(uint32_t))) return ENOMEM;
    if ((rc = live_codes(t, ix, *docs, *n, *codes))) return rc;
    size_t m = 0;
    for (size_t i = 0; i < *n; i++)
        if ((*codes)[i]) (*docs)[m] = (*docs)[i], (*codes)[m++] = (*codes)[i];
    *n = m;
    return 0;
}

/* ------------------------------------------------------ boilerplate */

/* What boilerplate is judged by in one query: align's rule (align_task.c,
 * judge_key) over the index's documents, q among them as if added. */
typedef struct {
    rp_index *ix;
    ws *w;
    MDB_txn *t;              /* a read transaction, the runs locked in it */
    uint32_t self;           /* q's docno, NO_DOC when it is not indexed */
    uint32_t q_site;         /* q's site (0: none, or sites do not count) */
    int one_site;            /* no more than one site: sites do not count */
    int sites_judged;        /* one_site known */
    const uint64_t *q_fp;    /* q's fingerprints (40 bits), sorted */
    size_t n_q_fp;
    rp_status st;
    char *err;
} judge_ctx;

enum { KEY_CONTENT, KEY_BOILERPLATE };

/* Whether sites count: with all the pages of one site (an archive, a crawl
 * of one host), what a site repeats is not told from what it republishes. */
static int sites_count(judge_ctx *j)
{
    if (!j->sites_judged) {
        MDB_stat stt;
        int rc = mdb_stat(j->t, j->ix->sites, &stt);
        size_t distinct = rc ? 0 : stt.ms_entries;
        if (!rc && j->self == NO_DOC && j->q_site) {
            unsigned int key = j->q_site;
            MDB_val k = {sizeof(key), &key}, v;
            distinct += mdb_get(j->t, j->ix->sites, &k, &v) == MDB_NOTFOUND;
        }
        j->one_site = distinct <= 1;
        j->sites_judged = 1;
    }
    return !j->one_site;
}

static uint64_t pages_of(judge_ctx *j, uint32_t site)
{
    unsigned int key = site;
    MDB_val k = {sizeof(key), &key}, v;
    uint64_t pages = 0;
    if (mdb_get(j->t, j->ix->sites, &k, &v) == 0 && v.mv_size == sizeof(pages)) memcpy(&pages, v.mv_data, sizeof(pages));
    return pages + (j->self == NO_DOC && site == j->q_site);
}

static int has_fp(const judge_ctx *j, uint64_t v)
{
    size_t at = rp__lower_bound_u64(j->q_fp, j->n_q_fp, v);
    return at < j->n_q_fp && j->q_fp[at] == v;
}

/* The judgement of a key whose indexed documents have codes[0, n), q
 * among them when q_in: text one site repeats on site_pages or more of its
 * pages, and on a hundredth of them or on no other site, or in more than
 * max_df documents mostly without a site, is boilerplate. -1: no memory. */
static int judge_docs(judge_ctx *j, const uint32_t *codes, size_t n, int q_in)
{
    const rp_params *p = &j->ix->p;
    size_t df = n + (size_t)q_in, need = p->site_pages < 2 ? 2 : p->site_pages, unsited = 0;
    if (df >= need) {
        ws *w = j->w;
        size_t sited = 0;
        if (sites_count(j)) {
            if (rp__grow((void **)&w->sites, &w->cap_sites, df, sizeof(uint32_t))) return -1;
            for (size_t i = 0; i < n; i++)
                if (codes[i] > LIVE_NO_SITE) w->sites[sited++] = codes[i];
            if (q_in && j->q_site) w->sites[sited++] = j->q_site;
        }
        unsited = df - sited;
        if (sited >= need) {
            qsort(w->sites, sited, sizeof(uint32_t), cmp_u32);
            for (size_t x = 0, run = 1; x + 1 < sited; x++) {
                run = w->sites[x + 1] == w->sites[x] ? run + 1 : 1;
                if (run >= need && (run == sited || (uint64_t)run * RP_SITE_SHARE >= pages_of(j, w->sites[x])))
                    return KEY_BOILERPLATE;
            }
        }
    }
    if (df > (p->max_df ? p->max_df : SIZE_MAX) && unsited * 2 > df) return KEY_BOILERPLATE;
    return KEY_CONTENT;
}

/* A judgement remembered for the rest of the query (q's k-grams and its
 * candidates' overlap): key + 1 -> kind + 1 in an open-addressing table. */
static int memo_get(ws *w, uint64_t v)
{
    if (!w->memo_mask) return -1;
    size_t h = (size_t)rp__mix64(v) & w->memo_mask;
    while (w->memo_key[h]) {
        if (w->memo_key[h] == v + 1) return w->memo_val[h] - 1;
        h = (h + 1) & w->memo_mask;
    }
    return -1;
}

static int memo_put(ws *w, uint64_t v, int kind)
{
    if (2 * (w->memo_n + 1) > w->memo_mask) {
        size_t slots = w->memo_mask ? 2 * (w->memo_mask + 1) : 4096;
        uint64_t *k = calloc(slots, sizeof(uint64_t));
        uint8_t *x = calloc(slots, 1);
        if (!k || !x) {
            free(k);
            free(x);
            return -1;
        }
        for (size_t i = 0; i <= w->memo_mask && w->memo_key; i++)
            if (w->memo_key[i]) {
                size_t h = (size_t)rp__mix64(w->memo_key[i] - 1) & (slots - 1);
                while (k[h]) h = (h + 1) & (slots - 1);
                k[h] = w->memo_key[i], x[h] = w->memo_val[i];
            }
        free(w->memo_key);
        free(w->memo_val);
        w->memo_key = k, w->memo_val = x, w->memo_mask = slots - 1;
    }
    size_t h = (size_t)rp__mix64(v) & w->memo_mask;
    while (w->memo_key[h]) h = (h + 1) & w->memo_mask;
    w->memo_key[h] = v + 1;
    w->memo_val[h] = (uint8_t)(kind + 1);
    w->memo_n++;
    return 0;
}

static void memo_clear(ws *w)
{
    if (w->memo_n) memset(w->memo_key, 0, (w->memo_mask + 1) * sizeof(uint64_t));
    w->memo_n = 0;
}

/* A read transaction for the judgements, the runs locked in it. */
static int judge_begin(judge_ctx *j)
{
    if (!j->t) {
        int rc = mdb_txn_begin(j->ix->env, NULL, MDB_RDONLY, &j->t);
        if (!rc && (rc = rp__runs_lock(j->ix->runs, j->t))) {
            mdb_txn_abort(j->t);
            j->t = NULL;
        }
        if (rc) {
            j->st = lmdb_fail(j->ix, j->err, "cannot begin a query", rc);
            return -1;
        }
        j->sites_judged = 0;
    }
    return 0;
}

/* rp_bp_judge: whether a k-gram (its 40 bits) is a boilerplate fingerprint. */
static int judge_fp(void *ctx, uint64_t v)
{
    judge_ctx *j = ctx;
    ws *w = j->w;
    int kind = memo_get(w, v);
    if (kind >= 0) return kind;
    if (j->ix->sp.rewrites && (v & (RP_SENT_BIT >> 24))) return KEY_CONTENT; /* a sentence key's value */
    if (judge_begin(j)) return -1;
    size_t nd;
    int rc = live_docs(j->ix, j->t, KEY_FP(v), &w->docs, &nd, &w->cap_docs, &w->codes, &w->cap_codes);
    if (rc) {
        j->st = rc == ENOMEM ? RP_ERR_NOMEM : lmdb_fail(j->ix, j->err, "cannot query", rc);
        return -1;
    }
    int q_in = j->self == NO_DOC && has_fp(j, v);
    kind = nd + (size_t)q_in < 2 ? KEY_CONTENT : judge_docs(j, w->codes, nd, q_in);
    if (kind < 0 || memo_put(w, v, kind)) {
        j->st = RP_ERR_NOMEM;
        return -1;
    }
    return kind;
}

static void judge_end(judge_ctx *j)
{
    if (!j->t) return;
    rp__runs_unlock(j->ix->runs);
    mdb_txn_abort(j->t);
    j->t = NULL;
}

/* Appends docs[from, to), but self, to *c as candidates by kind (0 exact,
 * 1 band, 2 passage fingerprint, 3 sentence key, 4 a key of more than
 * max_df documents). */
static int add_cands(const uint32_t *docs, size_t from, size_t to, uint32_t self, int kind, cand **c, size_t *n,
                     size_t *cap)
{
    for (size_t i = from; i < to; i++) {
        if (docs[i] == self) continue;
        if (rp__grow((void **)c, cap, *n + 1, sizeof(cand))) return ENOMEM;
        (*c)[(*n)++] = (cand){docs[i], kind == 0, kind == 1, kind == 2, kind == 3, kind == 4};
    }
    return 0;
}

/* Two dates in align's order: numbers as numbers, else as text. */
static int date_order(const char *da, size_t la, int na, const char *db, size_t lb, int nb)
{
    if (!la || !lb) return 0;
    if (na && nb) {
        char ta[300], tb[300];
        snprintf(ta, sizeof(ta), "%.*s", (int)la, da);
        snprintf(tb, sizeof(tb), "%.*s", (int)lb, db);
        double x = strtod(ta, NULL), y = strtod(tb, NULL);
        return x < y ? -1 : x > y;
    }
    size_t m = la < lb ? la : lb;
    int c = memcmp(da, db, m);
    if (c) return c < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

/* The candidates of q: by exact hash and bands (pairs), by fingerprints
 * (passages), merged per document in docno order, q itself left out. */
static rp_status candidates(rp_index *ix, ws *w, judge_ctx *j, const rp_index_doc *q, unsigned what,
                            uint32_t *self, uint64_t *q_exact, cand **out, size_t *n_out, char *err)
{
    posting *ps = NULL;
    size_t n_ps = 0, cap_ps = 0, n = 0, cap = 0;
    cand *c = NULL;
    rp_status st = postings_of(ix, w, q->text, q->text_len, 0, &ps, &n_ps, &cap_ps, q_exact, err);
    if (st != RP_OK) return st;
    MDB_txn *t;
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t);
    if (rc) {
        free(ps);
        return lmdb_fail(ix, err, "cannot begin a query", rc);
    }
    *self = NO_DOC;
    rc = docno_of(t, ix, &q->id, self);
    if (rc == MDB_NOTFOUND) rc = 0;
    /* q's fingerprints and site, for the judgements of boilerplate */
    j->n_q_fp = 0;
    for (size_t x = 0; x < n_ps && !rc; x++)
        if (KEY_KIND(ps[x].key) == 2) {
            if (rp__grow((void **)&w->q_fp, &w->cap_q_fp, j->n_q_fp + 1, sizeof(uint64_t))) rc = ENOMEM;
            else w->q_fp[j->n_q_fp++] = ps[x].key & (((uint64_t)1 << 62) - 1);
        }
    j->q_fp = w->q_fp;
    j->self = *self;
    if (!rc && site_of_doc(ix, q, &w->scratch, &j->q_site) != RP_OK) rc = ENOMEM;
    if (!rc && *self != NO_DOC) {
        uint32_t code;
        if (!(rc = live_codes(t, ix, self, 1, &code))) j->q_site = code > LIVE_NO_SITE ? code : 0;
    }
    j->t = t;
    j->sites_judged = 0;
    int bp = ix->p.boilerplate != RP_BOILERPLATE_OFF;
    int locked = 0;
    if (!rc && !(rc = rp__runs_lock(ix->runs, t))) locked = 1;
    size_t max_df = ix->p.max_df ? ix->p.max_df : SIZE_MAX;
    size_t max_bucket = ix->p.max_bucket ? ix->p.max_bucket : SIZE_MAX;
    uint32_t *docs = NULL, *codes = NULL;
    size_t nd = 0, cap_d = 0, cap_c = 0;
    for (size_t x = 0; x < n_ps && !rc; x++) {
        unsigned kind = (unsigned)KEY_KIND(ps[x].key);
        if (kind == 2 ? !(what & RP_QUERY_PASSAGES) || !ix->sp.passages : !(what & RP_QUERY_PAIRS)) continue;
        if ((rc = live_docs(ix, t, ps[x].key, &docs, &nd, &cap_d, &codes, &cap_c)) || nd == 0) continue;
        if (kind == 0) {
            rc = add_cands(docs, 0, nd, *self, 0, &c, &n, &cap);
        } else if (kind == 1) {
            /* a bucket of more than max_bucket documents (templated pages)
             * is a chain of consecutive members, as the run links it: q
             * pairs with its neighbours only */
            size_t m = nd + (*self == NO_DOC);
            if (m <= max_bucket) {
                rc = add_cands(docs, 0, nd, *self, 1, &c, &n, &cap);
            } else {
                size_t at = nd; /* q's place: last when it is not indexed */
                for (size_t i = 0; i < nd && at == nd; i++)
                    if (docs[i] == *self) at = i;
                if (at > 0) rc = add_cands(docs, at - 1, at, *self, 1, &c, &n, &cap);
                if (!rc && at + 1 < nd) rc = add_cands(docs, at + 1, at + 2, *self, 1, &c, &n, &cap);
            }
        } else { /* its documents, q among them */
            size_t df = nd + (*self == NO_DOC);
            int sentence = ix->sp.rewrites && (ps[x].key & (RP_SENT_BIT >> 24));
            int judged = KEY_CONTENT;
            if (bp && !sentence) {
                uint64_t v = ps[x].key & (((uint64_t)1 << 62) - 1);
                if ((judged = judge_docs(j, codes, nd, *self == NO_DOC)) < 0 || memo_put(w, v, judged)) {
                    rc = ENOMEM;
                    break;
                }
                if (judged == KEY_BOILERPLATE && ix->p.boilerplate == RP_BOILERPLATE_HIDE) continue;
            }
            if (df > max_df) {
                /* without boilerplate judged, such a key is not paired;
                 * else its first document pairs with the others (a star,
                 * not every pair), q with the first or, first, with all:
                 * content by two such keys, boilerplate shown by one */
                if (!bp || sentence) continue;
                int as = judged == KEY_CONTENT ? 4 : 2;
                if (docs[0] == *self) rc = add_cands(docs, 1, nd, *self, as, &c, &n, &cap);
                else rc = add_cands(docs, 0, 1, *self, as, &c, &n, &cap);
                continue;
            }
            /* a sentence key in many documents pairs each with the first
             * only (align's SENT_PAIR_DF): q with the first, or, first, with all */
            if (sentence && df > RP_SENT_PAIR_DF && docs[0] != *self) rc = add_cands(docs, 0, 1, *self, 3, &c, &n, &cap);
            else rc = add_cands(docs, 0, nd, *self, sentence ? 3 : 2, &c, &n, &cap);
        }
    }
    if (locked) rp__runs_unlock(ix->runs);
    free(docs);
    free(codes);
    mdb_txn_abort(t);
    j->t = NULL;
    free(ps);
    if (rc) {
        free(c);
        return rc == ENOMEM ? RP_ERR_NOMEM : lmdb_fail(ix, err, "cannot query", rc);
    }
    if (n > 1) qsort(c, n, sizeof(cand), cmp_cand);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && c[m - 1].docno == c[i].docno) {
            c[m - 1].exact |= c[i].exact;
            c[m - 1].band |= c[i].band;
            c[m - 1].passage += c[i].passage;
            c[m - 1].sentence += c[i].sentence;
            c[m - 1].star += c[i].star;
        } else {
            c[m++] = c[i];
        }
    }
    *out = c;
    *n_out = m;
    return RP_OK;
}

/* A coverage rounded to float, as align's run keeps it (and prints it). Not
 * `x = (float)x`: GCC 12 at -O2 drops that pair of conversions when two
 * fields side by side get them (seen: 0.18125 printed 0.1812, not 0.1813). */
static double as_float(double x)
{
    volatile float f = (float)x;
    return f;
}

static rp_status fetch(rp_index *ix, uint32_t docno, doc_rec *r, char *err)
{
    MDB_txn *t;
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t);
    if (!rc) {
        rc = rec_read(t, ix, docno, r);
        mdb_txn_abort(t);
    }
    if (rc == MDB_NOTFOUND) return RP_ERR_NOT_FOUND; /* deleted since */
    return rc ? lmdb_fail(ix, err, "cannot read a record", rc) : RP_OK;
}

/* Judging the fingerprints of the documents a query aligns is most of its
 * time (a lookup in every run for each of a document's own fingerprints,
 * which no other document's answer shares); with several to align,
 * threads judge them first, each into its own memo, which then joins the
 * query's, and the alignments find every judgement there. */
typedef struct {
    rp_index *ix;
    const judge_ctx *proto;
    const ws *seed;          /* the query's memo (its own fingerprints), read only */
    const uint32_t *docnos;
    size_t from, to;
    ws *w;
    rp_status st;
    char err[RP_ERROR_MAX];
} prejudge;

static void *prejudge_main(void *arg)
{
    prejudge *pj = arg;
    rp_index *ix = pj->ix;
    if (!(pj->w = ws_take(ix))) {
        pj->st = RP_ERR_NOMEM;
        return NULL;
    }
    memo_clear(pj->w);
    for (size_t h = 0; pj->seed->memo_key && h <= pj->seed->memo_mask && pj->st == RP_OK; h++)
        if (pj->seed->memo_key[h] && memo_put(pj->w, pj->seed->memo_key[h] - 1, pj->seed->memo_val[h] - 1))
            pj->st = RP_ERR_NOMEM;
    judge_ctx j = *pj->proto;
    j.w = pj->w, j.t = NULL, j.err = pj->err, j.st = RP_OK;
    uint64_t *own = NULL;
    size_t cap = 0;
    unsigned k = rp__fp_ngram(&ix->p), win = ix->p.min_words - k + 1;
    for (size_t i = pj->from; i < pj->to && pj->st == RP_OK; i++) {
        doc_rec r;
        rp_status st = fetch(ix, pj->docnos[i], &r, pj->err);
        if (st == RP_ERR_NOT_FOUND) continue; /* deleted since: the alignment skips it too */
        if (st == RP_OK) st = read_text(ix, pj->w, &r, pj->err);
        rec_free(&r);
        const uint64_t *h;
        size_t n;
        if (st == RP_OK && (st = words(ix, pj->w, pj->w->text.data, pj->w->text.len, &h, &n, pj->err)) != RP_OK &&
            rp_status_is_bad_input(st))
            continue; /* the alignment reports it */
        if (st != RP_OK) {
            pj->st = st;
            break;
        }
        size_t m = rp__winnow(h, n, k, win, ix->p.seed, &own, &cap);
        if (m == SIZE_MAX) pj->st = RP_ERR_NOMEM;
        for (size_t x = 0; x < m && pj->st == RP_OK; x++)
            if (judge_fp(&j, own[x] >> 24) < 0) pj->st = j.st != RP_OK ? j.st : RP_ERR_NOMEM;
        judge_end(&j); /* read transactions last one document */
    }
    judge_end(&j);
    free(own);
    return NULL;
}

/* The documents of c that the query aligns, judged on threads (prejudge). */
static rp_status judge_ahead(rp_index *ix, ws *w, const judge_ctx *j, const cand *c, size_t n, char *err)
{
    unsigned threads = ix->p.threads ? ix->p.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    size_t todo = 0;
    for (size_t i = 0; i < n; i++) todo += aligned(&c[i]);
    if (threads < 2 || todo < 4) return RP_OK;
    if (threads > todo / 2) threads = (unsigned)(todo / 2);
    if (threads > 16) threads = 16;
    uint32_t *docnos = malloc(todo * sizeof(uint32_t));
    prejudge *pj = calloc(threads, sizeof(prejudge));
    rp_status st = docnos && pj ? RP_OK : RP_ERR_NOMEM;
    if (st == RP_OK) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (aligned(&c[i])) docnos[m++] = c[i].docno;
        for (unsigned t = 0; t < threads; t++)
            pj[t] = (prejudge){ix, j, w, docnos, todo * t / threads, todo * (t + 1) / threads, NULL, RP_OK, ""};
        rp__run_parallel(prejudge_main, pj, sizeof(prejudge), threads);
    }
    for (unsigned t = 0; pj && t < threads; t++) {
        if (st == RP_OK && pj[t].st != RP_OK) {
            st = pj[t].st;
            set_err(err, "%s", pj[t].err[0] ? pj[t].err : "out of memory");
        }
        ws *tw = pj[t].w;
        for (size_t h = 0; st == RP_OK && tw && tw->memo_key && h <= tw->memo_mask; h++)
            if (tw->memo_key[h] && memo_get(w, tw->memo_key[h] - 1) < 0 &&
                memo_put(w, tw->memo_key[h] - 1, tw->memo_val[h] - 1))
                st = RP_ERR_NOMEM;
        ws_give(ix, tw);
    }
    free(pj);
    free(docnos);
    return st;
}

rp_status rp_index_query(rp_index *ix, const rp_index_doc *q, unsigned what, const rp_query_out *out,
                         char *err)
{
    if (!ix->sp.passages && (what & RP_QUERY_PASSAGES)) {
        set_err(err, "%s: made without passage fingerprints: it answers pairs only", ix->dir);
        return RP_ERR_USAGE;
    }
    ws *w = ws_take(ix);
    if (!w) return RP_ERR_NOMEM;
    cand *c = NULL;
    size_t n = 0, nq = 0;
    uint32_t self;
    uint64_t q_exact;
    judge_ctx j;
    memset(&j, 0, sizeof(j));
    j.ix = ix, j.w = w, j.err = err;
    memo_clear(w);
    rp_status st = candidates(ix, w, &j, q, what, &self, &q_exact, &c, &n, err);
    int stop = 0;
    if (st == RP_OK && (what & RP_QUERY_PAIRS) && out->pair) {
        int have_q = 0;
        for (size_t i = 0; i < n && st == RP_OK && !stop; i++) {
            if (!c[i].exact && !c[i].band) continue;
            doc_rec r;
            if ((st = fetch(ix, c[i].docno, &r, err)) == RP_ERR_NOT_FOUND) {
                st = RP_OK;
                continue;
            }
            if (st != RP_OK) break;
            float j = 1, ca = 1, cb = 1; /* q and r: equal words are Jaccard 1 */
            if (r.h.exact != q_exact) {
                size_t nd;
                if (!have_q && (st = shingle_set(ix, w, q->text, q->text_len, &w->set_q, &w->cap_q, &nq,
                                                 err)) != RP_OK) {
                    rec_free(&r);
                    break;
                }
                have_q = 1;
                if ((st = read_text(ix, w, &r, err)) != RP_OK ||
                    (st = shingle_set(ix, w, w->text.data, w->text.len, &w->set_d, &w->cap_d, &nd, err)) !=
                        RP_OK) {
                    rec_free(&r);
                    break;
                }
                /* refused on a sample as the batch commands refuse it, and
                 * intersected as they do, stopping once the need is out of reach */
                uint64_t need = rp__intersect_need(ix->p.measure, ix->p.threshold, nd, nq);
                if (rp__sample_refuses(w->set_d, nd, w->set_q, nq, need)) {
                    rec_free(&r);
                    continue;
                }
                uint64_t inter = rp__intersect_at_least(w->set_d, nd, w->set_q, nq, need);
                double jj = (double)inter / (double)(nd + nq - inter);
                if (!rp__pair_reaches(ix->p.measure, ix->p.threshold, inter, nd, nq)) {
                    rec_free(&r);
                    continue;
                }
                j = (float)jj, ca = (float)((double)inter / (double)nd), cb = (float)((double)inter / (double)nq);
            }
            rp_id rid = {r.id, r.h.id_len, r.h.id_is_number};
            int r_first = r.docno < self; /* self is NO_DOC when q is not indexed */
            rp_pair pr = r_first ? (rp_pair){rid, q->id, r.docno, self == NO_DOC ? UINT64_MAX : self, j, ca, cb}
                                 : (rp_pair){q->id, rid, self, r.docno, j, cb, ca};
            stop = out->pair(out->user, &pr);
            rec_free(&r);
        }
    }
    int counted = 0;
    uint64_t common_cut = 0;
    if (st == RP_OK && !stop && (what & RP_QUERY_PASSAGES) && out->alignment && ix->p.boilerplate != RP_BOILERPLATE_OFF)
        st = judge_ahead(ix, w, &j, c, n, err);
    if (st == RP_OK && !stop && (what & RP_QUERY_PASSAGES) && out->alignment) {
        for (size_t i = 0; i < n && st == RP_OK && !stop; i++) {
            if (!aligned(&c[i])) continue;
            doc_rec r;
            if ((st = fetch(ix, c[i].docno, &r, err)) == RP_ERR_NOT_FOUND) {
                st = RP_OK;
                continue;
            }
            if (st == RP_OK) st = read_text(ix, w, &r, err);
            if (st != RP_OK) {
                rec_free(&r);
                break;
            }
            if (!counted) { /* the corpus's word counts, q's among them */
                int64_t *mine = self == NO_DOC ? calloc(WORD_SLOTS, sizeof(int64_t)) : NULL;
                if ((st = load_counts(ix, w, err)) == RP_OK && self == NO_DOC) {
                    if (!mine) st = RP_ERR_NOMEM;
                    else if ((st = count_words(w, q->text, q->text_len, mine, 1)) == RP_OK)
                        for (size_t k = 0; k < WORD_SLOTS; k++) w->counts[k] += (uint64_t)mine[k];
                }
                free(mine);
                if (st != RP_OK) {
                    rec_free(&r);
                    break;
                }
                uint64_t total = 0;
                for (size_t k = 0; k < WORD_SLOTS; k++) total += w->counts[k];
                common_cut = total >= RP_BANAL_MIN_WORDS ? total / RP_COMMON_SHARE : 0;
                rp__aligner_set_counts(w->al, count_of, w->counts);
                counted = 1;
            }
            int r_first = r.docno < self;
            rp_alignment al;
            const char *ta = r_first ? w->text.data : q->text, *tb = r_first ? q->text : w->text.data;
            size_t la = r_first ? w->text.len : q->text_len, lb = r_first ? q->text_len : w->text.len;
            rp_align_bp o = {ix->p.boilerplate, judge_fp, &j, 0, common_cut};
            if (o.mode != RP_BOILERPLATE_OFF) { /* two pages of one site? */
                uint32_t code = 0;
                int rc = judge_begin(&j) ? 0 : live_codes(j.t, ix, &r.docno, 1, &code);
                if (j.st != RP_OK || rc) {
                    st = j.st != RP_OK ? j.st : lmdb_fail(ix, err, "cannot query", rc);
                    judge_end(&j);
                    rec_free(&r);
                    break;
                }
                o.same_site = sites_count(&j) && code > LIVE_NO_SITE && code == j.q_site;
            }
            st = rp__align_bp(w->al, ta, la, tb, lb, o.mode != RP_BOILERPLATE_OFF ? &o : NULL, &al);
            judge_end(&j); /* read transactions last one alignment */
            if (st != RP_OK) {
                if (j.st != RP_OK) st = j.st;
                else set_err(err, "%s", rp_aligner_error(w->al));
                rec_free(&r);
                break;
            }
            if (al.n_passages) {
                rp_id rid = {r.id, r.h.id_len, r.h.id_is_number};
                uint64_t qi = self == NO_DOC ? UINT64_MAX : self;
                al.a = r_first ? rid : q->id;
                al.b = r_first ? q->id : rid;
                al.a_index = r_first ? r.docno : qi;
                al.b_index = r_first ? qi : r.docno;
                al.coverage_a = as_float(al.coverage_a);
                al.coverage_b = as_float(al.coverage_b);
                const char *rd = r.h.date_len ? r.date : NULL, *qd = q->date_len ? q->date : NULL;
                al.date_a = NULL, al.date_b = NULL;
                int order = r_first ? date_order(rd, r.h.date_len, r.h.date_is_number, qd, q->date_len,
                                                 q->date_is_number)
                                    : date_order(qd, q->date_len, q->date_is_number, rd, r.h.date_len,
                                                 r.h.date_is_number);
                if (order) {
                    al.source = order < 0 ? RP_SOURCE_A : RP_SOURCE_B;
                    al.source_evidence = "date";
                }
                stop = out->alignment(out->user, &al); /* its texts set, for a view */
            }
            rec_free(&r);
        }
    }
    free(c);
    ws_give(ix, w);
    return st;
}

/* ----------------------------------------------------------------- get */

rp_status rp_index_get(rp_index *ix, const rp_id *id, int (*fn)(void *, const rp_indexed_doc *), void *user,
                       char *err)
{
    MDB_txn *t;
    uint32_t docno = NO_DOC;
    doc_rec r;
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t);
    if (rc) return lmdb_fail(ix, err, "cannot begin", rc);
    rc = docno_of(t, ix, id, &docno);
    if (!rc) rc = rec_read(t, ix, docno, &r);
    mdb_txn_abort(t);
    if (rc == MDB_NOTFOUND) {
        set_err(err, "no document of that id");
        return RP_ERR_NOT_FOUND;
    }
    if (rc) return lmdb_fail(ix, err, "cannot read", rc);
    ws *w = ws_take(ix);
    rp_status st = w ? read_text(ix, w, &r, err) : RP_ERR_NOMEM;
    if (st == RP_OK) {
        rp_indexed_doc d = {{r.id, r.h.id_len, r.h.id_is_number}, w->text.data, w->text.len,
                            r.h.date_len ? r.date : NULL, r.h.date_len, r.h.date_is_number, r.h.added, docno};
        fn(user, &d);
    }
    rec_free(&r);
    ws_give(ix, w);
    return st;
}

/* -------------------------------------------------------------- delete */

static int del_key(MDB_txn *t, MDB_dbi dbi, const void *kb, size_t klen, const void *vb, size_t vlen)
{
    MDB_val k = {klen, (void *)kb}, v = {vlen, (void *)vb};
    int rc = mdb_del(t, dbi, &k, vlen ? &v : NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Removes record docno and the keys of its id and age, in t. */
static rp_status delete_doc(rp_index *ix, ws *w, MDB_txn *t, live_writer *lw, uint32_t docno, counts *c,
                            int64_t *words_gone, char *err)
{
    doc_rec r;
    int rc = rec_read(t, ix, docno, &r);
    if (rc == MDB_NOTFOUND) { /* deleted by another since it was looked up */
        set_err(err, "no document of that id");
        return RP_ERR_NOT_FOUND;
    }
    if (rc) return lmdb_fail(ix, err, "cannot read a record", rc);
    /* its postings stay in their runs, dropped by readers (no record) and
     * by a compaction; its words leave the counts now */
    rp_status st = ix->sp.passages ? read_text(ix, w, &r, err) : RP_OK;
    if (st == RP_OK && ix->sp.passages) st = count_words(w, w->text.data, w->text.len, words_gone, -1);
    if (st == RP_OK) {
        uint8_t ik[16], tk[12];
        rp_id id = {r.id, r.h.id_len, r.h.id_is_number};
        id_key(&id, ik);
        unsigned int key = docno;
        put_be64(tk, r.h.added);
        put_be32(tk + 8, docno);
        if (!(rc = del_key(t, ix->ids, ik, 16, NULL, 0)) && !(rc = del_key(t, ix->docs, &key, sizeof(key), NULL, 0)) &&
            !(rc = del_key(t, ix->added, tk, 12, NULL, 0))) {
            put_be64(tk, r.h.when);
            rc = del_key(t, ix->dated, tk, 12, NULL, 0);
        }
        uint32_t was = 0;
        if (!rc) rc = live_set(t, ix, lw, docno, 0, &was);
        if (!rc && was > LIVE_NO_SITE) rc = site_pages_add(t, ix, was, -1);
        c->documents--;
        c->deleted++;
        c->live_log -= r.h.log_len;
        c->text_bytes -= r.h.text_len;
    }
    rec_free(&r);
    if (rc) return lmdb_fail(ix, err, "cannot delete", rc);
    return st;
}

/* Deletes the docnos in one commit; those already gone are skipped when
 * there are several (an expiry), an error for one. */
static rp_status delete_docnos(rp_index *ix, const uint32_t *docnos, size_t n, char *err)
{
    ws *w = ws_take(ix);
    int64_t *gone = calloc(WORD_SLOTS, sizeof(int64_t));
    if (!w || !gone) {
        ws_give(ix, w);
        free(gone);
        return RP_ERR_NOMEM;
    }
    pthread_mutex_lock(&ix->add_mu);
    MDB_txn *t;
    counts c;
    rp_status st = RP_OK;
    live_writer *lw = malloc(sizeof(*lw));
    int rc = lw ? mdb_txn_begin(ix->env, NULL, 0, &t) : ENOMEM;
    if (lw) lw->chunk = UINT32_MAX, lw->dirty = 0;
    if (!rc && !(rc = counts_get(t, ix, &c))) {
        for (size_t i = 0; i < n && st == RP_OK; i++)
            if ((st = delete_doc(ix, w, t, lw, docnos[i], &c, gone, err)) == RP_ERR_NOT_FOUND && n > 1) st = RP_OK;
        if (st == RP_OK) rc = live_flush(t, ix, lw);
        if (st == RP_OK && !rc && ix->sp.passages) rc = store_counts(t, ix, gone);
        if (st == RP_OK && !rc) rc = meta_put(t, ix, "counts", &c, sizeof(c));
        if (st == RP_OK && !rc) rc = mdb_txn_commit(t);
        else mdb_txn_abort(t);
    } else if (!rc) {
        mdb_txn_abort(t);
    }
    pthread_mutex_unlock(&ix->add_mu);
    ws_give(ix, w);
    free(gone);
    free(lw);
    if (rc == ENOMEM && st == RP_OK) st = RP_ERR_NOMEM, set_err(err, "out of memory");
    if (rc && st == RP_OK) st = lmdb_fail(ix, err, "cannot delete", rc);
    return st;
}

rp_status rp_index_delete(rp_index *ix, const rp_id *id, char *err)
{
    if (ix->flags & RP_INDEX_READONLY) {
        set_err(err, "%s: opened read-only", ix->dir);
        return RP_ERR_USAGE;
    }
    MDB_txn *t;
    uint32_t docno;
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t);
    if (rc) return lmdb_fail(ix, err, "cannot begin", rc);
    rc = docno_of(t, ix, id, &docno);
    mdb_txn_abort(t);
    if (rc == MDB_NOTFOUND) {
        set_err(err, "no document of that id");
        return RP_ERR_NOT_FOUND;
    }
    if (rc) return lmdb_fail(ix, err, "cannot read", rc);
    return delete_docnos(ix, &docno, 1, err);
}

rp_status rp_index_expire(rp_index *ix, uint64_t before, int by_date, uint64_t *deleted, char *err)
{
    *deleted = 0;
    if (ix->flags & RP_INDEX_READONLY) {
        set_err(err, "%s: opened read-only", ix->dir);
        return RP_ERR_USAGE;
    }
    for (;;) { /* a thousand at a time: a commit each, short transactions */
        uint32_t batch[1000];
        size_t n = 0;
        MDB_txn *t;
        MDB_cursor *cur;
        int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t);
        if (rc) return lmdb_fail(ix, err, "cannot begin", rc);
        if ((rc = mdb_cursor_open(t, by_date ? ix->dated : ix->added, &cur))) {
            mdb_txn_abort(t);
            return lmdb_fail(ix, err, "cannot read", rc);
        }
        MDB_val k, v;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc && n < 1000; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size != 12 || get_be64(k.mv_data) > before) break;
            batch[n++] = get_be32((const uint8_t *)k.mv_data + 8);
        }
        mdb_cursor_close(cur);
        mdb_txn_abort(t);
        if (n == 0) return RP_OK;
        rp_status st = delete_docnos(ix, batch, n, err);
        if (st != RP_OK) return st;
        *deleted += n;
    }
}

/* --------------------------------------------------------------- stats */

/* Pages on LMDB's freelist (table 0): each record is a page list whose
 * first word is its length. They are reused by later writes; compact
 * gives them back. */
static size_t free_pages(rp_index *ix)
{
    MDB_txn *t;
    MDB_cursor *cur;
    MDB_val k, v;
    size_t n = 0;
    if (mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t)) return 0;
    if (!mdb_cursor_open(t, 0, &cur)) {
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
            if (v.mv_size >= sizeof(size_t)) {
                size_t len;
                memcpy(&len, v.mv_data, sizeof(len));
                n += len;
            }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(t);
    return n;
}

rp_status rp_index_stat(rp_index *ix, rp_index_stats *s, char *err)
{
    memset(s, 0, sizeof(*s));
    MDB_txn *t;
    counts c;
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &t);
    if (rc) return lmdb_fail(ix, err, "cannot begin", rc);
    rc = counts_get(t, ix, &c);
    if (!rc) rc = rp__runs_count(t, &s->runs, &s->postings);
    mdb_txn_abort(t);
    if (rc) return lmdb_fail(ix, err, "cannot read", rc);
    MDB_envinfo info;
    MDB_stat est;
    mdb_env_info(ix->env, &info);
    mdb_env_stat(ix->env, &est);
    s->documents = c.documents;
    s->added = c.added;
    s->deleted = c.deleted;
    s->text_bytes = c.text_bytes;
    s->log_bytes = c.log_end;
    s->live_log_bytes = c.live_log;
    s->db_bytes = (uint64_t)(info.me_last_pgno + 1) * est.ms_psize;
    s->free_bytes = (uint64_t)free_pages(ix) * est.ms_psize;
    s->map_bytes = info.me_mapsize;
    s->readers = info.me_numreaders;
    s->passages = (int)ix->sp.passages;
    rp_params_init(&s->params);
    s->params.ngram = ix->sp.ngram;
    s->params.num_perm = ix->sp.num_perm;
    s->params.bands = ix->sp.bands;
    s->params.rows = ix->sp.rows;
    s->params.spin = (int)ix->sp.spin;
    s->params.seed = ix->sp.seed;
    s->params.fingerprint_ngram = ix->sp.fp_k ? ix->sp.fp_k : s->params.fingerprint_ngram;
    s->params.min_words = ix->sp.min_words ? ix->sp.min_words : s->params.min_words;
    s->params.rewrites = (int)ix->sp.rewrites;
    s->params.id_field = s->params.text_field = s->params.date_field = NULL;
    s->params.site_field = s->params.url_field = s->params.tmp_dir = NULL;
    return RP_OK;
}

/* -------------------------------------------------- backup and compact */

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* The copy's log: with compact, only the texts its records reference,
 * which get their new offsets; else the log up to its end as is. */
static rp_status copy_log(rp_index *ix, const char *to_dir, int compact, char *err)
{
    rp_index cp;
    memset(&cp, 0, sizeof(cp));
    snprintf(cp.dir, sizeof(cp.dir), "%s", to_dir);
    cp.flags = 0;
    cp.log_fd = cp.lock_fd = -1;
    int rc;
    MDB_txn *t = NULL;
    rp_status st = RP_OK;
    if ((rc = mdb_env_create(&cp.env)) || (rc = mdb_env_set_maxdbs(cp.env, 12)) ||
        (rc = mdb_env_set_mapsize(cp.env, MAP_SIZE)) || (rc = mdb_env_open(cp.env, to_dir, MDB_NOTLS, 0666)) ||
        (rc = mdb_txn_begin(cp.env, NULL, 0, &t)) || (rc = mdb_dbi_open(t, "meta", 0, &cp.meta)) ||
        (rc = mdb_dbi_open(t, "docs", MDB_INTEGERKEY, &cp.docs))) {
        st = lmdb_fail(&cp, err, "cannot open the copy", rc);
        goto done;
    }
    counts c;
    uint64_t gen;
    if ((rc = counts_get(t, &cp, &c)) || (rc = meta_get(t, &cp, "log_gen", &gen, sizeof(gen)))) {
        st = lmdb_fail(&cp, err, "cannot read the copy", rc);
        goto done;
    }
    if (gen != ix->log_gen) {
        set_err(err, "%s: compacted while being copied; copy again", ix->dir);
        st = RP_ERR_IO;
        goto done;
    }
    uint64_t new_gen = compact ? gen + 1 : gen;
    char path[4200];
    snprintf(path, sizeof(path), "%s/texts.%llu.log", to_dir, (unsigned long long)new_gen);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        st = RP_ERR_IO;
        goto done;
    }
    rp_buf b = {0};
    uint64_t at = 0;
    if (!compact) {
        for (uint64_t off = 0; off < c.log_end && st == RP_OK;) {
            size_t chunk = c.log_end - off < (1u << 20) ? (size_t)(c.log_end - off) : (1u << 20);
            if (rp__buf_reserve(&b, chunk)) st = RP_ERR_NOMEM;
            else if (rp__pread_all(ix->log_fd, b.data, chunk, off) || rp__pwrite_all(fd, b.data, chunk, off)) {
                set_err(err, "cannot copy the text log to %s: %s", path, strerror(errno));
                st = RP_ERR_IO;
            }
            off += chunk;
        }
        at = c.log_end;
    } else {
        MDB_cursor *cur;
        MDB_val k, v;
        if ((rc = mdb_cursor_open(t, cp.docs, &cur))) st = lmdb_fail(&cp, err, "cannot read the copy", rc);
        for (rc = st == RP_OK ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : MDB_NOTFOUND; !rc && st == RP_OK;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            doc_head h;
            memcpy(&h, v.mv_data, sizeof(h));
            if (rp__buf_reserve(&b, h.log_len)) {
                st = RP_ERR_NOMEM;
                break;
            }
            if (rp__pread_all(ix->log_fd, b.data, h.log_len, h.log_off) || rp__pwrite_all(fd, b.data, h.log_len, at)) {
                set_err(err, "cannot copy the text log to %s: %s", path, strerror(errno));
                st = RP_ERR_IO;
                break;
            }
            /* the record rewritten with its new offset */
            char tmp[sizeof(doc_head) + 65536 + 256];
            if (v.mv_size > sizeof(tmp)) {
                rc = MDB_CORRUPTED;
                break;
            }
            memcpy(tmp, v.mv_data, v.mv_size);
            h.log_off = at;
            memcpy(tmp, &h, sizeof(h));
            MDB_val nv = {v.mv_size, tmp};
            if ((rc = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT))) break;
            at += h.log_len;
        }
        if (rc == MDB_NOTFOUND) rc = 0;
        if (rc && st == RP_OK) st = lmdb_fail(&cp, err, "cannot rewrite the copy", rc);
        mdb_cursor_close(cur);
        c.log_end = at;
        c.live_log = at;
        if (st == RP_OK && ((rc = meta_put(t, &cp, "counts", &c, sizeof(c))) ||
                            (rc = meta_put(t, &cp, "log_gen", &new_gen, sizeof(new_gen)))))
            st = lmdb_fail(&cp, err, "cannot write the copy", rc);
    }
    rp__buf_free(&b);
    if (st == RP_OK && fsync(fd) != 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        st = RP_ERR_IO;
    }
    close(fd);
    if (st == RP_OK) {
        rc = mdb_txn_commit(t);
        t = NULL;
        if (rc) st = lmdb_fail(&cp, err, "cannot commit the copy", rc);
    }
done:
    if (t) mdb_txn_abort(t);
    if (cp.env) mdb_env_close(cp.env);
    if (st == RP_OK) {
        char lock[4200];
        snprintf(lock, sizeof(lock), "%s/lock", to_dir);
        int lf = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (lf >= 0) close(lf);
        fsync_dir(to_dir);
    }
    return st;
}

rp_status rp_index_backup(rp_index *ix, const char *to_dir, int compact, char *err)
{
    if (mkdir(to_dir, 0777) != 0 && errno != EEXIST) {
        set_err(err, "%s: cannot make the directory: %s", to_dir, strerror(errno));
        return RP_ERR_IO;
    }
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/data.mdb", to_dir);
    if (stat(path, &sb) == 0) {
        set_err(err, "%s: already holds an index; back up into a new directory", to_dir);
        return RP_ERR_USAGE;
    }
    /* LMDB copies one snapshot; the log is then copied up to that
     * snapshot's end (it only grows, so every text it references is there) */
    int rc = mdb_env_copy2(ix->env, to_dir, compact ? MDB_CP_COMPACT : 0);
    if (rc) return lmdb_fail(ix, err, "cannot copy", rc);
    return copy_log(ix, to_dir, compact, err);
}

typedef struct {
    rp_index *ix;
    MDB_txn *t;
} keep_ctx;

static int still_there(void *ctx, uint32_t docno)
{
    keep_ctx *k = ctx;
    unsigned int key = docno;
    MDB_val kk = {sizeof(key), &key}, v;
    return mdb_get(k->t, k->ix->docs, &kk, &v) == 0;
}

rp_status rp_index_compact(rp_index *ix, char *err)
{
    if (ix->flags & RP_INDEX_READONLY) {
        set_err(err, "%s: opened read-only", ix->dir);
        return RP_ERR_USAGE;
    }
    if (flock(ix->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        set_err(err, "%s: in use by another process (a server?); compact it when it is alone", ix->dir);
        return RP_ERR_IO;
    }
    char tmp[4200], from[4400], to[4400];
    snprintf(tmp, sizeof(tmp), "%s/compact.tmp", ix->dir);
    remove_leftovers(ix);
    /* the postings in one run, the deleted documents' left out */
    MDB_txn *t;
    int rc = mdb_txn_begin(ix->env, NULL, 0, &t);
    if (!rc) {
        keep_ctx kc = {ix, t};
        if ((rc = rp__runs_merge_all(ix->runs, t, still_there, &kc))) mdb_txn_abort(t);
        else rc = mdb_txn_commit(t);
    }
    if (rc) {
        flock(ix->lock_fd, LOCK_SH);
        return lmdb_fail(ix, err, "cannot merge the postings", rc);
    }
    rp_status st = rp_index_backup(ix, tmp, 1, err);
    uint64_t old_gen = ix->log_gen;
    if (st == RP_OK) {
        /* the new log under its own name first, then the database that
         * references it: a crash between leaves the old pair whole */
        snprintf(from, sizeof(from), "%s/texts.%llu.log", tmp, (unsigned long long)(old_gen + 1));
        snprintf(to, sizeof(to), "%s/texts.%llu.log", ix->dir, (unsigned long long)(old_gen + 1));
        if (rename(from, to) != 0 || fsync_dir(ix->dir) != 0) st = RP_ERR_IO;
        snprintf(from, sizeof(from), "%s/data.mdb", tmp);
        snprintf(to, sizeof(to), "%s/data.mdb", ix->dir);
        if (st == RP_OK) {
            mdb_env_close(ix->env);
            ix->env = NULL;
            if (rename(from, to) != 0 || fsync_dir(ix->dir) != 0) st = RP_ERR_IO;
        }
        if (st != RP_OK) set_err(err, "%s: cannot move the compacted index in: %s", ix->dir, strerror(errno));
    }
    if (!ix->env) {
        close(ix->log_fd);
        ix->log_fd = -1;
        rp_status st2 = open_env(ix, st == RP_OK ? err : NULL);
        if (st == RP_OK) st = st2;
    }
    if (ix->log_gen != old_gen) remove_leftovers(ix);
    flock(ix->lock_fd, LOCK_SH);
    return st;
}
