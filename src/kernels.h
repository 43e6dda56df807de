/*
 * kernels.h — the stages as pure functions over tokens, signatures, band
 * keys, sets and passages: normalize, spin, shingle, sign, band, verify,
 * cluster, align, sentences, rewrites. They know nothing of a corpus.
 */
#ifndef REPRINT_KERNELS_H
#define REPRINT_KERNELS_H

#include "records.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

/* ---------------------------------------------------------- normalize.c */

/* Tests: on, the tokenizer takes its scalar loop only (the 64-byte block path
 * must give exactly the same words). */
void rp__tokenizer_scalar(rp_tokenizer *tok, int on);

/* --------------------------------------------------------------- spin.c */
/* The spinner (rp_spin) is public; its lexicon is built once a process,
 * RP_ERR_IO when WordNet is missing. */
rp_status rp__lexicon_load(char *err);
/* 1 for a closed-class word (article, pronoun, preposition, ...) once the
 * lexicon is loaded. */
int rp__is_function_word(uint64_t h);

/* ------------------------------------------------------------ shingle.c */

/* Hashes of the word n-grams of a token hash sequence, sorted and unique
 * when `set` is non-zero. A text shorter than n words gives one shingle of
 * all its words. Returns the count, or SIZE_MAX when out of memory. */
size_t rp__shingles(const uint64_t *tokens, size_t n_tokens, unsigned ngram, uint64_t seed,
                    uint64_t **out, size_t *cap, int set);

/* Whether the processor has AVX-512 F and DQ, which the n-gram hashes use
 * when it does (and rp__hooks.scalar is unset): the same hashes. */
int rp__cpu_avx512dq(void);
/* Whether it has AVX-512 F and BW, which the JSONL scanner's string blocks
 * use when it does (and rp__hooks.scalar is unset): the same values. */
int rp__cpu_avx512bw(void);

/* The words of a shingle under the parameter ngram (1..64 as used). A text
 * of fewer words has one shingle, hashed apart from those of any other
 * length: it shares it only with a text of the same words. */
unsigned rp__shingle_words(unsigned ngram);

/* Hash of the whole normalized word sequence: equal for exact duplicates. */
uint64_t rp__exact_hash(const uint64_t *tokens, size_t n_tokens, uint64_t seed);

/* The hash of every k-gram of a text, in order (n_tokens - k + 1 of them,
 * into out), as rp__winnow hashes them: a fingerprint is one of these. */
size_t rp__kgram_hashes(const uint64_t *tokens, size_t n_tokens, unsigned k, uint64_t seed,
                        uint64_t *out);
/* The winnowed fingerprints of a text: the minimum hash of every window of
 * w consecutive word k-grams (Schleimer et al. 2003), sorted and unique, in
 * *out. Two texts sharing a run of w + k - 1 identical words share at least
 * one fingerprint. Returns the count, or SIZE_MAX when out of memory. */
size_t rp__winnow(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                  uint64_t **out, size_t *cap);
/* The same window minima in text order, not sorted: a value comes again
 * only where the text repeats its k-gram further on. Where each text's
 * set is not looked up, a sort a text was a twentieth of align (the
 * index's sort of all of them makes its pairs the same). */
size_t rp__winnow_minima(const uint64_t *tokens, size_t n_tokens, unsigned k, unsigned w, uint64_t seed,
                         uint64_t **out, size_t *cap);
/* rp__winnow_minima of k-gram hashes already made (rp__kgram_hashes):
 * count of them, not overwritten. */
size_t rp__winnow_hashes_minima(const uint64_t *h, size_t count, unsigned w, uint64_t **out, size_t *cap);


/* --------------------------------------------------------------- sign.c */

/* One-permutation MinHash with optimal densification (see sign.c).
 * sig must hold num_perm values. Returns 0, or -1 when there are no
 * shingles (or, past 4096 values, no memory). */
int rp__sign(const uint64_t *shingles, size_t n, unsigned num_perm, uint64_t seed, uint64_t *sig);
/* 1 when densification for these parameters takes the vector path (K of
 * 64 or 128, AVX-512 VBMI, rp__hooks.scalar unset): the same bins. */
int rp__sign_vector_path(unsigned num_perm, uint64_t seed);
/* The same signature as rp__sign over rp__shingles(tokens), without
 * storing the shingles. */
int rp__sign_tokens(const uint64_t *tokens, size_t n_tokens, unsigned ngram, unsigned num_perm,
                    uint64_t seed, uint64_t *sig);

/* Share of equal positions: the Jaccard estimate of two signatures. */
double rp__sig_similarity(const uint64_t *a, const uint64_t *b, unsigned num_perm);

/* --------------------------------------------------------------- band.c */

/* The bands and rows of LSH for p: as set, or chosen from its threshold
 * (for containment, from the Jaccard of a document at it inside one
 * size_ratio times its size); the shingle and signature parameters checked
 * too. */
rp_status rp__lsh_params(const rp_params *p, unsigned *bands, unsigned *rows, char *err);

/* 32-bit key of band b (rows values starting at sig + b * rows). */
uint32_t rp__band_key(const uint64_t *sig, unsigned band, unsigned rows, uint64_t seed);


/* One band's entries (key << 32 | doc) without those whose key no other
 * entry has (they make no pair), compacted in place; a few lone ones may
 * stay (two keys of one place in a table of the caller's scratch, n
 * values). Those of one key stay in their order, but a large band's come
 * parted by their keys' top byte: the caller sorts them by key (stably)
 * next. Returns how many are left. */
size_t rp__drop_lone_keys(uint64_t *entries, size_t n, uint64_t *scratch);

/* Candidate pairs (a << 32 | b, a < b: the kernel's packed form, for
 * the records of one store) from one band's entries (key << 32 | doc),
 * which are sorted in place with the caller's scratch (n values). Appends
 * to *pairs. Returns 0 or -1 when out of memory. */
int rp__band_pairs_scratch(uint64_t *entries, size_t n, uint64_t *scratch, size_t max_bucket,
                           uint64_t **pairs, size_t *n_pairs, size_t *cap_pairs, uint64_t *truncated);
/* Appends the pair a << 32 | b to *pairs (growing it); 0, or -1 when out of memory. */
int rp__push_pair(uint64_t **pairs, size_t *n, size_t *cap, uint32_t a, uint32_t b);

/* ------------------------------------------------------------- verify.c */

typedef struct {
    uint64_t inter;
    uint64_t size_a, size_b;
} rp_overlap;

/* Size of the intersection of two sorted unique arrays. */
uint64_t rp__intersect_count(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* The same when it is at least need; otherwise some count below need,
 * found as soon as need is out of reach. */
uint64_t rp__intersect_at_least(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                                uint64_t need);

/* Whether a uniform sample of a u b (its RP_SAMPLE smallest hashes) says
 * that the two sorted sets share fewer than need, which a pair that shares
 * need or more shows with probability under RP_SAMPLE_RISK. Asked before
 * an exact intersection of large sets (na + nb >= RP_SAMPLE_MIN_SUM; below,
 * never refuses): a candidate of a search tuned for a text inside one
 * twice its length, between two texts of one length that share a third,
 * is refused in RP_SAMPLE steps instead of a thousand. */
#define RP_SAMPLE 128
#define RP_SAMPLE_MIN_SUM 512
#define RP_SAMPLE_RISK 1e-4
int rp__sample_refuses(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t need);

/* One set held in an open-addressing table, to intersect with many others
 * (dedup scores a document against all its partners in a row): each
 * element of the other set is a lookup independent of the last, where a
 * merge waits on every comparison and every cache line in turn. */
typedef struct {
    uint64_t *slot;   /* 0 is an empty slot; a set holding 0 says so in zero */
    size_t cap;       /* slots allocated */
    unsigned shift;   /* 64 - log2(table size) */
    unsigned reach;   /* the farthest any element sits from its home slot */
    int zero;
} rp_set_table;

/* Sets larger than this are intersected by merging. */
#define RP_SET_TABLE_MAX 4096

/* Holds the n elements of a (sorted, unique; n <= RP_SET_TABLE_MAX).
 * 0, or -1 when out of memory. */
int rp__set_table_build(rp_set_table *t, const uint64_t *a, size_t n);

/* |a n b| for the set the table holds, when it is at least need;
 * otherwise some count below need, found as soon as need is out of reach. */
uint64_t rp__set_table_intersect(const rp_set_table *t, const uint64_t *b, size_t nb, uint64_t need);

void rp__set_table_free(rp_set_table *t);

/* A set's profile: how many of its hashes fall in each of 64 ranges of
 * their top bits, one cache line. Two sets share at most the sum over the
 * ranges of the smaller count, so a candidate whose bound is under the
 * threshold's need is refused without reading its sets: on near-copies of
 * templates, where nearly every candidate sits just under the threshold,
 * that is four in five. A count stops at 255 (at least that many). */
#define RP_PROFILE_BYTES 64
void rp__set_profile(const uint64_t *set, size_t n, uint8_t *profile);
#define RP_PROFILE_FULL 255
/* At least |A n B| for sets of na and nb hashes with these profiles. */
static inline uint64_t rp__profile_bound(const uint8_t *pa, size_t na, const uint8_t *pb, size_t nb)
{
    /* a full count is only a floor: the bound holds while one of the sets
     * has fewer hashes than that, so that its counts are all exact */
    if (na >= RP_PROFILE_FULL && nb >= RP_PROFILE_FULL) return na < nb ? na : nb;
#if defined(__SSE2__) && defined(__x86_64__)
    /* asked for every pair a band bucket proposes: 64 minima in four
     * instructions, summed by sums of absolute differences from zero */
    __m128i sum = _mm_setzero_si128(), zero = _mm_setzero_si128();
    for (unsigned k = 0; k < RP_PROFILE_BYTES; k += 16) {
        __m128i m = _mm_min_epu8(_mm_loadu_si128((const __m128i *)(pa + k)),
                                 _mm_loadu_si128((const __m128i *)(pb + k)));
        sum = _mm_add_epi64(sum, _mm_sad_epu8(m, zero));
    }
    return (uint64_t)_mm_cvtsi128_si64(sum) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum));
#else
    uint64_t sum = 0;
    for (unsigned k = 0; k < RP_PROFILE_BYTES; k++) sum += pa[k] < pb[k] ? pa[k] : pb[k];
    return sum;
#endif
}

/* Whether an intersection of inter between sets of na and nb elements
 * scores at least threshold - 1e-12 by the measure (rp_measure: Jaccard,
 * or the smaller set's containment): the one test by which verify,
 * dedup's band walk and the index's queries keep a pair. */
static inline int rp__pair_reaches(int measure, double threshold, uint64_t inter, uint64_t na, uint64_t nb)
{
    double score = measure == RP_MEASURE_CONTAINMENT ? (double)inter / (double)(na < nb ? na : nb)
                                                     : (double)inter / (double)(na + nb - inter);
    return !(score + 1e-12 < threshold);
}

/* The least intersection two sets of na and nb elements need by
 * rp__pair_reaches: every count from it up reaches the threshold, none
 * below it does. */
uint64_t rp__intersect_need(int measure, double threshold, size_t na, size_t nb);

/* ------------------------------------------------------------ cluster.c */

/* Union-find over n elements with path halving and union by smaller index,
 * so every root is the earliest member of its set. Owns one uint32 array. */
typedef struct {
    uint32_t *parent;
    size_t n;
} rp_uf;

int rp__uf_init(rp_uf *uf, size_t n);
uint32_t rp__uf_find(rp_uf *uf, uint32_t x);
void rp__uf_union(rp_uf *uf, uint32_t a, uint32_t b);
void rp__uf_free(rp_uf *uf);

/* -------------------------------------------------------------- align.c */

typedef struct rp_align_ws rp_align_ws;

rp_align_ws *rp__align_ws_create(void);
void rp__align_ws_free(rp_align_ws *ws);
/* A word hash narrowed to the 32 bits alignment compares. */
static inline uint32_t rp__token32(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}
/* The word hashes of a text narrowed, into a growable array. */
int rp__align_tokens32(const uint64_t *h, size_t n, uint32_t **out, size_t *cap);
rp_status rp__align_check(const rp_params *p, char *err);
/* Indexes the first text; it must stay valid while aligning against it. */
int rp__align_set_a(rp_align_ws *ws, const uint32_t *ta, size_t na, unsigned min_words);
/* With --spin, the two texts' own word hashes beside the keys aligned on, so
 * that passages count their literally identical words; NULL, NULL without. */
void rp__align_set_literal(rp_align_ws *ws, const uint32_t *la, const uint32_t *lb);
/* The boilerplate of the two texts, n (start, end) word ranges each (NULL,
 * 0 for none): gaps between passages do not count it. */
void rp__align_set_boilerplate(rp_align_ws *ws, const uint32_t *ma, size_t n_ma,
                               const uint32_t *mb, size_t n_mb);
/* Passages shared by the first text and tb (word positions only), in order
 * of their place in the first text, in ws. Returns the count or SIZE_MAX. */
size_t rp__align_with(rp_align_ws *ws, const uint32_t *tb, size_t nb, const rp_params *p,
                      rp_passage **out);
/* What tells which of two texts is the source, beside their passages:
 * their words (boilerplate and all), their boilerplate word ranges (not
 * counted as extra text; NULL, 0 for none), and the one-for-one
 * replacements in which that side's word is much the rarer (a sign of the
 * copy). */
typedef struct {
    size_t words_a, words_b;
    const uint32_t *mask_a, *mask_b; /* (start, end) pairs */
    size_t n_mask_a, n_mask_b;
    uint32_t copy_votes_a, copy_votes_b;
} rp_direction;
/* Words of [from, to) inside n ranges r, as (start, end) pairs. */
long rp__words_in_ranges(const uint32_t *r, size_t n, uint32_t from, uint32_t to);
/* The likely source and its evidence, from the passages' structure (an
 * abridged or a wrapped copy) and the replaced words; left unknown where
 * the evidence is weak or the two disagree. Call after summarizing. */
void rp__align_source(rp_alignment *al, const rp_passage *ps, size_t n, const rp_direction *d);
/* The replacements' votes into d: each passage walked word for word on the
 * keys (ka, kb; la, lb the words' own 32-bit tokens, the keys without
 * spin), a side voted the copy where its replaced word is four times
 * rarer by count (a corpus's word counts). */
void rp__align_votes(const rp_passage *ps, size_t n, const uint32_t *ka, const uint32_t *kb,
                     const uint32_t *la, const uint32_t *lb, uint64_t (*count)(void *ctx, uint32_t token),
                     void *ctx, rp_direction *d);
/* The two-text aligner's votes by the caller's word counts (an index's),
 * as align's run has them by its corpus's; NULL for none. */
void rp__aligner_set_counts(rp_aligner *al, uint64_t (*count)(void *ctx, uint32_t token), void *ctx);
/* Offsets from the spans, coverages (of content_a and content_b words: the
 * documents' words that are not boilerplate; passages flagged boilerplate
 * do not count) and relation. */
void rp__align_summarize(rp_alignment *al, rp_passage *ps, size_t n, const rp_span *sa,
                         size_t content_a, const rp_span *sb, size_t content_b, int identical);

#define RP_SITE_SHARE 100     /* furniture is on 1/100 or more of its site's pages */
#define RP_COMMON_SHARE 2000  /* a word that is 1/2000 of the corpus' words is common */
#define RP_BANAL_MIN_WORDS 50000 /* fewer words in all tell nothing of which are common */
/* A page's site as align judges furniture by: a hash (2 or more) of the
 * site field's value, or of the host of its URL (lowercased, without
 * "www.") when from_url. */
uint32_t rp__site_hash(const char *v, size_t n, int from_url);
/* The site of a JSONL line: its site field (p->site_field), else the host
 * of its URL field, hashed as rp__site_hash; 0 when it has neither. */
rp_status rp__site_of_json(const char *raw, size_t len, const rp_params *p, rp_buf *unesc, uint32_t *site);
/* Boilerplate as a run and an index find it: judge says whether a
 * fingerprint (its 40 bits) is boilerplate (1), not (0), or failed (-1). */
typedef int (*rp_bp_judge)(void *ctx, uint64_t fp);
/* A text's boilerplate: the words of each of its own winnowed fingerprints
 * (the k-grams of its keys that winnowing picks, as rp__winnow does) that
 * judge calls boilerplate, as merged (start, end) word ranges into *out;
 * the words inside them added to *masked. Inside a text a site repeats,
 * winnowing picks a fingerprint at least every w k-grams, and w <= k, so
 * the k-grams found overlap and the ranges cover it but for up to w - 1
 * words at each edge, fewer than a passage needs; and only the text's own
 * fingerprints are judged, which the index can afford to look up. Returns
 * the ranges, or SIZE_MAX. A fingerprint is judged once, or again where
 * the text repeats it. */
typedef struct {
    uint64_t *kg, *own;
    size_t cap_kg, cap_own;
} rp_bp_scratch;
size_t rp__boilerplate_ranges(const uint64_t *keys, size_t n_keys, const rp_params *p, rp_bp_judge judge, void *ctx,
                              rp_bp_scratch *ws, uint32_t **out, size_t *cap, uint64_t *masked);
void rp__bp_scratch_free(rp_bp_scratch *ws);
/* Hide mode: the words of n ranges become values that match nothing
 * (distinct for each side and place), so no seed, run or passage holds
 * them; a passage may still bridge them as a gap. */
void rp__mask_words(uint32_t *t, const uint32_t *ranges, size_t n, uint64_t side);
/* What a pair's passages are judged by after aligning. */
typedef struct {
    rp_boilerplate mode;
    const uint32_t *ma;      /* each side's boilerplate ranges */
    size_t n_ma;
    const uint32_t *mb;
    size_t n_mb;
    int same_site;           /* two pages of one site */
    uint64_t common_cut;     /* a word slot of this count is common; 0: not judged */
    uint64_t (*count)(void *ctx, uint32_t token);
    void *count_ctx;
    unsigned min_words;
} rp_bp_rules;
/* The passages that stay (hide) or are flagged (show): between two pages
 * of one site, those shorter than two passages' minimum; banal ones (few
 * words outside the corpus' commonest, ta being a's words). Returns the
 * count left; *boilerplate_pair 1 when the pair shares only boilerplate. */
size_t rp__boilerplate_rules(rp_passage *ps, size_t n, const uint32_t *ta, const rp_bp_rules *r,
                             uint64_t *banal_passages, int *boilerplate_pair);
/* rp_align as a run judges boilerplate: each text's k-grams judged (the
 * index's postings), masked in hide mode, and the pair's passages under
 * the run's rules (rp__boilerplate_rules; the aligner's counts name the
 * common words). NULL o: rp_align. */
typedef struct {
    rp_boilerplate mode;
    rp_bp_judge judge;
    void *ctx;
    int same_site;
    uint64_t common_cut;
} rp_align_bp;
rp_status rp__align_bp(rp_aligner *al, const char *a, size_t a_len, const char *b, size_t b_len,
                       const rp_align_bp *o, rp_alignment *out);

/* -------------------------------------------------------- fingerprint.c */

/* A sentence key's mark among the fingerprints (bit 31 of the 32 bits the
 * align index keeps), and how many two documents must share to be
 * compared (see fingerprint.c). */
#define RP_SENT_BIT (1ULL << 55)
#define RP_SENT_AGREE 3
/* A sentence key in more documents than this pairs each with the first
 * only (align's candidates, and the index's) */
#define RP_SENT_PAIR_DF 16

/* A caller's buffers for rp__passage_fingerprints, reused text to text. */
typedef struct {
    uint64_t *fp;
    size_t cap_fp;
    uint32_t *ends;
    size_t cap_ends;
} rp_fp_scratch;

void rp__fp_scratch_free(rp_fp_scratch *ws);
/* Words per winnowed k-gram: fingerprint_ngram, at most min_words. */
unsigned rp__fp_ngram(const rp_params *p);
/* The passage fingerprints of a tokenized text as align's index keys them
 * (winnowed k-grams in text order, one repeated only where the text
 * repeats it: whoever needs a set sorts them; with p->rewrites its
 * sentence keys after them), in ws->fp. keys: the words' hashes (spin keys under spin);
 * literal: their own (NULL: the same). Returns the count, or SIZE_MAX. */
size_t rp__passage_fingerprints(const rp_params *p, const char *text, size_t len,
                                const rp_span *spans, const uint64_t *keys, const uint64_t *literal,
                                size_t n, rp_fp_scratch *ws);

/* ----------------------------------------------------------- sentence.c */

/* Where the sentences of a tokenized text end: out[k] is one past the last
 * word of sentence k (out holds n + 1). Returns the number of sentences. */
size_t rp__sentence_ends(const char *text, size_t len, const rp_span *spans, size_t n,
                         uint32_t *out);

/* ------------------------------------------------------------ rewrite.c */

/* A text as the sentence aligner sees it: per word its key (the spin key;
 * equal to its own token for a function word or a masked one) and own
 * token; per sentence one past its last word. */
typedef struct {
    const uint32_t *key, *lit;
    const uint32_t *sent_end;
    size_t n_sent, n_words;
} rp_rw_text;

typedef struct rp_rewrite_ws rp_rewrite_ws;

rp_rewrite_ws *rp__rewrite_ws_create(void);
void rp__rewrite_ws_free(rp_rewrite_ws *ws);
/* The n passages ps the plain aligner found, with the rewritten passages a
 * and b share added (those plain ones inside a rewritten one join it), in
 * a's order, in ws: *out. Returns the count or SIZE_MAX. */
size_t rp__rewrite_align(rp_rewrite_ws *ws, const rp_rw_text *a, const rp_rw_text *b,
                         const rp_passage *ps, size_t n, const rp_params *p, rp_passage **out);

/* ---------------------------------------------------------- signature.c */

/* What the stored values hold, for the index that keys documents by them:
 * a signature's exact hash and band keys, the fingerprints' 40-bit values
 * (sorted) and whether one is a sentence key. */
uint64_t rp__signature_exact(const rp_signature *sig);
const uint32_t *rp__signature_keys(const rp_signature *sig, unsigned *n);
const uint64_t *rp__fingerprints_values(const rp_fingerprints *fp, size_t *n);
int rp__fingerprint_is_sentence(const rp_fingerprints *fp, uint64_t value);

/* -------------------------------------------------------------- write.c */

/* "%.4f" of v into o, byte for byte as printf writes it (exported for its
 * test); o holds RP_FIXED4_MAX bytes; returns the length. */
#define RP_FIXED4_MAX 330
int rp__fixed4(char *o, double v);

#endif /* REPRINT_KERNELS_H */
