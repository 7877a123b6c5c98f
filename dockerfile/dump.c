/* BuildKit's Node.Dump() format, byte for byte: the form its parser tests
 * compare against (docs/parser.md). */
#include "dockerfile/dockerfile.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

static void go_quote(kd_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    kd_buf_addc(b, '"');
    size_t i = 0;
    while (i < n) {
        size_t w;
        unsigned char c = (unsigned char)s[i];
        unsigned r = kd_utf8_decode((const unsigned char *)s + i, n - i, &w);
        if (r == KD_RUNE_ERROR && w == 1) {
            kd_buf_addf(b, "\\x%c%c", hex[c >> 4], hex[c & 15]);
            i++;
            continue;
        }
        if (r == '"' || r == '\\') {
            kd_buf_addc(b, '\\');
            kd_buf_addc(b, (char)r);
        } else if (kd_uni_is_print(r)) {
            kd_buf_add(b, s + i, w);
        } else {
            switch (r) {
            case '\a': kd_buf_adds(b, "\\a"); break;
            case '\b': kd_buf_adds(b, "\\b"); break;
            case '\f': kd_buf_adds(b, "\\f"); break;
            case '\n': kd_buf_adds(b, "\\n"); break;
            case '\r': kd_buf_adds(b, "\\r"); break;
            case '\t': kd_buf_adds(b, "\\t"); break;
            case '\v': kd_buf_adds(b, "\\v"); break;
            default:
                if (r < 0x20 || r == 0x7F)
                    kd_buf_addf(b, "\\x%c%c", hex[r >> 4], hex[r & 15]);
                else if (r < 0x10000)
                    kd_buf_addf(b, "\\u%04x", r);
                else
                    kd_buf_addf(b, "\\U%08x", r);
            }
        }
        i += w;
    }
    kd_buf_addc(b, '"');
}

char *df_go_quote(const char *s, size_t n)
{
    kd_buf b = KD_BUF_INIT;
    go_quote(&b, s, n);
    return kd_buf_detach(&b, NULL);
}

static void dump_instr(kd_buf *b, const df_instr *in)
{
    for (const char *k = in->keyword; *k; k++) {
        char c = *k;
        kd_buf_addc(b, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
    }
    if (in->nflags > 0) {
        kd_buf_adds(b, " [");
        for (size_t i = 0; i < in->nflags; i++) {
            if (i)
                kd_buf_addc(b, ' ');
            go_quote(b, in->flags[i].text, strlen(in->flags[i].text));
        }
        kd_buf_addc(b, ']');
    }
    if (in->sub) {
        kd_buf_adds(b, " (");
        dump_instr(b, in->sub);
        kd_buf_addc(b, ')');
        return;
    }
    for (size_t i = 0; i < in->nargs; i++) {
        kd_buf_addc(b, ' ');
        go_quote(b, in->args[i].text, in->args[i].len);
    }
}

char *df_dump_instr(const df_instr *in)
{
    kd_buf b = KD_BUF_INIT;
    dump_instr(&b, in);
    return kd_buf_detach(&b, NULL);
}

char *df_dump(const df_file *f)
{
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < f->ninstrs; i++) {
        kd_buf_addc(&b, '(');
        dump_instr(&b, &f->instrs[i]);
        kd_buf_adds(&b, ")\n");
    }
    return kd_buf_detach(&b, NULL);
}
