#!/usr/bin/env python3
# gen_pool.py N OUT.jsonl [POOL] [PER_DOC] — long documents (about 7 KB)
# built from a shared pool of passages: each of N documents strings
# together PER_DOC (default 10) passages drawn from POOL (default 2,000)
# passages of about 110 words, a tenth of the documents are near-copies of
# an earlier one (a few words changed). Nearly every pair of documents that
# draws a common passage shares real text: the shape where align's output
# (pairs and passages) outgrows its input (bench/README.md).
import random, sys
random.seed(11)
n = int(sys.argv[1]); out = open(sys.argv[2], 'w')
pool_size = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
per_doc = int(sys.argv[4]) if len(sys.argv) > 4 else 10
vocab = ["w%d" % i for i in range(30000)]
weights = [1.0 / (i + 1) ** 0.9 for i in range(30000)]
pool = [" ".join(random.choices(vocab, weights, k=110)) + "." for _ in range(pool_size)]
docs = []
for i in range(n):
    if docs and random.random() < 0.1:
        words = random.choice(docs).split()
        for _ in range(4):
            words[random.randrange(len(words))] = random.choice(vocab)
        text = " ".join(words)
    else:
        text = " ".join(random.choice(pool) for _ in range(per_doc))
    docs.append(text)
    out.write('{"id": %d, "text": "%s"}\n' % (i, text))
