/*
 * cmd_stories.c — `reprint stories`: which documents report the same story.
 *
 * One JSONL line per story of two or more documents, in order of its first:
 *   {"story": N, "members": [ID, ...], "terms": ["term", ...]}
 * On a terminal each story is shown with its terms and, from an alignment
 * of its members (--spin), who copies whom and which copies were disguised.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: reprint stories [OPTIONS] INPUT...\n"
            "\n"
            "Groups the documents that report the same story or event, whether or not\n"
            "they share a passage, one JSONL line per story of two or more:\n"
            "  {\"story\": N, \"members\": [ID, ...], \"terms\": [\"term\", ...]}\n"
            "terms are the words that set the story apart (rare names and terms first).\n"
            "Documents are compared by TF-IDF vectors of their content words (synonyms\n"
            "and word forms merged, names weighing double); two stories join only when\n"
            "their centroids are as similar as their closest members, so a document\n"
            "that mentions two events does not chain them together. On a terminal each\n"
            "story also shows which members copy from which, and which copies were\n"
            "disguised (an alignment with --spin).\n"
            "\n"
            "      --similarity X    cosine of two documents, and of two stories, to\n"
            "                        join them (default 0.3)\n"
            "      --max-bucket N    documents sharing a key term beyond N are chained,\n"
            "                        not all paired (default 256)\n"
            "  -o, --output FILE     write the stories to FILE (complete or not at all)\n"
            "%s",
            cli_common_help);
}

static int extra(cli_opts *o, const char *opt, const char *arg)
{
    if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
        if (!arg) return -1;
        o->output = arg;
        return 2;
    }
    if (strcmp(opt, "--similarity") == 0) {
        if (!arg) return -1;
        char *end;
        o->params.story_threshold = strtod(arg, &end);
        return *end || !(o->params.story_threshold > 0 && o->params.story_threshold <= 1) ? -1 : 2;
    }
    return 0;
}

typedef struct {
    FILE *f;
    uint64_t n;
    rp_engine *e;
} story_writer;

static int write_story(void *user, const rp_story *s)
{
    story_writer *w = user;
    w->n++;
    return rp_write_story_jsonl(w->f, s) != 0;
}

static rp_status write_stories(void *ctx, FILE *out)
{
    story_writer *w = ctx;
    w->f = out;
    return rp_engine_foreach_story(w->e, write_story, w);
}

/* ------------------------------------------------------ terminal view */

typedef struct {
    uint64_t a, b;           /* record numbers */
    char *ida, *idb;
    int relation, source;    /* rp_relation, rp_source_side */
    double cover_a, cover_b, differ;
    size_t passages, disguised;
} story_link;

typedef struct {
    rp_engine *stories;
    story_link *v;
    size_t n, cap;
} story_links;

static char *id_dup(const rp_id *id)
{
    char *s = malloc(id->len + 1);
    if (s) {
        memcpy(s, id->str, id->len);
        s[id->len] = 0;
    }
    return s;
}

static int keep_link(void *user, const rp_alignment *al)
{
    story_links *l = user;
    uint64_t sa = rp_engine_story_of(l->stories, al->a_index);
    if (!sa || sa != rp_engine_story_of(l->stories, al->b_index)) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        story_link *v = realloc(l->v, cap * sizeof(story_link));
        if (!v) return 1;
        l->v = v;
        l->cap = cap;
    }
    story_link *k = &l->v[l->n++];
    memset(k, 0, sizeof(*k));
    k->a = al->a_index;
    k->b = al->b_index;
    k->ida = id_dup(&al->a);
    k->idb = id_dup(&al->b);
    k->relation = (int)al->relation;
    k->source = (int)al->source;
    k->cover_a = al->coverage_a;
    k->cover_b = al->coverage_b;
    uint64_t words = 0, same = 0;
    for (size_t p = 0; p < al->n_passages; p++) {
        const rp_passage *ps = &al->passages[p];
        words += ps->words;
        same += ps->identical;
        k->disguised += rp_is_disguised(ps->matches, ps->identical);
    }
    k->differ = words ? 1.0 - (double)same / words : 0;
    k->passages = al->n_passages;
    return 0;
}

typedef struct {
    FILE *f;
    int color;
    const story_links *l;
} story_view;

static void show_id(FILE *f, const rp_id *id)
{
    fprintf(f, "%.*s", (int)(id->len > 60 ? 60 : id->len), id->str);
}

static int show_story(void *user, const rp_story *s)
{
    story_view *v = user;
    FILE *f = v->f;
    fprintf(f, "%sstory %llu%s: %zu documents; terms:", v->color ? "\033[1m" : "",
            (unsigned long long)s->story, v->color ? "\033[0m" : "", s->n_members);
    for (size_t t = 0; t < s->n_terms; t++) fprintf(f, "%s %.*s", t ? "," : "", (int)s->term_len[t], s->terms[t]);
    fputc('\n', f);
    for (size_t m = 0; m < s->n_members; m++) {
        fputs("  ", f);
        show_id(f, &s->members[m]);
        fputc('\n', f);
    }
    int any = 0;
    for (size_t k = 0; k < v->l->n; k++) {
        const story_link *x = &v->l->v[k];
        if (rp_engine_story_of(v->l->stories, x->a) != s->story) continue;
        if (!any) fputs("  who copies whom:\n", f);
        any = 1;
        const char *copy = x->source == RP_SOURCE_A ? x->idb : x->ida;
        const char *src = x->source == RP_SOURCE_A ? x->ida : x->idb;
        double cover = x->source == RP_SOURCE_A ? x->cover_b : x->cover_a;
        if (x->source == RP_SOURCE_UNKNOWN)
            fprintf(f, "    %s <-> %s: %s, %.0f%% and %.0f%% shared", x->ida, x->idb,
                    rp_relation_name((rp_relation)x->relation), x->cover_a * 100, x->cover_b * 100);
        else
            fprintf(f, "    %s <- %s: %s, %.0f%% of it from there", copy, src,
                    rp_relation_name((rp_relation)x->relation), cover * 100);
        if (x->disguised)
            fprintf(f, "; %s%zu of %zu passages disguised%s, %.0f%% of their words differ",
                    v->color ? "\033[33m" : "", x->disguised, x->passages, v->color ? "\033[0m" : "",
                    x->differ * 100);
        fputc('\n', f);
    }
    if (!any) fputs("  no shared passages: each tells it in its own words\n", f);
    fputc('\n', f);
    return ferror(f) != 0;
}

static int show_stories(rp_engine *e, cli_opts *o, uint64_t *listed)
{
    /* an alignment run over the same inputs finds who copies whom */
    cli_opts ao = *o;
    ao.params.task = RP_TASK_ALIGN;
    ao.params.spin = 1;
    ao.params.keep_text = 0;
    ao.quiet = 1;
    ao.stats_file = NULL;
    rp_engine *al = NULL;
    story_links l = {e, NULL, 0, 0};
    int rc = cli_run_engine(&ao, &al);
    if (rc == EXIT_OK && rp_engine_foreach_alignment(al, keep_link, &l) != RP_OK) rc = EXIT_IO;
    rp_stats s;
    rp_engine_stats(e, &s);
    story_view v = {stdout, isatty(1) && !getenv("NO_COLOR"), &l};
    if (rc == EXIT_OK) {
        printf("Stories of two or more documents:\n\n"); /* the counts are the summary's */
        if (rp_engine_foreach_story(e, show_story, &v) != RP_OK) rc = EXIT_IO;
        if (s.clusters == 0) printf("none\n");
        *listed = s.clusters;
    }
    for (size_t k = 0; k < l.n; k++) free(l.v[k].ida), free(l.v[k].idb);
    free(l.v);
    rp_engine_free(al);
    return rc;
}

int cli_stories(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, RP_MEASURE_JACCARD, usage, extra);
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    o.params.task = RP_TASK_STORIES;
    if (o.human < 0) o.human = !o.output && isatty(1);
    rp_engine *e = NULL;
    rc = cli_run_engine(&o, &e);
    if (rc != EXIT_OK) goto done;
    if (o.human) {
        rc = show_stories(e, &o, &o.listed);
    } else {
        story_writer w = {NULL, 0, e};
        rc = cli_write_output(o.output, write_stories, &w, "the stories", e);
        o.listed = w.n;
    }
    if (rc == EXIT_OK) rc = cli_report(&o, "stories", e);
done:
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
