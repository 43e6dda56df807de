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

static int checked_fast;

/* The scanner's string (escaped or not) equals jansson's value. */
static void same_string(json_t *value, const char *body, size_t len, int escaped)
{
    assert_true(json_is_string(value));
    rp_buf b = {0};
    if (escaped) {
        assert_int_equal(rp__json_unescape(body, len, &b), 0);
        body = b.data;
        len = b.len;
    }
    assert_int_equal(len, json_string_length(value));
    assert_memory_equal(body, json_string_value(value), len);
    rp__buf_free(&b);
}

static void compare(const char *line, size_t n)
{
    rp_json_fields f;
    int fast = rp__json_scan(line, n, "id", "text", &f);
    json_error_t err;
    json_t *j = json_loadb(line, n, JSON_ALLOW_NUL, &err);
    if (fast != 0) {
        if (j) json_decref(j);
        return; /* jansson decides; nothing to compare */
    }
    checked_fast++;
    if (!j) fail_msg("scanner accepted a line jansson rejects: %.*s (%s)", (int)n, line, err.text);
    assert_true(json_is_object(j));
    json_t *text = json_object_get(j, "text");
    if (f.text_kind == RP_JF_STRING) same_string(text, f.text, f.text_len, f.text_escaped);
    else assert_false(text && json_is_string(text));
    json_t *id = json_object_get(j, "id");
    if (f.id_kind == RP_JF_STRING) {
        same_string(id, f.id, f.id_len, f.id_escaped);
    } else if (f.id_kind == RP_JF_NUMBER) {
        assert_true(json_is_integer(id));
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        assert_int_equal(strlen(tmp), f.id_len);
        assert_memory_equal(tmp, f.id, f.id_len);
    } else if (f.id_kind == RP_JF_MISSING) {
        assert_null(id);
    }
    json_decref(j);
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
