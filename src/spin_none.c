/*
 * spin_none.c — the spinner of a build without WordNet and Snowball
 * (cmake -DREPRINT_WITH_SPIN=OFF), for users who only deduplicate: every
 * use of spin keys (--spin, --rewrites, stories) says it is not available,
 * rather than the build requiring two libraries it will not use.
 */
#include "internal.h"

#define UNAVAILABLE                                                                          \
    "--spin, --rewrites and stories are not available: this reprint was built without "   \
    "WordNet and libstemmer (REPRINT_WITH_SPIN=OFF)"

struct rp_spinner {
    char err[RP_MSG_MAX];
};

rp_status rp__lexicon_load(char *err)
{
    if (err) rp__msg(err, UNAVAILABLE);
    return RP_ERR_USAGE;
}

int rp__is_function_word(uint64_t h)
{
    (void)h;
    return 0;
}

rp_spinner *rp_spinner_create(void)
{
    return calloc(1, sizeof(rp_spinner));
}

void rp_spinner_free(rp_spinner *sp)
{
    free(sp);
}

const char *rp_spinner_error(const rp_spinner *sp)
{
    return sp->err;
}

rp_status rp_spin(rp_spinner *sp, rp_tokenizer *tok, const uint64_t *hashes, size_t n,
                  const uint64_t **keys)
{
    (void)tok, (void)hashes, (void)n, (void)keys;
    return rp__lexicon_load(sp->err);
}
