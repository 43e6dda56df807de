/*
 * cluster.c — union-find over documents (Tarjan 1975).
 *
 * Verified pairs are unioned; each resulting set is a cluster. The root of a
 * set is always its smallest index, i.e. its earliest document in input
 * order, which is the one dedup keeps. Path halving keeps finds near
 * constant time; the forest is one flat uint32 array (4 bytes a document).
 *
 * Clusters are transitive: if A~B and B~C, C joins A's cluster even when A
 * and C alone fall below the threshold, as in every MinHash deduplicator.
 */
#include "internal.h"

int rp__uf_init(rp_uf *uf, size_t n)
{
    uf->parent = malloc((n ? n : 1) * sizeof(uint32_t));
    if (!uf->parent) return -1;
    for (size_t i = 0; i < n; i++) uf->parent[i] = (uint32_t)i;
    uf->n = n;
    return 0;
}

uint32_t rp__uf_find(rp_uf *uf, uint32_t x)
{
    while (uf->parent[x] != x) {
        uf->parent[x] = uf->parent[uf->parent[x]];
        x = uf->parent[x];
    }
    return x;
}

void rp__uf_union(rp_uf *uf, uint32_t a, uint32_t b)
{
    a = rp__uf_find(uf, a);
    b = rp__uf_find(uf, b);
    if (a == b) return;
    if (a < b) uf->parent[b] = a;
    else uf->parent[a] = b;
}

void rp__uf_free(rp_uf *uf)
{
    free(uf->parent);
    uf->parent = NULL;
    uf->n = 0;
}
