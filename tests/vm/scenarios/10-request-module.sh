# 10. The kernel's own path: with /proc/sys/kernel/modprobe pointing at a wrapper that logs and
#     execs our modprobe, `mount -t minix` makes the kernel call request_module("fs-minix"); the
#     minix module must then be loaded and the file system type registered.
. /vmtest/lib.sh
cat >/tmp/modprobe-wrapper <<'WRAP'
#!/bin/sh
echo "$*" >>/tmp/kernel-modprobe.log
exec /sbin/modprobe "$@"
WRAP
chmod 755 /tmp/modprobe-wrapper
old=$(cat /proc/sys/kernel/modprobe)
echo /tmp/modprobe-wrapper >/proc/sys/kernel/modprobe
expect_unloaded minix
mkdir -p /mnt/minix
run mount -t minix none /mnt/minix
echo "$old" >/proc/sys/kernel/modprobe
echo "kernel invoked: $(cat /tmp/kernel-modprobe.log 2>/dev/null)"
grep -q 'fs-minix' /tmp/kernel-modprobe.log || fail "the kernel did not run modprobe for fs-minix"
expect_loaded minix
grep -qw minix /proc/filesystems || fail "minix is not in /proc/filesystems"
echo "ok: minix registered in /proc/filesystems"
run rmmod minix; expect_ok "rmmod minix"
exit 0
