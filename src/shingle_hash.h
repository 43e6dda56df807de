/*
 * shingle_hash.h — the hash of one word n-gram, shared by shingle.c (sets
 * for verification) and sign.c (signatures straight from the word hashes),
 * which must agree on it bit for bit. Inline: it runs once per word.
 *
 * An n-gram's hash is a sum of its word hashes, each times an odd multiplier
 * of its own position (so order matters), through a 64-bit finalizer. Each
 * word costs one multiply, and the n multiplies of a shingle are independent
 * of each other: XXH3 over the 40 bytes of five word hashes cost three times
 * as much, a fifth of a dedup run. Two n-grams that differ in one word never
 * collide (an odd multiplier is invertible mod 2^64), in several with
 * probability 2^-64 for word hashes that look random; spin keys of small
 * classes are hashed, never small integers. The finalizer is a bijection,
 * so it adds no collision, and makes every output bit depend on every input
 * bit, which MinHash's bins (the top bits) and minima (all bits) need.
 */
#ifndef REPRINT_SHINGLE_HASH_H
#define REPRINT_SHINGLE_HASH_H

#include <stddef.h>
#include <stdint.h>

enum { RP_SHINGLE_MAX = 64 }; /* longest n-gram (params: ngram 1..64) */

/* splitmix64's finalizer */
static inline uint64_t rp__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* The multipliers for n-grams of n words under seed: keys[0..n) are the
 * positions', keys[n] the offset that also sets n-grams of other lengths
 * apart. Worked out once per document. */
static inline void rp__shingle_keys(uint64_t seed, size_t n, uint64_t *keys)
{
    for (size_t k = 0; k < n; k++) keys[k] = rp__mix64(seed + (k + 1) * 0x9E3779B97F4A7C15ULL) | 1;
    keys[n] = rp__mix64(seed ^ (n * 0xD6E8FEB86659FD93ULL));
}

static inline uint64_t rp__shingle_hash(const uint64_t *words, size_t n, const uint64_t *keys)
{
    uint64_t h = keys[n];
    for (size_t k = 0; k < n; k++) h += words[k] * keys[k];
    return rp__mix64(h);
}

/* rp__shingle_hash of the n-grams at tokens[0, count) (tokens[0, count +
 * n - 1) read) into out: eight at a time with AVX-512 DQ where the
 * processor has it (rp__cpu_avx512dq; shingle.c). */
void rp__ngram_hashes(const uint64_t *tokens, size_t count, size_t n, const uint64_t *keys, uint64_t *out);

#endif
