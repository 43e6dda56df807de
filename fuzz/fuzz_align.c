/* fuzz_align.c — passage alignment of two texts built from the input's
 * bytes over a small vocabulary (so they share many runs, repeats and
 * near-misses), with curly quotes and accented letters so that code point
 * offsets differ from byte offsets, and full stops and capitals so that
 * they have sentences; one input in two aligns rewrites too. Checks that
 * every passage is inside both texts, passages never overlap, counts and
 * scores are consistent with each other and with the parameters. */
#include "fuzz.h"
#include "reprint.h"

#include <math.h>
#include <string.h>

static size_t build(const uint8_t *d, size_t n, char *out)
{
    static const char *extra[] = {"\xE2\x80\x9C", "\xC3\xA9t\xC3\xA9 ", "\n\n", ", ", "- ", ". W", ". Mr. "};
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] < 230) o += (size_t)sprintf(out + o, "w%d ", d[i] % 14);
        else {
            const char *e = extra[d[i] % 7];
            memcpy(out + o, e, strlen(e));
            o += strlen(e);
        }
    }
    out[o] = 0;
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > 20000) return 0;
    rp_params p;
    rp_params_init(&p);
    p.min_words = 2 + data[0] % 14;
    p.max_gap = data[1] % 12;
    p.min_identity = (data[2] % 11) / 10.0;
    p.rewrites = data[0] >> 7;
    size_t split = 4 + (size_t)data[3] * (size - 4) / 255;
    char *a = malloc((split - 4) * 8 + 1), *b = malloc((size - split) * 8 + 1);
    size_t la = build(data + 4, split - 4, a), lb = build(data + split, size - split, b);
    rp_aligner *al = rp_aligner_create(&p);
    CHECK(al, "out of memory");
    rp_alignment r;
    CHECK(rp_align(al, a, la, b, lb, &r) == RP_OK, "%s", rp_aligner_error(al));
    uint32_t ca = fuzz_code_points(a, la), cb = fuzz_code_points(b, lb);
    for (size_t k = 0; k < r.n_passages; k++) {
        const rp_passage *ps = &r.passages[k];
        CHECK(ps->a_start < ps->a_end && ps->a_end <= ca, "passage %zu outside a", k);
        CHECK(ps->b_start < ps->b_end && ps->b_end <= cb, "passage %zu outside b", k);
        CHECK(ps->words == (ps->a_words > ps->b_words ? ps->a_words : ps->b_words), "words");
        CHECK(ps->matches <= ps->a_words && ps->matches <= ps->b_words, "more matches than words");
        CHECK(fabs(ps->identity - (double)ps->matches / ps->words) < 1e-9, "identity");
        CHECK(ps->identical <= ps->matches, "more identical words than matches");
        CHECK(ps->kind >= RP_KIND_VERBATIM && ps->kind <= RP_KIND_SUMMARY, "kind %d", ps->kind);
        if (ps->kind >= RP_KIND_REWRITTEN) { /* sentences aligned on their content */
            CHECK(p.rewrites, "a rewritten passage without rewrites");
            CHECK(ps->words >= p.min_words, "rewritten passage %zu of %u words", k, ps->words);
        } else {
            CHECK(ps->matches >= p.min_words, "passage %zu of %u matches under min_words %u", k,
                  ps->matches, p.min_words);
            CHECK(ps->identity + 1e-9 >= p.min_identity, "identity under min_identity");
        }
        if (k > 0) {
            const rp_passage *q = &r.passages[k - 1];
            CHECK(q->a_word + q->a_words <= ps->a_word && q->a_end <= ps->a_start,
                  "passages overlap in a or are out of order");
        }
        for (size_t m = 0; m < k; m++) {
            const rp_passage *q = &r.passages[m];
            CHECK(q->b_word + q->b_words <= ps->b_word || ps->b_word + ps->b_words <= q->b_word,
                  "passages %zu and %zu overlap in b", m, k);
        }
    }
    CHECK(r.coverage_a >= 0 && r.coverage_a <= 1 && r.coverage_b >= 0 && r.coverage_b <= 1, "coverage");
    if (r.n_passages == 0) CHECK(r.coverage_a == 0 && r.coverage_b == 0, "coverage without passages");
    if (la == lb && memcmp(a, b, la) == 0 && r.n_passages)
        CHECK(r.relation == RP_REL_EXACT, "identical texts are %s", rp_relation_name(r.relation));
    rp_aligner_free(al);
    free(a), free(b);
    return 0;
}
