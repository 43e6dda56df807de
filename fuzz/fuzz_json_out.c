/* fuzz_json_out.c — JSON written by reprint is valid whatever the bytes:
 * an id or text of arbitrary bytes, written as a JSON string, parses back
 * with jansson; valid UTF-8 comes back unchanged, anything else with
 * U+FFFD in place of the bad bytes. */
#include "fuzz.h"
#include "reprint.h"

#include <jansson.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    CHECK(f, "open_memstream");
    fputs("{\"id\": ", f);
    rp_id id = {(const char *)data, size, 0};
    CHECK(rp_write_json_id(f, &id) == 0, "write failed");
    fputs(", \"n\": ", f);
    rp_id num = {"12", 2, 1};
    rp_write_json_id(f, &num);
    fputs("}", f);
    fclose(f);
    json_error_t err;
    json_t *j = json_loadb(out, len, JSON_ALLOW_NUL, &err); /* \u0000 is valid JSON */
    CHECK(j, "invalid JSON written (%s): %.*s", err.text, (int)(len > 200 ? 200 : len), out);
    json_t *v = json_object_get(j, "id");
    CHECK(json_is_string(v), "id is not a string");
    /* valid UTF-8 (jansson's judgement) must come back unchanged */
    json_t *same = json_stringn((const char *)data, size);
    if (same) {
        CHECK(json_string_length(v) == size && memcmp(json_string_value(v), data, size) == 0,
              "valid UTF-8 did not round-trip");
        json_decref(same);
    }
    CHECK(json_integer_value(json_object_get(j, "n")) == 12, "numeric id");
    json_decref(j);
    free(out);
    return 0;
}
