/*
 * internal.h — the umbrella of libreprint's internal headers, one a layer
 * (as sqliteInt.h gathers pager.h and btree.h): what a stage file includes.
 * Nothing here is public; cross-file functions carry the rp__ prefix.
 *
 *   common/common.h  stage-less helpers: messages, buffers, sorts, threads
 *   records.h        what the passes hand each other (rp_docno, rp_cand, ...)
 *   read.h           readers, as the passes use them (read_source.h, with
 *                    zlib and zstd, is the readers' own)
 *   kernels.h        the stages as pure functions
 *   corpus.h         the inputs and the passes over them
 *   tasks.h          dedup, align and stories
 */
#ifndef REPRINT_INTERNAL_H
#define REPRINT_INTERNAL_H

#include "common/common.h"
#include "records.h"
#include "read.h"
#include "kernels.h"
#include "corpus.h"
#include "tasks.h"

#endif /* REPRINT_INTERNAL_H */
