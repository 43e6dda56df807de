/* prose.h — made-up English for the tests that need many documents of
 * known structure: sentences from a small grammar over WordNet's commonest
 * nouns, verbs and adjectives (so that synonyms exist for a spinner or a
 * paraphrase to draw), each document on a topic (invented names, a number
 * and topic words that a third of its content words come from), and each
 * sentence kept as its parts so that it can be said another way
 * (paraphrase) or cut down (condense). Include after cmocka.h and
 * spinner.h; call prose_load() once. */
#ifndef REPRINT_PROSE_H
#define REPRINT_PROSE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wn.h>

static uint64_t rng = 0x243F6A8885A308D3ULL;

static inline uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static inline size_t pick(size_t n)
{
    return (size_t)(next_rand() % n);
}

static inline double unit(void)
{
    return (double)(next_rand() >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------ vocabulary */

typedef struct {
    char **w;
    size_t n, cap;
} wordlist;

static wordlist nouns, verbs, adjs;

static inline void add_word(wordlist *l, const char *w)
{
    if (l->n == l->cap) l->w = realloc(l->w, (l->cap = l->cap * 2 + 256) * sizeof(char *));
    l->w[l->n++] = strdup(w);
}

/* WordNet's lemmas of one part of speech that are single words of letters,
 * seen tagged in its corpus at least `tagged` times: everyday words with
 * synonyms. */
static inline void load_words(int pos, wordlist *l, int tagged)
{
    FILE *f = indexfps[pos];
    char line[1 << 14];
    fseek(f, 0, SEEK_SET);
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == ' ') continue;
        char lemma[64];
        int cnt = 0, senses = 0, ptrs = 0;
        char p;
        if (sscanf(line, "%63s %c %d %d", lemma, &p, &senses, &ptrs) != 4) continue;
        /* skip the pointer symbols to reach sense_cnt and tagsense_cnt */
        char *s = line;
        for (int field = 0; field < 4 + ptrs; field++) s = strchr(s, ' ') + 1;
        if (sscanf(s, "%*d %d", &cnt) != 1 || cnt < tagged) continue;
        size_t len = strlen(lemma);
        int ok = len >= 3 && len <= 11;
        for (size_t k = 0; k < len && ok; k++) ok = lemma[k] >= 'a' && lemma[k] <= 'z';
        if (ok) add_word(l, lemma);
    }
}

static inline const char *zipf(const wordlist *l)
{
    double u = unit();
    return l->w[(size_t)(u * u * (double)l->n)];
}

/* -s and -ed of a regular English verb, near enough for the tokenizer. */
static inline void inflect(const char *v, const char *suffix, char *out, size_t cap)
{
    size_t n = strlen(v);
    char last = v[n - 1], before = n > 1 ? v[n - 2] : 'a';
    int vowel = strchr("aeiou", before) != NULL;
    if (suffix[0] == 's') {
        if (last == 's' || last == 'x' || last == 'z' || (last == 'h' && (before == 'c' || before == 's')))
            snprintf(out, cap, "%ses", v);
        else if (last == 'y' && !vowel) snprintf(out, cap, "%.*sies", (int)(n - 1), v);
        else snprintf(out, cap, "%ss", v);
    } else {
        if (last == 'e') snprintf(out, cap, "%sd", v);
        else if (last == 'y' && !vowel) snprintf(out, cap, "%.*sied", (int)(n - 1), v);
        else snprintf(out, cap, "%sed", v);
    }
}

/* ---------------------------------------------------------------- topics */

#define TOPIC_NAMES 6
#define TOPIC_WORDS 10

typedef struct {
    char names[TOPIC_NAMES][40];
    const char *nouns[TOPIC_WORDS], *verbs[TOPIC_WORDS / 2], *adjs[TOPIC_WORDS / 2];
    int number;
} topic;

/* A person: a first name from a pool of 400, as common first names are
 * shared by many people, and a surname of 4 or 5 syllables, seldom shared. */
static inline void invent_name(char *out, size_t cap)
{
    static const char *syl[] = {"ka", "ren", "dor", "vi", "lan", "mo", "tes", "sa", "bri", "ol",
                                "ne", "gar", "fen", "tu", "ris", "pal", "om", "zel", "ha", "quin"};
    char first[20] = "", last[32] = "";
    size_t f = pick(400);
    strcat(first, syl[f % 20]), strcat(first, syl[f / 20]);
    for (size_t k = 0, n = 4 + pick(2); k < n; k++) strcat(last, syl[pick(20)]);
    first[0] = (char)(first[0] - 32), last[0] = (char)(last[0] - 32);
    snprintf(out, cap, "%s %s", first, last);
}

static inline void make_topic(topic *t)
{
    for (int k = 0; k < TOPIC_NAMES; k++) invent_name(t->names[k], sizeof(t->names[k]));
    for (int k = 0; k < TOPIC_WORDS; k++) t->nouns[k] = nouns.w[pick(nouns.n)];
    for (int k = 0; k < TOPIC_WORDS / 2; k++) t->verbs[k] = verbs.w[pick(verbs.n)];
    for (int k = 0; k < TOPIC_WORDS / 2; k++) t->adjs[k] = adjs.w[pick(adjs.n)];
    t->number = 12 + (int)pick(900);
}

/* ------------------------------------------------------------- sentences */

/* A sentence as its parts, so that it can be said another way:
 * [opener,] subject verb object [prep place] [, clause]. */
typedef struct {
    int opener, prep, clause;   /* -1: none */
    char subj[48], sadj[24], verb[24], obj[48], oadj[24], place[24], padj[24];
    char who[40], cnoun[24], cverb[24];
    int number, count_obj;      /* the object is "N things" */
} sentence;

static const char *openers[] = {"On Monday", "Last week", "Earlier this year", "By the evening",
                                "For the first time", "In the spring", "Two days later",
                                "Before dawn", "At the weekend", "Since January", "Late on Friday",
                                "After a long delay", "Within hours", "In a surprise move"};
static const char *preps[] = {"near", "in", "at", "across", "behind", "outside", "beside",
                              "beyond", "under", "along", "around", "inside"};
#define N_OPENERS (sizeof(openers) / sizeof(openers[0]))
#define N_PREPS (sizeof(preps) / sizeof(preps[0]))

static inline const char *noun_of(const topic *t)
{
    return unit() < 0.3 ? t->nouns[pick(TOPIC_WORDS)] : zipf(&nouns);
}

/* One of the topic's people: the first two (a genre's regulars, when the
 * topic is an event of a genre) a third of the time, the others, the
 * event's own, the rest, the first of them most. */
static inline const char *person(const topic *t)
{
    static const int own[] = {2, 2, 2, 3, 3, 4, 5};
    return t->names[unit() < 0.34 ? (int)pick(2) : own[pick(7)]];
}

static inline void make_sentence(const topic *t, sentence *s)
{
    memset(s, 0, sizeof(*s));
    s->opener = unit() < 0.3 ? (int)pick(N_OPENERS) : -1;
    s->prep = unit() < 0.7 ? (int)pick(N_PREPS) : -1;
    s->clause = unit() < 0.5 ? (int)pick(4) : -1;
    if (unit() < 0.35) snprintf(s->subj, sizeof(s->subj), "%s", person(t));
    else snprintf(s->subj, sizeof(s->subj), "%s", noun_of(t));
    if (unit() < 0.6) snprintf(s->sadj, sizeof(s->sadj), "%s", unit() < 0.3 ? t->adjs[pick(TOPIC_WORDS / 2)] : zipf(&adjs));
    snprintf(s->verb, sizeof(s->verb), "%s", unit() < 0.3 ? t->verbs[pick(TOPIC_WORDS / 2)] : zipf(&verbs));
    snprintf(s->obj, sizeof(s->obj), "%s", noun_of(t));
    if (unit() < 0.6) snprintf(s->oadj, sizeof(s->oadj), "%s", zipf(&adjs));
    snprintf(s->place, sizeof(s->place), "%s", noun_of(t));
    if (unit() < 0.5) snprintf(s->padj, sizeof(s->padj), "%s", zipf(&adjs));
    snprintf(s->who, sizeof(s->who), "%s", person(t));
    snprintf(s->cnoun, sizeof(s->cnoun), "%s", noun_of(t));
    snprintf(s->cverb, sizeof(s->cverb), "%s", zipf(&verbs));
    s->number = unit() < 0.3 ? t->number : 2 + (int)pick(60);
    s->count_obj = unit() < 0.15;
}

static inline int is_name(const char *w)
{
    return w[0] >= 'A' && w[0] <= 'Z';
}

static inline void np(char *out, size_t cap, const char *adj, const char *noun, int number)
{
    if (is_name(noun)) snprintf(out, cap, "%s", noun);
    else if (number) snprintf(out, cap, "%d %s%s", number, adj && *adj ? adj : "", adj && *adj ? " " : ""),
                     strncat(out, noun, cap - strlen(out) - 2), strcat(out, "s");
    else if (adj && *adj) snprintf(out, cap, "the %s %s", adj, noun);
    else snprintf(out, cap, "the %s", noun);
}

static inline void cap_first(char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z') s[0] = (char)(s[0] - 32);
}

static inline void append(char *out, size_t cap, const char *fmt, ...)
{
    size_t at = strlen(out);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + at, cap - at, fmt, ap);
    va_end(ap);
}

static inline void clause(const sentence *s, char *out, size_t cap, int other_way)
{
    char ved[32];
    inflect(s->cverb, "ed", ved, sizeof(ved));
    switch (s->clause) {
    case 0:
        append(out, cap, other_way ? ", %s said" : ", said %s", s->who);
        break;
    case 1:
        append(out, cap, other_way ? ", in the words of %s" : ", according to %s", s->who);
        break;
    case 2:
        if (other_way) append(out, cap, ", and meanwhile the %s was %s", s->cnoun, ved);
        else append(out, cap, " while the %s %s", s->cnoun, ved);
        break;
    case 3:
        if (other_way) append(out, cap, ", with %d of them present", s->number);
        else append(out, cap, " as %d people watched", s->number);
        break;
    }
}

/* The sentence as first written. */
static inline void render(const sentence *s, char *out, size_t cap)
{
    char subj[96], obj[96], ved[32];
    np(subj, sizeof(subj), s->sadj, s->subj, 0);
    np(obj, sizeof(obj), s->oadj, s->obj, s->count_obj ? s->number : 0);
    inflect(s->verb, "ed", ved, sizeof(ved));
    out[0] = 0;
    if (s->opener >= 0) append(out, cap, "%s, ", openers[s->opener]);
    append(out, cap, "%s %s %s", subj, ved, obj);
    if (s->prep >= 0) append(out, cap, " %s the %s%s%s", preps[s->prep], s->padj, *s->padj ? " " : "", s->place);
    if (s->clause >= 0) clause(s, out, cap, 0);
    append(out, cap, ".");
    cap_first(out);
}

typedef struct {
    spinner sp;
} writer;

/* A content word w, replaced by a synonym with probability rate. */
static inline const char *maybe_syn(writer *wr, const char *w, double rate, char *buf, size_t cap)
{
    if (is_name(w) || unit() >= rate) return w;
    return spin_synonym(&wr->sp, w, buf, cap) ? buf : w;
}

/* The sentence said another way: passive, the place or the time moved to
 * the front or the back, the clause turned, synonyms for a third of its
 * content words, an adjective dropped or added. */
static inline void paraphrase(writer *wr, const sentence *s0, char *out, size_t cap)
{
    sentence s = *s0;
    char b[5][64];
    snprintf(s.subj, sizeof(s.subj), "%.47s", maybe_syn(wr, s0->subj, 0.35, b[0], 64));
    snprintf(s.obj, sizeof(s.obj), "%.47s", maybe_syn(wr, s0->obj, 0.35, b[1], 64));
    snprintf(s.verb, sizeof(s.verb), "%.23s", maybe_syn(wr, s0->verb, 0.35, b[2], 64));
    snprintf(s.place, sizeof(s.place), "%.23s", maybe_syn(wr, s0->place, 0.35, b[3], 64));
    snprintf(s.cverb, sizeof(s.cverb), "%.23s", maybe_syn(wr, s0->cverb, 0.35, b[4], 64));
    if (unit() < 0.5) s.sadj[0] = 0;
    if (unit() < 0.3) snprintf(s.oadj, sizeof(s.oadj), "%s", zipf(&adjs));
    char subj[96], obj[96], ved[32];
    np(subj, sizeof(subj), s.sadj, s.subj, 0);
    np(obj, sizeof(obj), s.oadj, s.obj, s.count_obj ? s.number : 0);
    inflect(s.verb, "ed", ved, sizeof(ved));
    out[0] = 0;
    int place_first = s.prep >= 0 && unit() < 0.5;
    if (place_first) append(out, cap, "%s the %s, ", preps[s.prep], s.place);
    append(out, cap, "%s %s %s by %s", obj, s.count_obj ? "were" : "was", ved, subj);
    if (s.prep >= 0 && !place_first) append(out, cap, " %s the %s", preps[s.prep], s.place);
    if (s.opener >= 0) append(out, cap, " %s", openers[s.opener]), out[strlen(out) - strlen(openers[s.opener])] |= 32;
    if (s.clause >= 0) clause(&s, out, cap, 1);
    append(out, cap, ".");
    cap_first(out);
}

/* The sentence cut to who did what: a summary's sentence. */
static inline void condense(writer *wr, const sentence *s, char *out, size_t cap)
{
    char b1[64], b2[64], subj[96], obj[96], ved[32];
    np(subj, sizeof(subj), NULL, maybe_syn(wr, s->subj, 0.2, b1, sizeof(b1)), 0);
    np(obj, sizeof(obj), NULL, maybe_syn(wr, s->obj, 0.2, b2, sizeof(b2)), 0);
    inflect(s->verb, "ed", ved, sizeof(ved));
    snprintf(out, cap, "%s %s %s", subj, ved, obj);
    if (s->prep >= 0 && unit() < 0.5) append(out, cap, " %s the %s", preps[s->prep], s->place);
    append(out, cap, ".");
    cap_first(out);
}

/* ---------------------------------------------------------------- text */

typedef struct {
    char *s;
    size_t len, cap;
} text;

static inline void put(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) t->s = realloc(t->s, t->cap = (t->len + n + 1) * 2);
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

#define SENTS_MAX 64

typedef struct {
    int topic;
    sentence s[SENTS_MAX];
    size_t n;
} doc_plan;

static inline void write_sentences(const doc_plan *d, size_t from, size_t to, text *t)
{
    char line[512];
    for (size_t k = from; k < to; k++) {
        render(&d->s[k], line, sizeof(line));
        if (t->len) put(t, k % 5 == 0 ? "\n\n" : " ");
        put(t, line);
    }
}


/* A JSONL record {"id": "<prefix><n>", "text": body} appended to j. */
static inline void put_record(text *j, char prefix, size_t n, const char *body)
{
    char head[64];
    snprintf(head, sizeof(head), "{\"id\": \"%c%zu\", \"text\": \"", prefix, n);
    put(j, head);
    for (const char *p = body; *p; p++) {
        char e[3] = {*p, 0, 0};
        if (*p == '"' || *p == '\\') e[0] = '\\', e[1] = *p;
        if (*p == '\n') e[0] = '\\', e[1] = 'n';
        put(j, e);
    }
    put(j, "\"}\n");
}

/* The vocabulary, from WordNet (whose database must be open: the library's
 * lexicon opens it). 0 when enough words were found. */
static inline int prose_load(void)
{
    load_words(NOUN, &nouns, 3);
    load_words(VERB, &verbs, 3);
    load_words(ADJ, &adjs, 3);
    return nouns.n > 500 && verbs.n > 300 && adjs.n > 300 ? 0 : -1;
}

#endif
