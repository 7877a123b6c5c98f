/* The shell analyser: tokens, words, lists, compound commands, heredocs,
 * substitutions, wrappers, nested scripts and warnings. */
#include "kt.h"
#include "shell/shell.h"
#include "shell_dump.h"

#include <stdlib.h>

static sh_script *parse(const char *src)
{
    return sh_parse(src, strlen(src), NULL);
}

typedef char *(*view_fn)(const sh_script *s);

/* view(s) must be want, with no warning; frees s */
static void view_is(int line, sh_script *s, const char *src, view_fn view, const char *want)
{
    char *d = view(s), *w = shd_warnings(s);
    if (strcmp(d, want) != 0)
        kt_fail(__FILE__, line, "%s\n#    got: %s\n#   want: %s", src, d, want);
    if (*w)
        kt_fail(__FILE__, line, "%s: unexpected warnings: %s", src, w);
    free(d);
    free(w);
    sh_script_free(s);
}
/* the model's dump, and the commands that run in order */
#define DUMP(src, want) view_is(__LINE__, parse(src), src, shd_dump, want)
#define CMDS(src, want) view_is(__LINE__, parse(src), src, shd_cmds, want)

/* the warnings must contain want (the model is not checked) */
static void warns(int line, const char *src, const char *want)
{
    sh_script *s = parse(src);
    char *w = shd_warnings(s);
    if (strstr(w, want) == NULL)
        kt_fail(__FILE__, line, "%s: warnings \"%s\" lack \"%s\"", src, w, want);
    free(w);
    sh_script_free(s);
}
#define WARNS(src, want) warns(__LINE__, src, want)

TEST(shell_simple_words)
{
    DUMP("", "");
    DUMP("echo", "echo");
    DUMP("  echo   a\tb  ", "echo a b");
    DUMP("echo 'a b' \"c d\" e\\ f", "echo a b c d e f");
    DUMP("echo a'b'\"c\"d", "echo abcd");
    DUMP("echo \"a\\\"b\\$c\\\\d\\e\"", "echo a\"b$c\\d\\e");
    DUMP("echo '\\n'", "echo \\n");
    DUMP("echo $'a\\nb\\'c'", "echo a\nb'c");
    DUMP("echo $HOME ${A:-x} $1 $@ $? $$", "echo $HOME ${A:-x} $1 $@ $? $$");
    DUMP("echo \"$A-${B}\"", "echo $A-${B}");
    DUMP("echo $", "echo $");
    DUMP("echo a\\\nb", "echo ab");
    DUMP("echo a#b #comment", "echo a#b");
    DUMP("# only a comment", "");
}

TEST(shell_word_flags)
{
    sh_script *s = parse("cmd 'a' \"b\" c\\d $E $(f) $((1+2)) *.txt ~/x plain");
    REQUIRE(s->ncmds == 2); /* f runs first */
    const sh_cmd *c = s->cmds[1];
    REQUIRE(c->nwords == 10);
    CHECK(c->words[1].flags == SH_W_SQUOTED);
    CHECK(c->words[2].flags == SH_W_DQUOTED);
    CHECK(c->words[3].flags == SH_W_ESCAPED);
    CHECK(c->words[4].flags == SH_W_PARAM);
    CHECK(c->words[5].flags == SH_W_CMDSUB);
    CHECK(c->words[6].flags == SH_W_ARITH);
    CHECK(c->words[7].flags == SH_W_GLOB);
    CHECK(c->words[8].flags == SH_W_TILDE);
    CHECK(c->words[9].flags == 0);
    CHECK_STR(c->words[5].text, "$(f)");
    CHECK_INT(c->words[5].nsubs, 1);
    CHECK(sh_word_is(&c->words[9], "plain"));
    CHECK(!sh_word_is(&c->words[4], "$E"));
    CHECK_INT(c->words[1].raw_len, 3);
    sh_script_free(s);
}

TEST(shell_lists_and_connectors)
{
    DUMP("a && b || c", "a && b || c");
    DUMP("a | b |& c", "a | b | c");
    DUMP("a; b & c", "a ; b & c");
    DUMP("a\nb\n\n c", "a NL b NL c");
    DUMP("a &&\n b ||\n\n c |\n d", "a && b || c | d");
    DUMP("a;", "a");
    DUMP("! a | b", "! a | b");
    CMDS("a | b && c & d", "a@PG b@PG c@G d");
    sh_script *s = parse("apt-get update && apt-get install -y x; rm -rf /var/lib/apt/lists/*");
    REQUIRE(s->ncmds == 3);
    CHECK(sh_cmd_next_conn(s->cmds[0]) == SH_AND);
    CHECK(sh_cmd_next_conn(s->cmds[1]) == SH_SEMI);
    CHECK(sh_cmd_next_conn(s->cmds[2]) == SH_END);
    CHECK_STR(sh_conn_str(SH_AND), "&&");
    CHECK(sh_cmd_prev_conn(s, s->cmds[0]) == SH_END);
    CHECK(sh_cmd_prev_conn(s, s->cmds[1]) == SH_AND);
    CHECK(sh_cmd_prev_conn(s, s->cmds[2]) == SH_SEMI);
    CHECK_INT(s->cmds[2]->index, 2);
    sh_script_free(s);
}

TEST(shell_redirections)
{
    DUMP("a >x 2>&1 <y >>z", "a >x 2>&1 <y >>z");
    DUMP("a &>/dev/null", "a &>/dev/null");
    DUMP("a &>> log", "a &>>log");
    DUMP("a <<< \"$x\"", "a <<<$x");
    DUMP("a >| f <> g 3<&0", "a >|f <>g 3<&0");
    DUMP(">f", " >f");
    DUMP("a 2> err b", "a b 2>err");
    DUMP("a2>x", "a2 >x");
}

TEST(shell_assignments)
{
    DUMP("A=1 B='x y' cmd arg", "A=1 B=x y cmd arg");
    DUMP("A=1", "A=1");
    DUMP("cmd A=1", "cmd A=1");
    DUMP("arr=(a b c) x", "arr=(a b c) x");
    DUMP("A+=x a[1]=y", "A+=x a[1]=y");
    sh_script *s = parse("PIP_NO_CACHE_DIR=1 pip install x");
    REQUIRE(s->ncmds == 1);
    CHECK_INT(s->cmds[0]->nassigns, 1);
    CHECK_STR(sh_cmd_name(s->cmds[0]), "pip");
    CHECK_STR(sh_cmd_env(s->cmds[0], "PIP_NO_CACHE_DIR"), "1");
    CHECK(sh_cmd_env(s->cmds[0], "PIP") == NULL);
    sh_script_free(s);
}

TEST(shell_compound)
{
    DUMP("(a; b) && c", "(a ; b) && c");
    DUMP("{ a; b; } | c", "{ a ; b } | c");
    DUMP("if a; then b; fi", "if[a]then[b]");
    DUMP("if a\nthen b\nelif c; then d\nelse e; fi", "if[a]then[b]elif[c]then[d]else[e]");
    DUMP("while read l; do echo $l; done < f", "while[read l]do[echo $l] <f");
    DUMP("until a; do b; done", "until[a]do[b]");
    DUMP("for x in a b c; do echo $x; done", "for x a b c do[echo $x]");
    DUMP("for x\ndo echo; done", "for x do[echo]");
    DUMP("for ((i=0; i<3; i++)); do echo; done", "for ((i=0; i<3; i++)) do[echo]");
    DUMP("case $x in a|b) echo 1;; *) echo 2;; esac", "case $x|a|b|* item[echo 1] item[echo 2]");
    DUMP("case x in (a) b ;& c) d ;;& esac", "case x|a|c item[b] item[d]");
    DUMP("case x in\n a)\n  b\n  ;;\nesac", "case x|a item[b]");
    DUMP("case x in a) esac", "case x|a item[]");
    DUMP("f() { a; }; f", "f()[{ a }] ; f");
    DUMP("function g { a; }", "g()[{ a }]");
    DUMP("function h() ( a )", "h()[(a)]");
    DUMP("((i++)) && echo", "((i++)) && echo");
    DUMP("( (a) )", "((a))");
    DUMP("[[ -f a && ( -n $b || $c < d ) ]] && e", "[[ -f a && ( -n $b || $c < d ) ]] && e");
    DUMP("if true; then :; fi > log 2>&1", "if[true]then[:] >log 2>&1");
    DUMP("echo if then fi done", "echo if then fi done");
    DUMP("{ echo }; }", "{ echo } }");
}

TEST(shell_contexts)
{
    CMDS("if a; then b; elif c; then d; else e; fi", "a@C b@B c@CB d@B e@B");
    CMDS("while a; do b; done; for x in y; do c; done", "a@CL b@L c@L");
    CMDS("case x in a) b;; esac", "b@B");
    CMDS("f() { a; }", "a@F");
    CMDS("(a) | b", "a@PH b@P");
    CMDS("echo $(date) `id -u`", "date@S id@S echo");
    CMDS("x=$(a $(b))", "b@S a@S -");
    CMDS("sh -c 'a && b'", "sh a@N b@N");
}

TEST(shell_substitutions)
{
    DUMP("echo $(a; b) `c`", "echo $(a; b) `c`");
    DUMP("echo \"$(a \"b c\")\"", "echo $(a \"b c\")");
    DUMP("echo $(case x in a) b;; esac)", "echo $(case x in a) b;; esac)");
    DUMP("echo $( (a) )", "echo $( (a) )");
    DUMP("echo $((1 + (2 * 3)))", "echo $((1 + (2 * 3)))");
    DUMP("echo $( (a) | b)", "echo $( (a) | b)");
    DUMP("diff <(sort a) <(sort b)", "diff <(sort a) <(sort b)");
    CMDS("diff <(sort a) >(tee b)", "sort@S tee@S diff");
    CMDS("echo `echo \\`date\\``", "date@S echo@S echo");
    CMDS("echo \"`a \\\"b\\\"`\"", "a@S echo");
    CMDS("echo ${x:-$(a)}", "echo");
    sh_script *s = parse("v=$(curl -fsSL https://x | sha256sum)");
    REQUIRE(s->ncmds == 3);
    CHECK_STR(sh_cmd_name(s->cmds[0]), "curl");
    CHECK(s->cmds[0]->ctx == (SH_IN_SUBST | SH_IN_PIPE));
    CHECK(s->cmds[0]->parent == s->cmds[2]);
    CHECK(sh_cmd_prev_conn(s, s->cmds[1]) == SH_PIPE);
    sh_script_free(s);
    s = parse("a || { b; c; } && sh -c 'd || e'");
    REQUIRE(s->ncmds == 6);
    CHECK(sh_cmd_prev_conn(s, s->cmds[1]) == SH_END);  /* b, first in its group */
    CHECK(sh_cmd_prev_conn(s, s->cmds[2]) == SH_SEMI); /* c */
    CHECK(sh_cmd_prev_conn(s, s->cmds[3]) == SH_AND);  /* sh, after the group */
    CHECK(sh_cmd_prev_conn(s, s->cmds[5]) == SH_OR);   /* e, in the nested script */
    CHECK(sh_cmd_prev_conn(s, s->cmds[1]->parent) == SH_OR);
    sh_script_free(s);
}

TEST(shell_heredocs_in_text)
{
    DUMP("cat <<EOF > f\nline $x\nEOF\necho done", "cat <<EOF[line $x\n] >f NL echo done");
    DUMP("cat <<-'E'\n\tbody\n\tE\n", "cat <<-E[\tbody\n]");
    DUMP("a <<A; b <<B\n1\nA\n2\nB\nc", "a <<A[1\n] ; b <<B[2\n] NL c");
    DUMP("cat <<EOF | grep x\nbody\nEOF", "cat <<EOF[body\n] | grep x");
    DUMP("cat <<EOF\r\nbody\r\nEOF\r\n", "cat <<EOF[body\r\n]");
    DUMP("bash <<EOF\napt-get install x && rm y\nEOF", "bash <<EOF[apt-get install x && rm y]");
    CMDS("bash -e <<EOF\na | b\nEOF", "bash a@NP b@NP");
    CMDS("python3 <<EOF\nimport os\nEOF", "python3");
    sh_script *s = parse("cat <<\"EOF\"\n$x\nEOF");
    REQUIRE(s->ncmds == 1 && s->cmds[0]->nredirs == 1);
    CHECK(!s->cmds[0]->redirs[0].body_expands);
    CHECK_INT(s->cmds[0]->redirs[0].body_len, 3);
    sh_script_free(s);
    WARNS("cat <<EOF\nbody", "heredoc \"EOF\" is not terminated");
    WARNS("cat <<EOF", "heredoc \"EOF\" has no body");
}

TEST(shell_wrappers)
{
    DUMP("sudo apt-get install x", "sudo:apt-get install x");
    DUMP("sudo -u user -E apt-get install x", "sudo -u user -E:apt-get install x");
    DUMP("sudo --user=u -- make", "sudo --user=u --:make");
    DUMP("sudo VAR=1 pip install x", "sudo VAR=1:pip install x");
    DUMP("env -i A=1 -u B pip install x", "env -i A=1 -u B:pip install x");
    DUMP("xargs -0 -n 1 -I{} rm {}", "xargs -0 -n 1 -I{}:rm {}");
    DUMP("nice -n 10 make", "nice -n 10:make");
    DUMP("nice -10 make", "nice -10:make");
    DUMP("nohup cmd &", "nohup:cmd");
    DUMP("time -p make", "time -p:make");
    DUMP("exec -a name nginx", "exec -a name:nginx");
    DUMP("command -p ls", "command -p:ls");
    DUMP("command -v ls", "command -v ls");
    DUMP("timeout -s KILL 10 curl x", "timeout -s KILL 10:curl x");
    DUMP("stdbuf -oL -e 0 tail f", "stdbuf -oL -e 0:tail f");
    DUMP("gosu app:app node server.js", "gosu app:app:node server.js");
    DUMP("sudo env A=1 nice xargs rm", "sudo env A=1 nice xargs:rm");
    DUMP("sudo -i", "sudo -i");
    DUMP("exec >log 2>&1", "exec >log 2>&1");
    DUMP("/usr/bin/sudo /usr/bin/apt-get update", "/usr/bin/sudo:/usr/bin/apt-get update");
    sh_script *s = parse("sudo -E env PIP_NO_CACHE_DIR=1 pip3 install flask");
    REQUIRE(s->ncmds == 1);
    const sh_cmd *c = s->cmds[0];
    CHECK_STR(sh_cmd_name(c), "pip3");
    CHECK(sh_cmd_wrapped_by(c, "sudo"));
    CHECK(sh_cmd_wrapped_by(c, "env"));
    CHECK(!sh_cmd_wrapped_by(c, "xargs"));
    CHECK(sh_in_list("pip3", "pip|pip3"));
    CHECK(sh_in_list("", "|install"));
    CHECK(!sh_in_list("pip", "pip3|pipx"));
    CHECK(!sh_in_list("pip3x", "pip3"));
    CHECK_STR(sh_cmd_env(c, "PIP_NO_CACHE_DIR"), "1");
    CHECK_INT(sh_cmd_argc(c), 3);
    CHECK_STR(sh_cmd_arg(c, 0)->text, "pip3");
    CHECK(sh_cmd_arg(c, 3) == NULL);
    sh_script_free(s);
}

TEST(shell_nested_scripts)
{
    DUMP("sh -c 'apt-get update && apt-get install -y x'",
         "sh -c apt-get update && apt-get install -y x[apt-get update && apt-get install -y x]");
    DUMP("bash -ec \"a | b\"", "bash -ec a | b[a | b]");
    DUMP("bash -o pipefail -c 'a'", "bash -o pipefail -c a[a]");
    DUMP("su -c 'make install' user", "su -c make install user[make install]");
    DUMP("su - app -c \"npm ci\"", "su - app -c npm ci[npm ci]");
    DUMP("sudo sh -c 'echo x > /etc/f'", "sudo:sh -c echo x > /etc/f[echo x >/etc/f]");
    DUMP("bash script.sh", "bash script.sh");
    DUMP("sh -c", "sh -c");
    CMDS("sh -c \"sh -c 'apk add x'\"", "sh sh@N apk@N");
    CMDS("bash -c \"echo \\\"\\$(id -u)\\\"\"", "bash id@SN echo@N");
    /* the nested words point back into the source */
    sh_script *s = parse("sh -c 'a  bb'");
    REQUIRE(s->ncmds == 2);
    const sh_cmd *c = s->cmds[1];
    REQUIRE(c->nwords == 2);
    CHECK_INT(c->words[1].span.start.off, 10);
    CHECK_INT(c->words[1].span.end.off, 12);
    CHECK(c->parent == s->cmds[0]);
    sh_script_free(s);
}

TEST(shell_options)
{
    sh_script *s = parse("apt-get -qq -o Dpkg::Options::=--force-confold --yes install "
                         "--no-install-recommends -t bookworm-backports curl=7.* git");
    REQUIRE(s->ncmds == 1);
    const sh_cmd *c = s->cmds[0];
    CHECK_STR(sh_cmd_subcommand(c), "install");
    CHECK(sh_cmd_has_opt(c, "-y|--yes|--assume-yes"));
    CHECK(sh_cmd_has_opt(c, "--no-install-recommends"));
    CHECK(!sh_cmd_has_opt(c, "-f"));
    CHECK_INT(sh_cmd_opt_count(c, "-q"), 2);
    CHECK_STR(sh_cmd_opt_value(c, "-o", NULL), "Dpkg::Options::=--force-confold");
    CHECK_STR(sh_cmd_opt_value(c, "-t|--target-release", NULL), "bookworm-backports");
    CHECK_INT(sh_cmd_npositional(c), 3);
    CHECK_STR(sh_cmd_positional(c, 1)->text, "curl=7.*");
    CHECK_STR(sh_cmd_positional(c, 2)->text, "git");
    CHECK(sh_cmd_positional(c, 3) == NULL);
    sh_script_free(s);

    s = parse("apt-get -yq install x; apt-get -q=2 install y; pip --disable-pip-version-check "
              "install --no-cache-dir -r req.txt flask; pip install --index-url=u -i v z");
    REQUIRE(s->ncmds == 4);
    CHECK(sh_cmd_has_opt(s->cmds[0], "-y"));
    CHECK(sh_cmd_has_opt(s->cmds[0], "-q"));
    CHECK_STR(sh_cmd_opt_value(s->cmds[1], "-q", NULL), "2");
    CHECK_STR(sh_cmd_subcommand(s->cmds[2]), "install");
    CHECK(sh_cmd_has_opt(s->cmds[2], "--no-cache-dir"));
    const sh_word *w = NULL;
    CHECK_STR(sh_cmd_opt_value(s->cmds[2], "-r|--requirement", &w), "req.txt");
    CHECK(w && strcmp(w->text, "req.txt") == 0);
    CHECK_STR(sh_cmd_positional(s->cmds[2], 1)->text, "flask");
    CHECK_STR(sh_cmd_opt_value(s->cmds[3], "-i|--index-url", NULL), "v");
    CHECK_INT(sh_cmd_opt_count(s->cmds[3], "-i|--index-url"), 2);
    CHECK_STR(sh_cmd_positional(s->cmds[3], 1)->text, "z");
    sh_script_free(s);

    s = parse("apk add --no-cache -t .deps gcc; npm --prefix /app install -g a@1; "
              "go install -ldflags '-s -w' x@v1; rm -- -f; gem install -v 1.2 rails");
    REQUIRE(s->ncmds == 5);
    CHECK_STR(sh_cmd_positional(s->cmds[0], 1)->text, "gcc");
    CHECK_STR(sh_cmd_opt_value(s->cmds[0], "-t|--virtual", NULL), ".deps");
    CHECK_STR(sh_cmd_subcommand(s->cmds[1]), "install");
    CHECK_STR(sh_cmd_positional(s->cmds[1], 1)->text, "a@1");
    CHECK(sh_cmd_has_opt(s->cmds[2], "-ldflags"));
    CHECK(!sh_cmd_has_opt(s->cmds[2], "-l"));
    CHECK_STR(sh_cmd_positional(s->cmds[2], 1)->text, "x@v1");
    CHECK(!sh_cmd_has_opt(s->cmds[3], "-f"));
    CHECK_STR(sh_cmd_positional(s->cmds[3], 0)->text, "-f");
    CHECK_STR(sh_cmd_opt_value(s->cmds[4], "-v|--version", NULL), "1.2");
    CHECK_STR(sh_cmd_positional(s->cmds[4], 1)->text, "rails");
    sh_script_free(s);
}

TEST(shell_spans)
{
    const char *src = "a && bb 'c d'";
    sh_script *s = sh_parse(src, strlen(src), &(sh_origin){NULL, NULL, 100});
    REQUIRE(s->ncmds == 2);
    const sh_cmd *c = s->cmds[1];
    CHECK_INT(c->span.start.off, 105);
    CHECK_INT(c->span.end.off, 113);
    CHECK_INT(c->words[1].span.start.off, 108);
    CHECK_INT(c->words[1].span.start.col, 109);
    CHECK_INT(s->cmds[0]->span.end.off, 101);
    sh_script_free(s);
}

TEST(shell_warnings)
{
    WARNS("echo 'abc", "1:6 unterminated single quote");
    WARNS("echo \"abc", "1:6 unterminated double quote");
    WARNS("echo $(abc", "1:6 unterminated $(");
    WARNS("echo `abc", "1:6 unterminated backquote");
    WARNS("echo ${abc", "1:6 unterminated ${");
    WARNS("if a; then b", "\"fi\" expected to go on \"if\", found the end of the script");
    WARNS("a && && b", "a command expected after \"&&\", found \"&&\"");
    WARNS("a | ", "a command expected after \"|\"");
    WARNS(") a", "unexpected token, found \")\"");
    WARNS("fi", "unexpected token, found \"fi\"");
    WARNS("case x in a) b", "\";;\" or \"esac\" expected");
    WARNS("while a; b; done", "\"do\" expected");
    WARNS("echo >", "a redirection needs a target");
    WARNS("; a", "a command expected, found \";\"");
    WARNS("! && a", "a command expected after \"!\", found \"&&\""); /* fuzz: no command */
    WARNS("! | a", "a command expected after \"!\"");
    sh_script *s = parse("echo 'x\ny' && b 'c");
    REQUIRE(s->nwarnings == 1);
    CHECK_INT(s->warnings[0].span.start.line, 1);
    CHECK_INT(s->warnings[0].span.start.col, 17); /* no file: lines are not counted */
    sh_script_free(s);
}

TEST(shell_deep_nesting)
{
    /* far past the limit, in several shapes: no crash, a warning */
    const char *opens[] = {"(", "$(", "{ ", "if a; then ", "`", "\"$("};
    for (size_t k = 0; k < sizeof opens / sizeof opens[0]; k++) {
        size_t n = 100000, ol = strlen(opens[k]);
        char *src = malloc(n * ol + 1);
        for (size_t i = 0; i < n; i++)
            memcpy(src + i * ol, opens[k], ol);
        src[n * ol] = '\0';
        sh_script *s = parse(src);
        if (k != 4 && (!s->too_deep || s->nwarnings == 0)) /* backquotes pair up instead */
            kt_fail(__FILE__, __LINE__, "%s: too_deep %d, %zu warnings", opens[k], s->too_deep,
                    s->nwarnings);
        sh_script_free(s);
        free(src);
    }
    /* exactly at the limit is fine */
    char src[4 * SH_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < SH_MAX_DEPTH - 1; i++) {
        src[n++] = '(';
        src[n++] = ' ';
    }
    src[n++] = 'a';
    for (int i = 0; i < SH_MAX_DEPTH - 1; i++)
        src[n++] = ')';
    src[n] = '\0';
    sh_script *s = parse(src);
    CHECK(!s->too_deep);
    CHECK_INT(s->ncmds, 1);
    sh_script_free(s);
}

TEST(shell_long_lines)
{
    /* 64 KiB of "a && " and one word of 64 KiB */
    size_t n = 65536;
    char *src = malloc(n + 1);
    for (size_t i = 0; i < n; i += 5)
        memcpy(src + i, "a && ", n - i < 5 ? n - i : 5);
    src[n] = '\0';
    sh_script *s = parse(src);
    CHECK_INT(s->ncmds, 13108);
    sh_script_free(s);
    memset(src, 'x', n);
    s = parse(src);
    CHECK_INT(s->ncmds, 1);
    CHECK_INT(s->cmds[0]->words[0].len, n);
    sh_script_free(s);
    free(src);
}

/* ---- RUN instructions ----------------------------------------------------------- */

static df_file *dockerfile(const char *src)
{
    df_file *f = NULL;
    kd_error *err = NULL;
    if (df_parse("Dockerfile", src, strlen(src), &f, &err) < 0) {
        kt_fail(__FILE__, __LINE__, "%s", err->msg);
        kd_error_free(err);
    }
    return f;
}

/* the dump of the model of the n-th instruction of a Dockerfile */
static void run_is(int line, const char *src, size_t n, const char *want)
{
    df_file *f = dockerfile(src);
    if (f == NULL)
        return;
    view_is(line, sh_parse_run(f, &f->instrs[n]), src, shd_dump, want);
    df_file_free(f);
}
#define RUN_IS(src, n, want) run_is(__LINE__, src, n, want)

TEST(shell_run_forms)
{
    RUN_IS("FROM a\nRUN apt-get update \\\n && apt-get install -y x\n", 1,
           "apt-get update && apt-get install -y x");
    RUN_IS("FROM a\nRUN --mount=type=cache,target=/root/.cache pip install x\n", 1,
           "pip install x");
    RUN_IS("FROM a\nRUN [\"apt-get\", \"install\", \"-y\", \"x\"]\n", 1, "apt-get install -y x");
    RUN_IS("FROM a\nRUN [\"sh\", \"-c\", \"a && b\"]\n", 1, "sh -c a && b[a && b]");
    RUN_IS("FROM a\nRUN [\"echo\", \"$HOME\"]\n", 1, "echo $HOME");
    RUN_IS("FROM a\nRUN <<EOF\napt-get update\napt-get install -y x\nEOF\n", 1,
           "apt-get update NL apt-get install -y x");
    RUN_IS("FROM a\nRUN <<-EOF\n\tset -e\n\tmake\nEOF\n", 1, "set -e NL make");
    RUN_IS("FROM a\nRUN <<EOF\n#!/bin/bash\nmake\nEOF\n", 1, "make");
    RUN_IS("FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nimport os\nEOF\n", 1, "");
    RUN_IS("FROM a\nRUN cat <<EOF > /etc/x.conf\nk=v\nEOF\n", 1, "cat <<EOF[k=v\n] >/etc/x.conf");
    RUN_IS("FROM a\nRUN bash <<EOF\nset -e\napk add x\nEOF\n", 1,
           "bash <<EOF[set -e NL apk add x]");
    RUN_IS("FROM a\nRUN cat <<A >a && cat <<B >b\n1\nA\n2\nB\n", 1,
           "cat <<A[1\n] >a && cat <<B[2\n] >b");
    RUN_IS("FROM a\nONBUILD RUN make install\n", 1, "");
    RUN_IS("FROM a\nCOPY x y\n", 1, "");

    /* spans across a continuation, and inside a heredoc script */
    df_file *f = dockerfile("FROM a\nRUN apt-get update \\\n  && apt-get install -y \\\n    curl\n"
                            "RUN <<EOF\n  rm -rf /x\nEOF\n");
    REQUIRE(f != NULL);
    sh_script *s = sh_parse_run(f, &f->instrs[1]);
    REQUIRE(s->ncmds == 2);
    const sh_cmd *c = s->cmds[1];
    CHECK_INT(c->span.start.line, 3);
    CHECK_INT(c->span.start.col, 6);
    CHECK_INT(c->span.end.line, 4);
    CHECK_INT(c->span.end.col, 9);
    CHECK_INT(c->words[3].span.start.line, 4);
    CHECK_INT(c->words[3].span.start.col, 5);
    sh_script_free(s);
    s = sh_parse_run(f, &f->instrs[2]);
    REQUIRE(s->ncmds == 1);
    CHECK_INT(s->cmds[0]->span.start.line, 6);
    CHECK_INT(s->cmds[0]->span.start.col, 3);
    CHECK_INT(s->cmds[0]->words[2].span.start.col, 10);
    sh_script_free(s);
    df_file_free(f);

    /* exec form: sh -c's script maps into the JSON string, escapes too */
    f = dockerfile("FROM a\nRUN [\"sh\", \"-c\", \"echo \\\"x\\\" && rm -rf /y\"]\n");
    REQUIRE(f != NULL);
    s = sh_parse_run(f, &f->instrs[1]);
    REQUIRE(s->ncmds == 3);
    CHECK(s->exec_form);
    CHECK_STR(sh_cmd_name(s->cmds[2]), "rm");
    CHECK_INT(s->cmds[2]->span.start.col, 33);
    CHECK_INT(s->cmds[1]->words[1].span.start.col, 24);
    CHECK_INT(s->cmds[1]->words[1].span.end.col, 28); /* inside the last \" */
    sh_script_free(s);
    df_file_free(f);
}

TEST(shell_run_posix)
{
    df_file *f = dockerfile("FROM debian AS base\nRUN a\nSHELL [\"powershell\", \"-c\"]\nRUN b\n"
                            "FROM base\nRUN c\nSHELL [\"/bin/bash\", \"-c\"]\nRUN d\n"
                            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN e\n"
                            "FROM alpine\nRUN f\n");
    REQUIRE(f != NULL);
    CHECK(sh_run_posix(f, 1));
    CHECK(!sh_run_posix(f, 3));
    CHECK(!sh_run_posix(f, 5)); /* inherits base's SHELL */
    CHECK(sh_run_posix(f, 7));
    CHECK(!sh_run_posix(f, 9));
    CHECK(sh_run_posix(f, 11));
    df_file_free(f);
}

/* Lines as they stand in real Dockerfiles (docker-library, tianon, the
 * vscode dev containers): the commands that run, in order, with where. */
TEST(shell_real_world_lines)
{
    CMDS("set -eux; savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; "
         "apt-get install -y --no-install-recommends dpkg-dev ruby ; "
         "dpkgArch=\"$(dpkg --print-architecture)\"; case \"$dpkgArch\" in "
         "'amd64') rustArch='x86_64-unknown-linux-gnu'; rustupUrl='https://x/rustup-init'; ;; "
         "'arm64') rustArch='aarch64-unknown-linux-gnu' ;; esac; "
         "if [ -n \"$rustArch\" ]; then mkdir -p /tmp/rust; "
         "wget -O /tmp/rust/rustup-init \"$rustupUrl\"; "
         "echo \"$rustupSha256 */tmp/rust/rustup-init\" | sha256sum --check --strict; fi",
         "set apt-mark@S - apt-get apt-get dpkg@S - -@B -@B -@B [@C mkdir@B wget@B echo@BP "
         "sha256sum@BP");
    CMDS("find /usr/local -type f -executable -not \\( -name '*tkinter*' \\) -exec scanelf "
         "--needed --nobanner --format '%n#p' '{}' ';' | tr ',' '\\n' | sort -u | awk "
         "'system(\"[ -e /usr/local/lib/\" $1 \" ]\") == 0 { next } { print \"so:\" $1 }' | "
         "xargs -rt apk add --no-network --virtual .python-rundeps",
         "find@P tr@P sort@P awk@P apk@P");
    CMDS("{ echo '<FilesMatch \\.php$>'; echo '\\tSetHandler application/x-httpd-php'; "
         "echo '</FilesMatch>'; } | tee \"$APACHE_CONFDIR/conf-available/docker-php.conf\" && "
         "a2enconf docker-php",
         "echo@P echo@P echo@P tee@P a2enconf");
    CMDS("export GNUPGHOME=\"$(mktemp -d)\"; for key in $KEYS; do gpg --batch --keyserver "
         "hkps://keys.openpgp.org --recv-keys \"$key\" || gpg --batch --keyserver "
         "keyserver.ubuntu.com --recv-keys \"$key\"; done; gpgconf --kill all; "
         "rm -rf \"$GNUPGHOME\"",
         "mktemp@S export gpg@L gpg@L gpgconf rm");
    CMDS("groupadd --gid $USER_GID $USERNAME && useradd -s /bin/bash --uid $USER_UID --gid "
         "$USER_GID -m $USERNAME && echo $USERNAME ALL=\\(root\\) NOPASSWD:ALL > "
         "/etc/sudoers.d/$USERNAME && chmod 0440 /etc/sudoers.d/$USERNAME",
         "groupadd useradd echo chmod");
    CMDS("su ${USERNAME} -c \"umask 0002 && . /usr/local/share/nvm/nvm.sh && nvm install "
         "${NODE_VERSION} 2>&1\"",
         "su umask@N .@N nvm@N");
    CMDS("curl -fsSL \"https://github.com/x/${VERSION}.tar.gz\" | tar -xz -C /usr/local/bin "
         "--strip-components=1 && chmod +x /usr/local/bin/x",
         "curl@P tar@P chmod");
}
