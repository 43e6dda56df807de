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

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------- JSONL */

static int write_alignment(void *user, const rp_alignment *al)
{
    return rp_write_alignment_jsonl(user, al) != 0;
}

/* Where the alignments go as they are made. */
typedef struct {
    FILE *f;
} align_sink;

static int to_sink(void *user, const rp_alignment *al)
{
    return write_alignment(((align_sink *)user)->f, al);
}

static void set_sink(rp_engine *e, void *ctx)
{
    rp_engine_set_alignment_sink(e, to_sink, ctx);
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
    /* JSONL goes out as the alignments are made, in pair order: memory
     * holds a window of them, not all (the output's temporary file is
     * renamed when the run has written it whole) */
    cli_out out;
    if (cli_out_open(&out, o.output)) {
        free(o.inputs);
        return EXIT_IO;
    }
    align_sink as = {out.fp};
    rp_engine *e = NULL;
    rp_comm self = cli_self_comm(o.checkpoint);
    /* the readable view comes after the run, not under its progress bar */
    if (!human && isatty(fileno(out.fp))) o.progress = 0;
    rc = cli_run_engine_with(&o, &e, o.checkpoint ? &self : NULL, human ? NULL : set_sink, &as);
    if (rc == EXIT_OK && human && view_alignments(out.fp, e, &o.params) != RP_OK) {
        fprintf(stderr, "reprint: out of memory\n");
        rc = EXIT_IO;
    }
    if (rc == EXIT_OK && (fflush(out.fp) != 0 || ferror(out.fp))) {
        fprintf(stderr, "reprint: cannot write the alignments: %s\n", strerror(errno));
        rc = EXIT_IO;
    }
    if (rc != EXIT_OK) cli_out_abort(&out);
    else if (cli_out_commit(&out)) rc = EXIT_IO;
    if (rc == EXIT_OK) rc = cli_summary(&o, "align", e);
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
