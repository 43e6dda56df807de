/*
 * mpi.c — the reprint program as a rank of `mpirun -n N reprint dedup ...`
 * (built when CMake finds MPI): the library's rp_comm over MPI, and the
 * distributed dedup command around rp_engine_run_distributed.
 *
 * MPI is started only when a launcher started the process (mpirun sets
 * OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE): run by hand, the binary is
 * the single-process program and never touches MPI.
 *
 * The exchange moves every rank's bytes in rounds: each round sends at most
 * REPRINT_MPI_ROUND_BYTES (default 64 MiB) to all peers together, and at
 * most REPRINT_MPI_MAX_COUNT bytes (default and ceiling 2^31 - 1, MPI's int
 * counts) to any one, packed into staging buffers so that no count or
 * displacement passes an int. The two variables exist for the tests, which
 * force many rounds and tiny counts; REPRINT_MPI_GATHER_EDGES sets how many
 * similar pairs at most are clustered on rank 0 (rp_comm.gather_edges:
 * beyond it, by label propagation), to test that path on small corpora.
 */
#define _GNU_SOURCE /* fallocate */
#include "cli.h"
#include "view.h"

#include <mpi.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int g_size = 1, g_rank = 0, g_started = 0;

int cli_mpi_start(int *argc, char ***argv)
{
    if (!cli_launched()) return 1;
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (!n) n = getenv("PMI_SIZE");
    if (!n && getenv("PMIX_RANK")) n = "2"; /* the size is MPI's to tell */
    if (!n || atoi(n) < 2) return 1;
    /* A rank's exchanges allocate and free buffers of tens of megabytes in
     * turn: kept in the heap rather than given back to the system, the
     * next one reuses their pages instead of faulting fresh ones in, which
     * on a virtual machine cost as much as the exchange itself. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return 1;
    g_started = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    return g_size;
}

void cli_mpi_end(void)
{
    if (g_started) MPI_Finalize();
    g_started = 0;
}

int cli_mpi_rank(void)
{
    return g_rank;
}

/* ------------------------------------------------------------ rp_comm */

typedef struct {
    uint64_t round_bytes, max_count;
    uint64_t rounds;
} mpi_ctx;

static uint64_t env_bytes(const char *name, uint64_t dflt, uint64_t max)
{
    const char *s = getenv(name);
    char *end;
    unsigned long long v = s ? strtoull(s, &end, 10) : 0;
    if (!s || end == s || *end || v == 0) return dflt;
    return v < max ? v : max;
}

static int mpi_exchange(void *ctx, const void *send, const uint64_t *send_bytes, void **recv,
                        uint64_t *recv_bytes)
{
    mpi_ctx *m = ctx;
    int size = g_size;
    *recv = NULL;
    if (MPI_Alltoall(send_bytes, 1, MPI_UINT64_T, recv_bytes, 1, MPI_UINT64_T, MPI_COMM_WORLD) != MPI_SUCCESS)
        return -1;
    uint64_t total_in = 0, most = 0;
    for (int p = 0; p < size; p++) {
        total_in += recv_bytes[p];
        if (send_bytes[p] > most) most = send_bytes[p];
    }
    /* rounds: a peer's share of a round is a size-th of it, within MPI's counts */
    uint64_t chunk = m->round_bytes / (uint64_t)size;
    if (chunk < 1) chunk = 1;
    if (chunk > m->max_count) chunk = m->max_count;
    uint64_t rounds = (most + chunk - 1) / chunk;
    if (MPI_Allreduce(MPI_IN_PLACE, &rounds, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS)
        return -1;
    char *in = malloc(total_in ? total_in : 1);
    /* one round whose counts and displacements are ints: straight from the
     * caller's buffer into the answer, no staging (what nearly every
     * exchange is) */
    uint64_t total_out = 0;
    for (int p = 0; p < size; p++) total_out += send_bytes[p];
    int direct = rounds <= 1 && total_out <= INT_MAX && total_in <= INT_MAX && most <= m->max_count;
    int any_indirect = !direct;
    MPI_Allreduce(MPI_IN_PLACE, &any_indirect, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!any_indirect) {
        int *c4 = malloc((size_t)size * 4 * sizeof(int));
        int bad = !in || !c4;
        int any = bad;
        MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (!any) {
            int so = 0, ro = 0;
            for (int p = 0; p < size; p++) {
                c4[p] = (int)send_bytes[p], c4[size + p] = so, so += c4[p];
                c4[2 * size + p] = (int)recv_bytes[p], c4[3 * size + p] = ro, ro += c4[2 * size + p];
            }
            bad = MPI_Alltoallv(send, c4, c4 + size, MPI_BYTE, in, c4 + 2 * size, c4 + 3 * size, MPI_BYTE,
                                MPI_COMM_WORLD) != MPI_SUCCESS;
            m->rounds++;
        }
        free(c4);
        if (bad || any) {
            free(in);
            return -1;
        }
        *recv = in;
        return 0;
    }
    char *out_stage = malloc((size_t)(chunk * (uint64_t)size)), *in_stage = malloc((size_t)(chunk * (uint64_t)size));
    uint64_t *send_at = calloc((size_t)size, sizeof(uint64_t)), *recv_at = calloc((size_t)size, sizeof(uint64_t));
    uint64_t *done_out = calloc((size_t)size, sizeof(uint64_t)), *done_in = calloc((size_t)size, sizeof(uint64_t));
    int *sc = calloc((size_t)size, sizeof(int)), *sd = calloc((size_t)size, sizeof(int));
    int *rc = calloc((size_t)size, sizeof(int)), *rd = calloc((size_t)size, sizeof(int));
    int bad = !in || !out_stage || !in_stage || !send_at || !recv_at || !done_out || !done_in || !sc ||
              !sd || !rc || !rd;
    /* every rank learns whether any lacks memory before the rounds start */
    int any_bad = bad;
    MPI_Allreduce(MPI_IN_PLACE, &any_bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!any_bad) {
        for (int p = 1; p < size; p++) {
            send_at[p] = send_at[p - 1] + send_bytes[p - 1];
            recv_at[p] = recv_at[p - 1] + recv_bytes[p - 1];
        }
        for (uint64_t r = 0; r < rounds && !bad; r++) {
            int so = 0, ro = 0;
            for (int p = 0; p < size; p++) {
                uint64_t s = send_bytes[p] - done_out[p], g = recv_bytes[p] - done_in[p];
                sc[p] = (int)(s < chunk ? s : chunk);
                rc[p] = (int)(g < chunk ? g : chunk);
                sd[p] = so, rd[p] = ro;
                if (sc[p]) memcpy(out_stage + so, (const char *)send + send_at[p] + done_out[p], (size_t)sc[p]);
                so += sc[p], ro += rc[p];
            }
            if (MPI_Alltoallv(out_stage, sc, sd, MPI_BYTE, in_stage, rc, rd, MPI_BYTE, MPI_COMM_WORLD) !=
                MPI_SUCCESS)
                bad = 1;
            for (int p = 0; p < size && !bad; p++) {
                if (rc[p]) memcpy(in + recv_at[p] + done_in[p], in_stage + rd[p], (size_t)rc[p]);
                done_out[p] += (uint64_t)sc[p];
                done_in[p] += (uint64_t)rc[p];
            }
            m->rounds++;
        }
    }
    free(out_stage), free(in_stage), free(send_at), free(recv_at), free(done_out), free(done_in);
    free(sc), free(sd), free(rc), free(rd);
    if (bad || any_bad) {
        free(in);
        return -1;
    }
    *recv = in;
    return 0;
}

static int mpi_allreduce(void *ctx, uint64_t *v, size_t n, int op)
{
    (void)ctx;
    if (n > INT_MAX) return -1;
    return MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_UINT64_T, op == RP_COMM_MAX ? MPI_MAX : MPI_SUM,
                         MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

/* ------------------------------------------------------------- output */

#define CHUNK (4u << 20)
enum { TAG_OUT = 7 };

typedef struct {
    FILE *own;      /* rank 0's kept records */
} gather_out;

/* Rank 0's writer: its own kept records, then every other rank's, in rank
 * order, as they send them (a zero-length message ends a rank's). */
static rp_status write_gathered(void *ctx, FILE *out)
{
    gather_out *g = ctx;
    char *buf = malloc(CHUNK);
    if (!buf) return RP_ERR_NOMEM;
    rewind(g->own);
    size_t n;
    while ((n = fread(buf, 1, CHUNK, g->own)) > 0)
        if (fwrite(buf, 1, n, out) != n) goto fail;
    for (int r = 1; r < g_size; r++) {
        for (;;) {
            MPI_Status ms;
            int got;
            if (MPI_Recv(buf, CHUNK, MPI_BYTE, r, TAG_OUT, MPI_COMM_WORLD, &ms) != MPI_SUCCESS) goto fail;
            MPI_Get_count(&ms, MPI_BYTE, &got);
            if (got == 0) break;
            if (fwrite(buf, 1, (size_t)got, out) != (size_t)got) goto fail;
        }
    }
    free(buf);
    return RP_OK;
fail:
    free(buf);
    return RP_ERR_IO;
}

static int send_own(FILE *own)
{
    char *buf = malloc(CHUNK);
    if (!buf) return -1;
    rewind(own);
    size_t n;
    int bad = 0;
    while (!bad && (n = fread(buf, 1, CHUNK, own)) > 0)
        bad = MPI_Send(buf, (int)n, MPI_BYTE, 0, TAG_OUT, MPI_COMM_WORLD) != MPI_SUCCESS;
    bad |= ferror(own) || MPI_Send(buf, 0, MPI_BYTE, 0, TAG_OUT, MPI_COMM_WORLD) != MPI_SUCCESS;
    free(buf);
    return bad ? -1 : 0;
}

/* -o FILE on a filesystem every rank sees: rank 0 makes the output's
 * temporary file, each rank writes its kept records at its place (the
 * sizes of the ranks before it summed), rank 0 renames it when all are
 * written. No text goes through rank 0. Returns an exit code, the same on
 * every rank; -1 when the output is not such a file (a device, a pipe):
 * the caller gathers instead. */
static int write_in_place(const char *path, rp_engine *e)
{
    cli_out out;
    memset(&out, 0, sizeof(out));
    int mode = 0; /* 1 in place, 0 gather, 2 failed */
    if (g_rank == 0) mode = cli_out_open(&out, path) ? 2 : out.direct ? 0 : 1;
    if (g_rank == 0 && mode == 0) cli_out_abort(&out);
    MPI_Bcast(&mode, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (mode != 1) return mode == 2 ? EXIT_IO : -1;
    int len = g_rank == 0 ? (int)strlen(out.tmp_path) + 1 : 0;
    MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
    char *tmp = g_rank == 0 ? out.tmp_path : malloc((size_t)len);
    if (!tmp) MPI_Abort(MPI_COMM_WORLD, EXIT_IO);
    MPI_Bcast(tmp, len, MPI_CHAR, 0, MPI_COMM_WORLD);
    /* each part's size from the record index: the places are known before
     * any byte is written */
    uint64_t *size = calloc((size_t)g_size, sizeof(uint64_t)), at = 0;
    if (!size) MPI_Abort(MPI_COMM_WORLD, EXIT_IO);
    int bad = rp_engine_kept_bytes(e, &size[g_rank]) != RP_OK;
    MPI_Allreduce(MPI_IN_PLACE, size, g_size, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    for (int r = 0; r < g_rank; r++) at += size[r];
    /* the whole file's blocks taken at once, before the ranks write: on
     * ext4, ranks that each extend the file contend on its allocation
     * (3 GB on 2 ranks: writing 1.3-1.9 s, 1.1-1.5 s so). Not emulated
     * where the filesystem lacks it (posix_fallocate would write zeros
     * over the whole file): then the ranks allocate as they write. */
    if (g_rank == 0 && !bad) {
        uint64_t total = 0;
        for (int r = 0; r < g_size; r++) total += size[r];
        int fd = total ? open(tmp, O_WRONLY | O_CLOEXEC) : -1;
        if (fd >= 0) {
            (void)fallocate(fd, 0, 0, (off_t)total);
            close(fd);
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    /* written from the input by sendfile, at the part's place */
    FILE *f = bad ? NULL : fopen(tmp, "r+b");
    if (!f || fseeko(f, (off_t)at, SEEK_SET) != 0 || rp_engine_write_kept(e, f) != RP_OK ||
        fflush(f) != 0 || (uint64_t)ftello(f) != at + size[g_rank])
        bad = 1;
    if (f && fclose(f) != 0) bad = 1;
    if (bad) fprintf(stderr, "reprint: rank %d: cannot write its part of %s: %s\n", g_rank, path, strerror(errno));
    free(size);
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    int rc = bad ? EXIT_IO : EXIT_OK;
    if (g_rank == 0) {
        if (bad) cli_out_abort(&out);
        else if (cli_out_commit(&out)) rc = EXIT_IO;
    } else {
        free(tmp);
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return rc;
}

/* A temporary file in the run's temporary directory, unlinked at once. */
static FILE *temp_file(const rp_params *p)
{
    const char *dir = p->tmp_dir ? p->tmp_dir : getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[4096];
    snprintf(path, sizeof(path), "%s/reprint-rank-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f) close(fd);
    return f;
}

/* -------------------------------------------------------- the command */

/* Each rank's part of the output (in own, a temporary file; bad: it could
 * not be written), written by rank 0 in rank order: the output, whole or
 * not at all. An exit code, the same on every rank; a failed output stops
 * every rank. own is closed. */
static int gathered_file(cli_opts *o, rp_engine *e, FILE *own, int bad, const char *what, const char *its)
{
    bad = bad || !own || fflush(own) != 0 || ferror(own);
    int any_bad = bad;
    MPI_Allreduce(MPI_IN_PLACE, &any_bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any_bad) {
        if (bad) fprintf(stderr, "reprint: rank %d: cannot write %s: %s\n", g_rank, its,
                         own && rp_engine_error(e)[0] ? rp_engine_error(e) : strerror(errno));
        if (own) fclose(own);
        return EXIT_IO;
    }
    int rc = EXIT_OK;
    if (g_rank == 0) {
        gather_out g = {own};
        rc = cli_write_output(o->output, write_gathered, &g, what, NULL);
        /* a failed output stops ranks that still have a part to send */
        if (rc != EXIT_OK) MPI_Abort(MPI_COMM_WORLD, rc);
    } else if (send_own(own)) {
        fprintf(stderr, "reprint: rank %d: cannot send %s\n", g_rank, its);
        MPI_Abort(MPI_COMM_WORLD, EXIT_IO);
    }
    fclose(own);
    return rc;
}

static int gathered(cli_opts *o, rp_engine *e, rp_status (*part)(rp_engine *e, FILE *f), const char *what,
                    const char *its)
{
    FILE *own = temp_file(&o->params);
    return gathered_file(o, e, own, own && part(e, own) != RP_OK, what, its);
}

static rp_status write_kept(rp_engine *e, FILE *f)
{
    return rp_engine_write_kept(e, f);
}


static int write_cluster(void *user, const rp_cluster *c)
{
    return rp_write_cluster_jsonl(user, c) != 0;
}

static void on_reject(void *user, rp_status st, const char *msg)
{
    (void)user;
    fprintf(stderr, "reprint: %s (%s, skipped)\n", msg, rp_status_name(st));
}

/* A lever for the restart test: REPRINT_MPI_DIE_AFTER=S makes rank
 * REPRINT_MPI_DIE_RANK (default 1) die, as a lost node does, once stage S
 * (1 sign, 2 pairs) is checkpointed. */
static void on_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    (void)user, (void)total;
    const char *after = getenv("REPRINT_MPI_DIE_AFTER"), *who = getenv("REPRINT_MPI_DIE_RANK");
    if (after && strcmp(stage, "checkpoint") == 0 && (uint64_t)atoi(after) == done &&
        g_rank == (who ? atoi(who) : 1))
        _exit(9);
}

static void append_rank(FILE *f, int r, const rp_dist_stats *d)
{
    fprintf(f,
            "%s{\"rank\": %d, \"records\": %llu, \"first_record\": %llu, \"candidates\": %llu, "
            "\"ghosts\": %llu, \"edges\": %llu, \"cluster_rounds\": %llu, \"resumed_stage\": %d, "
            "\"exchanges\": %llu, \"bytes_sent\": %llu, "
            "\"bytes_received\": %llu, \"seconds\": {\"sign\": %.6f, \"exact\": %.6f, \"bands\": %.6f, "
            "\"candidates\": %.6f, \"verify\": %.6f, \"cluster\": %.6f}}",
            r ? ", " : "", r, (unsigned long long)d->records, (unsigned long long)d->first_record,
            (unsigned long long)d->candidates, (unsigned long long)d->ghosts, (unsigned long long)d->edges,
            (unsigned long long)d->cluster_rounds, d->resumed_stage,
            (unsigned long long)d->exchanges, (unsigned long long)d->bytes_sent,
            (unsigned long long)d->bytes_received, d->sign_seconds, d->exact_seconds, d->bands_seconds,
            d->candidates_seconds, d->verify_seconds, d->cluster_seconds);
}

static double total_seconds(const rp_dist_stats *d)
{
    return d->sign_seconds + d->exact_seconds + d->bands_seconds + d->candidates_seconds +
           d->verify_seconds + d->cluster_seconds;
}

/* Rank 0 says what each rank did, and where the time went. */
static int report(cli_opts *o, const char *command, const rp_stats *s, const rp_dist_stats *all,
                  double write_seconds, uint64_t mpi_rounds)
{
    char *extra = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&extra, &len);
    if (!f) return EXIT_IO;
    double most = 0, sum = 0, sign_most = 0, sign_sum = 0;
    uint64_t bytes = 0, rounds = 0;
    fprintf(f, "\"ranks\": [");
    for (int r = 0; r < g_size; r++) {
        append_rank(f, r, &all[r]);
        double t = total_seconds(&all[r]);
        if (t > most) most = t;
        if (all[r].sign_seconds > sign_most) sign_most = all[r].sign_seconds;
        sum += t, sign_sum += all[r].sign_seconds;
        bytes += all[r].bytes_sent;
        rounds = all[r].exchanges;
    }
    double imbalance = sum > 0 ? most / (sum / g_size) : 1;
    fprintf(f, "], \"bytes_exchanged\": %llu, \"rounds\": %llu, \"imbalance\": %.4f, "
               "\"write_seconds\": %.6f",
            (unsigned long long)bytes, (unsigned long long)mpi_rounds, imbalance, write_seconds);
    fclose(f);
    int rc = cli_summary_stats(o, command, s, extra);
    int align = strcmp(command, "align") == 0;
    if (!o->quiet && all[0].resumed_stage)
        fprintf(stderr, "reprint %s: resumed from the checkpoint in %s: %s read back\n", command, o->checkpoint,
                all[0].resumed_stage == 1 ? (align ? "the fingerprints" : "the signed records")
                                          : (align ? "the fingerprints and the candidate pairs"
                                                   : "the signed records and the similar pairs"));
    if (!o->quiet && align) {
        const rp_dist_stats *d = &all[0];
        fprintf(stderr,
                "reprint align: %d ranks: %.1f MB exchanged in %llu exchanges (%llu rounds); the slowest rank took "
                "%.2f s (%.2f the mean: fingerprints %.2f s at most, %.2f on average; rank 0: index sent %.2f, "
                "candidates %.2f, collect and align %.2f, %llu ghosts), writing %.2f s\n",
                g_size, (double)bytes / 1e6, (unsigned long long)rounds, (unsigned long long)mpi_rounds,
                most, imbalance, sign_most, sign_sum / g_size, d->bands_seconds, d->candidates_seconds,
                d->verify_seconds, (unsigned long long)d->ghosts, write_seconds);
    } else if (!o->quiet) {
        const rp_dist_stats *d = &all[0];
        fprintf(stderr,
                "reprint dedup: %d ranks: %.1f MB exchanged in %llu exchanges (%llu rounds); the slowest rank took "
                "%.2f s (%.2f the mean: sign %.2f s at most, %.2f on average; rank 0: exact %.2f, "
                "bands %.2f, candidates %.2f, verify %.2f, cluster %.2f), writing %.2f s\n",
                g_size, (double)bytes / 1e6, (unsigned long long)rounds, (unsigned long long)mpi_rounds,
                most, imbalance, sign_most,
                sign_sum / g_size, d->exact_seconds, d->bands_seconds, d->candidates_seconds,
                d->verify_seconds, d->cluster_seconds, write_seconds);
    }
    free(extra);
    return rc;
}

/* Every rank's work gathered and reported on rank 0 (when the run went
 * well so far: rc); the engine freed. Every rank returns rank 0's code. */
static int reported(cli_opts *o, const char *command, rp_engine *e, const rp_dist_stats *d,
                    double write_seconds, uint64_t mpi_rounds, int rc)
{
    rp_stats s;
    rp_engine_stats(e, &s);
    rp_dist_stats *all = g_rank == 0 ? calloc((size_t)g_size, sizeof(rp_dist_stats)) : NULL;
    MPI_Gather(d, (int)sizeof(*d), MPI_BYTE, all, (int)sizeof(*d), MPI_BYTE, 0, MPI_COMM_WORLD);
    if (g_rank == 0 && rc == EXIT_OK) rc = all ? report(o, command, &s, all, write_seconds, mpi_rounds) : EXIT_IO;
    free(all);
    rp_engine_free(e);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return rc;
}

/* The run as this rank, its failure said once (by the first failed rank).
 * Returns an exit code; *out is the engine on success. */
static int run_rank(cli_opts *o, const rp_comm *cm, rp_engine **out, void (*prepare)(rp_engine *, void *),
                    void *ctx)
{
    *out = NULL;
    o->progress = 0;
    rp_engine *e = rp_engine_create(&o->params);
    if (!e) MPI_Abort(MPI_COMM_WORLD, EXIT_IO);
    rp_engine_set_callbacks(e, on_reject, on_progress, NULL);
    if (prepare) prepare(e, ctx);
    for (size_t i = 0; i < o->n_inputs; i++) rp_engine_add_input(e, o->inputs[i]);
    rp_status st = rp_engine_run_distributed(e, cm);
    if (st != RP_OK) {
        const char *msg = rp_engine_error(e);
        if (msg[0]) {
            fprintf(stderr, "reprint: %s\n", msg);
            if (rp_status_is_bad_input(st))
                fprintf(stderr, "reprint: stopped at bad input; --skip-bad counts such documents "
                                "as rejected and goes on\n");
        }
        rp_engine_free(e);
        return cli_exit_code(st);
    }
    *out = e;
    return EXIT_OK;
}

/* This rank's transport, with what the environment sets of it. */
static rp_comm rank_comm(mpi_ctx *m, const cli_opts *o)
{
    *m = (mpi_ctx){env_bytes("REPRINT_MPI_ROUND_BYTES", 64u << 20, UINT64_MAX),
                   env_bytes("REPRINT_MPI_MAX_COUNT", INT_MAX, INT_MAX), 0};
    return (rp_comm){g_rank, g_size, m, mpi_exchange, mpi_allreduce,
                     env_bytes("REPRINT_MPI_GATHER_EDGES", 0, UINT64_MAX), o->checkpoint};
}

/* An output rank 0 writes alone (pairs, clusters): opened there, every rank
 * told whether it could be. 0, or -1. */
static int open_on_rank0(cli_out *out, const char *path)
{
    memset(out, 0, sizeof(*out));
    int ok = g_rank != 0 || cli_out_open(out, path) == 0;
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return ok ? 0 : -1;
}

typedef struct {
    FILE *f;
    uint64_t n;
} pair_out;

static int write_pair(void *user, const rp_pair *p)
{
    pair_out *po = user;
    po->n++;
    return rp_write_pair_jsonl(po->f, p) != 0;
}

/* The readable view is for one process yet: said once. */
/* The readable view of pairs (and, for dedup, of clusters, from every
 * pair's score) on rank 0, to stdout as one process writes it: the pairs
 * listed there by every rank together. *hp is rank 0's (freed by the
 * caller); RP_OK or the listing's failure, on every rank. */
static rp_status held_on_rank0(rp_engine *e, const rp_comm *cm, held_pairs *hp)
{
    memset(hp, 0, sizeof(*hp));
    return rp_engine_foreach_pair_distributed(e, cm, g_rank == 0 ? held_add : NULL, hp);
}

typedef struct {
    rp_engine *e;
    const rp_comm *cm;
} dist_lister;

static rp_status dist_clusters(void *ctx, int (*fn)(void *, const rp_cluster *), void *user)
{
    dist_lister *d = ctx;
    return rp_engine_foreach_cluster_distributed(d->e, d->cm, fn, user);
}

int cli_pairs_distributed(cli_opts *o)
{
    int rank = g_rank;
    int human = o->human > 0; /* under a launcher stdout is not taken for a terminal */
    o->human = 0;
    o->params.connect_only = 0; /* every pair scored: they are the output */
    mpi_ctx m;
    rp_comm cm = rank_comm(&m, o);
    rp_engine *e;
    int rc = run_rank(o, &cm, &e, NULL, NULL);
    if (rc != EXIT_OK) return rc;
    if (human) { /* the most alike first, as one process shows them */
        held_pairs hp;
        rp_status st = held_on_rank0(e, &cm, &hp);
        if (rank == 0) {
            if (st == RP_OK) {
                view_pairs(stdout, &hp, &o->params);
                o->listed = hp.n;
            }
            if (st != RP_OK || fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "reprint: cannot show the pairs: %s\n",
                        rp_engine_error(e)[0] ? rp_engine_error(e) : strerror(errno));
                rc = st != RP_OK ? cli_exit_code(st) : EXIT_IO;
            }
            rp_stats s;
            rp_engine_stats(e, &s);
            if (rc == EXIT_OK) rc = cli_summary_stats(o, "pairs", &s, NULL);
        }
        held_free(&hp);
        rp_engine_free(e);
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        return rc;
    }
    /* rank 0 lists them, in order, into the output (whole or not at all) */
    cli_out out;
    if (open_on_rank0(&out, o->output)) {
        rp_engine_free(e);
        return EXIT_IO;
    }
    pair_out po = {out.fp, 0};
    rp_status st = rp_engine_foreach_pair_distributed(e, &cm, rank == 0 ? write_pair : NULL, &po);
    if (rank == 0) {
        if (st != RP_OK || ferror(out.fp)) {
            if (rp_engine_error(e)[0]) fprintf(stderr, "reprint: %s\n", rp_engine_error(e));
            else fprintf(stderr, "reprint: %s: cannot write the pairs: %s\n", cli_out_name(&out), strerror(errno));
            cli_out_abort(&out);
            rc = st != RP_OK ? cli_exit_code(st) : EXIT_IO;
        } else if (cli_out_commit(&out)) {
            rc = EXIT_IO;
        }
        o->listed = po.n;
        rp_stats s;
        rp_engine_stats(e, &s);
        if (rc == EXIT_OK) rc = cli_summary_stats(o, "pairs", &s, NULL);
    }
    rp_engine_free(e);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return rc;
}

int cli_dedup_distributed(cli_opts *o)
{
    int rank = g_rank;
    int human = o->human > 0; /* under a launcher stdout is not taken for a terminal */
    o->human = 0;
    /* the readable view shows each removed document's score with the kept
     * one, so it scores every pair, as one process's does */
    o->params.connect_only = !human;
    mpi_ctx m;
    rp_comm cm = rank_comm(&m, o);
    rp_engine *e;
    int rc0 = run_rank(o, &cm, &e, NULL, NULL);
    if (rc0 != EXIT_OK) return rc0;
    rp_status st;
    if (human) { /* the clusters on rank 0, instead of the corpus */
        rp_dist_stats d;
        rp_engine_dist_stats(e, &d);
        held_pairs hp;
        st = held_on_rank0(e, &cm, &hp);
        dist_lister dl = {e, &cm};
        if (st == RP_OK && rank == 0) {
            rp_stats s;
            rp_engine_stats(e, &s);
            st = view_clusters_of(stdout, &hp, dist_clusters, &dl, s.clusters, &o->params);
        } else if (st == RP_OK) {
            st = rp_engine_foreach_cluster_distributed(e, &cm, NULL, NULL);
        }
        held_free(&hp);
        int rc = st == RP_OK ? EXIT_OK : cli_exit_code(st);
        if (rank == 0 && (st != RP_OK || fflush(stdout) != 0 || ferror(stdout))) {
            fprintf(stderr, "reprint: cannot show the clusters: %s\n",
                    rp_engine_error(e)[0] ? rp_engine_error(e) : strerror(errno));
            if (rc == EXIT_OK) rc = EXIT_IO;
        }
        MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        return reported(o, "dedup", e, &d, 0, m.rounds, rc);
    }
    /* the clusters, listed on rank 0, stay under a temporary name until the
     * corpus is written (as one process's do) */
    cli_out clusters;
    memset(&clusters, 0, sizeof(clusters));
    if (o->clusters) {
        if (open_on_rank0(&clusters, o->clusters)) {
            rp_engine_free(e);
            return EXIT_IO;
        }
        st = rp_engine_foreach_cluster_distributed(e, &cm, rank == 0 ? write_cluster : NULL,
                                                   rank == 0 ? clusters.fp : NULL);
        if (st != RP_OK || (rank == 0 && ferror(clusters.fp))) {
            if (rp_engine_error(e)[0]) fprintf(stderr, "reprint: %s\n", rp_engine_error(e));
            else if (rank == 0)
                fprintf(stderr, "reprint: %s: cannot write the clusters: %s\n", cli_out_name(&clusters),
                        strerror(errno));
            if (rank == 0) cli_out_abort(&clusters);
            rp_engine_free(e);
            return st != RP_OK ? cli_exit_code(st) : EXIT_IO;
        }
    }
    /* each rank's kept records, then rank 0 writes them all in rank order */
    rp_dist_stats d;
    rp_engine_dist_stats(e, &d);
    double t0 = MPI_Wtime();
    int rc = o->output && strcmp(o->output, "-") != 0 ? write_in_place(o->output, e) : -1;
    if (rc < 0) { /* stdout, a device or a pipe: gathered on rank 0 in rank order */
        rc = gathered(o, e, write_kept, "the output", "its kept records");
        if (rc != EXIT_OK) {
            rp_engine_free(e);
            return rc;
        }
    }
    if (rank == 0 && o->clusters && clusters.fp) {
        if (rc == EXIT_OK && cli_out_commit(&clusters)) rc = EXIT_IO;
        else if (rc != EXIT_OK) cli_out_abort(&clusters);
    }
    return reported(o, "dedup", e, &d, MPI_Wtime() - t0, m.rounds, rc);
}

/* align: each rank aligns the pairs whose first document is its own and
 * writes them; rank 0 writes every rank's in rank order, which is the
 * pairs' order. */
/* The readable view as parts: each rank shows its alignments as they are
 * made, rank 0's part under the title. */
static void stream_view(rp_engine *e, void *view)
{
    rp_engine_set_alignment_sink(e, view_alignment, view);
}

/* align --groups: each rank's alignments go to a grouper of its own,
 * saved to its file; rank 0 reads every rank's in rank order (pair order,
 * as one process adds them) into one grouper and writes its groups. */
typedef struct {
    rp_grouper *g;
    int human;
    uint64_t n;
} groups_out;

static rp_status write_groups(void *ctx, FILE *out)
{
    groups_out *w = ctx;
    return view_or_write_groups(out, w->g, w->human, 0, &w->n); /* as the other views of ranks */
}

static int align_groups_distributed(cli_opts *o, const rp_comm *cm, int human, mpi_ctx *m)
{
    cli_group_sink mine = {rp_grouper_create(), RP_OK};
    FILE *own = temp_file(&o->params);
    if (!mine.g || !own) {
        fprintf(stderr, "reprint: rank %d: %s\n", g_rank, !mine.g ? "out of memory" : "cannot create a temporary file");
        MPI_Abort(MPI_COMM_WORLD, EXIT_IO);
    }
    rp_engine *e;
    int rc = run_rank(o, cm, &e, cli_collect_groups, &mine);
    if (rc != EXIT_OK) {
        rp_grouper_free(mine.g);
        fclose(own);
        return rc;
    }
    int bad = mine.st != RP_OK;
    if (bad)
        fprintf(stderr, "reprint: rank %d: cannot group the alignments: %s\n", g_rank, rp_status_name(mine.st));
    else if ((bad = rp_grouper_save(mine.g, own) != RP_OK || fflush(own) != 0))
        fprintf(stderr, "reprint: rank %d: cannot write its groups: %s\n", g_rank, strerror(errno));
    rp_grouper_free(mine.g);
    double t0 = MPI_Wtime();
    /* every rank's part, gathered in rank order into rank 0's file */
    int any_bad = bad;
    MPI_Allreduce(MPI_IN_PLACE, &any_bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any_bad) {
        fclose(own);
        rp_engine_free(e);
        return EXIT_IO;
    }
    rp_dist_stats d;
    rp_engine_dist_stats(e, &d);
    if (g_rank == 0) {
        FILE *all = temp_file(&o->params);
        gather_out go = {own};
        groups_out w = {rp_grouper_create(), human, 0};
        rp_status st = !w.g ? RP_ERR_NOMEM : !all ? RP_ERR_IO : write_gathered(&go, all);
        if (st == RP_OK && (fflush(all) != 0 || fseek(all, 0, SEEK_SET) != 0)) st = RP_ERR_IO;
        if (st == RP_OK) st = rp_grouper_load(w.g, all);
        if (st != RP_OK) {
            fprintf(stderr, "reprint: cannot gather the ranks' groups: %s\n", rp_status_name(st));
            MPI_Abort(MPI_COMM_WORLD, EXIT_IO);
        }
        rc = cli_write_output(o->output, write_groups, &w, "the groups", NULL);
        if (rc != EXIT_OK) MPI_Abort(MPI_COMM_WORLD, rc);
        o->listed = w.n;
        rp_grouper_free(w.g);
        fclose(all);
    } else if (send_own(own)) {
        fprintf(stderr, "reprint: rank %d: cannot send its groups\n", g_rank);
        MPI_Abort(MPI_COMM_WORLD, EXIT_IO);
    }
    fclose(own);
    return reported(o, "align", e, &d, MPI_Wtime() - t0, m->rounds, rc);
}

int cli_align_distributed(cli_opts *o)
{
    int human = o->human > 0; /* under a launcher stdout is not taken for a terminal */
    o->params.keep_text = human;
    mpi_ctx m;
    rp_comm cm = rank_comm(&m, o);
    if (o->params.groups) return align_groups_distributed(o, &cm, human, &m);
    rp_engine *e;
    /* each rank's alignments go to its file as they are made */
    FILE *own = temp_file(&o->params);
    alignment_view *view = NULL;
    if (own && human) {
        if (g_rank == 0) fprintf(own, "Pairs of documents sharing passages of %u+ words:\n\n", o->params.min_words);
        view = view_alignments_part(own);
    }
    int rc = run_rank(o, &cm, &e, !own || (human && !view) ? NULL : human ? stream_view : cli_stream_alignments,
                      human ? (void *)view : (void *)own);
    uint64_t shown[1] = {view_alignments_part_end(view)};
    if (rc != EXIT_OK) {
        if (own) fclose(own);
        return rc;
    }
    /* no alignment on any rank: said once, after rank 0's title */
    MPI_Allreduce(MPI_IN_PLACE, shown, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (human && own && g_rank == 0 && shown[0] == 0) fprintf(own, "none\n");
    rp_dist_stats d;
    rp_engine_dist_stats(e, &d);
    double t0 = MPI_Wtime();
    rc = gathered_file(o, e, own, human && !view && own, "the alignments", "its alignments");
    if (rc != EXIT_OK) {
        rp_engine_free(e);
        return rc;
    }
    return reported(o, "align", e, &d, MPI_Wtime() - t0, m.rounds, rc);
}
