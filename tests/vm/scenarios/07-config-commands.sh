# 7. modprobe.d commands on a real kernel:
#    - `install`/`remove` commands run instead of the load/unload, with $CMDLINE_OPTS expanded to
#      the merged options (config, then command line) for install and to "" for remove;
#    - `blacklist qnx4` stops `modprobe fs-qnx4` (an alias) but not `modprobe qnx4`;
#    - ours only (kmod has neither): legacy pre-install/post-install/pre-remove/post-remove hooks
#      run around the install command and around a normal load/unload, in that order, seeing the
#      kernel state before/after; `forbid` refuses a module by name, by alias and as a dependency.
. /vmtest/lib.sh
log=/tmp/cmd.log
rm -f $log
cat >/etc/modprobe.d/vmtest-cmds.conf <<CONF
install ts_kmp echo "install ts_kmp [\$CMDLINE_OPTS]" >>$log; /sbin/insmod $MD/kernel/lib/ts_kmp.ko
remove ts_kmp echo "remove ts_kmp [\$CMDLINE_OPTS]" >>$log; /sbin/rmmod ts_kmp
options ts_kmp fromconf=1
blacklist qnx4
CONF
if is_ours; then
	state='if grep -q "^ts_bm " /proc/modules; then echo loaded; else echo absent; fi'
	cat >/etc/modprobe.d/vmtest-ours.conf <<CONF
pre-install ts_kmp echo pre-install >>$log
post-install ts_kmp echo post-install >>$log
pre-remove ts_kmp echo pre-remove >>$log
post-remove ts_kmp echo post-remove >>$log
pre-install ts_bm echo "pre-install ts_bm \$($state)" >>$log
post-install ts_bm echo "post-install ts_bm \$($state)" >>$log
pre-remove ts_bm echo "pre-remove ts_bm \$($state)" >>$log
post-remove ts_bm echo "post-remove ts_bm \$($state)" >>$log
forbid ts_fsm
alias vmtest-forbidden-alias ts_fsm
forbid test_static_key_base
CONF
fi

say "install and remove commands"
run modprobe ts_kmp fromcli=2; expect_ok "modprobe ts_kmp"
expect_loaded ts_kmp
run modprobe -r ts_kmp; expect_ok "modprobe -r ts_kmp"
expect_unloaded ts_kmp
echo "--- $log:"; cat $log
if is_ours; then
	expected="pre-install
install ts_kmp [fromconf=1 fromcli=2]
post-install
pre-remove
remove ts_kmp []
post-remove"
else
	expected="install ts_kmp [fromconf=1 fromcli=2]
remove ts_kmp []"
fi
expect_eq "command log" "$(cat $log)" "$expected"

say "blacklist blocks alias loads only"
run modprobe fs-qnx4; expect_ok "modprobe fs-qnx4"
expect_unloaded qnx4
run modprobe qnx4; expect_ok "modprobe qnx4"
expect_loaded qnx4
run modprobe -r qnx4; expect_ok "modprobe -r qnx4"
expect_unloaded qnx4

if is_ours; then
	say "(ours only) hooks around a normal load and unload"
	rm -f $log
	run modprobe ts_bm; expect_ok "modprobe ts_bm"
	expect_loaded ts_bm
	run modprobe -r ts_bm; expect_ok "modprobe -r ts_bm"
	expect_unloaded ts_bm
	expect_eq "hook log" "$(cat $log)" "pre-install ts_bm absent
post-install ts_bm loaded
pre-remove ts_bm loaded
post-remove ts_bm absent"

	say "(ours only) forbid blocks by name, by alias and as a dependency"
	run modprobe ts_fsm; expect_err "modprobe ts_fsm"
	expect_out '[Ff]orbid' "modprobe ts_fsm"
	expect_unloaded ts_fsm
	run modprobe vmtest-forbidden-alias; expect_err "modprobe vmtest-forbidden-alias"
	expect_unloaded ts_fsm
	run modprobe test_static_keys; expect_err "modprobe test_static_keys"
	expect_out '[Ff]orbid' "modprobe test_static_keys"
	expect_unloaded test_static_keys test_static_key_base
else
	echo "note: hooks and forbid are ours-only; not checked with --tools=$VMTEST_TOOLS"
fi
rm -f /etc/modprobe.d/vmtest-cmds.conf /etc/modprobe.d/vmtest-ours.conf
cleanup_modules ts_kmp ts_bm qnx4 ts_fsm test_static_keys test_static_key_base
exit 0
