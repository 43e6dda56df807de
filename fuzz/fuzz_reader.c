/* fuzz_reader.c — the reader on arbitrary files: plain, gzip or zstd (by
 * magic number), as JSONL or as one text document, under a small
 * max_doc_bytes. Every record is a document or a named bad-input error;
 * line numbers increase; nothing is larger than the limit; and a plain file
 * read as text comes back byte for byte. */
#include "fuzz.h"
#include "internal.h"

#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[256];
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof(path), "%s/reprint-fuzz-%d.in", dir && *dir ? dir : "/tmp", (int)getpid());
    }
    if (size < 2) return 0;
    rp_params p;
    rp_params_init(&p);
    /* text, JSONL, or told by the name (none here) and the first line */
    p.format = data[0] % 3 == 0 ? RP_FORMAT_TEXT : data[0] % 3 == 1 ? RP_FORMAT_JSONL : RP_FORMAT_AUTO;
    p.max_doc_bytes = 64 + (size_t)data[1] * 64;
    data += 2, size -= 2;
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", path);

    int plain = !(size >= 2 && data[0] == 0x1F && data[1] == 0x8B) &&
                !(size >= 4 && memcmp(data, "\x28\xB5\x2F\xFD", 4) == 0) &&
                !(size >= 4 && (data[0] & 0xF0) == 0x50 && memcmp(data + 1, "\x2A\x4D\x18", 3) == 0);
    /* what the reader will take it for: unknown for compressed data in auto */
    rp_format expect = p.format;
    if (expect == RP_FORMAT_AUTO && plain)
        expect = rp__looks_jsonl((const char *)data, size < RP_SNIFF_BYTES ? size : RP_SNIFF_BYTES,
                                 "text")
                     ? RP_FORMAT_JSONL
                     : RP_FORMAT_TEXT;
    size_t newlines = 0;
    for (size_t i = 0; i < size; i++) newlines += data[i] == '\n';
    rp_reader *r = rp_reader_open(path, &p);
    CHECK(r, "out of memory");
    uint64_t last_line = 0, records = 0;
    for (;;) {
        rp_doc d;
        rp_status st = rp_reader_next(r, &d);
        if (st == RP_EOF) break;
        records++;
        CHECK(records <= (plain ? newlines + 1 : (uint64_t)-1), "more records than lines");
        if (st != RP_OK) {
            CHECK(st == RP_ERR_TRUNCATED || st == RP_ERR_IO || rp_status_is_bad_input(st),
                  "unexpected status %s", rp_status_name(st));
            CHECK(strncmp(rp_reader_error(r), path, strlen(path)) == 0,
                  "message does not name the file: %s", rp_reader_error(r));
            if (st == RP_ERR_TRUNCATED || st == RP_ERR_IO) break;
            continue;
        }
        CHECK(d.text_len <= p.max_doc_bytes, "document of %zu bytes over the limit", d.text_len);
        CHECK(d.raw_len <= p.max_doc_bytes + 2 || expect != RP_FORMAT_JSONL || !plain,
              "record of %zu bytes over the limit", d.raw_len);
        CHECK(d.id.str != NULL && (d.text != NULL || d.text_len == 0), "document without id or text");
        if (expect == RP_FORMAT_JSONL) {
            CHECK(d.line > last_line, "line %llu after %llu", (unsigned long long)d.line,
                  (unsigned long long)last_line);
            last_line = d.line;
        } else if (plain && expect == RP_FORMAT_TEXT) {
            CHECK(d.text_len == size && memcmp(d.text, data, size) == 0,
                  "a plain text file does not come back byte for byte");
        }
    }
    rp_reader_free(r);
    unlink(path);
    return 0;
}
