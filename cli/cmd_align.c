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

static void usage(FILE *f)
{
    fprintf(f,
            "usage: reprint align [OPTIONS] INPUT...\n"
            "\n"
            "Finds every pair of documents that share a passage of at least --min-words\n"
            "words and aligns the passages, one JSONL line per pair:\n"
            "  {\"a\": ID, \"b\": ID, \"passages\": [{\"a\": [start, end], \"b\": [start, end],\n"
            "   \"words\": n, \"identity\": x, \"differ\": x, \"kind\": K}, ...], \"coverage_a\": x,\n"
            "   \"coverage_b\": x, \"relation\": R, \"source\": ID|null, \"source_evidence\": E|null}\n"
            "Offsets are code points into each text, end exclusive. kind: verbatim,\n"
            "edited, spun (--spin), rewritten or summary (--rewrites). coverage_a is the\n"
            "share of a's words inside shared passages. relation: exact, near_duplicate\n"
            "(both coverages >= 0.8), wholly_derived (one >= 0.8), partially_derived.\n"
            "source: the earlier --date-field when both have one, else what the texts\n"
            "show (source_evidence: containment, abridgement, excerpt, edits,\n"
            "spinning, summary), else null. 'reprint align A B' on two files shows their\n"
            "passages side by side on a terminal.\n"
            "\n"
            "alignment:\n"
            "      --min-words N     shortest passage, in matching words (default 10);\n"
            "                        every shared run of N identical words is found\n"
            "      --max-gap N       differing words bridged inside a passage, in each\n"
            "                        text (default 8)\n"
            "      --min-identity X  share of matching words a passage needs (default 0.6)\n"
            "      --max-insert N    words inserted into or dropped from one text that\n"
            "                        still leave one passage (a teaser, an ad, a dropped\n"
            "                        sentence), the other differing by at most --max-gap\n"
            "                        (default 40)\n"
            "      --rewrites        also find rewritten passages: paraphrased, reordered,\n"
            "                        heavily edited (30-50%% of the words changed) or\n"
            "                        condensed into a summary, by aligning sentences on\n"
            "                        their content words (implies --spin). Costs\n"
            "                        sentence keys beside the fingerprints: on the 1 GB\n"
            "                        bench corpus 2.5 times --spin's time and memory\n"
            "      --max-df N        text in more than N documents pairs each with the\n"
            "                        first of them only, where two such fingerprints\n"
            "                        agree; in documents without a site it is taken\n"
            "                        for boilerplate (default 100)\n"
            "  -n, --ngram N         words per fingerprint n-gram (default 6)\n"
            "      --seed N          hash seed (default 0)\n"
            "      --date-field F    JSONL field with the date (default date)\n"
            "  -o, --output FILE     write the pairs to FILE (complete or not at all)\n"
            "boilerplate (page furniture: navigation, bylines, teasers, ads, copyright\n"
            "and share lines):\n"
            "      --boilerplate M   hide (default): in no passage and not in coverage,\n"
            "                        and a pair sharing only it is not reported; show:\n"
            "                        reported, flagged \"boilerplate\": true, not counted;\n"
            "                        off: not looked for\n"
            "      --site-field F    JSONL field naming a page's site (default site)\n"
            "      --url-field F     JSONL field with its URL, whose host is the site\n"
            "                        when there is no site field (default url)\n"
            "      --site-pages N    text a site repeats on N of its own pages is its\n"
            "                        furniture; a wire story is reprinted once a site\n"
            "                        (default 3)\n"
            "%s",
            cli_common_help);
}

static int extra(cli_opts *o, const char *opt, const char *arg)
{
    rp_params *p = &o->params;
    char *end;
    if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
        if (!arg) return -1;
        o->output = arg;
        return 2;
    }
    if (strcmp(opt, "--date-field") == 0 || strcmp(opt, "--site-field") == 0 ||
        strcmp(opt, "--url-field") == 0) {
        if (!arg) return -1;
        *(opt[2] == 'd' ? &p->date_field : opt[2] == 's' ? &p->site_field : &p->url_field) = arg;
        return 2;
    }
    if (strcmp(opt, "--boilerplate") == 0) {
        if (!arg) return -1;
        if (strcmp(arg, "hide") == 0) p->boilerplate = RP_BOILERPLATE_HIDE;
        else if (strcmp(arg, "show") == 0) p->boilerplate = RP_BOILERPLATE_SHOW;
        else if (strcmp(arg, "off") == 0) p->boilerplate = RP_BOILERPLATE_OFF;
        else return -1;
        return 2;
    }
    if (strcmp(opt, "--rewrites") == 0) {
        p->rewrites = 1;
        return 1;
    }
    if (strcmp(opt, "--min-identity") == 0) {
        if (!arg) return -1;
        p->min_identity = strtod(arg, &end);
        return *end || !(p->min_identity >= 0 && p->min_identity <= 1) ? -1 : 2;
    }
    unsigned *target = strcmp(opt, "-n") == 0 || strcmp(opt, "--ngram") == 0 ? &p->fingerprint_ngram
                       : strcmp(opt, "--min-words") == 0  ? &p->min_words
                       : strcmp(opt, "--max-gap") == 0  ? &p->max_gap
                       : strcmp(opt, "--max-insert") == 0 ? &p->max_insert
                       : strcmp(opt, "--max-df") == 0   ? &p->max_df
                       : strcmp(opt, "--site-pages") == 0 ? &p->site_pages
                                                        : NULL;
    if (!target) return 0;
    if (!arg) return -1;
    unsigned long v = strtoul(arg, &end, 10);
    if (*end || end == arg || v > 100000) return -1;
    *target = (unsigned)v;
    if (target == &p->min_words && v < 2) return -1;
    if ((target == &p->max_df || target == &p->site_pages) && v < 2) return -1;
    if ((target == &p->max_gap || target == &p->max_insert) && v > 1000) return -1;
    if (target == &p->fingerprint_ngram && (v < 1 || v > 64)) return -1;
    return 2;
}

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
    int rc = cli_parse(argc, argv, &o, RP_MEASURE_CONTAINMENT, usage, extra);
    if (rc) {
        free(o.inputs);
        return rc < 0 ? EXIT_OK : rc;
    }
    o.params.task = RP_TASK_ALIGN;
    int human = o.human >= 0 ? o.human : (!o.output && isatty(1));
    o.params.keep_text = human;
    rp_engine *e;
    if ((rc = cli_run_engine(&o, &e)) != EXIT_OK) {
        free(o.inputs);
        return rc;
    }
    align_output ao = {e, &o, human};
    rc = cli_write_output(o.output, write_alignments, &ao, "the alignments", e);
    if (rc == EXIT_OK) rc = cli_report(&o, "align", e);
    rp_engine_free(e);
    free(o.inputs);
    return rc;
}
