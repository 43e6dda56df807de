/* fuzz_jsonl.c — the fast JSONL field scanner and its string unescaping
 * against jansson: whatever the scanner accepts, jansson reads the same. */
#include "fuzz.h"
#include "jsonl_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    int rc = jsonl_diff((const char *)data, size, why, sizeof(why));
    CHECK(rc <= 0, "%s: %.*s", why, (int)(size > 200 ? 200 : size), (const char *)data);
    return 0;
}
