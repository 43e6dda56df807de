/*
 * band_store.c — where the band keys of every document live between the
 * first pass and the candidate search, in bounded memory.
 *
 * Keys are 32-bit and the record number is implicit in their position, so a
 * document costs 4 bytes a band (84 bytes at the default 21 bands). They are
 * kept in chunks of CHUNK records, band-major inside a chunk, so that memory
 * grows by one chunk at a time instead of doubling arrays, and a band's
 * column of a chunk is one contiguous read.
 *
 * With a memory limit, the oldest chunks are written to an unlinked
 * temporary file whenever the chunks in memory pass half the limit; the
 * other half is for sorting. The candidate search then works band by band,
 * the bands shared out among threads (they are independent), and, when the
 * threads' entries (8 bytes each, plus as much again of sort scratch) do not
 * fit in that half, in P key ranges: each range re-reads the band's columns
 * and keeps the keys that fall in it. A bucket (one key) lies
 * in one range, and the entries of a range are gathered in record order and
 * sorted stably, so each bucket holds the same records in the same order as
 * in memory: the candidate pairs, and so the clusters, are exactly the same.
 * The price is P reads of the band's 4 bytes a document.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* records a chunk: rp__hooks.band_chunk (1 << 16; tests make it tiny),
 * fixed when the store is made */
#define CHUNK (t->chunk_recs)

struct rp_bands {
    unsigned bands;
    size_t chunk_recs;          /* records a chunk */
    uint64_t limit;             /* bytes; 0 = no limit */
    uint32_t **chunk;           /* per chunk: bands * CHUNK keys, or NULL once spilled */
    size_t n_chunks, cap_chunks;
    uint64_t n;                 /* records added */
    size_t n_spilled;           /* chunks [0, n_spilled) are in the file, the rest in memory */
    FILE *file;
    rp_corpus *corpus;          /* for temporary files and messages */
    rp_bands_stats stats;
    uint32_t *stage;            /* the last records' keys, row-major (STAGE of them at most), */
    unsigned n_stage;
    int stage_keys;             /* any of which has keys */
};

/* Records whose keys are gathered row by row before they go to their
 * chunk's columns, a band's keys of them at once: a record's keys written
 * straight to its 21 columns, 256 KiB apart, were a cache miss each (8 %
 * of a thread's first pass over short posts). 16 keys fill a cache line. */
enum { STAGE = 16 };

static size_t chunk_bytes(const rp_bands *t)
{
    return (size_t)t->bands * CHUNK * sizeof(uint32_t);
}

static uint64_t bytes_in_memory(const rp_bands *t)
{
    return (uint64_t)(t->n_chunks - t->n_spilled) * chunk_bytes(t);
}

rp_bands *rp__bands_create(unsigned bands, uint64_t limit, rp_corpus *corpus)
{
    rp_bands *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->bands = bands;
    t->chunk_recs = rp__hooks.band_chunk;
    t->limit = limit;
    t->corpus = corpus;
    if (!(t->stage = malloc((size_t)STAGE * bands * sizeof(uint32_t)))) {
        free(t);
        return NULL;
    }
    return t;
}

/* The staged records' keys into their columns (all in the last chunk). */
static void flush_stage(rp_bands *t)
{
    if (t->n_stage && t->stage_keys) {
        uint64_t first = t->n - t->n_stage;
        size_t i = (size_t)(first % CHUNK);
        uint32_t *dst = t->chunk[first / CHUNK];
        for (unsigned b = 0; b < t->bands; b++)
            for (unsigned k = 0; k < t->n_stage; k++) dst[(size_t)b * CHUNK + i + k] = t->stage[k * t->bands + b];
    }
    t->n_stage = 0;
    t->stage_keys = 0;
}

void rp__bands_free(rp_bands *t)
{
    if (!t) return;
    for (size_t c = 0; c < t->n_chunks; c++) free(t->chunk[c]);
    free(t->chunk);
    free(t->stage);
    if (t->file) fclose(t->file);
    free(t);
}

void rp__bands_stats(const rp_bands *t, rp_bands_stats *s)
{
    *s = t->stats;
}

static rp_status write_error(rp_bands *t)
{
    return rp__corpus_temp_write_failed(t->corpus, t->corpus->err, errno);
}

/* Writes the oldest chunks in memory to the file until half the limit is
 * free again. Chunks go in order, so chunk c sits at c * chunk_bytes. */
static rp_status spill(rp_bands *t)
{
    if (!t->file) {
        rp_status st = rp__corpus_temp(t->corpus, &t->file);
        if (st != RP_OK) return st;
    }
    while (bytes_in_memory(t) > t->limit / 2 && t->n_spilled + 1 < t->n_chunks) {
        uint32_t *c = t->chunk[t->n_spilled];
        if (fwrite(c, 1, chunk_bytes(t), t->file) != chunk_bytes(t)) return write_error(t);
        free(c);
        t->chunk[t->n_spilled++] = NULL;
        t->stats.spilled_bytes += chunk_bytes(t);
    }
    if (fflush(t->file) != 0) return write_error(t);
    return RP_OK;
}

rp_status rp__bands_add(rp_bands *t, const uint32_t *keys)
{
    size_t c = (size_t)(t->n / CHUNK), i = (size_t)(t->n % CHUNK);
    if (i == 0) {
        flush_stage(t);
        if (rp__grow((void **)&t->chunk, &t->cap_chunks, c + 1, sizeof(uint32_t *)))
            return RP_ERR_NOMEM;
        /* zeroed by the kernel as it is first touched: a record out of the
         * tables leaves its keys zero without a write, and a chunk of such
         * records, never written nor read, costs no page */
        t->chunk[c] = calloc(1, chunk_bytes(t));
        if (!t->chunk[c]) return RP_ERR_NOMEM;
        t->n_chunks = c + 1;
        if (t->limit && bytes_in_memory(t) > t->limit / 2) {
            rp_status st = spill(t);
            if (st != RP_OK) return st;
        }
    }
    uint32_t *row = t->stage + (size_t)t->n_stage * t->bands;
    if (keys) memcpy(row, keys, t->bands * sizeof(uint32_t)), t->stage_keys = 1;
    else memset(row, 0, t->bands * sizeof(uint32_t));
    t->n_stage++;
    t->n++;
    if (t->n_stage == STAGE) flush_stage(t);
    return RP_OK;
}

rp_status rp__bands_get(rp_bands *t, uint64_t rec, uint32_t *keys, char *err)
{
    if (rec >= t->n) return RP_ERR_USAGE;
    flush_stage(t);
    size_t c = (size_t)(rec / CHUNK), i = (size_t)(rec % CHUNK);
    for (unsigned b = 0; b < t->bands; b++) {
        if (t->chunk[c]) {
            keys[b] = t->chunk[c][(size_t)b * CHUNK + i];
            continue;
        }
        uint64_t off = (uint64_t)c * chunk_bytes(t) + ((uint64_t)b * CHUNK + i) * sizeof(uint32_t);
        rp_status st = rp__corpus_temp_read(t->corpus, err, t->file, &keys[b], sizeof(uint32_t), off);
        if (st != RP_OK) return st;
    }
    return RP_OK;
}

rp_status rp__bands_get_band(rp_bands *t, unsigned b, uint32_t *dst, char *err)
{
    if (b >= t->bands) return RP_ERR_USAGE;
    flush_stage(t);
    for (size_t c = 0; c < t->n_chunks; c++) {
        size_t n = c + 1 < t->n_chunks ? CHUNK : (size_t)(t->n - (uint64_t)c * CHUNK);
        if (t->chunk[c]) {
            memcpy(dst + c * CHUNK, t->chunk[c] + (size_t)b * CHUNK, n * sizeof(uint32_t));
            continue;
        }
        uint64_t off = (uint64_t)c * chunk_bytes(t) + (uint64_t)b * CHUNK * sizeof(uint32_t);
        rp_status st = rp__corpus_temp_read(t->corpus, err, t->file, dst + c * CHUNK, n * sizeof(uint32_t), off);
        if (st != RP_OK) return st;
    }
    return RP_OK;
}

/* One search thread's own buffers, so that threads share only what they read. */
typedef struct {
    rp_bands *t;
    const uint8_t *skip;
    size_t max_bucket;
    unsigned first, step;       /* bands first, first + step, ... below n_bands */
    unsigned n_bands;
    uint64_t key_lo, key_hi;    /* the keys searched, [key_lo, key_hi) */
    uint64_t parts;             /* key ranges that is split into */
    uint64_t *v, *scratch;      /* a range's entries and their sort scratch */
    size_t cap;
    uint32_t *col;              /* one band column of a spilled chunk */
    rp_bucket_visit visit;      /* buckets go to it instead of becoming pairs */
    void *visit_ctx;
    uint64_t *pairs;            /* a << 32 | b, sorted and unique at the end */
    size_t n_pairs, cap_pairs;
    uint64_t truncated, read_back;
    rp_status st;
    char err[RP_MSG_MAX]; /* a failed read's message */
} rp_band_search;

/* Band b's keys of chunk c: in memory, or read back from the file. */
static const uint32_t *column(rp_band_search *w, size_t c, unsigned b, rp_status *st)
{
    rp_bands *t = w->t;
    if (t->chunk[c]) return t->chunk[c] + (size_t)b * CHUNK;
    if (!w->col && !(w->col = malloc(CHUNK * sizeof(uint32_t)))) {
        *st = RP_ERR_NOMEM;
        return NULL;
    }
    uint64_t off = (uint64_t)c * chunk_bytes(t) + (uint64_t)b * CHUNK * sizeof(uint32_t);
    size_t want = CHUNK * sizeof(uint32_t);
    if ((*st = rp__corpus_temp_read(t->corpus, w->err, t->file, w->col, want, off)) != RP_OK) return NULL;
    w->read_back += want;
    return w->col;
}

static rp_status band_pairs(rp_band_search *w, unsigned b)
{
    rp_bands *t = w->t;
    uint64_t n = t->n;
    rp_status st = RP_OK;
    for (uint64_t p = 0; p < w->parts && st == RP_OK; p++) {
        uint64_t span = w->key_hi - w->key_lo;
        uint64_t lo = w->key_lo + span * p / w->parts, hi = w->key_lo + span * (p + 1) / w->parts;
        size_t m = 0;
        for (size_t c = 0; c < t->n_chunks && st == RP_OK; c++) {
            const uint32_t *col = column(w, c, b, &st);
            if (!col) break;
            uint64_t base = (uint64_t)c * CHUNK;
            size_t cn = (size_t)(n - base < CHUNK ? n - base : CHUNK);
            if (m + cn > w->cap) {
                size_t cap = w->cap;
                if (rp__grow((void **)&w->v, &cap, m + cn, sizeof(uint64_t))) {
                    st = RP_ERR_NOMEM;
                    break;
                }
                free(w->scratch);
                if (!(w->scratch = malloc(cap * sizeof(uint64_t)))) {
                    st = RP_ERR_NOMEM;
                    break;
                }
                w->cap = cap;
            }
            for (size_t i = 0; i < cn; i++) {
                if (w->skip[base + i]) continue; /* before its key: see rp__bands_add */
                uint64_t key = col[i];
                if (key < lo || key >= hi) continue;
                w->v[m++] = key << 32 | (base + i);
            }
        }
        if (st == RP_OK && m > 1) m = rp__drop_lone_keys(w->v, m, w->scratch);
        if (st == RP_OK && m > 1 && w->visit) {
            rp__radix_sort_scratch(w->v, m, 32, w->scratch);
            for (size_t i = 0, j; i < m && st == RP_OK; i = j) {
                for (j = i + 1; j < m && (w->v[j] >> 32) == (w->v[i] >> 32); j++) {}
                if (j - i > 1) st = w->visit(w->visit_ctx, w->first, b, w->v + i, j - i);
            }
        } else if (st == RP_OK && m > 1 &&
                   rp__band_pairs_scratch(w->v, m, w->scratch, w->max_bucket, &w->pairs, &w->n_pairs,
                                          &w->cap_pairs, &w->truncated)) {
            st = RP_ERR_NOMEM;
        }
    }
    return st;
}

static void *search_main(void *arg)
{
    rp_band_search *w = arg;
    for (unsigned b = w->first; b < w->n_bands && w->st == RP_OK; b += w->step)
        w->st = band_pairs(w, b);
    /* a near-duplicate pair meets in most bands: its repeats go here, on
     * the thread, before the lists are joined (the sort scratch is free) */
    if (w->st == RP_OK && w->n_pairs > 1) {
        if (w->n_pairs > w->cap) {
            free(w->scratch);
            w->scratch = malloc(w->n_pairs * sizeof(uint64_t));
        }
        size_t n = w->scratch ? rp__sort_unique_u64(w->pairs, w->n_pairs, w->scratch) : SIZE_MAX;
        if (n == SIZE_MAX) w->st = RP_ERR_NOMEM;
        else w->n_pairs = n;
    }
    return NULL;
}

static rp_status search(rp_bands *t, const uint8_t *skip, size_t max_bucket, unsigned threads,
                        unsigned n_bands, uint64_t key_lo, uint64_t key_hi, rp_bucket_visit visit,
                        void *visit_ctx, rp_cand **pairs, size_t *n_pairs, size_t *cap_pairs,
                        uint64_t *truncated)
{
    flush_stage(t);
    if (key_hi > (uint64_t)1 << 32) key_hi = (uint64_t)1 << 32;
    if (key_lo >= key_hi) return RP_OK;
    if (threads < 1) threads = 1;
    if (n_bands > t->bands) n_bands = t->bands;
    if (threads > n_bands) threads = n_bands ? n_bands : 1;
    uint64_t n = t->n;
    /* key ranges: each thread's entries and their sort scratch in half the limit */
    uint64_t parts = 1;
    if (t->limit) {
        uint64_t need = n * 2 * sizeof(uint64_t) * threads, room = t->limit / 2;
        parts = (need + room - 1) / room;
        if (parts < 1) parts = 1;
        if (parts > 65536) parts = 65536;
    }
    if (parts > t->stats.partitions) t->stats.partitions = parts;
    rp_band_search *w = calloc(threads, sizeof(*w));
    rp_status st = w ? RP_OK : RP_ERR_NOMEM;
    for (unsigned k = 0; k < threads && st == RP_OK; k++) {
        w[k] = (rp_band_search){.t = t, .skip = skip, .max_bucket = max_bucket, .first = k,
                                .step = threads, .n_bands = n_bands, .key_lo = key_lo, .key_hi = key_hi,
                                .parts = parts, .visit = visit, .visit_ctx = visit_ctx};
        /* room for a range's share (all of them with one range) before growing */
        size_t cap = (size_t)(parts == 1 ? n : n / parts + n / parts / 4 + CHUNK);
        w[k].v = malloc((cap ? cap : 1) * sizeof(uint64_t));
        w[k].scratch = malloc((cap ? cap : 1) * sizeof(uint64_t));
        w[k].cap = cap ? cap : 1;
        if (!w[k].v || !w[k].scratch) st = RP_ERR_NOMEM;
    }
    if (st == RP_OK) rp__run_parallel(search_main, w, sizeof(*w), threads);
    /* the search buffers go before the pairs are joined, and the list grows
     * once, to the size it needs: a corpus of many copies makes lists of
     * hundreds of millions of pairs, and the join is when they all live */
    size_t total = 0;
    for (unsigned k = 0; k < threads && w; k++) {
        if (st == RP_OK && (st = w[k].st) == RP_ERR_IO) rp__msg(t->corpus->err, "%s", w[k].err);
        total += w[k].n_pairs;
        if (truncated) *truncated += w[k].truncated;
        t->stats.read_back_bytes += w[k].read_back;
        free(w[k].v);
        free(w[k].scratch);
        free(w[k].col);
        w[k].v = w[k].scratch = NULL;
        w[k].col = NULL;
    }
    if (st == RP_OK && total && *n_pairs + total > *cap_pairs) {
        rp_cand *grown = realloc(*pairs, (*n_pairs + total) * sizeof(rp_cand));
        if (!grown) st = RP_ERR_NOMEM;
        else *pairs = grown, *cap_pairs = *n_pairs + total;
    }
    for (unsigned k = 0; k < threads && w; k++) {
        for (size_t i = 0; st == RP_OK && i < w[k].n_pairs; i++)
            (*pairs)[(*n_pairs)++] = (rp_cand){w[k].pairs[i] >> 32, (uint32_t)w[k].pairs[i]};
        free(w[k].pairs);
    }
    free(w);
    return st;
}

rp_status rp__bands_pairs(rp_bands *t, const uint8_t *skip, size_t max_bucket, unsigned threads,
                          uint64_t key_lo, uint64_t key_hi, rp_cand **pairs, size_t *n_pairs,
                          size_t *cap_pairs, uint64_t *truncated)
{
    return search(t, skip, max_bucket, threads, t->bands, key_lo, key_hi, NULL, NULL, pairs,
                  n_pairs, cap_pairs, truncated);
}

rp_status rp__bands_buckets(rp_bands *t, const uint8_t *skip, unsigned threads, unsigned n_bands,
                            rp_bucket_visit visit, void *ctx)
{
    return search(t, skip, 0, threads, n_bands, 0, (uint64_t)1 << 32, visit, ctx, NULL, NULL, NULL,
                  NULL);
}

rp_status rp__bands_rows(rp_bands *t, uint32_t *rows, char *err)
{
    flush_stage(t);
    uint32_t *read = t->n_spilled ? malloc(chunk_bytes(t)) : NULL; /* a spilled chunk, read back */
    if (t->n_spilled && !read) return RP_ERR_NOMEM;
    rp_status st = RP_OK;
    for (size_t c = 0; c < t->n_chunks && st == RP_OK; c++) {
        size_t n = c + 1 < t->n_chunks ? CHUNK : (size_t)(t->n - (uint64_t)c * CHUNK);
        const uint32_t *chunk = t->chunk[c];
        if (!chunk) {
            st = rp__corpus_temp_read(t->corpus, err, t->file, read, chunk_bytes(t),
                                      (uint64_t)c * chunk_bytes(t));
            chunk = read;
        }
        uint32_t *dst = rows + c * CHUNK * t->bands;
        for (unsigned b = 0; b < t->bands && st == RP_OK; b++) {
            const uint32_t *col = chunk + (size_t)b * CHUNK;
            for (size_t i = 0; i < n; i++) dst[i * t->bands + b] = col[i];
        }
    }
    free(read);
    return st;
}
