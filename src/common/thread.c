/*
 * thread.c — the thread runner: n items worked on at once, the first on
 * the calling thread, and each item whose thread cannot start worked on by
 * the caller afterwards, so that a machine out of threads is slower, never
 * wrong.
 */
#include "common.h"

#include <pthread.h>

void rp__run_parallel(void *(*fn)(void *), void *items, size_t size, unsigned n)
{
    char *item = items;
    pthread_t *tid = n > 1 ? calloc(n, sizeof(*tid)) : NULL;
    unsigned char *started = n > 1 ? calloc(n, 1) : NULL;
    for (unsigned k = 1; k < n && tid && started; k++)
        started[k] = pthread_create(&tid[k], NULL, fn, item + k * size) == 0;
    fn(item);
    for (unsigned k = 1; k < n; k++) {
        if (started && started[k]) pthread_join(tid[k], NULL);
        else fn(item + k * size); /* no thread for it: still done, later */
    }
    free(tid);
    free(started);
}
