/* The measurement behind the layer writer's compressor choice: isa-l's
 * igzip (one stream, levels 0 and 1) against libdeflate (separate 1 MiB
 * gzip members, levels 1, 3, 6), on one file (a layer tar), in memory.
 * Prints MB/s of input and the output/input ratio. Usage: compress FILE
 * (built and run by bench/layers.sh). */
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#define CHUNK (1u << 20)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t igzip(const unsigned char *in, size_t n, unsigned char *out, int level)
{
    struct isal_zstream z;
    isal_deflate_init(&z);
    z.gzip_flag = IGZIP_GZIP;
    z.level = (uint32_t)level;
    unsigned char *lb = malloc(ISAL_DEF_LVL1_DEFAULT);
    if (level) {
        z.level_buf = lb;
        z.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    }
    size_t o = 0, i = 0;
    while (i < n) {
        size_t k = n - i > CHUNK ? CHUNK : n - i;
        z.next_in = (uint8_t *)in + i;
        z.avail_in = (uint32_t)k;
        i += k;
        z.end_of_stream = i == n;
        do {
            z.next_out = out + o;
            z.avail_out = CHUNK;
            isal_deflate(&z);
            o += CHUNK - z.avail_out;
        } while (z.avail_in || (z.end_of_stream && z.internal_state.state != ZSTATE_END));
    }
    free(lb);
    return o;
}

static size_t members(const unsigned char *in, size_t n, unsigned char *out, int level)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    size_t o = 0;
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t k = n - i > CHUNK ? CHUNK : n - i;
        o += libdeflate_gzip_compress(c, in + i, k, out + o, libdeflate_gzip_compress_bound(c, k));
    }
    libdeflate_free_compressor(c);
    return o;
}

static void report(const char *name, size_t n, size_t o, double secs)
{
    printf("  %-38s %7.1f MB/s  ratio %.3f\n", name, (double)n / secs / 1e6, (double)o / (double)n);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return fprintf(stderr, "usage: compress FILE\n"), 2;
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return perror(argv[1]), 1;
    size_t n = (size_t)st.st_size;
    const unsigned char *in = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    unsigned char *out = malloc(n + n / 2 + 2 * CHUNK);
    if (in == MAP_FAILED || out == NULL)
        return perror("memory"), 1;
    for (size_t i = 0; i < n; i += 4096) /* fault the input in first */
        out[0] ^= in[i];
    static const char *names[] = {"isa-l igzip level 0 (one stream)", "isa-l igzip level 1 (one stream)"};
    for (int level = 0; level <= 1; level++) {
        double t = now();
        size_t o = igzip(in, n, out, level);
        report(names[level], n, o, now() - t);
    }
    static const int dl[] = {1, 3, 6};
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "libdeflate level %d (1 MiB members)", dl[i]);
        double t = now();
        size_t o = members(in, n, out, dl[i]);
        report(name, n, o, now() - t);
    }
    return 0;
}
