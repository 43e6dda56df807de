/*
 * read.h — the readers' interface to the rest of the library: the parsing
 * half of a reader, the raw-record calls the passes use, the fast JSONL
 * scanner, and what a stream's first bytes say it is. The decompressing
 * stream itself (zlib, zstd) is read_source.h's, seen by the readers only.
 */
#ifndef REPRINT_READ_H
#define REPRINT_READ_H

#include "common/common.h"

/* -------------------------------------------------------- read_source.c */

typedef enum { RP_SRC_PLAIN, RP_SRC_GZIP, RP_SRC_ZSTD } rp_src_kind;

/* What the first bytes of a stream say it is (by magic number). */
rp_src_kind rp__source_kind(const void *head, size_t n);
/* The bytes of file path, decompressed (gzip, zstd) or as they are,
 * written to a new file to; a failure's message (naming display, the
 * input as the user knows it) goes to err, and to is removed. */
rp_status rp__source_decompress(const char *path, const char *display, const char *to, char *err);

/* --------------------------------------------------------------- read.c */

/* The parsing half of a reader, on its own so that worker threads can parse
 * records the reader thread has copied out: id and text of one record. Its
 * buffers (and doc's pointers into them) live until the next call. */
typedef struct {
    const char *id_field, *text_field; /* not owned */
    int qualify_ids;                   /* ids from lines as "file:line" */
    rp_buf id_buf, text_buf;
    void *json;                        /* jansson's tree, for the slow path */
    char err[RP_MSG_MAX];
} rp_parser;

void rp__parser_init(rp_parser *p, const char *id_field, const char *text_field, int qualify_ids);
void rp__parser_free(rp_parser *p);
/* rec: a JSONL line without its newline, or a whole text file (is_text);
 * doc->file and doc->line must be set; rel names a file inside a directory
 * input (NULL otherwise). Fills doc->id and doc->text; on bad input returns
 * its status with the message, naming file and line, in p->err. */
rp_status rp__parse(rp_parser *p, const char *rec, size_t len, int is_text, const char *rel,
                    rp_doc *doc);
/* The bytes of the record last returned by rp__reader_next_raw (valid until
 * the next call), and the arguments rp__parse needs for it. */
void rp__reader_record(const rp_reader *r, const char **rec, size_t *len, int *is_text,
                       const char **rel);

/* Opens an input under another name with a fixed format (used to re-read
 * spooled stdin), and makes missing-id documents use "file:line" ids. */
rp_reader *rp__reader_open_as(const char *path, const char *display, rp_format format,
                              const rp_params *params);
void rp__reader_qualify_ids(rp_reader *r, int on);
/* Tees the raw bytes of a stdin input into spool. */
void rp__reader_spool(rp_reader *r, FILE *spool);
/* Format detected for the input (after the first document). */
rp_format rp__reader_format(const rp_reader *r);
/* A compressed file input also writes its decompressed bytes to f, so that
 * later passes read them instead of decompressing again. Complete: some
 * were written, all of them, without a read or write error. */
void rp__reader_spool_decoded(rp_reader *r, FILE *f);
/* Waits until the decompressed bytes are all written to the spool; whether
 * they were (the spool then holds the whole input, decompressed). */
int rp__reader_decoded_finish(rp_reader *r);
/* Reads the next record without parsing it: only raw/file/line are set. */
rp_status rp__reader_next_raw(rp_reader *r, rp_doc *doc);
/* Parses the record last returned by rp__reader_next_raw. */
rp_status rp__reader_parse(rp_reader *r, rp_doc *doc);
/* 1 when the record last returned is a text file, not a JSONL line. */
int rp__reader_is_text(const rp_reader *r);
/* Where the record last returned starts in its file's decompressed bytes. */
uint64_t rp__reader_record_offset(const rp_reader *r);
/* 1 when the input is one JSONL file of plain bytes, so that a record's
 * offset is where it is in the file. */
int rp__reader_lines_at_offsets(const rp_reader *r);
/* What a directory walk skipped (links to a directory walked already,
 * broken links, unreadable entries, FIFOs, paths too long): n lines, each
 * "PATH: why", once the walk is done. */
const char *rp__reader_notes(const rp_reader *r, size_t *n);
/* The format a file's name implies (RP_FORMAT_TEXT when none does). */
rp_format rp__format_of_name(const char *name);
/* Bytes of a file not named as JSONL looked at to tell that it is. */
#define RP_SNIFF_BYTES (64u << 10)
/* Whether head (the first n bytes of a file, decompressed) starts with a
 * line that is a JSON object with a string text_field: JSONL, whatever the
 * file's name. A first line longer than n counts when it starts with '{'. */
int rp__looks_jsonl(const char *head, size_t n, const char *text_field);

/* ---------------------------------------------------------- read_jsonl.c */

enum { RP_JF_MISSING = 0, RP_JF_STRING, RP_JF_NUMBER, RP_JF_NULL, RP_JF_OTHER };

/* Where the id and text fields of one JSONL line are. String values point at
 * the bytes between the quotes (still escaped when *_escaped). */
typedef struct {
    const char *text;
    size_t text_len;
    int text_escaped, text_kind;
    const char *id;
    size_t id_len;
    int id_escaped, id_kind;
} rp_json_fields;

/* 0 when the line is a valid JSON object and its fields were found; -1 when
 * it is not, or may not be: the caller then asks jansson. */
int rp__json_scan(const char *s, size_t n, const char *id_field, const char *text_field,
                  rp_json_fields *f);
/* rp__json_scan for a line it declined that may hold a number jansson
 * cannot read (12345678901234567890, 1e400): valid JSON all the same, and
 * an id that must be written as it was read. */
int rp__json_scan_lenient(const char *s, size_t n, const char *id_field, const char *text_field,
                          rp_json_fields *f);
/* Unescapes the body of a string rp__json_scan accepted into out. */
int rp__json_unescape(const char *s, size_t n, rp_buf *out);

#endif /* REPRINT_READ_H */
