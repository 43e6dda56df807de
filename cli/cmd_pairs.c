/*
 * cmd_pairs.c — `reprint pairs`: every verified similar pair with its scores.
 *
 * One JSONL line per pair, a before b in input order:
 *   {"a": ID, "b": ID, "jaccard": x, "containment_a": x, "containment_b": x}
 * On a terminal the pairs are shown as a table, most similar first.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    FILE *f;
    uint64_t n;
    rp_engine *e;
    const rp_comm *comm;
} pair_writer;

static int write_pair(void *user, const rp_pair *p)
{
    pair_writer *pw = user;
    pw->n++;
    return rp_write_pair_jsonl(pw->f, p) != 0;
}

static rp_status write_pairs(void *ctx, FILE *out)
{
    pair_writer *pw = ctx;
    pw->f = out;
    /* a run as the only rank (--checkpoint) lists them as ranks do */
    if (pw->comm) return rp_engine_foreach_pair_distributed(pw->e, pw->comm, write_pair, pw);
    return rp_engine_foreach_pair(pw->e, write_pair, pw);
}

int cli_pairs(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, cli_command_named("pairs"));
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
#ifdef REPRINT_MPI
    if (cli_ranks > 1) { /* a rank of mpirun -n N reprint pairs */
        rc = cli_pairs_distributed(&o);
        free(o.inputs);
        return rc;
    }
#endif
    if ((rc = cli_checkpoint_without_human(&o)) != EXIT_OK) {
        free(o.inputs);
        return rc;
    }
    if (o.human < 0) o.human = !o.output && cli_stdout_is_terminal();
    rp_engine *e = NULL;
    rp_comm self = cli_self_comm(o.checkpoint);
    rc = cli_run_engine_on(&o, &e, o.checkpoint ? &self : NULL);
    if (rc != EXIT_OK) goto done;
    if (o.human) {
        held_pairs hp;
        rp_status st = held_collect(e, &hp);
        if (st != RP_OK) {
            held_free(&hp);
            rc = cli_failed(e, st);
            goto done;
        }
        view_pairs(stdout, &hp, &o.params);
        o.listed = hp.n;
        held_free(&hp);
    } else {
        pair_writer pw = {NULL, 0, e, o.checkpoint ? &self : NULL};
        rc = cli_write_output(o.output, write_pairs, &pw, "the pairs", e);
        o.listed = pw.n;
        if (rc != EXIT_OK) goto done;
    }
    rc = cli_summary(&o, "pairs", e);
done:
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
