/*
 * report.h — `reprint report`: what cmd_report.c gathers (the alignments
 * and stories as the library's writers put them, and the texts they point
 * into) and view_html.c turns into one self-contained HTML page.
 *
 * The report is for corpora a person reviews: it holds the pairs it shows
 * and their documents' texts in memory, at most --max-pairs of them.
 */
#ifndef REPRINT_CLI_REPORT_H
#define REPRINT_CLI_REPORT_H

#include "cli.h"

/* One passage of a pair, as the alignment line gives it. */
typedef struct {
    uint32_t start[2], end[2]; /* code points into a's [0] and b's [1] text */
    int kind;                  /* rp_passage_kind */
    int boilerplate;
} rep_passage;

typedef struct {
    char *json;                /* the library's JSONL line, without its newline */
    size_t json_len;
    size_t doc[2];             /* a and b, into report.docs */
    rep_passage *ps;
    size_t n_ps;
    double rank;               /* the larger coverage: what the cut keeps */
    uint64_t seq;              /* output order (a then b) */
} rep_pair;

typedef struct {
    char *key;                 /* "s:" or "n:" and the id's bytes: how ids meet */
    size_t key_len;
    char *id_json;             /* the id as the outputs write it */
    char *text;                /* the text, for documents of shown pairs; else NULL */
    size_t text_len;
    char *title;               /* its first line, cut (JSON string), or NULL */
    char *date_json;           /* the --date-field's value as JSON, or NULL */
    char *where;               /* FILE or FILE:LINE */
    uint64_t order;            /* input order; UINT64_MAX when never read */
    uint64_t story;            /* 1-based, 0 for none */
    int in_pair;               /* in a shown pair: its text is needed */
} rep_doc;

typedef struct {
    char *json;                /* the library's JSONL line, without its newline */
    size_t json_len;
    size_t n_members;
    uint64_t story;
} rep_story;

typedef struct {
    rep_doc *docs;
    size_t n_docs, cap_docs;
    size_t *slots;             /* open addressing over docs by key: index + 1 */
    size_t n_slots;
    rep_pair *pairs;
    size_t n_pairs, cap_pairs;
    rep_story *stories;
    size_t n_stories, cap_stories;
    uint64_t pairs_total;      /* pairs the alignment reported */
    uint64_t stories_total;
    size_t max_pairs;
    char *stats_json;          /* the align run's --stats object, or NULL (--from) */
    const char *stories_note;  /* why stories are missing, or NULL */
    const char *title;
    const char *from;          /* --from FILE, or NULL */
    int spin;                  /* spin keys mark synonyms (when the build has them) */
    int have_spin;             /* this build has the spinner (report_have_spin, asked once) */
    const rp_params *params;
    uint64_t docs_read, docs_rejected;
} report;

/* Writes the page: view_html.c. Returns 0, or -1 (errno set, or *err) when
 * the write fails. */
int report_write_html(FILE *f, report *r, char *err, size_t err_cap);

/* 1 when this build has the spinner (WordNet and libstemmer). */
int report_have_spin(void);

int cli_report_html(int argc, char **argv);

#endif
