/*
 * view.h — the readable views of the reprint program (view_text.c): what
 * a person sees of each command's results on a terminal.
 */
#ifndef REPRINT_VIEW_H
#define REPRINT_VIEW_H

#include "cli.h"
#include "collect.h"

/* dedup's clusters (with the pairs that made them). */
rp_status view_clusters(FILE *f, rp_engine *e, const rp_params *p);
/* pairs' pairs, held (collect.h), sorted in place. */
void view_pairs(FILE *f, held_pairs *hp, const rp_params *p);
/* align's pairs with their passages side by side (p->keep_text was set). */
rp_status view_alignments(FILE *f, rp_engine *e, const rp_params *p);
/* stories, with who copies whom from aligned (an align run of the same
 * inputs); *listed gets the number of stories. */
rp_status view_stories(FILE *f, rp_engine *stories, rp_engine *aligned, uint64_t *listed);

#endif
