/*
 * io.c — positioned reads and writes that finish what they start: short
 * transfers and EINTR looped over, on any thread (pread and pwrite leave
 * the file position alone, so threads share a descriptor).
 */
#include "common.h"

#include <errno.h>
#include <unistd.h>

int rp__pread_all(int fd, void *dst, size_t len, uint64_t off)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = pread(fd, (char *)dst + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : -1;
        got += (size_t)n;
    }
    return 0;
}


int rp__pwrite_all(int fd, const void *src, size_t len, uint64_t off)
{
    for (size_t done = 0; done < len;) {
        ssize_t k = pwrite(fd, (const char *)src + done, len - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return k < 0 ? errno : ENOSPC;
        done += (size_t)k;
    }
    return 0;
}
