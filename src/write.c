/*
 * write.c — the JSONL writers of every result: the one owner of the stable
 * output formats (docs/FORMATS.md), so the program, a library user and a
 * server write the same bytes.
 *
 * Everything reprint writes for machines is JSONL, and it must stay valid
 * JSON whatever bytes an input held: ids from file names may be any bytes, so
 * invalid UTF-8 is written as U+FFFD (one per bad byte, as decoders do) and
 * control characters are escaped. Floats have four decimals: enough to
 * rank and threshold by, and stable across platforms.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

/* "%.4f" of v into o (RP_FIXED4_MAX bytes), as printf writes it; returns its
 * length. A pair list of tens of millions of lines spent most of its time
 * in printf's exact decimal conversion. v times 10^4 is within 2^-40 of
 * its true value, so unless it lies that close to half-way between two
 * integers (printf then decides), the nearest integer gives printf's
 * digits. */
static size_t fixed4(char *o, double v)
{
    double y = v * 10000.0, r = nearbyint(y);
    if (!(v >= 0 && v <= 1) || signbit(v) || fabs(fabs(y - r) - 0.5) < 1e-6) {
        int n = snprintf(o, RP_FIXED4_MAX, "%.4f", v);
        return n < 0 ? 0 : n >= RP_FIXED4_MAX ? RP_FIXED4_MAX - 1 : (size_t)n;
    }
    unsigned n = (unsigned)r;
    o[0] = (char)('0' + n / 10000);
    o[1] = '.';
    o[2] = (char)('0' + n / 1000 % 10);
    o[3] = (char)('0' + n / 100 % 10);
    o[4] = (char)('0' + n / 10 % 10);
    o[5] = (char)('0' + n % 10);
    return 6;
}

int rp__fixed4(char *o, double v)
{
    return (int)fixed4(o, v);
}

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

/* An id as JSON into o when it needs no escaping: a number,
 * or a string of printable ASCII without a quote or a backslash. Its
 * length (at most PLAIN_ID_MAX), or 0 when it needs more or is empty. */
#define PLAIN_ID_MAX 128
static size_t plain_id(char *o, const rp_id *id)
{
    if (!id->len || id->len + 2 > PLAIN_ID_MAX) return 0;
    if (id->is_number) {
        memcpy(o, id->str, id->len);
        return id->len;
    }
    for (size_t i = 0; i < id->len; i++) {
        unsigned char c = (unsigned char)id->str[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return 0;
    }
    o[0] = '"';
    memcpy(o + 1, id->str, id->len);
    o[id->len + 1] = '"';
    return id->len + 2;
}

int rp_write_pair_jsonl(FILE *f, const rp_pair *p)
{
    /* one line, one write, where the ids need no escaping (a pair list
     * runs to tens of millions of lines, and five stdio calls a line, each
     * taking the stream's lock, showed in its profile) */
    char line[2 * PLAIN_ID_MAX + 3 * RP_FIXED4_MAX + 96];
    size_t n = 0, ka, kb = 0;
    memcpy(line, "{\"a\": ", 6), n = 6;
    if ((ka = plain_id(line + n, &p->a)) != 0) {
        n += ka;
        memcpy(line + n, ", \"b\": ", 7), n += 7;
        kb = plain_id(line + n, &p->b);
        n += kb;
    }
    int bad = 0;
    if (!ka || !kb) {
        bad = fputs("{\"a\": ", f) < 0;
        bad |= rp_write_json_id(f, &p->a) < 0;
        bad |= fputs(", \"b\": ", f) < 0;
        bad |= rp_write_json_id(f, &p->b) < 0;
        n = 0;
    }
    memcpy(line + n, ", \"jaccard\": ", 13), n += 13;
    n += fixed4(line + n, p->jaccard);
    memcpy(line + n, ", \"containment_a\": ", 19), n += 19;
    n += fixed4(line + n, p->containment_a);
    memcpy(line + n, ", \"containment_b\": ", 19), n += 19;
    n += fixed4(line + n, p->containment_b);
    memcpy(line + n, "}\n", 2), n += 2;
    bad |= fwrite(line, 1, n, f) != n;
    return bad ? -1 : 0;
}

int rp_write_cluster_jsonl(FILE *f, const rp_cluster *c)
{
    int bad = fprintf(f, "{\"cluster\": %llu, \"representative\": ",
                      (unsigned long long)c->cluster) < 0;
    bad |= rp_write_json_id(f, &c->representative) < 0;
    bad |= fputs(", \"members\": [", f) < 0;
    for (size_t i = 0; i < c->n_members; i++) {
        if (i) bad |= fputs(", ", f) < 0;
        bad |= rp_write_json_id(f, &c->members[i]) < 0;
    }
    bad |= fputs("]}\n", f) < 0;
    return bad ? -1 : 0;
}

int rp_write_alignment_jsonl(FILE *f, const rp_alignment *al)
{
    int bad = fputs("{\"a\": ", f) < 0;
    bad |= rp_write_json_id(f, &al->a) < 0;
    bad |= fputs(", \"b\": ", f) < 0;
    bad |= rp_write_json_id(f, &al->b) < 0;
    bad |= fputs(", \"passages\": [", f) < 0;
    for (size_t k = 0; k < al->n_passages; k++) {
        const rp_passage *p = &al->passages[k];
        char identity[RP_FIXED4_MAX], differ[RP_FIXED4_MAX];
        identity[fixed4(identity, p->identity)] = 0;
        differ[fixed4(differ, p->differ)] = 0;
        bad |= fprintf(f,
                       "%s{\"a\": [%u, %u], \"b\": [%u, %u], \"words\": %u, \"identity\": %s, "
                       "\"differ\": %s, \"kind\": \"%s\"%s}",
                       k ? ", " : "", p->a_start, p->a_end, p->b_start, p->b_end, p->words,
                       identity, differ, rp_passage_kind_name(p->kind),
                       p->boilerplate ? ", \"boilerplate\": true" : "") < 0;
    }
    char ca[RP_FIXED4_MAX], cb[RP_FIXED4_MAX];
    ca[fixed4(ca, al->coverage_a)] = 0;
    cb[fixed4(cb, al->coverage_b)] = 0;
    bad |= fprintf(f, "], \"coverage_a\": %s, \"coverage_b\": %s, \"relation\": \"%s\", "
                      "\"source\": ",
                   ca, cb, rp_relation_name(al->relation)) < 0;
    if (al->source == RP_SOURCE_A) bad |= rp_write_json_id(f, &al->a) < 0;
    else if (al->source == RP_SOURCE_B) bad |= rp_write_json_id(f, &al->b) < 0;
    else bad |= fputs("null", f) < 0;
    if (al->source_evidence)
        bad |= fprintf(f, ", \"source_evidence\": \"%s\"}\n", al->source_evidence) < 0;
    else bad |= fputs(", \"source_evidence\": null}\n", f) < 0;
    return bad ? -1 : 0;
}

int rp_write_group_jsonl(FILE *f, const rp_group *g)
{
    int bad = fprintf(f, "{\"group\": %llu, \"documents\": %llu, \"members\": [", (unsigned long long)g->number,
                      (unsigned long long)g->n_documents) < 0;
    for (size_t k = 0; k < g->n_members; k++) {
        const rp_group_member *m = &g->members[k];
        bad |= fputs(k ? ", {\"id\": " : "{\"id\": ", f) < 0;
        bad |= rp_write_json_id(f, &m->id) < 0;
        bad |= fprintf(f, ", \"span\": [%u, %u], \"words\": %u}", m->start, m->end, m->words) < 0;
    }
    bad |= fputs("], \"earliest\": ", f) < 0;
    if (g->earliest < g->n_members) {
        bad |= rp_write_json_id(f, &g->members[g->earliest].id) < 0;
        bad |= fprintf(f, ", \"earliest_evidence\": \"%s\"}\n", g->earliest_evidence) < 0;
    } else {
        bad |= fputs("null, \"earliest_evidence\": null}\n", f) < 0;
    }
    return bad ? -1 : 0;
}

int rp_write_story_jsonl(FILE *f, const rp_story *s)
{
    int bad = fprintf(f, "{\"story\": %llu, \"members\": [", (unsigned long long)s->story) < 0;
    for (size_t m = 0; m < s->n_members; m++) {
        if (m) bad |= fputs(", ", f) < 0;
        bad |= rp_write_json_id(f, &s->members[m]) < 0;
    }
    bad |= fputs("], \"terms\": [", f) < 0;
    for (size_t t = 0; t < s->n_terms; t++) {
        if (t) bad |= fputs(", ", f) < 0;
        bad |= rp_write_json_string(f, s->terms[t], s->term_len[t]) < 0;
    }
    bad |= fputs("]}\n", f) < 0;
    return bad ? -1 : 0;
}

int rp_write_stats_json(FILE *f, const char *command, const rp_stats *s, const rp_params *p)
{
    int bad = fputs("{\"command\": ", f) < 0;
    bad |= rp_write_json_string(f, command, strlen(command)) < 0;
    bad |= fprintf(f,
                   ", \"read\": %llu, \"kept\": %llu, \"removed\": %llu, "
                   "\"removed_exact\": %llu, \"rejected\": %llu, \"skipped_entries\": %llu, "
                   "\"rejected_by\": {",
                   (unsigned long long)s->read, (unsigned long long)s->kept,
                   (unsigned long long)s->removed, (unsigned long long)s->removed_exact,
                   (unsigned long long)s->rejected, (unsigned long long)s->skipped_entries) < 0;
    const char *sep = "";
    for (int k = 0; k < RP_STATUS_COUNT; k++)
        if (s->rejected_by[k]) {
            bad |= fprintf(f, "%s\"%s\": %llu", sep, rp_status_name((rp_status)k),
                           (unsigned long long)s->rejected_by[k]) < 0;
            sep = ", ";
        }
    bad |= fprintf(f,
                   "}, \"bytes\": %llu, \"candidate_pairs\": %llu, \"similar_pairs\": %llu, "
                   "\"clusters\": %llu, \"verified_pairs\": %llu, \"truncated_buckets\": %llu, \"bands\": %u, \"rows\": %u, "
                   "\"threshold\": %g, \"ngram\": %u, \"num_perm\": %u, \"aligned_pairs\": %llu, "
                   "\"passages\": %llu, \"fingerprints\": %llu, \"common_fingerprints\": %llu, "
                   "\"boilerplate_fingerprints\": %llu, \"boilerplate_spans\": %llu, "
                   "\"boilerplate_words\": %llu, \"boilerplate_pairs\": %llu, "
                   "\"banal_passages\": %llu, \"cut_pairs\": %llu, \"align_seconds\": %.3f, \"min_words\": %u, "
                   "\"max_df\": %u, \"threads\": %u, \"spilled_bytes\": %llu, "
                   "\"spill_partitions\": %llu, \"seconds\": {\"first_pass\": %.6f, "
                   "\"candidates\": %.6f, \"verify\": %.6f, \"write\": %.6f, \"collect\": %.6f, "
                   "\"align\": %.6f}}\n",
                   (unsigned long long)s->bytes, (unsigned long long)s->candidate_pairs,
                   (unsigned long long)s->similar_pairs, (unsigned long long)s->clusters,
                   (unsigned long long)s->verified_pairs, (unsigned long long)s->truncated_buckets, s->bands, s->rows, p->threshold,
                   p->ngram, p->num_perm, (unsigned long long)s->aligned_pairs,
                   (unsigned long long)s->passages, (unsigned long long)s->fingerprints,
                   (unsigned long long)s->common_fingerprints,
                   (unsigned long long)s->boilerplate_fingerprints,
                   (unsigned long long)s->boilerplate_spans, (unsigned long long)s->boilerplate_words,
                   (unsigned long long)s->boilerplate_pairs, (unsigned long long)s->banal_passages,
                   (unsigned long long)s->cut_pairs,
                   s->align_seconds, p->min_words, p->max_df, s->threads,
                   (unsigned long long)s->spilled_bytes, (unsigned long long)s->spill_partitions,
                   s->first_pass_seconds, s->candidates_seconds, s->verify_seconds,
                   s->write_seconds, s->collect_seconds, s->align_seconds) < 0;
    return bad ? -1 : 0;
}
