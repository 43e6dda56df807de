/*
 * common.c — what every subcommand shares: the run with its progress bar
 * and rejection reports, the summary, and output files written whole.
 *
 * stdout carries data only; everything for a person goes to stderr.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

int cli_stdout_is_terminal(void)
{
    return isatty(1) && !cli_launched();
}

int cli_failed(const rp_engine *e, rp_status st)
{
    if (e && *rp_engine_error(e)) /* the engine says what and where */
        fprintf(stderr, "reprint: %s\n", rp_engine_error(e));
    else
        fprintf(stderr, "reprint: %s\n", st == RP_ERR_NOMEM ? "out of memory" : rp_status_name(st));
    return cli_exit_code(st);
}

int cli_exit_code(rp_status st)
{
    switch (st) {
    case RP_OK:
    case RP_EOF:
        return EXIT_OK;
    case RP_ERR_USAGE:
        return EXIT_USAGE;
    case RP_ERR_IO:
    case RP_ERR_NOMEM:
        return EXIT_IO;
    default:
        return EXIT_BAD_INPUT;
    }
}

/* ------------------------------------------------------------- progress */

typedef struct {
    int show;
    double start, last;
    int drawn;
    char stage[32];        /* the stage shown, whose rate counts from its start */
    double stage_start;
} progress_state;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    progress_state *ps = user;
    if (!ps->show) return;
    double t = now();
    if (strncmp(ps->stage, stage, sizeof(ps->stage)) != 0) { /* a new stage: its own clock */
        snprintf(ps->stage, sizeof(ps->stage), "%s", stage);
        ps->stage_start = t;
        ps->last = 0;
    }
    if (t - ps->last < 0.1) return;
    ps->last = t;
    double mb = (double)done / 1e6, elapsed = t - ps->stage_start;
    double rate = elapsed > 0.05 ? mb / elapsed : 0; /* a stage just begun has none yet */
    if (strcmp(stage, "candidates") == 0) { /* no bytes to count: the stage is named */
        fprintf(stderr, "\r%-10s searching for pairs...%24s", stage, "");
    } else if (strcmp(stage, "aligning") == 0) { /* counts pairs, not bytes */
        fprintf(stderr, "\r%-10s %llu / %llu pairs ", stage, (unsigned long long)done,
                (unsigned long long)total);
    } else if (total > 0) {
        double frac = (double)done / (double)total;
        if (frac > 1) frac = 1;
        int width = 30, fill = (int)(frac * width);
        char bar[32];
        for (int k = 0; k < width; k++) bar[k] = k < fill ? '#' : '.';
        bar[width] = 0;
        fprintf(stderr, "\r%-9s [%s] %3.0f%%  %.0f MB  %.0f MB/s ", stage, bar, frac * 100, mb,
                rate);
    } else {
        fprintf(stderr, "\r%-9s %.0f MB  %.0f MB/s ", stage, mb, rate);
    }
    ps->drawn = 1;
}

static void progress_clear(progress_state *ps)
{
    if (ps->drawn) fprintf(stderr, "\r%72s\r", "");
    ps->drawn = 0;
}

static void on_reject(void *user, rp_status st, const char *msg)
{
    progress_state *ps = user;
    progress_clear(ps);
    fprintf(stderr, "reprint: %s (%s, skipped)\n", msg, rp_status_name(st));
}

static void on_warning(void *user, const char *msg)
{
    progress_state *ps = user;
    progress_clear(ps);
    fprintf(stderr, "reprint: %s\n", msg);
}

static progress_state g_progress;

int cli_run_engine(cli_opts *o, rp_engine **out)
{
    return cli_run_engine_on(o, out, NULL);
}

int cli_run_engine_on(cli_opts *o, rp_engine **out, const rp_comm *comm)
{
    return cli_run_engine_with(o, out, comm, NULL, NULL);
}

int cli_run_engine_with(cli_opts *o, rp_engine **out, const rp_comm *comm, void (*prepare)(rp_engine *, void *),
                        void *ctx)
{
    *out = NULL;
    rp_engine *e = rp_engine_create(&o->params);
    if (!e) {
        fprintf(stderr, "reprint: out of memory\n");
        return EXIT_IO;
    }
    g_progress.show = o->progress;
    g_progress.start = now();
    rp_engine_set_callbacks(e, on_reject, on_progress, &g_progress);
    if (!o->quiet) rp_engine_set_warnings(e, on_warning);
    for (size_t i = 0; i < o->n_inputs; i++) {
        if (rp_engine_add_input(e, o->inputs[i]) != RP_OK) {
            fprintf(stderr, "reprint: out of memory\n");
            rp_engine_free(e);
            return EXIT_IO;
        }
    }
    if (prepare) prepare(e, ctx);
    rp_status st = comm ? rp_engine_run_distributed(e, comm) : rp_engine_run(e);
    progress_clear(&g_progress);
    if (st != RP_OK) {
        fprintf(stderr, "reprint: %s\n", rp_engine_error(e));
        if (rp_status_is_bad_input(st) || st == RP_ERR_TRUNCATED)
            fprintf(stderr, "reprint: stopped at bad input; --skip-bad counts such documents "
                            "as rejected and goes on\n");
        rp_engine_free(e);
        return cli_exit_code(st);
    }
    *out = e;
    return EXIT_OK;
}

/* --------------------------------------------------------------- report */

/* "s" after a count other than one. */
static const char *pl(uint64_t n)
{
    return n == 1 ? "" : "s";
}

/* dedup: how many candidates were scored when the rest were joined already. */
static const char *joined_note(const rp_stats *s, char *buf, size_t cap)
{
    if (s->verified_pairs >= s->candidate_pairs) return "";
    snprintf(buf, cap, " (%llu scored, the rest already in one cluster)",
             (unsigned long long)s->verified_pairs);
    return buf;
}

int cli_summary(const cli_opts *o, const char *command, rp_engine *e)
{
    rp_stats s;
    rp_engine_stats(e, &s);
    return cli_summary_stats(o, command, &s, NULL);
}

/* Writes the --stats object, with extra (more members, as JSON text) before
 * its closing brace. */
static int write_stats(FILE *f, const char *command, const rp_stats *s, const rp_params *p,
                       const char *extra)
{
    if (!extra) return rp_write_stats_json(f, command, s, p);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    int bad = rp_write_stats_json(m, command, s, p);
    if (fclose(m) != 0 || bad) {
        free(buf);
        return -1;
    }
    while (len && buf[len - 1] == '\n') len--;
    if (len && buf[len - 1] == '}') len--; /* the object reopened */
    bad = fwrite(buf, 1, len, f) != len || fprintf(f, ", %s}\n", extra) < 0;
    free(buf);
    return bad ? -1 : 0;
}

int cli_summary_stats(const cli_opts *o, const char *command, const rp_stats *stats, const char *extra)
{
    rp_stats s = *stats;
    char note[96];
    progress_clear(&g_progress);
    if (!o->quiet) {
        /* the accounting first, the same for every command */
        if (strcmp(command, "dedup") == 0)
            fprintf(stderr, "reprint %s: read %llu document%s: kept %llu, removed %llu as duplicates "
                            "(%llu exact), rejected %llu",
                    command, (unsigned long long)s.read, pl(s.read), (unsigned long long)s.kept,
                    (unsigned long long)s.removed, (unsigned long long)s.removed_exact,
                    (unsigned long long)s.rejected);
        else
            fprintf(stderr, "reprint %s: read %llu document%s: compared %llu, rejected %llu", command,
                    (unsigned long long)s.read, pl(s.read), (unsigned long long)(s.kept + s.removed),
                    (unsigned long long)s.rejected);
        const char *sep = " (";
        for (int k = 0; k < RP_STATUS_COUNT; k++)
            if (s.rejected_by[k]) {
                fprintf(stderr, "%s%s: %llu", sep, rp_status_name((rp_status)k),
                        (unsigned long long)s.rejected_by[k]);
                sep = ", ";
            }
        fprintf(stderr, "%s", sep[0] == ',' ? ")" : "");
        if (s.skipped_entries)
            fprintf(stderr, "; %llu directory entr%s not read (above)",
                    (unsigned long long)s.skipped_entries, s.skipped_entries == 1 ? "y" : "ies");
        /* what the command found follows on the same line: one summary */
    }
    if (!o->quiet && (strcmp(command, "align") == 0 || strcmp(command, "report") == 0)) {
        fprintf(stderr,
                "; %llu pair%s share%s %llu passage%s of %u+ words (%llu candidate pairs; "
                "%llu fingerprints, %llu in more than %u documents; boilerplate: %llu "
                "fingerprints, %llu words in %llu stretches, %llu pairs sharing only it)\n",
                (unsigned long long)s.aligned_pairs, pl(s.aligned_pairs),
                s.aligned_pairs == 1 ? "s" : "", (unsigned long long)s.passages, pl(s.passages),
                o->params.min_words, (unsigned long long)s.candidate_pairs,
                (unsigned long long)s.fingerprints, (unsigned long long)s.common_fingerprints,
                o->params.max_df, (unsigned long long)s.boilerplate_fingerprints,
                (unsigned long long)s.boilerplate_words, (unsigned long long)s.boilerplate_spans,
                (unsigned long long)s.boilerplate_pairs);
        if (o->params.groups)
            fprintf(stderr, "reprint %s: %llu reuse group%s\n", command, (unsigned long long)o->listed,
                    pl(o->listed));
        if (s.cut_pairs) /* never a silent cap */
            fprintf(stderr,
                    "reprint %s: %llu candidate pair%s not aligned: past a document's %u later "
                    "partners (--max-partners; --groups lists every member of a widely reused passage)\n",
                    command, (unsigned long long)s.cut_pairs, pl(s.cut_pairs), o->params.max_partners);
    } else if (!o->quiet && strcmp(command, "pairs") == 0) {
        /* exact copies are verified once, against their first; the listing
         * gives each copy every pair of its first, so it can be longer */
        fprintf(stderr,
                "; %llu similar pair%s listed (%llu verified of %llu candidates, "
                "the rest copies of them; %u bands x %u rows, %s >= %.2f)\n",
                (unsigned long long)o->listed, pl(o->listed), (unsigned long long)s.similar_pairs,
                (unsigned long long)s.candidate_pairs, s.bands, s.rows,
                o->params.measure == RP_MEASURE_JACCARD ? "jaccard" : "containment",
                o->params.threshold);
    } else if (!o->quiet && strcmp(command, "stories") == 0) {
        fprintf(stderr,
                "; %llu stor%s of two or more documents (%llu similar pairs of "
                "%llu candidates, cosine >= %.2f)\n",
                (unsigned long long)s.clusters, s.clusters == 1 ? "y" : "ies",
                (unsigned long long)s.similar_pairs,
                (unsigned long long)s.candidate_pairs, o->params.story_threshold);
    } else if (!o->quiet) {
        fprintf(stderr,
                "; %llu cluster%s, %llu similar pairs of %llu candidates%s "
                "(%u bands x %u rows, %s >= %.2f)\n",
                (unsigned long long)s.clusters, pl(s.clusters),
                (unsigned long long)s.similar_pairs,
                (unsigned long long)s.candidate_pairs, joined_note(&s, note, sizeof(note)),
                s.bands, s.rows,
                o->params.measure == RP_MEASURE_JACCARD ? "jaccard" : "containment",
                o->params.threshold);
    }
    if (!o->stats_file) return EXIT_OK;
    cli_out out;
    if (cli_out_open(&out, o->stats_file)) return EXIT_IO;
    if (write_stats(out.fp, command, &s, &o->params, extra)) {
        cli_out_abort(&out);
        return EXIT_IO;
    }
    return cli_out_commit(&out) ? EXIT_IO : EXIT_OK;
}

/* ---------------------------------------------------------- output files */

/* Output is written record by record: stdio's default 4 KiB buffer would
 * make a system call of every other record (a fifth of a 1 GB dedup's time).
 * The buffer is given, not only its size: glibc's setvbuf ignores the size
 * of a buffer it is to allocate itself, and allocates 4 KiB. */
enum { OUT_BUFFER = 1 << 20 };

/* fp fully buffered by a buffer of its own (NULL when none could be had:
 * stdio's then). */
static char *out_buffer(FILE *fp)
{
    char *buf = malloc(OUT_BUFFER);
    if (buf && setvbuf(fp, buf, _IOFBF, OUT_BUFFER) != 0) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

/* The temporary names of outputs not yet committed, unlinked by the handler
 * of SIGINT, SIGTERM and SIGHUP so that an interrupted run leaves none (the
 * library's own spools and temporary files are unlinked at creation). */
#define MAX_PENDING 8
static char *volatile pending[MAX_PENDING];

static void on_signal(int sig)
{
    for (int k = 0; k < MAX_PENDING; k++)
        if (pending[k]) unlink(pending[k]); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void watch(char *tmp_path, int on)
{
    static int installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        installed = 1;
    }
    for (int k = 0; k < MAX_PENDING; k++)
        if (on ? !pending[k] : pending[k] == tmp_path) {
            pending[k] = on ? tmp_path : NULL;
            return;
        }
}

int cli_out_open(cli_out *out, const char *path)
{
    memset(out, 0, sizeof(*out));
    if (!path || strcmp(path, "-") == 0) {
        static int buffered;
        /* a terminal keeps its line buffering: output shows as it comes */
        if (!buffered && !isatty(STDOUT_FILENO)) {
            static char buf[OUT_BUFFER]; /* stdout's until exit */
            setvbuf(stdout, buf, _IOFBF, OUT_BUFFER);
        }
        buffered = 1;
        out->fp = stdout;
        return 0;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        /* a device or pipe (/dev/stdout, a fifo): nothing to rename */
        out->fp = fopen(path, "wb");
        if (!out->fp) {
            fprintf(stderr, "reprint: %s: cannot open: %s\n", path, strerror(errno));
            return -1;
        }
        out->direct = 1;
        out->buf = out_buffer(out->fp);
        out->final_path = strdup(path); /* its name, for a message (NULL: "output") */
        return 0;
    }
    size_t n = strlen(path);
    out->final_path = malloc(n + 1);
    out->tmp_path = malloc(n + 16);
    if (!out->final_path || !out->tmp_path) {
        cli_out_abort(out);
        return -1;
    }
    memcpy(out->final_path, path, n + 1);
    snprintf(out->tmp_path, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(out->tmp_path);
    /* mkstemp makes 0600; the output gets what any new file would (0666
     * less the umask), or a report would open only for its writer */
    mode_t mask = umask(0);
    umask(mask);
    if (fd >= 0) (void)fchmod(fd, 0666 & ~mask);
    if (fd < 0 || !(out->fp = fdopen(fd, "wb"))) {
        fprintf(stderr, "reprint: %s: cannot create: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        free(out->tmp_path);
        out->tmp_path = NULL;
        cli_out_abort(out);
        return -1;
    }
    out->buf = out_buffer(out->fp);
    watch(out->tmp_path, 1);
    return 0;
}

int cli_out_commit(cli_out *out)
{
    int bad = 0;
    if (out->fp == stdout) {
        bad = fflush(stdout) != 0 || ferror(stdout);
        if (bad) fprintf(stderr, "reprint: cannot write standard output: %s\n", strerror(errno));
        out->fp = NULL;
        return bad ? -1 : 0;
    }
    bad = ferror(out->fp) != 0;
    if (fclose(out->fp) != 0) bad = 1;
    out->fp = NULL;
    free(out->buf);
    out->buf = NULL;
    if (out->direct) {
        if (bad) fprintf(stderr, "reprint: %s: cannot write: %s\n", cli_out_name(out), strerror(errno));
        free(out->final_path);
        out->final_path = NULL;
        return bad ? -1 : 0;
    }
    if (!bad && rename(out->tmp_path, out->final_path) != 0) bad = 1;
    if (bad) {
        fprintf(stderr, "reprint: %s: cannot write: %s\n", out->final_path, strerror(errno));
        unlink(out->tmp_path);
    }
    watch(out->tmp_path, 0);
    free(out->tmp_path);
    free(out->final_path);
    out->tmp_path = out->final_path = NULL;
    return bad ? -1 : 0;
}

const char *cli_out_name(const cli_out *out)
{
    return out->fp == stdout ? "standard output" : out->final_path ? out->final_path : "output";
}

void cli_out_abort(cli_out *out)
{
    if (out->fp && out->fp != stdout) fclose(out->fp);
    free(out->buf);
    if (out->tmp_path) unlink(out->tmp_path);
    if (out->tmp_path) watch(out->tmp_path, 0);
    free(out->tmp_path);
    free(out->final_path);
    memset(out, 0, sizeof(*out));
}

int cli_write_uncommitted(cli_out *out, const char *path, cli_writer write, void *ctx,
                          const char *what, const rp_engine *engine)
{
    if (cli_out_open(out, path)) return EXIT_IO;
    rp_status st = write(ctx, out->fp);
    if (st == RP_OK && ferror(out->fp)) st = RP_ERR_IO;
    if (st != RP_OK) {
        if (engine && *rp_engine_error(engine) && ferror(out->fp)) /* the engine says why, not where to */
            fprintf(stderr, "reprint: %s: %s\n", cli_out_name(out), rp_engine_error(engine));
        else if (engine && *rp_engine_error(engine)) /* the engine says what and where */
            fprintf(stderr, "reprint: %s\n", rp_engine_error(engine));
        else
            fprintf(stderr, "reprint: %s: cannot write %s: %s\n", cli_out_name(out), what,
                    st == RP_ERR_IO ? strerror(errno) : rp_status_name(st));
        cli_out_abort(out);
        return cli_exit_code(st);
    }
    return EXIT_OK;
}

int cli_write_output(const char *path, cli_writer write, void *ctx, const char *what,
                     const rp_engine *engine)
{
    cli_out out;
    int rc = cli_write_uncommitted(&out, path, write, ctx, what, engine);
    if (rc != EXIT_OK) return rc;
    return cli_out_commit(&out) ? EXIT_IO : EXIT_OK;
}

/* One process as the only rank of a distributed run: how --checkpoint
 * works without mpirun. */
static int self_exchange(void *ctx, const void *send, const uint64_t *send_bytes, void **recv,
                         uint64_t *recv_bytes)
{
    (void)ctx;
    recv_bytes[0] = send_bytes[0];
    *recv = malloc(send_bytes[0] ? send_bytes[0] : 1);
    if (!*recv) return -1;
    if (send_bytes[0]) memcpy(*recv, send, send_bytes[0]);
    return 0;
}

static int self_allreduce(void *ctx, uint64_t *v, size_t n, int op)
{
    (void)ctx, (void)v, (void)n, (void)op;
    return 0;
}

rp_comm cli_self_comm(const char *checkpoint)
{
    return (rp_comm){0, 1, NULL, self_exchange, self_allreduce, 0, checkpoint};
}

/* --checkpoint runs as the only rank of a distributed run, whose readable
 * views are not made yet: refused with --human, and JSONL otherwise. */
int cli_checkpoint_without_human(cli_opts *o)
{
    if (!o->checkpoint) return EXIT_OK;
    if (o->human > 0) {
        fprintf(stderr, "reprint: --checkpoint does not go with --human yet\n");
        return EXIT_USAGE;
    }
    o->human = 0;
    return EXIT_OK;
}

static int write_alignment(void *file, const rp_alignment *al)
{
    return rp_write_alignment_jsonl(file, al) != 0;
}

void cli_stream_alignments(rp_engine *e, void *file)
{
    rp_engine_set_alignment_sink(e, write_alignment, file);
}

static int add_to_group(void *user, const rp_alignment *al)
{
    cli_group_sink *s = user;
    s->st = rp_grouper_add(s->g, al);
    return s->st != RP_OK;
}

void cli_collect_groups(rp_engine *e, void *sink)
{
    rp_engine_set_alignment_sink(e, add_to_group, sink);
}
