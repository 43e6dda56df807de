/*
 * normalize.c — the matching view of a text: words, normalized and hashed,
 * each with its code point offsets into the original text.
 *
 * Normalization is for matching only; the text itself is never changed, and
 * every word keeps [start, end) in code points of the original so that later
 * stages (alignment) can point back into it as a Python str would index it.
 *
 * What counts as the same word:
 *   - Unicode NFKC + case folding (utf8proc): "Ｋｉｍ", "KIM" and "kim" match;
 *   - every apostrophe look-alike (’ ‘ ʼ ′ ` ´ ＇) inside a word becomes ';
 *     quotes and dashes never belong to a word, so “” «» ' " – — - all just
 *     separate words and styles cannot matter;
 *   - a word is a run of letters, marks and digits; each CJK ideograph or
 *     kana is a word of its own, as those scripts do not use spaces.
 * What is not a word at all: HTML tags (<p class=x>), HTML entities (&amp;),
 * markdown link targets ([text](target) keeps "text"), and URLs (http://,
 * https://, www.). Markdown emphasis and headings (* _ # >) are punctuation
 * and separate words like any other.
 *
 * Cost: one pass over the bytes. ASCII words (the bulk of most corpora) are
 * lowercased through a table and hashed with XXH3; only words holding other
 * code points go through utf8proc's decomposition and composition. Buffers
 * are reused across calls, so a warm tokenizer allocates nothing.
 */
#include "internal.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* XXH3 inlined: a word is a few bytes, and a call per word through the
 * shared library's dispatch costs more than the hash itself */
#define XXH_INLINE_ALL
#include <xxhash.h>

struct rp_tokenizer {
    uint64_t *hashes;    /* one per word */
    rp_span *spans;      /* code point offsets, one per word */
    uint32_t *bytes;     /* byte offsets: start, end per word (for _word()) */
    size_t n, cap;
    rp_buf word;         /* normalized bytes of the word being built */
    utf8proc_int32_t *u32;
    size_t u32_cap;
    int scalar_only;     /* tests: no block path */
    char tail[160];      /* a text's last bytes, for the block path (rp_tokenize) */
    const char *text;    /* last text tokenized (not owned) */
    size_t text_len;
    char err[RP_MSG_MAX];
};

/* Byte classes of the ASCII fast path. */
enum { C_SEP = 0, C_WORD = 1, C_SPECIAL = 2 };
static unsigned char ascii_class[128];
static unsigned char ascii_lower[128];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
    for (int c = 0; c < 128; c++) {
        ascii_lower[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            ascii_class[c] = C_WORD;
        else if (c == '<' || c == '&' || c == ']' || c == 0)
            ascii_class[c] = C_SPECIAL;
        else
            ascii_class[c] = C_SEP;
    }
}

rp_tokenizer *rp_tokenizer_create(void)
{
    pthread_once(&tables_once, init_tables); /* two engines of one process may start together */
    return calloc(1, sizeof(rp_tokenizer));
}

void rp_tokenizer_free(rp_tokenizer *tok)
{
    if (!tok) return;
    free(tok->hashes);
    free(tok->spans);
    free(tok->bytes);
    free(tok->u32);
    rp__buf_free(&tok->word);
    free(tok);
}

const char *rp_tokenizer_error(const rp_tokenizer *tok)
{
    return tok->err;
}

static int is_apostrophe(int32_t cp)
{
    return cp == 0x27 || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x2032 ||
           cp == 0x60 || cp == 0xB4 || cp == 0xFF07;
}

/* Ideographs and kana: one word per code point. */
static int is_cjk(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int is_word_cp(int32_t cp)
{
    if (cp < 0x80) return ascii_class[cp] == C_WORD;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* Decodes the code point at byte i; returns its length or -1 if invalid. */
static int decode_at(const char *text, size_t len, size_t i, int32_t *cp)
{
    unsigned char c = (unsigned char)text[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                          (utf8proc_ssize_t)(len - i), cp);
    return n > 0 ? (int)n : -1;
}

static rp_status bad_utf8(rp_tokenizer *tok, size_t at)
{
    rp__msg(tok->err, "invalid UTF-8 at byte %zu", at);
    return RP_ERR_UTF8;
}

/* Counts the code points of text[from, to), validating them. */
static rp_status count_cps(rp_tokenizer *tok, const char *text, size_t len, size_t from, size_t to,
                           uint64_t *cps)
{
    size_t i = from;
    while (i < to) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if (c == 0) {
                rp__msg(tok->err, "NUL byte at byte %zu: binary data, not text", i);
                return RP_ERR_NUL;
            }
            i++;
        } else {
            int32_t cp;
            int n = decode_at(text, len, i, &cp);
            if (n < 0) return bad_utf8(tok, i);
            i += (size_t)n;
        }
        (*cps)++;
    }
    return RP_OK;
}

static int ascii_ieq(const char *s, size_t avail, const char *lit)
{
    size_t n = strlen(lit);
    if (avail < n) return 0;
    for (size_t k = 0; k < n; k++)
        if (ascii_lower[(unsigned char)s[k] & 0x7F] != (unsigned char)lit[k] ||
            (unsigned char)s[k] >= 0x80)
            return 0;
    return 1;
}

/* Length of markup starting at text[i] that is not words, or 0. */
static size_t markup_len(const char *text, size_t len, size_t i)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '<') {
        /* an HTML tag, comment or declaration, or a markdown autolink */
        if (i + 1 >= len) return 0;
        unsigned char d = (unsigned char)text[i + 1];
        if (!((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d == '/' || d == '!' || d == '?'))
            return 0;
        size_t lim = i + 1024 < len ? i + 1024 : len;
        for (size_t j = i + 1; j < lim; j++) {
            if (text[j] == '>') return j + 1 - i;
            if (text[j] == '<') return 0;
        }
        return 0;
    }
    if (c == '&') {
        /* &name; &#123; &#x1F; */
        size_t j = i + 1, k;
        if (j < len && text[j] == '#') {
            j++;
            int hex = 0;
            if (j < len && (text[j] == 'x' || text[j] == 'X')) hex = 1, j++;
            for (k = 0; j < len && k < 8; j++, k++) {
                unsigned char e = (unsigned char)text[j];
                int ok = (e >= '0' && e <= '9') ||
                         (hex && ((e >= 'a' && e <= 'f') || (e >= 'A' && e <= 'F')));
                if (!ok) break;
            }
        } else {
            for (k = 0; j < len && k < 32; j++, k++) {
                unsigned char e = (unsigned char)text[j];
                if (!((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')))
                    break;
            }
            if (k < 2) return 0;
        }
        if (k == 0 || j >= len || text[j] != ';') return 0;
        return j + 1 - i;
    }
    if (c == ']') {
        /* markdown link target: ](target) without spaces */
        if (i + 1 >= len || text[i + 1] != '(') return 0;
        size_t lim = i + 2048 < len ? i + 2048 : len;
        for (size_t j = i + 2; j < lim; j++) {
            unsigned char e = (unsigned char)text[j];
            if (e == ')') return j + 1 - i;
            if (e == ' ' || e == '\n' || e == '\t' || e == '\r' || e == '(' || e == '[') return 0;
        }
        return 0;
    }
    return 0;
}

/* Length of a URL starting at text[i] (http://, https://, www.), or 0. */
static size_t url_len(const char *text, size_t len, size_t i)
{
    size_t avail = len - i;
    if (!ascii_ieq(text + i, avail, "http://") && !ascii_ieq(text + i, avail, "https://") &&
        !ascii_ieq(text + i, avail, "www."))
        return 0;
    size_t j = i;
    while (j < len) {
        unsigned char e = (unsigned char)text[j];
        if (e >= 0x80 || e <= ' ' || e == '<' || e == '>' || e == '"' || e == '\'' || e == ')' ||
            e == ']' || e == '`')
            break;
        j++;
    }
    return j - i;
}

static utf8proc_int32_t fold_apostrophe(utf8proc_int32_t cp, void *unused)
{
    (void)unused;
    return is_apostrophe(cp) ? 0x27 : cp;
}

/* Normalizes a word holding non-ASCII code points into tok->word:
 * NFKC(casefold(word)) with apostrophes unified, as UTF-8. */
static rp_status normalize_unicode_word(rp_tokenizer *tok, const char *w, size_t wlen)
{
    const utf8proc_option_t decompose =
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STABLE;
    utf8proc_ssize_t n;
    for (;;) {
        n = utf8proc_decompose_custom((const utf8proc_uint8_t *)w, (utf8proc_ssize_t)wlen, tok->u32,
                                      (utf8proc_ssize_t)tok->u32_cap, decompose, fold_apostrophe,
                                      NULL);
        if (n < 0) return RP_ERR_UTF8;
        if ((size_t)n <= tok->u32_cap) break;
        if (rp__grow((void **)&tok->u32, &tok->u32_cap, (size_t)n, sizeof(*tok->u32)))
            return RP_ERR_NOMEM;
    }
    n = utf8proc_normalize_utf32(tok->u32, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (n < 0) return RP_ERR_UTF8;
    tok->word.len = 0;
    if (rp__buf_reserve(&tok->word, (size_t)n * 4)) return RP_ERR_NOMEM;
    for (utf8proc_ssize_t k = 0; k < n; k++)
        tok->word.len += (size_t)utf8proc_encode_char(
            tok->u32[k], (utf8proc_uint8_t *)tok->word.data + tok->word.len);
    return RP_OK;
}

/* A word's hash. Words under 16 bytes are hashed zero-padded to 16, so that
 * XXH3 takes its one 9-to-16-byte path whatever the length: a branch on the
 * length of every word, mispredicted in running text, cost more than the
 * hash. (A word holds no NUL, so padding cannot make two words equal.) */
static inline uint64_t word_hash(const char *w, size_t n)
{
    if (n >= 16) return XXH3_64bits(w, n);
    char pad[16] = {0};
    memcpy(pad, w, n);
    return XXH3_64bits(pad, 16);
}

static rp_status push_word(rp_tokenizer *tok, uint64_t hash, uint64_t cs, uint64_t ce, size_t bs,
                           size_t be)
{
    if (tok->n == tok->cap) {
        size_t cap = tok->cap ? tok->cap * 2 : 1024;
        uint64_t *h = realloc(tok->hashes, cap * sizeof(*h));
        if (h) tok->hashes = h;
        rp_span *s = realloc(tok->spans, cap * sizeof(*s));
        if (s) tok->spans = s;
        uint32_t *b = realloc(tok->bytes, cap * 2 * sizeof(*b));
        if (b) tok->bytes = b;
        if (!h || !s || !b) return RP_ERR_NOMEM;
        tok->cap = cap;
    }
    tok->hashes[tok->n] = hash;
    tok->spans[tok->n].start = (uint32_t)cs;
    tok->spans[tok->n].end = (uint32_t)ce;
    tok->bytes[2 * tok->n] = (uint32_t)bs;
    tok->bytes[2 * tok->n + 1] = (uint32_t)be;
    tok->n++;
    return RP_OK;
}

/* Scans the word starting at byte *pi (a word code point); advances *pi and
 * *pcp past it and records it. */
static rp_status scan_word(rp_tokenizer *tok, const char *text, size_t len, size_t *pi,
                           uint64_t *pcp)
{
    size_t i = *pi, start = i;
    uint64_t cp_idx = *pcp, cp_start = cp_idx;
    int ascii = 1;

    int32_t cp;
    int n = decode_at(text, len, i, &cp);
    if (n < 0) return bad_utf8(tok, i);
    if (is_cjk(cp)) { /* a word of one code point */
        i += (size_t)n;
        cp_idx++;
        ascii = 0;
        goto done;
    }
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if (ascii_class[c] == C_WORD) {
                i++;
                cp_idx++;
                continue;
            }
            if (c != '\'' && c != '`') break;
            cp = c;
            n = 1;
        } else {
            n = decode_at(text, len, i, &cp);
            if (n < 0) return bad_utf8(tok, i);
            if (is_cjk(cp)) break;
            if (!is_apostrophe(cp)) {
                if (!is_word_cp(cp)) break;
                ascii = 0;
                i += (size_t)n;
                cp_idx++;
                continue;
            }
        }
        /* an apostrophe: part of the word only between word code points */
        int32_t next;
        size_t j = i + (size_t)n;
        if (j >= len) break;
        int m = decode_at(text, len, j, &next);
        if (m < 0 || !is_word_cp(next) || is_cjk(next)) break;
        if (cp >= 0x80) ascii = 0;
        i = j;
        cp_idx++;
    }
done:
    if (ascii) {
        /* lowercase in one go; ` is the one ASCII apostrophe look-alike */
        if (rp__buf_reserve(&tok->word, i - start)) return RP_ERR_NOMEM;
        for (size_t k = start; k < i; k++) {
            unsigned char c = (unsigned char)text[k];
            tok->word.data[k - start] = (char)(c == '`' ? '\'' : ascii_lower[c]);
        }
        tok->word.len = i - start;
    } else {
        rp_status st = normalize_unicode_word(tok, text + start, i - start);
        if (st == RP_ERR_UTF8) return bad_utf8(tok, start);
        if (st != RP_OK) return st;
    }
    uint64_t hash = word_hash(tok->word.data, tok->word.len);
    *pi = i;
    *pcp = cp_idx;
    return push_word(tok, hash, cp_start, cp_idx, start, i);
}

void rp__tokenizer_scalar(rp_tokenizer *tok, int on)
{
    tok->scalar_only = on;
}

#ifdef __SSE2__
/* Bit k set when byte k of v is an ASCII letter or digit (signed compares:
 * bytes of 0x80 and above are negative and fail both ranges). */
static inline unsigned word_mask(__m128i v)
{
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(digit, alpha));
}

/* The word bytes of the 64 at p; *special gets the bytes the block path
 * leaves to the scalar loop: non-ASCII, markup starts and NUL. */
static inline uint64_t block_masks(const char *p, uint64_t *special)
{
    uint64_t word = 0, spec = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i s = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))),
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(']')), _mm_cmpeq_epi8(v, _mm_setzero_si128())));
        spec |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(s, v)) << (16 * k);
        word |= (uint64_t)word_mask(v) << (16 * k);
    }
    *special = spec;
    return word;
}

/* The block path for the bulk of most texts: 64 bytes at a time, their word
 * bytes found as a bit mask, so every word's start and end is known at once
 * and the words are hashed independently of each other (a byte loop chains
 * each word's work to the end of the one before). It takes ASCII words of
 * up to 16 bytes that end in an ASCII separator, and stops at anything else
 * (non-ASCII, markup, NUL, an apostrophe after a word, a possible URL, a
 * long word), which the scalar loop then takes: *resume says from where the
 * block path is worth trying again, past the specials it saw. */
static rp_status fast_blocks(rp_tokenizer *tok, const char *text, size_t len, size_t base, size_t *pi,
                             uint64_t *pcp, size_t *resume)
{
    size_t i = *pi;
    uint64_t cp = *pcp;
    rp_status st = RP_OK;
    const __m128i iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    /* a word read 16 bytes from its start: blocks end 16 bytes early */
    while (i + 80 <= len) {
        const char *p = text + i;
        uint64_t special, word = block_masks(p, &special);
        unsigned stop = special ? (unsigned)__builtin_ctzll(special) : 64, next = stop;
        int scalar = stop < 64;
        /* i is never inside a word, so bit 0 set is a start too */
        uint64_t starts = word & ~(word << 1);
        if (stop < 64) starts &= ((uint64_t)1 << stop) - 1;
        while (starts) {
            unsigned s = (unsigned)__builtin_ctzll(starts);
            starts &= starts - 1;
            uint64_t rest = ~word >> s;
            if (!rest) { /* runs past the block: the next block starts with it */
                next = s;
                scalar = s == 0; /* a word of 64 bytes or more */
                break;
            }
            unsigned e = s + (unsigned)__builtin_ctzll(rest), wl = e - s;
            unsigned char c0 = (unsigned char)(p[s] | 0x20), c1 = (unsigned char)(p[s + 1] | 0x20);
            if (e >= stop || wl > 16 || p[e] == '\'' || p[e] == '`' ||
                (c0 == 'h' && c1 == 't') || (c0 == 'w' && c1 == 'w')) {
                next = s;
                scalar = 1;
                break;
            }
            /* lowercased (|0x20 leaves digits alone), zeroed past the word:
             * word_hash's padded form */
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(p + s));
            __m128i keep = _mm_cmpgt_epi8(_mm_set1_epi8((char)wl), iota);
            char lw[16];
            _mm_storeu_si128((__m128i *)(void *)lw,
                             _mm_and_si128(keep, _mm_or_si128(w, _mm_set1_epi8(0x20))));
            if ((st = push_word(tok, XXH3_64bits(lw, 16), cp + s, cp + e, base + i + s, base + i + e)) !=
                RP_OK)
                goto done;
        }
        i += next;
        cp += next; /* all ASCII before the first special */
        if (scalar) {
            /* the scalar loop takes this block's specials: retrying the
             * block path at each would cost a block per byte in non-Latin text */
            *resume = special ? i - next + 64 - (unsigned)__builtin_clzll(special) : i + 1;
            break;
        }
    }
done:
    *pi = i;
    *pcp = cp;
    return st;
}
#endif

/* Bytes at the end of a text worth copying for the block path. */
#define TAIL_MIN 16

rp_status rp_tokenize(rp_tokenizer *tok, const char *text, size_t len, const uint64_t **hashes,
                      const rp_span **spans, size_t *n_out)
{
    tok->n = 0;
    tok->err[0] = 0;
    tok->text = text;
    tok->text_len = len;
    if (len > UINT32_MAX) {
        rp__msg(tok->err, "document of %zu bytes exceeds the 4 GiB limit", len);
        return RP_ERR_TOO_LARGE;
    }
    size_t i = 0, resume = tok->scalar_only ? SIZE_MAX : 0;
    uint64_t cp = 0;
    rp_status st;
    while (i < len) {
#ifdef __SSE2__
        if (i >= resume && i + 80 <= len) {
            size_t from = i;
            if ((st = fast_blocks(tok, text, len, 0, &i, &cp, &resume)) != RP_OK) return st;
            if (i != from) continue;
        }
        if (i >= resume && i + 80 > len && len - i >= TAIL_MIN) {
            /* the last bytes, too few for a block and its word's read,
             * copied with spaces after them (a quarter of a 300-byte post
             * went to the byte loop): positions are the text's, and the
             * end of the text ends a word as a space does */
            size_t from = i, at = 0, rest = len - i, again = SIZE_MAX;
            memcpy(tok->tail, text + i, rest);
            memset(tok->tail + rest, ' ', sizeof(tok->tail) - rest);
            if ((st = fast_blocks(tok, tok->tail, rest + 80, from, &at, &cp, &again)) != RP_OK) return st;
            resume = again == SIZE_MAX ? len : from + again;
            i = from + (at < rest ? at : rest);
            if (i != from) continue;
        }
#endif
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            unsigned char cls = ascii_class[c];
            if (cls == C_SEP) {
                i++;
                cp++;
                continue;
            }
            if (cls == C_WORD) {
                size_t u = 0;
                if (((c | 0x20) == 'h' || (c | 0x20) == 'w') && i + 4 <= len &&
                    ((text[i + 1] | 0x20) == 't' || (text[i + 1] | 0x20) == 'w'))
                    u = url_len(text, len, i);
                if (u) {
                    i += u, cp += u; /* URLs stop at the first non-ASCII byte */
                    continue;
                }
                if ((st = scan_word(tok, text, len, &i, &cp)) != RP_OK) return st;
                continue;
            }
            if (c == 0) {
                rp__msg(tok->err, "NUL byte at byte %zu: binary data, not text", i);
                return RP_ERR_NUL;
            }
            size_t m = markup_len(text, len, i);
            if (m) {
                if ((st = count_cps(tok, text, len, i, i + m, &cp)) != RP_OK) return st;
                i += m;
            } else {
                i++;
                cp++;
            }
            continue;
        }
        int32_t u;
        int n = decode_at(text, len, i, &u);
        if (n < 0) return bad_utf8(tok, i);
        /* U+02BC is both a letter and an apostrophe: a word never starts
         * with an apostrophe, or it could be a word of no code point */
        if (is_word_cp(u) && !is_apostrophe(u)) {
            if ((st = scan_word(tok, text, len, &i, &cp)) != RP_OK) return st;
        } else {
            i += (size_t)n;
            cp++;
        }
    }
    *hashes = tok->hashes;
    *spans = tok->spans;
    *n_out = tok->n;
    return RP_OK;
}

size_t rp_tokenizer_word(rp_tokenizer *tok, size_t i, char *out, size_t cap)
{
    if (i >= tok->n || cap == 0) return 0;
    size_t bs = tok->bytes[2 * i], be = tok->bytes[2 * i + 1];
    size_t len = 0;
    int ascii = 1;
    for (size_t k = bs; k < be; k++)
        if ((unsigned char)tok->text[k] >= 0x80) ascii = 0;
    if (ascii) {
        for (size_t k = bs; k < be && len + 1 < cap; k++)
            out[len++] = (char)ascii_lower[(unsigned char)tok->text[k]];
    } else if (normalize_unicode_word(tok, tok->text + bs, be - bs) == RP_OK) {
        len = tok->word.len < cap - 1 ? tok->word.len : cap - 1;
        memcpy(out, tok->word.data, len);
    }
    out[len] = 0;
    return len;
}
