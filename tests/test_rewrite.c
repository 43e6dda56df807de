/* test_rewrite.c — rewritten reuse, measured as the PAN text-alignment tasks
 * measure it.
 *
 * The test builds a corpus the way PAN built theirs (Potthast et al. 2010,
 * 2013): passages of source documents inserted into host documents, as they
 * are or obfuscated, and the truth of every case kept. The text is made-up
 * English: sentences from a few templates over WordNet's commonest nouns,
 * verbs and adjectives, so that synonyms exist for the spinner and the
 * obfuscator to draw. Every document has a topic (invented names, a number
 * and a handful of topic words that a third of its content words come
 * from), and documents of one topic that share no passage are the
 * same-topic negatives: two reports of one event written independently.
 *
 * Obfuscations, one per copy:
 *   none        the passage as it is;
 *   random      PAN's random text operations at a rate of 0.3 or 0.5 of the
 *               words: each word touched is deleted, swapped with the next,
 *               replaced by a WordNet synonym or followed by an inserted word;
 *   paraphrase  every sentence said another way: active turned passive or a
 *               clause moved to the front, a third of the content words
 *               replaced by synonyms, adjectives dropped or added, long
 *               sentences split and short ones joined;
 *   summary     a passage of 12 to 20 sentences condensed to a third of
 *               them, each cut to its subject, verb and object.
 *
 * The measures are PAN's: precision and recall over characters of both
 * documents of a case, granularity (detections per detected case), and
 * PlagDet = F1 / log2(1 + granularity), per obfuscation type; and the share
 * of same-topic negative pairs reported. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "spinner.h"
#include "prose.h"
#include "test_util.h"

enum { OB_NONE, OB_RANDOM, OB_PARAPHRASE, OB_SUMMARY, N_OB };
static const char *ob_name[N_OB] = {"none", "random", "paraphrase", "summary"};

/* PAN's random text operations on a passage, at `rate` of its words. */
static void obfuscate_random(writer *wr, const char *in, double rate, text *out)
{
    char *copy = strdup(in), *words[2048];
    size_t n = 0;
    for (char *w = strtok(copy, " "); w && n < 2048; w = strtok(NULL, " ")) words[n++] = w;
    char buf[2048][48];
    for (size_t i = 0; i < n; i++) snprintf(buf[i], sizeof(buf[i]), "%s", words[i]);
    for (size_t i = 0; i < n; i++) {
        if (unit() >= rate) continue;
        size_t l = strlen(buf[i]);
        char tail = l && strchr(".,\"", buf[i][l - 1]) ? buf[i][l - 1] : 0;
        switch (pick(4)) {
        case 0: /* delete, keeping a sentence's end */
            if (!tail) buf[i][0] = 0;
            break;
        case 1: /* swap with the next word inside the sentence */
            if (!tail && i + 1 < n && !strchr(buf[i + 1], '.')) {
                char t[48];
                memcpy(t, buf[i], 48), memcpy(buf[i], buf[i + 1], 48), memcpy(buf[i + 1], t, 48);
            }
            break;
        case 2: { /* a synonym */
            char w[48], syn[64];
            size_t k = 0;
            for (size_t x = 0; x < l && k < 47; x++)
                if ((buf[i][x] | 32) >= 'a' && (buf[i][x] | 32) <= 'z') w[k++] = (char)(buf[i][x] | 32);
            w[k] = 0;
            if (k >= 3 && !is_name(buf[i]) && spin_synonym(&wr->sp, w, syn, sizeof(syn))) {
                if (tail) snprintf(buf[i], 48, "%.40s%c", syn, tail);
                else snprintf(buf[i], 48, "%.46s", syn);
            }
            break;
        }
        default: { /* a word put in after it */
            if (tail) break;
            char t[128];
            snprintf(t, sizeof(t), "%s %s", buf[i], pick(2) ? zipf(&adjs) : zipf(&nouns));
            size_t tl = strlen(t) < 47 ? strlen(t) : 47;
            memcpy(buf[i], t, tl);
            buf[i][tl] = 0;
        }
        }
    }
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (!buf[i][0]) continue;
        if (!first) put(out, " ");
        put(out, buf[i]);
        first = 0;
    }
    free(copy);
}

/* ---------------------------------------------------------------- corpus */

typedef struct {
    size_t src, dst;               /* documents */
    uint32_t s0, s1, d0, d1;       /* character ranges, end exclusive */
    int ob;
} pan_case;

typedef struct {
    text *docs;
    size_t n_docs;
    int *topic_of;
    pan_case *cases;
    size_t n_cases;
} corpus;

/* The corpus: n_topics topics; per topic, sources and hosts. Each host
 * takes one passage of a source of another topic (or its own, one time in
 * four), with one obfuscation. */
static void make_corpus(corpus *c, size_t per_type, size_t n_topics)
{
    writer wr = {{0x5EED1234ULL, rp_tokenizer_create(), 0, 0, 0}};
    topic *topics = calloc(n_topics, sizeof(topic));
    for (size_t k = 0; k < n_topics; k++) make_topic(&topics[k]);
    size_t n_hosts = per_type * (N_OB + 1), n_src = n_hosts / 2, n_neg = n_topics * 3;
    c->docs = calloc(n_src + n_hosts + n_neg, sizeof(text));
    c->topic_of = calloc(n_src + n_hosts + n_neg, sizeof(int));
    c->cases = calloc(n_hosts, sizeof(pan_case));
    doc_plan *plan = calloc(n_src, sizeof(doc_plan));
    for (size_t d = 0; d < n_src; d++) { /* sources */
        plan[d].topic = (int)(d % n_topics);
        plan[d].n = 30 + pick(20);
        for (size_t k = 0; k < plan[d].n; k++) make_sentence(&topics[plan[d].topic], &plan[d].s[k]);
        write_sentences(&plan[d], 0, plan[d].n, &c->docs[d]);
        c->topic_of[d] = plan[d].topic;
    }
    c->n_docs = n_src;
    for (size_t h = 0; h < n_hosts; h++) {
        int ob = (int)(h % (N_OB + 1));
        double rate = ob == N_OB ? 0.5 : 0.3; /* random obfuscation twice: 0.3 and 0.5 */
        if (ob == N_OB) ob = OB_RANDOM;
        size_t src = pick(n_src);
        doc_plan host;
        host.topic = pick(4) ? (int)pick(n_topics) : plan[src].topic;
        host.n = 20 + pick(15);
        for (size_t k = 0; k < host.n; k++) make_sentence(&topics[host.topic], &host.s[k]);
        size_t len = ob == OB_SUMMARY ? 12 + pick(9) : 4 + pick(7);
        size_t from = pick(plan[src].n - len);
        /* where the source passage is, in characters */
        text before = {0}, passage = {0};
        write_sentences(&plan[src], 0, from, &before);
        write_sentences(&plan[src], from, from + len, &passage);
        size_t lead = from == 0 ? 0 : from % 5 == 0 ? 2 : 1; /* write_sentences' separator */
        pan_case *pc = &c->cases[c->n_cases++];
        pc->src = src;
        pc->s0 = (uint32_t)(before.len + lead);
        pc->s1 = (uint32_t)(before.len + lead + passage.len);
        pc->ob = ob;
        /* the copy */
        text copy = {0};
        char line[512];
        if (ob == OB_NONE) {
            put(&copy, passage.s);
        } else if (ob == OB_RANDOM) {
            obfuscate_random(&wr, passage.s, rate, &copy);
        } else if (ob == OB_PARAPHRASE) {
            for (size_t k = from; k < from + len; k++) {
                paraphrase(&wr, &plan[src].s[k], line, sizeof(line));
                if (copy.len) put(&copy, " ");
                put(&copy, line);
            }
        } else {
            for (size_t k = from, kept = 0; k < from + len; k++) {
                if (unit() >= 0.35 && !(k + 3 >= from + len && kept < 3)) continue;
                condense(&wr, &plan[src].s[k], line, sizeof(line));
                if (copy.len) put(&copy, " ");
                put(&copy, line);
                kept++;
            }
        }
        text *t = &c->docs[c->n_docs];
        size_t at = pick(host.n);
        write_sentences(&host, 0, at, t);
        put(t, t->len ? "\n\n" : "");
        pc->dst = c->n_docs;
        pc->d0 = (uint32_t)t->len;
        put(t, copy.s);
        pc->d1 = (uint32_t)t->len;
        put(t, "\n\n");
        text rest = {0};
        write_sentences(&host, at, host.n, &rest);
        put(t, rest.s + (rest.s[0] == '\n' ? 2 : rest.s[0] == ' ' ? 1 : 0));
        c->topic_of[c->n_docs++] = host.topic;
        free(before.s), free(passage.s), free(copy.s), free(rest.s);
    }
    for (size_t d = 0; d < n_neg; d++) { /* more of each topic, copying nothing */
        doc_plan p;
        p.topic = (int)(d % n_topics);
        p.n = 25 + pick(20);
        for (size_t k = 0; k < p.n; k++) make_sentence(&topics[p.topic], &p.s[k]);
        write_sentences(&p, 0, p.n, &c->docs[c->n_docs]);
        c->topic_of[c->n_docs++] = p.topic;
    }
    free(plan);
    free(topics);
    rp_tokenizer_free(wr.sp.tok);
}

static const char *write_corpus(const corpus *c)
{
    text j = {0};
    for (size_t d = 0; d < c->n_docs; d++) put_record(&j, 'd', d, c->docs[d].s);
    const char *path = write_temp("reprint_rewrite.jsonl", j.s, j.len);
    free(j.s);
    return path;
}

/* -------------------------------------------------------------- measures */

typedef struct {
    const corpus *c;
    double prec_sum[N_OB], rec_sum[N_OB];
    size_t n_det[N_OB], gran_sum[N_OB], detected[N_OB], n_cases[N_OB];
    size_t neg_pairs, neg_reported, other_reported, indirect;
    size_t kinds[N_OB][RP_KIND_SUMMARY + 1]; /* the passages that hit a case, by kind */
    size_t pairs[N_OB], claimed[N_OB], right[N_OB]; /* who copied whom */
} tally;

static uint32_t overlap(uint32_t s0, uint32_t e0, uint32_t s1, uint32_t e1)
{
    uint32_t s = s0 > s1 ? s0 : s1, e = e0 < e1 ? e0 : e1;
    return e > s ? e - s : 0;
}

static const pan_case *case_of(const corpus *c, size_t src, size_t dst)
{
    for (size_t k = 0; k < c->n_cases; k++)
        if (c->cases[k].src == src && c->cases[k].dst == dst) return &c->cases[k];
    return NULL;
}

/* Two copies of overlapping passages of one source share them too. */
static int indirect(const corpus *c, size_t a, size_t b)
{
    for (size_t x = 0; x < c->n_cases; x++)
        for (size_t y = 0; y < c->n_cases; y++) {
            const pan_case *p = &c->cases[x], *q = &c->cases[y];
            if (p->dst == a && q->dst == b && p->src == q->src && overlap(p->s0, p->s1, q->s0, q->s1))
                return 1;
        }
    return 0;
}

static int see(void *user, const rp_alignment *al)
{
    tally *t = user;
    size_t a = id_number(&al->a), b = id_number(&al->b);
    const pan_case *pc = case_of(t->c, a, b);
    if (!pc && indirect(t->c, a, b)) {
        t->indirect++;
        return 0;
    }
    if (!pc) {
        if (t->c->topic_of[a] == t->c->topic_of[b]) t->neg_reported++;
        else t->other_reported++;
        if (getenv("REPRINT_REWRITE_DEBUG"))
            for (size_t k = 0; k < al->n_passages; k++)
                print_message("false pair d%zu d%zu (%s topic): %s passage of %u words, identity "
                              "%.2f: %.*s\n  ~ %.*s\n", a, b,
                              t->c->topic_of[a] == t->c->topic_of[b] ? "same" : "other",
                              rp_passage_kind_name(al->passages[k].kind), al->passages[k].words,
                              al->passages[k].identity,
                              (int)(al->passages[k].a_end - al->passages[k].a_start),
                              t->c->docs[a].s + al->passages[k].a_start,
                              (int)(al->passages[k].b_end - al->passages[k].b_start),
                              t->c->docs[b].s + al->passages[k].b_start);
        return 0;
    }
    int ob = pc->ob;
    size_t hits = 0;
    t->pairs[ob]++;
    if (al->source != RP_SOURCE_UNKNOWN) {
        t->claimed[ob]++;
        t->right[ob] += al->source == RP_SOURCE_A; /* a source precedes its copies */
    }
    for (size_t k = 0; k < al->n_passages; k++) {
        const rp_passage *p = &al->passages[k];
        uint32_t o1 = overlap(p->a_start, p->a_end, pc->s0, pc->s1);
        uint32_t o2 = overlap(p->b_start, p->b_end, pc->d0, pc->d1);
        t->n_det[ob]++;
        if (o1 && o2) {
            t->kinds[ob][p->kind]++;
            t->prec_sum[ob] += (double)(o1 + o2) / (double)((p->a_end - p->a_start) + (p->b_end - p->b_start));
            hits++;
        }
    }
    /* recall: the union of detections over the case, on both sides */
    uint32_t cov = 0;
    for (int side = 0; side < 2; side++) {
        uint32_t lo = side ? pc->d0 : pc->s0, hi = side ? pc->d1 : pc->s1;
        uint8_t *in = calloc(hi - lo, 1);
        for (size_t k = 0; k < al->n_passages; k++) {
            const rp_passage *p = &al->passages[k];
            uint32_t s = side ? p->b_start : p->a_start, e = side ? p->b_end : p->a_end;
            for (uint32_t x = s > lo ? s : lo; x < (e < hi ? e : hi); x++) in[x - lo] = 1;
        }
        for (uint32_t x = 0; x < hi - lo; x++) cov += in[x];
        free(in);
    }
    t->rec_sum[ob] += (double)cov / (double)((pc->s1 - pc->s0) + (pc->d1 - pc->d0));
    if (hits) t->detected[ob]++, t->gran_sum[ob] += hits;
    if (getenv("REPRINT_REWRITE_DEBUG"))
        print_message("%s d%zu d%zu: %zu passages, recall %.2f\n", ob_name[ob], a, b, al->n_passages,
                      (double)cov / (double)((pc->s1 - pc->s0) + (pc->d1 - pc->d0)));
    return 0;
}

typedef struct {
    double p, r, gran, plagdet;
} pan_scores;

static pan_scores score(const tally *t, int ob)
{
    pan_scores s;
    s.p = t->n_det[ob] ? t->prec_sum[ob] / (double)t->n_det[ob] : 0;
    s.r = t->n_cases[ob] ? t->rec_sum[ob] / (double)t->n_cases[ob] : 0;
    s.gran = t->detected[ob] ? (double)t->gran_sum[ob] / (double)t->detected[ob] : 1;
    double f1 = s.p + s.r > 0 ? 2 * s.p * s.r / (s.p + s.r) : 0;
    s.plagdet = f1 / log2(1 + s.gran);
    return s;
}

/* The kind most passages of obfuscation ob were given. */
static int usual_kind(const tally *t, int ob)
{
    int best = 0;
    for (int k = 1; k <= RP_KIND_SUMMARY; k++)
        if (t->kinds[ob][k] > t->kinds[ob][best]) best = k;
    return best;
}

static void measure(int rewrites, pan_scores out[N_OB], double *neg_rate, int kind[N_OB])
{
    corpus c;
    memset(&c, 0, sizeof(c));
    rng = 0x243F6A8885A308D3ULL;
    make_corpus(&c, 40, 30);
    const char *path = write_corpus(&c);
    rp_params p;
    rp_params_init(&p);
    p.task = RP_TASK_ALIGN;
    p.spin = 1;
    p.rewrites = rewrites;
    rp_engine *e = run_engine(&p, path);
    tally t;
    memset(&t, 0, sizeof(t));
    t.c = &c;
    for (size_t k = 0; k < c.n_cases; k++) t.n_cases[c.cases[k].ob]++;
    assert_int_equal(rp_engine_foreach_alignment(e, see, &t), RP_OK);
    for (size_t a = 0; a < c.n_docs; a++)
        for (size_t b = a + 1; b < c.n_docs; b++)
            t.neg_pairs += c.topic_of[a] == c.topic_of[b] && !case_of(&c, a, b) && !case_of(&c, b, a);
    *neg_rate = t.neg_pairs ? (double)t.neg_reported / (double)t.neg_pairs : 0;
    /* a claimed source is right (claims are rare for paraphrases, whose
     * words say little of their direction) */
    size_t claimed = 0, right = 0;
    for (int ob = 0; ob < N_OB; ob++) {
        out[ob] = score(&t, ob);
        kind[ob] = usual_kind(&t, ob);
        print_message("%s %-10s %3zu cases: P %.3f R %.3f gran %.3f PlagDet %.3f; passages "
                      "mostly %s; source claimed for %zu of %zu pairs, right %zu\n",
                      rewrites ? "rewrites" : "plain   ", ob_name[ob], t.n_cases[ob], out[ob].p,
                      out[ob].r, out[ob].gran, out[ob].plagdet, rp_passage_kind_name(kind[ob]),
                      t.claimed[ob], t.pairs[ob], t.right[ob]);
        claimed += t.claimed[ob], right += t.right[ob];
    }
    assert_true(right * 100 >= claimed * 95);
    print_message("%s same-topic negatives: %zu of %zu pairs reported (%.2f%%); %zu other false "
                  "pairs; %zu pairs of copies of one source\n",
                  rewrites ? "rewrites" : "plain   ", t.neg_reported, t.neg_pairs,
                  100 * *neg_rate, t.other_reported, t.indirect);
    rp_engine_free(e);
    remove(path);
    for (size_t d = 0; d < c.n_docs; d++) free(c.docs[d].s);
    free(c.docs), free(c.topic_of), free(c.cases);
}

static int setup(void **state)
{
    (void)state;
    char err[RP_MSG_MAX];
    if (rp__lexicon_load(err) != RP_OK) return -1;
    return prose_load();
}

/* Plain align is the baseline: it must keep what it finds. */
static void test_plain(void **state)
{
    (void)state;
    pan_scores s[N_OB];
    double neg;
    int kind[N_OB];
    measure(0, s, &neg, kind);
    assert_true(s[OB_NONE].plagdet >= 0.95);
    assert_true(neg <= 0.01);
}

static void test_rewrites(void **state)
{
    (void)state;
    pan_scores s[N_OB];
    double neg;
    int kind[N_OB];
    measure(1, s, &neg, kind);
    assert_true(s[OB_NONE].plagdet >= 0.95);
    assert_true(s[OB_RANDOM].plagdet >= 0.85);
    assert_true(s[OB_PARAPHRASE].plagdet >= 0.80);
    assert_true(s[OB_SUMMARY].plagdet >= 0.50);
    assert_true(neg <= 0.01);
    /* and each says how it was reused */
    assert_int_equal(kind[OB_NONE], RP_KIND_VERBATIM);
    assert_int_equal(kind[OB_RANDOM], RP_KIND_REWRITTEN);
    assert_int_equal(kind[OB_PARAPHRASE], RP_KIND_REWRITTEN);
    assert_int_equal(kind[OB_SUMMARY], RP_KIND_SUMMARY);
}

/* The two-text aligner finds a paraphrase as the corpus run does. */
static void test_two_texts(void **state)
{
    (void)state;
    rng = 99;
    writer wr = {{0x5EED77ULL, rp_tokenizer_create(), 0, 0, 0}};
    topic t;
    make_topic(&t);
    doc_plan d = {0, {{0}}, 12};
    for (size_t k = 0; k < d.n; k++) make_sentence(&t, &d.s[k]);
    text src = {0}, copy = {0};
    write_sentences(&d, 0, d.n, &src);
    char line[512];
    for (size_t k = 0; k < d.n; k++) {
        paraphrase(&wr, &d.s[k], line, sizeof(line));
        put(&copy, k ? " " : "");
        put(&copy, line);
    }
    for (int rewrites = 0; rewrites < 2; rewrites++) {
        rp_params p;
        rp_params_init(&p);
        p.rewrites = rewrites;
        rp_aligner *al = rp_aligner_create(&p);
        assert_non_null(al);
        rp_alignment out;
        assert_int_equal(rp_align(al, src.s, src.len, copy.s, copy.len, &out), RP_OK);
        if (!rewrites) {
            assert_true(out.coverage_a < 0.3); /* a paraphrase shares few runs */
        } else {
            assert_true(out.coverage_a > 0.8 && out.coverage_b > 0.8);
            assert_int_equal(out.n_passages, 1);
            assert_int_equal(out.passages[0].kind, RP_KIND_REWRITTEN);
        }
        rp_aligner_free(al);
    }
    free(src.s), free(copy.s);
    rp_tokenizer_free(wr.sp.tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_rewrites),
        cmocka_unit_test(test_two_texts),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
