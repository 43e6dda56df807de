/*
 * buf.c — message buffers, growable buffers and arrays, the clock.
 *
 * Every handle carries a fixed message buffer (RP_MSG_MAX) that the layers
 * below write their error into, naming the input; arrays grow by doubling
 * (or by half where their size is most of a document's cost, at the
 * caller), so a hot loop appends without allocating.
 */
#include "common.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

void rp__msg(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, RP_MSG_MAX, fmt, ap);
    va_end(ap);
}

int rp__buf_reserve(rp_buf *b, size_t need)
{
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return -1;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int rp__buf_append(rp_buf *b, const void *src, size_t n)
{
    if (n == 0) return 0;
    if (rp__buf_reserve(b, b->len + n)) return -1;
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

void rp__buf_free(rp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int rp__grow(void **ptr, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem_size) return -1;
        c *= 2;
    }
    void *p = realloc(*ptr, c * elem_size);
    if (!p) return -1;
    *ptr = p;
    *cap = c;
    return 0;
}

double rp__seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define PAGE ((uintptr_t)4096)

void rp__release(void *p, size_t from, size_t to)
{
    uintptr_t lo = ((uintptr_t)p + from + PAGE - 1) & ~(PAGE - 1), hi = ((uintptr_t)p + to) & ~(PAGE - 1);
    /* advice only: the pages come back as zeros if touched, and never are */
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}
