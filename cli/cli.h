/*
 * cli.h — what the subcommands of the reprint program share: option
 * parsing for the engine's parameters, the progress bar, rejection reports,
 * the accounting summary, and output files written atomically.
 */
#ifndef REPRINT_CLI_H
#define REPRINT_CLI_H

#include "reprint.h"

#include <stdio.h>

/* Exit codes (documented in docs/FORMATS.md and reprint.1). */
enum { EXIT_OK = 0, EXIT_BAD_INPUT = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

typedef struct {
    rp_params params;
    const char **inputs;
    size_t n_inputs;
    const char *output;      /* -o FILE, NULL = stdout */
    const char *clusters;    /* --clusters FILE */
    const char *stats_file;  /* --stats FILE */
    int human;               /* 1 human view, 0 JSONL, -1 decide by isatty(stdout) */
    int quiet;
    int progress;            /* -1 auto */
    uint64_t listed;         /* results the command wrote (pairs) */
    const char *from;        /* report: --from ALIGN.jsonl */
    int texts;               /* report: --texts (the inputs are the texts) */
    size_t max_pairs;        /* report: --max-pairs */
    const char *title;       /* report: --title */
    const char *checkpoint;  /* dedup: --checkpoint DIR */
    /* index and serve */
    const char *db;          /* --db DIR */
    int answer;              /* query: 1 pairs, 2 align, 0 by the index */
    int pairs_only;          /* add: no passage fingerprints */
    size_t batch;            /* add: documents a commit */
    const char *ttl;         /* expire: --ttl AGE */
    int by_date;
    const char *listen;      /* serve: HOST:PORT */
    const char *token_file;
    size_t max_body;
    unsigned max_connections, max_inflight, timeout;
} cli_opts;

/* The commands, as options.c's table knows them: a command's bit says
 * which options it takes. */
enum { CLI_DEDUP = 1, CLI_PAIRS = 2, CLI_ALIGN = 4, CLI_STORIES = 8, CLI_REPORT = 16, CLI_INDEX = 32,
       CLI_SERVE = 64 };
typedef struct {
    const char *name;
    unsigned mask;
    const char *output;      /* what -o writes ("the corpus") */
    rp_measure measure;      /* its default measure */
    const char *summary;     /* one line, for reprint --help */
    const char *description; /* the paragraph atop its --help */
} cli_command;

extern const cli_command cli_commands[]; /* ends with a NULL name */
const cli_command *cli_command_named(const char *name);

/* Parses argv after the subcommand by options.c's table. Returns -1 when
 * it handled --help or --version (exit 0), EXIT_USAGE on error (message
 * printed), 0 otherwise. */
int cli_parse(int argc, char **argv, cli_opts *o, const cli_command *command);
/* A command's --help, and the manual page (troff) of them all. */
void cli_usage(FILE *f, const cli_command *command);
void cli_man(FILE *f);

/* Runs the engine over the inputs with progress and rejection reports.
 * Returns an exit code; *engine is set (caller frees) on success. */
int cli_run_engine(cli_opts *o, rp_engine **engine);
/* The same as a distributed run over comm (NULL: an ordinary run). */
int cli_run_engine_on(cli_opts *o, rp_engine **engine, const rp_comm *comm);
/* The same, prepare(engine, ctx) called before the run (a sink set). */
int cli_run_engine_with(cli_opts *o, rp_engine **engine, const rp_comm *comm, void (*prepare)(rp_engine *, void *),
                        void *ctx);
/* One process as the only rank of a distributed run: how --checkpoint
 * works without mpirun. */
rp_comm cli_self_comm(const char *checkpoint);
/* With --checkpoint: --human refused (EXIT_USAGE, said), else JSONL. */
int cli_checkpoint_without_human(cli_opts *o);
/* A prepare hook (cli_run_engine_with): the alignments written to file,
 * as JSONL, as the run makes them. */
void cli_stream_alignments(rp_engine *e, void *file);
/* align --groups: a run's alignments added to a grouper (st: the first
 * failure, which stops the run); cli_collect_groups(e, &sink) sets it. */
typedef struct {
    rp_grouper *g;
    rp_status st;
} cli_group_sink;
void cli_collect_groups(rp_engine *e, void *sink);

/* Whether a launcher (mpirun) started this process: its stdout and stderr
 * are then the launcher's forwarding, whatever isatty says; and whether
 * stdout is a person's terminal (for the readable views), never so under a
 * launcher, so that `mpirun -n 1` writes what `mpirun -n 4` does. */
int cli_launched(void);
int cli_stdout_is_terminal(void);

/* Exit code for a failed status. */
int cli_exit_code(rp_status st);
/* A failure after the run (listing, viewing) reported on stderr: the
 * engine's message when it has one, else the status; its exit code. */
int cli_failed(const rp_engine *e, rp_status st);

/* Prints the accounting summary to stderr and writes --stats if asked. */
int cli_summary(const cli_opts *o, const char *command, rp_engine *engine);
/* The same from counts (a distributed run's); extra, when not NULL, is more
 * members of the --stats object, as JSON text. */
int cli_summary_stats(const cli_opts *o, const char *command, const rp_stats *stats, const char *extra);

/* Output files are written to a temporary name and renamed when complete, so
 * a failed run never leaves a file that looks whole. */
typedef struct {
    FILE *fp;
    char *final_path;
    char *tmp_path;
    int direct;              /* a device or pipe, written in place */
    char *buf;               /* fp's buffer (freed once it is closed) */
} cli_out;

int cli_out_open(cli_out *out, const char *path); /* NULL or "-" = stdout */

/* Writes an output (NULL or "-" = stdout) through write(), then commits it;
 * when write() fails or the stream has an error, the partial file is removed
 * and the engine's message, or "reprint: PATH: cannot write WHAT: why", printed.
 * Returns an exit code. */
typedef rp_status (*cli_writer)(void *ctx, FILE *out);
/* cli_write_output without the commit: the output stays under its
 * temporary name until cli_out_commit (or cli_out_abort), so that a run's
 * outputs appear together, when all are whole. */
int cli_write_uncommitted(cli_out *out, const char *path, cli_writer write, void *ctx,
                          const char *what, const rp_engine *engine);
int cli_write_output(const char *path, cli_writer write, void *ctx, const char *what,
                     const rp_engine *engine);
int cli_out_commit(cli_out *out);                 /* 0 on success */
const char *cli_out_name(const cli_out *out);     /* its path, or "standard output" */
void cli_out_abort(cli_out *out);

int cli_dedup(int argc, char **argv);
int cli_pairs(int argc, char **argv);
int cli_align(int argc, char **argv);
int cli_stories(int argc, char **argv);
int cli_report_html(int argc, char **argv);
int cli_index(int argc, char **argv);
int cli_serve(int argc, char **argv);

/* Distributed runs (mpi.c, in a build with MPI): the ranks of the run this
 * process belongs to (1 unless a launcher such as mpirun started it; MPI
 * is started then), this one's number, MPI ended; and dedup and pairs as
 * one rank. */
extern int cli_ranks;
#ifdef REPRINT_MPI
int cli_mpi_start(int *argc, char ***argv);
void cli_mpi_end(void);
int cli_mpi_rank(void);
int cli_dedup_distributed(cli_opts *o);
int cli_pairs_distributed(cli_opts *o);
int cli_align_distributed(cli_opts *o);
#endif

#endif
