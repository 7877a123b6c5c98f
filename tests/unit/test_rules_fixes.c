/* The fixes the RUN rules attach: each test lints a Dockerfile with one
 * rule, applies every edit of every finding (from the end backwards, as
 * `--fix` will) and compares the result with the expected text. */
#include "kt.h"
#include "kt_util.h"
#include "lint/engine.h"
#include "util/buf.h"

#include <stdlib.h>

typedef struct edit_ref {
    size_t start, end;
    const char *text;
} edit_ref;

static int by_start_desc(const void *a, const void *b)
{
    const edit_ref *x = a, *y = b;
    return x->start < y->start ? 1 : x->start > y->start ? -1 : 0;
}

/* The source with r's edits applied; owned by the caller. */
static char *apply(const char *src, const kd_file_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += r->findings[i]->nedits;
    edit_ref *v = calloc(n ? n : 1, sizeof *v);
    n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        for (size_t k = 0; k < r->findings[i]->nedits; k++) {
            const kd_edit *e = &r->findings[i]->edits[k];
            v[n++] = (edit_ref){e->start, e->end, e->text};
        }
    qsort(v, n, sizeof *v, by_start_desc);
    kd_buf b = KD_BUF_INIT;
    kd_buf_adds(&b, src);
    for (size_t k = 0; k < n; k++) {
        kd_buf t = KD_BUF_INIT;
        kd_buf_add(&t, b.data, v[k].start);
        kd_buf_adds(&t, v[k].text);
        kd_buf_adds(&t, b.data + v[k].end);
        kd_buf_free(&b);
        b = t;
    }
    free(v);
    return kd_buf_detach(&b, NULL);
}

static void fixed_in(int line, const char *rule, const char *dir, const char *src,
                     const char *want)
{
    const char *sel[] = {rule};
    kd_lint_opts o = {.select = sel, .nselect = 1, .failure_threshold = -1, .no_config = true};
    kd_linter *l;
    kd_error *err = NULL;
    kd_file_result *r;
    if (kd_linter_new(&o, &l, &err) < 0 ||
        kd_lint_source(l, "Dockerfile", src, strlen(src), dir, &r, &err) < 0) {
        kt_fail(__FILE__, line, "%s", err->msg);
        kd_error_free(err);
        return;
    }
    char *got = apply(src, r);
    if (strcmp(got, want) != 0)
        kt_fail(__FILE__, line, "%s fix of\n%s#   gave\n%s#   want\n%s", rule, src, got, want);
    free(got);
    kd_file_result_free(r);
    kd_linter_free(l);
}
#define FIXED(rule, src, want) fixed_in(__LINE__, rule, NULL, src, want)
#define FIXED_IN(rule, dir, src, want) fixed_in(__LINE__, rule, dir, src, want)

TEST(fix_cache_options)
{
    FIXED("KD1511", "FROM alpine\nRUN apk add curl\n",
          "FROM alpine\nRUN apk add --no-cache curl\n");
    /* apk update has no --no-cache: the index goes instead */
    FIXED("KD1511", "FROM alpine\nRUN apk update\n",
          "FROM alpine\nRUN apk update && rm -rf /var/cache/apk/*\n");
    FIXED("KD1511", "FROM alpine\nRUN apk add a && apk add b\n",
          "FROM alpine\nRUN apk add --no-cache a && apk add --no-cache b\n");
    FIXED("KD1511", "FROM alpine\nRUN apk update && apk add a && make\n",
          "FROM alpine\nRUN apk update && apk add a && rm -rf /var/cache/apk/* && make\n");
    FIXED("KD1515", "FROM python\nRUN pip install -U flask==3.0.0\n",
          "FROM python\nRUN pip install --no-cache-dir -U flask==3.0.0\n");
    FIXED("KD1515", "FROM python\nRUN python3 -m pip install x==1\n",
          "FROM python\nRUN python3 -m pip install --no-cache-dir x==1\n");
    /* inside sh -c's string the edit lands in the string */
    FIXED("KD1515", "FROM python\nRUN sh -c 'pip install x==1'\n",
          "FROM python\nRUN sh -c 'pip install --no-cache-dir x==1'\n");
    /* exec form: no edit */
    FIXED("KD1515", "FROM python\nRUN [\"pip\", \"install\", \"x==1\"]\n",
          "FROM python\nRUN [\"pip\", \"install\", \"x==1\"]\n");
}

TEST(fix_cache_appends)
{
    FIXED("KD1510", "FROM debian\nRUN apt-get update && apt-get install -y curl\n",
          "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf "
          "/var/lib/apt/lists/*\n");
    FIXED("KD1510", "FROM debian\nRUN apt-get update \\\n && apt-get install -y curl\n",
          "FROM debian\nRUN apt-get update \\\n && apt-get install -y curl && rm -rf "
          "/var/lib/apt/lists/*\n");
    /* a later RUN installs without its own update: removing the lists would break it */
    FIXED("KD1510", "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n",
          "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n");
    /* right after the command, so a shell comment swallows nothing */
    FIXED("KD1510", "FROM debian\nRUN apt-get update # lists\n",
          "FROM debian\nRUN apt-get update && rm -rf /var/lib/apt/lists/* # lists\n");
    /* after the last apt command, not the end of the RUN */
    FIXED("KD1510", "FROM debian\nRUN apt-get update && apt-get install -y a; make; make install\n",
          "FROM debian\nRUN apt-get update && apt-get install -y a && rm -rf /var/lib/apt/lists/*; "
          "make; make install\n");
    /* the rest of a pipeline */
    FIXED("KD1510", "FROM debian\nRUN apt-get update && apt-get install -y a | tee log && b\n",
          "FROM debian\nRUN apt-get update && apt-get install -y a | tee log && rm -rf "
          "/var/lib/apt/lists/* && b\n");
    /* in the same subshell, or out of a branch that does not hold both */
    FIXED("KD1516", "FROM node\nRUN (cd app && npm ci) && make\n",
          "FROM node\nRUN (cd app && npm ci && npm cache clean --force) && make\n");
    FIXED("KD1510",
          "FROM debian\nRUN apt-get update && if [ -n \"$X\" ]; then apt-get install -y x; fi\n",
          "FROM debian\nRUN apt-get update && if [ -n \"$X\" ]; then apt-get install -y x; fi && rm "
          "-rf /var/lib/apt/lists/*\n");
    FIXED("KD1516", "FROM node\nRUN if [ -f package.json ]; then npm ci; fi\n",
          "FROM node\nRUN if [ -f package.json ]; then npm ci && npm cache clean --force; fi\n");
    /* out of a condition */
    FIXED("KD1512", "FROM centos\nRUN if yum install -y x-1; then echo ok; fi\n",
          "FROM centos\nRUN if yum install -y x-1; then echo ok; fi && yum clean all\n");
    /* inside sh -c, and as the same user */
    FIXED("KD1516", "FROM node\nRUN su node -c 'npm ci' && echo done\n",
          "FROM node\nRUN su node -c 'npm ci && npm cache clean --force' && echo done\n");
    FIXED("KD1516", "FROM node\nRUN sudo -u node npm ci\n",
          "FROM node\nRUN sudo -u node npm ci && sudo -u node npm cache clean --force\n");
    /* the exec form: no edit (KD1500 turns it into the shell form first) */
    FIXED("KD1516", "FROM node\nRUN [\"npm\", \"ci\"]\n", "FROM node\nRUN [\"npm\", \"ci\"]\n");
    /* a job in the background: no place */
    FIXED("KD1516", "FROM node\nRUN npm ci & wait\n", "FROM node\nRUN npm ci & wait\n");
    FIXED("KD1513", "FROM fedora\nRUN microdnf install -y x-1.0\n",
          "FROM fedora\nRUN microdnf install -y x-1.0 && microdnf clean all\n");
    FIXED("KD1516", "FROM node\nRUN npm ci\n",
          "FROM node\nRUN npm ci && npm cache clean --force\n");
    FIXED("KD1512", "FROM centos\nRUN yum install -y x-1;\n",
          "FROM centos\nRUN yum install -y x-1 && yum clean all;\n");
    /* go: not when the go tool runs again later in the stage */
    FIXED("KD1521", "FROM golang\nRUN go build -o /app .\nCMD [\"/app\"]\n",
          "FROM golang\nRUN go build -o /app . && go clean -cache -modcache\nCMD [\"/app\"]\n");
    FIXED("KD1521", "FROM golang\nRUN go mod download\nCMD go run .\n",
          "FROM golang\nRUN go mod download\nCMD go run .\n");
}

TEST(fix_prompts_and_others)
{
    FIXED("KD2500", "FROM debian\nRUN apt-get install curl\n",
          "FROM debian\nRUN apt-get install -y curl\n");
    FIXED("KD2503", "FROM suse\nRUN zypper in curl\n", "FROM suse\nRUN zypper in -y curl\n");
    FIXED("KD1504", "FROM debian\nRUN useradd -u 123456 app\n",
          "FROM debian\nRUN useradd -l -u 123456 app\n");
    FIXED("KD1505", "FROM debian\nRUN apt-get install -y curl\n",
          "FROM debian\nRUN apt-get install --no-install-recommends -y curl\n");
    FIXED("KD4504", "FROM debian\nRUN apt update && apt search x && apt list\n",
          "FROM debian\nRUN apt-get update && apt-cache search x && apt list\n");
}

TEST(fix_join_runs)
{
    FIXED("KD1500", "FROM debian\nRUN a\nRUN b\nRUN c\n",
          "FROM debian\nRUN a && \\\n    b && \\\n    c\n");
    FIXED("KD1500", "# escape=`\nFROM debian\nRUN a\nRUN --mount=type=tmpfs,target=/t b\n",
          "# escape=`\nFROM debian\nRUN a\nRUN --mount=type=tmpfs,target=/t b\n");
    FIXED("KD1500", "# escape=`\nFROM debian\nRUN a\nRUN b\n",
          "# escape=`\nFROM debian\nRUN a && `\n    b\n");
    /* comments between stay, blank lines go */
    FIXED("KD1500", "FROM debian\nRUN a\n\n# why\n\nRUN b\n",
          "FROM debian\nRUN a && \\\n# why\n    b\n");
    /* a trailing ; goes */
    FIXED("KD1500", "FROM debian\nRUN a;\nRUN b\n", "FROM debian\nRUN a && \\\n    b\n");
    /* state that would reach the next RUN: a subshell */
    FIXED("KD1500", "FROM debian\nRUN cd /x && make\nRUN make install\n",
          "FROM debian\nRUN (cd /x && make) && \\\n    make install\n");
    /* after the first, ; and || would regroup under &&: a subshell */
    FIXED("KD1500", "FROM debian\nRUN a\nRUN b || c\n", "FROM debian\nRUN a && \\\n    (b || c)\n");
    /* a body starting with ( gets "( " so that "((" is not arithmetic */
    FIXED("KD1500", "FROM debian\nRUN a\nRUN (b) || c\n",
          "FROM debian\nRUN a && \\\n    ( (b) || c)\n");
    /* the exec form as shell words */
    FIXED("KD1500", "FROM debian\nRUN [\"make\", \"a b\"]\nRUN [\"sh\", \"-c\", \"cd x; make\"]\n",
          "FROM debian\nRUN make 'a b' && \\\n    (cd x; make)\n");
    /* set -e inside a subshell followed by && would not apply: left apart */
    FIXED("KD1500", "FROM debian\nRUN set -e; a; b\nRUN c\n", "FROM debian\nRUN set -e; a; b\nRUN c\n");
}

TEST(fix_copy_then_chown_modes)
{
    char dir[] = "/tmp/kd-chown-XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    REQUIRE(kt_sh("cd %s && echo x >plain.sh && echo x >suid.sh && chmod 4755 suid.sh", dir) == 0);
    FIXED_IN("KD1106", dir, "FROM debian\nCOPY plain.sh /p.sh\nRUN chmod 0750 /p.sh\n",
             "FROM debian\nCOPY --chmod=0750 plain.sh /p.sh\n");
    /* --chmod keeps the source's set-user-id bit; chmod 755 clears it */
    FIXED_IN("KD1106", dir, "FROM debian\nCOPY suid.sh /s.sh\nRUN chmod 755 /s.sh\n",
             "FROM debian\nCOPY suid.sh /s.sh\nRUN chmod 755 /s.sh\n");
    /* the same flag already: only the RUN goes */
    FIXED_IN("KD1106", dir, "FROM debian\nCOPY --chown=1:2 plain.sh /p.sh\nRUN chown 1:2 /p.sh\n",
             "FROM debian\nCOPY --chown=1:2 plain.sh /p.sh\n");
    /* a variable ENV defines is fine, one nothing defines is not */
    FIXED_IN("KD1106", dir,
             "FROM debian\nENV U=app\nCOPY plain.sh /p.sh\nRUN chown $U:${U} /p.sh\n",
             "FROM debian\nENV U=app\nCOPY --chown=$U:${U} plain.sh /p.sh\n");
    FIXED_IN("KD1106", dir, "FROM debian\nCOPY plain.sh /p.sh\nRUN chown $U:$U /p.sh\n",
             "FROM debian\nCOPY plain.sh /p.sh\nRUN chown $U:$U /p.sh\n");
    kt_sh("rm -rf %s", dir);
}
