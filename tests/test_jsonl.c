/* test_jsonl.c — the fast JSONL field scanner agrees with jansson.
 *
 * Differential: on hand-written tricky lines and on thousands of random
 * mutations of valid ones, whenever the scanner accepts a line jansson must
 * accept it too and read the same text and id; whenever jansson rejects a
 * line the scanner must not accept it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scanner_agrees_with_jansson_on_tricky_lines),
        cmocka_unit_test(test_scanner_agrees_with_jansson_on_mutated_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
