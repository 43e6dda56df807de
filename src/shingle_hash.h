/*
 * shingle_hash.h — the hash of one word n-gram, shared by shingle.c (sets
 * for verification) and sign.c (signatures straight from the word hashes),
 * which must agree on it bit for bit. Inline: it runs once per word.
 */
#ifndef REPRINT_SHINGLE_HASH_H
#define REPRINT_SHINGLE_HASH_H

#include <stddef.h>
#include <stdint.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

static inline uint64_t rp__shingle_hash(const uint64_t *words, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(words, n * sizeof(uint64_t), seed);
}

#endif
