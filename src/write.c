/*
 * write.c — JSON output primitives.
 *
 * Everything reprint writes for machines is JSONL, and it must stay valid
 * JSON whatever bytes an input held: ids from file names may be any bytes, so
 * invalid UTF-8 is written as U+FFFD (one per bad byte, as decoders do) and
 * control characters are escaped.
 */
#include "internal.h"

#include <utf8proc.h>

int rp_write_json_string(FILE *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (putc('"', out) == EOF) return -1;
    size_t i = 0, run = 0; /* run: start of bytes to copy as they are */
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char ubuf[7];
        size_t adv = 1;
        if (c >= 0x80) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                  (utf8proc_ssize_t)(len - i), &cp);
            if (n > 0) {
                i += (size_t)n;
                continue;
            }
            esc = "\xEF\xBF\xBD"; /* U+FFFD */
        } else if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c == '\t') {
            esc = "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            ubuf[0] = '\\', ubuf[1] = 'u', ubuf[2] = '0', ubuf[3] = '0';
            ubuf[4] = hex[c >> 4], ubuf[5] = hex[c & 15], ubuf[6] = 0;
            esc = ubuf;
        } else {
            i++;
            continue;
        }
        if (i > run && fwrite(s + run, 1, i - run, out) != i - run) return -1;
        if (fputs(esc, out) == EOF) return -1;
        i += adv;
        run = i;
    }
    if (i > run && fwrite(s + run, 1, i - run, out) != i - run) return -1;
    return putc('"', out) == EOF ? -1 : 0;
}

int rp_write_json_id(FILE *out, const rp_id *id)
{
    if (id->is_number) return fwrite(id->str, 1, id->len, out) == id->len ? 0 : -1;
    return rp_write_json_string(out, id->str, id->len);
}
