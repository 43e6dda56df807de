/*
 * marks.h — word by word, how two aligned stretches of text differ
 * (marks.c), for the readable views and the report.
 */
#ifndef REPRINT_CLI_MARKS_H
#define REPRINT_CLI_MARKS_H

#include <stddef.h>
#include <stdint.h>

enum { MARK_SAME = 0, MARK_CHANGED = 1, MARK_SPUN = 2, MARK_REWRITTEN = 3 };

/* Marks each of the na words of one side (ma) and nb of the other (mb):
 * MARK_SAME for a word matched to an identical one in order (a longest
 * common subsequence of the hashes ha, hb), MARK_SPUN for one matched,
 * between two such, only by its spin key (ka, kb: NULL without spin),
 * MARK_CHANGED for the rest. With rewritten (a rewritten or summary
 * passage, whose sentences need not keep their order) a word is matched
 * when the other side has it anywhere, and the rest are MARK_REWRITTEN.
 * Returns 0, or -1 when out of memory. */
int marks_words(const uint64_t *ha, const uint64_t *ka, size_t na, const uint64_t *hb,
                const uint64_t *kb, size_t nb, int rewritten, uint8_t *ma, uint8_t *mb);

#endif
