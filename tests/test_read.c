/* test_read.c — readers and the engine on good and bad input: every bad
 * document is named (file and line) and accounted for, never lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "reprint.h"
#include "test_util.h"

static rp_params defaults(void)
{
    rp_params p;
    rp_params_init(&p);
    return p;
}

/* Runs the engine on one input; returns the status and fills stats / msg. */
static rp_status run(const char *path, rp_params p, rp_stats *st, char *msg, size_t cap)
{
    rp_engine *e = rp_engine_create(&p);
    assert_non_null(e);
    assert_int_equal(rp_engine_add_input(e, path), RP_OK);
    rp_status s = rp_engine_run(e);
    if (st) rp_engine_stats(e, st);
    if (msg) snprintf(msg, cap, "%s", rp_engine_error(e));
    rp_engine_free(e);
    return s;
}

static const char good_jsonl[] =
    "{\"id\": \"a\", \"text\": \"the quick brown fox jumps over the lazy dog by the river bank\"}\n"
    "{\"id\": 7, \"text\": \"an entirely different sentence about harbour storms and lighthouses\"}\n"
    "{\"text\": \"THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG BY THE RIVER BANK\"}\n";

static void test_reader_gives_ids_text_and_raw_lines(void **state)
{
    (void)state;
    const char *path = write_temp("good.jsonl", good_jsonl, sizeof(good_jsonl) - 1);
    rp_params p = defaults();
    rp_reader *r = rp_reader_open(path, &p);
    rp_doc d;
    assert_int_equal(rp_reader_next(r, &d), RP_OK);
    assert_int_equal(d.id.len, 1);
    assert_memory_equal(d.id.str, "a", 1);
    assert_int_equal(d.line, 1);
    assert_int_equal(d.raw_len, strchr(good_jsonl, '\n') - good_jsonl + 1);
    assert_int_equal(rp_reader_next(r, &d), RP_OK);
    assert_true(d.id.is_number);
    assert_memory_equal(d.id.str, "7", 1);
    assert_int_equal(rp_reader_next(r, &d), RP_OK);
    assert_true(d.id.is_number); /* no id: the line number */
    assert_memory_equal(d.id.str, "3", 1);
    assert_int_equal(rp_reader_next(r, &d), RP_EOF);
    rp_reader_free(r);
}

static void test_engine_finds_case_variant_as_exact_duplicate(void **state)
{
    (void)state;
    const char *path = write_temp("dup.jsonl", good_jsonl, sizeof(good_jsonl) - 1);
    rp_stats st;
    assert_int_equal(run(path, defaults(), &st, NULL, 0), RP_OK);
    assert_int_equal(st.read, 3);
    assert_int_equal(st.kept, 2);
    assert_int_equal(st.removed, 1);
    assert_int_equal(st.removed_exact, 1);
}

static void expect_bad(const char *name, const char *data, size_t len, rp_status want,
                       const char *where)
{
    const char *path = write_temp(name, data, len);
    char msg[1024];
    rp_stats st;
    /* without --skip-bad: the run stops, naming the place */
    assert_int_equal(run(path, defaults(), &st, msg, sizeof(msg)), want);
    if (!strstr(msg, where)) fail_msg("message '%s' does not name '%s'", msg, where);
    /* with it: counted, and every document accounted for */
    rp_params p = defaults();
    p.skip_bad = 1;
    assert_int_equal(run(path, p, &st, msg, sizeof(msg)), RP_OK);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.rejected_by[want], 1);
    assert_int_equal(st.read, st.kept + st.removed + st.rejected);
}

static void test_bad_malformed_json_line(void **state)
{
    (void)state;
    const char d[] = "{\"id\": 1, \"text\": \"fine words here\"}\n{\"id\": 2, \"text\": \"unterminated\n"
                     "{\"id\": 3, \"text\": \"more fine words\"}\n";
    expect_bad("malformed.jsonl", d, sizeof(d) - 1, RP_ERR_JSON, "malformed.jsonl:2: invalid JSON");
}

static void test_bad_line_without_text_field(void **state)
{
    (void)state;
    const char d[] = "{\"id\": 1, \"text\": \"fine words here\"}\n{\"id\": 2, \"body\": \"x\"}\n";
    expect_bad("notext.jsonl", d, sizeof(d) - 1, RP_ERR_NO_TEXT, "notext.jsonl:2: no field \"text\"");
}

static void test_bad_not_an_object(void **state)
{
    (void)state;
    const char d[] = "[1, 2]\n{\"id\": 2, \"text\": \"fine words\"}\n";
    expect_bad("array.jsonl", d, sizeof(d) - 1, RP_ERR_NOT_OBJECT, "array.jsonl:1");
}

/* An escaped NUL in a JSON string is text (public benchmarks have them):
 * the document is read, the NUL a separator between words, on both the
 * fast path and jansson's; a raw NUL in a text file is binary data. */
static void test_escaped_nul_is_text_raw_nul_is_binary(void **state)
{
    (void)state;
    const char d[] = "{\"id\": 1, \"text\": \"fine words\"}\n{\"id\": 2, \"text\": \"a\\u0000b\"}\n"
                     "{\"text\": \"x\\u0000y\", \"id\": 3, \"more\": [1, {\"a\": null}]}\n";
    const char *path = write_temp("nul.jsonl", d, sizeof(d) - 1);
    rp_stats st;
    assert_int_equal(run(path, defaults(), &st, NULL, 0), RP_OK);
    assert_int_equal(st.read, 3);
    assert_int_equal(st.kept, 3);
    rp_params p = defaults();
    p.format = RP_FORMAT_JSONL;
    rp_reader *r = rp_reader_open(path, &p);
    rp_doc doc;
    assert_int_equal(rp_reader_next(r, &doc), RP_OK);
    assert_int_equal(rp_reader_next(r, &doc), RP_OK);
    assert_int_equal(doc.text_len, 3);
    assert_memory_equal(doc.text, "a b", 3);
    assert_int_equal(rp_reader_next(r, &doc), RP_OK);
    assert_memory_equal(doc.text, "x y", 3);
    rp_reader_free(r);
    remove(path);
    const char t[] = "text with a\0NUL byte";
    expect_bad("nul.txt", t, sizeof(t) - 1, RP_ERR_NUL, "nul.txt: NUL byte at byte 11: binary data, not text");
}

static void test_bad_invalid_utf8(void **state)
{
    (void)state;
    const char t[] = "caf\xC3 is not valid";
    expect_bad("latin.txt", t, sizeof(t) - 1, RP_ERR_UTF8, "latin.txt: invalid UTF-8 at byte 3");
    /* inside JSON, jansson rejects the line itself */
    const char d[] = "{\"id\": 1, \"text\": \"ok words\"}\n{\"id\": 2, \"text\": \"caf\xC3 x\"}\n";
    expect_bad("latin.jsonl", d, sizeof(d) - 1, RP_ERR_JSON, "latin.jsonl:2");
}

static void test_bad_empty_document(void **state)
{
    (void)state;
    const char d[] = "{\"id\": 1, \"text\": \"ok words\"}\n{\"id\": 2, \"text\": \" -- \"}\n";
    expect_bad("empty.jsonl", d, sizeof(d) - 1, RP_ERR_EMPTY, "empty.jsonl:2: document has no words");
}

/* Regression (fuzz_reader, clang UBSan): the first read of any input and an
 * empty text file did pointer arithmetic on the still-NULL buffer. */
static void test_empty_inputs_before_any_buffer(void **state)
{
    (void)state;
    rp_params p;
    rp_params_init(&p);
    rp_doc d;
    const char *empty_jsonl = write_temp("empty-input.jsonl", "", 0);
    rp_reader *r = rp_reader_open(empty_jsonl, &p);
    assert_int_equal(rp_reader_next(r, &d), RP_EOF);
    rp_reader_free(r);
    const char *empty_text = write_temp("empty-input.txt", "", 0);
    r = rp_reader_open(empty_text, &p);
    assert_int_equal(rp_reader_next(r, &d), RP_OK);
    assert_int_equal(d.text_len, 0);
    assert_int_equal(rp_reader_next(r, &d), RP_EOF);
    rp_reader_free(r);
}

static void test_fifty_megabyte_document_is_read_or_rejected_by_limit(void **state)
{
    (void)state;
    size_t n = (size_t)50 << 20;
    char *big = malloc(n);
    assert_non_null(big);
    static const char words[] = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do ";
    for (size_t i = 0; i < n; i++) big[i] = words[(i * 7 + i / 61) % (sizeof(words) - 1)];
    const char *path = write_temp("big.txt", big, n);
    free(big);
    rp_stats st;
    assert_int_equal(run(path, defaults(), &st, NULL, 0), RP_OK);
    assert_int_equal(st.kept, 1);
    rp_params p = defaults();
    p.max_doc_bytes = 1 << 20;
    char msg[1024];
    assert_int_equal(run(path, p, &st, msg, sizeof(msg)), RP_ERR_TOO_LARGE);
    assert_non_null(strstr(msg, "big.txt: document of 52428800 bytes exceeds --max-doc-bytes"));
    remove(path);
}

/* A JSONL file of a text of n bytes on line 1, then a short record. */
static const char *long_line_file(const char *name, size_t n)
{
    char *d = malloc(n + 200);
    strcpy(d, "{\"id\": 1, \"text\": \"");
    size_t k = strlen(d);
    for (size_t i = 0; i < n; i++) d[k++] = i % 6 == 5 ? ' ' : 'a';
    k += (size_t)sprintf(d + k, "\"}\n{\"id\": 2, \"text\": \"short and fine\"}\n");
    const char *path = write_temp(name, d, k);
    free(d);
    return path;
}

static void test_long_jsonl_line_over_limit_is_skipped_without_losing_the_next(void **state)
{
    (void)state;
    const char *path = long_line_file("longline.jsonl", 300000);
    rp_params p = defaults();
    p.max_doc_bytes = 100000;
    p.skip_bad = 1;
    rp_stats st;
    assert_int_equal(run(path, p, &st, NULL, 0), RP_OK);
    assert_int_equal(st.read, 2);
    assert_int_equal(st.rejected_by[RP_ERR_TOO_LARGE], 1);
    assert_int_equal(st.kept, 1);
}

/* Without skip_bad the reader reports a too-long line at the limit, before
 * its end; a caller that asks for more still gets the next records, and
 * the line numbers stay right. */
static void test_long_line_reported_at_the_limit_then_passed_over(void **state)
{
    (void)state;
    /* longer than a read: its end is not in hand */
    const char *path = long_line_file("longline2.jsonl", 3000000);
    rp_params p = defaults();
    p.max_doc_bytes = 100000;
    p.format = RP_FORMAT_JSONL;
    rp_reader *r = rp_reader_open(path, &p);
    assert_non_null(r);
    rp_doc doc;
    assert_int_equal(rp_reader_next(r, &doc), RP_ERR_TOO_LARGE);
    assert_non_null(strstr(rp_reader_error(r), "longline2.jsonl:1: document of more than 100000 bytes"));
    assert_int_equal(rp_reader_next(r, &doc), RP_OK);
    assert_int_equal(doc.line, 2);
    assert_int_equal(doc.text_len, strlen("short and fine"));
    assert_int_equal(rp_reader_next(r, &doc), RP_EOF);
    rp_reader_free(r);
    remove(path);
}

static void test_missing_file_names_it(void **state)
{
    (void)state;
    char msg[1024];
    assert_int_equal(run("/nonexistent/corpus.jsonl", defaults(), NULL, msg, sizeof(msg)),
                     RP_ERR_IO);
    assert_non_null(strstr(msg, "/nonexistent/corpus.jsonl: cannot open"));
}

static size_t gzip_bytes(const char *src, size_t n, unsigned char *dst, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (unsigned char *)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t out = z.total_out;
    deflateEnd(&z);
    return out;
}

static void test_gzip_and_zstd_read_like_plain(void **state)
{
    (void)state;
    static unsigned char buf[4096], two[8192];
    rp_stats plain, st;
    const char *path = write_temp("c.jsonl", good_jsonl, sizeof(good_jsonl) - 1);
    assert_int_equal(run(path, defaults(), &plain, NULL, 0), RP_OK);

    size_t gz = gzip_bytes(good_jsonl, sizeof(good_jsonl) - 1, buf, sizeof(buf));
    path = write_temp("c.jsonl.gz", buf, gz);
    assert_int_equal(run(path, defaults(), &st, NULL, 0), RP_OK);
    assert_int_equal(st.read, plain.read);
    assert_int_equal(st.removed, plain.removed);

    /* two gzip members, as `cat a.gz b.gz` makes */
    memcpy(two, buf, gz);
    memcpy(two + gz, buf, gz);
    path = write_temp("two.jsonl.gz", two, 2 * gz);
    assert_int_equal(run(path, defaults(), &st, NULL, 0), RP_OK);
    assert_int_equal(st.read, 2 * plain.read);

    size_t zs = ZSTD_compress(buf, sizeof(buf), good_jsonl, sizeof(good_jsonl) - 1, 3);
    assert_false(ZSTD_isError(zs));
    path = write_temp("c.jsonl.zst", buf, zs);
    assert_int_equal(run(path, defaults(), &st, NULL, 0), RP_OK);
    assert_int_equal(st.read, plain.read);
}

static void test_truncated_gzip_and_zstd_are_errors(void **state)
{
    (void)state;
    static unsigned char buf[4096];
    char msg[1024];
    size_t gz = gzip_bytes(good_jsonl, sizeof(good_jsonl) - 1, buf, sizeof(buf));
    const char *path = write_temp("cut.jsonl.gz", buf, gz - 12);
    assert_int_equal(run(path, defaults(), NULL, msg, sizeof(msg)), RP_ERR_TRUNCATED);
    assert_non_null(strstr(msg, "cut.jsonl.gz: gzip data ends early"));
    rp_params p = defaults();
    p.skip_bad = 1;
    rp_stats st;
    assert_int_equal(run(path, p, &st, NULL, 0), RP_OK);
    assert_int_equal(st.rejected_by[RP_ERR_TRUNCATED], 1);
    assert_int_equal(st.read, st.kept + st.removed + st.rejected);

    size_t zs = ZSTD_compress(buf, sizeof(buf), good_jsonl, sizeof(good_jsonl) - 1, 3);
    path = write_temp("cut.jsonl.zst", buf, zs - 5);
    assert_int_equal(run(path, defaults(), NULL, msg, sizeof(msg)), RP_ERR_TRUNCATED);
    assert_non_null(strstr(msg, "cut.jsonl.zst: "));
}

static void test_directory_ids_are_relative_paths_in_order(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/corpus-dir", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    mkdir(dir, 0755);
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    mkdir(sub, 0755);
    const char *names[] = {"corpus-dir/b.txt", "corpus-dir/a.txt", "corpus-dir/sub/c.txt",
                           "corpus-dir/.hidden"};
    for (int i = 0; i < 4; i++) write_temp(names[i], "some words in a file", 20);
    rp_params p = defaults();
    rp_reader *r = rp_reader_open(dir, &p);
    rp_doc d;
    const char *want[] = {"a.txt", "b.txt", "sub/c.txt"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rp_reader_next(r, &d), RP_OK);
        assert_int_equal(d.id.len, strlen(want[i]));
        assert_memory_equal(d.id.str, want[i], d.id.len);
    }
    assert_int_equal(rp_reader_next(r, &d), RP_EOF);
    rp_reader_free(r);
}

static void test_json_string_output_is_valid_for_any_bytes(void **state)
{
    (void)state;
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    rp_write_json_string(f, "a\"b\\c\n\x01\xFF\xC3\xA9", 10);
    fclose(f);
    assert_string_equal(mem, "\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD\xC3\xA9\"");
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_gives_ids_text_and_raw_lines),
        cmocka_unit_test(test_engine_finds_case_variant_as_exact_duplicate),
        cmocka_unit_test(test_bad_malformed_json_line),
        cmocka_unit_test(test_bad_line_without_text_field),
        cmocka_unit_test(test_bad_not_an_object),
        cmocka_unit_test(test_escaped_nul_is_text_raw_nul_is_binary),
        cmocka_unit_test(test_bad_invalid_utf8),
        cmocka_unit_test(test_bad_empty_document),
        cmocka_unit_test(test_empty_inputs_before_any_buffer),
        cmocka_unit_test(test_fifty_megabyte_document_is_read_or_rejected_by_limit),
        cmocka_unit_test(test_long_jsonl_line_over_limit_is_skipped_without_losing_the_next),
        cmocka_unit_test(test_long_line_reported_at_the_limit_then_passed_over),
        cmocka_unit_test(test_missing_file_names_it),
        cmocka_unit_test(test_gzip_and_zstd_read_like_plain),
        cmocka_unit_test(test_truncated_gzip_and_zstd_are_errors),
        cmocka_unit_test(test_directory_ids_are_relative_paths_in_order),
        cmocka_unit_test(test_json_string_output_is_valid_for_any_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
