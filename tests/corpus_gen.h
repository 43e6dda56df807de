/*
 * corpus_gen.h — a made-up JSONL corpus for the tests of parts of a run
 * (test_passes.c, test_dist.c): near-duplicates, exact copies, id-less
 * records, blank lines and bad lines.
 */
#ifndef REPRINT_TEST_CORPUS_GEN_H
#define REPRINT_TEST_CORPUS_GEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *words[] = {"harbour", "council", "storm", "fleet",  "winter", "budget",
                              "mayor",   "bridge",  "river", "school", "market", "vote",
                              "road",    "rail",    "farm",  "museum", "court",  "police",
                              "fire",    "health",  "tax",   "park",   "festival", "ferry"};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

/* A corpus with near-duplicates, exact copies, id-less records, blank
 * lines and bad lines, written to path; its size. */
static size_t write_corpus(const char *path, size_t n_docs)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    char (*texts)[600] = calloc(n_docs, sizeof(*texts));
    for (size_t d = 0; d < n_docs; d++) {
        char *t = texts[d];
        if (d > 10 && rnd() % 4 == 0) { /* a copy of an earlier one, maybe edited */
            memcpy(t, texts[rnd() % d], sizeof(*texts));
            if (rnd() % 2) { /* a word or two overwritten somewhere */
                size_t len = strlen(t), at = (size_t)(rnd() % (len - 8));
                memcpy(t + at, rnd() % 2 ? "edited" : "change", 6);
            }
        } else {
            size_t len = 0, n = 40 + rnd() % 40;
            for (size_t w = 0; w < n; w++)
                len += (size_t)snprintf(t + len, sizeof(*texts) - len, "%s%s", w ? " " : "",
                                        words[rnd() % N_WORDS]);
        }
        if (rnd() % 50 == 0) fputs("\n", f);                 /* a blank line */
        if (rnd() % 80 == 0) fputs("{\"id\": 1, oops}\n", f); /* a bad line */
        if (d % 7 == 3) fprintf(f, "{\"text\": \"%s\"}\n", t); /* no id: named by its line */
        else fprintf(f, "{\"id\": \"d%zu\", \"text\": \"%s\"}\n", d, t);
    }
    free(texts);
    long size = ftell(f);
    fclose(f);
    return (size_t)size;
}

#endif
