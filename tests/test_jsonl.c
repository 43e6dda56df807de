/* test_jsonl.c — the fast JSONL field scanner agrees with jansson.
 *
 * Differential: on hand-written tricky lines and on thousands of random
 * mutations of valid ones, whenever the scanner accepts a line jansson must
 * accept it too and read the same text and id; whenever jansson rejects a
 * line the scanner must not accept it. And the other way: the writer's
 * four decimals are printf's, byte for byte, and a pair's line is the
 * same whichever path writes its ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "jsonl_diff.h"

static int checked_fast;

static void compare(const char *line, size_t n)
{
    char why[256];
    int rc = jsonl_diff(line, n, why, sizeof(why));
    if (rc > 0) fail_msg("%s: %.*s", why, (int)n, line);
    checked_fast += rc == 0;
}

static const char *lines[] = {
    "{\"id\": \"a\", \"text\": \"plain words\"}",
    "{\"text\": \"esc \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\u4e2d \\ud83d\\ude00\", \"id\": 12}",
    "  {\"id\":-3,\"text\":\"x\"}  ",
    "{\"id\": 0, \"text\": \"x\", \"meta\": {\"a\": [1, 2.5, -0.1e+10, true, false, null, {}, []]}}",
    "{\"id\": null, \"text\": \"x\"}",
    "{\"id\": [1], \"text\": \"x\"}",
    "{\"text\": 5}",
    "{}",
    "[]",
    "{\"text\": \"caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D\"}",
    "{\"text\": \"bad \xC3 utf8\"}",
    "{\"text\": \"lone \\udc00 low\"}",
    "{\"text\": \"lone \\ud800 high\"}",
    "{\"text\": \"ctrl \x01 char\"}",
    "{\"text\": \"nul \\u0000 escaped\"}",
    "{\"text\": \"x\",}",
    "{\"text\": \"x\" \"id\": 1}",
    "{\"text\": \"x\"} trailing",
    "{\"text\": \"unterminated}",
    "{\"id\": 01, \"text\": \"x\"}",
    "{\"id\": 1., \"text\": \"x\"}",
    "{\"id\": 1.5, \"text\": \"x\"}",
    "{\"id\": 123456789012345678901234, \"text\": \"x\"}",
    "{\"id\": 1e999, \"text\": \"x\"}",
    "{\"t\\u0065xt\": \"escaped key\"}",
    "{\"text\": \"dup\", \"text\": \"last wins\"}",
    "{\"text\": \"x\", \"n\": tru}",
    "{\"text\": \"x\", \"n\": -}",
    "{\"text\": \"bad escape \\x\"}",
    "{\"text\": \"short \\u12\"}",
    /* valid; jansson cannot hold a nested key with a NUL (fuzz finding) */
    "{\"text\": \"x\", \"a\": {\"k\\u0000ey\": 1}}",
};

static void test_scanner_agrees_with_jansson_on_tricky_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) compare(lines[i], strlen(lines[i]));
    assert_true(checked_fast >= 8);
}

static void test_scanner_agrees_with_jansson_on_mutated_lines(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]\":,\\ u0123456789abcdefnrtlse.-+E\x01\x80\xC3\xA9\xFF";
    uint64_t x = 88172645463325252ULL;
    char buf[512];
    for (int round = 0; round < 40000; round++) {
        const char *src = lines[round % 10];
        size_t n = strlen(src);
        memcpy(buf, src, n);
        int edits = 1 + round % 3;
        for (int e = 0; e < edits; e++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t at = (size_t)(x % n);
            char c = alphabet[(x >> 32) % (sizeof(alphabet) - 1)];
            switch ((x >> 20) % 3) {
            case 0: buf[at] = c; break;                               /* replace */
            case 1: if (n > 1) { memmove(buf + at, buf + at + 1, n - at - 1); n--; } break;
            default: if (n < sizeof(buf) - 1) { memmove(buf + at + 1, buf + at, n - at); buf[at] = c; n++; }
            }
        }
        compare(buf, n);
    }
}

/* The scanner reads a string's bytes 64 at a time: every escape, UTF-8
 * sequence and bad byte, good or bad, at every place across two blocks'
 * ends, read as jansson reads it. */
static void test_scanner_agrees_across_its_blocks(void **state)
{
    (void)state;
    static const char *items[] = {
        "\\\"", "\\\\", "\\n", "\\/", "\\u00e9", "\\ud83d\\ude00", "\xC3\xA9", "\xE2\x82\xAC",
        "\xF0\x9F\x98\x80", "\\\\\\\"", /* good */
        "\\x", "\\u12", "\\udc00", "\\ud83d", "\x01", "\xC3", "\xE2\x82", "\xFF", "\"", /* bad */
    };
    char line[512];
    int before = checked_fast;
    for (int scalar = 0; scalar < 2; scalar++) { /* the widest blocks this machine has, then SSE2's */
        rp__hooks.scalar = scalar;
        for (size_t it = 0; it < sizeof(items) / sizeof(items[0]); it++)
            for (size_t pad = 0; pad < 140; pad++) {
                size_t n = (size_t)snprintf(line, sizeof(line), "{\"id\": 1, \"text\": \"");
                memset(line + n, 'a', pad);
                n += pad;
                n += (size_t)snprintf(line + n, sizeof(line) - n, "%s and more words after it\"}", items[it]);
                compare(line, n);
                /* cut before its closing quote, which is still there in
                 * memory past the line's end: never read */
                compare(line, n - 2);
            }
    }
    rp__hooks.scalar = 0;
    /* the good ones, at every place, read by the scanner itself */
    assert_true(checked_fast - before >= 2 * 10 * 140);
}

static void expect_printf(double v)
{
    char want[RP_FIXED4_MAX], got[RP_FIXED4_MAX];
    snprintf(want, sizeof(want), "%.4f", v);
    int n = rp__fixed4(got, v);
    assert_int_equal(n, (int)strlen(want));
    got[n] = 0;
    if (strcmp(want, got) != 0) fail_msg("%.17g: printf %s, rp__fixed4 %s", v, want, got);
}

static void test_decimals_are_printfs(void **state)
{
    (void)state;
    /* every value a float holds half-way between two outputs (odd 32nds),
     * the outputs' own values and their half-ways as doubles, with their
     * neighbours, and the edges */
    for (int k = 0; k <= 32; k++) expect_printf((float)k / 32);
    for (int n = 0; n <= 10000; n++) {
        double at = n / 1e4, half = (n + 0.5) / 1e4;
        expect_printf(at), expect_printf(half), expect_printf((float)at), expect_printf((float)half);
        expect_printf(nextafter(half, 0)), expect_printf(nextafter(half, 1));
        expect_printf(nextafterf((float)half, 0)), expect_printf(nextafterf((float)half, 1));
    }
    /* scores as the engine makes them: ratios of counts, as floats and doubles */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned den = 1 + (unsigned)(x % 5000), num = (unsigned)(x >> 32) % (den + 1);
        expect_printf((double)num / den);
        expect_printf((float)((double)num / den));
        expect_printf((double)(x >> 11) / (double)(1ULL << 53));
    }
    /* outside [0, 1]: printf's own */
    expect_printf(-0.25), expect_printf(-0.0), expect_printf(2.5), expect_printf(1e300), expect_printf(NAN),
        expect_printf(INFINITY);
}

/* A pair's line is the same bytes whichever way its ids are written (in
 * one buffer when they need no escaping, through the escaping writer when
 * they do), and jansson reads the ids back. */
static void test_pair_lines_whatever_the_ids(void **state)
{
    (void)state;
    char longid[300];
    memset(longid, 'x', sizeof(longid));
    const struct {
        const char *s;
        size_t len;
        int is_number;
    } ids[] = {{"42", 2, 1},       {"doc-1", 5, 0},      {"a\"b", 3, 0},     {"a\\b", 3, 0},
               {"tab\there", 8, 0}, {"caf\xc3\xa9", 5, 0}, {"bad\xff", 4, 0}, {"", 0, 0},
               {"del\x7f", 4, 0},  {longid, 126, 0},    {longid, 127, 0},  {longid, 300, 0},
               {"9007199254740993", 16, 1}};
    size_t n_ids = sizeof(ids) / sizeof(ids[0]);
    for (size_t i = 0; i < n_ids; i++)
        for (size_t j = 0; j < n_ids; j++) {
            rp_pair p = {{ids[i].s, ids[i].len, ids[i].is_number}, {ids[j].s, ids[j].len, ids[j].is_number},
                         i, j, 0.5, 0.71428571, 1.0};
            char *got = NULL, *want = NULL;
            size_t got_len = 0, want_len = 0;
            FILE *f = open_memstream(&got, &got_len), *w = open_memstream(&want, &want_len);
            assert_int_equal(rp_write_pair_jsonl(f, &p), 0);
            fputs("{\"a\": ", w);
            rp_write_json_id(w, &p.a);
            fputs(", \"b\": ", w);
            rp_write_json_id(w, &p.b);
            fprintf(w, ", \"jaccard\": %.4f, \"containment_a\": %.4f, \"containment_b\": %.4f}\n", p.jaccard,
                    p.containment_a, p.containment_b);
            fclose(f);
            fclose(w);
            assert_int_equal(got_len, want_len);
            assert_memory_equal(got, want, got_len);
            json_error_t err;
            json_t *o = json_loadb(got, got_len, 0, &err);
            if (!o) fail_msg("%zu %zu: %s: %s", i, j, err.text, got);
            json_t *a = json_object_get(o, "a");
            if (ids[i].is_number) assert_true(json_is_integer(a));
            else if (i != 6 && i != 8) /* a bad byte is replaced; DEL is escaped */
                assert_true(json_is_string(a) && json_string_length(a) == ids[i].len &&
                            memcmp(json_string_value(a), ids[i].s, ids[i].len) == 0);
            json_decref(o);
            free(got);
            free(want);
        }
}

/* A record's site: its site field (a string, or a number's digits), else
 * the host of its URL field, found in one scan of the line where the line
 * allows it and field by field where it does not (a URL that is a number,
 * a line the scanner leaves to jansson): the same either way. */
static void test_site_of_every_form(void **state)
{
    (void)state;
    rp_params p;
    rp_params_init(&p);
    static const struct {
        const char *line, *want;
        int from_url;
    } cases[] = {
        {"{\"site\": \"Example.com\", \"url\": \"https://www.other.org/x\", \"text\": \"a b\"}\n", "Example.com", 0},
        {"{\"url\": \"https://www.Other.org/x\", \"text\": \"a b\"}", "https://www.Other.org/x", 1},
        {"{\"text\": \"a b\", \"site\": \"\", \"url\": \"http://a.b/\"}", "http://a.b/", 1},
        {"{\"site\": 123, \"url\": \"http://a.b/\", \"text\": \"a\"}", "123", 0},
        {"{\"url\": 123, \"text\": \"a\"}", "123", 1},
        {"{\"url\": \"http:\\/\\/x.org\\/p\", \"text\": \"a\"}", "http://x.org/p", 1},
        {"{\"site\": null, \"url\": \"http://a.b\", \"text\": \"a\"}", "http://a.b", 1},
        {"{\"site\": \"s\\u00e9.fr\", \"text\": \"a\"}", "s\xc3\xa9.fr", 0},
        {"\xEF\xBB\xBF{\"site\": \"bom.org\", \"text\": \"a\"}\r\n", "bom.org", 0},
        {"{\"url\": null, \"text\": \"a\"}", NULL, 0},
        {"{\"text\": \"a\"}", NULL, 0},
        {"{\"url\": {\"host\": \"x\"}, \"text\": \"a\"}", NULL, 0},
    };
    rp_buf unesc = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t site = 7;
        assert_int_equal(rp__site_of_json(cases[i].line, strlen(cases[i].line), &p, &unesc, &site), RP_OK);
        uint32_t want = cases[i].want ? rp__site_hash(cases[i].want, strlen(cases[i].want), cases[i].from_url) : 0;
        if (site != want) fail_msg("case %zu: site %u, want %u", i, site, want);
    }
    rp__buf_free(&unesc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_site_of_every_form),
        cmocka_unit_test(test_pair_lines_whatever_the_ids),
        cmocka_unit_test(test_scanner_agrees_with_jansson_on_tricky_lines),
        cmocka_unit_test(test_scanner_agrees_with_jansson_on_mutated_lines),
        cmocka_unit_test(test_scanner_agrees_across_its_blocks),
        cmocka_unit_test(test_decimals_are_printfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
