/*
 * align_task.c — the align task: which documents of a corpus share passages.
 *
 * Whole-document MinHash cannot find a 40-word excerpt inside a 2,000-word
 * article, so candidates come from passage fingerprints instead:
 *
 * Pass 1 (fingerprint): every document's word n-grams (fingerprint_ngram,
 *   default 6) are winnowed with a window of min_words - n + 1, so any run
 *   of min_words identical words two documents share gives them a common
 *   fingerprint. (6-grams rather than 5 cut the chance candidates of the
 *   benchmark corpus tenfold for a sixth more fingerprints.)
 *   Each distinct (fingerprint, document) becomes one 64-bit entry in one of
 *   256 partitions chosen by the fingerprint's top byte: 32 more bits of the
 *   fingerprint and the record number. Memory is 8 bytes per fingerprint kept.
 * Candidates: each partition is radix-sorted on its keys; documents under an
 *   equal key pair up, unless the fingerprint is in more than max_df
 *   documents (boilerplate, stock phrases), which is counted and dropped.
 * Pass 2 (collect): the inputs are read again on the worker threads; only
 *   documents in a candidate pair are tokenized, and their 32-bit word
 *   hashes, word spans (and texts, for display) go to an unlinked temporary
 *   file of the worker's, read back with pread: the page cache holds it, and
 *   the process only the two documents of the pair at hand (chance
 *   candidates pair documents across the whole corpus, so a mapping would
 *   make every page of it resident).
 * Align: pairs in order of their first document, in chunks that threads
 *   take in turn; a first document's k-gram table is built once and every
 *   partner aligned against it (align.c). Pairs that share a passage are
 *   kept with their passages, coverages, relation and source, joined in
 *   pair order whichever thread aligned them.
 */
#include "internal.h"
#include "shingle_hash.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define N_PARTS RP_ALIGN_PARTS
#define WORD_SLOTS RP_ALIGN_WORD_SLOTS
#define FILE_SHIFT 48     /* a slot's offset: temporary file number, then byte offset */
#define WRITE_BUF (1 << 20)
#define BLOCK (1 << 13) /* entries per block: 64 KiB (256 partitions' newest blocks: 16 MiB) */
#define INDEX_MEMORY ((uint64_t)64 << 20) /* the index's blocks in memory without --memory */

/* Partitions grow by fixed blocks rather than by doubling arrays, so the
 * index costs 8 bytes a fingerprint, not up to 16; a partition becomes one
 * array only when its turn to be sorted comes. Past the memory limit, the
 * full blocks go to a temporary file (runs of a partition, oldest first),
 * read back when the partition's turn comes: memory holds the newest
 * block of each partition and what fits, whatever the corpus. */
typedef struct rp_block {
    struct rp_block *next;
    size_t n;
    uint64_t v[BLOCK];
} rp_block;

typedef struct {
    uint32_t a, b;
    float coverage_a, coverage_b;
    uint8_t relation, source, evidence; /* evidence: an index of evidence_name */
    size_t first, n; /* its passages in ru->passages */
} rp_result;

typedef struct {
    uint64_t off;        /* its tokens: file << FILE_SHIFT | byte offset in that file */
    uint64_t exact;      /* hash of its words before boilerplate is masked */
    uint32_t n_tokens;
    uint32_t span_bytes; /* its spans, packed (pack_spans), after the tokens */
    uint32_t mask_bytes; /* its boilerplate word ranges, packed, after the spans */
    uint32_t masked;     /* its words inside them */
    uint32_t text_len;   /* when texts are kept: they follow the spans */
    uint32_t n_sent;     /* rewrites: its sentences, whose ends (packed) */
    uint32_t sent_bytes; /*   come last */
    uint64_t id_off;     /* in the arena << 1 | is_number */
    uint32_t id_len;
    uint64_t date_off;   /* in the arena; date_len 0 = no date */
    uint32_t date_len;
    uint8_t date_is_number;
} rp_slot;

typedef struct {
    uint64_t off;  /* in the spill file */
    uint64_t n;    /* entries */
    uint64_t bytes; /* packed (rp__align_entries_pack) */
} rp_spilled;

struct rp_align_task {
    rp_corpus *c;
    const rp_params *p; /* the corpus's */
    char *err;
    rp_stats *stats;
    /* pass 1 */
    rp_block *part[N_PARTS];   /* newest block first */
    size_t part_n[N_PARTS];
    rp_spilled *spilled[N_PARTS]; /* a partition's runs in the spill file, oldest first */
    size_t n_spilled[N_PARTS], cap_spilled[N_PARTS];
    FILE *spill;
    uint64_t spill_at;         /* bytes written to it */
    _Atomic uint64_t in_memory; /* bytes of blocks held (threads take partitions) */
    _Atomic uint64_t words[WORD_SLOTS]; /* word counts by slot (pass 1) */
    uint64_t common_cut; /* a slot with this many words is common; 0: not judged */
    uint32_t *site;      /* per record: its site's hash, 0 for none */
    size_t n_site, cap_site;
    uint32_t *site_key;  /* the sites' page counts: an open-addressing map */
    uint32_t *site_pages;
    size_t site_mask;
    /* candidates */
    uint64_t *cand;      /* a << 32 | b */
    size_t n_cand, cap_cand;
    const rp_cand *pairs; /* the pairs being aligned (rp__align_task_align) */
    size_t n_pairs;
    uint64_t *bp;        /* boilerplate fingerprints (their 40 bits), an
                            open-addressing set; 0 marks a free slot */
    size_t bp_mask;      /* slots - 1; no set when bp is NULL */
    _Atomic uint8_t *bp_doc; /* per record: under a boilerplate key; NULL:
                                not known (a part of a distributed run) */
    size_t n_bp_doc;
    /* pass 2 */
    uint32_t *slot_of;   /* per record */
    rp_slot *slots;
    size_t n_slots;
    rp_buf arena;        /* ids and dates */
    FILE **file;         /* a temporary file per worker of pass 2 */
    size_t n_files;
    atomic_int write_err; /* errno of the first failed write of pass 2 */
    rp_buf text_a, text_b; /* what rp__align_task_foreach read back */
    /* results */
    rp_result *results;
    size_t n_results, cap_results;
    rp_passage *passages;
    size_t n_passages, cap_passages;
    int ran, searched;
    /* a part of a distributed run: its records' global numbers (own, then
     * ghosts), and the records whose boilerplate another rank counts */
    uint64_t *global_of;
    uint8_t *uncounted;
    /* a sink: alignments handed over in pair order as they are made, none
     * kept (rp__align_task_set_sink) */
    int (*sink)(void *user, const rp_alignment *al);
    void *sink_user;
};

rp_align_task *rp__align_task_create(void)
{
    return calloc(1, sizeof(rp_align_task));
}

static void free_index(rp_align_task *ru)
{
    for (int k = 0; k < N_PARTS; k++) {
        while (ru->part[k]) {
            rp_block *b = ru->part[k];
            ru->part[k] = b->next;
            free(b);
        }
        ru->part_n[k] = 0;
        free(ru->spilled[k]);
        ru->spilled[k] = NULL;
        ru->n_spilled[k] = ru->cap_spilled[k] = 0;
    }
    atomic_store(&ru->in_memory, 0);
}

void rp__align_task_free(rp_align_task *ru)
{
    if (!ru) return;
    free_index(ru);
    if (ru->spill) fclose(ru->spill);
    free(ru->cand);
    free(ru->site);
    free((void *)ru->bp_doc);
    free(ru->site_key);
    free(ru->site_pages);
    free(ru->bp);
    free(ru->slot_of);
    free(ru->slots);
    rp__buf_free(&ru->arena);
    rp__buf_free(&ru->text_a);
    rp__buf_free(&ru->text_b);
    for (size_t k = 0; k < ru->n_files; k++) fclose(ru->file[k]);
    free(ru->file);
    free(ru->results);
    free(ru->passages);
    free(ru->global_of);
    free(ru->uncounted);
    free(ru);
}

/* ------------------------------------------------------------- pass 1 */

typedef struct {
    rp_align_task *ru;
    rp_fp_scratch fps;   /* a record's fingerprints */
    rp_buf unesc;
    uint32_t words[WORD_SLOTS]; /* word counts by slot, added to ru's at the end */
} rp_fp_worker;

static void *fp_worker_new(void *ctx)
{
    rp_fp_worker *w = calloc(1, sizeof(*w));
    if (w) w->ru = ctx;
    return w;
}

static void flush_words(rp_fp_worker *w)
{
    for (size_t k = 0; k < WORD_SLOTS; k++)
        if (w->words[k]) atomic_fetch_add(&w->ru->words[k], w->words[k]);
    memset(w->words, 0, sizeof(w->words));
}

static void fp_worker_free(void *state)
{
    rp_fp_worker *w = state;
    flush_words(w);
    rp__fp_scratch_free(&w->fps);
    rp__buf_free(&w->unesc);
    free(w);
}

/* Word frequencies, for telling a stock phrase from evidence and a copy's
 * replaced words from the original's: each word's own 32-bit token (not its
 * spin key) counted in one of WORD_SLOTS slots. A rare word that shares a
 * slot with a common one is taken for common, one chance in a few hundred. */
static void count_words(rp_fp_worker *w, const uint64_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = rp__token32(h[i]) & (WORD_SLOTS - 1);
        if (++w->words[slot] == UINT32_MAX) flush_words(w);
    }
}

/* A string (or number) field of a JSONL line, unescaped into unesc when it
 * must be; *val NULL when absent or of another type. *root, when set, is
 * the jansson tree val points into, for the caller to release. */
static rp_status json_field(const char *raw, size_t len, const char *field, const char *text_field,
                            rp_buf *unesc, const char **val, size_t *vlen, int *is_number, json_t **root)
{
    *val = NULL;
    *vlen = 0;
    *root = NULL;
    if (!field || !*field) return RP_OK;
    while (len && (raw[len - 1] == '\n' || raw[len - 1] == '\r')) len--;
    if (len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0) raw += 3, len -= 3;
    rp_json_fields f;
    if (rp__json_scan(raw, len, field, text_field, &f) == 0) {
        if (f.id_kind == RP_JF_STRING && f.id_escaped) {
            if (rp__json_unescape(f.id, f.id_len, unesc)) return RP_ERR_NOMEM;
            *val = unesc->data;
            *vlen = unesc->len;
        } else if (f.id_kind == RP_JF_STRING || f.id_kind == RP_JF_NUMBER) {
            *val = f.id;
            *vlen = f.id_len;
        }
        if (is_number) *is_number = f.id_kind == RP_JF_NUMBER;
    } else if ((*root = json_loadb(raw, len, JSON_ALLOW_NUL, NULL)) != NULL) {
        json_t *d = json_object_get(*root, field);
        if (d && json_is_string(d)) {
            *val = json_string_value(d);
            *vlen = json_string_length(d);
        }
    }
    return RP_OK;
}

uint32_t rp__site_hash(const char *v, size_t n, int from_url)
{
    char host[256];
    size_t h = 0;
    if (from_url) {
        const char *scheme = memchr(v, ':', n);
        if (scheme && scheme + 2 < v + n && scheme[1] == '/' && scheme[2] == '/')
            n -= (size_t)(scheme + 3 - v), v = scheme + 3;
        if (n >= 4 && (v[0] | 32) == 'w' && (v[1] | 32) == 'w' && (v[2] | 32) == 'w' && v[3] == '.')
            v += 4, n -= 4;
    }
    for (size_t i = 0; i < n && h < sizeof(host); i++) {
        char ch = v[i];
        if (from_url && (ch == '/' || ch == '?' || ch == '#' || ch == ':')) break;
        host[h++] = ch >= 'A' && ch <= 'Z' ? (char)(ch | 32) : ch;
    }
    uint64_t x = XXH3_64bits_withSeed(host, h, 0x5173);
    uint32_t site = (uint32_t)(x ^ x >> 32);
    return site < 2 ? site + 2 : site; /* 0 is no site; the index keeps 1 for it */
}

/* json_field of a record: none for a text file. */
static rp_status field_of(const rp_record *r, const char *field, const char *text_field, rp_buf *unesc,
                          const char **val, size_t *vlen, int *is_number, json_t **root)
{
    if (r->is_text) {
        *val = NULL, *vlen = 0, *root = NULL;
        return RP_OK;
    }
    return json_field(r->doc.raw, r->doc.raw_len, field, text_field, unesc, val, vlen, is_number, root);
}

/* The site and URL fields in one scan of the line, the site's in the id
 * slot and the URL's in the text slot (each scan of a short post's line
 * was a sixth of align's first pass, and a line with no site field took
 * two): 1 when that decides the site, 0 when the URL is not a string (a
 * number, say, which the text slot does not keep) or the line is not one
 * the scanner takes, for the fields to be read one at a time. */
static int site_and_url(const char *raw, size_t len, const rp_params *p, rp_buf *unesc, uint32_t *site)
{
    const char *sf = p->site_field, *uf = p->url_field;
    if (!sf || !*sf || !uf || !*uf || !strcmp(sf, uf)) return 0;
    while (len && (raw[len - 1] == '\n' || raw[len - 1] == '\r')) len--;
    if (len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0) raw += 3, len -= 3;
    rp_json_fields f;
    if (rp__json_scan(raw, len, sf, uf, &f) != 0) return 0;
    const char *v = NULL;
    size_t n = 0;
    int from_url = 0;
    if (f.id_kind == RP_JF_STRING || f.id_kind == RP_JF_NUMBER) v = f.id, n = f.id_len;
    if (f.id_kind == RP_JF_STRING && f.id_escaped) {
        if (rp__json_unescape(f.id, f.id_len, unesc)) return -1;
        v = unesc->data, n = unesc->len;
    }
    if (!n) {
        if (f.text_kind == RP_JF_OTHER) return 0; /* a URL that is not a string */
        if (f.text_kind == RP_JF_STRING) v = f.text, n = f.text_len, from_url = 1;
        if (f.text_kind == RP_JF_STRING && f.text_escaped) {
            if (rp__json_unescape(f.text, f.text_len, unesc)) return -1;
            v = unesc->data, n = unesc->len;
        }
    }
    if (n) *site = rp__site_hash(v, n, from_url);
    return 1;
}

rp_status rp__site_of_json(const char *raw, size_t len, const rp_params *p, rp_buf *unesc, uint32_t *site)
{
    const char *v, *tf = p->text_field ? p->text_field : "text";
    size_t n;
    json_t *root;
    *site = 0;
    int once = site_and_url(raw, len, p, unesc, site);
    if (once) return once < 0 ? RP_ERR_NOMEM : RP_OK;
    rp_status st = json_field(raw, len, p->site_field, tf, unesc, &v, &n, NULL, &root);
    int from_url = 0;
    if (st == RP_OK && !n) {
        json_decref(root);
        st = json_field(raw, len, p->url_field, tf, unesc, &v, &n, NULL, &root);
        from_url = 1;
    }
    if (st == RP_OK && n) *site = rp__site_hash(v, n, from_url);
    json_decref(root);
    return st;
}

/* The site of a record: its site field, else the host of its URL field
 * (lowercased, without "www."), hashed; 0 when it has neither. */
static rp_status site_of(rp_fp_worker *fw, const rp_record *r, uint32_t *site)
{
    *site = 0;
    return r->is_text ? RP_OK : rp__site_of_json(r->doc.raw, r->doc.raw_len, fw->ru->p, &fw->unesc, site);
}


/* Pass 1, on a worker: a record's site and winnowed fingerprints. */
static rp_status fingerprint(void *state, const rp_record *r, rp_buf *out)
{
    rp_fp_worker *fw = state;
    const rp_params *p = fw->ru->p;
    uint32_t site = 0;
    if (p->boilerplate != RP_BOILERPLATE_OFF) {
        rp_status st = site_of(fw, r, &site);
        if (st != RP_OK) return st;
    }
    size_t n = rp__passage_fingerprints(p, r->doc.text, r->doc.text_len, r->spans, r->hashes,
                                        r->literal, r->n_tokens, &fw->fps);
    if (n == SIZE_MAX) return RP_ERR_NOMEM;
    /* in every mode: the replaced words' votes for the source need them
     * (with none counted, every replacement voted for the first text) */
    count_words(fw, r->literal ? r->literal : r->hashes, r->n_tokens);
    if (rp__buf_append(out, (const char *)&site, sizeof(site))) return RP_ERR_NOMEM;
    return rp__buf_append(out, (const char *)fw->fps.fp, n * sizeof(uint64_t)) ? RP_ERR_NOMEM : RP_OK;
}

rp_status rp__align_task_take_part(rp_align_task *ru, unsigned k, uint64_t **out, size_t *n_out)
{
    size_t n = ru->part_n[k];
    uint64_t *v = malloc((n ? n : 1) * sizeof(uint64_t));
    *out = v;
    *n_out = n;
    if (!v) return RP_ERR_NOMEM;
    /* the spilled runs first, oldest first; then the blocks, newest first:
     * filled from the end, so that the entries stay in record order */
    size_t at = 0;
    rp_status st = RP_OK;
    uint8_t *packed = NULL;
    size_t cap = 0;
    for (size_t r = 0; r < ru->n_spilled[k] && st == RP_OK; r++) {
        const rp_spilled *x = &ru->spilled[k][r];
        if (rp__grow((void **)&packed, &cap, (size_t)x->bytes + 1, 1)) {
            st = RP_ERR_NOMEM;
            break;
        }
        st = rp__corpus_temp_read(ru->c, ru->err, ru->spill, packed, (size_t)x->bytes, x->off);
        if (st == RP_OK && rp__align_entries_unpack(packed, (size_t)x->bytes, v + at, (size_t)x->n)) {
            rp__msg(ru->err, "temporary file in %s: a spilled run of the index does not read back",
                    ru->c->tmp_dir);
            st = RP_ERR_IO;
        }
        at += (size_t)x->n;
    }
    free(packed);
    free(ru->spilled[k]);
    ru->spilled[k] = NULL;
    ru->n_spilled[k] = ru->cap_spilled[k] = 0;
    at = n;
    while (ru->part[k]) {
        rp_block *b = ru->part[k];
        at -= b->n;
        memcpy(v + at, b->v, b->n * sizeof(uint64_t));
        ru->part[k] = b->next;
        atomic_fetch_sub(&ru->in_memory, sizeof(rp_block));
        free(b);
    }
    ru->part_n[k] = 0;
    return st;
}

size_t rp__align_entries_pack(const uint64_t *v, size_t n, uint32_t *prev, uint8_t *out)
{
    uint8_t *o = out;
    for (size_t i = 0; i < n; i++) {
        uint32_t rec = (uint32_t)v[i], fp = (uint32_t)(v[i] >> 32);
        if (rec >= *prev && rec - *prev < 255) {
            *o++ = (uint8_t)(rec - *prev);
        } else {
            *o++ = 255;
            memcpy(o, &rec, 4);
            o += 4;
        }
        memcpy(o, &fp, 4);
        o += 4;
        *prev = rec;
    }
    return (size_t)(o - out);
}

int rp__align_entries_unpack(const uint8_t *in, size_t len, uint64_t *v, size_t n)
{
    const uint8_t *p = in, *end = in + len;
    uint32_t rec = 0, fp;
    for (size_t i = 0; i < n; i++) {
        if (end - p < 5) return -1;
        if (*p != 255) {
            rec += *p++;
        } else {
            if (end - p < 9) return -1;
            memcpy(&rec, p + 1, 4);
            p += 5;
        }
        memcpy(&fp, p, 4);
        p += 4;
        v[i] = (uint64_t)fp << 32 | rec;
    }
    return p == end ? 0 : -1;
}

/* Packed blocks are written a MiB or so at a time. */
#define SPILL_WRITE (((size_t)1 << 20) + 9 * BLOCK)

static rp_status spill_write(rp_align_task *ru, const uint8_t *out, size_t *pending)
{
    int e = *pending ? rp__pwrite_all(fileno(ru->spill), out, *pending, ru->spill_at) : 0;
    if (e) {
        return rp__corpus_temp_write_failed(ru->c, ru->err, e);
    }
    ru->spill_at += *pending;
    *pending = 0;
    return RP_OK;
}

/* The full blocks of every partition (all but its newest) written to the
 * spill file, oldest first, one run a partition, and let go. Packed: an
 * entry's record is mostly its predecessor's or a few past it, so its
 * 32 bits take one byte, and a spill writes 5 bytes an entry, not 8 (on
 * this machine a byte written to the page cache costs several times one
 * read from it). */
static rp_status spill_index(rp_align_task *ru)
{
    if (!ru->spill) {
        rp_status st = rp__corpus_temp(ru->c, &ru->spill);
        if (st != RP_OK) return st;
    }
    rp_block **chain = NULL;
    size_t cap = 0, pending = 0;
    uint8_t *out = malloc(SPILL_WRITE);
    if (!out) return RP_ERR_NOMEM;
    rp_status st = RP_OK;
    for (unsigned k = 0; k < N_PARTS && st == RP_OK; k++) {
        rp_block *head = ru->part[k];
        if (!head || !head->next) continue;
        size_t depth = 0;
        for (rp_block *b = head->next; b; b = b->next) {
            if (rp__grow((void **)&chain, &cap, depth + 1, sizeof(*chain))) {
                free(chain);
                return RP_ERR_NOMEM;
            }
            chain[depth++] = b;
        }
        if (rp__grow((void **)&ru->spilled[k], &ru->cap_spilled[k], ru->n_spilled[k] + 1, sizeof(rp_spilled))) {
            st = RP_ERR_NOMEM;
            break;
        }
        rp_spilled *run = &ru->spilled[k][ru->n_spilled[k]++];
        *run = (rp_spilled){ru->spill_at + pending, 0, 0};
        uint32_t prev = 0;
        for (size_t d = depth; d-- > 0 && st == RP_OK;) { /* oldest first */
            size_t bytes = rp__align_entries_pack(chain[d]->v, chain[d]->n, &prev, out + pending);
            pending += bytes;
            run->bytes += bytes;
            run->n += chain[d]->n;
            if (pending + 9 * BLOCK > SPILL_WRITE) st = spill_write(ru, out, &pending);
        }
        if (st != RP_OK) break;
        for (size_t d = 0; d < depth; d++) free(chain[d]);
        atomic_fetch_sub(&ru->in_memory, depth * sizeof(rp_block));
        head->next = NULL;
    }
    if (st == RP_OK) st = spill_write(ru, out, &pending);
    free(chain);
    free(out);
    ru->stats->spilled_bytes = ru->spill_at;
    return st;
}

static int add_entry(rp_align_task *ru, unsigned part, uint64_t e)
{
    rp_block *b = ru->part[part];
    size_t fill = rp__hooks.align_block_entries < BLOCK ? rp__hooks.align_block_entries : BLOCK;
    if (!b || b->n >= fill) {
        rp_block *nb = malloc(sizeof(rp_block));
        if (!nb) return -1;
        nb->next = b;
        nb->n = 0;
        ru->part[part] = b = nb;
        atomic_fetch_add(&ru->in_memory, sizeof(rp_block));
    }
    b->v[b->n++] = e;
    ru->part_n[part]++;
    return 0;
}

/* Whether the index's blocks passed its memory (--memory, else
 * INDEX_MEMORY): then its full blocks spill. */
static rp_status index_bounded(rp_align_task *ru)
{
    uint64_t limit = ru->p->memory_limit ? ru->p->memory_limit : INDEX_MEMORY;
    return atomic_load(&ru->in_memory) > limit ? spill_index(ru) : RP_OK;
}

rp_status rp__align_task_add_part(rp_align_task *ru, unsigned k, const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (add_entry(ru, k, v[i])) return RP_ERR_NOMEM;
    return index_bounded(ru);
}

/* Pass 1, in record order: fingerprints into the index's partitions. */
static rp_status index_record(void *ctx, const rp_record *r)
{
    rp_align_task *ru = ctx;
    if (rp__grow((void **)&ru->site, &ru->cap_site, r->rec + 1, sizeof(uint32_t))) return RP_ERR_NOMEM;
    while (ru->n_site <= r->rec) ru->site[ru->n_site++] = 0;
    if (r->status != RP_OK) return RP_OK;
    memcpy(&ru->site[r->rec], r->result, sizeof(uint32_t));
    size_t n = (r->result_len - sizeof(uint32_t)) / sizeof(uint64_t);
    const char *src = (const char *)r->result + sizeof(uint32_t);
    for (size_t i = 0; i < n; i++) {
        uint64_t fp;
        memcpy(&fp, src + i * sizeof(uint64_t), sizeof(fp));
        if (add_entry(ru, (unsigned)(fp >> 56), (fp >> 24 & 0xFFFFFFFFULL) << 32 | r->rec))
            return RP_ERR_NOMEM;
    }
    ru->stats->fingerprints += n;
    return index_bounded(ru);
}

static const rp__first_pass_ops fingerprint_ops = {fp_worker_new, fp_worker_free, fingerprint,
                                                   index_record, NULL};

/* -------------------------------------------------------- candidates */

/* The candidate search, on all threads: each takes every step-th partition
 * from first and pairs its documents into a list of its own. */

typedef struct {
    rp_align_task *ru;
    unsigned first, step, end; /* partitions first, first + step, ... below end */
    rp_u64s list[RP_ALIGN_LISTS];
    uint32_t *sites;     /* scratch: a key's documents' sites */
    size_t cap_sites;
    uint64_t common;     /* fingerprints over max_df */
    uint64_t repeats;    /* a document's fingerprint met again in it */
    rp_status st;
} rp_pairer;

/* Boilerplate, by the data: a text that one site repeats on site_pages or
 * more of its own pages, and on a hundredth of them or more or on no other
 * site, is that site's furniture (a footer, a share bar, a teaser, the seam
 * of its byline and whatever article follows); a wire story is reprinted
 * once by each of many sites, and a phrase of common words that a big site
 * happens to use on a few of its thousands of pages is neither. Documents
 * without a site cannot show that, so for a fingerprint mostly in such
 * documents, being in more than max_df of them is taken as furniture. */
enum { KEY_CONTENT, KEY_BOILERPLATE };

static size_t site_slot(const rp_align_task *ru, uint32_t site);

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int judge_key(rp_pairer *w, const uint64_t *v, size_t df)
{
    const rp_align_task *ru = w->ru;
    unsigned need = ru->p->site_pages < 2 ? 2 : ru->p->site_pages;
    if (ru->p->boilerplate == RP_BOILERPLATE_OFF) return KEY_CONTENT;
    size_t n = 0, unsited = 0;
    if (df >= need) {
        if (rp__grow((void **)&w->sites, &w->cap_sites, df, sizeof(uint32_t))) return -1;
        for (size_t x = 0; x < df; x++) {
            uint32_t site = ru->site[(uint32_t)v[x]];
            if (site) w->sites[n++] = site;
        }
        unsited = df - n;
        if (n >= need) {
            qsort(w->sites, n, sizeof(uint32_t), cmp_u32);
            for (size_t x = 0, run = 1; x + 1 < n; x++) {
                run = w->sites[x + 1] == w->sites[x] ? run + 1 : 1;
                if (run >= need && (run == n || (uint64_t)run * RP_SITE_SHARE >=
                                                     ru->site_pages[site_slot(ru, w->sites[x])]))
                    return KEY_BOILERPLATE;
            }
        }
    }
    if (df > ru->p->max_df && unsited * 2 > df) return KEY_BOILERPLATE;
    return KEY_CONTENT;
}

static int push_pair(rp_u64s *l, uint32_t a, uint32_t b)
{
    if (rp__grow((void **)&l->v, &l->cap, l->n + 1, sizeof(uint64_t))) return -1;
    l->v[l->n++] = (uint64_t)a << 32 | b;
    return 0;
}

static int fold(uint64_t *v, size_t *n)
{
    size_t w = rp__sort_unique_u64(v, *n, NULL);
    if (w == SIZE_MAX) return -1;
    *n = w;
    return 0;
}

static rp_status pair_partition(rp_pairer *w, unsigned k)
{
    rp_align_task *ru = w->ru;
    size_t n;
    uint64_t *v;
    rp_status took = rp__align_task_take_part(ru, k, &v, &n);
    if (took != RP_OK) {
        free(v);
        return took;
    }
    /* stable on the key: documents stay in record order under each key;
     * a key of one document pairs nothing, and most are (rp__drop_lone_keys) */
    uint64_t *scratch = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!scratch) {
        free(v);
        return RP_ERR_NOMEM;
    }
    n = rp__drop_lone_keys(v, n, scratch);
    rp__radix_sort_scratch(v, n, 32, scratch);
    free(scratch);
    /* a document's fingerprints come unsorted (rp__passage_fingerprints),
     * so one its text repeats is here again, next to itself: it counts once */
    size_t kept = n ? 1 : 0;
    for (size_t x = 1; x < n; x++) {
        v[kept] = v[x];
        kept += v[x] != v[kept - 1];
    }
    w->repeats += n - kept;
    n = kept;
    rp_status st = RP_OK;
    for (size_t i = 0; i < n && st == RP_OK;) {
        size_t j = i + 1;
        while (j < n && v[j] >> 32 == v[i] >> 32) j++;
        size_t df = j - i;
        if (df < 2) {
            i = j;
            continue;
        }
        /* groups: every document under a key pairs with the first only, a
         * star: what they share joins through it (rp_grouper) */
        size_t all_firsts = ru->p->groups ? 1 : df;
        if (ru->p->rewrites && (v[i] >> 63)) { /* a sentence key */
            /* every pair under a rare key, each with the first under a
             * commoner one, none under a key of more than max_df */
            size_t firsts = df > ru->p->max_df ? 0 : df > RP_SENT_PAIR_DF ? 1 : all_firsts;
            for (size_t x = i; x < i + firsts && st == RP_OK; x++)
                for (size_t y = x + 1; y < j; y++)
                    if ((uint32_t)v[x] != (uint32_t)v[y] &&
                        push_pair(&w->list[L_SENT], (uint32_t)v[x], (uint32_t)v[y])) {
                        st = RP_ERR_NOMEM;
                        break;
                    }
            i = j;
            continue;
        }
        int kind = judge_key(w, v + i, df);
        if (kind < 0) {
            st = RP_ERR_NOMEM;
            break;
        }
        if (df > ru->p->max_df) w->common++;
        rp_u64s *to = &w->list[L_CAND];
        if (kind == KEY_BOILERPLATE) {
            for (size_t x = i; ru->bp_doc && x < j; x++)
                atomic_store_explicit(&ru->bp_doc[(uint32_t)v[x]], 1, memory_order_relaxed);
            if (push_pair(&w->list[L_BP], k, (uint32_t)(v[i] >> 32))) {
                st = RP_ERR_NOMEM;
                break;
            }
            if (ru->p->boilerplate == RP_BOILERPLATE_HIDE) { /* counted, not compared */
                to = &w->list[L_BP_CAND];
                if (df > ru->p->max_df) {
                    i = j;
                    continue;
                }
            }
        }
        if (df > ru->p->max_df) {
            /* Content in many documents (a wire story on many sites): each
             * pairs with the first, a star rather than every pair, if they
             * share two such keys (star_pairs). Without boilerplate
             * detection such text is not paired (max_df). */
            if (kind == KEY_CONTENT) to = &w->list[L_STAR];
            if (ru->p->boilerplate != RP_BOILERPLATE_OFF)
                for (size_t y = i + 1; y < j && st == RP_OK; y++)
                    if ((uint32_t)v[y] != (uint32_t)v[i] &&
                        push_pair(to, (uint32_t)v[i], (uint32_t)v[y]))
                        st = RP_ERR_NOMEM;
        } else {
            for (size_t x = i; x < i + all_firsts && st == RP_OK; x++)
                for (size_t y = x + 1; y < j; y++) {
                    uint32_t a = (uint32_t)v[x], b = (uint32_t)v[y];
                    if (a == b) continue;
                    if (push_pair(to, a, b)) {
                        st = RP_ERR_NOMEM;
                        break;
                    }
                }
        }
        i = j;
    }
    free(v);
    return st;
}

static void *pairer_main(void *arg)
{
    rp_pairer *w = arg;
    size_t folded = 1 << 16, bp_folded = 1 << 16;
    for (unsigned k = w->first; k < w->end && w->st == RP_OK; k += w->step) {
        w->st = pair_partition(w, k);
        /* pairs sharing many fingerprints come once per fingerprint: fold
         * them before they pile up */
        rp_u64s *c = &w->list[L_CAND], *b = &w->list[L_BP_CAND];
        if (w->st == RP_OK && c->n > 2 * folded) {
            if (fold(c->v, &c->n)) w->st = RP_ERR_NOMEM;
            folded = c->n;
        }
        if (w->st == RP_OK && b->n > 2 * bp_folded) {
            if (fold(b->v, &b->n)) w->st = RP_ERR_NOMEM;
            bp_folded = b->n;
        }
    }
    return NULL;
}

/* The threads' lists `which` in one array; NULL with *n 0 for none, or
 * NULL out of memory. */
static uint64_t *joined(const rp_pairer *w, unsigned threads, int which, size_t *n)
{
    *n = 0;
    for (unsigned k = 0; k < threads; k++) *n += w[k].list[which].n;
    uint64_t *all = *n ? malloc(*n * sizeof(uint64_t)) : NULL;
    if (!all) return NULL;
    size_t at = 0;
    for (unsigned k = 0; k < threads; k++) {
        const rp_u64s *l = &w[k].list[which];
        if (l->n) memcpy(all + at, l->v, l->n * sizeof(uint64_t));
        at += l->n;
    }
    return all;
}

static size_t bp_slot(const rp_align_task *ru, uint64_t v)
{
    /* v is 40 bits of a hash already: its own bits pick the slot (the
     * collect pass asks this of every k-gram of every document it reads) */
    size_t h = (size_t)(v ^ v >> 17) & ru->bp_mask;
    while (ru->bp[h] && ru->bp[h] != v) h = (h + 1) & ru->bp_mask;
    return h;
}

/* Whether a fingerprint (its 40 bits) is boilerplate. */
static int is_boilerplate(const rp_align_task *ru, uint64_t v)
{
    return ru->bp && ru->bp[bp_slot(ru, v + 1)] == v + 1;
}

/* The boilerplate fingerprints into one set (stored + 1, so that 0 marks a
 * free slot); in hide mode, the pairs only they made (bp_cand) are
 * counted: those not among the candidates (sorted). */
static rp_status gather_boilerplate(rp_align_task *ru, const rp_u64s *bp, rp_u64s *bp_cand)
{
    ru->stats->boilerplate_fingerprints = bp->n;
    if (bp->n) {
        size_t slots = 16;
        while (slots < bp->n * 2) slots <<= 1;
        if (!(ru->bp = calloc(slots, sizeof(uint64_t)))) return RP_ERR_NOMEM;
        ru->bp_mask = slots - 1;
        for (size_t x = 0; x < bp->n; x++) {
            uint64_t v = bp->v[x] + 1;
            ru->bp[bp_slot(ru, v)] = v;
        }
    }
    if (!bp_cand->n) return RP_OK;
    if (fold(bp_cand->v, &bp_cand->n)) return RP_ERR_NOMEM;
    uint64_t only = 0;
    for (size_t x = 0, y = 0; x < bp_cand->n; x++) {
        while (y < ru->n_cand && ru->cand[y] < bp_cand->v[x]) y++;
        only += y == ru->n_cand || ru->cand[y] != bp_cand->v[x];
    }
    ru->stats->boilerplate_pairs += only;
    return RP_OK;
}

/* The pairs of keys in more than max_df documents (each document with the
 * first under the key) that two or more such keys made join the
 * candidates: a wire story's reprints share hundreds of its fingerprints
 * with its first page, while a phrase of common words that turns up in
 * thousands of pages gives a pair one, by chance (on 1 GB of templated
 * pages: 3.5 million such pairs, almost none sharing a passage). */
static rp_status star_pairs(rp_align_task *ru, rp_u64s *all, size_t need)
{
    size_t n = all->n;
    if (!n) return RP_OK;
    if (rp__radix_sort_u64(all->v, n, 0)) return RP_ERR_NOMEM;
    size_t kept = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && all->v[j] == all->v[i]) j++;
        if (j - i >= need) all->v[kept++] = all->v[i];
        i = j;
    }
    if (rp__grow((void **)&ru->cand, &ru->cap_cand, ru->n_cand + kept, sizeof(uint64_t)))
        return RP_ERR_NOMEM;
    memcpy(ru->cand + ru->n_cand, all->v, kept * sizeof(uint64_t));
    ru->n_cand += kept;
    return RP_OK;
}

/* Each document keeps its first max_partners later partners in input
 * order, the rest counted (cut_pairs): a passage in 10,000 pages would
 * otherwise list as 50 million pairs, a quadratic output nobody reads
 * (--groups lists it as one group). The candidates are sorted, so a
 * document's partners are consecutive, and in a distributed run they are
 * all at the owner of the document: the cut is one process's. */
static void cut_partners(rp_align_task *ru)
{
    unsigned most = ru->p->max_partners;
    if (!most) return;
    size_t kept = 0;
    for (size_t i = 0; i < ru->n_cand;) {
        size_t j = i + 1;
        while (j < ru->n_cand && ru->cand[j] >> 32 == ru->cand[i] >> 32) j++;
        size_t keep = j - i < most ? j - i : most;
        memmove(ru->cand + kept, ru->cand + i, keep * sizeof(uint64_t));
        kept += keep;
        ru->stats->cut_pairs += j - i - keep;
        i = j;
    }
    ru->n_cand = kept;
}

/* Partitions [k0, k1) searched on all threads, their lists appended to
 * out's. */
static rp_status search_parts(rp_align_task *ru, unsigned k0, unsigned k1, rp_u64s out[RP_ALIGN_LISTS])
{
    unsigned threads = ru->stats->threads ? ru->stats->threads : 1;
    rp_pairer *w = calloc(threads, sizeof(*w));
    if (!w) return RP_ERR_NOMEM;
    for (unsigned k = 0; k < threads; k++) w[k] = (rp_pairer){.ru = ru, .first = k0 + k, .step = threads, .end = k1};
    rp__run_parallel(pairer_main, w, sizeof(*w), threads);
    rp_status st = RP_OK;
    for (unsigned k = 0; k < threads; k++) {
        if (st == RP_OK) st = w[k].st;
        ru->stats->common_fingerprints += w[k].common;
        ru->stats->fingerprints -= w[k].repeats; /* counted as indexed */
        if (st == RP_OK && fold(w[k].list[L_BP_CAND].v, &w[k].list[L_BP_CAND].n)) st = RP_ERR_NOMEM;
    }
    for (int l = 0; l < RP_ALIGN_LISTS && st == RP_OK; l++) {
        size_t n;
        uint64_t *all = joined(w, threads, l, &n);
        if (n && !all) st = RP_ERR_NOMEM;
        else if (n && rp__grow((void **)&out[l].v, &out[l].cap, out[l].n + n, sizeof(uint64_t))) st = RP_ERR_NOMEM;
        else if (n) memcpy(out[l].v + out[l].n, all, n * sizeof(uint64_t)), out[l].n += n;
        free(all);
        for (unsigned k = 0; k < threads; k++) free(w[k].list[l].v), w[k].list[l] = (rp_u64s){0};
    }
    for (unsigned k = 0; k < threads; k++) {
        for (int l = 0; l < RP_ALIGN_LISTS; l++) free(w[k].list[l].v);
        free(w[k].sites);
    }
    free(w);
    return st;
}

rp_status rp__align_task_search(rp_align_task *ru, rp_u64s out[RP_ALIGN_LISTS])
{
    memset(out, 0, RP_ALIGN_LISTS * sizeof(rp_u64s));
    if (!ru->ran || ru->searched) {
        rp__msg(ru->err, "the candidates are found once, after the fingerprint pass");
        return RP_ERR_USAGE;
    }
    ru->searched = 1;
    /* the whole index is here, so the documents under a boilerplate key
     * are known, and the collect pass looks for boilerplate in them only
     * (on the 1 GB bench, 9 fingerprints in a few hundred documents) */
    rp_status st = RP_OK;
    if (ru->p->boilerplate != RP_BOILERPLATE_OFF && !rp__hooks.bp_every_doc) {
        ru->n_bp_doc = ru->n_site;
        if (!(ru->bp_doc = calloc(ru->n_bp_doc ? ru->n_bp_doc : 1, 1))) st = RP_ERR_NOMEM;
    }
    if (st == RP_OK) st = search_parts(ru, 0, N_PARTS, out);
    free_index(ru);
    if (st != RP_OK)
        for (int l = 0; l < RP_ALIGN_LISTS; l++) free(out[l].v), out[l] = (rp_u64s){0};
    return st;
}

rp_status rp__align_task_search_parts(rp_align_task *ru, unsigned k0, unsigned k1, rp_u64s out[RP_ALIGN_LISTS])
{
    if (!ru->ran || k1 > N_PARTS || k0 > k1) {
        rp__msg(ru->err, "partitions are searched after the fingerprint pass");
        return RP_ERR_USAGE;
    }
    ru->searched = 1;
    return search_parts(ru, k0, k1, out);
}

rp_status rp__align_task_combine(rp_align_task *ru, rp_u64s lists[RP_ALIGN_LISTS], rp_cand **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    free(ru->cand);
    ru->cand = lists[L_CAND].v;
    ru->n_cand = lists[L_CAND].n;
    ru->cap_cand = lists[L_CAND].cap;
    lists[L_CAND] = (rp_u64s){0};
    rp_status st = star_pairs(ru, &lists[L_STAR], 2);
    /* rewrites: two sentence keys make a pair, as two keys of a wire story
     * do (one is a pair of topic words two reports of an event share) */
    if (st == RP_OK) st = star_pairs(ru, &lists[L_SENT], RP_SENT_AGREE);
    if (st == RP_OK && fold(ru->cand, &ru->n_cand)) st = RP_ERR_NOMEM;
    if (st == RP_OK) st = gather_boilerplate(ru, &lists[L_BP], &lists[L_BP_CAND]);
    if (st == RP_OK) cut_partners(ru);
    for (int l = 0; l < RP_ALIGN_LISTS; l++) free(lists[l].v), lists[l] = (rp_u64s){0};
    ru->stats->candidate_pairs = ru->n_cand;
    /* the search's packed pairs (a << 32 | b, sorted) become declared ones
     * in place: the list grows to 16 bytes a pair and is unpacked */
    size_t m = ru->n_cand;
    uint64_t *v = ru->cand;
    ru->cand = NULL;
    ru->n_cand = ru->cap_cand = 0;
    if (st == RP_OK && m) {
        uint64_t *grown = realloc(v, m * sizeof(rp_cand));
        if (!grown) st = RP_ERR_NOMEM;
        else v = grown;
    }
    if (st != RP_OK) {
        free(v);
        return st;
    }
    rp_cand *c = (rp_cand *)v;
    rp__cands_unpack(c, m);
    *out = c;
    *n = m;
    return RP_OK;
}

/* ------------------------------------------------------------- pass 2 */

static int wanted(void *ctx, uint64_t rec)
{
    return ((rp_align_task *)ctx)->slot_of[rec] != UINT32_MAX;
}

/* What a worker of pass 2 hands the commit for one record, followed by the
 * id's and the date's bytes. */
typedef struct {
    uint64_t off;        /* as rp_slot.off */
    uint64_t exact;
    uint64_t n_tokens, text_len, span_bytes, mask_bytes, masked, mask_spans;
    uint64_t n_sent, sent_bytes;
    uint32_t id_len, date_len;
    uint8_t id_is_number, date_is_number;
} rp_collected;

typedef struct {
    rp_align_task *ru;
    unsigned file_no;
    uint64_t written;    /* bytes of its file written or pending */
    rp_buf pending;      /* what goes to the file next, a MiB at a time */
    rp_buf unesc;
    rp_bp_scratch bps;   /* a document's k-grams, for its boilerplate */
    uint32_t *ranges;    /* and its boilerplate ranges */
    size_t cap_ranges;
    uint32_t *ends;      /* rewrites: its sentences' ends */
    size_t cap_ends;
    uint32_t tmp[1024];
} rp_collector;

static int flush_collected(rp_collector *w)
{
    int err = rp__pwrite_all(fileno(w->ru->file[w->file_no]), w->pending.data, w->pending.len,
                             w->written - w->pending.len);
    if (err) {
        int zero = 0;
        atomic_compare_exchange_strong(&w->ru->write_err, &zero, err);
        return -1;
    }
    w->pending.len = 0;
    return 0;
}

static void *collector_new(void *ctx)
{
    rp_align_task *ru = ctx;
    FILE **files = realloc(ru->file, (ru->n_files + 1) * sizeof(FILE *));
    if (!files) return NULL;
    ru->file = files;
    rp_collector *w = calloc(1, sizeof(*w));
    if (!w) return NULL;
    if (rp__corpus_temp(ru->c, &ru->file[ru->n_files]) != RP_OK) {
        free(w);
        return NULL; /* the corpus has the message */
    }
    w->ru = ru;
    w->file_no = (unsigned)ru->n_files++;
    return w;
}

static void collector_free(void *state)
{
    rp_collector *w = state;
    if (w->pending.len) flush_collected(w);
    rp__buf_free(&w->pending);
    rp__buf_free(&w->unesc);
    rp__bp_scratch_free(&w->bps);
    free(w->ranges);
    free(w->ends);
    free(w);
}

/* The date field of a JSONL record; none is fine. */
static rp_status date_of(rp_collector *w, const rp_record *r, rp_collected *h, rp_buf *out)
{
    const rp_params *p = w->ru->p;
    const char *val;
    size_t vlen;
    int is_number = 0;
    json_t *root;
    rp_status st = field_of(r, p->date_field, p->text_field, &w->unesc, &val, &vlen, &is_number, &root);
    h->date_is_number = (uint8_t)is_number;
    if (st == RP_OK && val && vlen) {
        h->date_len = (uint32_t)(vlen > 256 ? 256 : vlen);
        if (rp__buf_append(out, val, h->date_len)) st = RP_ERR_NOMEM;
    }
    json_decref(root);
    return st;
}

static rp_status put(rp_collector *w, const void *p, size_t n)
{
    if (rp__buf_append(&w->pending, p, n)) return RP_ERR_NOMEM;
    w->written += n;
    return RP_OK;
}

/* Writes n word hashes as the 32-bit tokens the aligner compares. */
static rp_status put_tokens(rp_collector *w, const uint64_t *h, size_t n)
{
    rp_status st = RP_OK;
    for (size_t i = 0; i < n && st == RP_OK;) {
        size_t m = n - i < 1024 ? n - i : 1024;
        for (size_t x = 0; x < m; x++) w->tmp[x] = rp__token32(h[i + x]);
        st = put(w, w->tmp, m * sizeof(uint32_t));
        i += m;
    }
    return st;
}

/* Spans are written packed, a word in about two bytes rather than eight (the
 * temporary files are most of what align writes): each as the distance from
 * the previous word's end (zigzag: a tokenizer's spans need not be
 * disjoint) and its length, both as LEB128 varints. */
static uint8_t *put_varint(uint8_t *o, uint64_t v)
{
    while (v >= 0x80) *o++ = (uint8_t)(v | 0x80), v >>= 7;
    *o++ = (uint8_t)v;
    return o;
}

/* Spans are packed in blocks of SPAN_BLOCK words, each block's offset
 * first (4 bytes each), then each word's start as a zigzag varint from the
 * previous word's end (from 0 at a block's first word) and its length: a
 * passage's ends are found by decoding at most one block, where a pair's
 * offsets once took its whole second document. */
#define SPAN_BLOCK 64

static rp_status put_spans(rp_collector *w, const rp_span *s, size_t n, uint64_t *bytes)
{
    size_t at = w->pending.len, n_blocks = (n + SPAN_BLOCK - 1) / SPAN_BLOCK;
    if (rp__buf_reserve(&w->pending, at + n_blocks * 4 + n * 10 + 1)) return RP_ERR_NOMEM;
    uint8_t *start = (uint8_t *)w->pending.data + at, *body = start + n_blocks * 4, *o = body;
    int64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % SPAN_BLOCK == 0) {
            uint32_t off = (uint32_t)(o - body);
            memcpy(start + i / SPAN_BLOCK * 4, &off, 4);
            prev = 0;
        }
        int64_t d = (int64_t)s[i].start - prev;
        o = put_varint(o, (uint64_t)d << 1 ^ (uint64_t)(d >> 63));
        o = put_varint(o, (uint64_t)(s[i].end - s[i].start));
        prev = s[i].end;
    }
    *bytes = (uint64_t)(o - start);
    w->pending.len += *bytes;
    w->written += *bytes;
    return RP_OK;
}

static const uint8_t *get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
        uint8_t b = *p++;
        x |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return p;
        }
    }
    return NULL;
}

/* Words [from, to) of a block's spans, decoded from its packed bytes p (up
 * to end) into out[from, to); returns where the decoding stopped, NULL
 * when the bytes do not hold them. */
static const uint8_t *unpack_block(const uint8_t *p, const uint8_t *end, size_t from, size_t to, rp_span *out)
{
    int64_t prev = 0;
    for (size_t i = from - from % SPAN_BLOCK; i < to; i++) {
        uint64_t z, l;
        if (!(p = get_varint(p, end, &z)) || !(p = get_varint(p, end, &l))) return NULL;
        int64_t start = prev + (int64_t)(z >> 1 ^ (~(z & 1) + 1));
        if (start < 0 || start > UINT32_MAX || l > UINT32_MAX - (uint64_t)start) return NULL;
        prev = start + (int64_t)l;
        if (i >= from) out[i] = (rp_span){(uint32_t)start, (uint32_t)prev};
    }
    return p;
}

/* The spans of words [from, to) of n (packed by put_spans in len bytes)
 * into out[from, to); -1 when the bytes do not hold them, or hold more
 * after the last word when it is decoded. */
static int unpack_spans(const uint8_t *p, size_t len, size_t n, size_t from, size_t to, rp_span *out)
{
    size_t n_blocks = (n + SPAN_BLOCK - 1) / SPAN_BLOCK;
    if (len < n_blocks * 4 || to > n) return -1;
    const uint8_t *body = p + n_blocks * 4, *end = p + len;
    for (size_t i = from; i < to; i = (i / SPAN_BLOCK + 1) * SPAN_BLOCK) {
        uint32_t off;
        memcpy(&off, p + i / SPAN_BLOCK * 4, 4);
        size_t stop = (i / SPAN_BLOCK + 1) * SPAN_BLOCK;
        const uint8_t *at = off > (size_t)(end - body) ? NULL
                                                       : unpack_block(body + off, end, i, stop < to ? stop : to, out);
        if (!at || (to == n && stop >= n && at != end)) return -1;
    }
    return 0;
}

static int judge_bp(void *ctx, uint64_t v)
{
    return is_boilerplate(ctx, v);
}

/* A document's boilerplate ranges (rp__boilerplate_ranges), packed as
 * varints: each range's distance from the previous one's end, its length. */
static rp_status put_mask(rp_collector *w, const rp_record *r, rp_collected *h)
{
    const rp_align_task *ru = w->ru;
    if (!ru->bp) return RP_OK;
    if (ru->bp_doc && (r->rec >= ru->n_bp_doc ||
                       !atomic_load_explicit(&ru->bp_doc[r->rec], memory_order_relaxed)))
        return RP_OK; /* none of its fingerprints is boilerplate */
    uint64_t masked = 0;
    size_t n = rp__boilerplate_ranges(r->hashes, r->n_tokens, ru->p, judge_bp, (void *)ru, &w->bps, &w->ranges,
                                      &w->cap_ranges, &masked);
    if (n == SIZE_MAX || rp__buf_reserve(&w->pending, w->pending.len + n * 20 + 1)) return RP_ERR_NOMEM;
    uint8_t *o = (uint8_t *)w->pending.data + w->pending.len, *o0 = o;
    for (size_t x = 0, prev_end = 0; x < n; prev_end = w->ranges[2 * x + 1], x++) {
        o = put_varint(o, w->ranges[2 * x] - prev_end);
        o = put_varint(o, w->ranges[2 * x + 1] - w->ranges[2 * x]);
    }
    h->masked += masked;
    h->mask_spans += n;
    h->mask_bytes = (uint64_t)(o - o0);
    w->pending.len += h->mask_bytes;
    w->written += h->mask_bytes;
    return RP_OK;
}

/* Rewrites: where its sentences end, as varint distances. */
static rp_status put_sentences(rp_collector *w, const rp_record *r, rp_collected *h)
{
    if (rp__grow((void **)&w->ends, &w->cap_ends, r->n_tokens + 1, sizeof(uint32_t)))
        return RP_ERR_NOMEM;
    size_t n = rp__sentence_ends(r->doc.text, r->doc.text_len, r->spans, r->n_tokens, w->ends);
    size_t at = w->pending.len;
    if (rp__buf_reserve(&w->pending, at + n * 5 + 1)) return RP_ERR_NOMEM;
    uint8_t *o = (uint8_t *)w->pending.data + at, *start = o;
    for (size_t k = 0, prev = 0; k < n; prev = w->ends[k++]) o = put_varint(o, w->ends[k] - prev);
    h->n_sent = n;
    h->sent_bytes = (uint64_t)(o - start);
    w->pending.len += h->sent_bytes;
    w->written += h->sent_bytes;
    return RP_OK;
}

/* Pass 2, on a worker: a record's tokens, spans (and the words' own hashes
 * under --spin, and its text when kept) to the worker's file; its id and
 * date to the commit. */
static rp_status collect(void *state, const rp_record *r, rp_buf *out)
{
    rp_collector *w = state;
    const rp_params *p = w->ru->p;
    rp_collected h;
    memset(&h, 0, sizeof(h));
    h.off = (uint64_t)w->file_no << FILE_SHIFT | w->written;
    h.n_tokens = r->n_tokens;
    h.text_len = r->doc.text_len;
    h.id_len = (uint32_t)(r->doc.id.len > UINT32_MAX ? UINT32_MAX : r->doc.id.len);
    h.id_is_number = r->doc.id.is_number ? 1 : 0;
    size_t at = out->len;
    if (rp__buf_append(out, (const char *)&h, sizeof(h)) || rp__buf_append(out, r->doc.id.str, h.id_len))
        return RP_ERR_NOMEM;
    rp_status st = date_of(w, r, &h, out);
    memcpy(out->data + at, &h, sizeof(h));
    if (st != RP_OK || h.n_tokens > UINT32_MAX || h.text_len > UINT32_MAX)
        return st; /* the commit reports a document too long */
    const uint64_t *own = p->spin ? r->literal : r->hashes;
    h.exact = XXH3_64bits(own, r->n_tokens * sizeof(uint64_t));
    st = put_tokens(w, r->hashes, r->n_tokens);
    if (st == RP_OK) st = put_spans(w, r->spans, r->n_tokens, &h.span_bytes);
    if (st == RP_OK) st = put_mask(w, r, &h);
    memcpy(out->data + at, &h, sizeof(h));
    /* the words' own hashes, after the spin keys and spans */
    if (st == RP_OK && p->spin) st = put_tokens(w, r->literal, r->n_tokens);
    if (st == RP_OK && p->keep_text) st = put(w, r->doc.text, r->doc.text_len);
    if (st == RP_OK && p->rewrites) st = put_sentences(w, r, &h);
    memcpy(out->data + at, &h, sizeof(h));
    if (st == RP_OK && w->pending.len >= WRITE_BUF && flush_collected(w)) st = RP_ERR_IO;
    return st;
}

/* Pass 2, in record order: the record's slot. */
static rp_status collected(void *ctx, const rp_record *r)
{
    rp_align_task *ru = ctx;
    rp_collected h;
    memcpy(&h, r->result, sizeof(h));
    if (h.n_tokens > UINT32_MAX || h.text_len > UINT32_MAX || h.span_bytes > UINT32_MAX ||
        h.mask_bytes > UINT32_MAX) {
        rp__msg(ru->err, "%s: line %llu: a document of more than 4G words or bytes", r->doc.file,
                (unsigned long long)r->doc.line);
        return RP_ERR_LIMIT;
    }
    const char *id = (const char *)r->result + sizeof(h);
    rp_slot *s = &ru->slots[ru->slot_of[r->rec]];
    memset(s, 0, sizeof(*s));
    s->off = h.off;
    s->exact = h.exact;
    s->n_tokens = (uint32_t)h.n_tokens;
    s->span_bytes = (uint32_t)h.span_bytes;
    s->mask_bytes = (uint32_t)h.mask_bytes;
    s->masked = (uint32_t)h.masked;
    if (!ru->uncounted || !ru->uncounted[r->rec]) {
        ru->stats->boilerplate_spans += h.mask_spans;
        ru->stats->boilerplate_words += h.masked;
    }
    s->text_len = ru->p->keep_text ? (uint32_t)h.text_len : 0;
    s->n_sent = (uint32_t)h.n_sent;
    s->sent_bytes = (uint32_t)h.sent_bytes;
    s->id_off = (uint64_t)ru->arena.len << 1 | h.id_is_number;
    s->id_len = h.id_len;
    if (rp__buf_append(&ru->arena, id, h.id_len)) return RP_ERR_NOMEM;
    if (h.date_len) {
        s->date_off = ru->arena.len;
        s->date_len = h.date_len;
        s->date_is_number = h.date_is_number;
        if (rp__buf_append(&ru->arena, id + h.id_len, h.date_len)) return RP_ERR_NOMEM;
    }
    return RP_OK;
}

static const rp__first_pass_ops collect_ops = {collector_new, collector_free, collect, collected,
                                               NULL};

static rp_status collect_pass(rp_align_task *ru)
{
    rp_status st = rp__corpus_pass_mt(ru->c, "collecting", wanted, &collect_ops, ru);
    int e = atomic_load(&ru->write_err);
    if (e) {
        st = rp__corpus_temp_write_failed(ru->c, ru->err, e);
    }
    return st;
}

/* -------------------------------------------------------------- align */

/* Reads len bytes at off (as rp_slot.off) of pass 2's files into dst; a
 * failure's message goes to err. */
static rp_status load(const rp_align_task *ru, char *err, uint64_t off, size_t len, rp_buf *dst)
{
    if (rp__buf_reserve(dst, len + 1)) return RP_ERR_NOMEM;
    FILE *f = ru->file[off >> FILE_SHIFT];
    off &= ((uint64_t)1 << FILE_SHIFT) - 1;
    rp_status st = rp__corpus_temp_read(ru->c, err, f, dst->data, len, off);
    if (st == RP_OK) dst->len = len;
    return st;
}

/* A document's tokens, packed spans, boilerplate ranges (and under --spin
 * its own hashes) lie in a row in its file: one read takes them all. */
static size_t words_bytes(const rp_align_task *ru, const rp_slot *s)
{
    size_t per_word = sizeof(uint32_t) + (ru->p->spin ? sizeof(uint32_t) : 0);
    return (size_t)s->n_tokens * per_word + s->span_bytes + s->mask_bytes;
}

static const uint8_t *packed_spans(const rp_slot *s, const rp_buf *words)
{
    return (const uint8_t *)words->data + (size_t)s->n_tokens * sizeof(uint32_t);
}

/* The spans of all its words, into dst; words is what load_words read. */
static rp_status load_spans(const rp_align_task *ru, char *err, const rp_slot *s, const rp_buf *words,
                            rp_buf *dst)
{
    if (rp__buf_reserve(dst, (size_t)s->n_tokens * sizeof(rp_span) + 1)) return RP_ERR_NOMEM;
    if (unpack_spans(packed_spans(s, words), s->span_bytes, s->n_tokens, 0, s->n_tokens,
                     (rp_span *)dst->data)) {
        rp__msg(err, "temporary file in %s: the spans of a document do not unpack", ru->c->tmp_dir);
        return RP_ERR_IO;
    }
    dst->len = (size_t)s->n_tokens * sizeof(rp_span);
    return RP_OK;
}

/* The spans of the first and last words of passages in the second text,
 * into dst at those words' places: all that the summary reads of it (the
 * first text's are unpacked whole, once for all its partners). */
static rp_status load_passage_spans(const rp_align_task *ru, char *err, const rp_slot *s,
                                    const rp_buf *words, const rp_passage *ps, size_t n, rp_buf *dst)
{
    if (rp__buf_reserve(dst, (size_t)s->n_tokens * sizeof(rp_span) + 1)) return RP_ERR_NOMEM;
    const uint8_t *packed = packed_spans(s, words);
    for (size_t k = 0; k < n; k++) {
        size_t first = ps[k].b_word, last = first + ps[k].b_words - 1;
        if (unpack_spans(packed, s->span_bytes, s->n_tokens, first, first + 1, (rp_span *)dst->data) ||
            unpack_spans(packed, s->span_bytes, s->n_tokens, last, last + 1, (rp_span *)dst->data)) {
            rp__msg(err, "temporary file in %s: the spans of a document do not unpack", ru->c->tmp_dir);
            return RP_ERR_IO;
        }
    }
    dst->len = (size_t)s->n_tokens * sizeof(rp_span);
    return RP_OK;
}

/* Where a document's text lies in its file: after its tokens (and own
 * hashes under --spin), spans and boilerplate ranges; its sentence ends
 * follow the text. */
static uint64_t text_off(const rp_align_task *ru, const rp_slot *s)
{
    return s->off + words_bytes(ru, s);
}

static rp_status load_text(const rp_align_task *ru, char *err, const rp_slot *s, rp_buf *dst)
{
    return load(ru, err, text_off(ru, s), s->text_len, dst);
}

/* Rewrites: its sentences' ends, unpacked into dst; packed is scratch. */
static rp_status load_sentences(const rp_align_task *ru, char *err, const rp_slot *s, rp_buf *packed,
                                rp_buf *dst)
{
    rp_status st = load(ru, err, text_off(ru, s) + s->text_len, s->sent_bytes, packed);
    if (st != RP_OK) return st;
    if (rp__buf_reserve(dst, ((size_t)s->n_sent + 1) * sizeof(uint32_t))) return RP_ERR_NOMEM;
    const uint8_t *p = (const uint8_t *)packed->data, *end = p + packed->len;
    uint32_t *out = (uint32_t *)dst->data;
    uint64_t at = 0;
    for (size_t k = 0; k < s->n_sent; k++) {
        uint64_t d;
        if (!(p = get_varint(p, end, &d)) || (at += d) > s->n_tokens) {
            rp__msg(err, "temporary file in %s: the sentences of a document do not unpack",
                    ru->c->tmp_dir);
            return RP_ERR_IO;
        }
        out[k] = (uint32_t)at;
    }
    dst->len = (size_t)s->n_sent * sizeof(uint32_t);
    return RP_OK;
}

/* The boilerplate word ranges of a document, unpacked into dst as
 * (start, end) pairs of uint32; words is what load_words read. */
static rp_status load_mask(const rp_align_task *ru, char *err, const rp_slot *s, const rp_buf *words,
                           rp_buf *dst)
{
    dst->len = 0;
    const uint8_t *p = packed_spans(s, words) + s->span_bytes, *end = p + s->mask_bytes;
    uint64_t at = 0;
    while (p < end) {
        uint64_t gap, len;
        if (!(p = get_varint(p, end, &gap)) || !(p = get_varint(p, end, &len)) ||
            at + gap + len > s->n_tokens) {
            rp__msg(err, "temporary file in %s: a document's boilerplate does not unpack",
                    ru->c->tmp_dir);
            return RP_ERR_IO;
        }
        uint32_t range[2] = {(uint32_t)(at + gap), (uint32_t)(at + gap + len)};
        if (rp__buf_append(dst, (const char *)range, sizeof(range))) return RP_ERR_NOMEM;
        at += gap + len;
    }
    return RP_OK;
}

/* Compares two dates: numbers as numbers, anything else as text (ISO 8601
 * dates and times order correctly as text). 0 when equal or absent. */
static int date_order(const rp_align_task *ru, const rp_slot *a, const rp_slot *b)
{
    if (!a->date_len || !b->date_len) return 0;
    const char *da = ru->arena.data + a->date_off, *db = ru->arena.data + b->date_off;
    if (a->date_is_number && b->date_is_number) {
        char ta[300], tb[300];
        snprintf(ta, sizeof(ta), "%.*s", (int)a->date_len, da);
        snprintf(tb, sizeof(tb), "%.*s", (int)b->date_len, db);
        double x = strtod(ta, NULL), y = strtod(tb, NULL);
        return x < y ? -1 : x > y;
    }
    size_t n = a->date_len < b->date_len ? a->date_len : b->date_len;
    int c = memcmp(da, db, n);
    if (c) return c < 0 ? -1 : 1;
    return a->date_len < b->date_len ? -1 : a->date_len > b->date_len;
}

/* Pairs are aligned on all threads, a chunk of consecutive first documents
 * at a time (each worker builds a document's k-gram table once for all its
 * partners); the chunks' results are then joined in pair order, so the
 * output does not depend on the threads. */
typedef struct {
    size_t from, to;       /* candidate pairs [from, to) */
    unsigned worker;       /* who aligned it */
    size_t first, n;       /* its results in that worker's */
    /* with a sink: its results and their passages, its own until handed
     * over (done) */
    rp_result *res;
    rp_passage *ps;
    int done;
} rp_chunk;

typedef struct {
    rp_align_task *ru;
    rp_chunk *chunks;
    size_t n_chunks;
    atomic_size_t next;    /* the next chunk to take */
    atomic_size_t done;    /* pairs aligned, for progress */
    /* with a sink: chunks handed over in order, at most WINDOW ahead of it */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t emitted;        /* chunks handed over */
    size_t window;
    int stop;              /* a worker failed, or the sink said stop */
    rp_status sink_st;
} rp_align_plan;

typedef struct {
    rp_align_plan *plan;
    unsigned index;        /* 0: the calling thread, which reports progress */
    rp_buf ta, tb, sa, sb, la, lb, ma, mb, packed;
    rp_buf ea, eb;         /* rewrites: the sentences' ends */
    rp_rewrite_ws *rws;
    uint64_t boilerplate_pairs; /* show: pairs whose passages are all boilerplate */
    uint64_t banal_passages;    /* short passages of the corpus' commonest words */
    rp_result *results;
    size_t n_results, cap_results;
    rp_passage *passages;
    size_t n_passages, cap_passages;
    rp_buf xa, xb;         /* texts of the alignments it hands over (keep_text) */
    rp_status st;
    char err[RP_MSG_MAX];
} rp_pair_worker;

static uint64_t word_count(const rp_align_task *ru, uint32_t token)
{
    return atomic_load_explicit(&ru->words[token & (WORD_SLOTS - 1)], memory_order_relaxed);
}

/* A document's words for the aligner: its tokens (and under --spin its
 * own hashes), boilerplate masked in hide mode; its boilerplate ranges. */
static rp_status load_words(rp_pair_worker *w, const rp_slot *s, uint64_t side, rp_buf *t,
                            rp_buf *lit, rp_buf *mask)
{
    const rp_align_task *ru = w->plan->ru;
    rp_status st = load(ru, w->err, s->off, words_bytes(ru, s), t);
    if (st == RP_OK && ru->p->spin) {
        size_t at = (size_t)s->n_tokens * sizeof(uint32_t) + s->span_bytes + s->mask_bytes;
        lit->len = 0;
        if (rp__buf_append(lit, t->data + at, (size_t)s->n_tokens * sizeof(uint32_t))) st = RP_ERR_NOMEM;
    }
    if (st == RP_OK) st = load_mask(ru, w->err, s, t, mask);
    size_t n = mask->len / (2 * sizeof(uint32_t));
    if (st == RP_OK && n && ru->p->boilerplate == RP_BOILERPLATE_HIDE) {
        rp__mask_words((uint32_t *)t->data, (const uint32_t *)mask->data, n, side);
        if (ru->p->spin) rp__mask_words((uint32_t *)lit->data, (const uint32_t *)mask->data, n, side);
    }
    return st;
}

/* What a source is named by (index 0: none). */
static const char *const evidence_name[] = {"",      "date",  "containment", "abridgement",
                                            "excerpt", "edits", "spinning",    "summary", NULL};

/* A word's count in the corpus, for the votes of rp__align_votes. */
static uint64_t corpus_count(void *ctx, uint32_t token)
{
    return word_count(ctx, token);
}

/* The evidence of direction in an aligned pair: each side's boilerplate
 * ranges, and the votes of its one-for-one replacements (align.c). */
static void direction_of(const rp_pair_worker *w, const rp_passage *ps, size_t n, const rp_slot *sa,
                         const rp_slot *sb, rp_direction *d)
{
    const rp_align_task *ru = w->plan->ru;
    const uint32_t *ka = (const uint32_t *)w->ta.data, *kb = (const uint32_t *)w->tb.data;
    const uint32_t *la = ru->p->spin ? (const uint32_t *)w->la.data : ka;
    const uint32_t *lb = ru->p->spin ? (const uint32_t *)w->lb.data : kb;
    memset(d, 0, sizeof(*d));
    d->words_a = sa->n_tokens;
    d->words_b = sb->n_tokens;
    d->mask_a = (const uint32_t *)w->ma.data;
    d->n_mask_a = w->ma.len / (2 * sizeof(uint32_t));
    d->mask_b = (const uint32_t *)w->mb.data;
    d->n_mask_b = w->mb.len / (2 * sizeof(uint32_t));
    rp__align_votes(ps, n, ka, kb, la, lb, corpus_count, (void *)ru, d);
}

static rp_status align_chunk(rp_pair_worker *w, rp_align_ws *ws, const rp_chunk *ch)
{
    const rp_align_task *ru = w->plan->ru;
    rp_status st = RP_OK;
    uint32_t cur = UINT32_MAX;
    for (size_t k = ch->from; k < ch->to && st == RP_OK; k++) {
        uint32_t a = (uint32_t)ru->pairs[k].a, b = (uint32_t)ru->pairs[k].b;
        const rp_slot *sa = &ru->slots[ru->slot_of[a]], *sb = &ru->slots[ru->slot_of[b]];
        if (a != cur) {
            w->sa.len = 0; /* a's spans: loaded when a first shares a passage */
            if ((st = load_words(w, sa, 1, &w->ta, &w->la, &w->ma)) != RP_OK) break;
            if (ru->p->rewrites && (st = load_sentences(ru, w->err, sa, &w->packed, &w->ea)) != RP_OK)
                break;
            if (rp__align_set_a(ws, (const uint32_t *)w->ta.data, sa->n_tokens, ru->p->min_words))
                return RP_ERR_NOMEM;
            cur = a;
        }
        if ((st = load_words(w, sb, 2, &w->tb, &w->lb, &w->mb)) != RP_OK) break;
        if (ru->p->spin)
            rp__align_set_literal(ws, (const uint32_t *)w->la.data, (const uint32_t *)w->lb.data);
        rp__align_set_boilerplate(ws, (const uint32_t *)w->ma.data, w->ma.len / 8,
                                  (const uint32_t *)w->mb.data, w->mb.len / 8);
        rp_passage *ps;
        size_t n = rp__align_with(ws, (const uint32_t *)w->tb.data, sb->n_tokens, ru->p, &ps);
        if (n == SIZE_MAX) return RP_ERR_NOMEM;
        if (ru->p->rewrites) {
            if ((st = load_sentences(ru, w->err, sb, &w->packed, &w->eb)) != RP_OK) break;
            rp_rw_text ra = {(const uint32_t *)w->ta.data, (const uint32_t *)w->la.data,
                             (const uint32_t *)w->ea.data, sa->n_sent, sa->n_tokens};
            rp_rw_text rb = {(const uint32_t *)w->tb.data, (const uint32_t *)w->lb.data,
                             (const uint32_t *)w->eb.data, sb->n_sent, sb->n_tokens};
            if ((n = rp__rewrite_align(w->rws, &ra, &rb, ps, n, ru->p, &ps)) == SIZE_MAX)
                return RP_ERR_NOMEM;
        }
        if (n == 0) continue;
        rp_bp_rules rules = {ru->p->boilerplate,
                             (const uint32_t *)w->ma.data, w->ma.len / (2 * sizeof(uint32_t)),
                             (const uint32_t *)w->mb.data, w->mb.len / (2 * sizeof(uint32_t)),
                             ru->p->boilerplate != RP_BOILERPLATE_OFF && ru->site[a] && ru->site[a] == ru->site[b],
                             ru->common_cut, corpus_count, (void *)ru, ru->p->min_words};
        int bp_pair;
        n = rp__boilerplate_rules(ps, n, (const uint32_t *)(ru->p->spin ? w->la.data : w->ta.data), &rules,
                                  &w->banal_passages, &bp_pair);
        w->boilerplate_pairs += (uint64_t)bp_pair;
        if (n == 0) continue;
        rp_alignment al;
        memset(&al, 0, sizeof(al));
        /* the words as they were, boilerplate and all */
        int identical = sa->n_tokens == sb->n_tokens && sa->exact == sb->exact;
        if ((w->sa.len == 0 && (st = load_spans(ru, w->err, sa, &w->ta, &w->sa)) != RP_OK) ||
            (st = load_passage_spans(ru, w->err, sb, &w->tb, ps, n, &w->sb)) != RP_OK)
            break;
        rp__align_summarize(&al, ps, n, (const rp_span *)w->sa.data, sa->n_tokens - sa->masked,
                            (const rp_span *)w->sb.data, sb->n_tokens - sb->masked, identical);
        int order = date_order(ru, sa, sb);
        if (order) {
            al.source = order < 0 ? RP_SOURCE_A : RP_SOURCE_B;
            al.source_evidence = "date";
        } else {
            rp_direction d;
            direction_of(w, ps, n, sa, sb, &d);
            rp__align_source(&al, ps, n, &d);
        }
        uint8_t evidence = 0;
        while (al.source_evidence && evidence_name[evidence] &&
               strcmp(evidence_name[evidence], al.source_evidence) != 0)
            evidence++;
        if (rp__grow((void **)&w->passages, &w->cap_passages, w->n_passages + n, sizeof(rp_passage)) ||
            rp__grow((void **)&w->results, &w->cap_results, w->n_results + 1, sizeof(rp_result)))
            return RP_ERR_NOMEM;
        memcpy(w->passages + w->n_passages, ps, n * sizeof(rp_passage));
        w->results[w->n_results++] = (rp_result){a, b, (float)al.coverage_a, (float)al.coverage_b,
                                                 (uint8_t)al.relation, (uint8_t)al.source,
                                                 evidence, w->n_passages, n};
        w->n_passages += n;
    }
    return st;
}

static rp_id id_of(const rp_align_task *ru, const rp_slot *s);

/* A result as the public alignment (its texts read into ta and tb when they
 * are kept; the dates into da and db). */
static rp_status alignment_of(const rp_align_task *ru, const rp_result *r, const rp_passage *ps, rp_buf *ta,
                              rp_buf *tb, char *err, char da[300], char db[300], rp_alignment *al)
{
    const rp_slot *sa = &ru->slots[ru->slot_of[r->a]], *sb = &ru->slots[ru->slot_of[r->b]];
    memset(al, 0, sizeof(*al));
    al->a = id_of(ru, sa);
    al->b = id_of(ru, sb);
    al->a_index = ru->global_of ? ru->global_of[r->a] : r->a;
    al->b_index = ru->global_of ? ru->global_of[r->b] : r->b;
    al->passages = ps;
    al->n_passages = r->n;
    al->coverage_a = r->coverage_a;
    al->coverage_b = r->coverage_b;
    al->relation = (rp_relation)r->relation;
    al->source = (rp_source_side)r->source;
    al->source_evidence = r->source == RP_SOURCE_UNKNOWN ? NULL : evidence_name[r->evidence];
    if (sa->date_len) {
        snprintf(da, 300, "%.*s", (int)sa->date_len, ru->arena.data + sa->date_off);
        al->date_a = da;
    }
    if (sb->date_len) {
        snprintf(db, 300, "%.*s", (int)sb->date_len, ru->arena.data + sb->date_off);
        al->date_b = db;
    }
    if (ru->p->keep_text) {
        rp_status st = load_text(ru, err, sa, ta);
        if (st == RP_OK) st = load_text(ru, err, sb, tb);
        if (st != RP_OK) return st;
        al->text_a = ta->data;
        al->text_a_len = sa->text_len;
        al->text_b = tb->data;
        al->text_b_len = sb->text_len;
    }
    return RP_OK;
}

/* With a sink: whether chunk c may be aligned now (at most a window of
 * chunks ahead of the last handed over, so that memory holds a window of
 * results whatever the number of pairs); 0 when the run stops. */
static int wait_turn(rp_align_plan *plan, size_t c)
{
    pthread_mutex_lock(&plan->mu);
    while (!plan->stop && c >= plan->emitted + plan->window) pthread_cond_wait(&plan->cv, &plan->mu);
    int go = !plan->stop;
    pthread_mutex_unlock(&plan->mu);
    return go;
}

/* With a sink: the chunk's results become its own, and every finished
 * chunk next in order is handed over, by whichever worker finished the
 * one that was missing. */
static rp_status hand_over(rp_pair_worker *w, rp_chunk *ch)
{
    rp_align_plan *plan = w->plan;
    const rp_align_task *ru = plan->ru;
    size_t n_ps = 0;
    for (size_t i = ch->first; i < ch->first + ch->n; i++) n_ps += w->results[i].n;
    ch->res = malloc((ch->n ? ch->n : 1) * sizeof(rp_result));
    ch->ps = malloc((n_ps ? n_ps : 1) * sizeof(rp_passage));
    if (!ch->res || !ch->ps) return RP_ERR_NOMEM;
    for (size_t i = 0, at = 0; i < ch->n; i++) {
        rp_result r = w->results[ch->first + i];
        memcpy(ch->ps + at, w->passages + r.first, r.n * sizeof(rp_passage));
        r.first = at;
        at += r.n;
        ch->res[i] = r;
    }
    w->n_results = w->n_passages = 0;
    rp_status st = RP_OK;
    char da[300], db[300];
    pthread_mutex_lock(&plan->mu);
    ch->done = 1;
    while (st == RP_OK && !plan->stop && plan->emitted < plan->n_chunks && plan->chunks[plan->emitted].done) {
        rp_chunk *x = &plan->chunks[plan->emitted];
        for (size_t i = 0; i < x->n && st == RP_OK; i++) {
            rp_alignment al;
            st = alignment_of(ru, &x->res[i], x->ps + x->res[i].first, &w->xa, &w->xb, w->err, da, db, &al);
            if (st == RP_OK && ru->sink(ru->sink_user, &al)) plan->stop = 1, plan->sink_st = RP_ERR_IO;
        }
        ru->stats->aligned_pairs += x->n;
        for (size_t i = 0; i < x->n; i++) ru->stats->passages += x->res[i].n;
        free(x->res), free(x->ps);
        x->res = NULL, x->ps = NULL;
        plan->emitted++;
    }
    if (st != RP_OK) plan->stop = 1;
    pthread_cond_broadcast(&plan->cv);
    pthread_mutex_unlock(&plan->mu);
    return st;
}

static void *aligner_main(void *arg)
{
    rp_pair_worker *w = arg;
    rp_align_plan *plan = w->plan;
    const rp_align_task *ru = plan->ru;
    rp_align_ws *ws = rp__align_ws_create();
    if (!ws) w->st = RP_ERR_NOMEM;
    if (ru->p->rewrites && !(w->rws = rp__rewrite_ws_create())) w->st = RP_ERR_NOMEM;
    size_t c;
    while (w->st == RP_OK && (c = atomic_fetch_add(&plan->next, 1)) < plan->n_chunks) {
        rp_chunk *ch = &plan->chunks[c];
        if (ru->sink && !wait_turn(plan, c)) break;
        ch->worker = w->index;
        ch->first = w->n_results;
        w->st = align_chunk(w, ws, ch);
        ch->n = w->n_results - ch->first;
        if (ru->sink && w->st == RP_OK) w->st = hand_over(w, ch);
        size_t done = atomic_fetch_add(&plan->done, ch->to - ch->from) + (ch->to - ch->from);
        if (w->index == 0 && ru->c->on_progress)
            ru->c->on_progress(ru->c->user, "aligning", done, ru->n_pairs);
    }
    if (w->st != RP_OK) { /* the others stop too */
        atomic_store(&plan->next, plan->n_chunks);
        if (ru->sink) {
            pthread_mutex_lock(&plan->mu);
            plan->stop = 1;
            pthread_cond_broadcast(&plan->cv);
            pthread_mutex_unlock(&plan->mu);
        }
    }
    rp__align_ws_free(ws);
    rp__rewrite_ws_free(w->rws);
    w->rws = NULL;
    return NULL;
}


/* Chunks of about n_pairs / (threads * 32) pairs (at least
 * rp__hooks.align_chunk_pairs, at most CHUNK_MAX_PAIRS), cut where the first
 * document changes, so that a slow chunk does not hold the others up. */
#define CHUNK_MAX_PAIRS 4096
static size_t plan_chunks(const rp_align_task *ru, unsigned threads, rp_chunk **out)
{
    size_t n_pairs = ru->n_pairs;
    size_t target = n_pairs / ((size_t)threads * 32);
    if (target > CHUNK_MAX_PAIRS) target = CHUNK_MAX_PAIRS; /* what a sink's window holds */
    if (target < rp__hooks.align_chunk_pairs) target = rp__hooks.align_chunk_pairs;
    size_t n = 0, cap = 0;
    rp_chunk *ch = NULL;
    for (size_t from = 0; from < n_pairs;) {
        size_t to = from + target < n_pairs ? from + target : n_pairs;
        while (to < n_pairs && ru->pairs[to].a == ru->pairs[to - 1].a) to++;
        if (rp__grow((void **)&ch, &cap, n + 1, sizeof(rp_chunk))) {
            free(ch);
            return SIZE_MAX;
        }
        ch[n++] = (rp_chunk){from, to, 0, 0, 0, NULL, NULL, 0};
        from = to;
    }
    *out = ch;
    return n;
}

static rp_status align_pairs(rp_align_task *ru)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned threads = ru->stats->threads ? ru->stats->threads : 1;
    rp_align_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.ru = ru;
    atomic_init(&plan.next, 0);
    atomic_init(&plan.done, 0);
    plan.n_chunks = plan_chunks(ru, threads, &plan.chunks);
    if (plan.n_chunks == SIZE_MAX) return RP_ERR_NOMEM;
    if (threads > plan.n_chunks) threads = plan.n_chunks ? (unsigned)plan.n_chunks : 1;
    rp_pair_worker *w = calloc(threads, sizeof(*w));
    if (!w) {
        free(plan.chunks);
        return RP_ERR_NOMEM;
    }
    for (unsigned k = 0; k < threads; k++) w[k].plan = &plan, w[k].index = k;
    if (ru->sink) {
        pthread_mutex_init(&plan.mu, NULL);
        pthread_cond_init(&plan.cv, NULL);
        plan.window = 4 * (size_t)threads;
    }
    rp__run_parallel(aligner_main, w, sizeof(*w), threads);
    rp_status st = RP_OK;
    for (unsigned k = 0; k < threads && st == RP_OK; k++)
        if ((st = w[k].st) != RP_OK && st != RP_ERR_NOMEM) rp__msg(ru->err, "%s", w[k].err);
    if (ru->sink) { /* handed over as they were made, or dropped when the run stopped */
        for (size_t c = 0; c < plan.n_chunks; c++) free(plan.chunks[c].res), free(plan.chunks[c].ps);
        pthread_mutex_destroy(&plan.mu);
        pthread_cond_destroy(&plan.cv);
    }
    /* the chunks' results, in pair order */
    for (size_t c = 0; c < plan.n_chunks && st == RP_OK && !ru->sink; c++) {
        const rp_chunk *ch = &plan.chunks[c];
        const rp_pair_worker *x = &w[ch->worker];
        for (size_t i = ch->first; i < ch->first + ch->n && st == RP_OK; i++) {
            rp_result res = x->results[i];
            if (rp__grow((void **)&ru->passages, &ru->cap_passages, ru->n_passages + res.n,
                         sizeof(rp_passage)) ||
                rp__grow((void **)&ru->results, &ru->cap_results, ru->n_results + 1,
                         sizeof(rp_result))) {
                st = RP_ERR_NOMEM;
                break;
            }
            memcpy(ru->passages + ru->n_passages, x->passages + res.first, res.n * sizeof(rp_passage));
            res.first = ru->n_passages;
            ru->results[ru->n_results++] = res;
            ru->n_passages += res.n;
        }
    }
    for (unsigned k = 0; k < threads; k++) {
        rp__buf_free(&w[k].ta);
        rp__buf_free(&w[k].tb);
        rp__buf_free(&w[k].sa);
        rp__buf_free(&w[k].sb);
        rp__buf_free(&w[k].la);
        rp__buf_free(&w[k].lb);
        rp__buf_free(&w[k].packed);
        rp__buf_free(&w[k].ma);
        rp__buf_free(&w[k].mb);
        rp__buf_free(&w[k].ea);
        rp__buf_free(&w[k].eb);
        rp__buf_free(&w[k].xa);
        rp__buf_free(&w[k].xb);
        ru->stats->boilerplate_pairs += w[k].boilerplate_pairs;
        ru->stats->banal_passages += w[k].banal_passages;
        free(w[k].results);
        free(w[k].passages);
    }
    free(w);
    free(plan.chunks);
    if (st == RP_OK && ru->c->on_progress) ru->c->on_progress(ru->c->user, "aligning", ru->n_pairs, ru->n_pairs);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ru->stats->align_seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (!ru->sink) {
        ru->stats->aligned_pairs = ru->n_results;
        ru->stats->passages = ru->n_passages;
    }
    return st;
}

static size_t site_slot(const rp_align_task *ru, uint32_t site)
{
    size_t h = (size_t)rp__mix64(site) & ru->site_mask;
    while (ru->site_key[h] && ru->site_key[h] != site) h = (h + 1) & ru->site_mask;
    return h;
}

/* How many pages each site has in the corpus. */
static rp_status count_site_pages(rp_align_task *ru)
{
    size_t slots = 16;
    while (slots < ru->n_site * 2) slots <<= 1;
    ru->site_key = calloc(slots, sizeof(uint32_t));
    ru->site_pages = calloc(slots, sizeof(uint32_t));
    if (!ru->site_key || !ru->site_pages) return RP_ERR_NOMEM;
    ru->site_mask = slots - 1;
    for (size_t r = 0; r < ru->n_site; r++) {
        if (!ru->site[r]) continue;
        size_t h = site_slot(ru, ru->site[r]);
        ru->site_key[h] = ru->site[r];
        ru->site_pages[h]++;
    }
    return RP_OK;
}

/* A corpus whose pages all come from one site (an archive, a crawl of one
 * host) says nothing about what a site repeats as against what it
 * republishes: its pages are taken as pages without a site. */
static void one_site_is_none(rp_align_task *ru)
{
    uint32_t first = 0;
    for (size_t r = 0; r < ru->n_site; r++) {
        if (!ru->site[r]) continue;
        if (first && ru->site[r] != first) return;
        first = ru->site[r];
    }
    if (first) memset(ru->site, 0, ru->n_site * sizeof(uint32_t));
}

/* ---------------------------------------------------------------- run */

static rp_status fingerprint_begin(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err)
{
    if (ru->ran) {
        rp__msg(err, "the fingerprint pass runs once");
        return RP_ERR_USAGE;
    }
    ru->c = c;
    ru->p = &c->p;
    ru->err = err;
    ru->stats = stats;
    ru->ran = 1;
    rp_status st = rp__align_check(ru->p, err);
    if (st != RP_OK) return st;
    if (ru->p->fingerprint_ngram < 1 || ru->p->fingerprint_ngram > 64 || ru->p->max_df < 2) {
        rp__msg(err, "invalid parameters (fingerprint_ngram 1..64, max_df >= 2)");
        return RP_ERR_USAGE;
    }
    return RP_OK;
}

/* What the whole corpus's sites and words say, once they are all known. */
static rp_status judge_sites(rp_align_task *ru)
{
    one_site_is_none(ru);
    return ru->p->boilerplate != RP_BOILERPLATE_OFF ? count_site_pages(ru) : RP_OK;
}

static void judge_words(rp_align_task *ru)
{
    uint64_t total = 0;
    for (size_t k = 0; k < WORD_SLOTS; k++) total += atomic_load(&ru->words[k]);
    ru->common_cut = total >= RP_BANAL_MIN_WORDS ? total / RP_COMMON_SHARE : 0;
}

rp_status rp__align_task_fingerprint(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err)
{
    rp_status st = fingerprint_begin(ru, c, stats, err);
    if (st != RP_OK) return st;
    st = rp__corpus_first_pass(c, stats, &fingerprint_ops, ru);
    if (c->on_progress) c->on_progress(c->user, "candidates", 0, 0); /* named, not counted */
    if (st == RP_OK) st = judge_sites(ru);
    judge_words(ru);
    return st;
}

rp_status rp__align_task_fingerprint_range(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err,
                                           uint64_t from, uint64_t to, uint64_t lines_before)
{
    rp_status st = fingerprint_begin(ru, c, stats, err);
    if (st != RP_OK) return st;
    st = rp__corpus_first_pass_range(c, stats, &fingerprint_ops, ru, from, to, lines_before);
    /* records at the end that were never committed have no site */
    if (st == RP_OK && rp__grow((void **)&ru->site, &ru->cap_site, c->n_rec + 1, sizeof(uint32_t)))
        st = RP_ERR_NOMEM;
    while (st == RP_OK && ru->n_site < c->n_rec) ru->site[ru->n_site++] = 0;
    return st;
}

const uint32_t *rp__align_task_sites(const rp_align_task *ru, size_t *n)
{
    *n = ru->n_site;
    return ru->site;
}

rp_status rp__align_task_set_sites(rp_align_task *ru, uint32_t *site, size_t n, int judge)
{
    free(ru->site);
    ru->site = site;
    ru->n_site = ru->cap_site = n;
    if (!judge) return RP_OK;
    free(ru->site_key), ru->site_key = NULL;
    free(ru->site_pages), ru->site_pages = NULL;
    return judge_sites(ru);
}

void rp__align_task_words(const rp_align_task *ru, uint64_t *out)
{
    for (size_t k = 0; k < WORD_SLOTS; k++) out[k] = atomic_load(&ru->words[k]);
}

void rp__align_task_set_words(rp_align_task *ru, const uint64_t *in)
{
    for (size_t k = 0; k < WORD_SLOTS; k++) atomic_store(&ru->words[k], in[k]);
    judge_words(ru);
}

/* Checkpoints of a part of a distributed run (align_dist.c): fixed-size
 * values as this build lays them out, which the checkpoint's header (its
 * version) vouches for. */
static int put_all(FILE *f, const void *v, size_t size, size_t n)
{
    return n && fwrite(v, size, n, f) != n ? -1 : 0;
}

static int get_all(FILE *f, void *v, size_t size, size_t n)
{
    return n && fread(v, size, n, f) != n ? -1 : 0;
}

static int put_words(const rp_align_task *ru, FILE *f)
{
    uint64_t *w = malloc(WORD_SLOTS * sizeof(uint64_t));
    if (!w) return -1;
    rp__align_task_words(ru, w);
    int bad = put_all(f, w, sizeof(uint64_t), WORD_SLOTS);
    free(w);
    return bad;
}

static int get_words(rp_align_task *ru, FILE *f)
{
    uint64_t *w = malloc(WORD_SLOTS * sizeof(uint64_t));
    int bad = !w || get_all(f, w, sizeof(uint64_t), WORD_SLOTS);
    if (!bad) rp__align_task_set_words(ru, w);
    free(w);
    return bad;
}

static int put_sites(const rp_align_task *ru, FILE *f)
{
    uint64_t n = ru->n_site;
    return put_all(f, &n, sizeof(n), 1) || put_all(f, ru->site, sizeof(uint32_t), ru->n_site);
}

static int get_sites(rp_align_task *ru, FILE *f, int judge)
{
    uint64_t n;
    if (get_all(f, &n, sizeof(n), 1) || n > SIZE_MAX / sizeof(uint32_t)) return -1;
    uint32_t *site = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    if (!site || get_all(f, site, sizeof(uint32_t), (size_t)n)) {
        free(site);
        return -1;
    }
    return rp__align_task_set_sites(ru, site, (size_t)n, judge) != RP_OK;
}

rp_status rp__align_task_save_fingerprints(rp_align_task *ru, FILE *f)
{
    if (put_words(ru, f) || put_sites(ru, f)) return RP_ERR_IO;
    for (unsigned k = 0; k < N_PARTS; k++) {
        /* the partition in record order, written and put back */
        uint64_t *v;
        size_t n;
        rp_status st = rp__align_task_take_part(ru, k, &v, &n);
        uint64_t n64 = n;
        if (st == RP_OK && (put_all(f, &n64, sizeof(n64), 1) || put_all(f, v, sizeof(uint64_t), n))) st = RP_ERR_IO;
        if (st == RP_OK) st = rp__align_task_add_part(ru, k, v, n);
        free(v);
        if (st != RP_OK) return st;
    }
    return RP_OK;
}

rp_status rp__align_task_load_fingerprints(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err, FILE *f)
{
    rp_status st = fingerprint_begin(ru, c, stats, err);
    if (st != RP_OK) return st;
    if (get_words(ru, f) || get_sites(ru, f, 0)) return RP_ERR_USAGE;
    uint64_t *v = malloc(BLOCK * sizeof(uint64_t));
    if (!v) return RP_ERR_NOMEM;
    for (unsigned k = 0; k < N_PARTS && st == RP_OK; k++) {
        uint64_t n;
        if (get_all(f, &n, sizeof(n), 1)) st = RP_ERR_USAGE;
        while (st == RP_OK && n) {
            size_t m = n < BLOCK ? (size_t)n : BLOCK;
            if (get_all(f, v, sizeof(uint64_t), m)) st = RP_ERR_USAGE;
            else st = rp__align_task_add_part(ru, k, v, m);
            n -= m;
        }
    }
    free(v);
    return st;
}

rp_status rp__align_task_save_judged(rp_align_task *ru, FILE *f)
{
    uint64_t n_bp = 0;
    for (size_t h = 0; ru->bp && h <= ru->bp_mask; h++) n_bp += ru->bp[h] != 0;
    if (put_words(ru, f) || put_sites(ru, f) || put_all(f, &n_bp, sizeof(n_bp), 1)) return RP_ERR_IO;
    for (size_t h = 0; ru->bp && h <= ru->bp_mask; h++) {
        uint64_t v = ru->bp[h] - 1; /* stored + 1 */
        if (ru->bp[h] && put_all(f, &v, sizeof(v), 1)) return RP_ERR_IO;
    }
    return RP_OK;
}

rp_status rp__align_task_load_judged(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err, FILE *f)
{
    rp_status st = fingerprint_begin(ru, c, stats, err);
    if (st != RP_OK) return st;
    ru->searched = 1;
    rp_u64s bp = {0}, none = {0};
    uint64_t n;
    if (get_words(ru, f) || get_sites(ru, f, 1) || get_all(f, &n, sizeof(n), 1) || n > SIZE_MAX / 16)
        return RP_ERR_USAGE;
    if (!(bp.v = malloc((size_t)(n ? n : 1) * sizeof(uint64_t)))) return RP_ERR_NOMEM;
    bp.n = bp.cap = (size_t)n;
    uint64_t bp_pairs = stats->boilerplate_pairs, bp_fps = stats->boilerplate_fingerprints;
    st = get_all(f, bp.v, sizeof(uint64_t), bp.n) ? RP_ERR_USAGE : gather_boilerplate(ru, &bp, &none);
    stats->boilerplate_pairs = bp_pairs, stats->boilerplate_fingerprints = bp_fps; /* as they were */
    free(bp.v);
    return st;
}

void rp__align_task_set_global(rp_align_task *ru, uint64_t *global_of, uint8_t *uncounted)
{
    free(ru->global_of);
    free(ru->uncounted);
    ru->global_of = global_of;
    ru->uncounted = uncounted;
}

rp_status rp__align_task_candidates(rp_align_task *ru, rp_cand **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    rp_u64s lists[RP_ALIGN_LISTS];
    rp_status st = rp__align_task_search(ru, lists);
    return st == RP_OK ? rp__align_task_combine(ru, lists, out, n) : st;
}

rp_status rp__align_task_collect(rp_align_task *ru, const rp_cand *cand, size_t n)
{
    if (!ru->searched || ru->slots) {
        rp__msg(ru->err, "the documents are collected once, after the candidates");
        return RP_ERR_USAGE;
    }
    size_t n_slots = rp__corpus_slots(ru->c, cand, n, ru->global_of != NULL, &ru->slot_of, ru->err);
    if (n_slots >= SIZE_MAX - 1) return n_slots == SIZE_MAX ? RP_ERR_NOMEM : RP_ERR_USAGE;
    ru->n_slots = n_slots;
    if (!(ru->slots = calloc(ru->n_slots ? ru->n_slots : 1, sizeof(rp_slot)))) return RP_ERR_NOMEM;
    return ru->n_slots ? collect_pass(ru) : RP_OK;
}

rp_status rp__align_task_align(rp_align_task *ru, const rp_cand *cand, size_t n)
{
    if (!ru->slots || ru->pairs) {
        rp__msg(ru->err, "the pairs are aligned once, after their documents are collected");
        return RP_ERR_USAGE;
    }
    /* in order of their first documents: the run's numbers (a part of a
     * distributed run numbers its own records before other parts') */
    const uint64_t *g = ru->global_of;
    for (size_t k = 0; k < n; k++)
        if (cand[k].a >= ru->c->n_rec || cand[k].b >= ru->c->n_rec || ru->slot_of[cand[k].a] == UINT32_MAX ||
            ru->slot_of[cand[k].b] == UINT32_MAX ||
            (k && (g ? g[cand[k].a] < g[cand[k - 1].a] : cand[k].a < cand[k - 1].a))) {
            rp__msg(ru->err, "pair %zu was not collected, or the pairs are not in order", k);
            return RP_ERR_USAGE;
        }
    ru->pairs = cand;
    ru->n_pairs = n;
    rp_status st = n ? align_pairs(ru) : RP_OK;
    ru->pairs = NULL; /* the caller's */
    ru->n_pairs = 0;
    return st;
}

rp_status rp__align_task_run(rp_align_task *ru, rp_corpus *c, rp_stats *stats, char *err)
{
    rp_status st = rp__align_task_fingerprint(ru, c, stats, err);
    rp_cand *cand = NULL;
    size_t n = 0;
    double t = rp__seconds();
    if (st == RP_OK) st = rp__align_task_candidates(ru, &cand, &n);
    stats->candidates_seconds = rp__seconds() - t;
    t = rp__seconds();
    if (st == RP_OK) st = rp__align_task_collect(ru, cand, n);
    stats->collect_seconds = rp__seconds() - t;
    if (st == RP_OK) st = rp__align_task_align(ru, cand, n);
    free(cand);
    free_index(ru);
    if (st == RP_ERR_NOMEM) rp__msg(err, "out of memory");
    stats->kept = stats->read - stats->rejected;
    return st;
}

static rp_id id_of(const rp_align_task *ru, const rp_slot *s)
{
    rp_id id = {ru->arena.data + (s->id_off >> 1), s->id_len, (int)(s->id_off & 1)};
    return id;
}

rp_status rp__align_task_foreach(rp_align_task *ru, int (*fn)(void *, const rp_alignment *), void *user)
{
    if (!ru->ran || ru->sink) return RP_ERR_USAGE;
    char date_a[300], date_b[300];
    for (size_t k = 0; k < ru->n_results; k++) {
        const rp_result *r = &ru->results[k];
        rp_alignment al;
        rp_status st = alignment_of(ru, r, ru->passages + r->first, &ru->text_a, &ru->text_b, ru->err, date_a,
                                    date_b, &al);
        if (st != RP_OK) return st;
        if (fn(user, &al)) break;
    }
    return RP_OK;
}

void rp__align_task_set_sink(rp_align_task *ru, int (*fn)(void *user, const rp_alignment *al), void *user)
{
    ru->sink = fn;
    ru->sink_user = user;
}
