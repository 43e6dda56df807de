/*
 * index_io.h — what `reprint index` and `reprint serve` share: a read
 * document's date field, ids given on a command line or in a URL, ages,
 * and the index's stats as JSON.
 */
#ifndef REPRINT_INDEX_IO_H
#define REPRINT_INDEX_IO_H

#include "cli.h"

#include <jansson.h>
#include <time.h>

/* The fields a document brings besides its id and text: its date (its
 * site and URL the library reads from its record). */
typedef struct {
    const char *date_field;
    char quoted[300];        /* "date_field", to look for before parsing */
    json_t *root;            /* the last record parsed (owns the date) */
    char num[64];
} cli_doc_fields;

void cli_doc_fields_init(cli_doc_fields *f, const rp_params *p);
void cli_doc_fields_free(cli_doc_fields *f);
/* The index's view of a read document (valid until the next call). */
rp_status cli_doc_of(cli_doc_fields *f, const rp_doc *d, rp_index_doc *out);
/* A document from a JSON object, as a request body or a JSONL line holds
 * it: *why says what is wrong (400) when it is not one. */
rp_status cli_doc_from_json(json_t *obj, const rp_params *p, rp_index_doc *out, char *num_buf,
                            const char **why);

/* An id as typed: JSON (7, "wire-1") when it parses as a string or a
 * number, else the text itself as a string. Points into s. */
void cli_id_arg(const char *s, rp_id *id);
/* "30d", "12h", "90m", "45s" or seconds; 0 when it is one. */
int cli_parse_age(const char *s, uint64_t *seconds);
/* An indexed document as {"id", "text", "date", "added"}\n to the FILE
 * file (rp_index_get's callback; `index get` and GET /v1/documents/ID). */
int cli_write_indexed_doc(void *file, const rp_indexed_doc *d);
/* {"documents": ..., ...}\n */
void cli_write_index_stats(FILE *f, const rp_index_stats *s);

#endif
