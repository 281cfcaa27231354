#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kmod's own test suite, run against our tools.

Debian's kmod source package (kmod 30, fetched and cached by scripts/fetch-kmod-src.sh) holds
kmod's testsuite/: LD_PRELOAD shims (path.so redirects absolute paths into a per-test root,
uname.so fakes the kernel release, init_module.so and delete_module.so fake the kernel's module
calls), prebuilt test modules and rootfs fixtures, and test-* programs that exec
"<kmod build dir>/tools/<tool>" and compare stdout, stderr, generated files and the set of
"loaded" modules with expected files. This script builds that harness with kmod's autotools (once
per build directory), points its tools/ directory at our binaries, runs every tool test one by
one, prints a table and fails on any result not listed in expected-differences.txt.

Nothing of kmod's is copied into this repository: the harness is built from the fetched source.
kmod's tests and expected files are used as they are; only the harness's per-test time limit is
raised in the build copy (HARNESS_TIMEOUT_S).
If that source cannot be fetched or built, this is a failure (exit 1), never a skip.

Usage: run.py --build-root DIR --tool NAME=PATH... [options]
  --harness-dir DIR   where kmod's harness is built
                      (default BUILD_ROOT/tests/kmod-testsuite/harness)
  --libkmod PATH      also build and run kmod's libkmod API tests, linked against this
                      libkmod.so.2 (for libmod's libkmod compatibility library)
  --reference         run the tool tests against Debian's installed kmod instead (harness check)
  --only PROG[:TEST]  run only these (repeatable), e.g. --only test-depmod:depmod_detect_loop
  -v, --verbose       print the harness output of every test, not only of failures
"""
import argparse
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
FETCH = os.path.join(SOURCE_ROOT, 'scripts', 'fetch-kmod-src.sh')
EXPECTED = os.path.join(HERE, 'expected-differences.txt')

# Test programs whose tests exec a tool from <kmod build dir>/tools/.
TOOL_PROGRAMS = ['test-modprobe', 'test-depmod', 'test-modinfo']
# Checks the shims themselves on this machine (no tool, no libkmod): if these fail, nothing
# else in the table means anything.
HARNESS_PROGRAMS = ['test-testsuite']
# Tests of the libkmod API: they link libkmod, so they can only run against a libkmod.so.2.
API_PROGRAMS = ['test-init', 'test-initstate', 'test-loaded', 'test-new-module',
                'test-dependencies', 'test-blacklist']
# kmod's TESTSUITE_OVERRIDE_LIBS_LDFLAGS (Makefile.am), plus: no symbol of the embedded
# libkmod-internal and libshared archives exported.
SHIM_LDFLAGS_HIDDEN = ('-avoid-version -module -shared -export-dynamic -rpath /nowhere -ldl '
                       '-Wl,--exclude-libs,ALL')
# API tests that call a libkmod-internal function no libkmod.so.2 exports (Debian's neither):
# linked with a stand-in of ours (list-append.c says why it is sound).
LINK_HELPERS = {'test-blacklist': 'kmod_list_append'}
# Tests run with LeakSanitizer off, and why. Nothing else may leak.
NO_LEAK_CHECK = {
    ('test-init', 'test_insert'): "kmod's init_module.so (the fake kernel, not the library "
                                  'under test) leaks its TESTSUITE_INIT_MODULE_RETCODES entries: '
                                  'parse_retcodes() links them into its by-value parameter, '
                                  'never into the list its destructor frees (20 bytes for '
                                  '"bla:1:20")',
}
# Listed in the table, never run, with the reason.
NOT_APPLICABLE = {
    'test-tools': "execs `kmod insert` / `kmod remove`, kmod's --enable-experimental subcommands, "
                  'which libmod does not provide',
    'test-hash': "kmod's internal hash table (shared/), not libkmod API",
    'test-array': "kmod's internal array (shared/)",
    'test-scratchbuf': "kmod's internal scratch buffer (shared/)",
    'test-strbuf': "kmod's internal string buffer (shared/)",
    'test-util': "kmod's internal helpers (shared/util.c)",
    'test-list': "kmod's internal kmod_list functions, not exported by libkmod.so.2",
}
TOOLS = ['modprobe', 'insmod', 'rmmod', 'lsmod', 'depmod', 'modinfo']

# Everything that decides what the harness build produces; a change rebuilds it.
CONFIGURE_ARGS = ['--prefix=/usr', '--sysconfdir=/etc', '--disable-manpages',
                  '--disable-test-modules', '--with-zlib', '--with-xz', '--with-zstd',
                  '--with-openssl', 'CFLAGS=-O0 -g']
SHIMS = ['testsuite/path.la', 'testsuite/uname.la', 'testsuite/init_module.la',
         'testsuite/delete_module.la']
PER_TEST_TIMEOUT = 180  # seconds, around one test program run
# The one change made to kmod's harness (in the build copy, never to its tests or expected files):
# it gives a test 2 s in all, which our sanitizer builds miss on a loaded 2-core machine (at load
# 24, 16 of 37 tests timed out). Bump PREPARE_VERSION when this changes.
HARNESS_TIMEOUT_S = 60
PREPARE_VERSION = '2'

RESULT_RE = re.compile(r'^TESTSUITE: (?:ERR: )?(PASSED|FAILED|EXPECTED FAIL|UNEXPECTED PASS|'
                       r'SKIPPED)(.*)$')


def log(msg):
    print(f'kmod-testsuite: {msg}', flush=True)


def die(msg):
    print(f'kmod-testsuite: FAILURE: {msg}', file=sys.stderr, flush=True)
    sys.exit(1)


def run(cmd, cwd, logfile, env=None):
    """Runs a build step with its output in logfile; on failure shows the log's tail and dies."""
    start = time.monotonic()
    with open(logfile, 'a') as out:
        out.write(f'\n$ {" ".join(cmd)}\n')
        out.flush()
        r = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
    if r.returncode != 0:
        with open(logfile) as f:
            tail = f.readlines()[-40:]
        sys.stderr.write(''.join(tail))
        die(f'harness build step failed ({" ".join(cmd)}); full log: {logfile}')
    return time.monotonic() - start


def nice_cmd(cmd):
    return (['nice'] if shutil.which('nice') else []) + cmd


def fetch_source():
    r = subprocess.run([FETCH, '--print-dir', '--print-version'], capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    lines = r.stdout.split()
    if r.returncode != 0 or len(lines) != 2 or not os.path.isdir(lines[0]):
        die("cannot fetch Debian's kmod source package (scripts/fetch-kmod-src.sh failed); "
            'kmod\'s test suite cannot run. Check apt deb-src access, or run '
            'scripts/install-deps.sh.')
    return lines[0], lines[1]


def prepared_source(src, version):
    """kmod's source with its autotools files generated, shared by every build directory."""
    prepared = f'{src}.prepared'
    stamp = os.path.join(prepared, '.libmod-prepared')

    def is_current():
        try:
            with open(stamp) as f:
                return f.read().strip() == PREPARE_VERSION
        except FileNotFoundError:
            return False

    if is_current():
        return prepared
    with open(f'{src}.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_current():
            return prepared
        tmp = f'{prepared}.tmp'
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp, symlinks=True)
        harness_c = os.path.join(tmp, 'testsuite', 'testsuite.c')
        with open(harness_c) as f:
            text = f.read()
        text, n = re.subn(r'^(#define TEST_TIMEOUT_USEC) 2 \* USEC_PER_SEC$',
                          rf'\1 {HARNESS_TIMEOUT_S} * USEC_PER_SEC', text, flags=re.M)
        if n != 1:
            die(f"kmod's harness has no '#define TEST_TIMEOUT_USEC 2 * USEC_PER_SEC' any more "
                f'({harness_c}): update run.py')
        with open(harness_c, 'w') as f:
            f.write(text)
        # kmod's autogen.sh also runs gtkdocize; the API documentation is not needed here.
        os.makedirs(os.path.join(tmp, 'libkmod', 'docs'), exist_ok=True)
        open(os.path.join(tmp, 'libkmod', 'docs', 'gtk-doc.make'), 'a').close()
        log(f'autoreconf kmod {version} (once per kmod version)')
        run(nice_cmd(['autoreconf', '--force', '--install']), tmp,
            os.path.join(tmp, 'libmod-autoreconf.log'))
        # Not a fetched source any more: fetch-kmod-src.sh must not take it for a version.
        os.remove(os.path.join(tmp, '.libmod-complete'))
        with open(os.path.join(tmp, '.libmod-prepared'), 'w') as f:
            f.write(PREPARE_VERSION + '\n')
        shutil.rmtree(prepared, ignore_errors=True)
        os.rename(tmp, prepared)
    return prepared


def build_harness(harness, src, version):
    """configure + make of kmod's test harness in harness/build; reused while its key holds."""
    build = os.path.join(harness, 'build')
    key = hashlib.sha256(repr((version, PREPARE_VERSION, CONFIGURE_ARGS, SHIMS, TOOL_PROGRAMS,
                               HARNESS_PROGRAMS)).encode()).hexdigest()
    stamp = os.path.join(harness, 'stamp')
    try:
        with open(stamp) as f:
            if f.read().strip() == key:
                return build, False
    except FileNotFoundError:
        pass
    source = prepared_source(src, version)
    shutil.rmtree(harness, ignore_errors=True)
    os.makedirs(build)
    logfile = os.path.join(harness, 'build.log')
    jobs = str(min(2, os.cpu_count() or 1))
    log(f'building kmod {version} test harness in {build} (log: {logfile})')
    t = run(nice_cmd([os.path.join(source, 'configure')] + CONFIGURE_ARGS), build, logfile)
    log(f'  configure: {t:.0f} s')
    # The rootfs first: libtestsuite.la depends on it, and it needs the playground's modules.
    t = run(nice_cmd(['make', 'rootfs']), build, logfile)
    programs = [f'testsuite/{p}' for p in TOOL_PROGRAMS + HARNESS_PROGRAMS]
    t += run(nice_cmd(['make', '-j', jobs] + SHIMS + programs), build, logfile)
    log(f'  make: {t:.0f} s')
    with open(stamp, 'w') as f:
        f.write(key + '\n')
    return build, True


def build_api_programs(harness, build, libkmod):
    """Links kmod's libkmod API tests against LIBKMOD (instead of kmod's static internal
    libkmod), found at run time through the rpath. Kept apart from the harness build, with its
    own stamp, so the tool tests and the API tests (two meson tests) share one harness."""
    libkmod = os.path.abspath(libkmod)
    libdir = os.path.dirname(libkmod)
    ldflags = f'-Wl,-rpath,{libdir}'
    dyn = subprocess.run(['readelf', '-d', libkmod], capture_output=True, text=True).stdout
    if 'libasan' in dyn:
        # A sanitizer build of the library: its runtime must come first in the program.
        ldflags += ' -fsanitize=address,undefined'
    key = hashlib.sha256(repr((API_PROGRAMS, LINK_HELPERS, SHIM_LDFLAGS_HIDDEN, libkmod, ldflags,
                               open(os.path.join(HERE, 'list-append.c')).read())
                              ).encode()).hexdigest()
    stamp = os.path.join(harness, 'api-stamp')
    try:
        with open(stamp) as f:
            if f.read().strip() == key:
                return
    except FileNotFoundError:
        pass
    logfile = os.path.join(harness, 'build.log')
    log(f'linking kmod\'s libkmod API tests against {libkmod}')
    # kmod's init_module.so (the fake init_module/finit_module test_insert preloads) embeds
    # kmod's whole libkmod and exports it: preloaded, its kmod_* would stand in for every
    # libkmod call of the test, so the library under test would not be tested at all. Relinked
    # with the embedded archives' symbols local; its own wrappers stay exported.
    for f in ('testsuite/init_module.la', 'testsuite/init_module.lo'):
        if os.path.exists(os.path.join(build, f)):
            os.remove(os.path.join(build, f))
    run(nice_cmd(['make', 'testsuite/init_module.la',
                  'testsuite_init_module_la_LDFLAGS=' + SHIM_LDFLAGS_HIDDEN]), build, logfile)
    exported = subprocess.run(['nm', '-D', '--defined-only',
                               os.path.join(build, 'testsuite', '.libs', 'init_module.so')],
                              capture_output=True, text=True).stdout
    leaked = re.findall(r' T (kmod_\w+)', exported)
    if leaked or ' T init_module' not in exported:
        die(f"init_module.so still exports libkmod ({', '.join(leaked[:3])}...) or lost its "
            'init_module wrapper')
    helper = os.path.abspath(os.path.join(build, 'testsuite', 'libmod-list-append.o'))
    run(nice_cmd(['cc', '-c', '-O1', '-g', '-o', helper, os.path.join(HERE, 'list-append.c')]),
        build, logfile)
    for p in API_PROGRAMS:
        extra = ' ' + helper if p in LINK_HELPERS else ''
        target = os.path.join(build, 'testsuite', p)
        if os.path.exists(target):
            os.remove(target)  # relinked against this library, whatever make thinks is current
        err = os.path.join(build, 'testsuite', f'{p}.link-error')
        if os.path.exists(err):
            os.remove(err)
        r = subprocess.run(nice_cmd([
            'make', f'testsuite/{p}',
            f'TESTSUITE_LDADD=testsuite/libtestsuite.la shared/libshared.la {libkmod}{extra}',
            f'AM_LDFLAGS={ldflags}']), cwd=build, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        with open(logfile, 'a') as out:
            out.write(r.stdout)
        if r.returncode != 0:
            # Reported per test in the table.
            undefined = sorted(set(re.findall(r"undefined reference to `([^']+)'", r.stdout)))
            with open(err, 'w') as f:
                f.write('link failed' + (': undefined ' + ', '.join(undefined)
                                         if undefined else '') + '\n')
    with open(stamp, 'w') as f:
        f.write(key + '\n')


def point_tools(build, tools, reference):
    """<kmod build dir>/tools/<tool>: what kmod's tests exec."""
    d = os.path.join(build, 'tools')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name in TOOLS:
        target = shutil.which('kmod') if reference else tools.get(name)
        if target:
            os.symlink(os.path.abspath(target), os.path.join(d, name))


def list_tests(build, prog):
    r = subprocess.run([os.path.join(build, 'testsuite', prog), '--list'], capture_output=True,
                       text=True)
    if r.returncode != 0:
        die(f'{prog} --list failed: {r.stdout}{r.stderr}')
    return [m.group(1) for m in re.finditer(r'^\t([^,\s]+),', r.stdout, re.M)]


def run_one(build, prog, test, env):
    """Runs one test; returns (ok, summary, output). kmod's test programs exit 0 on some
    failures (a wait status returned from main), so the verdict is read from their output."""
    try:
        r = subprocess.run([os.path.join(build, 'testsuite', prog), test], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=PER_TEST_TIMEOUT)
        out = r.stdout.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired as e:
        return False, f'timed out after {PER_TEST_TIMEOUT} s', (e.stdout or b'').decode(
            'utf-8', 'replace')
    verdict = None
    for line in out.splitlines():
        m = RESULT_RE.match(line)
        if m:
            verdict = (m.group(1), m.group(2))
    if verdict is None and 'timed out, killing' in out:
        return False, f"timed out (the harness's {HARNESS_TIMEOUT_S} s limit)", out
    if verdict is None:
        m = re.search(r'terminated by signal \d+ \(([^)]*)\)', out)
        if m and 'do not match' in out:
            # The harness stops reading at the first difference, so the tool dies of SIGPIPE.
            return False, 'outputs differ', out
        if m:
            return False, f'tool killed by signal ({m.group(1)})', out
        return False, f'no verdict (exit {r.returncode})', out
    word, rest = verdict
    if word == 'PASSED':
        return True, 'passed', out
    if word == 'EXPECTED FAIL':
        if 'do not match' in rest:
            return False, 'failed as kmod expects, but outputs differ', out
        return True, 'failed as kmod expects (expected_fail)', out
    if word == 'FAILED':
        reason = 'outputs differ' if 'do not match' in rest else 'failed'
        if 'timed out' in out:
            reason = f"timed out (the harness's {HARNESS_TIMEOUT_S} s limit)"
        return False, reason, out
    if word == 'SKIPPED':
        return False, 'skipped by kmod (compile-time condition)', out
    return False, word.lower(), out


def load_expected():
    """expected-differences.txt: 'PROG TEST reason...' lines."""
    known = {}
    with open(EXPECTED) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            prog, test, reason = (line.split(None, 2) + ['', ''])[:3]
            known[(prog, test)] = reason
    return known


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build-root', required=True)
    ap.add_argument('--harness-dir')
    ap.add_argument('--tool', action='append', default=[], metavar='NAME=PATH')
    ap.add_argument('--libkmod')
    ap.add_argument('--reference', action='store_true')
    ap.add_argument('--only', action='append', default=[])
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()

    start = time.monotonic()
    tools = {}
    for t in args.tool:
        name, _, path = t.partition('=')
        if name not in TOOLS or not os.access(path, os.X_OK):
            die(f'--tool {t}: not one of {TOOLS} with an executable path')
        tools[name] = path
    if args.reference and not shutil.which('kmod'):
        die('--reference needs Debian\'s kmod installed')
    missing = [t for t in ('modprobe', 'depmod', 'modinfo') if t not in tools]
    if missing and not args.reference:
        die(f'missing --tool for {missing}')
    if args.libkmod and not os.path.isfile(args.libkmod):
        die(f'--libkmod {args.libkmod}: no such file')

    harness = args.harness_dir or os.path.join(args.build_root, 'tests', 'kmod-testsuite',
                                               'harness')
    os.makedirs(os.path.dirname(os.path.abspath(harness)), exist_ok=True)
    with open(os.path.abspath(harness) + '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        src, version = fetch_source()
        build, built = build_harness(harness, src, version)
        if args.libkmod:
            build_api_programs(harness, build, args.libkmod)
        if not built:
            log(f'reusing the kmod {version} harness in {build}')
        # A fresh rootfs every run: tests write into it (depmod's outputs, fake /sys/module).
        run(nice_cmd(['make', 'rootfs']), build, os.path.join(harness, 'rootfs.log'))
        point_tools(build, tools, args.reference)
        setup_s = time.monotonic() - start

        env = dict(os.environ)
        env.pop('LD_PRELOAD', None)
        # The shims are preloaded ahead of ASan's runtime in our sanitizer builds.
        asan = env.get('ASAN_OPTIONS', '')
        env['ASAN_OPTIONS'] = (asan + ':' if asan else '') + 'verify_asan_link_order=0'

        plan = [(p, 'harness') for p in HARNESS_PROGRAMS] + [(p, 'tool') for p in TOOL_PROGRAMS]
        plan += [(p, 'api') for p in API_PROGRAMS]
        known = {} if args.reference else load_expected()
        only = [o.split(':', 1) + [None] for o in args.only]
        rows = []  # (program, test, status, detail)
        failures = []
        for prog, kind in plan:
            if only and not any(o[0] == prog for o in only):
                continue
            if kind == 'api' and not args.libkmod:
                rows.append((prog, '(all)', 'NOT RUN', 'need libkmod.so.2 on libmod (--libkmod)'))
                continue
            link_error = os.path.join(build, 'testsuite', f'{prog}.link-error')
            if kind == 'api' and os.path.exists(link_error):
                with open(link_error) as f:
                    rows.append((prog, '(all)', 'FAIL', f.read().strip()))
                failures.append((prog, '(all)', ''))
                continue
            seen_names = set()
            for test in list_tests(build, prog):
                if only and not any(o[0] == prog and o[1] in (None, test) for o in only):
                    continue
                if test in seen_names:
                    # kmod's harness finds a test by name, so only the first of two can run.
                    rows.append((prog, test, 'NOT RUN', 'a second kmod test of this name; kmod '
                                 "runs only the first by name"))
                    continue
                seen_names.add(test)
                test_env = env
                if (prog, test) in NO_LEAK_CHECK:
                    test_env = dict(env, ASAN_OPTIONS=env['ASAN_OPTIONS'] + ':detect_leaks=0')
                ok, detail, out = run_one(build, prog, test, test_env)
                if not ok and detail.startswith('timed out'):
                    # Even the raised limit can pass on a very loaded machine: one more try.
                    # The first try may have written into the test's root: a fresh one.
                    run(nice_cmd(['make', 'rootfs']), build, os.path.join(harness, 'rootfs.log'))
                    ok, detail, out = run_one(build, prog, test, test_env)
                    detail += ' (second try: the first timed out)'
                if ok and (prog, test) in NO_LEAK_CHECK:
                    detail += f' (LeakSanitizer off: {NO_LEAK_CHECK[(prog, test)]})'
                reason = known.get((prog, test))
                if ok and reason is None:
                    status = 'PASS'
                elif ok:
                    status, detail = 'XPASS', 'passes: remove it from expected-differences.txt'
                elif reason is not None:
                    status, detail = 'KNOWN', f'{detail}; {reason}'
                else:
                    status = 'FAIL'
                rows.append((prog, test, status, detail))
                if status in ('FAIL', 'XPASS'):
                    failures.append((prog, test, out))
                elif args.verbose:
                    print(out)
        for p, reason in NOT_APPLICABLE.items():
            if not only:
                rows.append((p, '(all)', 'N/A', reason))

    w_prog = max(len(r[0]) for r in rows)
    w_test = max(len(r[1]) for r in rows)
    what = "Debian's kmod (reference)" if args.reference else 'our tools'
    print(f'\nkmod {version} test suite against {what}:')
    for prog, test, status, detail in rows:
        print(f'  {prog:<{w_prog}}  {test:<{w_test}}  {status:<7}  {detail}')
    for prog, test, out in failures:
        print(f'\n---- {prog} {test}: harness output')
        print(out.rstrip())
    counts = {}
    for r in rows:
        counts[r[2]] = counts.get(r[2], 0) + 1
    print('\nkmod-testsuite: ' + ', '.join(f'{n} {s}' for s, n in sorted(counts.items())) +
          f'; setup {setup_s:.0f} s, total {time.monotonic() - start:.0f} s')
    if args.reference:
        return 0
    # A known difference whose test is gone (renamed upstream) must not hide silently either.
    seen = {(r[0], r[1]) for r in rows}
    stale = [k for k in known if k not in seen and not only]
    for prog, test in stale:
        print(f'kmod-testsuite: FAILURE: expected-differences.txt lists {prog} {test}, '
              'which kmod does not have')
    return 1 if failures or stale else 0


if __name__ == '__main__':
    sys.exit(main())
