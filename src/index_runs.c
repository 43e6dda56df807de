/*
 * index_runs.c — the index's postings as immutable sorted runs (an LSM tree
 * kept inside LMDB).
 *
 * One B-tree entry per posting made every commit rewrite pages all over
 * the tree (an article's ~180 postings land on ~180 random pages), and
 * cost ~34 bytes a posting. Here a commit writes its postings, sorted, as
 * one new run of blocks appended at the end of the blocks table (pages
 * written once, full), and runs of one size class are merged four at a
 * time, so a posting is rewritten about log4(N) times in all. A block is
 * up to 512 entries in at most 1,320 bytes, Elias-Fano coded (about 5.6
 * bytes an entry, most of it the document number); a run's directory row
 * holds each block's first key, which readers keep in memory (with every
 * 64th apart, to search in cache) to find the one block a key can be in,
 * and in the block the one place.
 *
 * Tables:
 *   runs.blocks  run id << 32 | block (integer key) -> encoded block
 *   runs.dir     run id (u32 BE) -> level, blocks, entries, first keys
 *                0xFFFFFFFF      -> generation, next run id
 * The generation changes with every change of the runs; a reader whose
 * view is of another generation than its transaction's reloads it. A
 * deleted document's postings stay until every run is merged into one
 * (compaction); readers drop them by its missing record.
 */
#include "index_runs.h"
#include "common/common.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_ENTRIES 512
/* A block's bytes at most: three fill a 4 KB page with their nodes */
#define BLOCK_BYTES 1320
#define FANOUT 4
/* A lookup searches every SAMPLE-th first key, a few KB that stay in cache,
 * then SAMPLE of them: a few cache misses, not one a step of a search over
 * megabytes (a run of a million articles' postings has 400,000 blocks) */
#define SAMPLE 64
#define DIR_HEAD 16
#define BLOCK_MAX (BLOCK_ENTRIES * 13 + 64)

typedef struct {
    uint32_t id, level, n_blocks;
    uint64_t n;
    uint64_t *first;         /* each block's first key */
    uint64_t *sample;        /* every SAMPLE-th of them (in first's allocation) */
    size_t n_sample;
} run;

struct rp_runs {
    MDB_dbi blocks, dir;
    pthread_rwlock_t lock;
    uint64_t gen;
    int loaded;
    run *runs;
    size_t n_runs;
};

static const uint8_t STATE_KEY[4] = {0xff, 0xff, 0xff, 0xff};

static void put_be32(uint8_t *o, uint32_t v)
{
    for (int k = 0; k < 4; k++) o[k] = (uint8_t)(v >> (24 - 8 * k));
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned level_of(uint64_t n)
{
    unsigned l = 0;
    for (n /= 1024; n >= FANOUT; n /= FANOUT) l++;
    return l;
}

/* ------------------------------------------------------------ encoding */

static size_t put_varint(uint8_t *o, uint64_t v)
{
    size_t k = 0;
    while (v >= 0x80) {
        o[k++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    o[k++] = (uint8_t)v;
    return k;
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* A block's key in runs.blocks: its run, then its place, as one integer. */
static uint64_t block_key(uint32_t run_id, uint32_t block)
{
    return (uint64_t)run_id << 32 | block;
}

/* Bits to write v. */
static unsigned bits_of(uint64_t v)
{
    unsigned b = 0;
    while (v) b++, v >>= 1;
    return b;
}

typedef struct {
    uint8_t *o;
    size_t at;
    uint64_t acc;
    unsigned n;
} bit_writer;

static void put_bits(bit_writer *w, uint64_t v, unsigned bits)
{
    while (bits) {
        unsigned take = bits < 32 ? bits : 32;
        w->acc |= (v & ((1ull << take) - 1)) << w->n;
        w->n += take, v >>= take, bits -= take;
        while (w->n >= 8) {
            w->o[w->at++] = (uint8_t)w->acc;
            w->acc >>= 8, w->n -= 8;
        }
    }
}

/* Reads width (at most 64) bits at bit pos of p[0, len); bytes past the
 * end read as 0. */
static inline uint64_t read_at(const uint8_t *p, size_t len, uint64_t pos, unsigned width)
{
    if (!width) return 0;
    size_t byte = (size_t)(pos >> 3);
    unsigned sh = (unsigned)(pos & 7);
    uint64_t v = 0;
    if (byte + 8 <= len) {
        memcpy(&v, p + byte, 8);
        v = le64toh(v);
    } else {
        for (size_t i = 0; byte + i < len && i < 8; i++) v |= (uint64_t)p[byte + i] << (8 * i);
    }
    v >>= sh;
    if (sh + width > 64 && byte + 8 < len) v |= (uint64_t)p[byte + 8] << (64 - sh);
    return width == 64 ? v : v & (((uint64_t)1 << width) - 1);
}

/* A block is Elias-Fano coded (Elias 1974, Fano 1971; Vigna 2013), so that
 * a lookup finds its key without decoding the entries before it:
 *   [varint n][key0, 8 bytes LE][varint smallest docno][L][db][varint H]
 * then bit-packed: each entry's key above key0 split into its low L bits
 * (n * L bits) and its high part, as the positions high_i + i of n ones
 * among H bits, then each docno above the smallest (n * db bits). L is
 * log2 of the keys' mean increase, so an entry's key costs L + 2 bits or
 * less, as Rice coding would, and the high bits are searched a word at a
 * time. */
typedef struct {
    uint64_t n, key0, lo, hbits;
    unsigned L, db;
    const uint8_t *bits;     /* the bit-packed part */
    size_t len;
    uint64_t high_at, doc_at; /* where the high bits and the docnos start */
} ef_block;

static unsigned ef_low_bits(uint64_t span, uint64_t n)
{
    uint64_t q = span / n;
    return q ? 63u - (unsigned)__builtin_clzll(q) : 0;
}

/* Bits of a block of n entries whose keys span span and docnos dspan. */
static uint64_t ef_bits(uint64_t n, uint64_t span, uint32_t dspan)
{
    unsigned L = ef_low_bits(span, n);
    return n * L + (span >> L) + n + n * bits_of(dspan);
}

static size_t encode_block(const rp_run_entry *e, size_t n, uint8_t *out)
{
    uint32_t lo = e[0].docno, hi = e[0].docno;
    for (size_t i = 0; i < n; i++) {
        if (e[i].docno < lo) lo = e[i].docno;
        if (e[i].docno > hi) hi = e[i].docno;
    }
    uint64_t key0 = e[0].key, span = e[n - 1].key - key0;
    unsigned L = ef_low_bits(span, n), db = bits_of(hi - lo);
    uint64_t hbits = (span >> L) + n;
    size_t at = put_varint(out, n);
    for (int b = 0; b < 8; b++) out[at++] = (uint8_t)(key0 >> (8 * b));
    at += put_varint(out + at, lo);
    out[at++] = (uint8_t)L;
    out[at++] = (uint8_t)db;
    at += put_varint(out + at, hbits);
    bit_writer w = {out + at, 0, 0, 0};
    for (size_t i = 0; i < n; i++) put_bits(&w, e[i].key - key0, L);
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) { /* high_i - high_{i-1} zeros, a one */
        uint64_t h = (e[i].key - key0) >> L;
        for (uint64_t z = h - prev; z; z -= z < 32 ? z : 32) put_bits(&w, 0, z < 32 ? (unsigned)z : 32);
        put_bits(&w, 1, 1);
        prev = h;
    }
    for (size_t i = 0; i < n; i++) put_bits(&w, e[i].docno - lo, db);
    if (w.n) w.o[w.at++] = (uint8_t)w.acc;
    return at + w.at;
}

static int ef_open(const uint8_t *p, size_t len, ef_block *b)
{
    const uint8_t *end = p + len;
    if (get_varint(&p, end, &b->n) || b->n == 0 || b->n > BLOCK_ENTRIES || end - p < 8) return -1;
    b->key0 = 0;
    for (int k = 0; k < 8; k++) b->key0 |= (uint64_t)p[k] << (8 * k);
    p += 8;
    if (get_varint(&p, end, &b->lo) || b->lo > UINT32_MAX || end - p < 2) return -1;
    b->L = p[0], b->db = p[1];
    p += 2;
    if (b->L > 63 || b->db > 32 || get_varint(&p, end, &b->hbits) || b->hbits < b->n ||
        b->hbits > 3 * b->n + 64)
        return -1;
    b->bits = p;
    b->len = (size_t)(end - p);
    b->high_at = b->n * b->L;
    b->doc_at = b->high_at + b->hbits;
    return b->doc_at + b->n * b->db <= (uint64_t)b->len * 8 ? 0 : -1;
}

/* Decodes up to cap entries, all of them (merges). Returns the count, or
 * -1 when it is not a block. */
static long decode_block(const uint8_t *p, size_t len, rp_run_entry *out, size_t cap)
{
    ef_block b;
    if (ef_open(p, len, &b) || cap < b.n) return -1;
    /* the high parts: each one's place less the ones before it, a word of
     * the bit vector at a time */
    size_t i = 0;
    for (uint64_t pos = 0; pos < b.hbits && i < b.n; pos += 64) {
        unsigned w = b.hbits - pos < 64 ? (unsigned)(b.hbits - pos) : 64;
        for (uint64_t word = read_at(b.bits, b.len, b.high_at + pos, w); word && i < b.n; word &= word - 1, i++)
            out[i].key = b.key0 + ((pos + (unsigned)__builtin_ctzll(word) - i) << b.L);
    }
    if (i < b.n) return -1;
    for (i = 0; i < b.n; i++) {
        out[i].key += read_at(b.bits, b.len, i * b.L, b.L);
        out[i].docno = (uint32_t)(b.lo + read_at(b.bits, b.len, b.doc_at + i * b.db, b.db));
    }
    return (long)b.n;
}

/* The documents under key want appended to *out, from the one place in
 * the block its entries can start (the high bits searched a word at a
 * time); *past 1 when the block holds a key above it. 0, -1 when it is not
 * a block, or ENOMEM. */
static int find_in_block(const uint8_t *p, size_t len, uint64_t want, uint32_t **out, size_t *n, size_t *cap,
                         int *past)
{
    ef_block b;
    *past = 0;
    if (ef_open(p, len, &b)) return -1;
    if (want < b.key0) {
        *past = 1;
        return 0;
    }
    uint64_t d = want - b.key0, h = d >> b.L, end = b.high_at + b.hbits;
    if (h > b.hbits - b.n) return 0; /* above every key here */
    /* the place after the h-th zero: the first entry whose high part is h or more */
    uint64_t pos = b.high_at, zeros = 0;
    while (zeros < h) {
        if (pos >= end) return -1;
        unsigned w = end - pos < 64 ? (unsigned)(end - pos) : 64;
        uint64_t word = read_at(b.bits, b.len, pos, w);
        unsigned z = w - (unsigned)__builtin_popcountll(word);
        if (zeros + z < h) {
            zeros += z, pos += w;
            continue;
        }
        for (;; pos++, word >>= 1) /* within the word */
            if (!(word & 1) && ++zeros == h) {
                pos++;
                break;
            }
    }
    uint64_t i = pos - b.high_at - h; /* ones before it */
    for (; pos < end && i < b.n; pos++) {
        if (!read_at(b.bits, b.len, pos, 1)) { /* the next high part: all above */
            *past = 1;
            return 0;
        }
        uint64_t low = read_at(b.bits, b.len, i * b.L, b.L), v = h << b.L | low;
        if (v > d) {
            *past = 1;
            return 0;
        }
        if (v == d) {
            if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 64;
                uint32_t *g = realloc(*out, c * sizeof(uint32_t));
                if (!g) return ENOMEM;
                *out = g, *cap = c;
            }
            (*out)[(*n)++] = (uint32_t)(b.lo + read_at(b.bits, b.len, b.doc_at + i * b.db, b.db));
        }
        i++;
    }
    return 0;
}

/* -------------------------------------------------------------- tables */

int rp__runs_open(MDB_txn *t, int create, rp_runs **out)
{
    *out = NULL;
    rp_runs *r = calloc(1, sizeof(*r));
    if (!r) return ENOMEM;
    /* integer keys (run << 32 | block): a lookup's B-tree search compares
     * words, not bytes (a tenth of a query's time at a million articles) */
    int rc = mdb_dbi_open(t, "runs.blocks", MDB_INTEGERKEY | (create ? MDB_CREATE : 0), &r->blocks);
    if (!rc) rc = mdb_dbi_open(t, "runs.dir", create ? MDB_CREATE : 0, &r->dir);
    if (rc) {
        free(r);
        return rc;
    }
    pthread_rwlock_init(&r->lock, NULL);
    *out = r;
    return 0;
}

static void drop_view(rp_runs *r)
{
    for (size_t k = 0; k < r->n_runs; k++) free(r->runs[k].first);
    free(r->runs);
    r->runs = NULL;
    r->n_runs = 0;
    r->loaded = 0;
}

void rp__runs_free(rp_runs *r)
{
    if (!r) return;
    drop_view(r);
    pthread_rwlock_destroy(&r->lock);
    free(r);
}

static int state_get(MDB_txn *t, const rp_runs *r, uint64_t *gen, uint32_t *next)
{
    MDB_val k = {4, (void *)STATE_KEY}, v;
    int rc = mdb_get(t, r->dir, &k, &v);
    if (rc == MDB_NOTFOUND) {
        *gen = 0, *next = 1;
        return 0;
    }
    if (rc) return rc;
    if (v.mv_size != 12) return MDB_CORRUPTED;
    memcpy(gen, v.mv_data, 8);
    memcpy(next, (const char *)v.mv_data + 8, 4);
    return 0;
}

static int state_put(MDB_txn *t, const rp_runs *r, uint64_t gen, uint32_t next)
{
    uint8_t b[12];
    memcpy(b, &gen, 8);
    memcpy(b + 8, &next, 4);
    MDB_val k = {4, (void *)STATE_KEY}, v = {12, b};
    return mdb_put(t, r->dir, &k, &v, 0);
}

/* The runs of t's snapshot, headers only (first keys not copied unless
 * with_keys), in id order. */
static int list_runs(MDB_txn *t, const rp_runs *r, run **out, size_t *n, int with_keys)
{
    MDB_cursor *cur;
    MDB_val k, v;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = mdb_cursor_open(t, r->dir, &cur);
    if (rc) return rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 4 && memcmp(k.mv_data, STATE_KEY, 4) == 0) continue;
        run x;
        memset(&x, 0, sizeof(x));
        if (k.mv_size != 4 || v.mv_size < DIR_HEAD) {
            rc = MDB_CORRUPTED;
            break;
        }
        x.id = get_be32(k.mv_data);
        memcpy(&x.level, v.mv_data, 4);
        memcpy(&x.n_blocks, (const char *)v.mv_data + 4, 4);
        memcpy(&x.n, (const char *)v.mv_data + 8, 8);
        if (v.mv_size != DIR_HEAD + (size_t)x.n_blocks * 8) {
            rc = MDB_CORRUPTED;
            break;
        }
        if (with_keys) {
            x.n_sample = (x.n_blocks + SAMPLE - 1) / SAMPLE;
            if (!(x.first = malloc((x.n_blocks + x.n_sample + 1) * sizeof(uint64_t)))) {
                rc = ENOMEM;
                break;
            }
            memcpy(x.first, (const char *)v.mv_data + DIR_HEAD, (size_t)x.n_blocks * 8);
            x.sample = x.first + x.n_blocks;
            for (size_t j = 0; j < x.n_sample; j++) x.sample[j] = x.first[j * SAMPLE];
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            run *g = realloc(*out, cap * sizeof(run));
            if (!g) {
                free(x.first);
                rc = ENOMEM;
                break;
            }
            *out = g;
        }
        (*out)[(*n)++] = x;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) return 0;
    for (size_t i = 0; i < *n; i++) free((*out)[i].first);
    free(*out);
    *out = NULL;
    *n = 0;
    return rc;
}

/* -------------------------------------------------------------- writing */

/* Builds one run: entries in, blocks appended, the directory row at the end. */
typedef struct {
    MDB_txn *t;
    const rp_runs *r;
    uint32_t id, n_blocks;
    uint64_t n;
    rp_run_entry buf[BLOCK_ENTRIES];
    size_t n_buf;
    uint32_t lo, hi;         /* the block's docnos */
    uint64_t *first;
    size_t cap_first;
} builder;

static int flush_block(builder *b)
{
    if (b->n_buf == 0) return 0;
    uint8_t enc[BLOCK_MAX];
    size_t len = encode_block(b->buf, b->n_buf, enc);
    uint64_t kb = block_key(b->id, b->n_blocks);
    if (b->n_blocks == b->cap_first) {
        size_t cap = b->cap_first ? b->cap_first * 2 : 64;
        uint64_t *g = realloc(b->first, cap * sizeof(uint64_t));
        if (!g) return ENOMEM;
        b->first = g, b->cap_first = cap;
    }
    b->first[b->n_blocks++] = b->buf[0].key;
    MDB_val k = {sizeof(kb), &kb}, v = {len, enc};
    b->n_buf = 0;
    return mdb_put(b->t, b->r->blocks, &k, &v, MDB_APPEND);
}

/* Entries go to the block until it is full or would pass BLOCK_BYTES. */
static int build_put(builder *b, rp_run_entry e)
{
    if (b->n_buf) {
        uint32_t lo = e.docno < b->lo ? e.docno : b->lo, hi = e.docno > b->hi ? e.docno : b->hi;
        uint64_t bits = ef_bits(b->n_buf + 1, e.key - b->buf[0].key, hi - lo);
        if (b->n_buf == BLOCK_ENTRIES || 28 + (bits + 7) / 8 > BLOCK_BYTES) {
            int rc = flush_block(b);
            if (rc) return rc;
        } else {
            b->lo = lo, b->hi = hi;
        }
    }
    if (b->n_buf == 0) b->lo = b->hi = e.docno;
    b->buf[b->n_buf++] = e;
    b->n++;
    return 0;
}

static int build_end(builder *b)
{
    int rc = flush_block(b);
    if (rc || b->n == 0) return rc;
    size_t len = DIR_HEAD + (size_t)b->n_blocks * 8;
    uint8_t kb[4];
    put_be32(kb, b->id);
    MDB_val k = {4, kb}, v = {len, NULL};
    if ((rc = mdb_put(b->t, b->r->dir, &k, &v, MDB_RESERVE))) return rc;
    uint32_t level = level_of(b->n);
    memcpy(v.mv_data, &level, 4);
    memcpy((char *)v.mv_data + 4, &b->n_blocks, 4);
    memcpy((char *)v.mv_data + 8, &b->n, 8);
    memcpy((char *)v.mv_data + DIR_HEAD, b->first, (size_t)b->n_blocks * 8);
    return 0;
}

static int drop_run(MDB_txn *t, const rp_runs *r, const run *x)
{
    uint8_t kb[4];
    put_be32(kb, x->id);
    int rc = 0;
    for (uint32_t b = 0; b < x->n_blocks && !rc; b++) {
        uint64_t bk = block_key(x->id, b);
        MDB_val k = {sizeof(bk), &bk};
        rc = mdb_del(t, r->blocks, &k, NULL);
    }
    MDB_val k = {4, kb};
    return rc ? rc : mdb_del(t, r->dir, &k, NULL);
}

/* A run read block by block, for a merge (each block copied out: the
 * writes of the same transaction may move the pages it was on). */
typedef struct {
    const run *x;
    uint32_t block;
    rp_run_entry e[BLOCK_ENTRIES];
    size_t n, at;
} reader;

static int reader_fill(MDB_txn *t, const rp_runs *r, reader *rd)
{
    rd->n = rd->at = 0;
    if (rd->block >= rd->x->n_blocks) return 0;
    uint64_t kb = block_key(rd->x->id, rd->block++);
    MDB_val k = {sizeof(kb), &kb}, v;
    int rc = mdb_get(t, r->blocks, &k, &v);
    if (rc) return rc;
    long got = decode_block(v.mv_data, v.mv_size, rd->e, BLOCK_ENTRIES);
    if (got <= 0) return MDB_CORRUPTED;
    rd->n = (size_t)got;
    return 0;
}

static int entry_less(rp_run_entry a, rp_run_entry b)
{
    return a.key < b.key || (a.key == b.key && a.docno < b.docno);
}

/* Merges runs xs into one new run (ids from *next), the old ones dropped. */
static int merge(MDB_txn *t, rp_runs *r, run *xs, size_t n, uint32_t *next, uint64_t *moved,
                 int (*keep)(void *, uint32_t), void *ctx)
{
    reader *rd = calloc(n, sizeof(reader));
    builder *b = calloc(1, sizeof(builder));
    int rc = rd && b ? 0 : ENOMEM;
    if (!rc) {
        b->t = t, b->r = r, b->id = (*next)++;
        for (size_t k = 0; k < n && !rc; k++) {
            rd[k].x = &xs[k];
            rc = reader_fill(t, r, &rd[k]);
        }
    }
    while (!rc) {
        size_t best = n;
        for (size_t k = 0; k < n; k++)
            if (rd[k].at < rd[k].n && (best == n || entry_less(rd[k].e[rd[k].at], rd[best].e[rd[best].at])))
                best = k;
        if (best == n) break;
        rp_run_entry e = rd[best].e[rd[best].at++];
        if (rd[best].at == rd[best].n) rc = reader_fill(t, r, &rd[best]);
        if (!rc && (!keep || keep(ctx, e.docno))) rc = build_put(b, e);
        if (moved) ++*moved;
    }
    if (!rc) rc = build_end(b);
    for (size_t k = 0; k < n && !rc; k++) rc = drop_run(t, r, &xs[k]);
    if (b) free(b->first);
    free(b);
    free(rd);
    return rc;
}

int rp__runs_add(rp_runs *r, MDB_txn *t, const rp_run_entry *e, size_t n, uint64_t *moved)
{
    uint64_t gen;
    uint32_t next;
    int rc = state_get(t, r, &gen, &next);
    if (rc) return rc;
    *moved = 0;
    if (n) {
        builder *b = calloc(1, sizeof(builder));
        if (!b) return ENOMEM;
        b->t = t, b->r = r, b->id = next++;
        for (size_t i = 0; i < n && !rc; i++)
            if (!i || e[i].key != e[i - 1].key || e[i].docno != e[i - 1].docno) rc = build_put(b, e[i]);
        if (!rc) rc = build_end(b);
        free(b->first);
        free(b);
        if (rc) return rc;
    }
    /* four runs of a size class become one of the next */
    for (int merged = 1; merged && !rc;) {
        merged = 0;
        run *xs;
        size_t nx;
        if ((rc = list_runs(t, r, &xs, &nx, 0))) break;
        for (uint32_t level = 0; level < 64 && !merged && !rc; level++) {
            size_t same = 0;
            for (size_t k = 0; k < nx; k++) same += xs[k].level == level;
            if (same < FANOUT) continue;
            size_t m = 0;
            for (size_t k = 0; k < nx; k++)
                if (xs[k].level == level) xs[m++] = xs[k];
            rc = merge(t, r, xs, m, &next, moved, NULL, NULL);
            merged = 1;
        }
        free(xs);
    }
    return rc ? rc : state_put(t, r, gen + 1, next);
}

int rp__runs_merge_all(rp_runs *r, MDB_txn *t, int (*keep)(void *, uint32_t), void *ctx)
{
    uint64_t gen;
    uint32_t next;
    run *xs;
    size_t nx;
    int rc = state_get(t, r, &gen, &next);
    if (!rc) rc = list_runs(t, r, &xs, &nx, 0);
    if (rc) return rc;
    if (nx) rc = merge(t, r, xs, nx, &next, NULL, keep, ctx);
    free(xs);
    return rc ? rc : state_put(t, r, gen + 1, next);
}

/* -------------------------------------------------------------- reading */

int rp__runs_lock(rp_runs *r, MDB_txn *t)
{
    uint64_t gen;
    uint32_t next;
    int rc = state_get(t, r, &gen, &next);
    if (rc) return rc;
    for (;;) {
        pthread_rwlock_rdlock(&r->lock);
        if (r->loaded && r->gen == gen) return 0;
        pthread_rwlock_unlock(&r->lock);
        pthread_rwlock_wrlock(&r->lock);
        if (!r->loaded || r->gen != gen) {
            drop_view(r);
            if ((rc = list_runs(t, r, &r->runs, &r->n_runs, 1))) {
                pthread_rwlock_unlock(&r->lock);
                return rc;
            }
            r->gen = gen;
            r->loaded = 1;
        }
        pthread_rwlock_unlock(&r->lock);
    }
}

void rp__runs_unlock(rp_runs *r)
{
    pthread_rwlock_unlock(&r->lock);
}

int rp__runs_lookup(const rp_runs *r, MDB_txn *t, uint64_t key, uint32_t **out, size_t *n, size_t *cap)
{
    for (size_t k = 0; k < r->n_runs; k++) {
        const run *x = &r->runs[k];
        /* the last block starting below key: key's entries begin there or
         * in the next; they may go on over later blocks. The first block
         * starting at key or above is after sample lo - 1's and no later
         * than sample lo's. */
        size_t s = rp__lower_bound_u64(x->sample, x->n_sample, key);
        size_t hi = s * SAMPLE < x->n_blocks ? s * SAMPLE : x->n_blocks, lo = s ? (s - 1) * SAMPLE : 0;
        lo += rp__lower_bound_u64(x->first + lo, hi - lo, key);
        if (x->n_blocks == 0 || (lo == 0 && x->first[0] > key)) continue;
        size_t start = lo ? lo - 1 : 0;
        for (size_t b = start; b < x->n_blocks; b++) {
            if (b > start && x->first[b] > key) break;
            uint64_t kb = block_key(x->id, (uint32_t)b);
            MDB_val kk = {sizeof(kb), &kb}, v;
            int rc = mdb_get(t, r->blocks, &kk, &v);
            if (rc) return rc;
            int past;
            if ((rc = find_in_block(v.mv_data, v.mv_size, key, out, n, cap, &past))) return rc < 0 ? MDB_CORRUPTED : rc;
            if (past) break;
        }
    }
    return 0;
}

int rp__runs_count(MDB_txn *t, uint64_t *runs, uint64_t *entries)
{
    MDB_dbi dir;
    int rc = mdb_dbi_open(t, "runs.dir", 0, &dir);
    rp_runs tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.dir = dir;
    run *xs;
    size_t nx;
    *runs = *entries = 0;
    if (rc || (rc = list_runs(t, &tmp, &xs, &nx, 0))) return rc;
    *runs = nx;
    for (size_t k = 0; k < nx; k++) *entries += xs[k].n;
    free(xs);
    return 0;
}
