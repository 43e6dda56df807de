/*
 * index_latency.c — the time of each query of an index, in process: every
 * document of a JSONL file asked (as `reprint index query` asks it), and
 * the 50th, 90th and 99th percentiles printed with the answers found.
 * usage: index_latency DB QUERIES.jsonl pairs|align [N]
 */
#include "reprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int count(void *user, const void *x)
{
    (void)x;
    ++*(size_t *)user;
    return 0;
}
static int count_pair(void *u, const rp_pair *p) { return count(u, p); }
static int count_al(void *u, const rp_alignment *a) { return count(u, a); }

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: index_latency DB QUERIES.jsonl pairs|align [N]\n");
        return 2;
    }
    rp_params p;
    rp_params_init(&p);
    size_t max = argc > 4 ? (size_t)atol(argv[4]) : (size_t)-1;
    unsigned what = strcmp(argv[3], "pairs") == 0 ? RP_QUERY_PAIRS : RP_QUERY_PASSAGES;
    char err[RP_ERROR_MAX];
    rp_index *ix;
    p.measure = RP_MEASURE_CONTAINMENT; /* as reprint index */
    if (rp_index_open(argv[1], &p, RP_INDEX_READONLY, &ix, err) != RP_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    rp_reader *r = rp_reader_open(argv[2], &p);
    double *ms = malloc(sizeof(double) * 1000000);
    size_t n = 0, answers = 0;
    rp_doc d;
    rp_query_out out = {count_pair, count_al, &answers};
    while (n < max && n < 1000000 && rp_reader_next(r, &d) == RP_OK) {
        rp_index_doc q = {.id = d.id, .text = d.text, .text_len = d.text_len, .raw = d.raw, .raw_len = d.raw_len};
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (rp_index_query(ix, &q, what, &out, err) != RP_OK) fprintf(stderr, "%s\n", err);
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms[n++] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms, n, sizeof(double), cmp);
    if (n)
        printf("%zu queries (%s): p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms; %zu answers\n", n, argv[3],
               ms[n / 2], ms[n * 9 / 10], ms[n * 99 / 100], ms[n - 1], answers);
    free(ms);
    rp_reader_free(r);
    rp_index_close(ix);
    return 0;
}
