"""eval_sites.py ALIGNED.jsonl TRUTH.tsv — align's pairs on the templated
pages corpus (gen_corpus ... sites) against the generator's truth.

Precision: the share of reported pairs whose two pages are in one family of
copies (a source and its copies, joined through the truth); recall: the
share of injected copies and excerpts paired with their source. Prints one
line; exits 1 under min_precision / min_recall when they are given."""
import json, sys
aligned, truth = sys.argv[1], sys.argv[2]
min_p = float(sys.argv[3]) if len(sys.argv) > 3 else 0
min_r = float(sys.argv[4]) if len(sys.argv) > 4 else 0
parent = {}
def find(x):
    while parent.get(x, x) != x:
        parent[x] = parent.get(parent[x], parent[x]); x = parent[x]
    return x
edges = []
for l in open(truth):
    d, s, kind = l.split()
    d, s = int(d), int(s)
    edges.append((min(s, d), max(s, d), kind))
    parent[find(d)] = find(s)
rep = set()
for l in open(aligned):
    o = json.loads(l)
    rep.add((int(o["a"][4:]), int(o["b"][4:])))
same = sum(1 for a, b in rep if find(a) == find(b))
found = sum(1 for a, b, k in edges if (a, b) in rep)
print(f"{len(rep)} pairs reported, {same} within a family of copies: precision {same / max(len(rep), 1):.4f}; "
      f"{found}/{len(edges)} injected copies and excerpts paired with their source: recall {found / max(len(edges), 1):.4f}")
sys.exit(same / max(len(rep), 1) < min_p or found / max(len(edges), 1) < min_r)
