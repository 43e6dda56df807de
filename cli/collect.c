/*
 * collect.c — pairs kept in memory for the readable views.
 */
#include "collect.h"

#include <stdlib.h>
#include <string.h>

static char *copy_id(const rp_id *id)
{
    char *s = malloc(id->len + 1);
    if (!s) return NULL;
    memcpy(s, id->str, id->len);
    s[id->len] = 0;
    for (size_t i = 0; i < id->len; i++)
        if ((unsigned char)s[i] < 0x20) s[i] = '?'; /* never a control sequence on a terminal */
    return s;
}

int held_add(void *user, const rp_pair *p)
{
    held_pairs *hp = user;
    if (hp->n == hp->cap) {
        size_t cap = hp->cap ? hp->cap * 2 : 64;
        held_pair *v = realloc(hp->v, cap * sizeof(*v));
        if (!v) return 1;
        hp->v = v;
        hp->cap = cap;
    }
    held_pair *h = &hp->v[hp->n];
    h->a = copy_id(&p->a);
    h->b = copy_id(&p->b);
    if (!h->a || !h->b) {
        free(h->a);
        free(h->b);
        return 1;
    }
    h->a_index = p->a_index;
    h->b_index = p->b_index;
    h->jaccard = p->jaccard;
    h->containment_a = p->containment_a;
    h->containment_b = p->containment_b;
    hp->n++;
    return 0;
}

rp_status held_collect(rp_engine *e, held_pairs *hp)
{
    memset(hp, 0, sizeof(*hp));
    return rp_engine_foreach_pair(e, held_add, hp);
}

void held_free(held_pairs *hp)
{
    for (size_t i = 0; i < hp->n; i++) {
        free(hp->v[i].a);
        free(hp->v[i].b);
    }
    free(hp->v);
    memset(hp, 0, sizeof(*hp));
}

void held_id(char *dst, size_t cap, const char *id, size_t len, size_t width)
{
    size_t n = len, cols = 0, i = 0, w = 0;
    while (i < n && w + 4 < cap) {
        size_t clen = 1;
        unsigned char c = (unsigned char)id[i];
        if (c >= 0xF0) clen = 4;
        else if (c >= 0xE0) clen = 3;
        else if (c >= 0xC0) clen = 2;
        if (width && cols + 1 >= width && i + clen < n) {
            memcpy(dst + w, "\xE2\x80\xA6", 3); /* … */
            w += 3;
            i = n;
            break;
        }
        for (size_t k = 0; k < clen && i < n; k++, i++)
            dst[w++] = (unsigned char)id[i] < 0x20 ? '?' : id[i];
        cols++;
    }
    dst[w] = 0;
    if (width)
        for (; cols < width && w + 1 < cap; cols++) dst[w++] = ' ', dst[w] = 0;
}
