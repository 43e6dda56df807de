/*
 * fingerprint.c — a text's passage fingerprints: what align keys documents
 * by to find the pairs that may share a passage, as a kernel that align's
 * first pass and the public rp_fingerprints (signature.c) both call, so a
 * stored fingerprint set means what a run's index means.
 *
 * Winnowing (Schleimer, Wilkerson and Aiken 2003): of every window of
 * min_words - k + 1 consecutive word k-grams (k = fingerprint_ngram, at most
 * min_words) the least hash is kept, so two texts sharing a run of min_words
 * identical words share a fingerprint, whatever surrounds it.
 *
 * With rewrites, sentence keys too, to find the documents that share
 * rewritten passages, in which few word n-grams survive. Each sentence
 * gives the pairs of its SENT_KEYS content words of least hash (a bottom-k
 * sample, the same words wherever the sentence's content is the same): a
 * paraphrase, a summary's sentence or a copy shuffled and edited at random
 * keeps most of its content words, in any order and form, and shares such
 * a pair with its source sentence. Two documents are compared when they
 * share RP_SENT_AGREE such keys: two is what two reports of one topic share
 * by chance (on the bench's 50 MB sample, 2 keys make 650,000 candidates
 * for 20,000 documents, 3 with the pairing below 4,600), and a rewritten
 * passage of a few sentences shares several. RP_SENT_BIT marks a sentence
 * key (bit 31 of the 32 bits the index keeps of a fingerprint); winnowed
 * fingerprints have it clear.
 */
#include "internal.h"
#include "shingle_hash.h"

#include <string.h>

#define SENT_KEYS 4

unsigned rp__fp_ngram(const rp_params *p)
{
    return p->fingerprint_ngram < p->min_words ? p->fingerprint_ngram : p->min_words;
}

void rp__fp_scratch_free(rp_fp_scratch *ws)
{
    free(ws->fp);
    free(ws->ends);
    memset(ws, 0, sizeof(*ws));
}

/* Appends the sentence keys of a text to ws->fp[0, n_fp). */
static size_t sentence_keys(rp_fp_scratch *ws, const char *text, size_t len, const rp_span *spans,
                            const uint64_t *keys, const uint64_t *literal, size_t n, uint64_t seed,
                            size_t n_fp)
{
    if (rp__grow((void **)&ws->ends, &ws->cap_ends, n + 1, sizeof(uint32_t))) return SIZE_MAX;
    size_t n_sent = rp__sentence_ends(text, len, spans, n, ws->ends);
    for (size_t s = 0, w0 = 0; s < n_sent; w0 = ws->ends[s++]) {
        uint64_t low[SENT_KEYS];
        size_t n_low = 0;
        for (size_t i = w0; i < ws->ends[s]; i++) {
            if (keys[i] == literal[i]) continue; /* a function word */
            uint64_t h = rp__mix64(keys[i] ^ seed);
            size_t at = n_low;
            int seen = 0;
            for (size_t x = 0; x < n_low && !seen; x++) seen = low[x] == h;
            if (seen) continue;
            while (at > 0 && low[at - 1] > h) at--;
            if (at >= SENT_KEYS) continue;
            size_t keep = n_low < SENT_KEYS ? n_low : SENT_KEYS - 1;
            memmove(low + at + 1, low + at, (keep - at) * sizeof(uint64_t));
            low[at] = h;
            n_low = keep + 1;
        }
        for (size_t x = 0; x < n_low; x++)
            for (size_t y = x + 1; y < n_low; y++) {
                if (rp__grow((void **)&ws->fp, &ws->cap_fp, n_fp + 1, sizeof(uint64_t))) return SIZE_MAX;
                ws->fp[n_fp++] = rp__mix64(low[x] * 31 + low[y]) | RP_SENT_BIT;
            }
    }
    return n_fp;
}

size_t rp__passage_fingerprints(const rp_params *p, const char *text, size_t len,
                                const rp_span *spans, const uint64_t *keys, const uint64_t *literal,
                                size_t n, rp_fp_scratch *ws)
{
    unsigned k = rp__fp_ngram(p), w = p->min_words - k + 1;
    size_t n_fp = rp__winnow_minima(keys, n, k, w, p->seed, &ws->fp, &ws->cap_fp);
    if (n_fp == SIZE_MAX || !p->rewrites) return n_fp;
    for (size_t x = 0; x < n_fp; x++) ws->fp[x] &= ~RP_SENT_BIT;
    return sentence_keys(ws, text, len, spans, keys, literal ? literal : keys, n, p->seed, n_fp);
}
