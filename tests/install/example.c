/* example.c — the README's library example, built against an installed
 * reprint by tests/install/test.sh: dedup of a small corpus. */
#include <reprint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    rp_params p;
    rp_params_init(&p);
    p.threshold = 0.8;
    rp_engine *e = rp_engine_create(&p);
    if (!e || rp_engine_add_input(e, argv[1]) != RP_OK) return 3;
    if (rp_engine_run(e) != RP_OK) {
        fprintf(stderr, "%s\n", rp_engine_error(e));
        return 1;
    }
    rp_stats s;
    rp_engine_stats(e, &s);
    printf("read %llu kept %llu\n", (unsigned long long)s.read, (unsigned long long)s.kept);
    rp_engine_free(e);
    return 0;
}
