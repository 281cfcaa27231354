# 9. A builtin module name (unix, listed in modules.builtin) makes modprobe succeed without
#    loading anything: /proc/modules is unchanged.
. /vmtest/lib.sh
grep -q '/unix.ko$' $MD/modules.builtin || fail "unix is not in modules.builtin"
before=$(cut -d' ' -f1 /proc/modules | sort)
run modprobe unix; expect_ok "modprobe unix"
expect_eq "/proc/modules after modprobe unix" "$(cut -d' ' -f1 /proc/modules | sort)" "$before"
expect_unloaded unix
exit 0
