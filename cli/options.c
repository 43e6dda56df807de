/*
 * options.c — every option of the reprint program, in one table, from
 * which the parser, each command's --help and the manual page (reprint
 * help --man, kept as docs/reprint.1 and checked against it by a test) all
 * come: an option cannot be parsed and not documented, or documented for
 * one command and refused by it.
 *
 * A row is an option for a set of commands: its names, what it sets (an
 * offset into cli_opts), how its value is read and bounded, and its help,
 * written once with its line breaks as --help shows them. The same name
 * may have a row per meaning (-n is words per shingle for dedup and pairs,
 * per fingerprint n-gram for align). An option of another command is a
 * usage error that says so, not silently ignored.
 */
#include "cli.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum {
    OPT_FLAG,     /* sets an int to value */
    OPT_UINT,     /* unsigned, in [min, max] */
    OPT_U64,      /* uint64_t, any */
    OPT_DOUBLE,   /* double, in [min, max] ((min, max] with open_min) */
    OPT_COUNT,    /* size_t, in [min, max] */
    OPT_BYTES,    /* size_t bytes with K, M, G suffixes, at least min */
    OPT_BYTES64,  /* the same in a uint64_t */
    OPT_STRING,   /* const char *, the argument itself */
    OPT_CHOICE,   /* an enum's int, by name */
    OPT_HELP,     /* -h: shown, handled by the parser */
    OPT_VERSION,
} opt_type;

typedef struct {
    const char *name;
    int value;
} opt_choice;

typedef struct {
    unsigned commands;        /* CLI_CMD_* bits */
    const char *group;        /* heading in --help ("" for none) */
    char short_name;          /* 0 for none */
    const char *name;         /* the long name, without dashes */
    const char *metavar;      /* the value's name in help; NULL: takes none */
    opt_type type;
    size_t offset;            /* of the target in cli_opts */
    double min, max;
    int open_min;
    int value;                /* OPT_FLAG */
    const opt_choice *choices;
    const char *help;         /* "@" is the command's output noun */
} cli_option;

#define P(field) offsetof(cli_opts, params.field)
#define O(field) offsetof(cli_opts, field)
#define ALL (CLI_DEDUP | CLI_PAIRS | CLI_ALIGN | CLI_STORIES | CLI_REPORT)
#define MINHASH (CLI_DEDUP | CLI_PAIRS)
#define ALIGNS (CLI_ALIGN | CLI_REPORT) /* a report runs align */
#define VIEWS (ALL & ~CLI_REPORT)          /* commands with a JSONL and a readable view */
#define IDX (CLI_INDEX | CLI_SERVE)        /* the persistent index and its server */

static const opt_choice measures[] = {{"jaccard", RP_MEASURE_JACCARD},
                                      {"containment", RP_MEASURE_CONTAINMENT},
                                      {NULL, 0}};
static const opt_choice formats[] = {{"auto", RP_FORMAT_AUTO},
                                     {"jsonl", RP_FORMAT_JSONL},
                                     {"text", RP_FORMAT_TEXT},
                                     {NULL, 0}};
static const opt_choice boilerplates[] = {{"hide", RP_BOILERPLATE_HIDE},
                                          {"show", RP_BOILERPLATE_SHOW},
                                          {"off", RP_BOILERPLATE_OFF},
                                          {NULL, 0}};

static const opt_choice answers[] = {{"pairs", 1}, {"align", 2}, {NULL, 0}};

static const char G_MATCH[] = "matching";
static const char G_ALIGN[] = "alignment";
static const char G_BP[] = "boilerplate (page furniture: navigation, bylines, teasers, ads, copyright\n"
                           "and share lines)";
static const char G_INPUT[] = "input";
static const char G_SPIN[] = "disguised reuse";
static const char G_RES[] = "resources";
static const char G_OUT[] = "output";

static const cli_option options[] = {
    {ALL | CLI_INDEX, "", 'o', "output", "FILE", OPT_STRING, O(output), 0, 0, 0, 0, NULL,
     "write the @ to FILE (complete or not at all)"},
    {CLI_DEDUP, "", 0, "clusters", "FILE", OPT_STRING, O(clusters), 0, 0, 0, 0, NULL,
     "one JSONL line per cluster of 2 or more documents:\n"
     "{\"cluster\": N, \"representative\": ID, \"members\": [ID...]}"},
    {CLI_DEDUP | CLI_PAIRS | CLI_ALIGN, "", 0, "checkpoint", "DIR", OPT_STRING, O(checkpoint), 0, 0, 0, 0, NULL,
     "keep each finished stage in DIR (dedup, pairs: the\n"
     "signed records, then the similar pairs; align: the\n"
     "fingerprints, then the candidate pairs), and resume\n"
     "from the last one a rerun finds there (the same files,\n"
     "parameters and number of ranks: mpirun, or one process;\n"
     "compressed inputs are kept there decompressed)"},
    {CLI_STORIES | CLI_REPORT, "", 0, "similarity", "X", OPT_DOUBLE, P(story_threshold), 0, 1, 1, 0, NULL,
     "cosine of two documents, and of two stories, to\njoin them (default 0.3)"},
    {CLI_STORIES, "", 0, "max-bucket", "N", OPT_COUNT, P(max_bucket), 2, 1000000, 0, 0, NULL,
     "documents sharing a key term beyond N are chained,\nnot all paired (default 256)"},
    {CLI_REPORT, "", 0, "from", "FILE", OPT_STRING, O(from), 0, 0, 0, 0, NULL,
     "the pairs from a saved 'reprint align' output instead\n"
     "of aligning; INPUT... are then the texts it was made\n"
     "of (the same inputs and input options)"},
    {CLI_REPORT, "", 0, "texts", NULL, OPT_FLAG, O(texts), 0, 0, 0, 1, NULL,
     "with --from: the INPUTs that follow are the texts\n(a reminder; they always are)"},
    {CLI_REPORT, "", 0, "max-pairs", "N", OPT_COUNT, O(max_pairs), 1, 1000000, 0, 0, NULL,
     "show the N pairs with the highest coverage; the rest\n"
     "are counted on the page and on stderr (default 1000)"},
    {CLI_REPORT, "", 0, "title", "T", OPT_STRING, O(title), 0, 0, 0, 0, NULL,
     "the page's title (default: reprint report)"},
    {IDX, "", 0, "db", "DIR", OPT_STRING, O(db), 0, 0, 0, 0, NULL,
     "the index's directory (made by the first add)"},
    {CLI_INDEX, "", 0, "answer", "A", OPT_CHOICE, O(answer), 0, 0, 0, 0, answers,
     "query: what to answer, pairs (as 'reprint pairs') or\n"
     "align (as 'reprint align'); default\n"
     "align, pairs for an index made with --pairs-only"},
    {CLI_INDEX, "", 0, "pairs-only", NULL, OPT_FLAG, O(pairs_only), 0, 0, 0, 1, NULL,
     "add: make the index without passage fingerprints\n"
     "(pairs only, a third of the size)"},
    {CLI_INDEX, "", 0, "batch", "N", OPT_COUNT, O(batch), 1, 1000000, 0, 0, NULL,
     "add: documents a commit (default 10000); each commit\n"
     "is durable, and the bigger, the fewer pages rewritten"},
    {CLI_INDEX, "", 0, "ttl", "AGE", OPT_STRING, O(ttl), 0, 0, 0, 0, NULL,
     "expire: delete what is older than AGE (s, m, h, d:\n"
     "30d, 12h, or seconds)"},
    {CLI_INDEX, "", 0, "by-date", NULL, OPT_FLAG, O(by_date), 0, 0, 0, 1, NULL,
     "expire: age by the date field where it parses (ISO\n"
     "8601 or Unix seconds), else by when it was added"},
    {CLI_SERVE, "", 0, "listen", "ADDR", OPT_STRING, O(listen), 0, 0, 0, 0, NULL,
     "HOST:PORT to listen on (default 127.0.0.1:8080);\n"
     "other than loopback needs --token-file"},
    {CLI_SERVE, "", 0, "token-file", "FILE", OPT_STRING, O(token_file), 0, 0, 0, 0, NULL,
     "requests must carry 'Authorization: Bearer TOKEN',\n"
     "TOKEN the file's first line"},
    {CLI_SERVE, "", 0, "max-body", "N", OPT_BYTES, O(max_body), 1024, (double)SIZE_MAX, 0, 0, NULL,
     "largest request body (default 16M; K, M, G)"},
    {CLI_SERVE, "", 0, "max-connections", "N", OPT_UINT, O(max_connections), 1, 100000, 0, 0, NULL,
     "connections at once (default 256)"},
    {CLI_SERVE, "", 0, "max-inflight", "N", OPT_UINT, O(max_inflight), 1, 100000, 0, 0, NULL,
     "requests worked on at once; more get 503 (default 64)"},
    {CLI_SERVE, "", 0, "timeout", "S", OPT_UINT, O(timeout), 1, 3600, 0, 0, NULL,
     "seconds a connection may idle (default 10)"},

    {MINHASH | IDX, G_MATCH, 't', "threshold", "X", OPT_DOUBLE, P(threshold), 0, 1, 1, 0, NULL,
     "similarity of a reported pair (default 0.7)"},
    {MINHASH | IDX, G_MATCH, 0, "measure", "M", OPT_CHOICE, P(measure), 0, 0, 0, 0, measures,
     "jaccard (the two are nearly the same) or containment\n"
     "(the larger share of one found in the other); default:\n"
     "jaccard for dedup, containment for pairs"},
    {MINHASH | IDX, G_MATCH, 0, "size-ratio", "R", OPT_DOUBLE, P(size_ratio), 1, 1000, 0, 0, NULL,
     "containment: find a text inside one up to R times its\n"
     "length, at the threshold with p >= 0.9 (default 1:\n"
     "two of one size; 2 or more finds excerpts in longer\n"
     "texts and proposes more candidates where documents\n"
     "share text)"},
    {MINHASH | IDX, G_MATCH, 'n', "ngram", "N", OPT_UINT, P(ngram), 1, 64, 0, 0, NULL,
     "words per shingle (default 5)"},
    {MINHASH | IDX, G_MATCH, 0, "num-perm", "N", OPT_UINT, P(num_perm), 1, 4096, 0, 0, NULL,
     "MinHash signature length (default 128)"},
    {MINHASH | IDX, G_MATCH, 0, "bands", "B", OPT_UINT, P(bands), 1, 1000000, 0, 0, NULL,
     "LSH bands, with --rows (default: chosen from the\n"
     "threshold so a pair at the threshold is a candidate\nwith p >= 0.9)"},
    {MINHASH | IDX, G_MATCH, 0, "rows", "R", OPT_UINT, P(rows), 1, 1000000, 0, 0, NULL,
     "rows a band, with --bands"},
    {MINHASH | IDX, G_MATCH, 0, "seed", "N", OPT_U64, P(seed), 0, 0, 0, 0, NULL, "hash seed (default 0)"},
    {MINHASH | IDX, G_MATCH, 0, "max-bucket", "N", OPT_COUNT, P(max_bucket), 2, 1000000, 0, 0, NULL,
     "LSH buckets larger than N are chained (default 256)"},

    {ALIGNS | IDX, G_ALIGN, 0, "min-words", "N", OPT_UINT, P(min_words), 2, 100000, 0, 0, NULL,
     "shortest passage, in matching words (default 10);\n"
     "every shared run of N identical words is found"},
    {ALIGNS | IDX, G_ALIGN, 0, "max-gap", "N", OPT_UINT, P(max_gap), 0, 1000, 0, 0, NULL,
     "differing words bridged inside a passage, in each\ntext (default 8)"},
    {ALIGNS | IDX, G_ALIGN, 0, "min-identity", "X", OPT_DOUBLE, P(min_identity), 0, 1, 0, 0, NULL,
     "share of matching words a passage needs (default 0.6)"},
    {ALIGNS | IDX, G_ALIGN, 0, "max-insert", "N", OPT_UINT, P(max_insert), 0, 1000, 0, 0, NULL,
     "words inserted into or dropped from one text that\n"
     "still leave one passage (a teaser, an ad, a dropped\n"
     "sentence), the other differing by at most --max-gap\n(default 40)"},
    {ALIGNS | IDX, G_ALIGN, 0, "rewrites", NULL, OPT_FLAG, P(rewrites), 0, 0, 0, 1, NULL,
     "also find rewritten passages: paraphrased, reordered,\n"
     "heavily edited (30-50% of the words changed) or\n"
     "condensed into a summary, by aligning sentences on\n"
     "their content words (implies --spin). Costs\n"
     "sentence keys beside the fingerprints: on the 1 GB\n"
     "bench corpus 2.5 times --spin's time and memory"},
    {CLI_ALIGN, G_ALIGN, 0, "groups", NULL, OPT_FLAG, P(groups), 0, 0, 0, 1, NULL,
     "list reuse groups instead of pairs: one line per\n"
     "passage shared by two or more documents, with each\n"
     "member's offsets and the likely first; each document\n"
     "under a shared passage is aligned with the first of\n"
     "them only, so the work grows with the occurrences,\n"
     "not their pairs"},
    {ALIGNS, G_ALIGN, 0, "max-partners", "N", OPT_UINT, P(max_partners), 0, 4000000000.0, 0, 0, NULL,
     "later documents each document is aligned with, at\n"
     "most: the first N in input order; the pairs past it\n"
     "are counted in the summary and --stats (cut_pairs),\n"
     "0 = no limit (default 1000)"},
    {ALIGNS | IDX, G_ALIGN, 0, "max-df", "N", OPT_UINT, P(max_df), 2, 100000, 0, 0, NULL,
     "text in more than N documents pairs each with the\n"
     "first of them only, where two such fingerprints\n"
     "agree; in documents without a site it is taken\nfor boilerplate (default 100)"},
    {ALIGNS, G_ALIGN, 'n', "ngram", "N", OPT_UINT, P(fingerprint_ngram), 1, 64, 0, 0, NULL,
     "words per fingerprint n-gram (default 6)"},
    {ALIGNS, G_ALIGN, 0, "seed", "N", OPT_U64, P(seed), 0, 0, 0, 0, NULL, "hash seed (default 0)"},
    {IDX, G_ALIGN, 0, "fingerprint-ngram", "N", OPT_UINT, P(fingerprint_ngram), 1, 64, 0, 0, NULL,
     "words per passage fingerprint n-gram (align's -n;\ndefault 6)"},
    {ALIGNS | IDX, G_ALIGN, 0, "date-field", "F", OPT_STRING, P(date_field), 0, 0, 0, 0, NULL,
     "JSONL field with the date, the earlier of which\nnames the source (default date)"},

    {ALIGNS | IDX, G_BP, 0, "boilerplate", "M", OPT_CHOICE, P(boilerplate), 0, 0, 0, 0, boilerplates,
     "hide (default): in no passage and not in coverage,\n"
     "and a pair sharing only it is not reported; show:\n"
     "reported, flagged \"boilerplate\": true, not counted;\noff: not looked for"},
    {ALIGNS | IDX, G_BP, 0, "site-field", "F", OPT_STRING, P(site_field), 0, 0, 0, 0, NULL,
     "JSONL field naming a page's site (default site)"},
    {ALIGNS | IDX, G_BP, 0, "url-field", "F", OPT_STRING, P(url_field), 0, 0, 0, 0, NULL,
     "JSONL field with its URL, whose host is the site\n"
     "when there is no site field (default url)"},
    {ALIGNS | IDX, G_BP, 0, "site-pages", "N", OPT_UINT, P(site_pages), 2, 100000, 0, 0, NULL,
     "text a site repeats on N of its own pages is its\n"
     "furniture; a wire story is reprinted once a site\n(default 3)"},

    {ALL | IDX, G_INPUT, 0, "format", "F", OPT_CHOICE, P(format), 0, 0, 0, 0, formats,
     "auto, jsonl or text (default auto: JSONL by name,\n"
     ".jsonl .ndjson .json, or by a first line that is a\n"
     "JSON object with the text field; stdin is JSONL if\nit starts with '{')"},
    {ALL | IDX, G_INPUT, 0, "id-field", "F", OPT_STRING, P(id_field), 0, 0, 0, 0, NULL,
     "JSONL id field (default id; missing: the line number,\n"
     "or FILE:LINE when there are several inputs)"},
    {ALL | IDX, G_INPUT, 0, "text-field", "F", OPT_STRING, P(text_field), 0, 0, 0, 0, NULL,
     "JSONL text field (default text)"},
    {ALL | IDX, G_INPUT, 0, "max-doc-bytes", "N", OPT_BYTES, P(max_doc_bytes), 1, (double)SIZE_MAX, 0, 0,
     NULL, "documents larger than N bytes are bad input\n(default 64M; K, M, G suffixes)"},
    {ALL | IDX, G_INPUT, 0, "skip-bad", NULL, OPT_FLAG, P(skip_bad), 0, 0, 0, 1, NULL,
     "count and report bad documents, and go on\n(default: stop at the first, exit 1)"},
    {ALL, G_INPUT, 0, "tmp-dir", "DIR", OPT_STRING, P(tmp_dir), 0, 0, 0, 0, NULL,
     "temporary files (default $TMPDIR or /tmp); under mpirun\n"
     "compressed inputs are decompressed there, so every rank\n"
     "must see it"},

    {CLI_DEDUP | CLI_PAIRS | ALIGNS | IDX, G_SPIN, 0, "spin", NULL, OPT_FLAG, P(spin), 0, 0, 0, 1, NULL,
     "also match spun and lightly rewritten copies: content\n"
     "words compare by WordNet synonym class (after their\n"
     "base form) or Snowball stem, so \"said\"/\"stated\",\n"
     "\"held\"/\"holds\" and \"two\"/\"2\" match"},

    {ALL | IDX, G_RES, 0, "threads", "N", OPT_UINT, P(threads), 1, 256, 0, 0, NULL,
     "worker threads (default: one per core); the output\nis the same for any N"},
    {MINHASH | CLI_ALIGN | CLI_STORIES, G_RES, 0, "memory", "LIMIT", OPT_BYTES64, P(memory_limit), 1 << 20,
     (double)SIZE_MAX, 0, 0, NULL,
     "dedup, pairs: memory for the LSH band tables, and\n"
     "pairs: an eighth of it for the similar pairs held and\n"
     "an eighth for candidates (default none); align: for\n"
     "the passage fingerprint index (default 64M); stories:\n"
     "half of it for the documents' term vectors and an\n"
     "eighth for the similar pairs (default none). Beyond\n"
     "it they spill to --tmp-dir, with the same results\n"
     "(K, M, G)"},

    {VIEWS | CLI_INDEX, G_OUT, 0, "json", NULL, OPT_FLAG, O(human), 0, 0, 0, 0, NULL,
     "JSONL on stdout even on a terminal"},
    {VIEWS | CLI_INDEX, G_OUT, 0, "human", NULL, OPT_FLAG, O(human), 0, 0, 0, 1, NULL,
     "the readable view even when piped"},
    {ALL, G_OUT, 0, "stats", "FILE", OPT_STRING, O(stats_file), 0, 0, 0, 0, NULL,
     "write the run's accounting as JSON"},
    {ALL | IDX, G_OUT, 'q', "quiet", NULL, OPT_FLAG, O(quiet), 0, 0, 0, 1, NULL, "no summary on stderr"},
    {ALL, G_OUT, 0, "no-progress", NULL, OPT_FLAG, O(progress), 0, 0, 0, 0, NULL,
     "no progress bar (shown when stderr is a terminal)"},
    {ALL | CLI_INDEX, G_OUT, 0, "progress", NULL, OPT_FLAG, O(progress), 0, 0, 0, 1, NULL,
     "a progress bar even when stderr is not a terminal\n"
     "(index add: a line as each commit is durable)"},
    {ALL | IDX, G_OUT, 0, "version", NULL, OPT_VERSION, 0, 0, 0, 0, 0, NULL, "the program's version"},
    {ALL | IDX, G_OUT, 'h', "help", NULL, OPT_HELP, 0, 0, 0, 0, 0, NULL, "this help"},
};
enum { N_OPTIONS = sizeof(options) / sizeof(options[0]) };

const cli_command cli_commands[] = {
    {"dedup", CLI_DEDUP, "corpus", RP_MEASURE_JACCARD,
     "write the corpus without its near-duplicates",
     "Writes every document that is not a near-duplicate of an earlier one, in\n"
     "input order, as it was read (a text file becomes a JSONL record). A summary\n"
     "on stderr accounts for every document: read = kept + removed + rejected."},
    {"pairs", CLI_PAIRS, "pairs", RP_MEASURE_CONTAINMENT,
     "list similar document pairs with their scores",
     "Lists every pair of documents whose word-shingle similarity is at least the\n"
     "threshold, verified exactly (never estimated):\n"
     "  {\"a\": ID, \"b\": ID, \"jaccard\": x, \"containment_a\": x, \"containment_b\": x}\n"
     "containment_a is the share of a's shingles also found in b."},
    {"align", CLI_ALIGN, "pairs", RP_MEASURE_CONTAINMENT,
     "find the passages documents share, aligned, with the likely source",
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
     "passages side by side on a terminal."},
    {"stories", CLI_STORIES, "stories", RP_MEASURE_JACCARD,
     "group the documents that report the same story",
     "Groups the documents that report the same story or event, whether or not\n"
     "they share a passage, one JSONL line per story of two or more:\n"
     "  {\"story\": N, \"members\": [ID, ...], \"terms\": [\"term\", ...]}\n"
     "terms are the words that set the story apart (rare names and terms first).\n"
     "Documents are compared by TF-IDF vectors of their content words (synonyms\n"
     "and word forms merged, names weighing double); two stories join only when\n"
     "their centroids are as similar as their closest members, so a document\n"
     "that mentions two events does not chain them together. On a terminal each\n"
     "story also shows which members copy from which, and which copies were\n"
     "disguised (an alignment with --spin)."},
    {"report", CLI_REPORT, "report", RP_MEASURE_CONTAINMENT,
     "write one HTML page of the reuse, side by side",
     "Aligns the inputs (with align's options) and groups their stories, and\n"
     "writes one self-contained HTML file (-o, or stdout when it is not a\n"
     "terminal) to open in a browser: the pairs ranked and filtered, each pair's\n"
     "two texts side by side with every shared passage in its colour and the\n"
     "changed, spun and rewritten words marked, each story's members with who\n"
     "copies whom, and each document's sources. --from reads the pairs of a saved\n"
     "'reprint align' output instead. The page needs no network and runs no\n"
     "text as markup."},
    {"index", CLI_INDEX, "answers", RP_MEASURE_CONTAINMENT,
     "keep a persistent index, add to it, ask it what a document reuses",
     "reprint index add|query|get|delete|expire|stats|compact|backup --db DIR ...\n"
     "  add INPUT...      add the documents (durable when it returns; an id\n"
     "                    already indexed is reported and not added)\n"
     "  query INPUT...    for each document, the indexed ones it duplicates or\n"
     "                    shares passages with, in the JSONL of 'reprint pairs'\n"
     "                    (--answer pairs) or 'reprint align' (--answer align)\n"
     "  get ID...         the documents, as {\"id\", \"text\", \"date\", \"added\"}\n"
     "  delete ID...      delete them (ids as JSON: 7, or \"wire-1\")\n"
     "  expire --ttl AGE  delete what is older than AGE\n"
     "  stats             what the index holds, as JSON\n"
     "  compact           rewrite it without free pages and deleted texts\n"
     "  backup TO_DIR     a consistent copy while it is in use\n"
     "The index keeps the parameters it was made with (--ngram, --num-perm,\n"
     "--bands/--rows or --threshold, --seed, --spin, --min-words,\n"
     "--fingerprint-ngram, --rewrites); opening it with others is an error."},
    {"serve", CLI_SERVE, "answers", RP_MEASURE_CONTAINMENT,
     "serve an index over HTTP (JSON API)",
     "reprint serve --db DIR [--listen 127.0.0.1:8080]\n"
     "Serves the index: POST /v1/documents (add; ?query=1 answers first),\n"
     "POST /v1/query, GET and DELETE /v1/documents/ID, GET /v1/stats,\n"
     "GET /v1/health. The API is in docs/INDEX.md."},
    {NULL, 0, NULL, RP_MEASURE_JACCARD, NULL, NULL},
};

const cli_command *cli_command_named(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

/* ---------------------------------------------------------------- help */

/* The option's names as --help shows them: "-t, --threshold X". */
static void names(const cli_option *op, char *dst, size_t cap)
{
    char s[4] = "";
    if (op->short_name) s[0] = '-', s[1] = op->short_name, s[2] = ',';
    snprintf(dst, cap, "%-3s --%s%s%s", s, op->name, op->metavar ? " " : "",
             op->metavar ? op->metavar : "");
}

/* A help text with "@" as the command's output noun. */
static void put_help(FILE *f, const char *help, const cli_command *c, const char *indent)
{
    for (const char *s = help; *s; s++) {
        if (*s == '@') fputs(c->output, f);
        else if (*s == '%') fputc('%', f);
        else fputc(*s, f);
        if (*s == '\n') fputs(indent, f);
    }
}

void cli_usage(FILE *f, const cli_command *c)
{
    fprintf(f, "usage: reprint %s [OPTIONS]%s\n\n%s\n\n", c->name,
            c->mask & (CLI_INDEX | CLI_SERVE) ? "" : " INPUT...", c->description);
    const char *group = "";
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *op = &options[i];
        if (!(op->commands & c->mask)) continue;
        if (strcmp(op->group, group) != 0) fprintf(f, "%s:\n", op->group);
        group = op->group;
        char left[64];
        names(op, left, sizeof(left));
        if (strlen(left) > 21) fprintf(f, "  %s\n%24s", left, "");
        else fprintf(f, "  %-21s ", left);
        put_help(f, op->help, c, "                        ");
        fputc('\n', f);
    }
}

/* ------------------------------------------------------------ man page */

/* Text for troff: a backslash doubled, a hyphen escaped, a line that
 * would start with a dot or quote guarded. */
static void man_text(FILE *f, const char *s, const cli_command *c)
{
    int bol = 1;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\'')) fputs("\\&", f);
        bol = 0;
        if (*s == '@') fputs(c ? c->output : "output", f);
        else if (*s == '-') fputs("\\-", f);
        else if (*s == '\\') fputs("\\e", f);
        else if (*s == '\n') fputc('\n', f), bol = 1;
        else fputc(*s, f);
    }
}

/* The options of command c, or (c NULL) those of every command. */
static void man_options(FILE *f, const cli_command *c)
{
    fprintf(f, ".SS %s\n", c ? c->name : "every command");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *op = &options[i];
        if (c ? !(op->commands & c->mask) || op->commands == ALL : op->commands != ALL) continue;
        fputs(".TP\n.BR ", f);
        if (op->short_name) fprintf(f, "\\-%c \", \" ", op->short_name);
        fputs("\\-\\-", f);
        man_text(f, op->name, c);
        if (op->metavar) fprintf(f, " \" %s\"", op->metavar);
        fputc('\n', f);
        man_text(f, op->help, c);
        fputc('\n', f);
    }
}

void cli_man(FILE *f)
{
    fprintf(f, ".\\\" generated by 'reprint help --man' from cli/options.c: edit there\n"
               ".TH REPRINT 1 \"2026\" \"reprint %s\" \"User Commands\"\n"
               ".SH NAME\nreprint \\- find duplicated and reused text in a corpus\n"
               ".SH SYNOPSIS\n",
            RP_VERSION_STRING);
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, ".B reprint %s\n%s[\\fIOPTIONS\\fR]%s\n.br\n", c->name,
                c->mask & CLI_INDEX ? "\\fIVERB\\fR " : "", c->mask & CLI_SERVE ? "" : " \\fIINPUT\\fR...");
    fputs(".B reprint help\n[\\fICOMMAND\\fR | \\fB\\-\\-man\\fR]\n.SH DESCRIPTION\n", f);
    man_text(f,
             "reprint finds duplicated and reused text in a corpus. INPUT is a JSONL file\n"
             "(one {\"id\": ..., \"text\": ...} object per line), a plain-text file (one\n"
             "document), a directory of such files (ids are paths relative to it), or - for\n"
             "standard input; gzip and zstd input is decompressed transparently. An\n"
             "option's value follows it as the next argument or after an equals sign\n"
             "(--threshold 0.8 or --threshold=0.8). stdout carries the results (JSONL, or a\n"
             "readable view when it is a terminal), stderr a summary that accounts for\n"
             "every document and, on a terminal, a progress bar.\n",
             NULL);
    for (const cli_command *c = cli_commands; c->name; c++) {
        fprintf(f, ".PP\n\\fB%s\\fR: ", c->name);
        man_text(f, c->description, c);
        fputc('\n', f);
    }
    fputs(".SH OPTIONS\n", f);
    for (const cli_command *c = cli_commands; c->name; c++) man_options(f, c);
    man_options(f, NULL);
    fputs(".SH EXIT STATUS\n0 success; 1 bad input stopped the run; 2 usage error; 3 I/O error or "
          "out of memory.\n"
          ".SH ENVIRONMENT\n"
          ".B TMPDIR\ntemporary files, unless \\-\\-tmp\\-dir is given;\n"
          ".B NO_COLOR\nno colours in the readable views.\n"
          ".SH SEE ALSO\nThe formats of every output, and what happens to bad input: docs/FORMATS.md.\n",
          f);
}

/* ------------------------------------------------------------- parsing */

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') return -1;
    unsigned long long mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1ULL << 10, end++;
    else if (*end == 'M' || *end == 'm') mul = 1ULL << 20, end++;
    else if (*end == 'G' || *end == 'g') mul = 1ULL << 30, end++;
    if (*end == 'B' || *end == 'b') end++;
    if (*end || v == 0 || v > SIZE_MAX / mul) return -1;
    *out = (size_t)(v * mul);
    return 0;
}

/* Reads arg into the option's target; 0, or -1 for a bad value. */
static int set_value(const cli_option *op, cli_opts *o, const char *arg)
{
    void *t = (char *)o + op->offset;
    char *end;
    errno = 0;
    switch (op->type) {
    case OPT_UINT: {
        unsigned long v = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || *arg == '-' || v < op->min || v > op->max) return -1;
        *(unsigned *)t = (unsigned)v;
        return 0;
    }
    case OPT_COUNT: {
        unsigned long long v = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || *arg == '-' || v < op->min || v > op->max) return -1;
        *(size_t *)t = (size_t)v;
        return 0;
    }
    case OPT_U64: {
        unsigned long long v = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || *arg == '-') return -1;
        *(uint64_t *)t = v;
        return 0;
    }
    case OPT_DOUBLE: {
        double v = strtod(arg, &end);
        if (end == arg || *end || !(v <= op->max) || (op->open_min ? !(v > op->min) : !(v >= op->min)))
            return -1;
        *(double *)t = v;
        return 0;
    }
    case OPT_BYTES:
    case OPT_BYTES64: {
        size_t v;
        if (parse_size(arg, &v) || (double)v < op->min) return -1;
        if (op->type == OPT_BYTES) *(size_t *)t = v;
        else *(uint64_t *)t = v;
        return 0;
    }
    case OPT_STRING:
        *(const char **)t = arg;
        return 0;
    case OPT_CHOICE:
        for (const opt_choice *ch = op->choices; ch->name; ch++)
            if (strcmp(ch->name, arg) == 0) {
                *(int *)t = ch->value;
                return 0;
            }
        return -1;
    default:
        return -1;
    }
}

/* The row of option a (a long name, or a short one) for command c; NULL,
 * with *elsewhere set when another command has it. */
static const cli_option *find(const char *a, const cli_command *c, int *elsewhere)
{
    *elsewhere = 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *op = &options[i];
        int match = (a[1] == '-' && strcmp(a + 2, op->name) == 0) ||
                    (a[1] && a[1] == op->short_name && a[2] == 0 && op->short_name);
        if (!match) continue;
        if (op->commands & c->mask) return op;
        *elsewhere = 1;
    }
    return NULL;
}

static int bad_value(const char *opt, const char *arg)
{
    fprintf(stderr, "reprint: invalid value '%s' for %s\n", arg ? arg : "", opt);
    return EXIT_USAGE;
}

/* What follows all options: inputs given once, bands with rows. */
static int check(cli_opts *o, const cli_command *c)
{
    size_t stdins = 0;
    for (size_t k = 0; k < o->n_inputs; k++) stdins += strcmp(o->inputs[k], "-") == 0;
    if (stdins > 1) {
        fprintf(stderr, "reprint: standard input (-) given %zu times; it can be read once\n", stdins);
        return EXIT_USAGE;
    }
    if (o->n_inputs == 0 && !(c->mask & (CLI_INDEX | CLI_SERVE))) {
        fprintf(stderr, "reprint: no input given (use - for stdin)\n");
        cli_usage(stderr, c);
        return EXIT_USAGE;
    }
    if ((o->params.bands != 0) != (o->params.rows != 0)) {
        fprintf(stderr, "reprint: --bands and --rows go together\n");
        return EXIT_USAGE;
    }
    if ((uint64_t)o->params.bands * o->params.rows > o->params.num_perm) {
        fprintf(stderr, "reprint: --bands x --rows exceeds --num-perm (%u)\n", o->params.num_perm);
        return EXIT_USAGE;
    }
    if (o->progress < 0) o->progress = isatty(2) && !o->quiet && !cli_launched();
    return 0;
}

int cli_parse(int argc, char **argv, cli_opts *o, const cli_command *c)
{
    memset(o, 0, sizeof(*o));
    rp_params_init(&o->params);
    o->params.measure = c->measure;
    o->human = -1;
    o->progress = -1;
    o->inputs = calloc((size_t)argc + 1, sizeof(char *));
    if (!o->inputs) return EXIT_IO;
    int only_inputs = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_inputs || a[0] != '-' || strcmp(a, "-") == 0) {
            o->inputs[o->n_inputs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_inputs = 1;
            continue;
        }
        /* --name=value is --name value */
        char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        if (eq) *eq = 0;
        int elsewhere;
        const cli_option *op = find(a, c, &elsewhere);
        if (!op) {
            if (elsewhere) fprintf(stderr, "reprint: %s is not an option of %s\n", a, c->name);
            else fprintf(stderr, "reprint: unknown option: %s\n", a);
            return EXIT_USAGE;
        }
        if (!op->metavar) {
            if (eq) {
                fprintf(stderr, "reprint: %s takes no value\n", a);
                return EXIT_USAGE;
            }
            if (op->type == OPT_HELP) {
                cli_usage(stdout, c);
                return -1;
            }
            if (op->type == OPT_VERSION) {
                printf("reprint %s\n", RP_VERSION_STRING);
                return -1;
            }
            *(int *)((char *)o + op->offset) = op->value;
            continue;
        }
        const char *arg = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!arg) {
            fprintf(stderr, "reprint: %s needs a value (%s)\n", a, op->metavar);
            return EXIT_USAGE;
        }
        if ((eq && !arg[0]) || set_value(op, o, arg)) return bad_value(a, arg);
    }
    return check(o, c);
}
