/* spinner.h — an article spinner for the tests, in the style of the spun
 * seed: content words swapped for WordNet synonyms drawn from any of their
 * senses (a thesaurus spinner does not know which sense is meant: "space
 * launch facility" -> "area launch facility"), sentence structure kept. */
#ifndef REPRINT_SPINNER_H
#define REPRINT_SPINNER_H

#include "internal.h"

#include <ctype.h>
#include <string.h>
#include <wn.h>

typedef struct {
    uint64_t rng;
    rp_tokenizer *tok;       /* to ask the library which words are function words */
    size_t content, replaceable, replaced;
} spinner;

static uint64_t spin_rand(spinner *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

/* A synonym of lower-case word w from any sense of its base form, or 0. */
static int spin_synonym(spinner *s, const char *w, char *out, size_t cap)
{
    static const int order[] = {VERB, NOUN, ADJ, ADV};
    char buf[128], base[128];
    snprintf(buf, sizeof(buf), "%s", w);
    snprintf(base, sizeof(base), "%s", w);
    for (int o = 0; o < 4; o++) {
        char *m = morphstr(buf, order[o]);
        if (m) {
            snprintf(base, sizeof(base), "%s", m);
            break;
        }
    }
    char cand[64][64];
    int n = 0;
    for (int pos = 1; pos <= NUMPARTS; pos++) {
        IndexPtr ip = index_lookup(base, pos);
        if (!ip) continue;
        for (int k = 0; k < ip->off_cnt && n < 64; k++) {
            SynsetPtr ss = read_synset(pos, ip->offset[k], "");
            if (!ss) continue;
            for (int x = 0; x < ss->wcount && n < 64; x++) {
                char *l = ss->words[x];
                if (strchr(l, '_') || strchr(l, '(') || strcasecmp(l, base) == 0 ||
                    strcasecmp(l, w) == 0 || strlen(l) >= 64)
                    continue;
                snprintf(cand[n++], 64, "%s", l);
            }
            free_synset(ss);
        }
        free_index(ip);
    }
    if (!n) return 0;
    snprintf(out, cap, "%s", cand[spin_rand(s) % (uint64_t)n]);
    return 1;
}

/* Spins text: each replaceable content word is swapped with probability
 * rate. Returns a malloc'd string. */
static inline char *spin_text(spinner *s, const char *text, double rate)
{
    size_t len = strlen(text), o = 0, cap = len * 3 + 64;
    char *out = malloc(cap);
    for (size_t i = 0; i < len;) {
        if (!isalpha((unsigned char)text[i])) {
            out[o++] = text[i++];
            continue;
        }
        size_t j = i;
        while (j < len && isalpha((unsigned char)text[j])) j++;
        char w[128];
        size_t wl = j - i < 127 ? j - i : 127;
        for (size_t k = 0; k < wl; k++) w[k] = (char)tolower((unsigned char)text[i + k]);
        w[wl] = 0;
        const uint64_t *h;
        const rp_span *sp;
        size_t n;
        int content = wl >= 3 && rp_tokenize(s->tok, w, wl, &h, &sp, &n) == RP_OK && n == 1 &&
                      !rp__is_function_word(h[0]);
        char syn[64];
        if (content) s->content++;
        if (content && spin_synonym(s, w, syn, sizeof(syn))) {
            s->replaceable++;
            if ((double)(spin_rand(s) % 1000000) / 1e6 < rate) {
                s->replaced++;
                if (isupper((unsigned char)text[i])) syn[0] = (char)toupper((unsigned char)syn[0]);
                size_t sl = strlen(syn);
                if (o + 64 + (len - i) > cap) out = realloc(out, cap = cap * 2 + 64);
                memcpy(out + o, syn, sl);
                o += sl;
                i = j;
                continue;
            }
        }
        if (o + 64 + (len - i) > cap) out = realloc(out, cap = cap * 2 + 64);
        memcpy(out + o, text + i, j - i);
        o += j - i;
        i = j;
    }
    out[o] = 0;
    return out;
}

#endif
