/*
 * cmd_align.c — `reprint align`: which documents reuse passages of which.
 *
 * One JSONL line per pair of documents sharing at least one passage:
 *   {"a": ID, "b": ID, "passages": [{"a": [s, e], "b": [s, e], "words": n,
 *    "identity": x, "differ": x, "kind": K}, ...], "coverage_a": x, "coverage_b": x,
 *    "relation": R, "source": ID|null, "source_evidence": E|null}
 * On a terminal each pair is shown with its passages side by side, the words
 * that differ inside a passage highlighted; a rewritten passage sentence
 * against sentence.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------- JSONL */

static int write_alignment(void *user, const rp_alignment *al)
{
    return rp_write_alignment_jsonl(user, al) != 0;
}

typedef struct {
    rp_engine *e;
    const cli_opts *o;
    int human;
} align_output;

static rp_status write_alignments(void *ctx, FILE *out)
{
    align_output *ao = ctx;
    if (!ao->human) return rp_engine_foreach_alignment(ao->e, write_alignment, out);
    return view_alignments(out, ao->e, &ao->o->params);
}

int cli_align(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, cli_command_named("align"));
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    o.params.task = RP_TASK_ALIGN;
#ifdef REPRINT_MPI
    if (cli_ranks > 1) { /* a rank of mpirun -n N reprint align */
        rc = cli_align_distributed(&o);
        free(o.inputs);
        return rc;
    }
#endif
    if (o.checkpoint && o.human > 0) {
        fprintf(stderr, "reprint: --checkpoint does not go with --human yet\n");
        free(o.inputs);
        return EXIT_USAGE;
    }
    if (o.checkpoint) o.human = 0;
    int human = o.human >= 0 ? o.human : (!o.output && cli_stdout_is_terminal());
    o.params.keep_text = human;
    rp_engine *e;
    rp_comm self = cli_self_comm(o.checkpoint);
    if ((rc = cli_run_engine_on(&o, &e, o.checkpoint ? &self : NULL)) != EXIT_OK) {
        free(o.inputs);
        return rc;
    }
    align_output ao = {e, &o, human};
    rc = cli_write_output(o.output, write_alignments, &ao, "the alignments", e);
    if (rc == EXIT_OK) rc = cli_summary(&o, "align", e);
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
