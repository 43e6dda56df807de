/*
 * index_io.c — the index commands' shared input and output (index_io.h).
 */
#define _GNU_SOURCE /* memmem */
#include "index_io.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cli_doc_fields_init(cli_doc_fields *f, const rp_params *p)
{
    memset(f, 0, sizeof(*f));
    f->date_field = p->date_field ? p->date_field : "date";
    snprintf(f->quoted, sizeof(f->quoted), "\"%s\"", f->date_field);
}

/* A site or URL field: a string's bytes; NULL when it has none. */
static void string_value(json_t *v, const char **out, size_t *len)
{
    if (v && json_is_string(v)) *out = json_string_value(v), *len = json_string_length(v);
}

void cli_doc_fields_free(cli_doc_fields *f)
{
    if (f->root) json_decref(f->root);
    f->root = NULL;
}

/* A date value's bytes: a string's, or a number's text. */
static void date_value(json_t *v, char *num, size_t cap, rp_index_doc *out)
{
    if (json_is_string(v)) {
        out->date = json_string_value(v);
        out->date_len = json_string_length(v);
    } else if (json_is_integer(v)) {
        snprintf(num, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        out->date = num, out->date_len = strlen(num), out->date_is_number = 1;
    } else if (json_is_real(v)) {
        snprintf(num, cap, "%.17g", json_real_value(v));
        out->date = num, out->date_len = strlen(num), out->date_is_number = 1;
    }
}

rp_status cli_doc_of(cli_doc_fields *f, const rp_doc *d, rp_index_doc *out)
{
    memset(out, 0, sizeof(*out));
    out->id = d->id;
    out->text = d->text;
    out->text_len = d->text_len;
    cli_doc_fields_free(f);
    /* its site and URL the library reads from the record */
    if (d->line && d->raw) out->raw = d->raw, out->raw_len = d->raw_len;
    /* only a JSONL record that names the date field is parsed again */
    if (!d->line || !d->raw || !memmem(d->raw, d->raw_len, f->quoted, strlen(f->quoted))) return RP_OK;
    json_error_t e;
    f->root = json_loadb(d->raw, d->raw_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (f->root && json_is_object(f->root))
        date_value(json_object_get(f->root, f->date_field), f->num, sizeof(f->num), out);
    return RP_OK;
}

rp_status cli_doc_from_json(json_t *obj, const rp_params *p, rp_index_doc *out, char *num_buf,
                            const char **why)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(obj)) {
        *why = "a document is a JSON object";
        return RP_ERR_NOT_OBJECT;
    }
    const char *idf = p->id_field ? p->id_field : "id", *tf = p->text_field ? p->text_field : "text";
    json_t *id = json_object_get(obj, idf), *text = json_object_get(obj, tf);
    if (!json_is_string(text)) {
        *why = "the text field is missing or not a string";
        return RP_ERR_NO_TEXT;
    }
    if (json_is_string(id)) {
        out->id.str = json_string_value(id);
        out->id.len = json_string_length(id);
    } else if (json_is_integer(id)) {
        snprintf(num_buf, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        out->id.str = num_buf, out->id.len = strlen(num_buf), out->id.is_number = 1;
    } else {
        *why = id ? "the id field is neither a string nor an integer" : "the id field is missing";
        return RP_ERR_BAD_ID;
    }
    if (out->id.len == 0 || out->id.len > 1024) {
        *why = "the id is empty or longer than 1024 bytes";
        return RP_ERR_BAD_ID;
    }
    out->text = json_string_value(text);
    out->text_len = json_string_length(text);
    json_t *date = json_object_get(obj, p->date_field ? p->date_field : "date");
    if (date && !json_is_string(date) && !json_is_number(date) && !json_is_null(date)) {
        *why = "the date field is neither a string nor a number";
        return RP_ERR_JSON;
    }
    if (date) date_value(date, num_buf + 32, 64, out);
    if (p->site_field && *p->site_field) string_value(json_object_get(obj, p->site_field), &out->site, &out->site_len);
    if (p->url_field && *p->url_field) string_value(json_object_get(obj, p->url_field), &out->url, &out->url_len);
    if (out->date_len > 256) {
        *why = "the date is longer than 256 bytes";
        return RP_ERR_JSON;
    }
    return RP_OK;
}

void cli_id_arg(const char *s, rp_id *id)
{
    size_t n = strlen(s);
    id->str = s, id->len = n, id->is_number = 0;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') { /* a JSON string without escapes */
        if (!memchr(s + 1, '\\', n - 2)) id->str = s + 1, id->len = n - 2;
        return;
    }
    size_t k = s[0] == '-';
    int digits = k < n;
    for (; k < n; k++) digits &= isdigit((unsigned char)s[k]) != 0;
    id->is_number = digits;
}

int cli_parse_age(const char *s, uint64_t *seconds)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno) return -1;
    uint64_t unit = 1;
    if (*end == 'd') unit = 86400, end++;
    else if (*end == 'h') unit = 3600, end++;
    else if (*end == 'm') unit = 60, end++;
    else if (*end == 's') end++;
    if (*end || v > UINT64_MAX / unit) return -1;
    *seconds = v * unit;
    return 0;
}

void cli_write_index_stats(FILE *f, const rp_index_stats *s)
{
    const rp_params *p = &s->params;
    fprintf(f,
            "{\"documents\": %llu, \"added\": %llu, \"deleted\": %llu, \"text_bytes\": %llu, "
            "\"log_bytes\": %llu, \"live_log_bytes\": %llu, \"db_bytes\": %llu, \"free_bytes\": %llu, "
            "\"postings\": %llu, \"runs\": %llu, "
            "\"index_bytes_per_document\": %.1f, \"readers\": %llu, \"passages\": %s, "
            "\"params\": {\"ngram\": %u, \"num_perm\": %u, \"bands\": %u, \"rows\": %u, \"seed\": %llu, "
            "\"spin\": %s, \"min_words\": %u, \"fingerprint_ngram\": %u, \"rewrites\": %s}, "
            "\"format\": %d}\n",
            (unsigned long long)s->documents, (unsigned long long)s->added, (unsigned long long)s->deleted,
            (unsigned long long)s->text_bytes, (unsigned long long)s->log_bytes,
            (unsigned long long)s->live_log_bytes, (unsigned long long)s->db_bytes,
            (unsigned long long)s->free_bytes, (unsigned long long)s->postings, (unsigned long long)s->runs,
            s->documents ? (double)(s->db_bytes - s->free_bytes) / (double)s->documents : 0.0,
            (unsigned long long)s->readers, s->passages ? "true" : "false", p->ngram, p->num_perm, p->bands,
            p->rows, (unsigned long long)p->seed, p->spin ? "true" : "false", p->min_words,
            p->fingerprint_ngram, p->rewrites ? "true" : "false", RP_INDEX_FORMAT);
}

int cli_write_indexed_doc(void *file, const rp_indexed_doc *d)
{
    FILE *f = file;
    fputs("{\"id\": ", f);
    rp_write_json_id(f, &d->id);
    fputs(", \"text\": ", f);
    rp_write_json_string(f, d->text, d->text_len);
    if (d->date) {
        fputs(", \"date\": ", f);
        if (d->date_is_number) fwrite(d->date, 1, d->date_len, f);
        else rp_write_json_string(f, d->date, d->date_len);
    }
    fprintf(f, ", \"added\": %llu}\n", (unsigned long long)d->added);
    return 0;
}
