/* jsonl_diff.h — the differential check of the fast JSONL field scanner
 * against jansson, shared by tests/test_jsonl.c and fuzz/fuzz_jsonl.c.
 *
 * Whenever the scanner accepts a line, jansson must accept it too and read
 * the same text and id; when it declines, jansson decides and there is
 * nothing to compare. */
#ifndef REPRINT_JSONL_DIFF_H
#define REPRINT_JSONL_DIFF_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* 1 when the scanner's string (escaped or not) equals jansson's value. */
static inline int jsonl_same_string(json_t *value, const char *body, size_t len, int escaped)
{
    if (!json_is_string(value)) return 0;
    rp_buf b = {0};
    if (escaped) {
        if (rp__json_unescape(body, len, &b) != 0) return 0;
        body = b.data;
        len = b.len;
    }
    int same = len == json_string_length(value) && memcmp(body, json_string_value(value), len) == 0;
    rp__buf_free(&b);
    return same;
}

/* Returns -1 when the scanner declined the line, 0 when it accepted it and
 * agrees with jansson, 1 (with why filled) when they disagree. */
static inline int jsonl_diff(const char *line, size_t n, char *why, size_t cap)
{
    rp_json_fields f;
    int fast = rp__json_scan(line, n, "id", "text", &f);
    json_error_t err;
    json_t *j = json_loadb(line, n, JSON_ALLOW_NUL, &err);
    int rc = 0;
    if (fast != 0) {
        rc = -1;
    } else if (!j && strstr(err.text, "NUL byte in object key")) {
        /* valid JSON jansson cannot hold (a key with \u0000 in it): no
         * oracle for this line; the scanner reads it as JSON says */
        rc = -1;
    } else if (!j) {
        snprintf(why, cap, "scanner accepted a line jansson rejects (%s)", err.text);
        rc = 1;
    } else if (!json_is_object(j)) {
        snprintf(why, cap, "scanner accepted a line that is no object");
        rc = 1;
    } else {
        json_t *text = json_object_get(j, "text");
        json_t *id = json_object_get(j, "id");
        if (f.text_kind == RP_JF_STRING ? !jsonl_same_string(text, f.text, f.text_len, f.text_escaped)
                                        : (text && json_is_string(text))) {
            snprintf(why, cap, "text differs from jansson's");
            rc = 1;
        } else if (f.id_kind == RP_JF_STRING && !jsonl_same_string(id, f.id, f.id_len, f.id_escaped)) {
            snprintf(why, cap, "string id differs from jansson's");
            rc = 1;
        } else if (f.id_kind == RP_JF_NUMBER) {
            /* the scanner keeps the id as written (-0, 1.50, 1e5); jansson
             * must read the same number */
            char tmp[512];
            snprintf(tmp, sizeof(tmp), "%.*s", (int)f.id_len, f.id);
            if (!json_is_number(id)) {
                snprintf(why, cap, "numeric id that jansson does not read as a number");
                rc = 1;
            } else if (json_is_integer(id) ? strtod(tmp, NULL) != (double)json_integer_value(id)
                                           : strtod(tmp, NULL) != json_real_value(id)) {
                snprintf(why, cap, "numeric id differs from jansson's");
                rc = 1;
            }
        } else if (f.id_kind == RP_JF_MISSING && id) {
            snprintf(why, cap, "scanner missed the id field");
            rc = 1;
        }
    }
    if (j) json_decref(j);
    return rc;
}

#endif
