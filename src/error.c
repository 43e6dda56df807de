/*
 * error.c — status names, the version, and the check of a parameters
 * struct's layout.
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
    [RP_ERR_EXISTS] = "exists",
    [RP_ERR_NOT_FOUND] = "not-found",
    [RP_ERR_INDEX] = "index-mismatch",
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

/* The tests' levers (common.h): read-only outside the tests. */
rp_test_hooks rp__hooks = RP_TEST_HOOKS_DEFAULT;
