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

/* The output flushed and committed whole (or abandoned), the summary, the
 * engine freed: rc, or the exit code of what failed. */
static int align_finish(cli_opts *o, cli_out *out, rp_engine *e, int rc, const char *what)
{
    if (rc == EXIT_OK && (fflush(out->fp) != 0 || ferror(out->fp))) {
        fprintf(stderr, "reprint: %s: cannot write %s: %s\n", cli_out_name(out), what, strerror(errno));
        rc = EXIT_IO;
    }
    if (rc != EXIT_OK) cli_out_abort(out);
    else if (cli_out_commit(out)) rc = EXIT_IO;
    if (rc == EXIT_OK) rc = cli_summary(o, "align", e);
    rp_engine_free(e);
    return rc;
}

/* --groups: the alignments go to a grouper, the groups out after the run */
static int align_groups(cli_opts *o, cli_out *out, int human)
{
    cli_group_sink sink = {rp_grouper_create(), RP_OK};
    if (!sink.g) {
        fprintf(stderr, "reprint: out of memory\n");
        return EXIT_IO;
    }
    rp_engine *e = NULL;
    rp_comm self = cli_self_comm(o->checkpoint);
    int rc = cli_run_engine_with(o, &e, o->checkpoint ? &self : NULL, cli_collect_groups, &sink);
    if (rc == EXIT_OK && sink.st != RP_OK) {
        fprintf(stderr, "reprint: cannot group the alignments: %s\n",
                sink.st == RP_ERR_NOMEM ? "out of memory" : rp_status_name(sink.st));
        rc = cli_exit_code(sink.st);
    }
    rp_status st = rc == EXIT_OK ? view_or_write_groups(out->fp, sink.g, human, -1, &o->listed) : RP_OK;
    if (rc == EXIT_OK && st != RP_OK) {
        fprintf(stderr, "reprint: cannot list the groups: %s\n", st == RP_ERR_NOMEM ? "out of memory" : rp_status_name(st));
        rc = cli_exit_code(st);
    }
    rp_grouper_free(sink.g);
    return align_finish(o, out, e, rc, "the groups");
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
    if ((rc = cli_checkpoint_without_human(&o)) != EXIT_OK) {
        free(o.inputs);
        return rc;
    }
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
    if (o.params.groups) {
        rc = align_groups(&o, &out, human);
        free(o.inputs);
        return rc;
    }
    rp_engine *e = NULL;
    rp_comm self = cli_self_comm(o.checkpoint);
    /* JSONL made as the run goes would mix on a terminal with the progress
     * bar: no bar then (the readable view comes after the run) */
    if (!human && isatty(fileno(out.fp))) o.progress = 0;
    rc = cli_run_engine_with(&o, &e, o.checkpoint ? &self : NULL, human ? NULL : cli_stream_alignments, out.fp);
    if (rc == EXIT_OK && human && view_alignments(out.fp, e, &o.params) != RP_OK) {
        fprintf(stderr, "reprint: out of memory\n");
        rc = EXIT_IO;
    }
    rc = align_finish(&o, &out, e, rc, "the alignments");
    free(o.inputs);
    return rc;
}
