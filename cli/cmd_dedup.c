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

static void usage(FILE *f)
{
    fprintf(f,
            "usage: reprint dedup [OPTIONS] INPUT...\n"
            "\n"
            "Writes every document that is not a near-duplicate of an earlier one, in\n"
            "input order, as it was read (a text file becomes a JSONL record). A summary\n"
            "on stderr accounts for every document: read = kept + removed + rejected.\n"
            "\n"
            "  -o, --output FILE     write the corpus to FILE (complete or not at all)\n"
            "      --clusters FILE   one JSONL line per cluster of 2 or more documents:\n"
            "                        {\"cluster\": N, \"representative\": ID, \"members\": [ID...]}\n"
            "%s%s",
            cli_minhash_help, cli_common_help);
}

static int extra(cli_opts *o, const char *opt, const char *arg)
{
    if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
        if (!arg) return -1;
        o->output = arg;
        return 2;
    }
    if (strcmp(opt, "--clusters") == 0) {
        if (!arg) return -1;
        o->clusters = arg;
        return 2;
    }
    return 0;
}

static int write_cluster(void *user, const rp_cluster *c)
{
    return rp_write_cluster_jsonl(user, c) != 0;
}

static rp_status write_clusters(void *ctx, FILE *out)
{
    return rp_engine_foreach_cluster(ctx, write_cluster, out);
}

static rp_status write_kept(void *ctx, FILE *out)
{
    return rp_engine_write_kept(ctx, out);
}

int cli_dedup(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, RP_MEASURE_JACCARD, usage, extra);
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    if (o.human < 0) o.human = !o.output && isatty(1);
    rp_engine *e = NULL;
    cli_out clusters;
    memset(&clusters, 0, sizeof(clusters));
    rc = cli_run_engine(&o, &e);
    if (rc != EXIT_OK) goto done;

    /* the clusters stay under a temporary name until the corpus is written:
     * an interrupted or failed run leaves neither */
    if (o.clusters &&
        (rc = cli_write_uncommitted(&clusters, o.clusters, write_clusters, e, "the clusters", e)))
        goto done;
    if (o.human) {
        if (view_clusters(stdout, e, &o.params) != RP_OK) {
            fprintf(stderr, "reprint: out of memory\n");
            rc = EXIT_IO;
            goto done;
        }
    } else if ((rc = cli_write_output(o.output, write_kept, e, "the output", e)) != EXIT_OK) {
        goto done;
    }
    if (o.clusters && (rc = cli_out_commit(&clusters) ? EXIT_IO : EXIT_OK) != EXIT_OK) goto done;
    rc = cli_report(&o, "dedup", e);
done:
    if (clusters.fp) cli_out_abort(&clusters);
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
