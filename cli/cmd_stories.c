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
    int rc = cli_parse(argc, argv, &o, cli_command_named("stories"));
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    o.params.task = RP_TASK_STORIES;
    if (o.human < 0) o.human = !o.output && cli_stdout_is_terminal();
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
    if (rc == EXIT_OK) rc = cli_summary(&o, "stories", e);
done:
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
