/* test_util.h — helpers the unit tests share: temporary files, a run of the
 * engine. Include it after cmocka.h. */
#ifndef REPRINT_TEST_UTIL_H
#define REPRINT_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reprint.h"

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

/* The number in a generated id of one letter and digits ("d12" -> 12). An
 * id is counted, not terminated: what follows its bytes is not ours. */
static inline size_t id_number(const rp_id *id)
{
    size_t n = 0;
    for (size_t k = 1; k < id->len; k++) {
        assert_true(id->str[k] >= '0' && id->str[k] <= '9');
        n = n * 10 + (size_t)(id->str[k] - '0');
    }
    return n;
}

/* An engine with params p run over path, every step asserted to succeed. */
static inline rp_engine *run_engine(const rp_params *p, const char *path)
{
    rp_engine *e = rp_engine_create(p);
    assert_non_null(e);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    assert_int_equal(rp_engine_run(e), RP_OK);
    return e;
}

#endif
