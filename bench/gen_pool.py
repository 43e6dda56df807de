#!/usr/bin/env python3
# gen_pool.py N OUT.jsonl [POOL] [PER_DOC] [TRUTH.jsonl] — long documents (about 7 KB)
# built from a shared pool of passages: each of N documents strings
# together PER_DOC (default 10) passages drawn from POOL (default 2,000)
# passages of about 110 words, a tenth of the documents are near-copies of
# an earlier one (a few words changed). Nearly every pair of documents that
# draws a common passage shares real text: the shape where align's output
# (pairs and passages) outgrows its input (bench/README.md). TRUTH gets,
# per document, the pool passages it holds: [passage, start, end] in code
# points (pool_groups.py scores align --groups against it).
import random, sys
random.seed(11)
n = int(sys.argv[1]); out = open(sys.argv[2], 'w')
pool_size = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
per_doc = int(sys.argv[4]) if len(sys.argv) > 4 else 10
vocab = ["w%d" % i for i in range(30000)]
weights = [1.0 / (i + 1) ** 0.9 for i in range(30000)]
pool = [" ".join(random.choices(vocab, weights, k=110)) + "." for _ in range(pool_size)]
truth = open(sys.argv[5], 'w') if len(sys.argv) > 5 else None
docs, made_of = [], []
for i in range(n):
    if docs and random.random() < 0.1:
        k = random.randrange(len(docs))
        words = docs[k].split()
        for _ in range(4):
            words[random.randrange(len(words))] = random.choice(vocab)
        text = " ".join(words)
        parts = made_of[k]
    else:
        parts = [random.randrange(pool_size) for _ in range(per_doc)]
        text = " ".join(pool[p] for p in parts)
        words = text.split()
    docs.append(text)
    made_of.append(parts)
    out.write('{"id": %d, "text": "%s"}\n' % (i, text))
    if truth:
        starts, at = [], 0 # each word's first character
        for w in words:
            starts.append(at)
            at += len(w) + 1
        spans = [[p, starts[110 * j], starts[110 * j + 109] + len(words[110 * j + 109])] for j, p in enumerate(parts)]
        truth.write('{"id": %d, "passages": %s}\n' % (i, spans))
