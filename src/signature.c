/*
 * signature.c — a document's signature, and its passage fingerprints, as
 * public values.
 *
 * dedup signs every document in its first pass and keeps only what it needs
 * for that run (an exact hash and band keys, engine.c). An index that
 * answers later, or a machine that signs its share of a corpus for another
 * to compare, needs the same values outside a run, stored and sent: this is
 * that value, computed by the same functions (the tokenizer, rp__sign_tokens,
 * rp__band_key, rp__exact_hash, rp__lsh_params), so a signature made here
 * and one made by a run with the same parameters are equal.
 *
 * The encoded form is fixed and little-endian whatever the machine:
 *   "RPSG", format, ngram, num_perm, bands, rows, flags (bit 0: spin),
 *   0 (u32 each); seed, exact hash, words (u64 each); num_perm MinHash
 *   values (u64); bands band keys (u32); XXH64 of all that (u64).
 * A decoder checks the magic, format, sizes and checksum, so a torn or
 * foreign record is refused rather than compared.
 */
#include "internal.h"

#include <string.h>
#include <xxhash.h>

#define MAGIC "RPSG"
#define HEADER 56 /* magic + 7 u32 + 3 u64 */

struct rp_signer {
    rp_params p;
    unsigned bands, rows;
    rp_tokenizer *tok;
    rp_spinner *spin;        /* with params.spin */
    char err[RP_MSG_MAX];
};

struct rp_signature {
    uint32_t ngram, num_perm, bands, rows, spin;
    uint64_t seed, exact, words;
    uint64_t *minhash;       /* num_perm, in the same allocation */
    uint32_t *keys;          /* bands, after them */
};

rp_signer *rp_signer_create(const rp_params *params)
{
    rp_signer *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->p = *params;
    if (!(s->tok = rp_tokenizer_create())) {
        free(s);
        return NULL;
    }
    return s;
}

void rp_signer_free(rp_signer *s)
{
    if (!s) return;
    rp_tokenizer_free(s->tok);
    rp_spinner_free(s->spin);
    free(s);
}

const char *rp_signer_error(const rp_signer *s)
{
    return s->err;
}

static rp_signature *alloc_signature(uint32_t num_perm, uint32_t bands)
{
    rp_signature *sig = malloc(sizeof(*sig) + num_perm * sizeof(uint64_t) + bands * sizeof(uint32_t));
    if (!sig) return NULL;
    sig->num_perm = num_perm;
    sig->bands = bands;
    sig->minhash = (uint64_t *)(sig + 1);
    sig->keys = (uint32_t *)(sig->minhash + num_perm);
    return sig;
}

/* A text's words as both values see them: their own hashes (lit) and,
 * with spin, their spin keys (keys; lit without). The spinner is made the
 * first time one is asked for; whether to spin is the caller's, not the
 * spinner's being there (one signer makes signatures and fingerprints of
 * other spin settings). A text of no words is RP_ERR_EMPTY. */
static rp_status words_of(rp_signer *s, int spin, const char *text, size_t len,
                          const uint64_t **lit, const uint64_t **keys, const rp_span **sp,
                          size_t *n)
{
    if (spin && !s->spin && !(s->spin = rp_spinner_create())) {
        rp__msg(s->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    rp_status st = rp_tokenize(s->tok, text, len, lit, sp, n);
    if (st != RP_OK) {
        rp__msg(s->err, "%s", rp_tokenizer_error(s->tok));
        return st;
    }
    if (*n == 0) {
        rp__msg(s->err, "the text has no words");
        return RP_ERR_EMPTY;
    }
    *keys = *lit;
    if (spin && (st = rp_spin(s->spin, s->tok, *lit, *n, keys)) != RP_OK)
        rp__msg(s->err, "%s", rp_spinner_error(s->spin));
    return st;
}

rp_status rp_sign(rp_signer *s, const char *text, size_t len, rp_signature **out)
{
    *out = NULL;
    rp_status st = rp__params_check_version(&s->p, s->err);
    if (st == RP_OK) st = rp__lsh_params(&s->p, &s->bands, &s->rows, s->err);
    if (st != RP_OK) return st;
    const uint64_t *lit, *h;
    const rp_span *sp;
    size_t n;
    if ((st = words_of(s, s->p.spin, text, len, &lit, &h, &sp, &n)) != RP_OK) return st;
    rp_signature *sig = alloc_signature(s->p.num_perm, s->bands);
    if (!sig || rp__sign_tokens(h, n, s->p.ngram, s->p.num_perm, s->p.seed, sig->minhash)) {
        free(sig);
        rp__msg(s->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    sig->ngram = s->p.ngram;
    sig->rows = s->rows;
    sig->spin = s->p.spin ? 1 : 0;
    sig->seed = s->p.seed;
    sig->exact = rp__exact_hash(h, n, s->p.seed);
    sig->words = n;
    for (unsigned b = 0; b < s->bands; b++) sig->keys[b] = rp__band_key(sig->minhash, b, s->rows, s->p.seed);
    *out = sig;
    return RP_OK;
}

void rp_signature_free(rp_signature *sig)
{
    free(sig);
}

static uint8_t *put32(uint8_t *o, uint32_t v)
{
    for (int k = 0; k < 4; k++) *o++ = (uint8_t)(v >> (8 * k));
    return o;
}

static uint8_t *put64(uint8_t *o, uint64_t v)
{
    for (int k = 0; k < 8; k++) *o++ = (uint8_t)(v >> (8 * k));
    return o;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) v |= (uint32_t)p[k] << (8 * k);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++) v |= (uint64_t)p[k] << (8 * k);
    return v;
}

static size_t encoded_size(uint32_t num_perm, uint32_t bands)
{
    return HEADER + (size_t)num_perm * 8 + (size_t)bands * 4 + 8;
}

size_t rp_signature_encode(const rp_signature *sig, void *buf, size_t cap)
{
    size_t need = encoded_size(sig->num_perm, sig->bands);
    if (!buf || cap < need) return need;
    uint8_t *o = buf;
    memcpy(o, MAGIC, 4);
    o += 4;
    uint32_t head[] = {RP_SIGNATURE_FORMAT, sig->ngram, sig->num_perm, sig->bands, sig->rows, sig->spin, 0};
    for (size_t k = 0; k < sizeof(head) / sizeof(head[0]); k++) o = put32(o, head[k]);
    o = put64(o, sig->seed);
    o = put64(o, sig->exact);
    o = put64(o, sig->words);
    for (uint32_t k = 0; k < sig->num_perm; k++) o = put64(o, sig->minhash[k]);
    for (uint32_t k = 0; k < sig->bands; k++) o = put32(o, sig->keys[k]);
    put64(o, XXH64(buf, need - 8, 0));
    return need;
}

rp_signature *rp_signature_decode(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (!buf || len < HEADER + 8 || memcmp(p, MAGIC, 4) != 0 || get32(p + 4) != RP_SIGNATURE_FORMAT)
        return NULL;
    uint32_t ngram = get32(p + 8), num_perm = get32(p + 12), bands = get32(p + 16),
             rows = get32(p + 20), spin = get32(p + 24), reserved = get32(p + 28);
    /* one encoding for one value: every field as rp_sign can make it */
    if (ngram < 1 || ngram > 64 || num_perm < 1 || num_perm > 4096 || bands < 1 || rows < 1 ||
        (uint64_t)bands * rows > num_perm || spin > 1 || reserved != 0 ||
        len != encoded_size(num_perm, bands) || get64(p + len - 8) != XXH64(p, len - 8, 0))
        return NULL;
    rp_signature *sig = alloc_signature(num_perm, bands);
    if (!sig) return NULL;
    sig->ngram = ngram;
    sig->rows = rows;
    sig->spin = spin;
    sig->seed = get64(p + 32);
    sig->exact = get64(p + 40);
    sig->words = get64(p + 48);
    const uint8_t *v = p + HEADER;
    for (uint32_t k = 0; k < num_perm; k++, v += 8) sig->minhash[k] = get64(v);
    for (uint32_t k = 0; k < bands; k++, v += 4) sig->keys[k] = get32(v);
    return sig;
}

static int same_parameters(const rp_signature *a, const rp_signature *b)
{
    return a->ngram == b->ngram && a->num_perm == b->num_perm && a->bands == b->bands &&
           a->rows == b->rows && a->spin == b->spin && a->seed == b->seed;
}

double rp_signature_similarity(const rp_signature *a, const rp_signature *b)
{
    return same_parameters(a, b) ? rp__sig_similarity(a->minhash, b->minhash, a->num_perm) : -1;
}

int rp_signature_same_words(const rp_signature *a, const rp_signature *b)
{
    return a->seed == b->seed && a->spin == b->spin && a->words == b->words && a->exact == b->exact;
}

int rp_signature_candidates(const rp_signature *a, const rp_signature *b)
{
    if (!same_parameters(a, b)) return 0;
    if (a->exact == b->exact && a->words == b->words) return 1;
    for (uint32_t k = 0; k < a->bands; k++)
        if (a->keys[k] == b->keys[k]) return 1;
    return 0;
}

uint64_t rp_signature_words(const rp_signature *sig)
{
    return sig->words;
}

/* --------------------------------------------------- passage fingerprints
 *
 * The values are the 40 bits of each fingerprint the align index keeps
 * (its top byte picks the partition, the next 32 bits are the key), with
 * a sentence key's mark among them (with rewrites only: otherwise that bit
 * is the hash's), sorted and unique. Encoded:
 *   "RPFP", format, k, min_words, flags (bit 0: spin, 1: rewrites), 0
 *   (u32 each); seed, words, count (u64 each); count values (u64); XXH64.
 */

#define FP_MAGIC "RPFP"
#define FP_HEADER 48 /* magic + 5 u32 + 3 u64 */
#define FP_SENT (RP_SENT_BIT >> 24)

struct rp_fingerprints {
    uint32_t k, min_words, flags;
    uint64_t seed, words;
    size_t n;
    uint64_t *v;             /* n, sorted, in the same allocation */
};

static rp_fingerprints *alloc_fingerprints(size_t n)
{
    rp_fingerprints *f = malloc(sizeof(*f) + (n ? n : 1) * sizeof(uint64_t));
    if (!f) return NULL;
    f->n = n;
    f->v = (uint64_t *)(f + 1);
    return f;
}

rp_status rp_fingerprint(rp_signer *s, const char *text, size_t len, rp_fingerprints **out)
{
    *out = NULL;
    rp_params p = s->p;
    rp_status st = rp__params_check_version(&p, s->err);
    if (st == RP_OK) st = rp__align_check(&p, s->err);
    if (st == RP_OK && (p.fingerprint_ngram < 1 || p.fingerprint_ngram > 64)) {
        rp__msg(s->err, "invalid parameters (fingerprint_ngram 1..64)");
        st = RP_ERR_USAGE;
    }
    if (st != RP_OK) return st;
    if (p.rewrites) p.spin = 1; /* as a run: rewritten sentences compare by spin keys */
    const uint64_t *lit, *keys;
    const rp_span *sp;
    size_t n;
    if ((st = words_of(s, p.spin, text, len, &lit, &keys, &sp, &n)) != RP_OK) return st;
    rp_fp_scratch ws = {0};
    size_t m = rp__passage_fingerprints(&p, text, len, sp, keys, p.spin ? lit : NULL, n, &ws);
    rp_fingerprints *f = m == SIZE_MAX ? NULL : alloc_fingerprints(m);
    if (f) {
        for (size_t i = 0; i < m; i++) f->v[i] = ws.fp[i] >> 24;
        f->n = rp__sort_unique_u64(f->v, m, NULL);
    }
    rp__fp_scratch_free(&ws);
    if (!f || f->n == SIZE_MAX) {
        free(f);
        rp__msg(s->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    f->k = rp__fp_ngram(&p);
    f->min_words = p.min_words;
    f->flags = (p.spin ? 1u : 0u) | (p.rewrites ? 2u : 0u);
    f->seed = p.seed;
    f->words = n;
    *out = f;
    return RP_OK;
}

void rp_fingerprints_free(rp_fingerprints *f)
{
    free(f);
}

size_t rp_fingerprints_encode(const rp_fingerprints *f, void *buf, size_t cap)
{
    size_t need = FP_HEADER + f->n * 8 + 8;
    if (!buf || cap < need) return need;
    uint8_t *o = buf;
    memcpy(o, FP_MAGIC, 4);
    o += 4;
    uint32_t head[] = {RP_FINGERPRINTS_FORMAT, f->k, f->min_words, f->flags, 0};
    for (size_t k = 0; k < sizeof(head) / sizeof(head[0]); k++) o = put32(o, head[k]);
    o = put64(o, f->seed);
    o = put64(o, f->words);
    o = put64(o, f->n);
    for (size_t k = 0; k < f->n; k++) o = put64(o, f->v[k]);
    put64(o, XXH64(buf, need - 8, 0));
    return need;
}

rp_fingerprints *rp_fingerprints_decode(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (!buf || len < FP_HEADER + 8 || memcmp(p, FP_MAGIC, 4) != 0 ||
        get32(p + 4) != RP_FINGERPRINTS_FORMAT)
        return NULL;
    uint32_t k = get32(p + 8), min_words = get32(p + 12), flags = get32(p + 16),
             reserved = get32(p + 20);
    uint64_t n = get64(p + 40);
    /* one encoding for one value: every field as rp_fingerprint makes it */
    if (k < 1 || k > 64 || min_words < 2 || k > min_words || flags > 3 || flags == 2 ||
        reserved != 0 || n > (len - FP_HEADER - 8) / 8 || len != FP_HEADER + n * 8 + 8 ||
        get64(p + len - 8) != XXH64(p, len - 8, 0))
        return NULL;
    rp_fingerprints *f = alloc_fingerprints((size_t)n);
    if (!f) return NULL;
    f->k = k;
    f->min_words = min_words;
    f->flags = flags;
    f->seed = get64(p + 24);
    f->words = get64(p + 32);
    for (uint64_t i = 0; i < n; i++) {
        f->v[i] = get64(p + FP_HEADER + i * 8);
        if (f->v[i] >> 40 || (i && f->v[i] <= f->v[i - 1])) { /* 40 bits, sorted, unique */
            free(f);
            return NULL;
        }
    }
    return f;
}

int64_t rp_fingerprints_shared(const rp_fingerprints *a, const rp_fingerprints *b,
                               uint64_t *sentence_keys)
{
    if (a->k != b->k || a->min_words != b->min_words || a->flags != b->flags || a->seed != b->seed)
        return -1;
    uint64_t passage = 0, sentence = 0;
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->v[i] < b->v[j]) i++;
        else if (a->v[i] > b->v[j]) j++;
        else {
            if ((a->flags & 2) && (a->v[i] & FP_SENT)) sentence++;
            else passage++;
            i++, j++;
        }
    }
    if (sentence_keys) *sentence_keys = sentence;
    return (int64_t)passage;
}

int rp_fingerprints_candidates(const rp_fingerprints *a, const rp_fingerprints *b)
{
    uint64_t sentence = 0;
    int64_t passage = rp_fingerprints_shared(a, b, &sentence);
    return passage > 0 || sentence >= RP_SENT_AGREE;
}

size_t rp_fingerprints_count(const rp_fingerprints *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++) n += !(f->flags & 2) || !(f->v[i] & FP_SENT);
    return n;
}

uint64_t rp_fingerprints_words(const rp_fingerprints *f)
{
    return f->words;
}

uint64_t rp__signature_exact(const rp_signature *sig)
{
    return sig->exact;
}

const uint32_t *rp__signature_keys(const rp_signature *sig, unsigned *n)
{
    *n = sig->bands;
    return sig->keys;
}

const uint64_t *rp__fingerprints_values(const rp_fingerprints *f, size_t *n)
{
    *n = f->n;
    return f->v;
}

int rp__fingerprint_is_sentence(const rp_fingerprints *f, uint64_t value)
{
    return (f->flags & 2) && (value & FP_SENT);
}
