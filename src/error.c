/*
 * error.c — status names and the message buffers handles carry.
 *
 * Names are stable strings: the CLI prints them in the accounting summary
 * and --stats JSON, so scripts may match on them.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const status_names[RP_STATUS_COUNT] = {
    [RP_OK] = "ok",
    [RP_EOF] = "end-of-input",
    [RP_ERR_JSON] = "invalid-json",
    [RP_ERR_NOT_OBJECT] = "not-an-object",
    [RP_ERR_NO_TEXT] = "missing-text",
    [RP_ERR_BAD_ID] = "bad-id",
    [RP_ERR_UTF8] = "invalid-utf8",
    [RP_ERR_NUL] = "nul-byte",
    [RP_ERR_EMPTY] = "empty",
    [RP_ERR_TOO_LARGE] = "too-large",
    [RP_ERR_TRUNCATED] = "truncated-input",
    [RP_ERR_IO] = "io-error",
    [RP_ERR_USAGE] = "usage",
    [RP_ERR_NOMEM] = "out-of-memory",
    [RP_ERR_LIMIT] = "limit",
};

const char *rp_status_name(rp_status status)
{
    if ((unsigned)status >= RP_STATUS_COUNT) return "unknown";
    return status_names[status];
}

int rp_status_is_bad_input(rp_status status)
{
    return status >= RP_ERR_BAD_INPUT_FIRST && status <= RP_ERR_BAD_INPUT_LAST;
}

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

rp_test_hooks rp__hooks = RP_TEST_HOOKS_DEFAULT;

unsigned rp_version_number(void)
{
    return RP_VERSION_NUMBER;
}

const char *rp_version_string(void)
{
    return RP_VERSION_STRING;
}

rp_status rp__params_check_version(const rp_params *p, char *err)
{
    if (p->version == RP_PARAMS_VERSION) return RP_OK;
    rp__msg(err, "parameters of layout version %u, this library takes %u: initialize them with "
                 "rp_params_init() from the reprint.h it was built with", p->version,
            RP_PARAMS_VERSION);
    return RP_ERR_USAGE;
}
