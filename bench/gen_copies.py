#!/usr/bin/env python3
# gen_copies.py N OUT.jsonl [TRUTH.tsv] — a corpus of N short documents (about 250
# bytes, 50 Zipfian words) of which 73% are near-copies (two words changed)
# of one of 300 templates: clusters of thousands, like reposts or pages cut
# from a few templates, where nearly every document shares text with
# thousands of others. dedup's hardest shape (bench/README.md). TRUTH
# gets each document's template, or -1 for a document of its own.
import random, sys
random.seed(7)
n = int(sys.argv[1]); out = open(sys.argv[2], 'w')
truth = open(sys.argv[3], 'w') if len(sys.argv) > 3 else None
vocab = ["w%d" % i for i in range(20000)]
weights = [1.0 / (i + 1) for i in range(20000)]
def text():
    return " ".join(random.choices(vocab, weights, k=50))
templates = [text() for _ in range(300)]  # 300 clusters
for i in range(n):
    if random.random() < 0.73:
        k = random.randrange(len(templates))
        t = templates[k].split()
        for _ in range(2):  # edit two words
            t[random.randrange(len(t))] = random.choice(vocab)
        s = " ".join(t)
    else:
        k = -1
        s = text()
    out.write('{"id": %d, "text": "%s"}\n' % (i, s))
    if truth:
        truth.write("%d\t%d\n" % (i, k))
