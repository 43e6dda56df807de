/* fuzz_signature.c — the decoders of stored signatures and passage
 * fingerprints, which an index reads back from disk and a server from the
 * network. The input's last 8 bytes
 * are replaced by the checksum of the rest, so that the fuzzer reaches the
 * parsing behind the checksum. Checks that whatever decodes encodes back to
 * the same bytes and compares with itself as equal. */
#include "fuzz.h"
#include "reprint.h"

#include <string.h>
#include <xxhash.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8 || size > 65536) return 0;
    uint8_t *buf = malloc(size), *out = malloc(size);
    memcpy(buf, data, size);
    uint64_t h = XXH64(buf, size - 8, 0);
    for (int k = 0; k < 8; k++) buf[size - 8 + k] = (uint8_t)(h >> (8 * k));
    rp_signature *sig = rp_signature_decode(buf, size);
    if (sig) {
        CHECK(rp_signature_encode(sig, out, size) == size, "encoded size differs");
        CHECK(memcmp(out, buf, size) == 0, "encoding differs from the bytes decoded");
        CHECK(rp_signature_similarity(sig, sig) == 1.0, "not alike itself");
        CHECK(rp_signature_candidates(sig, sig), "not its own candidate");
        rp_signature_free(sig);
    }
    rp_fingerprints *fp = rp_fingerprints_decode(buf, size);
    if (fp) {
        CHECK(rp_fingerprints_encode(fp, out, size) == size, "encoded size differs");
        CHECK(memcmp(out, buf, size) == 0, "encoding differs from the bytes decoded");
        CHECK(rp_fingerprints_shared(fp, fp, NULL) == (int64_t)rp_fingerprints_count(fp),
              "does not share all its fingerprints with itself");
        rp_fingerprints_free(fp);
    }
    free(buf), free(out);
    return 0;
}
