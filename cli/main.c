/*
 * main.c — the reprint program: dispatches to a subcommand.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: reprint COMMAND [OPTIONS] INPUT...\n\n"
               "Finds duplicated and reused text in a corpus.\n\ncommands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-7s %s\n", c->name, c->summary);
    fprintf(f, "\n"
               "INPUT is a JSONL file ({\"id\":..., \"text\":...} per line), a text file\n"
               "(one document), a directory of such files, or - for stdin; .gz and .zst\n"
               "are read transparently. 'reprint help COMMAND' or 'reprint COMMAND --help'\n"
               "for the options, 'reprint help --man' for the manual page.\n");
}

static int run(int argc, char **argv);

/* Every output path reports a write error, the readable views on stdout
 * too: a full disk is exit 3, not a silent 0. */
int cli_ranks = 1;

int main(int argc, char **argv)
{
#ifdef REPRINT_MPI
    cli_ranks = cli_mpi_start(&argc, &argv);
    if (cli_ranks > 1 && (argc < 2 || (strcmp(argv[1], "dedup") != 0 && strcmp(argv[1], "pairs") != 0 &&
                                            strcmp(argv[1], "align") != 0))) {
        /* the other commands run in one process: say so once */
        if (cli_mpi_rank() == 0)
            fprintf(stderr, "reprint: only dedup, pairs and align run distributed (mpirun); run %s as one "
                            "process\n",
                    argc < 2 ? "the others" : argv[1]);
        cli_mpi_end();
        return EXIT_USAGE;
    }
#endif
    int rc = run(argc, argv);
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == EXIT_OK) { /* not said yet */
        fprintf(stderr, "reprint: cannot write to standard output: %s\n", strerror(errno));
        rc = EXIT_IO;
    }
#ifdef REPRINT_MPI
    cli_mpi_end();
#endif
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "dedup") == 0) return cli_dedup(argc - 1, argv + 1);
    if (strcmp(cmd, "pairs") == 0) return cli_pairs(argc - 1, argv + 1);
    if (strcmp(cmd, "align") == 0) return cli_align(argc - 1, argv + 1);
    if (strcmp(cmd, "stories") == 0) return cli_stories(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return cli_report_html(argc - 1, argv + 1);
    if (strcmp(cmd, "index") == 0) return cli_index(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) return cli_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0 && argc >= 3) { /* reprint help COMMAND | --man */
        const cli_command *c = cli_command_named(argv[2]);
        if (c) {
            cli_usage(stdout, c);
            return EXIT_OK;
        }
        if (strcmp(argv[2], "--man") == 0) {
            cli_man(stdout);
            return EXIT_OK;
        }
        fprintf(stderr, "reprint: unknown command '%s'\n", argv[2]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("reprint %s\n", RP_VERSION_STRING);
        return EXIT_OK;
    }
    fprintf(stderr, "reprint: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
