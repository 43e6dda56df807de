/* test_util.h — helpers the unit tests share: temporary files. */
#ifndef REPRINT_TEST_UTIL_H
#define REPRINT_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes len bytes to a new file in $TMPDIR; returns its path (static buffer
 * rotated among 8 so a test can hold several). */
static inline const char *write_temp(const char *name, const void *data, size_t len)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ & 7];
    const char *dir = getenv("TMPDIR");
    snprintf(p, 512, "%s/%s", dir && *dir ? dir : "/tmp", name);
    FILE *f = fopen(p, "wb");
    if (!f) return NULL;
    if (len) fwrite(data, 1, len, f);
    fclose(f);
    return p;
}

#endif
