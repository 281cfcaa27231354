# The demo shown at the end of the README's first command: what the tools do on a real kernel.
# Runs inside the VM (see init); every command is echoed before it runs.
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
# busybox-static's shell prefers its own applets: call the tools under test by path.
show() { echo; echo "vm# $*"; "$@"; }
echo "=== libmod demo on Linux $(uname -r) (tools: $VMTEST_TOOLS) ==="
show /sbin/modprobe -v btrfs
show /sbin/lsmod
show /sbin/modinfo btrfs
show /sbin/modprobe -r -v btrfs
show /sbin/lsmod
