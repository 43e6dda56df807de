/*
 * cmd_stories.c — `reprint stories`: which documents report the same story.
 *
 * One JSONL line per story of two or more documents, in order of its first:
 *   {"story": N, "members": [ID, ...], "terms": ["term", ...]}
 * On a terminal each story is shown with its terms and, from an alignment
 * of its members (--spin), who copies whom and which copies were disguised.
 */
#include "view.h"

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
    int rc = cli_run_engine(&ao, &al);
    if (rc == EXIT_OK && view_stories(stdout, e, al, listed) != RP_OK) rc = EXIT_IO;
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
