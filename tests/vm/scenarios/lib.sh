# Helpers sourced by every scenario (busybox sh). A scenario prints what it does, runs the tools
# under test through `run` (which records output and exit status), and checks the kernel's own
# view (/proc/modules, /sys/module) with the expect_* helpers; `fail` ends it with a reason.
KVER=$VMTEST_KVER
MD=/lib/modules/$KVER
DATA=/vmtest/data

# busybox-static's shell prefers its own applets (modprobe, insmod...) over PATH: route every
# module tool explicitly to the binaries under test in /sbin.
modprobe() { /sbin/modprobe "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }
depmod() { /sbin/depmod "$@"; }

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
say() { echo "## $*"; }
is_ours() { [ "$VMTEST_TOOLS" = ours ]; }
# uses_kmod TOOL: that tool is kmod 30's here (--tools=kmod, or --tools=mixed without ours), so
# known reference limitations are tolerated for it.
uses_kmod() {
	[ "$VMTEST_TOOLS" = kmod ] || case " $VMTEST_MIXED " in *" $1=kmod "*) true ;; *) false ;; esac
}

# run CMD...: echo the command, capture stdout+stderr in $OUT and the exit status in $RC.
run() {
	echo "\$ $*"
	OUT=$("$@" 2>&1)
	RC=$?
	[ -n "$OUT" ] && echo "$OUT"
	echo "[exit $RC]"
	return 0
}
expect_ok() { [ "$RC" = 0 ] || fail "$* exited $RC"; }
expect_err() { [ "$RC" != 0 ] || fail "$* succeeded but must fail"; }
expect_out() { # expect_out REGEX WHAT
	echo "$OUT" | grep -Eq -- "$1" || fail "$2: output does not match /$1/"
}

loaded() { grep -q "^$1 " /proc/modules; }
expect_loaded() { for m; do loaded "$m" || fail "$m is not in /proc/modules"; done; }
expect_unloaded() { for m; do ! loaded "$m" || fail "$m is still in /proc/modules"; done; }
refcnt() { cat "/sys/module/$1/refcnt" 2>/dev/null; }
holders() { ls "/sys/module/$1/holders" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'; }
param() { cat "/sys/module/$1/parameters/$2" 2>/dev/null; }
expect_eq() { # expect_eq WHAT ACTUAL EXPECTED
	[ "$2" = "$3" ] || fail "$1 is '$2', expected '$3'"
	echo "ok: $1 = '$2'"
}
# Quietly unload leftovers so the next scenario starts clean (uses the kernel's view only).
cleanup_modules() { for m; do loaded "$m" && rmmod "$m" >/dev/null 2>&1; done; return 0; }
# Names of the modules in a modules.dep-style list (relative paths).
dep_names() { for p; do p=${p##*/}; p=${p%%.ko*}; echo "$p" | tr - _; done; }
