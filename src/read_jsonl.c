/*
 * read_jsonl.c — the fast path for JSONL records: find the id and text
 * fields of one line without building a document tree.
 *
 * Parsing every line into a jansson tree cost about half of a dedup run,
 * though only two fields of a line are ever used. This scanner walks the
 * line once, validating it fully (strings, escapes, UTF-8, numbers,
 * literals, nesting), and records where the two fields' values are; the text
 * is unescaped only when it holds escapes. Anything it is not sure to judge
 * exactly as jansson would (escaped keys, lone surrogates, numbers that could
 * overflow, very deep nesting) makes it give up, and the caller asks jansson,
 * which also words the error message for lines that are really malformed.
 * So both paths accept exactly the same lines and read the same values.
 *
 * Cost: one pass over the line; memchr-like skipping inside strings.
 */
#include "internal.h"

#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#define MAX_DEPTH 512
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BIG_ENDIAN_BYTES 1
#else
#define BIG_ENDIAN_BYTES 0
#endif

typedef struct {
    const char *s;
    size_t n, i;
    int lenient;   /* numbers of any size, as JSON allows (jansson overflows) */
} scan;

static void skip_ws(scan *c)
{
    while (c->i < c->n) {
        char ch = c->s[c->i];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') break;
        c->i++;
    }
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int read_u4(const char *s, size_t n, size_t at, uint32_t *v)
{
    if (at + 4 > n) return -1;
    uint32_t x = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(s[at + (size_t)k]);
        if (h < 0) return -1;
        x = x << 4 | (uint32_t)h;
    }
    *v = x;
    return 0;
}

/* The escapes JSON allows after a backslash but \u (a table: which of
 * '"' and 'n', the usual two, comes next is a coin toss for a branch). */
static const unsigned char plain_escape[256] = {['"'] = 1, ['\\'] = 1, ['/'] = 1, ['b'] = 1,
                                                 ['f'] = 1, ['n'] = 1, ['r'] = 1, ['t'] = 1};

enum { STRING_ENDS = 1, STRING_GOES_ON = 0, STRING_BAD = -1 };

/* The byte at i of a string that is not a plain ASCII character: its
 * closing quote (STRING_ENDS), or an escape or a UTF-8 sequence, *next
 * then past it, or bad. */
static inline int string_byte(const char *s, size_t n, size_t i, size_t *next, int *escaped)
{
    unsigned char ch = (unsigned char)s[i];
    if (ch == '\\') {
        *escaped = 1;
        if (i + 1 >= n) return STRING_BAD;
        unsigned char e = (unsigned char)s[i + 1];
        if (plain_escape[e]) {
            *next = i + 2;
            return STRING_GOES_ON;
        }
        if (e != 'u') return STRING_BAD;
        uint32_t v;
        if (read_u4(s, n, i + 2, &v)) return STRING_BAD;
        i += 6;
        if (v >= 0xDC00 && v <= 0xDFFF) return STRING_BAD; /* lone low surrogate */
        if (v >= 0xD800 && v <= 0xDBFF) {
            uint32_t lo;
            if (i + 1 >= n || s[i] != '\\' || s[i + 1] != 'u' || read_u4(s, n, i + 2, &lo) || lo < 0xDC00 ||
                lo > 0xDFFF)
                return STRING_BAD;
            i += 6;
        }
        *next = i;
        return STRING_GOES_ON;
    }
    if (ch == '"') return STRING_ENDS;
    if (ch < 0x20) return STRING_BAD;
    utf8proc_int32_t cp;
    utf8proc_ssize_t m = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
    if (m <= 0) return STRING_BAD;
    *next = i + (size_t)m;
    return STRING_GOES_ON;
}

#ifdef __SSE2__
/* Bit k set when byte k of the 16 at p is '"', '\\', a control character or
 * non-ASCII (a signed compare below 0x20 catches both of those). */
static inline unsigned special16(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
}

static inline uint64_t special64_sse2(const char *p, size_t len)
{
    (void)len; /* whole blocks only */
    return (uint64_t)special16(p) | (uint64_t)special16(p + 16) << 16 | (uint64_t)special16(p + 32) << 32 |
           (uint64_t)special16(p + 48) << 48;
}

/* The string's bytes from *at, 64 at a time, their special bytes as one mask
 * (special64 of a block and the bytes left) walked bit by bit (a text's
 * escaped paragraph breaks and quotes come every hundred bytes or so), the
 * last block short too when `partial`. 1 at the closing quote (*at there),
 * -1 when bad, 0 with *at where the blocks stopped. */
static inline __attribute__((always_inline)) int scan_blocks(const char *s, size_t n, size_t *at, int *escaped,
                                                             uint64_t (*special64)(const char *, size_t),
                                                             int partial)
{
    size_t i = *at, next = 0;
    while (partial ? i < n : i + 64 <= n) {
        size_t left = n - i;
        uint64_t special = special64(s + i, left);
        size_t block_end = i + (left < 64 ? left : 64);
        while (special) {
            size_t b = i + (size_t)__builtin_ctzll(special);
            int r = string_byte(s, n, b, &next, escaped);
            if (r == STRING_ENDS) {
                *at = b;
                return 1;
            }
            if (r == STRING_BAD) return -1;
            if (next >= block_end) {
                block_end = next; /* an escape or a character across the block's end */
                break;
            }
            special &= ~(uint64_t)0 << (next - i);
        }
        i = block_end;
    }
    *at = i;
    return 0;
}

static int scan_blocks_sse2(const char *s, size_t n, size_t *at, int *escaped)
{
    return scan_blocks(s, n, at, escaped, special64_sse2, 0);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define RP_SCAN_AVX512 1
/* A short block's bytes past len are neither loaded (a masked load does not
 * fault on them) nor marked: keys, ids and a line's last string end in one */
__attribute__((target("avx512f,avx512bw"))) static inline uint64_t special64_avx512(const char *p, size_t len)
{
    __mmask64 k = len >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << len) - 1;
    __m512i v = _mm512_maskz_loadu_epi8(k, (const void *)p);
    return (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')) |
            _mm512_cmplt_epi8_mask(v, _mm512_set1_epi8(0x20))) &
           k;
}

/* The same blocks on one AVX-512 load and three compares, against four
 * SSE2 loads and sixteen instructions: a one-thread dedup of 300 MB of the
 * bench spent 265-335 samples in the scan against 371-414 on SSE2 blocks
 * and 345-360 with the former scan, 16 bytes at a time and started again
 * after each special byte (which SSE2 blocks only match) */
__attribute__((target("avx512f,avx512bw"))) static int scan_blocks_avx512(const char *s, size_t n, size_t *at,
                                                                         int *escaped)
{
    return scan_blocks(s, n, at, escaped, special64_avx512, 1);
}

#endif
#endif

/* At an opening quote: moves past the closing one. body and len give the
 * bytes between the quotes, *escaped whether a backslash occurs. */
static int scan_string(scan *c, const char **body, size_t *len, int *escaped)
{
    const char *s = c->s;
    size_t n = c->n, i = c->i + 1, start = i, next = 0;
    *escaped = 0;
#ifdef __SSE2__
    int r;
#ifdef RP_SCAN_AVX512
    if (rp__cpu_avx512bw()) r = scan_blocks_avx512(s, n, &i, escaped);
    else
#endif
        r = scan_blocks_sse2(s, n, &i, escaped);
    if (r < 0) return -1;
    if (r > 0) {
        *body = s + start;
        *len = i - start;
        c->i = i + 1;
        return 0;
    }
#endif
    while (i < n) {
        /* plain bytes, 8 at a time (SWAR): a byte's top bit is set in t
         * when it is a quote, a backslash, a control character or non-ASCII */
        while (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
            uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | (v - ones * 0x20) | v;
            if (t & high) {
                /* a borrow may mark bytes above the first special one,
                 * never below it: on to it (the bytes read little-end first) */
                if (!BIG_ENDIAN_BYTES) i += (size_t)__builtin_ctzll(t & high) >> 3;
                break;
            }
            i += 8;
        }
        if (i >= n) break;
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
            i++;
            continue;
        }
        int r = string_byte(s, n, i, &next, escaped);
        if (r == STRING_ENDS) {
            *body = s + start;
            *len = i - start;
            c->i = i + 1;
            return 0;
        }
        if (r == STRING_BAD) return -1;
        i = next;
    }
    return -1;
}

/* A number jansson reads the same way: integers of at most 18 digits,
 * reals with exponents of at most 2 digits. */
static int scan_number(scan *c, int *is_int)
{
    size_t i = c->i, digits = 0, exp_digits = 0;
    *is_int = 1;
    if (i < c->n && c->s[i] == '-') i++;
    if (i >= c->n) return -1;
    if (c->s[i] == '0') {
        i++, digits = 1;
    } else if (c->s[i] >= '1' && c->s[i] <= '9') {
        while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9') i++, digits++;
    } else {
        return -1;
    }
    if (i < c->n && c->s[i] == '.') {
        *is_int = 0;
        i++;
        size_t f = 0;
        while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9') i++, f++;
        if (!f) return -1;
    }
    if (i < c->n && (c->s[i] == 'e' || c->s[i] == 'E')) {
        *is_int = 0;
        i++;
        if (i < c->n && (c->s[i] == '+' || c->s[i] == '-')) i++;
        while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9') i++, exp_digits++;
        if (!exp_digits || (exp_digits > 2 && !c->lenient)) return -1;
    }
    if (!c->lenient && *is_int && digits > 18) return -1;
    if (!c->lenient && !*is_int && digits > 300) return -1;
    c->i = i;
    return 0;
}

static int scan_literal(scan *c, const char *lit)
{
    size_t m = strlen(lit);
    if (c->i + m > c->n || memcmp(c->s + c->i, lit, m) != 0) return -1;
    c->i += m;
    return 0;
}

/* The two fields of the top-level object to find; NULL for nested values. */
typedef struct {
    const char *id_field, *text_field;
    size_t id_len, text_len;
    rp_json_fields *f;
} capture;

static int scan_value(scan *c, int depth);

/* Scans the value of a top-level key and records it when it is the id or
 * text field (a repeated key overwrites, as in jansson). */
static int capture_value(scan *c, const capture *cap, const char *key, size_t kl)
{
    rp_json_fields *f = cap->f;
    int is_text = kl == cap->text_len && memcmp(key, cap->text_field, kl) == 0;
    int is_id = kl == cap->id_len && memcmp(key, cap->id_field, kl) == 0;
    char ch = c->s[c->i];
    size_t vstart = c->i;
    if (ch == '"') {
        const char *b;
        size_t l;
        int e;
        if (scan_string(c, &b, &l, &e)) return -1;
        if (is_text) f->text = b, f->text_len = l, f->text_escaped = e, f->text_kind = RP_JF_STRING;
        if (is_id) f->id = b, f->id_len = l, f->id_escaped = e, f->id_kind = RP_JF_STRING;
        return 0;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        int is_int;
        if (scan_number(c, &is_int)) return -1;
        /* a numeric id is kept as written: -0, 1.50 and 1e5 stay so */
        if (is_text) f->text_kind = RP_JF_OTHER;
        if (is_id) f->id = c->s + vstart, f->id_len = c->i - vstart, f->id_kind = RP_JF_NUMBER;
        return 0;
    }
    if (scan_value(c, 1)) return -1;
    if (is_text) f->text_kind = RP_JF_OTHER;
    if (is_id) f->id_kind = ch == 'n' ? RP_JF_NULL : RP_JF_OTHER;
    return 0;
}

/* An object or array; with cap, the top-level object whose fields it finds. */
static int scan_container(scan *c, int depth, const capture *cap)
{
    if (depth > MAX_DEPTH) return -1;
    char open = c->s[c->i++], close = open == '{' ? '}' : ']';
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == close) {
        c->i++;
        return 0;
    }
    for (;;) {
        const char *key = NULL;
        size_t kl = 0;
        if (open == '{') {
            int ke;
            if (c->i >= c->n || c->s[c->i] != '"' || scan_string(c, &key, &kl, &ke)) return -1;
            if (cap && ke) return -1; /* an escaped field name: let jansson compare it */
            skip_ws(c);
            if (c->i >= c->n || c->s[c->i] != ':') return -1;
            c->i++;
            skip_ws(c);
        }
        if (c->i >= c->n) return -1;
        if (cap ? capture_value(c, cap, key, kl) : scan_value(c, depth + 1)) return -1;
        skip_ws(c);
        if (c->i >= c->n) return -1;
        if (c->s[c->i] == ',') {
            c->i++;
            skip_ws(c);
            continue;
        }
        if (c->s[c->i] == close) {
            c->i++;
            return 0;
        }
        return -1;
    }
}

static int scan_value(scan *c, int depth)
{
    if (c->i >= c->n) return -1;
    char ch = c->s[c->i];
    if (ch == '"') {
        const char *b;
        size_t l;
        int e;
        return scan_string(c, &b, &l, &e);
    }
    if (ch == '{' || ch == '[') return scan_container(c, depth, NULL);
    if (ch == 't') return scan_literal(c, "true");
    if (ch == 'f') return scan_literal(c, "false");
    if (ch == 'n') return scan_literal(c, "null");
    int is_int;
    return scan_number(c, &is_int);
}

static int json_scan(const char *s, size_t n, const char *id_field, const char *text_field,
                     rp_json_fields *f, int lenient)
{
    memset(f, 0, sizeof(*f));
    scan c = {s, n, 0, lenient};
    capture cap = {id_field, text_field, strlen(id_field), strlen(text_field), f};
    skip_ws(&c);
    if (c.i >= n || s[c.i] != '{' || scan_container(&c, 0, &cap)) return -1;
    skip_ws(&c);
    return c.i == n ? 0 : -1;
}

int rp__json_scan(const char *s, size_t n, const char *id_field, const char *text_field,
                  rp_json_fields *f)
{
    return json_scan(s, n, id_field, text_field, f, 0);
}

int rp__json_scan_lenient(const char *s, size_t n, const char *id_field, const char *text_field,
                          rp_json_fields *f)
{
    return json_scan(s, n, id_field, text_field, f, 1);
}

static size_t put_utf8(char *dst, uint32_t cp)
{
    return (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)dst);
}

int rp__json_unescape(const char *s, size_t n, rp_buf *out)
{
    out->len = 0;
    if (rp__buf_reserve(out, n + 1)) return -1; /* unescaped is never longer */
    char *d = out->data;
    size_t i = 0, w = 0;
    while (i < n) {
        const char *bs = memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
        memcpy(d + w, s + i, run);
        w += run;
        i += run;
        if (!bs) break;
        char e = s[i + 1];
        i += 2;
        switch (e) {
        case 'b': d[w++] = '\b'; break;
        case 'f': d[w++] = '\f'; break;
        case 'n': d[w++] = '\n'; break;
        case 'r': d[w++] = '\r'; break;
        case 't': d[w++] = '\t'; break;
        case 'u': {
            uint32_t v, lo;
            if (read_u4(s, n, i, &v)) return -1;
            i += 4;
            if (v >= 0xD800 && v <= 0xDBFF) {
                if (read_u4(s, n, i + 2, &lo)) return -1;
                i += 6;
                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            }
            w += put_utf8(d + w, v);
            break;
        }
        default: d[w++] = e; break; /* " \ / */
        }
    }
    out->len = w;
    d[w] = 0;
    return 0;
}
