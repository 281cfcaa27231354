/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the modprobe configuration: every command, the options merge, commands and
 * hooks, merged softdeps, forbid, the kernel command line, the file order (masking, -C, the
 * moddir files) and the `modprobe -c` dump.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config-private.h"

static char logbuf[8192];

static void capture_log(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	size_t used = strlen(logbuf);

	vsnprintf(logbuf + used, sizeof(logbuf) - used, format, args);
}

static struct mod_ctx *new_ctx(const char *moddir, const char *const *paths)
{
	struct mod_ctx *ctx = NULL;

	assert_int_equal(mod_ctx_new(moddir ? moddir : "/nonexistent-moddir", paths, &ctx), 0);
	mod_ctx_set_log_fn(ctx, capture_log, NULL);
	mod_ctx_set_log_priority(ctx, LOG_ERR);
	logbuf[0] = '\0';
	return ctx;
}

static struct mod_config *parse(struct mod_ctx *ctx, const char *text)
{
	struct mod_config *cfg = NULL;

	assert_int_equal(config_new_empty(ctx, &cfg), 0);
	assert_int_equal(config_parse_buffer(cfg, "test.conf", text, strlen(text)), 0);
	return cfg;
}

/* The dump as a string (through a pipe-less temp file). */
static char *dump(const struct mod_config *cfg, bool verbose)
{
	char path[] = "/tmp/test-config-dump-XXXXXX";
	int fd = mkstemp(path);
	static char out[16384];
	ssize_t n;

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(mod_config_dump(cfg, fd, verbose), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, out, sizeof(out) - 1);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
	return out;
}

static void test_every_command(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx,
		"alias pci:v00008086d* e1000-e\n"
		"alias a[b-c]-d m-1\n"
		"options my-mod  a=1\tb=2\n"
		"install snd-x /bin/true $CMDLINE_OPTS\n"
		"remove snd-x /bin/false\n"
		"blacklist evil-mod\n"
		"softdep sd-1 x pre: a-1 b post: c-2\n"
		"softdep sd2 gcm\n"
		"weakdep wd m1 m2\n"
		"forbid bad-*\n"
		"pre-install h-1 echo pre\n"
		"post-install h-1 echo post\n"
		"pre-remove h-1 echo prerm\n"
		"post-remove h-1 echo postrm\n");

	assert_string_equal(logbuf, "");
	assert_string_equal(dump(cfg, false),
		"blacklist evil_mod\n"
		"install snd_x /bin/true $CMDLINE_OPTS\n"
		"remove snd_x /bin/false\n"
		"alias pci:v00008086d* e1000_e\n"
		"alias a[b-c]_d m_1\n"
		"options my_mod  a=1 b=2\n"
		"softdep sd_1 pre: a-1 b post: c-2\n"
		"softdep sd2 \n"
		"weakdep wd m1 m2\n"
		"forbid bad_*\n"
		"pre-install h_1 echo pre\n"
		"post-install h_1 echo post\n"
		"pre-remove h_1 echo prerm\n"
		"post-remove h_1 echo postrm\n");

	/* Iteration keeps the file and line of every entry. */
	const struct mod_config_entry *e;
	size_t cursor = 0;
	assert_int_equal(mod_config_next(cfg, MOD_CONFIG_ALIAS, &cursor, &e), 0);
	assert_string_equal(mod_config_entry_get_key(e), "pci:v00008086d*");
	assert_string_equal(mod_config_entry_get_value(e), "e1000_e");
	assert_string_equal(mod_config_entry_get_file(e), "test.conf");
	assert_int_equal(mod_config_entry_get_line(e), 1);
	assert_int_equal(mod_config_next(cfg, MOD_CONFIG_ALIAS, &cursor, &e), 0);
	assert_int_equal(mod_config_entry_get_line(e), 2);
	assert_int_equal(mod_config_next(cfg, MOD_CONFIG_ALIAS, &cursor, &e), 1);
	cursor = 0;
	assert_int_equal(mod_config_next(cfg, MOD_CONFIG_POST_REMOVE, &cursor, &e), 0);
	assert_int_equal(mod_config_entry_get_kind(e), MOD_CONFIG_POST_REMOVE);
	assert_int_equal(mod_config_entry_get_line(e), 14);
	assert_null(mod_config_kind_name(_MOD_CONFIG_KIND_MAX));

	/* Verbose: a comment line with the origin precedes each entry. */
	const char *v = dump(cfg, true);
	assert_non_null(strstr(v, "# test.conf:6\nblacklist evil_mod\n# test.conf:4\ninstall"));

	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void test_bad_lines(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx,
		"blacklist\n"            /* 1: no name */
		"install x\n"            /* 2: no command */
		"install y \n"           /* 3: empty command */
		"softdep s\n"            /* 4 */
		"alias onlyone\n"        /* 5 */
		"options o-[x a=1\n"     /* 6: unterminated bracket */
		"alias a]b c\n"          /* 7: stray bracket */
		"  # indented comment\n" /* 8 */
		"frobnicate x\n"         /* 9 */
		"include /etc/x.conf\n"  /* 10 */
		"config foo\n"           /* 11 */
		"alias \\\n good ok\n"   /* 12-13: continuation, fine */
		"options o-k v=1\n");    /* 14 */

	assert_string_equal(logbuf,
		"test.conf line 1: ignoring bad line starting with 'blacklist'\n"
		"test.conf line 2: ignoring bad line starting with 'install'\n"
		"test.conf line 3: ignoring bad line starting with 'install'\n"
		"test.conf line 4: ignoring bad line starting with 'softdep'\n"
		"test.conf line 5: ignoring bad line starting with 'alias'\n"
		"test.conf line 6: ignoring bad line starting with 'options'\n"
		"test.conf line 7: ignoring bad line starting with 'alias'\n"
		"test.conf line 8: ignoring bad line starting with '#'\n"
		"test.conf line 9: ignoring bad line starting with 'frobnicate'\n"
		"test.conf line 10: command include is deprecated and not parsed anymore\n"
		"test.conf line 11: command config is deprecated and not parsed anymore\n");
	/* Nothing else is lost. */
	assert_string_equal(dump(cfg, false), "alias good ok\noptions o_k v=1\n");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void test_options_merge(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx,
		"options foo-bar a=1\n"
		"options other z=9\n"
		"options myalias b=2\n"
		"options foo_bar   c=3\n");
	char *opts = NULL;

	assert_int_equal(config_parse_cmdline(cfg, "foo-bar.d=4 quiet"), 0);
	assert_int_equal(mod_config_get_options(cfg, "foo-bar", NULL, &opts), 0);
	assert_string_equal(opts, "a=1   c=3 d=4");
	free(opts);
	assert_int_equal(mod_config_get_options(cfg, "foo_bar", "myalias", &opts), 0);
	assert_string_equal(opts, "a=1 b=2   c=3 d=4");
	free(opts);
	opts = NULL;
	assert_int_equal(mod_config_get_options(cfg, "none", "nothing", &opts), -ENOENT);
	assert_null(opts);
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void test_commands_and_hooks(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx,
		"install snd-* /bin/first\n"
		"install snd-hda /bin/second\n"
		"remove snd_hda /bin/rm\n"
		"pre-install snd-hda echo a\n"
		"post-remove snd* echo z\n");
	const char *cmd = NULL;

	assert_int_equal(mod_config_get_install(cfg, "snd-hda", &cmd), 0);
	assert_string_equal(cmd, "/bin/first"); /* the first match in config order */
	assert_int_equal(mod_config_get_remove(cfg, "snd-hda", &cmd), 0);
	assert_string_equal(cmd, "/bin/rm");
	assert_int_equal(mod_config_get_command(cfg, MOD_CONFIG_PRE_INSTALL, "snd_hda", &cmd), 0);
	assert_string_equal(cmd, "echo a");
	assert_int_equal(mod_config_get_command(cfg, MOD_CONFIG_POST_REMOVE, "snd_x", &cmd), 0);
	assert_string_equal(cmd, "echo z");
	cmd = NULL;
	assert_int_equal(mod_config_get_command(cfg, MOD_CONFIG_POST_INSTALL, "snd_x", &cmd),
			 -ENOENT);
	assert_int_equal(mod_config_get_install(cfg, "e1000", &cmd), -ENOENT);
	assert_null(cmd);
	assert_int_equal(mod_config_get_command(cfg, MOD_CONFIG_ALIAS, "x", &cmd), -EINVAL);
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void test_blacklist_forbid(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx, "blacklist pcspkr\nforbid usb-stor*\n");

	assert_int_equal(config_parse_cmdline(cfg, "modprobe.blacklist=nouveau,foo-bar,,x"), 0);
	assert_true(mod_config_is_blacklisted(cfg, "pcspkr"));
	assert_true(mod_config_is_blacklisted(cfg, "nouveau"));
	assert_true(mod_config_is_blacklisted(cfg, "foo_bar"));
	assert_true(mod_config_is_blacklisted(cfg, "x"));
	assert_false(mod_config_is_blacklisted(cfg, "pcspk"));
	assert_false(mod_config_is_blacklisted(cfg, "usb_storage"));
	assert_true(mod_config_is_forbidden(cfg, "usb-storage"));
	assert_false(mod_config_is_forbidden(cfg, "pcspkr"));
	/* Command line blacklist entries are stored as written, empty items dropped. */
	assert_string_equal(dump(cfg, false),
		"blacklist pcspkr\nblacklist nouveau\nblacklist foo-bar\nblacklist x\n"
		"forbid usb_stor*\n");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

/* The signature policy: require_signature globs, trusted_keys absolute, kept as written. */
static void test_signature_policy(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx, "require_signature crc*\n"
					    "require_signature snd-hda\n"
					    "trusted_keys /etc/keys-a\n"
					    "trusted_keys /etc/my-keys_b\n"
					    "trusted_keys relative\n"
					    "trusted_keys /a /b\n"
					    "trusted_keys\n");
	const char *dir = NULL;

	assert_non_null(strstr(logbuf, "test.conf line 5: ignoring bad line"));
	assert_non_null(strstr(logbuf, "test.conf line 6: ignoring bad line"));
	assert_non_null(strstr(logbuf, "test.conf line 7: ignoring bad line"));
	assert_true(mod_config_requires_signature(cfg, "crc16"));
	assert_true(mod_config_requires_signature(cfg, "snd_hda"));
	assert_true(mod_config_requires_signature(cfg, "snd-hda"));
	assert_false(mod_config_requires_signature(cfg, "dummy"));
	assert_false(mod_config_requires_signature(NULL, "crc16"));
	/* The last valid line wins; the path keeps its '-' (it is not a module name). */
	assert_int_equal(mod_config_get_trusted_keys(cfg, &dir), 0);
	assert_string_equal(dir, "/etc/my-keys_b");
	assert_string_equal(dump(cfg, false),
		"require_signature crc*\nrequire_signature snd_hda\n"
		"trusted_keys /etc/keys-a\ntrusted_keys /etc/my-keys_b\n");
	mod_config_unref(cfg);

	cfg = parse(ctx, "forbid x\n");
	assert_int_equal(mod_config_get_trusted_keys(cfg, &dir), -ENOENT);
	assert_false(mod_config_requires_signature(cfg, "x"));
	mod_config_unref(cfg);

	assert_int_equal(mod_ctx_set_signature_policy(ctx, MOD_SIGNATURE_POLICY_REQUIRE, ""),
			 -EINVAL);
	assert_int_equal(mod_ctx_set_signature_policy(ctx, (enum mod_signature_policy)7, NULL),
			 -EINVAL);
	assert_int_equal(mod_ctx_set_signature_policy(NULL, MOD_SIGNATURE_POLICY_ALLOW, NULL),
			 -EINVAL);
	assert_int_equal(mod_ctx_set_signature_policy(ctx, MOD_SIGNATURE_POLICY_REQUIRE, "/k"), 0);
	assert_int_equal(mod_ctx_set_signature_policy(ctx, MOD_SIGNATURE_POLICY_CONFIG, NULL), 0);
	mod_ctx_unref(ctx);
}

/* The autoclean commands: globs on the underscored name, dumped after libmod's other commands. */
static void test_keep_autoclean_boot(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx, "keep snd-*\nautoclean-boot crc32c-intel\n"
					    "keep\nautoclean-boot\nforbid x\n");

	/* A command without its module is a bad line, named with file and line. */
	assert_non_null(strstr(logbuf, "test.conf line 3: ignoring bad line starting with 'keep'"));
	assert_non_null(strstr(logbuf, "test.conf line 4: ignoring bad line starting with "
				       "'autoclean-boot'"));
	assert_true(mod_config_is_kept(cfg, "snd_hda_intel"));
	assert_true(mod_config_is_kept(cfg, "snd-pcm"));
	assert_false(mod_config_is_kept(cfg, "sndx"));
	assert_false(mod_config_is_kept(cfg, "crc32c_intel"));
	assert_true(mod_config_is_boot_cleanable(cfg, "crc32c-intel"));
	assert_false(mod_config_is_boot_cleanable(cfg, "snd_pcm"));
	assert_false(mod_config_is_kept(NULL, "snd_pcm"));
	assert_string_equal(dump(cfg, false), "forbid x\nkeep snd_*\nautoclean-boot crc32c_intel\n");
	assert_string_equal(mod_config_kind_name(MOD_CONFIG_KEEP), "keep");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void test_softdeps_merged(void **state)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = parse(ctx,
		"softdep cifs pre: ccm gcm\n"
		"softdep cif* post: p1 pre: gcm aes\n"
		"softdep other pre: zz\n"
		"softdep cifs post: p1 p2\n"
		"softdep empty ignored words\n"
		"weakdep cifs w1\n"
		"weakdep ci* w2 w1\n");
	const char **pre = NULL, **post = NULL, **w = NULL;

	assert_int_equal(mod_config_get_softdeps(cfg, "cifs", &pre, &post), 0);
	assert_string_equal(pre[0], "ccm");
	assert_string_equal(pre[1], "gcm");
	assert_string_equal(pre[2], "aes");
	assert_null(pre[3]);
	assert_string_equal(post[0], "p1");
	assert_string_equal(post[1], "p2");
	assert_null(post[2]);
	free(pre);
	free(post);
	/* A line without any marker still matches: it has a softdep, empty. */
	assert_int_equal(mod_config_get_softdeps(cfg, "empty", &pre, &post), 0);
	assert_null(pre[0]);
	assert_null(post[0]);
	free(pre);
	free(post);
	pre = NULL;
	assert_int_equal(mod_config_get_softdeps(cfg, "nothing", &pre, &post), -ENOENT);
	assert_null(pre);
	assert_int_equal(mod_config_get_weakdeps(cfg, "cifs", &w), 0);
	assert_string_equal(w[0], "w1");
	assert_string_equal(w[1], "w2");
	assert_null(w[2]);
	free(w);
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

/* Options from the command line, as dumped: `options <mod> <param>`, one line each. */
static void check_cmdline(const char *cmdline, const char *expect)
{
	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = NULL;

	assert_int_equal(config_new_empty(ctx, &cfg), 0);
	assert_int_equal(config_parse_cmdline(cfg, cmdline), 0);
	assert_string_equal(dump(cfg, false), expect);
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void test_cmdline(void **state)
{
	check_cmdline("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet", "");
	check_cmdline("snd-hda.model=auto e1000.flag\n", "options snd_hda model=auto\noptions e1000 flag\n");
	/* A quoted value keeps its blanks and quotes. */
	check_cmdline("mod.p=\"a b\" x.y=1", "options mod p=\"a b\"\noptions x y=1\n");
	/* GRUB quotes the whole token: it is re-quoted around the value. */
	check_cmdline("\"parport.dyndbg=file drivers/x.c +mpf\" z.q",
		      "options parport dyndbg=\"file drivers/x.c +mpf\"\noptions z q\n");
	/* A second dot in the param, a quote inside a name, blanks in a quoted name: ignored. */
	check_cmdline("a.b.c=1 ok.v=2", "options ok v=2\n");
	check_cmdline("m\"x.p=1 n.o=1", "");
	check_cmdline("\"q r.s=1\" t.u=1", "options t u=1\n");
	/* A dot in the value is fine; no module name is ignored. */
	check_cmdline("ip.addr=1.2.3.4 .p=1", "options ip addr=1.2.3.4\n");
	/* An unterminated quote drops the last token. */
	check_cmdline("a.b=1 c.d=\"x y", "options a b=1\n");
	/* Module names are underscored; a bad bracket is logged. */
	check_cmdline("my-mod.x=1 b[a.y=1", "options my_mod x=1\n");
	check_cmdline("modprobe.blacklist=a-b,c", "blacklist a-b\nblacklist c\n");
	/*
	 * An '=' before the first '.' makes a token no module parameter (EFI stubs pass
	 * initrd=\initramfs-linux.img); kmod 30 ignores these, checked with its modprobe -c.
	 */
	check_cmdline("initrd=\\initramfs-linux.img root=/dev/sda x.y=1", "options x y=1\n");
	check_cmdline("foo=bar.baz BOOT_IMAGE=/vmlinuz-6.1 a=b=c.d splash=x.y", "");
	check_cmdline("\"foo=bar.baz\" \"q.r=s.t\" zz.b=1=.c",
		      "options q r=\"s.t\"\noptions zz b=1=.c\n");

	struct mod_ctx *ctx = new_ctx(NULL, NULL);
	struct mod_config *cfg = NULL;
	const struct mod_config_entry *e;
	size_t cursor = 0;
	assert_int_equal(config_new_empty(ctx, &cfg), 0);
	assert_int_equal(config_parse_cmdline(cfg, "m.x=1"), 0);
	assert_int_equal(mod_config_next(cfg, MOD_CONFIG_OPTIONS, &cursor, &e), 0);
	assert_string_equal(mod_config_entry_get_file(e), "/proc/cmdline");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char root[] = "/tmp/test-config-XXXXXX";
static char d_etc[128], d_lib[128], d_mod[128], single[160];

static int setup_tree(void **state)
{
	assert_non_null(mkdtemp(root));
	snprintf(d_etc, sizeof(d_etc), "%s/etc", root);
	snprintf(d_lib, sizeof(d_lib), "%s/lib", root);
	snprintf(d_mod, sizeof(d_mod), "%s/mod", root);
	snprintf(single, sizeof(single), "%s/one.txt", root);
	assert_int_equal(mkdir(d_etc, 0755), 0);
	assert_int_equal(mkdir(d_lib, 0755), 0);
	assert_int_equal(mkdir(d_mod, 0755), 0);
	write_file(d_etc, "b.conf", "alias etc-b x\n");
	write_file(d_etc, "zz.conf", "alias etc-zz x\n");
	write_file(d_lib, "aliases.conf", "alias lib-aliases x\n");
	write_file(d_lib, "b.conf", "alias lib-b-masked x\n");
	write_file(d_lib, "m.conf", "alias lib-m x\n");
	write_file(d_mod, "modules.softdep", "softdep kernel-sd pre: k\n");
	write_file(d_mod, "modules.weakdep", "weakdep kernel-wd w\n");
	write_file(root, "one.txt", "alias single x\n");
	write_file(root, "legacy.conf", "pre-install leg echo hi\n");
	return 0;
}

static int teardown_tree(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

/* The alias keys in config order, space separated. */
static const char *alias_keys(const struct mod_config *cfg)
{
	static char out[1024];
	const struct mod_config_entry *e;
	size_t cursor = 0;

	out[0] = '\0';
	while (mod_config_next(cfg, MOD_CONFIG_ALIAS, &cursor, &e) == 0) {
		strncat(out, mod_config_entry_get_key(e), sizeof(out) - strlen(out) - 2);
		strcat(out, " ");
	}
	return out;
}

static void test_file_order(void **state)
{
	const char *paths[] = { d_etc, d_lib, NULL };
	struct mod_ctx *ctx = new_ctx(d_mod, paths);
	struct mod_config *cfg = NULL;
	const char **pre, **post;

	assert_int_equal(mod_config_new(ctx, MOD_CONFIG_NO_CMDLINE, &cfg), 0);
	/* aliases.conf < b.conf (etc masks lib) < m.conf < modules.softdep < zz.conf */
	assert_string_equal(alias_keys(cfg), "lib_aliases etc_b lib_m etc_zz ");
	const char *d = dump(cfg, true);
	char expect[512];
	snprintf(expect, sizeof(expect), "# %s/m.conf:1\nalias lib_m x\n# %s/zz.conf:1\nalias etc_zz",
		 d_lib, d_etc);
	assert_non_null(strstr(d, expect));
	/* The moddir files are read with explicit config paths too. */
	assert_int_equal(mod_config_get_softdeps(cfg, "kernel_sd", &pre, &post), 0);
	assert_string_equal(pre[0], "k");
	free(pre);
	free(post);
	assert_int_equal(mod_config_get_weakdeps(cfg, "kernel-wd", &pre), 0);
	assert_string_equal(pre[0], "w");
	free(pre);
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);

	/* -C with a single file of any name, plus a directory. */
	const char *paths2[] = { single, d_lib, NULL };
	ctx = new_ctx(d_mod, paths2);
	assert_int_equal(mod_config_new(ctx, MOD_CONFIG_NO_CMDLINE, &cfg), 0);
	assert_string_equal(alias_keys(cfg), "lib_aliases lib_b_masked lib_m single ");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);

	/* No config paths at all: only the moddir files. */
	const char *none[] = { NULL };
	ctx = new_ctx(d_mod, none);
	assert_int_equal(mod_config_new(ctx, MOD_CONFIG_NO_CMDLINE, &cfg), 0);
	assert_string_equal(alias_keys(cfg), "");
	assert_string_equal(dump(cfg, false),
			    "softdep kernel_sd pre: k\nweakdep kernel_wd w\n");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static void test_legacy(void **state)
{
	char legacy[200], missing[200];
	const char *cmd;

	snprintf(legacy, sizeof(legacy), "%s/legacy.conf", root);
	snprintf(missing, sizeof(missing), "%s/nope.conf", root);
	const char *legacy_files[] = { missing, legacy, NULL };

	/* With the default directories the legacy files are read (whatever the system holds). */
	struct mod_ctx *ctx = new_ctx(d_mod, NULL);
	struct mod_config *cfg = NULL;
	mod_ctx_set_log_fn(ctx, NULL, NULL); /* the system's own files may hold anything */
	assert_int_equal(config_new_empty(ctx, &cfg), 0);
	assert_int_equal(config_load_files(cfg, legacy_files), 0);
	assert_int_equal(mod_config_get_command(cfg, MOD_CONFIG_PRE_INSTALL, "leg", &cmd), 0);
	assert_string_equal(cmd, "echo hi");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);

	/* Not with -C. */
	const char *paths[] = { d_lib, NULL };
	ctx = new_ctx(d_mod, paths);
	assert_int_equal(config_new_empty(ctx, &cfg), 0);
	assert_int_equal(config_load_files(cfg, legacy_files), 0);
	assert_int_equal(mod_config_get_command(cfg, MOD_CONFIG_PRE_INSTALL, "leg", &cmd), -ENOENT);
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_options_merge),
		cmocka_unit_test(test_commands_and_hooks),
		cmocka_unit_test(test_blacklist_forbid),
		cmocka_unit_test(test_signature_policy),
		cmocka_unit_test(test_keep_autoclean_boot),
		cmocka_unit_test(test_softdeps_merged),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_file_order),
		cmocka_unit_test(test_legacy),
	};

	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
