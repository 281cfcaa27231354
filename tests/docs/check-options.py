#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that each tool's option table, its --help and its man page name the same long options.

For every tool, three sets of long options are compared:
  table  the `struct option` entries in tools/<tool>/*.c (what getopt_long accepts),
  help   the --options printed by the built binary's --help,
  man    the --options named anywhere in man/<tool>.8.
Rules:
  - help and man name only options the table has (no documented option that does not exist);
  - the man page names every option of the table;
  - --help names every option of the table except the HIDDEN ones below, each with its reason;
  - the table has every option kmod 30 accepts (KMOD30, probed from Debian 12's kmod 30 by
    running `<tool> --<option> -h`), so a script written for kmod keeps working.
Usage: check-options.py SOURCE-ROOT BUILD-ROOT
"""
import os
import re
import subprocess
import sys

TOOLS = ("depmod", "insmod", "lsmod", "modinfo", "modprobe", "rmmod")

# Accepted but left out of --help, as kmod leaves them out of its own.
HIDDEN = {
    "depmod": {
        "unresolved-error": "kmod 30's deprecated no-op",
        "quiet": "kmod 30's deprecated no-op",
        "root": "kmod 30's deprecated no-op",
        "map": "kmod 30's deprecated no-op",
    },
    "modprobe": {
        "show-alias": "an older libmod spelling of --resolve-alias, kept for its scripts",
    },
}

# kmod 30's long options, per tool (lsmod takes none).
KMOD30 = {
    "depmod": "all quick basedir config symvers filesyms errsyms unresolved-error quiet root "
              "verbose show dry-run symbol-prefix warn map version help",
    "insmod": "version help",
    "lsmod": "",
    "modinfo": "author description license parameters filename null modname field "
               "set-version basedir version help",
    "modprobe": "all remove remove-dependencies remove-holders wait resolve-alias first-time "
                "ignore-install ignore-remove use-blacklist force force-modversion "
                "force-vermagic show-depends showconfig show-config show-modversions "
                "dump-modversions show-exports dry-run show config dirname set-version syslog "
                "quiet verbose version help",
    "rmmod": "force syslog verbose version help",
}

LONG = re.compile(r"(?<![\w-])--([a-z0-9][a-z0-9-]*[a-z0-9])")


def table_options(src, tool):
    """Long option names of every `struct option` array in the tool's sources."""
    names = set()
    d = os.path.join(src, "tools", tool)
    for f in sorted(os.listdir(d)):
        if not f.endswith(".c"):
            continue
        text = open(os.path.join(d, f)).read()
        for array in re.finditer(r"struct option\s+\w+\[\]\s*=\s*\{(.*?)\n\};", text, re.S):
            names.update(re.findall(r'\{\s*"([^"]+)"\s*,\s*(?:no|required|optional)_argument',
                                    array.group(1)))
    return names


def help_options(build, tool):
    exe = os.path.join(build, "tools", tool, tool)
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise SystemExit(f"{tool} --help: exit status {out.returncode}: {out.stderr.strip()}")
    return set(LONG.findall(out.stdout))


def man_options(src, tool):
    text = open(os.path.join(src, "man", tool + ".8")).read()
    # troff: \- is a minus, \fB/\fI/\fR/\fP switch fonts, \& is a zero-width break.
    text = re.sub(r"\\f[BIRP]|\\&", "", text).replace("\\-", "-")
    return set(LONG.findall(text))


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n")[-2])
    src, build = sys.argv[1:]
    problems = []
    for tool in TOOLS:
        table = table_options(src, tool)
        helped = help_options(build, tool)
        manned = man_options(src, tool)
        hidden = set(HIDDEN.get(tool, {}))
        kmod = set(KMOD30[tool].split())
        if not table:
            problems.append(f"{tool}: no option table found in tools/{tool}/*.c")
            continue
        checks = [
            (helped - table, "--help names options the tool does not accept"),
            (manned - table, f"man/{tool}.8 names options the tool does not accept"),
            (table - manned, f"man/{tool}.8 does not document"),
            (table - hidden - helped, "--help does not list"),
            (hidden - table, "HIDDEN (in this test) names options the tool no longer has"),
            (kmod - table, "kmod 30 accepts, the tool does not"),
        ]
        bad = [f"{tool}: {what}: {' '.join('--' + o for o in sorted(opts))}"
               for opts, what in checks if opts]
        problems += bad
        print(f"{'FAIL' if bad else 'ok  '} {tool}: {len(table)} long options, "
              f"{len(helped)} in --help, {len(manned)} in the man page")
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
