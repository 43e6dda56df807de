/*
 * cmd_pairs.c — `reprint pairs`: every verified similar pair with its scores.
 *
 * One JSONL line per pair, a before b in input order:
 *   {"a": ID, "b": ID, "jaccard": x, "containment_a": x, "containment_b": x}
 * On a terminal the pairs are shown as a table, most similar first.
 */
#include "cli.h"
#include "collect.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: reprint pairs [OPTIONS] INPUT...\n"
            "\n"
            "Lists every pair of documents whose word-shingle Jaccard similarity is at\n"
            "least the threshold, verified exactly (never estimated):\n"
            "  {\"a\": ID, \"b\": ID, \"jaccard\": x, \"containment_a\": x, \"containment_b\": x}\n"
            "containment_a is the share of a's shingles also found in b.\n"
            "\n"
            "  -o, --output FILE     write the pairs to FILE (complete or not at all)\n"
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
    return 0;
}

typedef struct {
    FILE *f;
    uint64_t n;
    rp_engine *e;
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
    return rp_engine_foreach_pair(pw->e, write_pair, pw);
}

static int by_jaccard(const void *x, const void *y)
{
    const held_pair *a = x, *b = y;
    if (a->jaccard != b->jaccard) return a->jaccard > b->jaccard ? -1 : 1;
    if (a->a_index != b->a_index) return a->a_index < b->a_index ? -1 : 1;
    return a->b_index < b->b_index ? -1 : a->b_index > b->b_index;
}

static void show(FILE *f, held_pairs *hp, const cli_opts *o)
{
    /* a title, not the accounting: the summary on stderr has the counts */
    fprintf(f, "Pairs with %s >= %.2f (word %u-grams), the most alike first:\n\n",
            o->params.measure == RP_MEASURE_JACCARD ? "Jaccard" : "containment",
            o->params.threshold, o->params.ngram);
    if (hp->n == 0) {
        fprintf(f, "none\n");
        return;
    }
    qsort(hp->v, hp->n, sizeof(*hp->v), by_jaccard);
    fprintf(f, "  jaccard  a in b  b in a   a                                b\n");
    for (size_t k = 0; k < hp->n; k++) {
        char a[256], b[256];
        held_id(a, sizeof(a), hp->v[k].a, strlen(hp->v[k].a), 32);
        held_id(b, sizeof(b), hp->v[k].b, strlen(hp->v[k].b), 0);
        fprintf(f, "  %7.3f  %6.2f  %6.2f   %s %s\n", hp->v[k].jaccard, hp->v[k].containment_a,
                hp->v[k].containment_b, a, b);
    }
}

int cli_pairs(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, &o, RP_MEASURE_CONTAINMENT, usage, extra);
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    if (o.human < 0) o.human = !o.output && isatty(1);
    rp_engine *e = NULL;
    rc = cli_run_engine(&o, &e);
    if (rc != EXIT_OK) goto done;
    if (o.human) {
        held_pairs hp;
        if (held_collect(e, &hp)) {
            held_free(&hp);
            fprintf(stderr, "reprint: out of memory\n");
            rc = EXIT_IO;
            goto done;
        }
        show(stdout, &hp, &o);
        o.listed = hp.n;
        held_free(&hp);
    } else {
        pair_writer pw = {NULL, 0, e};
        rc = cli_write_output(o.output, write_pairs, &pw, "the pairs", e);
        o.listed = pw.n;
        if (rc != EXIT_OK) goto done;
    }
    rc = cli_report(&o, "pairs", e);
done:
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
