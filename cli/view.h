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
/* The same from pairs held and clusters listed by each (a distributed
 * run's, on rank 0), clusters of them in all. */
rp_status view_clusters_of(FILE *f, held_pairs *hp,
                           rp_status (*each)(void *ctx, int (*fn)(void *, const rp_cluster *), void *user),
                           void *ctx, uint64_t clusters, const rp_params *p);
/* pairs' pairs, held (collect.h), sorted in place. */
void view_pairs(FILE *f, held_pairs *hp, const rp_params *p);
/* align's pairs with their passages side by side (p->keep_text was set). */
rp_status view_alignments(FILE *f, rp_engine *e, const rp_params *p);
/* The same as they come (the index's answers): begun, each alignment
 * shown (a callback; its texts set), ended. */
typedef struct alignment_view alignment_view;
alignment_view *view_alignments_begin(FILE *f, const rp_params *p);
int view_alignment(void *av, const rp_alignment *al);
void view_alignments_end(alignment_view *av);
/* A part of the view (a rank's of a distributed run): no title, no "none";
 * ended, the number of alignments it showed. */
alignment_view *view_alignments_part(FILE *f);
size_t view_alignments_part_end(alignment_view *av);
/* align --groups: each reuse group, its members and an excerpt, in color
 * when color is 1 (-1: when f is a terminal and NO_COLOR is unset);
 * *listed gets the number of groups. */
rp_status view_groups(FILE *f, rp_grouper *g, int color, uint64_t *listed);
/* The same, or the groups' JSONL lines when not human. */
rp_status view_or_write_groups(FILE *f, rp_grouper *g, int human, int color, uint64_t *listed);
/* stories, with who copies whom from aligned (an align run of the same
 * inputs); *listed gets the number of stories. */
rp_status view_stories(FILE *f, rp_engine *stories, rp_engine *aligned, uint64_t *listed);

#endif
