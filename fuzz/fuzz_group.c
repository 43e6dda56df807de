/* fuzz_group.c — the grouper (align --groups). The input is read twice:
 * as alignments (7 bytes a passage: the two documents, where each side
 * starts and how long it is, the source), added to a grouper whose groups
 * are checked, saved and read back into another that must list the same
 * groups; and as bytes handed to rp_grouper_load, which a rank reads from
 * another's file and must refuse, not trust. */
#include "fuzz.h"
#include "reprint.h"

#include <string.h>

typedef struct {
    size_t groups, members;
    uint64_t digest;   /* of every member's document and stretch, in order */
} seen;

static int check_group(void *user, const rp_group *g)
{
    seen *s = user;
    CHECK(g->number == s->groups, "groups out of order");
    CHECK(g->n_members >= 2 && g->n_documents >= 2 && g->n_documents <= g->n_members, "group of %zu members, %zu documents",
          g->n_members, g->n_documents);
    CHECK(g->earliest == SIZE_MAX || g->earliest < g->n_members, "earliest past the members");
    CHECK((g->earliest == SIZE_MAX) == (g->earliest_evidence == NULL), "earliest without evidence");
    for (size_t k = 0; k < g->n_members; k++) {
        const rp_group_member *m = &g->members[k];
        CHECK(m->start < m->end && m->words > 0, "empty member");
        if (k) {
            const rp_group_member *p = &g->members[k - 1];
            CHECK(p->index < m->index || (p->index == m->index && p->word + p->words <= m->word),
                  "members out of order or overlapping");
        }
        s->digest = (s->digest ^ (m->index * 1000003 + m->start * 31 + m->end)) * 0x100000001B3ull;
    }
    s->groups++;
    s->members += g->n_members;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    static const char *ids[16] = {"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7",
                                  "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15"};
    static const char *dates[4] = {NULL, "2024-01-01", "2024-01-02", "17"};
    rp_grouper *g = rp_grouper_create();
    CHECK(g != NULL, "no grouper");
    for (size_t at = 0; at + 7 <= size; at += 7) {
        const uint8_t *x = data + at;
        unsigned a = x[0] & 15, b = x[0] >> 4;
        if (a == b) continue;
        if (a > b) {
            unsigned t = a;
            a = b, b = t;
        }
        rp_passage p = {0};
        p.a_word = x[1], p.a_words = x[2] & 63, p.b_word = x[3], p.b_words = x[4] & 63;
        p.a_start = p.a_word * 6, p.a_end = (p.a_word + p.a_words) * 6;
        p.b_start = p.b_word * 6, p.b_end = (p.b_word + p.b_words) * 6;
        rp_alignment al = {0};
        al.a = (rp_id){ids[a], strlen(ids[a]), 0};
        al.b = (rp_id){ids[b], strlen(ids[b]), 0};
        al.a_index = a, al.b_index = b;
        al.passages = &p, al.n_passages = 1;
        al.source = (rp_source_side)(x[5] % 3);
        /* a document's date is taken at its first sight: one a document */
        al.date_a = dates[(a + x[6]) & 3], al.date_b = dates[(b + x[6]) & 3];
        CHECK(rp_grouper_add(g, &al) == RP_OK, "an alignment refused");
    }
    seen one = {0}, two = {0};
    CHECK(rp_grouper_foreach(g, check_group, &one) == RP_OK, "listing failed");
    /* saved and read back: the same groups */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f && rp_grouper_save(g, f) == RP_OK && fclose(f) == 0, "cannot save");
    f = fmemopen(buf, len ? len : 1, "rb");
    rp_grouper *back = rp_grouper_create();
    CHECK(f && back && (len == 0 || rp_grouper_load(back, f) == RP_OK), "cannot read back what was saved");
    fclose(f);
    CHECK(rp_grouper_foreach(back, check_group, &two) == RP_OK, "listing failed");
    CHECK(one.groups == two.groups && one.members == two.members && one.digest == two.digest,
          "read back, the groups differ");
    free(buf);
    rp_grouper_free(back);
    rp_grouper_free(g);
    /* the raw bytes as a saved grouper: refused or listed, never trusted */
    if (size) {
        f = fmemopen((void *)data, size, "rb");
        g = rp_grouper_create();
        if (f && g && rp_grouper_load(g, f) == RP_OK) {
            seen any = {0};
            rp_grouper_foreach(g, check_group, &any);
        }
        if (f) fclose(f);
        rp_grouper_free(g);
    }
    return 0;
}
