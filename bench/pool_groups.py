#!/usr/bin/env python3
# pool_groups.py TRUTH.jsonl GROUPS.jsonl — scores `reprint align --groups`
# on a gen_pool.py corpus against its truth: pairs of documents in one
# group against pairs sharing a pool passage (precision, recall, F1), each
# group's purity (members on its commonest passage), granularity (groups a
# passage in two or more documents is split into), how many of its
# occurrences are members of its group, and the compound groups (stretches
# over several passages: documents copied whole, passages side by side).
import collections, json, sys

truth = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    truth[d["id"]] = d["passages"]
holders = collections.defaultdict(set)
for doc, ps in truth.items():
    for p, s, e in ps:
        holders[p].add(doc)
true_pairs = set()
for p, docs in holders.items():
    docs = sorted(docs)
    for x in range(len(docs)):
        for y in range(x + 1, len(docs)):
            true_pairs.add((docs[x], docs[y]))

def label(doc, s, e):
    """the pool passage a member's span is (80 % of it on one), or None: a
    stretch over several (a document copied whole, two passages side by
    side) is a group of its own, counted as compound"""
    best, most = None, 0
    for p, ps, pe in truth[doc]:
        ov = min(e, pe) - max(s, ps)
        if ov > most:
            best, most = p, ov
    return best if most * 5 >= (e - s) * 4 else None

found_pairs, members, pure, groups_of = set(), 0, 0, collections.Counter()
found_occ = set()
n_groups = compound = 0
for line in open(sys.argv[2]):
    g = json.loads(line)
    n_groups += 1
    labels = [label(m["id"], *m["span"]) for m in g["members"]]
    top, count = collections.Counter(labels).most_common(1)[0]
    compound += top is None
    if top is not None: # purity of the single-passage groups
        members += len(labels)
        pure += count
    if top is not None:
        groups_of[top] += 1
        for m, l in zip(g["members"], labels):
            if l == top:
                found_occ.add((m["id"], top))
    docs = sorted({m["id"] for m in g["members"]})
    for x in range(len(docs)):
        for y in range(x + 1, len(docs)):
            found_pairs.add((docs[x], docs[y]))
both = len(found_pairs & true_pairs)
prec = both / len(found_pairs) if found_pairs else 0
rec = both / len(true_pairs) if true_pairs else 0
shared = [p for p, d in holders.items() if len(d) >= 2]
occ = sum(len(holders[p]) for p in shared)
gran = sum(groups_of[p] for p in shared if groups_of[p]) / max(1, sum(1 for p in shared if groups_of[p]))
print(json.dumps({"groups": n_groups, "compound_groups": compound, "pair_precision": round(prec, 4), "pair_recall": round(rec, 4),
                  "pair_f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0,
                  "purity": round(pure / members, 4) if members else 0, "granularity": round(gran, 4),
                  "occurrences_found": round(len(found_occ) / occ, 4) if occ else 0,
                  "true_pairs": len(true_pairs), "found_pairs": len(found_pairs)}))
