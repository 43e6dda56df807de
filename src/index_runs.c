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
 * up to 256 entries, delta- and varint-coded (about 5 bytes an entry); a
 * run's directory row holds each block's first key, which readers keep in
 * memory to find the one block a key can be in.
 *
 * Tables:
 *   runs.blocks  run id (u32 BE), block (u32 BE) -> encoded block
 *   runs.dir     run id (u32 BE) -> level, blocks, entries, first keys
 *                0xFFFFFFFF      -> generation, next run id
 * The generation changes with every change of the runs; a reader whose
 * view is of another generation than its transaction's reloads it. A
 * deleted document's postings stay until every run is merged into one
 * (compaction); readers drop them by its missing record.
 */
#include "index_runs.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_ENTRIES 512
/* A block's bytes at most: three fill a 4 KB page with their nodes */
#define BLOCK_BYTES 1320
#define FANOUT 4
#define DIR_HEAD 16
#define BLOCK_MAX (BLOCK_ENTRIES * 13 + 64)

typedef struct {
    uint32_t id, level, n_blocks;
    uint64_t n;
    uint64_t *first;         /* each block's first key */
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

typedef struct {
    const uint8_t *p, *end;
    uint64_t acc;            /* the next n bits, lowest first */
    unsigned n;
} bit_reader;

/* Tops the buffer up to 56 bits or more: eight bytes at a time where the
 * block has them (the bits above n come from the bytes that follow, so
 * OR-ing them in again later changes nothing), else a byte at a time. */
static inline void refill(bit_reader *r)
{
    if (r->end - r->p >= 8) {
        uint64_t w;
        memcpy(&w, r->p, 8);
        r->acc |= le64toh(w) << r->n;
        r->p += (63 - r->n) >> 3;
        r->n |= 56;
        return;
    }
    while (r->n <= 56 && r->p < r->end) {
        r->acc |= (uint64_t)*r->p++ << r->n;
        r->n += 8;
    }
}

static inline int get_bits(bit_reader *r, unsigned bits, uint64_t *v)
{
    if (bits > 32) { /* in two: the buffer holds 57 bits at least */
        uint64_t lo, hi;
        if (get_bits(r, 32, &lo) || get_bits(r, bits - 32, &hi)) return -1;
        *v = lo | hi << 32;
        return 0;
    }
    refill(r);
    if (r->n < bits) return -1;
    *v = r->acc & (((uint64_t)1 << bits) - 1);
    r->acc >>= bits;
    r->n -= bits;
    return 0;
}

/* A key's increase Rice-coded with parameter k: its high part in unary
 * (below RICE_ESCAPE ones, then a zero), its low k bits; from RICE_ESCAPE
 * ones on, the increase follows whole (the jump between kinds of key). */
#define RICE_ESCAPE 32

static unsigned rice_bits(uint64_t d, unsigned k)
{
    uint64_t q = d >> k;
    return q < RICE_ESCAPE ? (unsigned)q + 1 + k : RICE_ESCAPE + 64;
}

static void put_rice(bit_writer *w, uint64_t d, unsigned k)
{
    uint64_t q = d >> k;
    if (q >= RICE_ESCAPE) {
        put_bits(w, 0xFFFFFFFFull, RICE_ESCAPE);
        put_bits(w, d, 64);
        return;
    }
    put_bits(w, ((uint64_t)1 << q) - 1, (unsigned)q + 1); /* q ones, a zero */
    put_bits(w, d, k);
}

static inline int get_rice(bit_reader *r, unsigned k, uint64_t *d)
{
    refill(r);
    unsigned ones = ~r->acc ? (unsigned)__builtin_ctzll(~r->acc) : 64;
    uint64_t skip;
    if (ones >= RICE_ESCAPE) { /* escaped: the increase whole */
        if (r->n < RICE_ESCAPE || get_bits(r, RICE_ESCAPE, &skip)) return -1;
        return get_bits(r, 64, d);
    }
    /* the common case, in one go: ones, a zero and k low bits are at most
     * 32 + 1 + 63 bits, so the low bits may need another refill */
    unsigned used = ones + 1;
    if (used > r->n) return -1;
    r->acc >>= used;
    r->n -= used;
    if (k > r->n) refill(r);
    if (k > r->n) return -1;
    uint64_t low = k ? r->acc & (((uint64_t)1 << k) - 1) : 0;
    r->acc = k < 64 ? r->acc >> k : 0;
    r->n -= k;
    *d = (uint64_t)ones << k | low;
    return 0;
}

/* [varint n][key0, 8 bytes LE][varint smallest docno][k][docno bits], then
 * bit-packed per entry: the key's increase (Rice, parameter k; none for
 * the first) and the docno above the smallest (fixed width): about 4.5
 * bytes an entry. */
static size_t encode_block(const rp_run_entry *e, size_t n, unsigned k, uint8_t *out)
{
    uint32_t lo = e[0].docno, hi = e[0].docno;
    for (size_t i = 0; i < n; i++) {
        if (e[i].docno < lo) lo = e[i].docno;
        if (e[i].docno > hi) hi = e[i].docno;
    }
    size_t at = put_varint(out, n);
    for (int b = 0; b < 8; b++) out[at++] = (uint8_t)(e[0].key >> (8 * b));
    at += put_varint(out + at, lo);
    unsigned db = bits_of(hi - lo);
    out[at++] = (uint8_t)k;
    out[at++] = (uint8_t)db;
    bit_writer w = {out + at, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (i) put_rice(&w, e[i].key - e[i - 1].key, k);
        put_bits(&w, e[i].docno - lo, db);
    }
    if (w.n) w.o[w.at++] = (uint8_t)w.acc;
    return at + w.at;
}

/* Decodes up to cap entries; stops after the first entry whose key is
 * above stop_after. Returns the count, or -1 when it is not a block. */
static long decode_block(const uint8_t *p, size_t len, rp_run_entry *out, size_t cap, uint64_t stop_after)
{
    const uint8_t *end = p + len;
    uint64_t n, key = 0, lo, v;
    if (get_varint(&p, end, &n) || n == 0 || n > BLOCK_ENTRIES || end - p < 8) return -1;
    for (int b = 0; b < 8; b++) key |= (uint64_t)p[b] << (8 * b);
    p += 8;
    if (get_varint(&p, end, &lo) || end - p < 2 || lo > UINT32_MAX) return -1;
    unsigned k = p[0], db = p[1];
    if (k > 63 || db > 32) return -1;
    bit_reader r = {p + 2, end, 0, 0};
    size_t got = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (i) {
            if (get_rice(&r, k, &v)) return -1;
            key += v;
        }
        if (get_bits(&r, db, &v)) return -1;
        if (got < cap) out[got++] = (rp_run_entry){key, (uint32_t)(lo + v)};
        if (key > stop_after) break;
    }
    return (long)got;
}

/* decode_block for one key: appends the documents under key to *out,
 * reading no document number of another key and stopping at the first
 * key above it (*past then 1). 0, -1 when it is not a block, or ENOMEM. */
static int find_in_block(const uint8_t *p, size_t len, uint64_t want, uint32_t **out, size_t *n, size_t *cap,
                         int *past)
{
    const uint8_t *end = p + len;
    uint64_t count, key = 0, lo, v;
    *past = 0;
    if (get_varint(&p, end, &count) || count == 0 || count > BLOCK_ENTRIES || end - p < 8) return -1;
    for (int b = 0; b < 8; b++) key |= (uint64_t)p[b] << (8 * b);
    p += 8;
    if (get_varint(&p, end, &lo) || end - p < 2 || lo > UINT32_MAX) return -1;
    unsigned k = p[0], db = p[1];
    if (k > 63 || db > 32) return -1;
    bit_reader r = {p + 2, end, 0, 0};
    for (uint64_t i = 0; i < count; i++) {
        if (i) {
            if (get_rice(&r, k, &v)) return -1;
            key += v;
        }
        if (key > want) {
            *past = 1;
            return 0;
        }
        if (key < want) { /* its document number skipped */
            refill(&r);
            if (r.n < db) return -1;
            r.acc = db < 64 ? r.acc >> db : 0;
            r.n -= db;
            continue;
        }
        if (get_bits(&r, db, &v)) return -1;
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 64;
            uint32_t *g = realloc(*out, c * sizeof(uint32_t));
            if (!g) return ENOMEM;
            *out = g, *cap = c;
        }
        (*out)[(*n)++] = (uint32_t)(lo + v);
    }
    return 0;
}

/* -------------------------------------------------------------- tables */

int rp__runs_open(MDB_txn *t, int create, rp_runs **out)
{
    *out = NULL;
    rp_runs *r = calloc(1, sizeof(*r));
    if (!r) return ENOMEM;
    int rc = mdb_dbi_open(t, "runs.blocks", create ? MDB_CREATE : 0, &r->blocks);
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
            if (!(x.first = malloc((x.n_blocks ? x.n_blocks : 1) * sizeof(uint64_t)))) {
                rc = ENOMEM;
                break;
            }
            memcpy(x.first, (const char *)v.mv_data + DIR_HEAD, (size_t)x.n_blocks * 8);
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
    unsigned k;              /* the block's Rice parameter, from the last's */
    uint64_t key_bits;       /*   and its keys' bits so far */
    double sum_dk;           /*   increases (for the next's parameter) */
    uint32_t lo, hi;         /*   docnos */
    uint64_t *first;
    size_t cap_first;
} builder;

static int flush_block(builder *b)
{
    if (b->n_buf == 0) return 0;
    uint8_t enc[BLOCK_MAX], kb[8];
    size_t len = encode_block(b->buf, b->n_buf, b->k, enc);
    /* the next block's parameter: Rice's best for this one's mean increase */
    if (b->n_buf > 1) {
        double mean = b->sum_dk / (double)(b->n_buf - 1);
        unsigned k = 0;
        while (k < 62 && (double)((uint64_t)2 << k) <= mean) k++;
        b->k = k;
    }
    put_be32(kb, b->id);
    put_be32(kb + 4, b->n_blocks);
    if (b->n_blocks == b->cap_first) {
        size_t cap = b->cap_first ? b->cap_first * 2 : 64;
        uint64_t *g = realloc(b->first, cap * sizeof(uint64_t));
        if (!g) return ENOMEM;
        b->first = g, b->cap_first = cap;
    }
    b->first[b->n_blocks++] = b->buf[0].key;
    MDB_val k = {8, kb}, v = {len, enc};
    b->n_buf = 0;
    return mdb_put(b->t, b->r->blocks, &k, &v, MDB_APPEND);
}

/* Entries go to the block until it is full or would pass BLOCK_BYTES. */
static int build_put(builder *b, rp_run_entry e)
{
    if (b->n_buf) {
        uint64_t dk = e.key - b->buf[b->n_buf - 1].key;
        uint64_t key_bits = b->key_bits + rice_bits(dk, b->k);
        uint32_t lo = e.docno < b->lo ? e.docno : b->lo, hi = e.docno > b->hi ? e.docno : b->hi;
        size_t bits = key_bits + (b->n_buf + 1) * (size_t)bits_of(hi - lo);
        if (b->n_buf == BLOCK_ENTRIES || 24 + (bits + 7) / 8 > BLOCK_BYTES) {
            int rc = flush_block(b);
            if (rc) return rc;
        } else {
            b->key_bits = key_bits, b->sum_dk += (double)dk, b->lo = lo, b->hi = hi;
        }
    }
    if (b->n_buf == 0) b->key_bits = 0, b->sum_dk = 0, b->lo = b->hi = e.docno;
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
    uint8_t kb[8];
    put_be32(kb, x->id);
    int rc = 0;
    for (uint32_t b = 0; b < x->n_blocks && !rc; b++) {
        put_be32(kb + 4, b);
        MDB_val k = {8, kb};
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
    uint8_t kb[8];
    put_be32(kb, rd->x->id);
    put_be32(kb + 4, rd->block++);
    MDB_val k = {8, kb}, v;
    int rc = mdb_get(t, r->blocks, &k, &v);
    if (rc) return rc;
    long got = decode_block(v.mv_data, v.mv_size, rd->e, BLOCK_ENTRIES, UINT64_MAX);
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
         * in the next; they may go on over later blocks */
        size_t lo = 0, hi = x->n_blocks;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (x->first[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        if (x->n_blocks == 0 || (lo == 0 && x->first[0] > key)) continue;
        size_t start = lo ? lo - 1 : 0;
        for (size_t b = start; b < x->n_blocks; b++) {
            if (b > start && x->first[b] > key) break;
            uint8_t kb[8];
            put_be32(kb, x->id);
            put_be32(kb + 4, (uint32_t)b);
            MDB_val kk = {8, kb}, v;
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
