#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tool tests: run the installed modprobe/insmod/rmmod/lsmod against fake roots.

Every case is a directory under tests/tools/cases/ holding
  cmd       a shell script (sh -e is NOT used: exit codes are part of the result)
  stdout    expected standard output        (optional, default empty)
  stderr    expected standard error         (optional, default empty)
  exit      expected exit status of cmd     (optional, default 0)
  root/     files copied over the fresh fake root before cmd runs (optional)

The tools run as a package installs them: `meson install --destdir` into BUILD_DIR/tests/tools/stage,
with LD_LIBRARY_PATH at the staged libmod.so. Nothing in them knows about tests: the fake kernel
is tests/shim (libmodshim.so), preloaded into everything cmd runs. It moves /proc/modules,
/sys/module, the default module directory and modprobe.d into $ROOT (LIBMOD_SHIM_ROOT), answers
uname() with $ROOT/proc/sys/kernel/osrelease and turns init_module, finit_module and
delete_module into changes of $ROOT/sys/module and $ROOT/proc/modules, logged in $ROOT/calls.log.
LIBMOD_SHIM_FAIL_LOAD / LIBMOD_SHIM_FAIL_REMOVE ("name=EEXIST,...") make chosen modules fail.

The fake root ($ROOT) holds a small module tree copied from the real corpus and indexed by
kmod's depmod (lib/modules/$KVER), proc/modules, proc/cmdline, proc/sys/kernel/osrelease, an empty
sys/module/ and etc/modprobe.d/. cmd sees $MODPROBE (already given -d $ROOT -C
$ROOT/etc/modprobe.d), $INSMOD, $RMMOD, $LSMOD, modinfo, depmod, kmod, $ROOT, $KVER, $MODDIR and $TOOLTESTS (this
directory, for unsign.py), the tools run by name from a bin/ dir first in $PATH. $KVER is the
corpus kernel scripts/fetch-kernel.sh names. In the outputs, $ROOT reads "ROOT", the case's
scratch directory (its cwd) "TMP" and $KVER "KVER".

Usage: run.py [--via-kmod] BUILD_DIR [case...]   (--update rewrites the expected files: review
them!). --via-kmod runs every case with the tools as links to the multi-call kmod binary.
Exit 77 (skipped) when the corpus or kmod's depmod is not available.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(SRC, 'cases')
FETCH = os.path.join(SRC, '..', '..', 'scripts', 'fetch-kernel.sh')
TOOLS = ('modprobe', 'insmod', 'rmmod', 'lsmod', 'modinfo', 'depmod')
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


def fetch_kernel(arg):
    """What scripts/fetch-kernel.sh prints for arg (--print-root, --print-version), or None."""
    r = subprocess.run([FETCH, arg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


VIA_KMOD = False


def corpus_moddir(kver):
    root = fetch_kernel('--print-root')
    d = os.path.join(root, 'lib', 'modules', kver) if root else None
    return d if d and os.path.isdir(d) else None


def stage_install(build):
    """Install the build into a staging dir as a package would; the installed tools' paths and
    the directory holding the installed libmod.so."""
    dest = os.path.join(build, 'tests', 'tools', 'stage')
    shutil.rmtree(dest, ignore_errors=True)
    meson = shutil.which('meson') or 'meson'
    subprocess.run([meson, 'install', '-C', build, '--no-rebuild', '--quiet', '--destdir', dest],
                   check=True, stdout=subprocess.DEVNULL)
    installed = json.loads(subprocess.run([meson, 'introspect', build, '--installed'],
                                          check=True, capture_output=True, text=True).stdout)
    tools, libdir = {}, None
    for path in installed.values():
        name = os.path.basename(path)
        # Only programs: shell completions are installed under the same names.
        if name in TOOLS + ('kmod',) and os.path.basename(os.path.dirname(path)) in ('bin', 'sbin'):
            tools[name] = dest + path
        elif name.startswith('libmod.so'):
            libdir = dest + os.path.dirname(path)
    return tools, libdir


def build_fixture(dest, kver):
    src = corpus_moddir(kver)
    depmod = shutil.which('depmod') or '/sbin/depmod'
    if not src or not os.access(depmod, os.X_OK):
        return False
    moddir = os.path.join(dest, 'lib', 'modules', kver)
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
    subprocess.run([depmod, '-b', dest, kver], check=True)
    return True


def run_case(ctx, case, update):
    cdir = os.path.join(CASES, case)
    kver = ctx['kver']
    with tempfile.TemporaryDirectory(prefix='libmod-tool-') as tmp:
        root = os.path.join(tmp, 'root')
        shutil.copytree(ctx['fixture'], root, symlinks=True)
        for d in ('proc/sys/kernel', 'sys/module', 'etc/modprobe.d'):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        with open(os.path.join(root, 'proc/sys/kernel/osrelease'), 'w') as f:
            f.write(kver + '\n')
        open(os.path.join(root, 'proc/modules'), 'w').close()
        open(os.path.join(root, 'proc/cmdline'), 'w').close()
        overlay = os.path.join(cdir, 'root')
        if os.path.isdir(overlay):
            shutil.copytree(overlay, root, dirs_exist_ok=True, symlinks=True)
        # Run the tools by name, as installed: messages then carry "modprobe:", not a path.
        bindir = os.path.join(tmp, 'bin')
        os.mkdir(bindir)
        for t in TOOLS:
            target = ctx['kmod'] if VIA_KMOD else ctx['tools'][t]
            os.symlink(target, os.path.join(bindir, t))
        os.symlink(ctx['kmod'], os.path.join(bindir, 'kmod'))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('MODPROBE_', 'LIBMOD_'))}
        env.update({
            'LIBMOD_SHIM_ROOT': root, 'ROOT': root, 'KVER': kver,
            'MODDIR': os.path.join(root, 'lib/modules', kver),
            'MODPROBE': 'modprobe -d %s -C %s/etc/modprobe.d' % (root, root),
            'INSMOD': 'insmod', 'RMMOD': 'rmmod', 'LSMOD': 'lsmod', 'LC_ALL': 'C',
            # Helpers for cmd (unsign.py: strip the corpus's signatures).
            'TOOLTESTS': SRC,
            'PATH': bindir + ':' + os.environ.get('PATH', '/usr/bin:/bin'),
            'LD_LIBRARY_PATH': ':'.join(filter(None, (ctx['libdir'],
                                                      os.environ.get('LD_LIBRARY_PATH')))),
            # Into everything cmd runs: the tools, and the shell an install command runs in.
            'LD_PRELOAD': ctx['shim'],
            # An ASan build's runtime insists on coming first among the loaded libraries; here
            # the shim does, so that its open() and uname() are the ones the tools bind to.
            # Preloading the runtime too would put ASan into every shell and cat cmd runs.
            'ASAN_OPTIONS': ':'.join(filter(None, (os.environ.get('ASAN_OPTIONS'),
                                                   'verify_asan_link_order=0'))),
        })
        r = subprocess.run(['sh', os.path.join(cdir, 'cmd')], cwd=tmp, env=env,
                           capture_output=True, text=True, timeout=60)

        def placeholders(text):
            return text.replace(root, 'ROOT').replace(tmp, 'TMP').replace(kver, 'KVER')
        got = {
            'stdout': placeholders(r.stdout),
            'stderr': placeholders(r.stderr),
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
    kver = fetch_kernel('--print-version')
    if not kver:
        print('no corpus kernel (scripts/fetch-kernel.sh): skipped')
        return 77
    shim = os.path.join(build, 'tests', 'shim', 'libmodshim.so')
    tools, libdir = stage_install(build)
    if not os.path.exists(shim) or set(tools) != set(TOOLS + ('kmod',)) or not libdir:
        print('the shim or an installed tool is missing (%s, %s)' % (shim, sorted(tools)))
        return 1
    with tempfile.TemporaryDirectory(prefix='libmod-fixture-') as fx:
        if not build_fixture(fx, kver):
            print('corpus or depmod missing: skipped')
            return 77
        ctx = {'kver': kver, 'fixture': fx, 'tools': tools, 'kmod': tools['kmod'], 'libdir': libdir, 'shim': shim}
        failed = [c for c in cases if not run_case(ctx, c, update)]
    print('%d cases, %d failed%s' % (len(cases), len(failed),
                                     (': ' + ' '.join(failed)) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
