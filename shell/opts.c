/* Which options of common tools take a separate value, so that the value
 * is not mistaken for a positional argument (apt-get -o X install pkg,
 * pip install -r req.txt pkg, apk add -t .deps pkg). Global and subcommand
 * options share one list per tool: the names rarely clash. */
#include "shell/internal.h"

#include <string.h>

static const sh_optspec specs[] = {
    {"apt-get|apt|apt-cache|aptitude", "octa",
     "option|config-file|target-release|default-release|host-architecture", false},
    {"apk", "XpPtU",
     "repository|root|arch|cache-dir|keys-dir|repositories-file|virtual|cache-max-age|"
     "timeout",
     false},
    {"yum|dnf|microdnf|tdnf|dnf5", "cdexR",
     "config|installroot|releasever|setopt|enablerepo|disablerepo|repo|repoid|exclude|"
     "debuglevel|errorlevel|rpmverbosity|downloaddir|destdir|forcearch|color|advisory|"
     "advisories|bz|cve|sec-severity|secseverity|repofrompath|comment|disableplugin|"
     "enableplugin|installonly-limit|nobest|setopt",
     false},
    {"zypper", "cRrtD",
     "config|root|repo|type|from|reposd-path|cache-dir|raw-cache-dir|solv-cache-dir|"
     "pkg-cache-dir|download",
     false},
    {"rpm", "", "root|dbpath|define|eval|macros|rcfile|excludepath|relocate|prefix", false},
    {"pip|pip2|pip3|pipx|uv", "rcefitC",
     "requirement|constraint|editable|index-url|extra-index-url|find-links|target|prefix|"
     "root|src|upgrade-strategy|only-binary|no-binary|platform|python-version|"
     "implementation|abi|progress-bar|trusted-host|cert|client-cert|cache-dir|log|log-file|"
     "proxy|retries|timeout|exists-action|global-option|install-option|config-settings|"
     "python|report|root-user-action|use-feature|use-deprecated|build|keyring-provider|"
     "group|hash",
     false},
    {"npm|npx", "wC",
     "prefix|cache|registry|userconfig|globalconfig|tag|workspace|omit|include|loglevel|"
     "only|install-strategy|save-prefix|scope|otp|before|fetch-retries",
     false},
    {"yarn", "",
     "cwd|modules-folder|cache-folder|network-timeout|mutex|registry|network-concurrency|"
     "use-yarnrc|global-folder|link-folder|preferred-cache-folder",
     false},
    {"pnpm", "CF", "dir|filter|store-dir|reporter|workspace-dir|virtual-store-dir|config", false},
    {"gem", "vinspgP",
     "version|install-dir|bindir|source|http-proxy|platform|file|document|trust-policy|"
     "build-root",
     false},
    {"bundle|bundler", "jg", "jobs|gemfile|path|without|with|retry|binstubs|standalone", false},
    {"composer", "d", "working-dir|prefer-install", false},
    {"conda|mamba|micromamba", "ncp", "name|channel|prefix|file|platform", false},
    {"go", "",
     "o|C|p|ldflags|gcflags|asmflags|gccgoflags|tags|mod|modfile|buildmode|compiler|"
     "installsuffix|overlay|pgo|pkgdir|toolexec|exec|covermode|coverpkg|run|bench|count|"
     "timeout|cpu|parallel",
     true},
    {"mvn|mvnw", "fsPDtlTeb",
     "file|settings|global-settings|activate-profiles|projects|threads|log-file|"
     "toolchains|builder|resume-from",
     false},
    {"gradle|gradlew", "xpbcgDPI",
     "exclude-task|project-dir|build-file|settings-file|gradle-user-home|init-script|"
     "console|warning-mode|max-workers",
     false},
    {"curl", "oHdXuAeFTxwmrbcCKEyYzUQ",
     "output|header|data|data-raw|data-binary|data-urlencode|request|user|user-agent|"
     "referer|form|upload-file|proxy|write-out|max-time|range|cookie|cookie-jar|"
     "continue-at|config|cert|speed-limit|speed-time|time-cond|proxy-user|quote|retry|"
     "retry-delay|retry-max-time|connect-timeout|url|cacert|capath|key|resolve|"
     "output-dir|dns-servers|interface|limit-rate|max-filesize|netrc-file|proto|"
     "proto-redir|tlsv1.2|ciphers",
     false},
    {"wget", "oOaPUtTeiABDIlQwX",
     "output-file|output-document|append-output|directory-prefix|user-agent|tries|timeout|"
     "execute|input-file|accept|reject|domains|include-directories|level|quota|wait|"
     "exclude-directories|header|user|password|http-user|http-password|post-data|"
     "post-file|ca-certificate|certificate|private-key|load-cookies|save-cookies|"
     "referer|base|dns-timeout|connect-timeout|read-timeout|limit-rate|progress|"
     "method|body-data|body-file",
     false},
    {"useradd|adduser|groupadd|addgroup|usermod", "ugGdscefkKpRPbZ",
     "uid|gid|groups|home-dir|home|shell|comment|expiredate|inactive|skel|key|password|"
     "root|prefix|base-dir|selinux-user|gecos|ingroup|firstuid|lastuid|conf",
     false},
    {"tar", "fCbTXKLNgHV",
     "file|directory|blocking-factor|files-from|exclude-from|exclude|starting-file|"
     "tape-length|newer|listed-incremental|format|label|owner|group|mode|transform|"
     "use-compress-program|strip-components",
     false},
    {"sh|bash|dash|ash|zsh|ksh|mksh", "oO", "rcfile|init-file", false},
    {"python|python2|python3", "mcWX", "", false},
    {"su|runuser", "csgGw", "command|session-command|shell|group|supp-group", false},
    {"chown|chmod|chgrp", "", "reference|from", false},
    {"cp|mv|ln|install", "tSmog", "target-directory|suffix|mode|owner|group", false},
    {"find", "", "", false},
    {"git", "C", "git-dir|work-tree|branch|depth|config|origin|reference|separate-git-dir", false},
    {"docker-php-ext-install|docker-php-ext-configure", "j", "", false},
    {"make", "CfIjloW", "directory|file|include-dir|jobs|load-average|old-file|what-if|assume-new",
     false},
    {"cargo", "jpZ",
     "jobs|package|target|features|root|version|git|branch|tag|rev|path|"
     "registry|index|manifest-path|target-dir|profile",
     false},
    {"mkdir", "m", "mode", false},
};

/* Versioned names (pip3.11, python3.12) use their tool's table. */
const sh_optspec *sh_optspec_for(const char *name)
{
    static const sh_optspec none = {"", "", "", false};
    size_t n = strlen(name);
    for (int pass = 0; pass < 2; pass++) {
        uint64_t h = sh_name_hash(name, n);
        for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++)
            if (sh_name_in_hashed(name, n, h, specs[k].names))
                return &specs[k];
        size_t before = n;
        while (n > 1 && ((name[n - 1] >= '0' && name[n - 1] <= '9') || name[n - 1] == '.'))
            n--;
        if (n == before)
            break; /* no version suffix: nothing more to try */
    }
    return &none;
}
