/* fuzz_tokenize.c — the normalizer and tokenizer on arbitrary bytes: it
 * fails only on invalid UTF-8 or NUL, and otherwise every word's span is
 * inside the text, non-empty, in order, and its normalized form readable;
 * the scalar loop alone gives exactly the same words as with the 64-byte
 * block path (texts of 80 bytes and more). */
#include "fuzz.h"
#include "reprint.h"
#include "internal.h"

#include <string.h>

/* 1 when s is valid UTF-8 without NUL (the tokenizer's contract). */
static int valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (c == 0 || len == 0 || i + len > n) return 0;
        uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rp_tokenizer *tok;
    if (!tok) tok = rp_tokenizer_create();
    const uint64_t *h;
    const rp_span *sp;
    size_t n;
    rp_status st = rp_tokenize(tok, (const char *)data, size, &h, &sp, &n);
    int ok = valid(data, size);
    if (st != RP_OK) {
        CHECK(st == RP_ERR_UTF8 || st == RP_ERR_NUL, "unexpected status %s", rp_status_name(st));
        CHECK(!ok, "rejected valid UTF-8: %s", rp_tokenizer_error(tok));
        CHECK(strlen(rp_tokenizer_error(tok)) > 0, "no message");
        return 0;
    }
    CHECK(ok, "accepted invalid UTF-8 or NUL");
    uint32_t cps = fuzz_code_points((const char *)data, size);
    uint32_t prev_end = 0;
    char w[256];
    for (size_t i = 0; i < n; i++) {
        CHECK(sp[i].start < sp[i].end, "empty span %zu", i);
        CHECK(sp[i].start >= prev_end, "span %zu overlaps the previous one", i);
        CHECK(sp[i].end <= cps, "span %zu ends at %u beyond %u code points", i, sp[i].end, cps);
        prev_end = sp[i].end;
        size_t len = rp_tokenizer_word(tok, i, w, sizeof(w));
        CHECK(len < sizeof(w) && strlen(w) == len, "word %zu not a string", i);
    }
    /* the fast path changes nothing: same words, hashes and spans */
    static rp_tokenizer *slow;
    if (!slow) slow = rp_tokenizer_create(), rp__tokenizer_scalar(slow, 1);
    const uint64_t *hs;
    const rp_span *ss;
    size_t ns;
    CHECK(rp_tokenize(slow, (const char *)data, size, &hs, &ss, &ns) == RP_OK && ns == n,
          "scalar loop: %zu words, fast path: %zu", ns, n);
    char ws[256];
    for (size_t i = 0; i < n; i++) {
        CHECK(hs[i] == h[i] && ss[i].start == sp[i].start && ss[i].end == sp[i].end,
              "word %zu differs between the scalar loop and the fast path", i);
        /* and its bytes: the fast path's byte offsets are the scalar loop's */
        size_t lf = rp_tokenizer_word(tok, i, w, sizeof(w)), ls = rp_tokenizer_word(slow, i, ws, sizeof(ws));
        CHECK(lf == ls && memcmp(w, ws, lf) == 0, "word %zu's bytes differ between the paths", i);
    }
    /* the same text gives the same words */
    const uint64_t *h2;
    size_t n2;
    uint64_t first = n ? h[0] : 0, last = n ? h[n - 1] : 0;
    CHECK(rp_tokenize(tok, (const char *)data, size, &h2, &sp, &n2) == RP_OK && n2 == n &&
              (!n || (h2[0] == first && h2[n - 1] == last)),
          "tokenizing twice differs");
    return 0;
}
