/*
 * stories.c — which documents report the same story, whether or not they
 * share a passage.
 *
 * Two reports of one event share its rare names and terms (the people, the
 * places, the things only this event involves) far more than two reports on
 * the same topic do. So each document is a TF-IDF vector over its content
 * words, function words left out, each word taken by its spin key (synonym
 * class or stem, spin.c) so that a rewrite or a spun copy keeps its terms;
 * a word written with a capital inside a sentence (a name) weighs double.
 *
 *   1. DF. Every document's distinct terms are counted (the one pass over
 *      the corpus, workers). Each document's terms with their counts go to
 *      a temporary file as they are committed (8 bytes a term): finding
 *      content words and their spin keys is most of stories' time, and a
 *      second pass over the corpus did it all again.
 *   2. Vectors. Each document keeps its TOP_TERMS heaviest terms, weighted
 *      (1 + ln tf) * ln(1 + N / df), normalized (read back from that file
 *      by threads, a round of documents at a time). A term found in no
 *      other document is left out: it cannot be shared, and a site's
 *      header, footer and boilerplate would only dilute the vector.
 *   3. Candidates. Documents sharing two of their KEY_TERMS heaviest
 *      terms found in more than one document, through the radix-sorted
 *      buckets dedup's bands use (a bucket above max_bucket is chained, not
 *      paired), so the cost follows the number of documents, not its
 *      square. One shared term made 560 times the candidates on news-like
 *      documents, nearly all of a genre's words, which the specific-terms
 *      rule below then refused.
 *      Two documents are alike at story_threshold cosine or more, and when
 *      they share SPECIFIC_SHARED terms that are specific: found in at most
 *      1/SPECIFIC_SHARE of the documents (and at least up to SPECIFIC_MIN).
 *      Two reports of one event share its people and places, which few
 *      other documents name; two match reports of one team, two council
 *      meetings, two speeches share the genre's vocabulary and its regulars
 *      (the team, the mayor), which a genre's hundreds of documents all
 *      name. Measured on 20,000 generated documents of 25 genres and 300
 *      events (test_story.c): without the rule 17,000 one-off documents
 *      join stories by their genre (purity 0.16); with it 4 do (0.999),
 *      every event still one story.
 *   4. Clusters. Candidate pairs at story_threshold cosine or more are taken
 *      from the most similar down. Two clusters merge only when their
 *      centroids are also that similar: a document that mentions two events
 *      joins one of them and does not bridge the two stories together, which
 *      single-link clustering would.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#define TOP_TERMS 24      /* terms kept per document */
#define KEY_TERMS 8       /* of which these make candidates */
#define CENTROID_TERMS 64 /* terms kept per cluster centroid */
#define SHOW_TERMS RP_STORY_TERMS
#define SPECIFIC_SHARED 2   /* specific terms two documents of one story share */
#define SPECIFIC_SHARE 200  /* a term in more than 1/200 of the documents, */
#define SPECIFIC_MIN 100    /*   and in more than 100, is a topic's, not an event's */

typedef struct {
    uint32_t term;
    float w;
} rp_tw;

typedef struct {
    rp_tw *v;                /* sorted by term */
    size_t n, cap;
    uint32_t members;
} rp_centroid;

/* A sorted run of edges in edge_file: its first edge's place and its count. */
typedef struct {
    uint64_t at, n;
} rp_edge_run;

struct rp_stories {
    rp_corpus *c;
    rp_stats *stats;
    char *err;
    /* terms: open addressing on term id + 1 */
    uint32_t *tkey, *tdf, *ttext; /* ttext: offset in text arena */
    uint8_t *tlen;
    size_t tmask, tn;
    rp_buf text;
    uint64_t n_good;
    uint32_t specific_df;    /* a term in at most this many documents names an event */
    /* per record */
    uint64_t *vec_off;       /* into vecs; UINT64_MAX for a rejected record */
    uint8_t *vec_len;
    rp_tw *vecs;             /* in memory, or (--memory) in vec_file */
    size_t n_vecs, cap_vecs;
    FILE *vec_file;
    uint64_t *id_off;        /* into ids: offset << 1 | is_number */
    uint32_t *id_len;
    rp_buf ids;
    uint64_t n_rec, cap_rec;
    /* each document's distinct terms as pass 1 found them, for the
     * weighing: term << 32 | count << 1 | named, in a temporary file */
    FILE *cache;
    uint64_t cache_at;       /* entries written */
    uint64_t *cache_off;     /* per record: where its entries start */
    uint32_t *cache_n;       /* and how many */
    uint64_t *entries;       /* a document's, on their way to the file */
    size_t cap_entries;
    /* the candidate edges past an eighth of --memory: sorted runs in
     * edge_file, merged as the clustering takes them */
    FILE *edge_file;
    _Atomic uint64_t edge_at; /* edges written (threads reserve their place) */
    rp_edge_run *runs;       /* every run, when any was written */
    size_t n_runs;
    /* results */
    uint32_t *story_of;      /* per record: story index or UINT32_MAX */
    uint32_t *members;       /* records of story s: members[first[s] .. first[s + 1]) */
    uint32_t *first;
    rp_tw *terms;            /* SHOW_TERMS per story (w 0 = none) */
    size_t n_stories;
    int ran, weighed, clustered;
};

rp_stories *rp__stories_create(void)
{
    return calloc(1, sizeof(rp_stories));
}

void rp__stories_free(rp_stories *s)
{
    if (!s) return;
    free(s->tkey);
    free(s->tdf);
    free(s->ttext);
    free(s->tlen);
    rp__buf_free(&s->text);
    free(s->vec_off);
    free(s->vec_len);
    free(s->vecs);
    if (s->vec_file) fclose(s->vec_file);
    if (s->edge_file) fclose(s->edge_file);
    free(s->runs);
    free(s->id_off);
    free(s->id_len);
    rp__buf_free(&s->ids);
    if (s->cache) fclose(s->cache);
    free(s->cache_off);
    free(s->cache_n);
    free(s->entries);
    free(s->story_of);
    free(s->members);
    free(s->first);
    free(s->terms);
    free(s);
}

static size_t term_slot(const rp_stories *s, uint32_t term)
{
    uint64_t h = (uint64_t)term * 0x9E3779B97F4A7C15ULL;
    size_t i = (size_t)(h >> 32) & s->tmask;
    while (s->tkey[i] && s->tkey[i] != term + 1) i = (i + 1) & s->tmask;
    return i;
}

static int term_grow(rp_stories *s)
{
    size_t cap = s->tmask ? (s->tmask + 1) * 2 : 1 << 14;
    uint32_t *ok = s->tkey, *odf = s->tdf, *otext = s->ttext;
    uint8_t *olen = s->tlen;
    size_t omask = s->tmask;
    s->tkey = calloc(cap, sizeof(uint32_t));
    s->tdf = malloc(cap * sizeof(uint32_t));
    s->ttext = malloc(cap * sizeof(uint32_t));
    s->tlen = malloc(cap);
    if (!s->tkey || !s->tdf || !s->ttext || !s->tlen) return -1;
    s->tmask = cap - 1;
    for (size_t i = 0; ok && i <= omask; i++) {
        if (!ok[i]) continue;
        size_t j = term_slot(s, ok[i] - 1);
        s->tkey[j] = ok[i];
        s->tdf[j] = odf[i];
        s->ttext[j] = otext[i];
        s->tlen[j] = olen[i];
    }
    free(ok);
    free(odf);
    free(otext);
    free(olen);
    return 0;
}

/* --------------------------------------------------------- the words */

typedef struct {
    uint32_t term;
    uint8_t cap;             /* capitalized inside a sentence */
    uint8_t len;             /* surface bytes (for the term's text) */
    const char *surface;
} rp_occ;

typedef struct {
    rp_occ *occ, *tmp;
    uint64_t *key, *scratch;  /* term << 32 | position, for sorting occ */
    size_t cap;
} rp_story_worker;

static void *sw_new(void *ctx)
{
    (void)ctx;
    return calloc(1, sizeof(rp_story_worker));
}

static void sw_release(rp_story_worker *w)
{
    free(w->occ);
    free(w->tmp);
    free(w->key);
    free(w->scratch);
}

static void sw_free(void *state)
{
    sw_release(state);
    free(state);
}

/* The content words of a record, with where they are in its text. */
static size_t content_words(rp_story_worker *w, const rp_record *r)
{
    size_t want = r->n_tokens ? r->n_tokens : 1;
    if (want > w->cap) {
        size_t cap = want > 2 * w->cap ? want : 2 * w->cap;
        rp_occ *o = realloc(w->occ, cap * sizeof(rp_occ)), *t = o ? realloc(w->tmp, cap * sizeof(rp_occ)) : NULL;
        if (o) w->occ = o;
        if (t) w->tmp = t;
        uint64_t *k = t ? realloc(w->key, cap * sizeof(uint64_t)) : NULL;
        if (k) w->key = k;
        uint64_t *sc = k ? realloc(w->scratch, cap * sizeof(uint64_t)) : NULL;
        if (!sc) return SIZE_MAX;
        w->scratch = sc;
        w->cap = cap;
    }
    const char *t = r->doc.text;
    size_t len = r->doc.text_len, byte = 0, n = 0;
    uint32_t cp = 0;
    /* in ASCII, most of the web's English, a code point is a byte: the
     * walk from one to the other was a sixth of stories' time */
    uint64_t high = 0;
    size_t k = 0;
    for (uint64_t x; k + 8 <= len; k += 8) memcpy(&x, t + k, 8), high |= x;
    for (; k < len; k++) high |= (unsigned char)t[k];
    int ascii = !(high & 0x8080808080808080ULL);
    for (size_t i = 0; i < r->n_tokens; i++) {
        size_t end;
        if (ascii) {
            byte = r->spans[i].start < len ? r->spans[i].start : len;
            end = r->spans[i].end < len ? r->spans[i].end : len;
        } else {
            while (cp < r->spans[i].start && byte < len) { /* code points to bytes */
                byte++;
                while (byte < len && ((unsigned char)t[byte] & 0xC0) == 0x80) byte++;
                cp++;
            }
            end = byte;
            for (size_t ecp = cp; ecp < r->spans[i].end && end < len; ecp++) {
                end++;
                while (end < len && ((unsigned char)t[end] & 0xC0) == 0x80) end++;
            }
        }
        if (rp__is_function_word(r->literal[i]) || end - byte < 2) continue;
        int letter = 0;
        for (size_t k = byte; k < end && !letter; k++)
            letter = ((unsigned char)t[k] | 0x20) >= 'a' && ((unsigned char)t[k] | 0x20) <= 'z';
        if (!letter && end - byte < 4) continue; /* "12" says little, "1886" may */
        /* a capital after a sentence's start marks a name */
        size_t q = byte;
        while (q > 0 && (t[q - 1] == ' ' || t[q - 1] == '\t' || t[q - 1] == '"' || t[q - 1] == '(' ||
                         (unsigned char)t[q - 1] >= 0x80))
            q--;
        int initial = q == 0 || t[q - 1] == '.' || t[q - 1] == '!' || t[q - 1] == '?' ||
                      t[q - 1] == '\n' || t[q - 1] == ':';
        int upper = t[byte] >= 'A' && t[byte] <= 'Z';
        w->occ[n++] = (rp_occ){(uint32_t)(r->hashes[i] >> 32), (uint8_t)(upper && !initial),
                               (uint8_t)(end - byte > 40 ? 40 : end - byte), t + byte};
    }
    /* by term, each term's occurrences in text order (the first gives its
     * surface form) */
    for (size_t i = 0; i < n; i++) w->key[i] = (uint64_t)w->occ[i].term << 32 | i;
    rp__radix_sort_scratch(w->key, n, 32, w->scratch);
    for (size_t i = 0; i < n; i++) w->tmp[i] = w->occ[(uint32_t)w->key[i]];
    rp_occ *sorted = w->tmp;
    w->tmp = w->occ;
    w->occ = sorted;
    return n;
}

/* Pass 1, on a worker: the distinct terms, each with its count (times two,
 * plus one when an occurrence is a name) and one surface form. Every
 * occurrence counts, the document's first words too, though fewer than
 * 2^31 of them. */
static rp_status df_work(void *state, const rp_record *r, rp_buf *out)
{
    rp_story_worker *w = state;
    size_t n = content_words(w, r);
    if (n == SIZE_MAX) return RP_ERR_NOMEM;
    /* the id first: the commit does not see the document */
    uint32_t id_len = (uint32_t)(r->doc.id.len > 4096 ? 4096 : r->doc.id.len);
    uint8_t is_number = (uint8_t)(r->doc.id.is_number != 0);
    if (rp__buf_append(out, &id_len, 4) || rp__buf_append(out, &is_number, 1) ||
        rp__buf_append(out, r->doc.id.str, id_len))
        return RP_ERR_NOMEM;
    for (size_t i = 0; i < n;) {
        /* a term: its occurrences, whether one is a name, its first form */
        const rp_occ *o = &w->occ[i];
        size_t j = i;
        uint32_t cap = 0;
        while (j < n && w->occ[j].term == o->term) cap |= w->occ[j++].cap;
        uint32_t count = (uint32_t)(j - i) << 1 | cap;
        if (rp__buf_reserve(out, out->len + 9 + o->len)) return RP_ERR_NOMEM;
        char *d = out->data + out->len;
        memcpy(d, &o->term, 4);
        memcpy(d + 4, &count, 4);
        d[8] = (char)o->len;
        memcpy(d + 9, o->surface, o->len);
        out->len += 9 + o->len;
        i = j;
    }
    return RP_OK;
}

static rp_status keep_id(rp_stories *s, const rp_record *r)
{
    if (r->rec >= s->cap_rec) {
        size_t cap = s->cap_rec ? s->cap_rec * 2 : 1024;
        while (cap <= r->rec) cap *= 2;
        /* each array grown in turn: one that fails leaves the others as they were */
        void **arr[4] = {(void **)&s->id_off, (void **)&s->id_len, (void **)&s->cache_off, (void **)&s->cache_n};
        size_t size[4] = {sizeof(uint64_t), sizeof(uint32_t), sizeof(uint64_t), sizeof(uint32_t)};
        for (int k = 0; k < 4; k++) {
            void *p = realloc(*arr[k], cap * size[k]);
            if (!p) return RP_ERR_NOMEM;
            *arr[k] = p;
        }
        s->cap_rec = cap;
    }
    s->n_rec = r->rec + 1;
    s->id_len[r->rec] = 0;
    s->id_off[r->rec] = UINT64_MAX;
    s->cache_off[r->rec] = s->cache_at;
    s->cache_n[r->rec] = 0;
    if (r->status != RP_OK) return RP_OK;
    uint32_t len;
    memcpy(&len, r->result, 4);
    const unsigned char *p = r->result;
    s->id_off[r->rec] = (uint64_t)s->ids.len << 1 | p[4];
    s->id_len[r->rec] = len;
    return rp__buf_append(&s->ids, p + 5, len) ? RP_ERR_NOMEM : RP_OK;
}

static rp_status df_commit(void *ctx, const rp_record *r)
{
    rp_stories *s = ctx;
    rp_status st = keep_id(s, r);
    if (st != RP_OK || r->status != RP_OK) return st;
    s->n_good++;
    const unsigned char *p = r->result, *end = p + r->result_len;
    uint32_t id_len;
    memcpy(&id_len, p, 4);
    p += 5 + id_len;
    if (!s->cache && (st = rp__corpus_temp(s->c, &s->cache)) != RP_OK) return st;
    uint32_t n = 0;
    while (p < end) {
        uint32_t term, count;
        memcpy(&term, p, 4);
        memcpy(&count, p + 4, 4);
        uint8_t len = p[8];
        if ((s->tn + 1) * 2 > s->tmask + 1 && term_grow(s)) return RP_ERR_NOMEM;
        size_t i = term_slot(s, term);
        if (!s->tkey[i]) {
            s->tkey[i] = term + 1;
            s->tdf[i] = 0;
            s->ttext[i] = (uint32_t)(s->text.len > UINT32_MAX - 64 ? 0 : s->text.len);
            s->tlen[i] = s->text.len > UINT32_MAX - 64 ? 0 : len;
            if (s->tlen[i] && rp__buf_append(&s->text, p + 9, len)) return RP_ERR_NOMEM;
            s->tn++;
        }
        s->tdf[i]++;
        if (rp__grow((void **)&s->entries, &s->cap_entries, n + 1, sizeof(uint64_t))) return RP_ERR_NOMEM;
        s->entries[n++] = (uint64_t)term << 32 | count;
        p += 9 + len;
    }
    if (n && fwrite(s->entries, sizeof(uint64_t), n, s->cache) != n) {
        return rp__corpus_temp_write_failed(s->c, s->err, errno);
    }
    s->cache_n[r->rec] = n;
    s->cache_at += n;
    return RP_OK;
}

static const rp__first_pass_ops df_ops = {sw_new, sw_free, df_work, df_commit, NULL};

/* ------------------------------------------------------------ vectors */

#define SORT_FEW 32 /* terms an insertion sort takes: a vector's TOP_TERMS */

/* The order of weights: heavier first, then by term. */
static int heavier(const rp_tw *a, const rp_tw *b)
{
    return a->w != b->w ? a->w > b->w : a->term < b->term;
}

static int cmp_tw_weight(const void *x, const void *y)
{
    const rp_tw *a = x, *b = y;
    return heavier(a, b) ? -1 : heavier(b, a);
}

static int cmp_tw_term(const void *x, const void *y)
{
    const rp_tw *a = x, *b = y;
    return a->term < b->term ? -1 : a->term > b->term;
}

/* v[0..n) in cmp_tw_weight's order (by_weight) or by term: the few terms
 * of a document's vector by an insertion sort, where qsort's calls through
 * a pointer were a twelfth of stories on short posts, more by qsort. Both
 * orders are total, so the result is qsort's either way. */
static void sort_tw(rp_tw *v, size_t n, int by_weight)
{
    if (n > SORT_FEW) {
        qsort(v, n, sizeof(rp_tw), by_weight ? cmp_tw_weight : cmp_tw_term);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        rp_tw x = v[i];
        size_t j = i;
        while (j > 0 && (by_weight ? heavier(&x, &v[j - 1]) : x.term < v[j - 1].term)) v[j] = v[j - 1], j--;
        v[j] = x;
    }
}

/* The k heaviest of v[0..n) first, heaviest first, in cmp_tw_weight's
 * order; returns how many (k or n). A bounded heap rather than a sort of
 * all: a document has hundreds of terms and keeps 24, and the sort was
 * 15% of stories' time. */
static size_t heaviest(rp_tw *v, size_t n, size_t k)
{
    if (n <= k) {
        sort_tw(v, n, 1);
        return n;
    }
    /* v[0..k) a heap whose root is the lightest kept */
    for (size_t i = 1; i < k; i++)
        for (size_t c = i; c > 0 && heavier(&v[(c - 1) / 2], &v[c]);) {
            rp_tw t = v[c];
            v[c] = v[(c - 1) / 2], v[(c - 1) / 2] = t;
            c = (c - 1) / 2;
        }
    for (size_t i = k; i < n; i++) {
        if (!heavier(&v[i], &v[0])) continue;
        v[0] = v[i];
        for (size_t c = 0;;) { /* sift down */
            size_t l = 2 * c + 1, r = l + 1, m = c;
            if (l < k && heavier(&v[m], &v[l])) m = l;
            if (r < k && heavier(&v[m], &v[r])) m = r;
            if (m == c) break;
            rp_tw t = v[c];
            v[c] = v[m], v[m] = t;
            c = m;
        }
    }
    sort_tw(v, k, 1);
    return k;
}

/* A document's vector from its terms (cache entries): its heaviest terms,
 * normalized, the KEY_TERMS heaviest first (for candidates), the rest
 * after them. tw holds n; returns how many it keeps. */
static size_t weigh(const rp_stories *s, const uint64_t *e, size_t n, rp_tw *tw)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t term = (uint32_t)(e[i] >> 32), count = (uint32_t)e[i];
        size_t slot = term_slot(s, term);
        double df = s->tkey[slot] ? s->tdf[slot] : 1;
        if (df < 2) continue; /* shared with no one: it would only dilute the vector */
        double weight = (1 + log((double)(count >> 1))) * log(1 + (double)s->n_good / df) * (count & 1 ? 2 : 1);
        tw[m++] = (rp_tw){term, (float)weight};
    }
    m = heaviest(tw, m, TOP_TERMS);
    double norm = 0;
    for (size_t i = 0; i < m; i++) norm += (double)tw[i].w * tw[i].w;
    norm = norm > 0 ? sqrt(norm) : 1;
    for (size_t i = 0; i < m; i++) tw[i].w = (float)(tw[i].w / norm);
    return m;
}

enum { WEIGH_ROUND = 1 << 16, WEIGH_CHUNK = 1 << 10 };

/* A thread of the weighing: chunks of a round's documents, their terms
 * read back, their vectors put at their place in the round (TOP_TERMS a
 * document). The term table is only read meanwhile. */
typedef struct {
    const rp_stories *s;
    uint64_t from, to;         /* the round */
    atomic_uint_fast64_t *next;
    rp_tw *out;
    uint8_t *out_len;
    uint64_t *e;
    rp_tw *tw;
    size_t cap_e, cap_tw;
    rp_status st;
    char err[RP_MSG_MAX];
} rp_weigher;

static void *weigh_main(void *arg)
{
    rp_weigher *w = arg;
    const rp_stories *s = w->s;
    while (w->st == RP_OK) {
        uint64_t a = atomic_fetch_add(w->next, WEIGH_CHUNK);
        if (a >= w->to) break;
        uint64_t b = a + WEIGH_CHUNK < w->to ? a + WEIGH_CHUNK : w->to;
        /* the chunk's entries are one run of the file: written in record order */
        uint64_t first = s->cache_off[a], n = s->cache_off[b - 1] + s->cache_n[b - 1] - first;
        if (rp__grow((void **)&w->e, &w->cap_e, n ? n : 1, sizeof(uint64_t))) {
            w->st = RP_ERR_NOMEM;
            break;
        }
        if (n && (w->st = rp__corpus_temp_read(s->c, w->err, s->cache, w->e, n * sizeof(uint64_t),
                                               first * sizeof(uint64_t))) != RP_OK)
            break;
        for (uint64_t r = a; r < b; r++) {
            size_t k = s->cache_n[r];
            w->out_len[r - w->from] = 0;
            if (s->id_off[r] == UINT64_MAX || !k) continue;
            if (rp__grow((void **)&w->tw, &w->cap_tw, k, sizeof(rp_tw))) {
                w->st = RP_ERR_NOMEM;
                break;
            }
            size_t m = weigh(s, w->e + (s->cache_off[r] - first), k, w->tw);
            memcpy(w->out + (r - w->from) * TOP_TERMS, w->tw, m * sizeof(rp_tw));
            w->out_len[r - w->from] = (uint8_t)m;
        }
    }
    return NULL;
}

/* ------------------------------------------------------- clustering */

/* Cosine of two term-sorted vectors of unit length (or, for centroids,
 * divided by their norms). */
static double dot(const rp_tw *a, size_t na, const rp_tw *b, size_t nb)
{
    double d = 0;
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i].term < b[j].term) i++;
        else if (a[i].term > b[j].term) j++;
        else d += (double)a[i++].w * b[j++].w;
    }
    return d;
}

static double cosine_c(const rp_centroid *a, const rp_centroid *b)
{
    double na = dot(a->v, a->n, a->v, a->n), nb = dot(b->v, b->n, b->v, b->n);
    return na > 0 && nb > 0 ? dot(a->v, a->n, b->v, b->n) / sqrt(na * nb) : 0;
}

/* a += b, keeping the CENTROID_TERMS heaviest terms, sorted by term. */
static int centroid_add(rp_centroid *a, const rp_tw *b, size_t nb)
{
    size_t need = a->n + nb;
    rp_tw *m = malloc((need ? need : 1) * sizeof(rp_tw));
    if (!m) return -1;
    size_t i = 0, j = 0, k = 0;
    while (i < a->n || j < nb) {
        if (j == nb || (i < a->n && a->v[i].term < b[j].term)) m[k++] = a->v[i++];
        else if (i == a->n || b[j].term < a->v[i].term) m[k++] = b[j++];
        else {
            m[k++] = (rp_tw){a->v[i].term, a->v[i].w + b[j].w};
            i++, j++;
        }
    }
    if (k > CENTROID_TERMS) {
        qsort(m, k, sizeof(rp_tw), cmp_tw_weight);
        k = CENTROID_TERMS;
        qsort(m, k, sizeof(rp_tw), cmp_tw_term);
    }
    free(a->v);
    a->v = m;
    a->n = k;
    return 0;
}


static int cmp_edge(const void *x, const void *y)
{
    const rp_story_edge *a = x, *b = y;
    if (a->sim != b->sim) return a->sim > b->sim ? -1 : 1;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* A similarity's bits as an unsigned key that orders as it does, then
 * turned around: the most similar first. */
static uint32_t sim_key(float sim)
{
    uint32_t u;
    memcpy(&u, &sim, sizeof(u));
    u = u >> 31 ? ~u : u | 0x80000000u;
    return ~u;
}

/* The key of an edge's field f (0: b, 1: a, 2: similarity), 32 bits. */
static uint32_t edge_field(const rp_story_edge *e, unsigned f)
{
    return f == 0 ? e->b : f == 1 ? e->a : sim_key(e->sim);
}

int rp__story_edges_sort(rp_story_edge *e, size_t n)
{
    if (n < 2) return 0;
    /* LSD by bytes, b's first and the similarity's last, each byte where
     * the edges differ; every byte's counts from one read */
    uint32_t differ[3] = {0, 0, 0};
    for (size_t i = 1; i < n; i++)
        for (unsigned f = 0; f < 3; f++) differ[f] |= edge_field(&e[i], f) ^ edge_field(&e[0], f);
    unsigned field[12], shift[12], digits = 0;
    for (unsigned f = 0; f < 3; f++)
        for (unsigned at = 0; at < 32; at += 8)
            if (differ[f] >> at & 0xFF) field[digits] = f, shift[digits++] = at;
    if (!digits) return 0;
    size_t *count = calloc((size_t)digits * 256, sizeof(size_t));
    rp_story_edge *tmp = malloc(n ? n * sizeof(*e) : 1);
    if (!count || !tmp) {
        free(count);
        free(tmp);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < digits; d++) count[d * 256 + (edge_field(&e[i], field[d]) >> shift[d] & 0xFF)]++;
    rp_story_edge *src = e, *dst = tmp;
    for (unsigned d = 0; d < digits; d++) {
        size_t *c = count + d * 256, pos = 0;
        for (unsigned b = 0; b < 256; b++) {
            size_t k = c[b];
            c[b] = pos;
            pos += k;
        }
        for (size_t i = 0; i < n; i++) dst[c[edge_field(&src[i], field[d]) >> shift[d] & 0xFF]++] = src[i];
        rp_story_edge *t = src;
        src = dst;
        dst = t;
    }
    if (src != e) memcpy(e, src, n * sizeof(*e));
    free(count);
    free(tmp);
    return 0;
}

/* Candidates and their cosines, without a list of the candidate pairs (a
 * corpus of a small vocabulary makes hundreds of them a document): each
 * document, on whichever thread takes its chunk, looks its key terms up in
 * the sorted entries and scores each partner after it once. A bucket of a
 * term is all the documents keyed by it: up to max_bucket they all pair,
 * above it each pairs with the next only (counted as truncated). */

#define AT_BIG ((uint64_t)1 << 62)
#define AT_FIRST ((uint64_t)1 << 63)
/* The places in 32 bits, a corpus of fewer than 2^30 entries (134 million
 * documents): with the entries and each record's keys they made the
 * candidates' peak, 64 of its 200 bytes a document. */
#define AT32_BIG ((uint32_t)1 << 30)
#define AT32_FIRST ((uint32_t)1 << 31)
/* Below 2^30 entries (134 million documents of 8 keys; a record's keys
 * numbered r * KEY_TERMS + k in 32 bits), the sorted entries are records
 * alone, this bit set on a bucket's last, and each key's place is written
 * over the key itself, once its part of the entries is sorted: 64 bytes a
 * document of entries and 32 of keys become 32 of entries, the places in
 * the keys' room. Past it, entries and places take 64 bits each. */
#define E32_LAST ((uint32_t)1 << 31)
/* Under --memory, the fewest edges a thread holds before its list goes to
 * the file as a run, and the fewest a run's window of the merge reads. */
#define EDGE_RUN_MIN 256
#define EDGE_WINDOW_MIN 64

typedef struct {
    rp_stories *s;             /* its edge_file: the only part written */
    const uint64_t *entries;  /* term << 32 | record, sorted */
    const uint32_t *entries32; /* or, instead, the records alone, with E32_LAST on a
                                 bucket's last (below 2^30 entries) */
    size_t n_entries;
    const uint64_t *at;       /* KEY_TERMS a record, n_keys of them used: where
                                 the record is in its key's bucket, with
                                 AT_BIG (the bucket has more than max_bucket)
                                 and AT_FIRST (the record is its first) */
    const uint32_t *at32;     /* the same in 32 bits (AT32_*), instead of at,
                                 with entries32 */
    const uint8_t *n_keys;
    size_t max_bucket;
    double threshold;
    atomic_uint_fast64_t *next; /* the next chunk of records to take */
} rp_join;

/* The document being joined, as a table from term to weight: a partner's
 * cosine is then a lookup for each of its terms, where a merge of the two
 * term-sorted vectors mispredicted a branch on most of them. Terms are
 * added in the same order (ascending) either way, so the sums are equal. */
#define TAB_BITS 7 /* 128 slots for TOP_TERMS: mostly one probe */

typedef struct {
    rp_tw slot[1 << TAB_BITS];
    uint64_t used[(1 << TAB_BITS) / 64];
} rp_term_table;

static unsigned tab_hash(uint32_t term)
{
    return (term * 0x9E3779B1u) >> (32 - TAB_BITS);
}

static void tab_fill(rp_term_table *t, const rp_tw *v, size_t n)
{
    memset(t->used, 0, sizeof(t->used));
    for (size_t i = 0; i < n; i++) {
        unsigned h = tab_hash(v[i].term);
        while (t->used[h >> 6] >> (h & 63) & 1) h = (h + 1) & ((1u << TAB_BITS) - 1);
        t->used[h >> 6] |= (uint64_t)1 << (h & 63);
        t->slot[h] = v[i];
    }
}

static double tab_dot(const rp_term_table *t, const rp_tw *v, size_t n, const rp_stories *s,
                      size_t *specific)
{
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned h = tab_hash(v[i].term);
        while (t->used[h >> 6] >> (h & 63) & 1) {
            if (t->slot[h].term == v[i].term) {
                d += (double)t->slot[h].w * v[i].w;
                *specific += s->tdf[term_slot(s, v[i].term)] <= s->specific_df;
                break;
            }
            h = (h + 1) & ((1u << TAB_BITS) - 1);
        }
    }
    return d;
}

/* Record r's vector: where it is in memory, or read from the vectors'
 * file into buf (TOP_TERMS entries); NULL when that read fails (err says
 * why). */
static const rp_tw *vec_of(const rp_stories *s, uint64_t r, rp_tw *buf, char *err)
{
    if (!s->vec_file) return s->vecs + s->vec_off[r];
    size_t m = s->vec_len[r];
    if (m && rp__corpus_temp_read(s->c, err, s->vec_file, buf, m * sizeof(rp_tw),
                                  s->vec_off[r] * sizeof(rp_tw)) != RP_OK)
        return NULL;
    return buf;
}

enum { VEC_WINDOW = 1 << 16 }; /* terms of the vectors' file read or written at a time */

/* The n terms of the vectors' file from term lo, read into win (write 0)
 * or written back from it (1). */
static rp_status vec_window(rp_stories *s, rp_tw *win, uint64_t lo, uint64_t n, int write)
{
    if (!n) return RP_OK;
    if (!write)
        return rp__corpus_temp_read(s->c, s->err, s->vec_file, win, n * sizeof(rp_tw), lo * sizeof(rp_tw));
    int e = rp__pwrite_all(fileno(s->vec_file), win, n * sizeof(rp_tw), lo * sizeof(rp_tw));
    return e ? rp__corpus_temp_write_failed(s->c, s->err, e) : RP_OK;
}

typedef struct {
    const rp_join *j;
    rp_term_table tab;        /* the document being joined */
    uint64_t *seen;           /* per record: the last document that met it, + 1, << 1 |
                                 whether it was scored */
    uint32_t *seen32;         /* the same in 32 bits, instead of seen, for fewer than
                                 2^31 records */
    rp_story_edge *edges;
    size_t n_edges, cap_edges;
    size_t edges_held;        /* past this many, the list goes to edge_file as a run */
    rp_edge_run *runs;        /* the runs it wrote */
    size_t n_runs, cap_runs;
    uint64_t candidates, truncated;
    int failed;               /* out of memory, or a vector's read (err) */
    rp_tw buf[TOP_TERMS];     /* a partner's vector read from the file */
    rp_tw own[TOP_TERMS];     /* the document's own */
    char err[RP_MSG_MAX];
} rp_joiner;

/* A joiner's edges, sorted, to edge_file as a run; 0, or -1 (out of
 * memory, or the write's message in err). */
static int flush_edges(rp_joiner *w)
{
    rp_stories *s = w->j->s;
    if (!w->n_edges) return 0;
    if (rp__story_edges_sort(w->edges, w->n_edges) ||
        rp__grow((void **)&w->runs, &w->cap_runs, w->n_runs + 1, sizeof(rp_edge_run)))
        return -1;
    uint64_t at = atomic_fetch_add(&s->edge_at, w->n_edges);
    int e = rp__pwrite_all(fileno(s->edge_file), w->edges, w->n_edges * sizeof(rp_story_edge),
                           at * sizeof(rp_story_edge));
    if (e) {
        rp__corpus_temp_write_failed(s->c, w->err, e);
        return -1;
    }
    w->runs[w->n_runs++] = (rp_edge_run){at, w->n_edges};
    w->n_edges = 0;
    return 0;
}

static int join_partner(rp_joiner *w, uint32_t a, uint32_t b)
{
    const rp_stories *s = w->j->s;
    uint64_t met = (uint64_t)(a + 1) << 1, was = w->seen32 ? w->seen32[b] : w->seen[b];
    if (was >> 1 != (uint64_t)a + 1) { /* met under one key term: not yet */
        if (w->seen32) w->seen32[b] = (uint32_t)met;
        else w->seen[b] = met;
        return 0;
    }
    if (was & 1) return 0; /* scored already */
    if (w->seen32) w->seen32[b] = (uint32_t)(met | 1);
    else w->seen[b] = met | 1;
    w->candidates++;
    size_t specific = 0;
    const rp_tw *v = vec_of(s, b, w->buf, w->err);
    if (!v) return -1;
    double sim = tab_dot(&w->tab, v, s->vec_len[b], s, &specific);
    if (sim + 1e-9 < w->j->threshold) return 0;
    if (specific < SPECIFIC_SHARED) return 0; /* alike in topic, not in event */
    if (w->n_edges >= w->edges_held && flush_edges(w)) return -1;
    if (rp__grow((void **)&w->edges, &w->cap_edges, w->n_edges + 1, sizeof(rp_story_edge))) return -1;
    w->edges[w->n_edges++] = (rp_story_edge){a, b, (float)sim};
    return 0;
}

/* Record-key i's place, in at's form. */
static inline uint64_t at_of(const rp_join *j, size_t i)
{
    if (!j->at32) return j->at[i];
    uint32_t v = j->at32[i];
    return (v & ~(AT32_BIG | AT32_FIRST)) | (v & AT32_BIG ? AT_BIG : 0) | (v & AT32_FIRST ? AT_FIRST : 0);
}

/* The record at entry x, and whether it is its bucket's last. */
static inline uint32_t entry_rec(const rp_join *j, size_t x)
{
    return j->entries32 ? j->entries32[x] & ~E32_LAST : (uint32_t)j->entries[x];
}

static inline int entry_last(const rp_join *j, size_t x)
{
    if (j->entries32) return (j->entries32[x] & E32_LAST) != 0;
    return x + 1 == j->n_entries || j->entries[x + 1] >> 32 != j->entries[x] >> 32;
}

static void *join_main(void *arg)
{
    rp_joiner *w = arg;
    const rp_join *j = w->j;
    uint64_t n_rec = j->s->n_rec;
    for (;;) {
        uint64_t from = atomic_fetch_add(j->next, rp__hooks.story_chunk);
        if (from >= n_rec || w->failed) break;
        uint64_t to = from + rp__hooks.story_chunk < n_rec ? from + rp__hooks.story_chunk : n_rec;
        for (uint64_t a = from; a < to && !w->failed; a++) {
            if (j->n_keys[a]) {
                const rp_tw *v = vec_of(j->s, a, w->own, w->err);
                if (!v) {
                    w->failed = 1;
                    break;
                }
                tab_fill(&w->tab, v, j->s->vec_len[a]);
            }
            for (size_t k = 0; k < j->n_keys[a] && !w->failed; k++) {
                uint64_t p = at_of(j, a * KEY_TERMS + k);
                size_t at = (size_t)(p & ~(AT_BIG | AT_FIRST)), end = at + 1;
                /* the partners after it: all of a bucket up to max_bucket,
                 * the next one of a bigger bucket */
                while (!entry_last(j, end - 1) && (!(p & AT_BIG) || end < at + 2)) end++;
                /* a truncated bucket is counted once, by its first document */
                if ((p & AT_BIG) && (p & AT_FIRST)) w->truncated++;
                for (size_t x = at + 1; x < end; x++) {
                    /* partners are all over the corpus: fetch a few ahead
                     * whether they were met (most are scored by no key:
                     * fetching their vectors too cost more than it saved) */
                    if (x + 8 < end)
                        __builtin_prefetch(w->seen32 ? (void *)&w->seen32[entry_rec(j, x + 8)]
                                                     : (void *)&w->seen[entry_rec(j, x + 8)]);
                    if (join_partner(w, (uint32_t)a, entry_rec(j, x))) w->failed = 1;
                }
            }
        }
    }
    return NULL;
}

rp_status rp__stories_candidates(rp_stories *s, rp_story_edge **edges, size_t *n_edges)
{
    *edges = NULL;
    *n_edges = 0;
    if (!s->weighed || s->clustered) {
        rp__msg(s->err, "the story candidates are found after the weighing pass");
        return RP_ERR_USAGE;
    }
    double threshold = s->c->p.story_threshold;
    size_t max_bucket = s->c->p.max_bucket;
    rp_status st = RP_ERR_NOMEM;
    uint64_t *entries = NULL, *scratch = NULL, *sorting = NULL, *at = NULL;
    uint32_t *keys = NULL, *at32 = NULL, *entries32 = NULL;
    uint8_t *n_keys = NULL;
    size_t n_entries = 0, part[257] = {0}; /* entries by their term's top byte */
    rp_tw *win = NULL; /* vectors from their file: terms [win_lo, win_lo + win_n) */
    uint64_t win_lo = 0, win_n = 0;
    unsigned threads = s->stats->threads ? s->stats->threads : 1;
    rp_joiner *w = calloc(threads, sizeof(*w));
    keys = malloc((s->n_rec * KEY_TERMS + 1) * sizeof(uint32_t));
    n_keys = malloc(s->n_rec + 1);
    if (!w || !keys || !n_keys) goto done;
    /* each document's vector sorted by term; its KEY_TERMS heaviest are its
     * keys (vectors in their file are read and written back a window of
     * VEC_WINDOW terms at a time) */
    if (s->vec_file && !(win = malloc(VEC_WINDOW * sizeof(rp_tw)))) goto done;
    for (uint64_t r = 0; r < s->n_rec; r++) {
        uint32_t *key = keys + r * KEY_TERMS;
        n_keys[r] = 0;
        if (s->id_off[r] != UINT64_MAX) {
            rp_tw *v = s->vecs + s->vec_off[r];
            size_t m = s->vec_len[r];
            if (win && s->vec_off[r] + m > win_lo + win_n) {
                rp_status io = vec_window(s, win, win_lo, win_n, 1);
                win_lo = s->vec_off[r];
                win_n = s->n_vecs - win_lo < VEC_WINDOW ? s->n_vecs - win_lo : VEC_WINDOW;
                if (io == RP_OK) io = vec_window(s, win, win_lo, win_n, 0);
                if (io != RP_OK) {
                    st = io;
                    goto done;
                }
            }
            if (win) v = win + (s->vec_off[r] - win_lo);
            /* a term no other document has cannot make a candidate: the keys
             * are the heaviest shared ones (a site's header and footer words,
             * heavy and unique, would otherwise crowd out the story's own) */
            for (size_t k = 0; k < m && n_keys[r] < KEY_TERMS; k++) {
                size_t slot = term_slot(s, v[k].term);
                if (!s->tkey[slot] || s->tdf[slot] < 2) continue;
                part[(v[k].term >> 24) + 1]++;
                n_entries++;
                key[n_keys[r]++] = v[k].term;
            }
            sort_tw(v, m, 0);
        }
    }
    rp_status io = win ? vec_window(s, win, win_lo, win_n, 1) : RP_OK;
    if (io != RP_OK) {
        st = io;
        goto done;
    }
    free(win);
    win = NULL;
    /* the entries (term << 32 | record) sorted by term, records in order
     * under each: placed by the term's top byte in record order, then each
     * part sorted on its own, so that the sort's scratch is a part's, not
     * all of them (it made the peak of ten million documents, 640 MB) */
    size_t largest = 0, pos[256];
    for (unsigned b = 0; b < 256; b++) {
        if (part[b + 1] > largest) largest = part[b + 1];
        part[b + 1] += part[b];
        pos[b] = part[b];
    }
    int narrow = n_entries < AT32_BIG && s->n_rec * KEY_TERMS <= (uint64_t)UINT32_MAX + 1 &&
                 !rp__hooks.story_wide_places;
    if (narrow) {
        /* each record-key (r * KEY_TERMS + k) placed, a part gathered as
         * term << 32 | record-key, sorted, and written back as records;
         * the part's keys are read, so their places go where they were */
        if (!(entries32 = malloc((n_entries + 1) * sizeof(uint32_t))) ||
            !(sorting = malloc((largest + 1) * sizeof(uint64_t))) ||
            !(scratch = malloc((largest + 1) * sizeof(uint64_t))))
            goto done;
        for (uint64_t r = 0; r < s->n_rec; r++)
            for (size_t k = 0; k < n_keys[r]; k++)
                entries32[pos[keys[r * KEY_TERMS + k] >> 24]++] = (uint32_t)(r * KEY_TERMS + k);
        at32 = keys;
        keys = NULL;
        for (unsigned b = 0; b < 256; b++) {
            size_t lo = part[b], n = part[b + 1] - lo;
            for (size_t i = 0; i < n; i++) sorting[i] = (uint64_t)at32[entries32[lo + i]] << 32 | entries32[lo + i];
            rp__radix_sort_scratch(sorting, n, 32, scratch); /* stable: records in order */
            for (size_t i = 0, h; i < n; i = h) {
                for (h = i + 1; h < n && sorting[h] >> 32 == sorting[i] >> 32;) h++;
                for (size_t x = i; x < h; x++) {
                    uint32_t rk = (uint32_t)sorting[x];
                    at32[rk] = (uint32_t)(lo + x) | (h - i > max_bucket ? AT32_BIG : 0) | (x == i ? AT32_FIRST : 0);
                    entries32[lo + x] = rk / KEY_TERMS | (x + 1 == h ? E32_LAST : 0);
                }
            }
        }
        free(sorting), sorting = NULL;
        free(scratch), scratch = NULL;
    } else {
        if (!(entries = malloc((n_entries + 1) * sizeof(uint64_t)))) goto done;
        for (uint64_t r = 0; r < s->n_rec; r++)
            for (size_t k = 0; k < n_keys[r]; k++) {
                uint32_t t = keys[r * KEY_TERMS + k];
                entries[pos[t >> 24]++] = (uint64_t)t << 32 | r;
            }
        free(keys);
        keys = NULL;
        if (!(scratch = malloc((largest + 1) * sizeof(uint64_t)))) goto done;
        for (unsigned b = 0; b < 256; b++) /* stable: records in order */
            rp__radix_sort_scratch(entries + part[b], part[b + 1] - part[b], 32, scratch);
        free(scratch);
        scratch = NULL;
        /* each key's place in its bucket, found once here rather than
         * searched for by every document (three binary searches a key
         * were a tenth of stories' time); a record's keys taken in term
         * order, as the sorted entries meet them, so that the keys
         * themselves are let go first (the order a document meets its
         * partners in changes no score) */
        if (!(at = malloc((s->n_rec * KEY_TERMS + 1) * sizeof(uint64_t)))) goto done;
        memset(n_keys, 0, s->n_rec); /* counted again as each record's keys are met */
        for (size_t lo = 0, hi; lo < n_entries; lo = hi) {
            uint64_t t = entries[lo] >> 32;
            for (hi = lo + 1; hi < n_entries && entries[hi] >> 32 == t;) hi++;
            for (size_t x = lo; x < hi; x++) {
                uint64_t r = (uint32_t)entries[x];
                at[r * KEY_TERMS + n_keys[r]++] = x | (hi - lo > max_bucket ? AT_BIG : 0) | (x == lo ? AT_FIRST : 0);
            }
        }
    }
    atomic_uint_fast64_t next;
    atomic_init(&next, 0);
    rp_join j = {s, entries, entries32, n_entries, at, at32, n_keys, max_bucket, threshold, &next};
    /* under --memory, the threads' edges take an eighth of it (and as much
     * again while a run is sorted), the rest going to a file in sorted runs */
    uint64_t limit = s->c->p.memory_limit;
    size_t held = !limit ? SIZE_MAX : (size_t)(limit / 8 / sizeof(rp_story_edge) / threads);
    if (held < EDGE_RUN_MIN) held = EDGE_RUN_MIN;
    if (limit && rp__hooks.edges_held != SIZE_MAX) held = rp__hooks.edges_held;
    if (limit && (st = rp__corpus_temp(s->c, &s->edge_file)) != RP_OK) goto done;
    st = RP_ERR_NOMEM;
    for (unsigned k = 0; k < threads; k++) {
        w[k].j = &j;
        w[k].edges_held = held;
        if (s->n_rec < ((uint64_t)1 << 31) && !rp__hooks.story_wide_places) {
            if (!(w[k].seen32 = calloc(s->n_rec ? s->n_rec : 1, sizeof(uint32_t)))) goto done;
        } else if (!(w[k].seen = calloc(s->n_rec ? s->n_rec : 1, sizeof(uint64_t)))) {
            goto done;
        }
    }
    rp__run_parallel(join_main, w, sizeof(*w), threads);
    size_t total = 0, runs = 0;
    for (unsigned k = 0; k < threads; k++) {
        if (w[k].failed) goto done;
        total += w[k].n_edges;
        runs += w[k].n_runs;
        s->stats->candidate_pairs += w[k].candidates;
        s->stats->truncated_buckets += w[k].truncated;
    }
    for (unsigned k = 0; k < threads; k++) free(w[k].seen), free(w[k].seen32), w[k].seen = NULL, w[k].seen32 = NULL;
    free(entries), entries = NULL;
    free(entries32), entries32 = NULL;
    free(at), at = NULL;
    free(at32), at32 = NULL;
    if (runs) {
        /* some went to the file: the rest follow, and the clustering
         * merges the runs (rp__stories_cluster with no list) */
        runs = 0;
        for (unsigned k = 0; k < threads; k++) {
            if (flush_edges(&w[k])) {
                w[k].failed = 1; /* its message, if a write failed, reported below */
                goto done;
            }
            free(w[k].edges), w[k].edges = NULL;
            runs += w[k].n_runs;
        }
        if (!(s->runs = malloc(runs * sizeof(rp_edge_run)))) goto done;
        for (unsigned k = 0; k < threads; k++)
            for (size_t r = 0; r < w[k].n_runs; r++) s->runs[s->n_runs++] = w[k].runs[r];
        *n_edges = atomic_load(&s->edge_at);
        s->stats->spilled_bytes += *n_edges * sizeof(rp_story_edge);
        s->stats->spill_partitions = s->n_runs;
        st = RP_OK;
        goto done;
    }
    /* what the search used goes before the edges are joined and sorted,
     * the first thread's list grown to hold them all and each other's let
     * go once copied: the sort's scratch is then the only second copy */
    rp_story_edge *all = realloc(w[0].edges, (total ? total : 1) * sizeof(rp_story_edge));
    if (!all) goto done;
    w[0].edges = NULL;
    *edges = all;
    *n_edges = w[0].n_edges;
    for (unsigned k = 1; k < threads; k++) {
        if (w[k].n_edges) memcpy(all + *n_edges, w[k].edges, w[k].n_edges * sizeof(rp_story_edge));
        *n_edges += w[k].n_edges;
        free(w[k].edges), w[k].edges = NULL;
    }
    /* one order whichever thread found an edge: by similarity, then pair
     * (by radix: qsort of the 7.8 million edges of 100,000 near-copies of
     * 300 templates was a third of stories' time) */
    if (rp__story_edges_sort(*edges, *n_edges)) goto done;
    st = RP_OK;
done:
    for (unsigned k = 0; w && k < threads; k++) {
        if (w[k].failed && w[k].err[0] && !s->err[0]) rp__msg(s->err, "%s", w[k].err), st = RP_ERR_IO;
        free(w[k].seen);
        free(w[k].seen32);
        free(w[k].edges);
        free(w[k].runs);
    }
    free(win);
    free(w);
    free(entries);
    free(entries32);
    free(scratch);
    free(sorting);
    free(keys);
    free(at);
    free(at32);
    free(n_keys);
    return st;
}

/* The edges in the clustering's order: a list's, or the runs' merged (a
 * heap of runs by their next edge, each read a window at a time). */
typedef struct {
    rp_stories *s;
    const rp_story_edge *list;
    size_t n, taken;
    rp_story_edge *win;      /* a window a run */
    size_t window;
    size_t *pos, *len;       /* per run: its window's next edge, and its edges there */
    uint64_t *read;          /* per run: its edges read */
    uint32_t *heap;
    size_t n_heap;
} edge_cursor;

static int run_before(const edge_cursor *c, uint32_t x, uint32_t y)
{
    return cmp_edge(&c->win[x * c->window + c->pos[x]], &c->win[y * c->window + c->pos[y]]) < 0;
}

static void run_down(edge_cursor *c, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < c->n_heap && run_before(c, c->heap[l], c->heap[m])) m = l;
        if (l + 1 < c->n_heap && run_before(c, c->heap[l + 1], c->heap[m])) m = l + 1;
        if (m == i) return;
        uint32_t t = c->heap[i];
        c->heap[i] = c->heap[m], c->heap[m] = t;
        i = m;
    }
}

/* Run r's next window; 0 when it has none left. */
static rp_status run_fill(edge_cursor *c, size_t r, int *more)
{
    const rp_edge_run *run = &c->s->runs[r];
    uint64_t left = run->n - c->read[r];
    size_t m = left < c->window ? (size_t)left : c->window;
    *more = m > 0;
    c->pos[r] = 0, c->len[r] = m;
    if (!m) return RP_OK;
    rp_status st = rp__corpus_temp_read(c->s->c, c->s->err, c->s->edge_file, c->win + r * c->window,
                                        m * sizeof(rp_story_edge),
                                        (run->at + c->read[r]) * sizeof(rp_story_edge));
    c->read[r] += m;
    return st;
}

static rp_status cursor_open(edge_cursor *c, rp_stories *s, const rp_story_edge *list, size_t n)
{
    *c = (edge_cursor){.s = s, .list = list, .n = n};
    if (list || !s->n_runs) return RP_OK;
    /* the windows in an eighth of --memory, as the edges were while found */
    size_t k = s->n_runs;
    c->window = (size_t)(s->c->p.memory_limit / 8 / sizeof(rp_story_edge) / k);
    if (c->window < EDGE_WINDOW_MIN) c->window = EDGE_WINDOW_MIN;
    c->win = malloc(k * c->window * sizeof(rp_story_edge));
    c->pos = calloc(k, sizeof(size_t));
    c->len = calloc(k, sizeof(size_t));
    c->read = calloc(k, sizeof(uint64_t));
    c->heap = malloc(k * sizeof(uint32_t));
    if (!c->win || !c->pos || !c->len || !c->read || !c->heap) return RP_ERR_NOMEM;
    for (size_t r = 0; r < k; r++) {
        int more;
        rp_status st = run_fill(c, r, &more);
        if (st != RP_OK) return st;
        if (more) c->heap[c->n_heap++] = (uint32_t)r;
    }
    for (size_t i = c->n_heap / 2; i-- > 0;) run_down(c, i);
    return RP_OK;
}

/* The next edge into *e; 0 past the last, 1, or -1 on a read's error. */
static int cursor_next(edge_cursor *c, rp_story_edge *e)
{
    if (!c->win) {
        if (c->taken == c->n) return 0;
        *e = c->list[c->taken++];
        return 1;
    }
    if (!c->n_heap) return 0;
    uint32_t r = c->heap[0];
    *e = c->win[r * c->window + c->pos[r]++];
    int more = 1;
    if (c->pos[r] == c->len[r] && run_fill(c, r, &more) != RP_OK) return -1;
    if (!more) c->heap[0] = c->heap[--c->n_heap];
    run_down(c, 0);
    c->taken++;
    return 1;
}

static void cursor_close(edge_cursor *c)
{
    free(c->win), free(c->pos), free(c->len), free(c->read), free(c->heap);
}

rp_status rp__stories_cluster(rp_stories *s, const rp_story_edge *edges, size_t n_edges)
{
    if (!s->weighed || s->clustered) {
        rp__msg(s->err, "the stories are clustered once, after the weighing pass");
        return RP_ERR_USAGE;
    }
    if (!edges && n_edges && n_edges != atomic_load(&s->edge_at)) {
        rp__msg(s->err, "%zu story edges given, none listed, and %llu in runs", n_edges,
                (unsigned long long)atomic_load(&s->edge_at));
        return RP_ERR_USAGE;
    }
    for (size_t e = 0; edges && e < n_edges; e++)
        if (edges[e].a >= edges[e].b || edges[e].b >= s->n_rec ||
            (e && cmp_edge(&edges[e - 1], &edges[e]) > 0)) {
            rp__msg(s->err, "story edge %zu is not a pair of the corpus, or out of order", e);
            return RP_ERR_USAGE;
        }
    s->clustered = 1;
    edge_cursor cur = {0};
    rp_story_edge edge;
    int got = 0;
    double threshold = s->c->p.story_threshold;
    rp_status st = RP_ERR_NOMEM;
    rp_centroid *cent = NULL;
    rp_tw own[TOP_TERMS]; /* a lone document's vector, read from the file */
    rp_uf uf = {0};
    s->stats->similar_pairs = n_edges;
    if ((st = cursor_open(&cur, s, edges, n_edges)) != RP_OK) goto done;
    st = RP_ERR_NOMEM;
    if (rp__uf_init(&uf, s->n_rec ? s->n_rec : 1)) goto done;
    cent = calloc(s->n_rec ? s->n_rec : 1, sizeof(rp_centroid));
    if (!cent) goto done;
    while ((got = cursor_next(&cur, &edge)) > 0) {
        if (edge.a >= edge.b || edge.b >= s->n_rec) { /* from the runs' file */
            rp__msg(s->err, "story edge %zu read back is not a pair of the corpus", cur.taken - 1);
            st = RP_ERR_IO;
            goto done;
        }
        uint32_t ra = rp__uf_find(&uf, edge.a), rb = rp__uf_find(&uf, edge.b);
        if (ra == rb) continue;
        for (int side = 0; side < 2; side++) { /* a lone document is its own centroid */
            uint32_t r = side ? rb : ra;
            if (!cent[r].members) {
                const rp_tw *v = vec_of(s, r, own, s->err);
                if (!v) {
                    st = RP_ERR_IO;
                    goto done;
                }
                if (centroid_add(&cent[r], v, s->vec_len[r])) goto done;
                cent[r].members = 1;
            }
        }
        if (cosine_c(&cent[ra], &cent[rb]) + 1e-9 < threshold) continue;
        rp__uf_union(&uf, ra, rb);
        uint32_t root = rp__uf_find(&uf, ra), other = root == ra ? rb : ra;
        if (centroid_add(&cent[root], cent[other].v, cent[other].n)) goto done;
        cent[root].members += cent[other].members;
        free(cent[other].v);
        cent[other] = (rp_centroid){0};
    }
    if (got < 0) {
        st = RP_ERR_IO;
        goto done;
    }
    /* stories of two or more, numbered by their first document */
    s->story_of = malloc((s->n_rec ? s->n_rec : 1) * sizeof(uint32_t));
    uint32_t *count = calloc(s->n_rec ? s->n_rec : 1, sizeof(uint32_t));
    if (!s->story_of || !count) {
        free(count);
        goto done;
    }
    for (uint64_t r = 0; r < s->n_rec; r++)
        if (s->id_off[r] != UINT64_MAX) count[rp__uf_find(&uf, (uint32_t)r)]++;
    size_t n_st = 0, n_mem = 0;
    for (uint64_t r = 0; r < s->n_rec; r++) {
        s->story_of[r] = UINT32_MAX;
        if (s->id_off[r] != UINT64_MAX && rp__uf_find(&uf, (uint32_t)r) == r && count[r] > 1) {
            s->story_of[r] = (uint32_t)n_st++;
            n_mem += count[r];
        }
    }
    s->first = calloc(n_st + 1, sizeof(uint32_t));
    s->members = malloc((n_mem ? n_mem : 1) * sizeof(uint32_t));
    s->terms = calloc((n_st ? n_st : 1) * SHOW_TERMS, sizeof(rp_tw));
    if (!s->first || !s->members || !s->terms) {
        free(count);
        goto done;
    }
    for (uint64_t r = 0; r < s->n_rec; r++)
        if (s->story_of[r] != UINT32_MAX) s->first[s->story_of[r] + 1] = count[r];
    for (size_t k = 0; k < n_st; k++) s->first[k + 1] += s->first[k];
    memset(count, 0, (s->n_rec ? s->n_rec : 1) * sizeof(uint32_t));
    for (uint64_t r = 0; r < s->n_rec; r++) {
        if (s->id_off[r] == UINT64_MAX) continue;
        uint32_t root = rp__uf_find(&uf, (uint32_t)r), st_i = s->story_of[root];
        if (st_i == UINT32_MAX) continue;
        s->members[s->first[st_i] + count[root]++] = (uint32_t)r;
        if (r != root) s->story_of[r] = st_i;
    }
    for (uint64_t r = 0; r < s->n_rec; r++) {
        if (s->id_off[r] == UINT64_MAX || rp__uf_find(&uf, (uint32_t)r) != r ||
            s->story_of[r] == UINT32_MAX)
            continue;
        rp_centroid *c = &cent[r];
        qsort(c->v, c->n, sizeof(rp_tw), cmp_tw_weight);
        for (size_t k = 0; k < c->n && k < SHOW_TERMS; k++) s->terms[s->story_of[r] * SHOW_TERMS + k] = c->v[k];
    }
    free(count);
    s->n_stories = n_st;
    s->stats->clusters = n_st;
    st = RP_OK;
done:
    cursor_close(&cur);
    if (s->edge_file) fclose(s->edge_file), s->edge_file = NULL;
    if (cent)
        for (uint64_t r = 0; r < s->n_rec; r++) free(cent[r].v);
    free(cent);
    rp__uf_free(&uf);
    return st;
}

/* ---------------------------------------------------------------- run */

rp_status rp__stories_terms(rp_stories *s, rp_corpus *c, rp_stats *stats, char *err)
{
    if (s->ran) {
        rp__msg(err, "the terms pass runs once");
        return RP_ERR_USAGE;
    }
    s->c = c;
    s->stats = stats;
    s->err = err;
    s->ran = 1;
    double threshold = c->p.story_threshold;
    if (!(threshold > 0 && threshold <= 1) || c->p.max_bucket < 2) {
        rp__msg(err, "invalid parameters (story threshold (0,1], max_bucket >= 2)");
        return RP_ERR_USAGE;
    }
    /* the corpus tokenizes with spin on (the engine sees to it): terms are
     * spin keys, and function words are told apart */
    return rp__corpus_first_pass(c, stats, &df_ops, s);
}

rp_status rp__stories_weigh(rp_stories *s)
{
    if (!s->ran || s->weighed) {
        rp__msg(s->err, "the weighing pass runs once, after the terms pass");
        return RP_ERR_USAGE;
    }
    s->weighed = 1;
    if (!s->n_rec) return RP_OK;
    s->vec_off = calloc(s->n_rec, sizeof(uint64_t));
    s->vec_len = calloc(s->n_rec, 1);
    if (!s->vec_off || !s->vec_len) return RP_ERR_NOMEM;
    s->specific_df = s->n_good / SPECIFIC_SHARE > SPECIFIC_MIN ? (uint32_t)(s->n_good / SPECIFIC_SHARE)
                                                                : SPECIFIC_MIN;
    if (s->cache && fflush(s->cache) != 0) {
        return rp__corpus_temp_write_failed(s->c, s->err, errno);
    }
    /* the vectors (TOP_TERMS terms a document, 8 bytes each) go to a file
     * when they would take more than half of --memory, and are read back
     * a document at a time where they are needed: the keys, the scored
     * partners, the first member of a cluster */
    uint64_t limit = s->c->p.memory_limit;
    if (limit && s->n_rec * TOP_TERMS * sizeof(rp_tw) > limit / 2) {
        rp_status made = rp__corpus_temp(s->c, &s->vec_file);
        if (made != RP_OK) return made;
    }
    unsigned threads = s->stats->threads ? s->stats->threads : 1;
    size_t round = s->n_rec < WEIGH_ROUND ? (size_t)s->n_rec : WEIGH_ROUND;
    rp_weigher *w = calloc(threads, sizeof(*w));
    rp_tw *out = malloc(round * TOP_TERMS * sizeof(rp_tw));
    uint8_t *out_len = malloc(round);
    rp_status st = w && out && out_len ? RP_OK : RP_ERR_NOMEM;
    atomic_uint_fast64_t next;
    for (uint64_t from = 0; st == RP_OK && from < s->n_rec; from += round) {
        uint64_t to = from + round < s->n_rec ? from + round : s->n_rec;
        atomic_init(&next, from);
        for (unsigned k = 0; k < threads; k++) {
            w[k].s = s, w[k].from = from, w[k].to = to, w[k].next = &next;
            w[k].out = out, w[k].out_len = out_len;
        }
        rp__run_parallel(weigh_main, w, sizeof(*w), threads);
        for (unsigned k = 0; k < threads && st == RP_OK; k++)
            if ((st = w[k].st) != RP_OK && w[k].err[0]) rp__msg(s->err, "%s", w[k].err);
        /* the round's vectors, packed in record order (in their file under
         * --memory) */
        for (uint64_t r = from; st == RP_OK && r < to; r++) {
            size_t m = out_len[r - from];
            if (s->vec_file) {
                if (m && fwrite(out + (r - from) * TOP_TERMS, sizeof(rp_tw), m, s->vec_file) != m) {
                    st = rp__corpus_temp_write_failed(s->c, s->err, errno);
                    break;
                }
            } else if (rp__grow((void **)&s->vecs, &s->cap_vecs, s->n_vecs + m + 1, sizeof(rp_tw))) {
                st = RP_ERR_NOMEM;
                break;
            } else {
                memcpy(s->vecs + s->n_vecs, out + (r - from) * TOP_TERMS, m * sizeof(rp_tw));
            }
            s->vec_off[r] = s->n_vecs;
            s->vec_len[r] = (uint8_t)m;
            s->n_vecs += m;
        }
        if (s->c->on_progress) /* in bytes, as the pass it stands for would say */
            s->c->on_progress(s->c->user, "weighing", s->c->total_bytes * to / s->n_rec, s->c->total_bytes);
    }
    for (unsigned k = 0; w && k < threads; k++) free(w[k].e), free(w[k].tw);
    free(w), free(out), free(out_len);
    if (st == RP_OK && s->vec_file && fflush(s->vec_file) != 0)
        st = rp__corpus_temp_write_failed(s->c, s->err, errno);
    if (s->vec_file) s->stats->spilled_bytes += s->n_vecs * sizeof(rp_tw);
    /* the terms are weighed: their file goes, and where each document's are */
    if (s->cache) fclose(s->cache);
    s->cache = NULL;
    free(s->cache_off), free(s->cache_n);
    s->cache_off = NULL, s->cache_n = NULL;
    return st;
}

rp_status rp__stories_run(rp_stories *s, rp_corpus *c, rp_stats *stats, char *err)
{
    rp_status st = rp__stories_terms(s, c, stats, err);
    if (st == RP_OK) st = rp__stories_weigh(s);
    rp_story_edge *edges = NULL;
    size_t n_edges = 0;
    if (st == RP_OK) st = rp__stories_candidates(s, &edges, &n_edges);
    if (st == RP_OK) st = rp__stories_cluster(s, edges, n_edges);
    free(edges);
    if (st == RP_ERR_NOMEM && !err[0]) rp__msg(err, "out of memory");
    stats->kept = stats->read - stats->rejected;
    return st;
}

static rp_id id_at(const rp_stories *s, uint64_t r)
{
    rp_id id = {s->ids.data + (s->id_off[r] >> 1), s->id_len[r], (int)(s->id_off[r] & 1)};
    return id;
}

rp_status rp__stories_foreach(rp_stories *s, int (*fn)(void *user, const rp_story *story), void *user)
{
    if (!s->ran) return RP_ERR_USAGE;
    rp_id *ids = NULL;
    uint64_t *idx = NULL;
    size_t cap = 0, cap_idx = 0;
    for (size_t k = 0; k < s->n_stories; k++) {
        size_t n = s->first[k + 1] - s->first[k];
        if (rp__grow((void **)&ids, &cap, n, sizeof(rp_id)) ||
            rp__grow((void **)&idx, &cap_idx, n, sizeof(uint64_t))) {
            free(ids);
            free(idx);
            return RP_ERR_NOMEM;
        }
        for (size_t m = 0; m < n; m++) {
            idx[m] = s->members[s->first[k] + m];
            ids[m] = id_at(s, idx[m]);
        }
        rp_story st;
        memset(&st, 0, sizeof(st));
        st.story = k + 1;
        st.members = ids;
        st.indexes = idx;
        st.n_members = n;
        for (size_t t = 0; t < SHOW_TERMS; t++) {
            const rp_tw *tw = &s->terms[k * SHOW_TERMS + t];
            if (tw->w <= 0) break;
            size_t slot = term_slot(s, tw->term);
            if (!s->tkey[slot] || !s->tlen[slot]) continue;
            st.terms[st.n_terms] = s->text.data + s->ttext[slot];
            st.term_len[st.n_terms++] = s->tlen[slot];
        }
        if (fn(user, &st)) break;
    }
    free(ids);
    free(idx);
    return RP_OK;
}

int64_t rp__stories_story_of(const rp_stories *s, uint64_t rec)
{
    if (!s->story_of || rec >= s->n_rec || s->story_of[rec] == UINT32_MAX) return 0;
    return (int64_t)s->story_of[rec] + 1;
}
