/* bench/fatgen: writes a synthetic "fat" tree for bench/build.sh, shaped
 * like a language runtime image: many small files and a few large ones,
 * compressing about as well as real images do (gzip to roughly a third).
 *
 *   fatgen DIR FILES BYTES SEED
 *
 * Files go to DIR/dNNN/fNNNNN (100 per directory). The output depends only
 * on the arguments. Built by bench/build.sh with the system compiler. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t state;

static uint64_t next(void)
{
    /* xorshift64*: fast and good enough for filler */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
}

/* One 4 KiB block: 60% random hex text (gzip keeps about half of it), 40%
 * a repeated line (gzip keeps almost none of it). */
static void fill(unsigned char *b)
{
    static const char hex[] = "0123456789abcdef";
    if (next() % 10 < 4) {
        static const char line[] = "export default function handler(req, res) { return res; }\n";
        for (size_t i = 0; i < 4096; i++)
            b[i] = (unsigned char)line[i % (sizeof line - 1)];
        return;
    }
    for (size_t i = 0; i < 4096; i += 16) {
        uint64_t r = next();
        for (int k = 0; k < 16; k++)
            b[i + k] = (unsigned char)hex[(r >> (4 * k)) & 15];
    }
}

static int write_file(const char *path, uint64_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    unsigned char block[4096];
    while (size > 0) {
        fill(block);
        size_t n = size < sizeof block ? (size_t)size : sizeof block;
        if (write(fd, block, n) != (ssize_t)n) {
            close(fd);
            return -1;
        }
        size -= n;
    }
    return close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: fatgen DIR FILES BYTES SEED\n");
        return 2;
    }
    const char *dir = argv[1];
    long files = atol(argv[2]);
    double bytes = atof(argv[3]);
    state = (uint64_t)atoll(argv[4]) * 0x9e3779b97f4a7c15ull + 1;
    if (files <= 0 || bytes <= 0)
        return 2;
    /* sizes: 97% small (0.5-40 KB), 3% large; then scaled to BYTES */
    double *size = calloc((size_t)files, sizeof *size), sum = 0;
    for (long i = 0; i < files; i++) {
        size[i] = i % 33 == 0 ? 200000.0 + (double)(next() % 1000000) : 512.0 + (double)(next() % 40000);
        sum += size[i];
    }
    mkdir(dir, 0755);
    char path[4096];
    for (long i = 0; i < files; i++) {
        if (i % 100 == 0) {
            snprintf(path, sizeof path, "%s/d%03ld", dir, i / 100);
            if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return perror(path), 1;
        }
        snprintf(path, sizeof path, "%s/d%03ld/f%05ld", dir, i / 100, i);
        if (write_file(path, (uint64_t)(size[i] * bytes / sum)) < 0)
            return perror(path), 1;
    }
    free(size);
    return 0;
}
