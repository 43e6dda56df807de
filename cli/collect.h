/*
 * collect.h — verified pairs held in memory for the readable views, which
 * are meant for corpora a person can read, not for billions of documents.
 */
#ifndef REPRINT_CLI_COLLECT_H
#define REPRINT_CLI_COLLECT_H

#include "reprint.h"

typedef struct {
    char *a, *b;
    uint64_t a_index, b_index;
    double jaccard, containment_a, containment_b;
} held_pair;

typedef struct {
    held_pair *v;
    size_t n, cap;
} held_pairs;

/* The run's verified pairs into hp: RP_OK, RP_ERR_NOMEM, or the engine's
 * failure to name them (reading the ids of exact copies again), with its
 * message in rp_engine_error. */
rp_status held_collect(rp_engine *e, held_pairs *hp);
/* One pair into hp (a callback's user); 1 when out of memory. */
int held_add(void *hp, const rp_pair *p);
void held_free(held_pairs *hp);
/* Printable copy of an id, cut to width columns (0 = whole). */
void held_id(char *dst, size_t cap, const char *id, size_t len, size_t width);

#endif
