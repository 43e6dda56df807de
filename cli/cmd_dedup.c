/*
 * cmd_dedup.c — `reprint dedup`: the corpus without its near-duplicates.
 *
 * stdout (or -o FILE) receives every kept document, in input order, byte for
 * byte; --clusters FILE receives one JSONL line per cluster. On a terminal,
 * with no -o, the clusters are shown for a person instead of the corpus.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_cluster(void *user, const rp_cluster *c)
{
    return rp_write_cluster_jsonl(user, c) != 0;
}

typedef struct {
    rp_engine *e;
    const rp_comm *comm;      /* a run as the only rank (--checkpoint), or NULL */
} clusters_of;

static rp_status write_clusters(void *ctx, FILE *out)
{
    clusters_of *co = ctx;
    if (co->comm) return rp_engine_foreach_cluster_distributed(co->e, co->comm, write_cluster, out);
    return rp_engine_foreach_cluster(co->e, write_cluster, out);
}

static rp_status write_kept(void *ctx, FILE *out)
{
    return rp_engine_write_kept(ctx, out);
}

int cli_dedup(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, cli_command_named("dedup"));
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
#ifdef REPRINT_MPI
    if (cli_ranks > 1) { /* a rank of mpirun -n N reprint dedup */
        rc = cli_dedup_distributed(&o);
        free(o.inputs);
        return rc;
    }
#endif
    rp_comm self = cli_self_comm(o.checkpoint);
    if ((rc = cli_checkpoint_without_human(&o)) != EXIT_OK) {
        free(o.inputs);
        return rc;
    }
    if (o.human < 0) o.human = !o.output && cli_stdout_is_terminal();
    /* the corpus and the clusters need the clusters' connections, not every
     * similar pair; the readable view shows each removed document's score
     * with the kept one, so it scores them all */
    o.params.connect_only = !o.human;
    rp_engine *e = NULL;
    cli_out clusters;
    memset(&clusters, 0, sizeof(clusters));
    rc = cli_run_engine_on(&o, &e, o.checkpoint ? &self : NULL);
    if (rc != EXIT_OK) goto done;

    /* the clusters stay under a temporary name until the corpus is written:
     * an interrupted or failed run leaves neither */
    clusters_of co = {e, o.checkpoint ? &self : NULL};
    if (o.clusters &&
        (rc = cli_write_uncommitted(&clusters, o.clusters, write_clusters, &co, "the clusters", e)))
        goto done;
    if (o.human) {
        rp_status st = view_clusters(stdout, e, &o.params);
        if (st != RP_OK) {
            rc = cli_failed(e, st);
            goto done;
        }
    } else if ((rc = cli_write_output(o.output, write_kept, e, "the output", e)) != EXIT_OK) {
        goto done;
    }
    if (o.clusters && (rc = cli_out_commit(&clusters) ? EXIT_IO : EXIT_OK) != EXIT_OK) goto done;
    rc = cli_summary(&o, "dedup", e);
done:
    if (clusters.fp) cli_out_abort(&clusters);
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
