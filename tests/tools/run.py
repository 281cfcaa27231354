#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tool tests: run the real modprobe/insmod/rmmod/lsmod binaries against fake roots.

Every case is a directory under tests/tools/cases/ holding
  cmd       a shell script (sh -e is NOT used: exit codes are part of the result)
  stdout    expected standard output        (optional, default empty)
  stderr    expected standard error         (optional, default empty)
  exit      expected exit status of cmd     (optional, default 0)
  root/     files copied over the fresh fake root before cmd runs (optional)

The fake root ($ROOT) holds a small module tree copied from the real corpus and indexed by
kmod's depmod (lib/modules/$KVER), empty proc/ and sys/module/, proc/sys/kernel/osrelease, and
etc/modprobe.d/. LIBMOD_TEST_SYSROOT=$ROOT makes the library use its fake kernel (libmod/sys-fake.c):
loads create sys/module/<name> and a proc/modules line and are logged in $ROOT/calls.log.
cmd sees $MODPROBE (already given -d $ROOT -C $ROOT/etc/modprobe.d), $INSMOD, $RMMOD, $LSMOD, kmod,
$ROOT, $KVER and $MODDIR, run by name from a bin/ dir first in $PATH. Occurrences of $ROOT
in the outputs are replaced by "ROOT", of the case's scratch directory (its cwd) by "TMP".

Usage: run.py [--via-kmod] BUILD_DIR [case...]   (--update rewrites the expected files: review
them!). --via-kmod runs every case with the tools as links to the multi-call kmod binary.
Exit 77 (skipped) when the corpus or kmod's depmod is not available.
"""
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(SRC, 'cases')
KVER = '6.1.0-56-amd64'
# A small tree with known shapes: chains (ext4, macvtap, bridge), an alias that resolves to two
# modules (crc32c), modules without dependencies.
FIXTURE = [
    'kernel/drivers/net/dummy.ko', 'kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko',
    'kernel/crypto/crc32c_generic.ko', 'kernel/arch/x86/crypto/crc32c-intel.ko',
    'kernel/fs/ext4/ext4.ko', 'kernel/lib/crc16.ko', 'kernel/fs/mbcache.ko',
    'kernel/fs/jbd2/jbd2.ko', 'kernel/drivers/net/macvtap.ko', 'kernel/drivers/net/macvlan.ko',
    'kernel/drivers/net/tap.ko', 'kernel/net/bridge/bridge.ko', 'kernel/net/802/stp.ko',
    'kernel/net/llc/llc.ko', 'kernel/drivers/input/misc/pcspkr.ko',
    'kernel/drivers/net/bonding/bonding.ko', 'kernel/net/tls/tls.ko',
]


VIA_KMOD = False


def corpus_moddir():
    fetch = os.path.join(SRC, '..', '..', 'scripts', 'fetch-kernel.sh')
    roots = []
    if os.access(fetch, os.X_OK):
        r = subprocess.run([fetch, '--print-root'], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip():
            roots.append(r.stdout.strip())
    roots.append('/var/tmp/libmod-corpus/root')
    for root in roots:
        d = os.path.join(root, 'lib', 'modules', KVER)
        if os.path.isdir(d):
            return d
    return None


def build_fixture(dest):
    src = corpus_moddir()
    depmod = shutil.which('depmod') or '/sbin/depmod'
    if not src or not os.access(depmod, os.X_OK):
        return False
    moddir = os.path.join(dest, 'lib', 'modules', KVER)
    for rel in FIXTURE:
        os.makedirs(os.path.dirname(os.path.join(moddir, rel)), exist_ok=True)
        shutil.copyfile(os.path.join(src, rel), os.path.join(moddir, rel))
    for f in ('modules.builtin', 'modules.builtin.modinfo'):
        shutil.copyfile(os.path.join(src, f), os.path.join(moddir, f))
    with open(os.path.join(moddir, 'modules.order'), 'w') as f:
        f.write(''.join(rel + '\n' for rel in FIXTURE))
    # kmod's depmod writes the indexes (the reference format); softdeps as the kernel ships.
    with open(os.path.join(moddir, 'modules.softdep'), 'w') as f:
        f.write('# Soft dependencies extracted from modules themselves.\n')
    subprocess.run([depmod, '-b', dest, KVER], check=True)
    return True


def run_case(build, fixture, case, update):
    cdir = os.path.join(CASES, case)
    with tempfile.TemporaryDirectory(prefix='libmod-tool-') as tmp:
        root = os.path.join(tmp, 'root')
        shutil.copytree(fixture, root, symlinks=True)
        for d in ('proc/sys/kernel', 'sys/module', 'etc/modprobe.d'):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        with open(os.path.join(root, 'proc/sys/kernel/osrelease'), 'w') as f:
            f.write(KVER + '\n')
        open(os.path.join(root, 'proc/modules'), 'w').close()
        open(os.path.join(root, 'proc/cmdline'), 'w').close()
        overlay = os.path.join(cdir, 'root')
        if os.path.isdir(overlay):
            shutil.copytree(overlay, root, dirs_exist_ok=True, symlinks=True)
        tools = os.path.join(build, 'tools')
        # Run the tools by name, as installed: messages then carry "modprobe:", not a path.
        bindir = os.path.join(tmp, 'bin')
        os.mkdir(bindir)
        for t in ('modprobe', 'insmod', 'rmmod', 'lsmod'):
            target = os.path.join(tools, 'kmod', 'kmod') if VIA_KMOD else os.path.join(tools, t, t)
            os.symlink(target, os.path.join(bindir, t))
        os.symlink(os.path.join(tools, 'kmod', 'kmod'), os.path.join(bindir, 'kmod'))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('MODPROBE_', 'LIBMOD_'))}
        env.update({
            'LIBMOD_TEST_SYSROOT': root, 'ROOT': root, 'KVER': KVER,
            'MODDIR': os.path.join(root, 'lib/modules', KVER),
            'MODPROBE': 'modprobe -d %s -C %s/etc/modprobe.d' % (root, root),
            'INSMOD': 'insmod', 'RMMOD': 'rmmod', 'LSMOD': 'lsmod', 'LC_ALL': 'C',
            'PATH': bindir + ':' + os.environ.get('PATH', '/usr/bin:/bin'),
        })
        r = subprocess.run(['sh', os.path.join(cdir, 'cmd')], cwd=tmp, env=env,
                           capture_output=True, text=True, timeout=60)
        got = {
            'stdout': r.stdout.replace(root, 'ROOT').replace(tmp, 'TMP'),
            'stderr': r.stderr.replace(root, 'ROOT').replace(tmp, 'TMP'),
            'exit': '%d\n' % r.returncode,
        }
    if update:
        for k, v in got.items():
            p = os.path.join(cdir, k)
            if v in ('', '0\n'):
                if os.path.exists(p):
                    os.unlink(p)
            else:
                with open(p, 'w') as f:
                    f.write(v)
        return True
    ok = True
    for k, v in got.items():
        p = os.path.join(cdir, k)
        want = open(p).read() if os.path.exists(p) else ('0\n' if k == 'exit' else '')
        if want != v:
            ok = False
            print('--- %s: %s differs\n--- expected\n%s--- got\n%s' % (case, k, want, v))
    return ok


def main():
    args = sys.argv[1:]
    global VIA_KMOD
    update = '--update' in args
    VIA_KMOD = '--via-kmod' in args
    args = [a for a in args if a not in ('--update', '--via-kmod')]
    build = os.path.abspath(args[0])
    cases = args[1:] or sorted(os.listdir(CASES))
    with tempfile.TemporaryDirectory(prefix='libmod-fixture-') as fx:
        if not build_fixture(fx):
            print('corpus or depmod missing: skipped')
            return 77
        failed = [c for c in cases if not run_case(build, fx, c, update)]
    print('%d cases, %d failed%s' % (len(cases), len(failed),
                                     (': ' + ' '.join(failed)) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
