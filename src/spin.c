/*
 * spin.c — the spin-robust view of a text: each word replaced by a key that
 * an article spinner does not change.
 *
 * A spinner swaps content words for thesaurus synonyms ("said" ->
 * "mentioned", "rare" -> "uncommon", "two" -> "2") and keeps the sentence
 * and its function words. So under --spin:
 *
 *   - function words (the closed classes below) keep their own hash;
 *   - an irregular form in WordNet's exception lists goes to its base form
 *     ("held" -> "hold", "men" -> "man", "said" -> "say"), and a word that is
 *     a WordNet lemma, or whose Snowball stem is the stem of one ("males",
 *     "mentioned"), is replaced by that lemma's synonym class;
 *   - any other word is replaced by its Snowball stem ("elevating" and
 *     "elevated" meet).
 *
 * Synonym classes. Synonymy in WordNet is not transitive: joining every
 * lemma with every synset it belongs to puts most of the vocabulary in one
 * class ("get", "take", "make" bridge everything). The classes are therefore
 * grown by union-find over lemma–synset edges taken in order of sense rank
 * (every lemma's commonest sense first), and a union that would make a class
 * of more than CLASS_CAP lemmas is skipped. With a cap of 32, a synonym drawn
 * from any sense of a word, as a thesaurus-driven spinner draws it, lands in
 * the word's class about two times in three (measured on the seed articles);
 * the substitutions it misses are bridged by the aligner's gaps.
 *
 * The lexicon is built once per process from WordNet's index files and
 * exception lists (under a second) and is read-only afterwards, so worker
 * threads share it without locks. WordNet's own morphstr() is not used at
 * run time: it binary-searches the files on disk for every call, 350 us a
 * word measured, which a corpus of millions of word types cannot afford;
 * the exception lists and Snowball stems of the lemmas, held in memory,
 * give the same base forms for the regular and irregular inflections.
 * Each tokenizer also caches its words' keys.
 */
#include "internal.h"

#include <libstemmer.h>
#include <pthread.h>
#include <string.h>
#include <wn.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#define CLASS_CAP 32
#define CACHE_MAX ((size_t)1 << 22) /* entries per tokenizer before it starts over */

/* Closed-class English words: articles, determiners, pronouns, prepositions,
 * conjunctions, auxiliary and modal verbs, negation. Thesauri offer no
 * synonyms for them, so spinners leave them in place, which is what makes
 * stopword n-grams survive spinning (Stamatatos 2011). Open-class adverbs
 * such as "also" are not here: spinners do swap them. */
static const char *const stopwords[] = {
    "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "no",
    "all", "both", "either", "neither", "such", "what", "which", "who", "whom", "whose",
    "whatever", "whichever", "whoever", "i", "me", "my", "mine", "myself", "we", "us", "our",
    "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves", "he", "him", "his",
    "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
    "theirs", "themselves", "one's", "about", "above", "across", "after", "against", "along",
    "amid", "among", "around", "as", "at", "before", "behind", "below", "beneath", "beside",
    "besides", "between", "beyond", "but", "by", "despite", "down", "during", "except", "for",
    "from", "in", "inside", "into", "like", "near", "of", "off", "on", "onto", "out", "outside",
    "over", "past", "per", "since", "than", "through", "throughout", "till", "to", "toward",
    "towards", "under", "underneath", "until", "unto", "up", "upon", "via", "with", "within",
    "without", "and", "or", "nor", "so", "yet", "if", "because", "although", "though", "unless",
    "whether", "while", "whereas", "where", "when", "whenever", "wherever", "why", "how", "then",
    "there", "here", "be", "am", "is", "are", "was", "were", "been", "being", "have", "has", "had",
    "having", "do", "does", "did", "doing", "will", "would", "shall", "should", "can", "could",
    "may", "might", "must", "ought", "not", "n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "s",
    "t", "own", "same", "other", "another", "more", "most", "less", "least", NULL};

typedef struct {
    uint64_t word;           /* the tokenizer's hash of the lemma; 0 = empty slot */
    uint32_t cls;
} lex_slot;

static struct {
    lex_slot *tab;           /* lemma -> class */
    size_t mask;
    lex_slot *exc;           /* irregular form -> class of its base */
    size_t exc_mask;
    lex_slot *stem;          /* Snowball stem of a lemma -> its class */
    size_t stem_mask;
    uint64_t *stop;          /* open-addressed set of function word hashes */
    size_t stop_mask;
    rp_status status;
    char err[RP_MSG_MAX];
} lex;

static pthread_once_t lex_once = PTHREAD_ONCE_INIT;
static char wn_msg[RP_MSG_MAX];

/* libwordnet reports through this hook; the library never prints. */
static int wn_quiet(char *msg)
{
    snprintf(wn_msg, sizeof(wn_msg), "%s", msg);
    size_t n = strlen(wn_msg);
    while (n && (wn_msg[n - 1] == '\n' || wn_msg[n - 1] == ' ')) wn_msg[--n] = 0;
    return -1;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ULL;
    return x ^ (x >> 33);
}

static size_t slot_of(uint64_t h, size_t mask)
{
    return (size_t)mix64(h) & mask;
}

static int stop_has(uint64_t h)
{
    for (size_t s = slot_of(h, lex.stop_mask); lex.stop[s]; s = (s + 1) & lex.stop_mask)
        if (lex.stop[s] == h) return 1;
    return 0;
}

static const lex_slot *table_find(const lex_slot *tab, size_t mask, uint64_t h)
{
    for (size_t s = slot_of(h, mask); tab[s].word; s = (s + 1) & mask)
        if (tab[s].word == h) return &tab[s];
    return NULL;
}

static const lex_slot *lex_find(uint64_t h)
{
    return table_find(lex.tab, lex.mask, h);
}

/* Adds h -> cls unless h is there already (the first entry wins). */
static void table_put(lex_slot *tab, size_t mask, uint64_t h, uint32_t cls)
{
    size_t s = slot_of(h, mask);
    while (tab[s].word && tab[s].word != h) s = (s + 1) & mask;
    if (!tab[s].word) tab[s] = (lex_slot){h, cls};
}

static uint64_t stem_hash(const sb_symbol *st, int len)
{
    return XXH3_64bits_withSeed(st, (size_t)len, 0x57E3ULL) | 1;
}

/* The tokenizer's hash of a one-word string, or 0 when it is not one word. */
static uint64_t word_hash(rp_tokenizer *tok, const char *s)
{
    const uint64_t *h;
    const rp_span *sp;
    size_t n;
    if (rp_tokenize(tok, s, strlen(s), &h, &sp, &n) != RP_OK || n != 1) return 0;
    return h[0] ? h[0] : 1;
}

/* ------------------------------------------------------------ building */

typedef struct {
    uint32_t lemma, synset, rank;
} lex_edge;

typedef struct {
    uint64_t *key;           /* (pos << 56 | offset) + 1; 0 = empty */
    uint32_t *id;
    size_t mask, n;
} id_map;

static int id_map_init(id_map *m, size_t cap)
{
    m->mask = cap - 1;
    m->n = 0;
    m->key = calloc(cap, sizeof(uint64_t));
    m->id = malloc(cap * sizeof(uint32_t));
    return m->key && m->id ? 0 : -1;
}

static uint32_t id_map_get(id_map *m, uint64_t k)
{
    size_t s = slot_of(k, m->mask);
    while (m->key[s] && m->key[s] != k) s = (s + 1) & m->mask;
    if (!m->key[s]) {
        m->key[s] = k;
        m->id[s] = (uint32_t)m->n++;
    }
    return m->id[s];
}

static int cmp_edge(const void *x, const void *y)
{
    const lex_edge *a = x, *b = y;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    if (a->lemma != b->lemma) return a->lemma < b->lemma ? -1 : 1;
    return a->synset < b->synset ? -1 : a->synset > b->synset;
}

static uint32_t uf_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

static void lex_build(void)
{
    lex.status = RP_ERR_NOMEM;
    rp__msg(lex.err, "out of memory loading WordNet");
    display_message = wn_quiet;
    if (wninit() != 0) {
        lex.status = RP_ERR_IO;
        rp__msg(lex.err, "--spin needs the WordNet database (Debian package wordnet-base, "
                         "or WNSEARCHDIR): %s", wn_msg[0] ? wn_msg : "cannot open it");
        return;
    }
    rp_tokenizer *tok = rp_tokenizer_create();
    uint64_t *lemma_hash = NULL;
    size_t n_lemma = 0, cap_lemma = 0;
    size_t *lemma_at = NULL, cap_at = 0; /* each lemma's text in lemma_text */
    rp_buf lemma_text = {0};
    lex_edge *edges = NULL;
    size_t n_edges = 0, cap_edges = 0;
    id_map lemmas = {0}, synsets = {0};
    uint32_t *parent = NULL, *size = NULL;
    char *line = malloc(1 << 16);
    if (!tok || !line || id_map_init(&lemmas, 1 << 19) || id_map_init(&synsets, 1 << 19))
        goto done;
    for (int pos = 1; pos <= NUMPARTS; pos++) {
        FILE *f = indexfps[pos];
        if (!f || fseek(f, 0, SEEK_SET) != 0) continue;
        for (;;) {
            long off = ftell(f);
            if (!fgets(line, 1 << 16, f)) break;
            if (line[0] == ' ') continue; /* the licence at the top */
            IndexPtr ip = parse_index(off, pos, line);
            if (!ip) continue;
            /* spinners put in one word for one word; collocations
             * ("bring_up") cannot stand for a single token */
            uint64_t h = strchr(ip->wd, '_') ? 0 : word_hash(tok, ip->wd);
            if (h && lemmas.n < (lemmas.mask + 1) / 2) {
                size_t before = lemmas.n;
                uint32_t l = id_map_get(&lemmas, h);
                if (lemmas.n > before) {
                    if (rp__grow((void **)&lemma_hash, &cap_lemma, n_lemma + 1, sizeof(uint64_t))) {
                        free_index(ip);
                        goto done;
                    }
                    lemma_hash[n_lemma++] = h;
                    if (rp__grow((void **)&lemma_at, &cap_at, n_lemma, sizeof(size_t)) ||
                        rp__buf_append(&lemma_text, ip->wd, strlen(ip->wd) + 1)) {
                        free_index(ip);
                        goto done;
                    }
                    lemma_at[n_lemma - 1] = lemma_text.len - strlen(ip->wd) - 1;
                }
                for (int k = 0; k < ip->off_cnt && synsets.n < (synsets.mask + 1) / 2; k++) {
                    uint32_t s = id_map_get(&synsets, ((uint64_t)pos << 56 | (uint64_t)ip->offset[k]) + 1);
                    if (rp__grow((void **)&edges, &cap_edges, n_edges + 1, sizeof(lex_edge))) {
                        free_index(ip);
                        goto done;
                    }
                    edges[n_edges++] = (lex_edge){l, s, (uint32_t)k};
                }
            }
            free_index(ip);
        }
    }
    size_t n_nodes = n_lemma + synsets.n;
    parent = malloc((n_nodes ? n_nodes : 1) * sizeof(uint32_t));
    size = malloc((n_nodes ? n_nodes : 1) * sizeof(uint32_t));
    if (!parent || !size) goto done;
    for (size_t x = 0; x < n_nodes; x++) parent[x] = (uint32_t)x, size[x] = x < n_lemma;
    qsort(edges, n_edges, sizeof(lex_edge), cmp_edge);
    for (size_t e = 0; e < n_edges; e++) {
        uint32_t a = uf_root(parent, edges[e].lemma);
        uint32_t b = uf_root(parent, (uint32_t)(n_lemma + edges[e].synset));
        if (a == b || size[a] + size[b] > CLASS_CAP) continue;
        if (a > b) { /* the smaller id leads: classes do not depend on order */
            uint32_t t = a;
            a = b;
            b = t;
        }
        parent[b] = a;
        size[a] += size[b];
    }
    size_t tab = 16;
    while (tab < n_lemma * 2) tab <<= 1;
    size_t stop_tab = 512;
    lex.tab = calloc(tab, sizeof(lex_slot));
    lex.stop = calloc(stop_tab, sizeof(uint64_t));
    if (!lex.tab || !lex.stop) goto done;
    lex.mask = tab - 1;
    lex.stop_mask = stop_tab - 1;
    for (size_t l = 0; l < n_lemma; l++) {
        size_t s = slot_of(lemma_hash[l], lex.mask);
        while (lex.tab[s].word) s = (s + 1) & lex.mask;
        lex.tab[s] = (lex_slot){lemma_hash[l], uf_root(parent, (uint32_t)l)};
    }
    /* Snowball stems of the lemmas, in index order (nouns, verbs, adjectives,
     * adverbs): the first lemma of a stem gives its class */
    struct sb_stemmer *stemmer = sb_stemmer_new("english", "UTF_8");
    size_t stem_tab = tab;
    lex.stem = calloc(stem_tab, sizeof(lex_slot));
    if (!stemmer || !lex.stem) {
        if (stemmer) sb_stemmer_delete(stemmer);
        goto done;
    }
    lex.stem_mask = stem_tab - 1;
    for (size_t l = 0; l < n_lemma; l++) {
        const sb_symbol *st = sb_stemmer_stem(stemmer, (const sb_symbol *)(lemma_text.data + lemma_at[l]),
                                              (int)strlen(lemma_text.data + lemma_at[l]));
        if (st) table_put(lex.stem, lex.stem_mask, stem_hash(st, sb_stemmer_length(stemmer)),
                          uf_root(parent, (uint32_t)l));
    }
    sb_stemmer_delete(stemmer);
    /* irregular forms, from WordNet's exception lists: "held hold" */
    size_t exc_tab = 1 << 15;
    lex.exc = calloc(exc_tab, sizeof(lex_slot));
    if (!lex.exc) goto done;
    lex.exc_mask = exc_tab - 1;
    static const char *const exc_files[] = {"verb.exc", "noun.exc", "adj.exc", "adv.exc"};
    const char *dir = SetSearchdir();
    for (size_t x = 0; x < 4 && dir; x++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, exc_files[x]);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        while (fgets(line, 1 << 16, f)) {
            char *form = strtok(line, " \n"), *base = strtok(NULL, " \n");
            if (!form || !base || strchr(form, '_') || strchr(base, '_')) continue;
            uint64_t hf = word_hash(tok, form), hb = word_hash(tok, base);
            const lex_slot *e = hb ? lex_find(hb) : NULL;
            if (hf && e && hf != hb) table_put(lex.exc, lex.exc_mask, hf, e->cls);
        }
        fclose(f);
    }
    for (size_t w = 0; stopwords[w]; w++) {
        uint64_t h = word_hash(tok, stopwords[w]);
        if (!h || stop_has(h)) continue;
        size_t s = slot_of(h, lex.stop_mask);
        while (lex.stop[s]) s = (s + 1) & lex.stop_mask;
        lex.stop[s] = h;
    }
    lex.status = RP_OK;
    lex.err[0] = 0;
done:
    if (lex.status != RP_OK) {
        free(lex.tab);
        free(lex.stop);
        free(lex.exc);
        free(lex.stem);
        lex.tab = NULL;
        lex.stop = NULL;
        lex.exc = NULL;
        lex.stem = NULL;
    }
    rp_tokenizer_free(tok);
    free(lemma_hash);
    free(lemma_at);
    rp__buf_free(&lemma_text);
    free(edges);
    free(lemmas.key);
    free(lemmas.id);
    free(synsets.key);
    free(synsets.id);
    free(parent);
    free(size);
    free(line);
}

rp_status rp__lexicon_load(char *err)
{
    pthread_once(&lex_once, lex_build);
    if (lex.status != RP_OK && err) rp__msg(err, "%s", lex.err);
    return lex.status;
}

/* ------------------------------------------------------------- keys */

struct rp_spinner {
    uint64_t *word, *key;    /* cache: the tokenizer's hash -> spin key; word 0 = empty */
    size_t mask, n;
    struct sb_stemmer *stemmer;
    uint64_t *keys;          /* the last text's keys */
    size_t cap_keys;
    char err[RP_MSG_MAX];
};

rp_spinner *rp_spinner_create(void)
{
    rp_spinner *sp = calloc(1, sizeof(*sp));
    if (!sp) return NULL;
    sp->mask = ((size_t)1 << 12) - 1;
    sp->word = calloc(sp->mask + 1, sizeof(uint64_t));
    sp->key = malloc((sp->mask + 1) * sizeof(uint64_t));
    sp->stemmer = sb_stemmer_new("english", "UTF_8");
    if (!sp->word || !sp->key || !sp->stemmer) {
        rp_spinner_free(sp);
        return NULL;
    }
    return sp;
}

void rp_spinner_free(rp_spinner *sp)
{
    if (!sp) return;
    free(sp->word);
    free(sp->key);
    free(sp->keys);
    if (sp->stemmer) sb_stemmer_delete(sp->stemmer);
    free(sp);
}

static uint64_t class_key(uint32_t cls)
{
    return mix64(((uint64_t)cls << 8) ^ 0x5EC1A55ULL) | 1;
}

static uint64_t compute_key(rp_spinner *sp, uint64_t h, const char *word, size_t len)
{
    if (stop_has(h)) return h;
    /* an irregular form goes to its base even when WordNet also lists it
     * ("said" is an adjective too): both sides of a pair do the same */
    const lex_slot *e = table_find(lex.exc, lex.exc_mask, h);
    if (e) return class_key(e->cls);
    const sb_symbol *st = sb_stemmer_stem(sp->stemmer, (const sb_symbol *)word, (int)len);
    if (!st) return h;
    int sl = sb_stemmer_length(sp->stemmer);
    /* a word the stemmer leaves whole is taken as the lemma it is; an
     * inflected one ("stated", also an adjective) by its stem's lemma */
    if ((size_t)sl == len && memcmp(st, word, len) == 0 && (e = lex_find(h))) return class_key(e->cls);
    uint64_t sh = stem_hash(st, sl);
    if ((e = table_find(lex.stem, lex.stem_mask, sh)) || (e = lex_find(h))) return class_key(e->cls);
    return sh;
}

const char *rp_spinner_error(const rp_spinner *sp)
{
    return sp->err;
}

static uint64_t spinner_key(rp_spinner *sp, uint64_t h, const char *word, size_t len);

rp_status rp_spin(rp_spinner *sp, rp_tokenizer *tok, const uint64_t *hashes, size_t n,
                  const uint64_t **keys)
{
    rp_status st = rp__lexicon_load(sp->err);
    if (st != RP_OK) return st;
    if (rp__grow((void **)&sp->keys, &sp->cap_keys, n ? n : 1, sizeof(uint64_t))) {
        rp__msg(sp->err, "out of memory");
        return RP_ERR_NOMEM;
    }
    char w[128];
    for (size_t i = 0; i < n; i++) {
        size_t len = rp_tokenizer_word(tok, i, w, sizeof(w));
        sp->keys[i] = spinner_key(sp, hashes[i], w, len);
    }
    *keys = sp->keys;
    return RP_OK;
}

static uint64_t spinner_key(rp_spinner *sp, uint64_t h, const char *word, size_t len)
{
    uint64_t w = h ? h : 1;
    size_t s = slot_of(w, sp->mask);
    while (sp->word[s] && sp->word[s] != w) s = (s + 1) & sp->mask;
    if (sp->word[s]) return sp->key[s];
    uint64_t key = compute_key(sp, h, word, len);
    if (sp->n + 1 > (sp->mask + 1) / 2) { /* grow, or start over past CACHE_MAX */
        size_t cap = (sp->mask + 1) * 2;
        uint64_t *nw = cap <= CACHE_MAX ? calloc(cap, sizeof(uint64_t)) : NULL;
        uint64_t *nk = nw ? malloc(cap * sizeof(uint64_t)) : NULL;
        if (!nk) {
            free(nw);
            memset(sp->word, 0, (sp->mask + 1) * sizeof(uint64_t));
            sp->n = 0;
        } else {
            for (size_t x = 0; x <= sp->mask; x++) {
                if (!sp->word[x]) continue;
                size_t t = slot_of(sp->word[x], cap - 1);
                while (nw[t]) t = (t + 1) & (cap - 1);
                nw[t] = sp->word[x];
                nk[t] = sp->key[x];
            }
            free(sp->word);
            free(sp->key);
            sp->word = nw;
            sp->key = nk;
            sp->mask = cap - 1;
        }
        s = slot_of(w, sp->mask);
        while (sp->word[s]) s = (s + 1) & sp->mask;
    }
    sp->word[s] = w;
    sp->key[s] = key;
    sp->n++;
    return key;
}

int rp__is_function_word(uint64_t h)
{
    return lex.stop && stop_has(h);
}
