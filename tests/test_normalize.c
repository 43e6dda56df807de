/* test_normalize.c — the matching view of a text and its offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "reprint.h"
#include "internal.h"

typedef struct {
    rp_tokenizer *tok;
} fixture;

static int setup(void **state)
{
    static fixture f;
    f.tok = rp_tokenizer_create();
    *state = &f;
    return f.tok ? 0 : -1;
}

static int teardown(void **state)
{
    rp_tokenizer_free(((fixture *)*state)->tok);
    return 0;
}

/* The words of text, normalized, joined by single spaces. */
static const char *words(rp_tokenizer *tok, const char *text)
{
    static char out[4096];
    const uint64_t *h;
    const rp_span *s;
    size_t n;
    assert_int_equal(rp_tokenize(tok, text, strlen(text), &h, &s, &n), RP_OK);
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char w[256];
        rp_tokenizer_word(tok, i, w, sizeof(w));
        if (i) strcat(out, " ");
        strcat(out, w);
    }
    return out;
}

static void hashes_of(rp_tokenizer *tok, const char *text, uint64_t *dst, size_t *n)
{
    const uint64_t *h;
    const rp_span *s;
    assert_int_equal(rp_tokenize(tok, text, strlen(text), &h, &s, n), RP_OK);
    memcpy(dst, h, *n * sizeof(uint64_t));
}

static void test_normalize_unifies_curly_and_straight_quotes(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    uint64_t a[32], b[32];
    size_t na, nb;
    hashes_of(tok, "Kim\xE2\x80\x99s \xE2\x80\x9Cgreat victory\xE2\x80\x9D \xE2\x80\x94 Putin", a, &na);
    hashes_of(tok, "Kim's \"great victory\" - Putin", b, &nb);
    assert_int_equal(na, 4);
    assert_int_equal(nb, 4);
    assert_memory_equal(a, b, na * sizeof(uint64_t));
    assert_string_equal(words(tok, "Kim\xE2\x80\x99s"), "kim's");
    assert_string_equal(words(tok, "\xE2\x80\x98quoted\xE2\x80\x99 word"), "quoted word");
}

/* Regression (fuzz_tokenize timeout): U+02BC MODIFIER LETTER APOSTROPHE is
 * a letter and an apostrophe; after a word it began an empty word, forever. */
static void test_normalize_letter_apostrophe_never_starts_a_word(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    assert_string_equal(words(tok, "&\"6\xCA\xBC&"), "6");
    assert_string_equal(words(tok, "\xCA\xBCtwas don\xCA\xBCt \xCA\xBC"), "twas don't");
}

static void test_normalize_case_folds_and_applies_nfkc(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    /* fullwidth letters, the fi ligature, sharp s, combining accent */
    assert_string_equal(words(tok, "\xEF\xBC\xAB\xEF\xBD\x89\xEF\xBD\x8D \xEF\xAC\x81sh"),
                        "kim fish");
    assert_string_equal(words(tok, "STRASSE Stra\xC3\x9F" "e"), "strasse strasse");
    uint64_t a[8], b[8];
    size_t na, nb;
    hashes_of(tok, "caf\xC3\xA9", a, &na);       /* precomposed e-acute */
    hashes_of(tok, "CAFE\xCC\x81", b, &nb);      /* E + combining acute */
    assert_int_equal(na, 1);
    assert_int_equal(nb, 1);
    assert_true(a[0] == b[0]);
}

/* The words of text have exactly the spans want[0..2n), as start, end pairs. */
static void assert_spans(rp_tokenizer *tok, const char *text, const uint32_t *want, size_t count)
{
    const uint64_t *h;
    const rp_span *s;
    size_t n;
    assert_int_equal(rp_tokenize(tok, text, strlen(text), &h, &s, &n), RP_OK);
    assert_int_equal(n, count);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s[i].start, want[2 * i]);
        assert_int_equal(s[i].end, want[2 * i + 1]);
        if (i) assert_true(s[i].start >= s[i - 1].end);
    }
}

static void test_normalize_offsets_are_code_points_of_the_original(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    /* "«Ｋｉｍ» met ﬁsh — naïve" : each non-ASCII char is one code point;
     * ﬁsh is 3 code points, though "fish" has 4 letters */
    const uint32_t want[] = {1, 4, 6, 9, 10, 13, 16, 21};
    assert_spans(tok,
                 "\xC2\xAB\xEF\xBC\xAB\xEF\xBD\x89\xEF\xBD\x8D\xC2\xBB met \xEF\xAC\x81sh "
                 "\xE2\x80\x94 na\xC3\xAFve",
                 want, 4);
}

static void test_normalize_skips_markup_and_urls(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    assert_string_equal(words(tok, "# Title\n\n**Bold** and _em_ [link text](https://x.org/a-b) "
                                   "<p class=\"x\">tag</p> &amp; &#8212; see "
                                   "https://example.com/news/story-1 or www.example.org now "
                                   "![alt](/img/photo-2.png) <https://t.co/abc>"),
                        "title bold and em link text tag see or now alt");
    /* a lone < or & is punctuation, not markup */
    assert_string_equal(words(tok, "a < b & c"), "a b c");
}

static void test_normalize_markup_offsets_stay_exact(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    const uint32_t want[] = {3, 6, 11, 15};
    assert_spans(tok, "<b>\xC3\xA9t\xC3\xA9</b> word", want, 2);
}

static void test_normalize_splits_hyphens_and_dashes(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    assert_string_equal(words(tok, "Kim Jong-un\xE2\x80\x93Putin talks"), "kim jong un putin talks");
}

static void test_normalize_cjk_is_one_word_per_ideograph(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    /* 北朝鲜 then "ok" */
    assert_string_equal(words(tok, "\xE5\x8C\x97\xE6\x9C\x9D\xE9\xB2\x9C ok"),
                        "\xE5\x8C\x97 \xE6\x9C\x9D \xE9\xB2\x9C ok");
}

static void test_normalize_rejects_invalid_utf8_with_its_byte(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    const uint64_t *h;
    const rp_span *s;
    size_t n;
    const char *bad = "good \xFF bad";
    assert_int_equal(rp_tokenize(tok, bad, strlen(bad), &h, &s, &n), RP_ERR_UTF8);
    assert_non_null(strstr(rp_tokenizer_error(tok), "byte 5"));
    const char *cut = "ends in \xE2\x80"; /* truncated sequence */
    assert_int_equal(rp_tokenize(tok, cut, strlen(cut), &h, &s, &n), RP_ERR_UTF8);
    const char *surrogate = "x \xED\xA0\x80 y";
    assert_int_equal(rp_tokenize(tok, surrogate, strlen(surrogate), &h, &s, &n), RP_ERR_UTF8);
}

static void test_normalize_rejects_nul(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    const uint64_t *h;
    const rp_span *s;
    size_t n;
    const char text[] = "before\0after";
    assert_int_equal(rp_tokenize(tok, text, sizeof(text) - 1, &h, &s, &n), RP_ERR_NUL);
    assert_non_null(strstr(rp_tokenizer_error(tok), "byte 6"));
}

static void test_normalize_empty_and_punctuation_only(void **state)
{
    rp_tokenizer *tok = ((fixture *)*state)->tok;
    const uint64_t *h;
    const rp_span *s;
    size_t n = 99;
    assert_int_equal(rp_tokenize(tok, "", 0, &h, &s, &n), RP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(rp_tokenize(tok, " -- !! \n", 8, &h, &s, &n), RP_OK);
    assert_int_equal(n, 0);
}

/* The block path and the scalar loop agree on every word, hash, span and
 * byte offset: texts built at random from pieces each path treats
 * specially, at every alignment against the 64-byte blocks, and of every
 * length (the last bytes, too few for a block, are copied for it). */
static void test_normalize_fast_path_matches_scalar_loop(void **state)
{
    (void)state;
    static const char *pieces[] = {
        "the", "Summit", "KIM", "a", "x9", "2023", " ", "  ", ", ", ".\n", "\t", "'", "`",
        "don't", "rock`n", "caf\xC3\xA9", "\xE2\x80\x99s", "\xE2\x80\x94", "<p>", "&amp;",
        "](http://x.y/z)", "http://example.com/a", "www.site.org", "what", "WWII", "htm",
        "\xE6\x9D\xB1\xE4\xBA\xAC", "<", "&", "]", "internationalization", "abcdefghijklmnop",
        "abcdefghijklmno", "abcdefghijklmnopq", "Ｋｉｍ", "\xCA\xBC", "-", "\"",
        "Pneumonoultramicroscopicsilicovolcanoconiosis0123456789abcdefghijklmnopqrstuvwxyz",
    };
    const size_t n_pieces = sizeof(pieces) / sizeof(pieces[0]);
    rp_tokenizer *fast = rp_tokenizer_create(), *slow = rp_tokenizer_create();
    assert_non_null(fast);
    assert_non_null(slow);
    rp__tokenizer_scalar(slow, 1);
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    char text[1024];
    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        for (int k = round % 67; k > 0; k--) text[len++] = ' '; /* every alignment */
        size_t want = 20 + (size_t)round * 7 % 600;
        while (len < want) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            /* odd rounds mostly plain words, so whole blocks take the block path */
            const char *p = (round & 1) && (rng >> 40) % 8 ? pieces[rng % 10] : pieces[rng % n_pieces];
            size_t m = strlen(p);
            memcpy(text + len, p, m);
            len += m;
        }
        const uint64_t *hf, *hs;
        const rp_span *sf, *ss;
        size_t nf, ns;
        assert_int_equal(rp_tokenize(fast, text, len, &hf, &sf, &nf), RP_OK);
        assert_int_equal(rp_tokenize(slow, text, len, &hs, &ss, &ns), RP_OK);
        assert_int_equal(nf, ns);
        for (size_t i = 0; i < nf; i++) {
            assert_true(hf[i] == hs[i]);
            assert_int_equal(sf[i].start, ss[i].start);
            assert_int_equal(sf[i].end, ss[i].end);
            char wf[256], ws[256];
            size_t lf = rp_tokenizer_word(fast, i, wf, sizeof(wf)), ls = rp_tokenizer_word(slow, i, ws, sizeof(ws));
            assert_int_equal(lf, ls);
            assert_memory_equal(wf, ws, lf);
        }
    }
    rp_tokenizer_free(fast);
    rp_tokenizer_free(slow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_unifies_curly_and_straight_quotes),
        cmocka_unit_test(test_normalize_letter_apostrophe_never_starts_a_word),
        cmocka_unit_test(test_normalize_case_folds_and_applies_nfkc),
        cmocka_unit_test(test_normalize_offsets_are_code_points_of_the_original),
        cmocka_unit_test(test_normalize_skips_markup_and_urls),
        cmocka_unit_test(test_normalize_markup_offsets_stay_exact),
        cmocka_unit_test(test_normalize_splits_hyphens_and_dashes),
        cmocka_unit_test(test_normalize_cjk_is_one_word_per_ideograph),
        cmocka_unit_test(test_normalize_rejects_invalid_utf8_with_its_byte),
        cmocka_unit_test(test_normalize_rejects_nul),
        cmocka_unit_test(test_normalize_empty_and_punctuation_only),
        cmocka_unit_test(test_normalize_fast_path_matches_scalar_loop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
