#!/usr/bin/env python3
# check_shapes.py SHAPE ... — shapes.sh's correctness checks, each against
# its generator's truth; prints one line and exits 1 when a check fails.
#
#   short  CORPUS TRUTH.tsv KEPT STATS    dedup removed the injected near-duplicates
#   copies TRUTH.tsv KEPT STATS           dedup kept every document of its own and
#                                         removed template copies, never a whole cluster
#   three  CORPUS KEPT STATS              three-word records: exact repeats removed,
#                                         nothing else
#   pool   TRUTH.jsonl KEPT STATS GROUPS  dedup removed the near-copies; align
#                                         --groups against the pool's passages
import json, subprocess, sys, os

def accounted(stats):
    s = json.load(open(stats))
    assert s["read"] == s["kept"] + s["removed"] + s["rejected"], s
    return s

def kept_ids(kept):
    return {json.loads(l)["id"] for l in open(kept)}

def fail(msg):
    print("FAILED: " + msg)
    sys.exit(1)

shape = sys.argv[1]
if shape == "short":
    corpus, truth, kept, stats = sys.argv[2:6]
    s = accounted(stats)
    ids = kept_ids(kept)
    dups = [l.split("\t") for l in open(truth).read().splitlines()]
    dups = [d for d in dups if d[2] != "excerpt"]  # partial reuse: align's business
    by = {}
    for d, _, kind in dups:
        by.setdefault(kind, [0, 0])
        by[kind][0] += f"doc-{d}" not in ids
        by[kind][1] += 1
    found = sum(v[0] for v in by.values())
    false = s["removed"] - found
    print(f"short posts: {s['read']} documents, {found}/{len(dups)} injected near-duplicates removed (" +
          ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by.items())) + f"), {false} others removed")
    # a wrapper or a few edits weigh more in 50 words than in 500: such copies
    # of a short post fall near the Jaccard threshold (containment finds them)
    for k, (hit, total) in by.items():
        if hit < (0.95 if k in ("exact", "restyled", "trimmed") else 0.6) * total:
            fail(f"recall of {k} copies")
    if false > 0.001 * s["read"] + 1: fail("documents removed that are no injected copy")
elif shape == "copies":
    truth, kept, stats = sys.argv[2:5]
    s = accounted(stats)
    ids = kept_ids(kept)
    tmpl = {int(a): int(b) for a, b in (l.split("\t") for l in open(truth).read().splitlines())}
    own = [d for d, t in tmpl.items() if t < 0]
    copies = [d for d, t in tmpl.items() if t >= 0]
    lost = sum(d not in ids for d in own)
    clusters = len({t for t in tmpl.values() if t >= 0})
    removed = sum(d not in ids for d in copies)
    print(f"near-copies: {s['read']} documents ({len(copies)} copies of {clusters} templates); "
          f"{removed} copies removed (at most {len(copies) - clusters}), {lost} documents of their own removed")
    # two words changed in 50 leave a copy at Jaccard 0.64 against its template
    # and about 0.45 against another copy: which copies pass 0.7 depends on
    # where the edits fall, so the truth bounds what is removed, not how much
    if lost: fail("a document of its own was removed")
    if removed == 0 or removed > len(copies) - clusters: fail("template copies removed: none, or whole clusters")
elif shape == "three":
    corpus, kept, stats = sys.argv[2:5]
    s = accounted(stats)
    ids = kept_ids(kept)
    seen, repeats = set(), set()
    for l in open(corpus):
        d = json.loads(l)
        if d["text"] in seen: repeats.add(d["id"])
        seen.add(d["text"])
    removed = {d for d in (json.loads(l)["id"] for l in open(corpus)) if d not in ids}
    print(f"three-word records: {s['read']} documents, {len(repeats)} exact repeats; {len(removed & repeats)} "
          f"removed, {len(removed - repeats)} others removed")
    if removed != repeats: fail("three-word records: removed other than the exact repeats")
elif shape == "pool":
    truth, kept, stats, groups = sys.argv[2:6]
    s = accounted(stats)
    ids = kept_ids(kept)
    first, copies = {}, []
    for l in open(truth):
        d = json.loads(l)
        key = tuple(p[0] for p in d["passages"])
        if key in first: copies.append(d["id"])
        else: first[key] = d["id"]
    removed = sum(d not in ids for d in copies)
    false = s["removed"] - removed
    score = json.loads(subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "pool_groups.py"),
                                       truth, groups], capture_output=True, text=True, check=True).stdout)
    print(f"pool: {s['read']} documents, {removed}/{len(copies)} near-copies removed, {false} others; "
          f"groups: {score['groups']} ({score['compound_groups']} compound), pairs P {score['pair_precision']} "
          f"R {score['pair_recall']}, granularity {score['granularity']}")
    if removed < 0.95 * len(copies) or false > 0.001 * s["read"] + 1: fail("dedup of the near-copies")
    if score["pair_precision"] < 0.95 or score["pair_recall"] < 0.95 or score["granularity"] > 1.05:
        fail("align --groups against the pool's passages")
else:
    fail("unknown shape " + shape)
