/*
 * sentence.c — where a text's sentences end, in words.
 *
 * Rewritten reuse is aligned sentence against sentence (rewrite.c), the
 * unit in which a paraphrase, a summary or a spinner keeps the meaning
 * while changing the words. The boundaries come from the text between two
 * words: a full stop, question or exclamation mark (or their CJK forms)
 * followed by a word that does not start in lower case, or a line break
 * (headlines, paragraphs and list items end there). A full stop after a
 * single capital ("J. Smith") or a title ("Mr.", "Dr.", "St.") is not an
 * end. A run of MAX_SENTENCE words without one is cut, so that one
 * unpunctuated page is not one sentence.
 */
#include "internal.h"

#include <string.h>

#define MAX_SENTENCE 60

static int is_title(const char *w, size_t n)
{
    static const char *const titles[] = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen",
                                         "sen", "rep", "gov", "lt", "col", "capt", "sgt", "mt",
                                         "no", "vs", "rev", "hon", NULL};
    if (n == 1 && w[0] >= 'A' && w[0] <= 'Z') return 1;
    for (int k = 0; titles[k]; k++) {
        size_t l = strlen(titles[k]);
        if (l != n) continue;
        size_t x = 0;
        while (x < n && (w[x] | 0x20) == titles[k][x]) x++;
        if (x == n) return 1;
    }
    return 0;
}

/* Advances (*byte, *cp) to code point `to` of text. */
static void seek_cp(const char *t, size_t len, size_t *byte, uint32_t *cp, uint32_t to)
{
    while (*cp < to && *byte < len) {
        (*byte)++;
        while (*byte < len && ((unsigned char)t[*byte] & 0xC0) == 0x80) (*byte)++;
        (*cp)++;
    }
}

size_t rp__sentence_ends(const char *text, size_t len, const rp_span *spans, size_t n,
                         uint32_t *out)
{
    size_t n_out = 0, byte = 0, wstart = 0;
    uint32_t cp = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        seek_cp(text, len, &byte, &cp, spans[i].start);
        wstart = byte;
        seek_cp(text, len, &byte, &cp, spans[i].end);
        size_t wend = byte;
        if (i + 1 == n) break;
        /* the gap to the next word */
        size_t gb = byte;
        uint32_t gcp = cp;
        seek_cp(text, len, &gb, &gcp, spans[i + 1].start);
        int end = 0, stop = 0;
        for (size_t k = wend; k < gb && !end; k++) {
            unsigned char c = (unsigned char)text[k];
            if (c == '\n') end = 1;
            else if (c == '!' || c == '?') end = 1;
            else if (c == '.') stop = 1;
            else if (c == 0xE3 && k + 2 < gb && (unsigned char)text[k + 1] == 0x80 &&
                     (unsigned char)text[k + 2] == 0x82)
                end = 1; /* U+3002 ideographic full stop */
            else if (c == 0xEF && k + 2 < gb && (unsigned char)text[k + 1] == 0xBC &&
                     ((unsigned char)text[k + 2] == 0x81 || (unsigned char)text[k + 2] == 0x9F))
                end = 1; /* fullwidth ! and ? */
        }
        if (!end && stop) {
            unsigned char next = gb < len ? (unsigned char)text[gb] : 0;
            int after_title = wend > wstart && text[wend] == '.' && is_title(text + wstart, wend - wstart);
            end = !(next >= 'a' && next <= 'z') && !after_title;
        }
        if (end || i + 1 - first >= MAX_SENTENCE) {
            out[n_out++] = (uint32_t)(i + 1);
            first = (uint32_t)(i + 1);
        }
    }
    if (n > first || n_out == 0) out[n_out++] = (uint32_t)n;
    return n_out;
}
