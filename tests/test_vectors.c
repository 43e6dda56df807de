/* test_vectors.c — known answers for the values reprint computes and that
 * outlive a run: word hashes, spin keys, shingles, MinHash signatures, band
 * keys, winnowed fingerprints, sentence ends. A stored index, or a value
 * another machine sends, means the same thing only while these do (as
 * xxHash's sanity vectors pin its hashes). A change that moves one of them
 * changes what every stored signature means: it must be deliberate, and
 * bump RP_VERSION and the pinned values together.
 *
 * Digests are XXH64 of the arrays as they lie in memory (little-endian, as
 * on every machine reprint is built for today).
 * REPRINT_VECTORS_PRINT=1 prints the current values instead of checking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <xxhash.h>

#include "internal.h"
#include "test_util.h"

static const char text[] =
    "Harbour officials said the new breakwater would protect the fishing fleet from winter "
    "storms. It cost less than expected, the council's treasurer told 2 reporters on Monday.\n\n"
    "\xE2\x80\x9CWe held the line,\xE2\x80\x9D she said. Caf\xC3\xA9 owners were pleased.";

static int printing(void)
{
    const char *v = getenv("REPRINT_VECTORS_PRINT");
    return v && *v == '1';
}

static uint64_t digest(const void *p, size_t n)
{
    return XXH64(p, n, 0);
}

static void check(const char *what, uint64_t got, uint64_t want)
{
    if (printing()) {
        print_message("    %-22s 0x%016llxULL\n", what, (unsigned long long)got);
        return;
    }
    if (got != want)
        fail_msg("%s: 0x%016llx, pinned 0x%016llx", what, (unsigned long long)got,
                 (unsigned long long)want);
}

/* A value's bytes changed on purpose, sealed again with a right checksum. */
static void reseal(uint8_t *buf, size_t n)
{
    uint64_t sum = XXH64(buf, n - 8, 0);
    for (int b = 0; b < 8; b++) buf[n - 8 + b] = (uint8_t)(sum >> (8 * b));
}

typedef struct {
    rp_signature **sigs;
    size_t n, pairs;
} pair_check;

static int check_pair(void *user, const rp_pair *pair)
{
    pair_check *pc = user;
    assert_true(pair->a_index < pc->n && pair->b_index < pc->n);
    assert_true(rp_signature_candidates(pc->sigs[pair->a_index], pc->sigs[pair->b_index]));
    pc->pairs++;
    return 0;
}

static void test_vectors(void **state)
{
    (void)state;
    rp_tokenizer *tok = rp_tokenizer_create();
    const uint64_t *h;
    const rp_span *sp;
    size_t n;
    assert_int_equal(rp_tokenize(tok, text, sizeof(text) - 1, &h, &sp, &n), RP_OK);
    assert_int_equal(n, 37);
    uint64_t *words = malloc(n * sizeof(uint64_t));
    memcpy(words, h, n * sizeof(uint64_t));
    check("word 0 (harbour)", words[0], 0x258b224c8ed8b893ULL);
    check("words", digest(words, n * sizeof(uint64_t)), 0xc141a096df027fd1ULL);
    check("spans", digest(sp, n * sizeof(rp_span)), 0xc1bf5ddb184b9002ULL);
    check("exact hash", rp__exact_hash(words, n, 0), 0x8b77f918e2209200ULL);
    uint32_t ends[64];
    size_t n_sent = rp__sentence_ends(text, sizeof(text) - 1, sp, n, ends);
    check("sentence ends", digest(ends, n_sent * sizeof(uint32_t)) ^ n_sent, 0x13e64f10e0a1d189ULL);

    uint64_t *sh = NULL;
    size_t cap = 0, n_sh = rp__shingles(words, n, 5, 0, &sh, &cap, 1);
    assert_true(n_sh != SIZE_MAX && n_sh > 0);
    check("shingles (5, seed 0)", digest(sh, n_sh * sizeof(uint64_t)), 0x573cdac465034efeULL);
    uint64_t sig[128], sig2[128];
    assert_int_equal(rp__sign(sh, n_sh, 128, 0, sig), 0);
    assert_int_equal(rp__sign_tokens(words, n, 5, 128, 0, sig2), 0);
    assert_memory_equal(sig, sig2, sizeof(sig));
    check("signature[0]", sig[0], 0xf4884444e800207bULL);
    check("signature (128)", digest(sig, sizeof(sig)), 0x582dc1c1b58ead7aULL);
    uint32_t bk[16];
    for (unsigned b = 0; b < 16; b++) bk[b] = rp__band_key(sig, b, 8, 0);
    check("band keys (16 x 8)", digest(bk, sizeof(bk)), 0x45ab448a15d350f1ULL);
    uint64_t *fp = NULL;
    size_t cap_fp = 0, n_fp = rp__winnow(words, n, 6, 5, 0, &fp, &cap_fp);
    assert_true(n_fp != SIZE_MAX && n_fp > 0);
    check("winnowed (6, 5)", digest(fp, n_fp * sizeof(uint64_t)), 0xd4f7d81c56e372c4ULL);

    /* spin keys: the forms and synonyms that must meet, and their values */
    rp_spinner *spin = rp_spinner_create();
    const uint64_t *keys;
    assert_int_equal(rp_tokenize(tok, text, sizeof(text) - 1, &h, &sp, &n), RP_OK);
    assert_int_equal(rp_spin(spin, tok, h, n, &keys), RP_OK);
    check("spin keys", digest(keys, n * sizeof(uint64_t)), 0x68382c44684ca61eULL);
    static const char *meet[][2] = {{"said", "say"}, {"held", "holds"}, {"two", "2"}};
    for (size_t k = 0; k < sizeof(meet) / sizeof(meet[0]); k++) {
        uint64_t x;
        assert_int_equal(rp_tokenize(tok, meet[k][0], strlen(meet[k][0]), &h, &sp, &n), RP_OK);
        assert_int_equal(rp_spin(spin, tok, h, n, &keys), RP_OK);
        x = keys[0];
        assert_int_equal(rp_tokenize(tok, meet[k][1], strlen(meet[k][1]), &h, &sp, &n), RP_OK);
        assert_int_equal(rp_spin(spin, tok, h, n, &keys), RP_OK);
        assert_true(x == keys[0]);
    }
    free(words), free(sh), free(fp);
    rp_spinner_free(spin);
    rp_tokenizer_free(tok);
}

/* The public signature: pinned, encoded and decoded to the same bytes,
 * refused when torn, and the engine's own: every pair dedup reports is a
 * candidate pair of the two documents' signatures. */
static void test_signature(void **state)
{
    (void)state;
    rp_params p;
    rp_params_init(&p);
    rp_signer *s = rp_signer_create(&p);
    rp_signature *sig, *again;
    assert_int_equal(rp_sign(s, text, sizeof(text) - 1, &sig), RP_OK);
    assert_int_equal(rp_signature_words(sig), 37);
    size_t n = rp_signature_encode(sig, NULL, 0);
    uint8_t *buf = malloc(n), *buf2 = malloc(n);
    assert_int_equal(rp_signature_encode(sig, buf, n), n);
    check("encoded signature", digest(buf, n) ^ n, 0x261c03b7f3ccacc7ULL);
    assert_non_null(again = rp_signature_decode(buf, n));
    assert_int_equal(rp_signature_encode(again, buf2, n), n);
    assert_memory_equal(buf, buf2, n);
    assert_true(rp_signature_similarity(sig, again) == 1.0);
    assert_true(rp_signature_candidates(sig, again) && rp_signature_same_words(sig, again));
    rp_signature_free(again);
    for (size_t k = 0; k < n; k += 7) { /* any byte changed, or the length */
        buf2[k] ^= 0x20;
        assert_null(rp_signature_decode(buf2, n));
        buf2[k] ^= 0x20;
    }
    assert_null(rp_signature_decode(buf, n - 1));
    /* well sealed but not a value rp_sign makes: one encoding per value */
    static const size_t strict[] = {28, 24}; /* the reserved field; spin past 1 */
    for (size_t k = 0; k < 2; k++) {
        memcpy(buf2, buf, n);
        buf2[strict[k]] = 2;
        reseal(buf2, n);
        assert_null(rp_signature_decode(buf2, n));
    }
    /* made with other parameters: not compared */
    rp_params q = p;
    q.seed = 1;
    rp_signer *s2 = rp_signer_create(&q);
    assert_int_equal(rp_sign(s2, text, sizeof(text) - 1, &again), RP_OK);
    assert_true(rp_signature_similarity(sig, again) == -1);
    assert_false(rp_signature_candidates(sig, again));
    rp_signature_free(again);
    rp_signer_free(s2);
    assert_int_equal(rp_sign(s, " ... ", 5, &again), RP_ERR_EMPTY);
    rp_signature_free(sig);
    free(buf), free(buf2);

    /* the engine's pairs are the signatures' candidates */
    const char *path = REPRINT_SOURCE_DIR "/examples/news.jsonl";
    rp_signature *sigs[64];
    size_t n_docs = 0;
    rp_reader *r = rp_reader_open(path, &p);
    rp_doc d;
    while (rp_reader_next(r, &d) == RP_OK && n_docs < 64)
        assert_int_equal(rp_sign(s, d.text, d.text_len, &sigs[n_docs++]), RP_OK);
    rp_reader_free(r);
    p.threshold = 0.3; /* low enough for several pairs */
    rp_signer_free(s);
    s = rp_signer_create(&p);
    for (size_t k = 0; k < n_docs; k++) rp_signature_free(sigs[k]);
    n_docs = 0;
    r = rp_reader_open(path, &p);
    while (rp_reader_next(r, &d) == RP_OK && n_docs < 64)
        assert_int_equal(rp_sign(s, d.text, d.text_len, &sigs[n_docs++]), RP_OK);
    rp_reader_free(r);
    rp_engine *e = run_engine(&p, path);
    pair_check pc = {sigs, n_docs, 0};
    assert_int_equal(rp_engine_foreach_pair(e, check_pair, &pc), RP_OK);
    assert_true(pc.pairs >= 3);
    rp_engine_free(e);
    for (size_t k = 0; k < n_docs; k++) rp_signature_free(sigs[k]);
    rp_signer_free(s);
}

typedef struct {
    rp_fingerprints **fps;
    size_t n, pairs;
} fp_check;

static int check_aligned(void *user, const rp_alignment *al)
{
    fp_check *fc = user;
    assert_true(al->a_index < fc->n && al->b_index < fc->n);
    assert_true(rp_fingerprints_candidates(fc->fps[al->a_index], fc->fps[al->b_index]));
    fc->pairs++;
    return 0;
}

/* Every pair a run aligns is a candidate pair of its documents' public
 * fingerprints (made with the run's parameters), rewrites or not. */
static void fingerprints_are_the_runs(rp_params p)
{
    const char *path = REPRINT_SOURCE_DIR "/examples/news.jsonl";
    p.task = RP_TASK_ALIGN;
    p.boilerplate = RP_BOILERPLATE_OFF;
    rp_signer *s = rp_signer_create(&p);
    rp_fingerprints *fps[64];
    size_t n_docs = 0;
    rp_reader *r = rp_reader_open(path, &p);
    rp_doc d;
    while (rp_reader_next(r, &d) == RP_OK && n_docs < 64)
        assert_int_equal(rp_fingerprint(s, d.text, d.text_len, &fps[n_docs++]), RP_OK);
    rp_reader_free(r);
    rp_engine *e = run_engine(&p, path);
    fp_check fc = {fps, n_docs, 0};
    assert_int_equal(rp_engine_foreach_alignment(e, check_aligned, &fc), RP_OK);
    assert_true(fc.pairs >= 5);
    rp_engine_free(e);
    for (size_t k = 0; k < n_docs; k++) rp_fingerprints_free(fps[k]);
    rp_signer_free(s);
}

/* Passage fingerprints: pinned, encoded and decoded to the same bytes,
 * refused when torn, shared where a passage is, and the run's own. */
static void test_fingerprints(void **state)
{
    (void)state;
    rp_params p;
    rp_params_init(&p);
    rp_signer *s = rp_signer_create(&p);
    rp_fingerprints *f, *again;
    assert_int_equal(rp_fingerprint(s, text, sizeof(text) - 1, &f), RP_OK);
    assert_int_equal(rp_fingerprints_words(f), 37);
    assert_true(rp_fingerprints_count(f) >= 37 / 5 && rp_fingerprints_count(f) <= 37);
    size_t n = rp_fingerprints_encode(f, NULL, 0);
    uint8_t *buf = malloc(n), *buf2 = malloc(n);
    assert_int_equal(rp_fingerprints_encode(f, buf, n), n);
    check("encoded fingerprints", digest(buf, n) ^ n, 0x5daf6f1317262e24ULL);
    assert_non_null(again = rp_fingerprints_decode(buf, n));
    assert_int_equal(rp_fingerprints_encode(again, buf2, n), n);
    assert_memory_equal(buf, buf2, n);
    assert_int_equal(rp_fingerprints_shared(f, again, NULL), (int64_t)rp_fingerprints_count(f));
    rp_fingerprints_free(again);
    for (size_t k = 0; k < n; k += 5) { /* any byte changed, or the length */
        buf2[k] ^= 0x10;
        assert_null(rp_fingerprints_decode(buf2, n));
        buf2[k] ^= 0x10;
    }
    assert_null(rp_fingerprints_decode(buf, n - 1));
    static const size_t strict[] = {20, 16}; /* the reserved field; rewrites without spin */
    for (size_t k = 0; k < 2; k++) {
        memcpy(buf2, buf, n);
        buf2[strict[k]] = 2;
        reseal(buf2, n);
        assert_null(rp_fingerprints_decode(buf2, n));
    }
    free(buf), free(buf2);
    /* a run of min_words words in common is a shared fingerprint; none, none */
    const char *a = "The harbour council voted on Tuesday to extend the breakwater by forty "
                    "metres before the storm season, its chair said.";
    const char *b = "Fishermen cheered as the harbour council voted on Tuesday to extend the "
                    "breakwater by forty metres, though some doubted it.";
    const char *c = "A new bakery opened on Main Street selling rye loaves and almond buns.";
    rp_fingerprints *fa, *fb, *fc;
    assert_int_equal(rp_fingerprint(s, a, strlen(a), &fa), RP_OK);
    assert_int_equal(rp_fingerprint(s, b, strlen(b), &fb), RP_OK);
    assert_int_equal(rp_fingerprint(s, c, strlen(c), &fc), RP_OK);
    assert_true(rp_fingerprints_shared(fa, fb, NULL) >= 1 && rp_fingerprints_candidates(fa, fb));
    assert_int_equal(rp_fingerprints_shared(fa, fc, NULL), 0);
    assert_false(rp_fingerprints_candidates(fa, fc));
    /* made with other parameters: not compared */
    rp_params q = p;
    q.seed = 9;
    rp_signer *s2 = rp_signer_create(&q);
    assert_int_equal(rp_fingerprint(s2, a, strlen(a), &again), RP_OK);
    assert_int_equal(rp_fingerprints_shared(fa, again, NULL), -1);
    assert_false(rp_fingerprints_candidates(fa, again));
    rp_fingerprints_free(again);
    rp_signer_free(s2);
    assert_int_equal(rp_fingerprint(s, " ... ", 5, &again), RP_ERR_EMPTY);
    rp_fingerprints_free(fa), rp_fingerprints_free(fb), rp_fingerprints_free(fc);
    rp_fingerprints_free(f);
    rp_signer_free(s);

    fingerprints_are_the_runs(p);
    p.rewrites = 1;
    fingerprints_are_the_runs(p);

    /* rewrites spin the fingerprints' words, not the same signer's later
     * signatures (spin off): the spinner it made does not switch them on */
    rp_signer *both = rp_signer_create(&p), *plain = rp_signer_create(&p);
    rp_signature *after, *fresh;
    assert_int_equal(rp_fingerprint(both, text, sizeof(text) - 1, &f), RP_OK);
    assert_int_equal(rp_sign(both, text, sizeof(text) - 1, &after), RP_OK);
    assert_int_equal(rp_sign(plain, text, sizeof(text) - 1, &fresh), RP_OK);
    size_t na = rp_signature_encode(after, NULL, 0), nf = rp_signature_encode(fresh, NULL, 0);
    uint8_t *ea = malloc(na), *ef = malloc(nf);
    rp_signature_encode(after, ea, na);
    rp_signature_encode(fresh, ef, nf);
    assert_int_equal(na, nf);
    assert_memory_equal(ea, ef, na);
    free(ea), free(ef);
    rp_signature_free(after), rp_signature_free(fresh);
    rp_fingerprints_free(f);
    rp_signer_free(both), rp_signer_free(plain);
}

static void test_version(void **state)
{
    (void)state;
    assert_int_equal(rp_version_number(), RP_VERSION_NUMBER);
    assert_string_equal(rp_version_string(), RP_VERSION_STRING);
    /* parameters from another header are refused, not misread */
    rp_params p;
    rp_params_init(&p);
    assert_int_equal(p.version, RP_PARAMS_VERSION);
    p.version = RP_PARAMS_VERSION + 1;
    rp_engine *e = rp_engine_create(&p);
    assert_non_null(e);
    assert_int_equal(rp_engine_run(e), RP_ERR_USAGE);
    assert_non_null(strstr(rp_engine_error(e), "rp_params_init"));
    rp_engine_free(e);
    rp_aligner *al = rp_aligner_create(&p);
    rp_alignment out;
    assert_int_equal(rp_align(al, "a b", 3, "a b", 3, &out), RP_ERR_USAGE);
    rp_aligner_free(al);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_fingerprints),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
