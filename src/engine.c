/*
 * engine.c — the public facade of the three tasks: parameters and their
 * defaults, inputs, callbacks, and dispatch to the task a run was made
 * for. The tasks are peers, each a sequence of passes of its own: dedup
 * (dedup.c), align (align_task.c) and stories (stories.c). The corpus (corpus.c)
 * owns the parameters; the engine owns the corpus, the statistics and the
 * message buffer every layer writes its error into.
 */
#include "internal.h"

#include <string.h>

struct rp_engine {
    rp_corpus corpus;           /* the inputs and the parameters */
    rp_dedup *dedup;            /* the task's state: one of three */
    rp_align_task *reuse;
    rp_stories *stories;
    int ran;
    int distributed;            /* ran as a rank of a distributed run */
    rp_dist_stats dist;
    uint32_t *dist_labels;      /* its records' clusters (their first records) */
    rp_edge *dist_edges;        /* the similar pairs it verified (global numbers) */
    size_t n_dist_edges;
    rp_stats stats;
    char err[RP_MSG_MAX];
};

void rp_params_init(rp_params *p)
{
    memset(p, 0, sizeof(*p));
    p->version = RP_PARAMS_VERSION;
    p->ngram = 5;
    p->num_perm = 128;
    p->threshold = 0.7;
    p->max_doc_bytes = (size_t)64 << 20;
    p->max_bucket = 256;
    p->format = RP_FORMAT_AUTO;
    p->id_field = "id";
    p->text_field = "text";
    p->task = RP_TASK_DEDUP;
    p->min_words = 10;
    p->max_gap = 8;
    p->max_insert = 40;
    p->min_identity = 0.6;
    p->fingerprint_ngram = 6;
    p->max_df = 100;
    p->story_threshold = 0.3;
    p->date_field = "date";
    p->boilerplate = RP_BOILERPLATE_HIDE;
    p->site_field = "site";
    p->url_field = "url";
    p->site_pages = 3;
    p->size_ratio = 1.0;
    p->max_partners = 1000;
}

rp_engine *rp_engine_create(const rp_params *params)
{
    rp_engine *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    rp_task task = params->task;
    if (rp__corpus_init(&e->corpus, params, e->err) ||
        (task == RP_TASK_DEDUP && !(e->dedup = rp__dedup_create(&e->corpus, &e->stats, e->err))) ||
        (task == RP_TASK_ALIGN && !(e->reuse = rp__align_task_create())) ||
        (task == RP_TASK_STORIES && !(e->stories = rp__stories_create()))) {
        rp_engine_free(e);
        return NULL;
    }
    return e;
}

void rp_engine_free(rp_engine *e)
{
    if (!e) return;
    rp__dedup_free(e->dedup);
    rp__align_task_free(e->reuse);
    rp__stories_free(e->stories);
    free(e->dist_labels);
    free(e->dist_edges);
    rp__corpus_free(&e->corpus);
    free(e);
}

void rp_engine_set_callbacks(rp_engine *e, rp_reject_fn on_reject, rp_progress_fn on_progress,
                             void *user)
{
    e->corpus.on_reject = on_reject;
    e->corpus.on_progress = on_progress;
    e->corpus.user = user;
}

void rp_engine_set_warnings(rp_engine *e, rp_warning_fn on_warning)
{
    e->corpus.on_warning = on_warning;
}

const char *rp_engine_error(const rp_engine *e)
{
    return e->err;
}

void rp_engine_stats(const rp_engine *e, rp_stats *stats)
{
    *stats = e->stats;
}

rp_status rp_engine_add_input(rp_engine *e, const char *path)
{
    if (e->ran) {
        rp__msg(e->err, "inputs must be added before the run");
        return RP_ERR_USAGE;
    }
    return rp__corpus_add(&e->corpus, path);
}

rp_status rp_engine_run(rp_engine *e)
{
    if (e->ran) {
        rp__msg(e->err, "the engine has already run");
        return RP_ERR_USAGE;
    }
    e->ran = 1;
    rp_status st = rp__params_check_version(&e->corpus.p, e->err);
    if (st != RP_OK) return st;
    /* stories' terms are spin keys, with the function words left out, and
     * rewritten sentences compare by them */
    rp_task task = e->corpus.p.task;
    int spin = e->corpus.p.spin || task == RP_TASK_STORIES ||
               (task == RP_TASK_ALIGN && e->corpus.p.rewrites);
    if (spin && (st = rp__corpus_spin(&e->corpus, e->err)) != RP_OK) return st;
    switch (task) {
    case RP_TASK_ALIGN: return rp__align_task_run(e->reuse, &e->corpus, &e->stats, e->err);
    case RP_TASK_STORIES: return rp__stories_run(e->stories, &e->corpus, &e->stats, e->err);
    default: return rp__dedup_run(e->dedup);
    }
}

rp_status rp_engine_run_distributed(rp_engine *e, const rp_comm *comm)
{
    if (e->ran) {
        rp__msg(e->err, "the engine has already run");
        return RP_ERR_USAGE;
    }
    e->ran = 1;
    e->distributed = 1;
    rp_status st = rp__params_check_version(&e->corpus.p, e->err);
    if (st != RP_OK) return st;
    rp_task task = e->corpus.p.task;
    if (task != RP_TASK_DEDUP && task != RP_TASK_ALIGN) {
        rp__msg(e->err, "a distributed run deduplicates or aligns (RP_TASK_DEDUP, RP_TASK_ALIGN)");
        return RP_ERR_USAGE;
    }
    int spin = e->corpus.p.spin || (task == RP_TASK_ALIGN && e->corpus.p.rewrites);
    if (spin && (st = rp__corpus_spin(&e->corpus, e->err)) != RP_OK) return st;
    if (task == RP_TASK_ALIGN) {
        st = rp__align_task_run_dist(e->reuse, &e->corpus, &e->stats, comm, &e->dist, e->err);
        if (st == RP_ERR_NOMEM && !e->err[0]) rp__msg(e->err, "out of memory");
        return st;
    }
    return rp__dedup_run_dist(e->dedup, &e->corpus, &e->stats, comm, &e->dist, &e->dist_labels,
                              &e->dist_edges, &e->n_dist_edges, e->err);
}

rp_status rp_engine_foreach_cluster_distributed(rp_engine *e, const rp_comm *comm,
                                                int (*fn)(void *user, const rp_cluster *cluster),
                                                void *user)
{
    if (!e->ran || !e->distributed || !e->dist_labels) {
        rp__msg(e->err, "the clusters of a distributed run are listed after it");
        return RP_ERR_USAGE;
    }
    return rp__dedup_dist_clusters(e->dedup, &e->corpus, comm, &e->dist, e->dist_labels, fn, user, e->err);
}

rp_status rp_engine_foreach_pair_distributed(rp_engine *e, const rp_comm *comm,
                                             int (*fn)(void *user, const rp_pair *pair), void *user)
{
    if (!e->ran || !e->distributed || !e->dist_labels) {
        rp__msg(e->err, "the pairs of a distributed run are listed after it");
        return RP_ERR_USAGE;
    }
    return rp__dedup_dist_pairs(&e->corpus, comm, &e->dist, e->dedup, e->dist_edges, e->n_dist_edges, fn,
                                user, e->err);
}

void rp_engine_dist_stats(const rp_engine *e, rp_dist_stats *out)
{
    *out = e->dist;
}

/* ------------------------------------------------------------ results */

rp_status rp_engine_foreach_pair(rp_engine *e, int (*fn)(void *, const rp_pair *), void *user)
{
    if (!e->ran || !e->dedup || e->distributed) return RP_ERR_USAGE;
    return rp__dedup_foreach_pair(e->dedup, fn, user);
}

rp_status rp_engine_foreach_cluster(rp_engine *e, int (*fn)(void *, const rp_cluster *), void *user)
{
    if (!e->ran || !e->dedup || e->distributed) return RP_ERR_USAGE;
    return rp__dedup_foreach_cluster(e->dedup, fn, user);
}

int rp_engine_is_kept(const rp_engine *e, uint64_t index)
{
    return e->dedup ? rp__dedup_is_kept(e->dedup, index) : 0;
}

rp_status rp_engine_write_kept(rp_engine *e, FILE *out)
{
    if (!e->ran || !e->dedup) return RP_ERR_USAGE;
    double t = rp__seconds();
    rp_status st = rp__dedup_write_kept(e->dedup, out);
    e->stats.write_seconds = rp__seconds() - t;
    return st;
}

rp_status rp_engine_kept_bytes(rp_engine *e, uint64_t *bytes)
{
    if (!e->ran || !e->dedup) return RP_ERR_USAGE;
    return rp__dedup_kept_bytes(e->dedup, bytes);
}

void rp_engine_set_alignment_sink(rp_engine *e, int (*fn)(void *user, const rp_alignment *al), void *user)
{
    if (e->reuse) rp__align_task_set_sink(e->reuse, fn, user);
}

rp_status rp_engine_foreach_alignment(rp_engine *e, int (*fn)(void *, const rp_alignment *),
                                      void *user)
{
    if (!e->ran || !e->reuse) return RP_ERR_USAGE;
    return rp__align_task_foreach(e->reuse, fn, user);
}

rp_status rp_engine_foreach_story(rp_engine *e, int (*fn)(void *, const rp_story *), void *user)
{
    if (!e->ran || !e->stories) return RP_ERR_USAGE;
    return rp__stories_foreach(e->stories, fn, user);
}

uint64_t rp_engine_story_of(const rp_engine *e, uint64_t index)
{
    if (!e->ran || !e->stories) return 0;
    return (uint64_t)rp__stories_story_of(e->stories, index);
}
