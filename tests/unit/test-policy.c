/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the load policy: how each kernel file is read (and when a fact stays unknown),
 * and that a refusal is blamed on a rule only for the errno that rule makes the kernel give.
 * The sys layer is swapped for one serving the policy files from strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "libmod-private.h"

/* The fake kernel's policy files; NULL means the file does not exist. */
struct policy_files {
	const char *modules_disabled, *lockdown, *sig_enforce;
};

static int files_open(void *data, const char *path, int flags)
{
	const struct policy_files *pf = data;
	const char *text = NULL;
	int fd;

	if (strcmp(path, "/proc/sys/kernel/modules_disabled") == 0)
		text = pf->modules_disabled;
	else if (strcmp(path, "/sys/kernel/security/lockdown") == 0)
		text = pf->lockdown;
	else if (strcmp(path, "/sys/module/module/parameters/sig_enforce") == 0)
		text = pf->sig_enforce;
	if (!text)
		return -ENOENT;
	fd = memfd_create("policy", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static const struct mod_sys_ops files_ops = {
	.open = files_open,
};

static struct mod_ctx *new_ctx(const struct policy_files *pf)
{
	const char *none = NULL;
	struct mod_ctx *ctx = NULL;

	assert_int_equal(mod_ctx_new("/nonexistent", &none, &ctx), 0);
	mod_ctx_set_sys_ops(ctx, &files_ops, (void *)pf);
	return ctx;
}

static void read_policy(const struct policy_files *pf, unsigned int *policy, unsigned int *known)
{
	struct mod_ctx *ctx = new_ctx(pf);

	assert_int_equal(mod_ctx_get_load_policy(ctx, policy, known), 0);
	mod_ctx_unref(ctx);
}

static void test_read(void **state)
{
	const struct policy_files all = { "1\n", "none integrity [confidentiality]\n", "Y\n" };
	const struct policy_files off = { "0\n", "[none] integrity confidentiality\n", "N\n" };
	const struct policy_files none = { NULL, NULL, NULL };
	/* A lockdown mode this library does not know, and values that are no answer. */
	const struct policy_files odd = { "x\n", "none [paranoid]\n", "maybe\n" };
	const unsigned int lockdown = MOD_POLICY_LOCKDOWN_INTEGRITY |
				      MOD_POLICY_LOCKDOWN_CONFIDENTIALITY;
	const unsigned int every = MOD_POLICY_MODULES_DISABLED | MOD_POLICY_SIG_ENFORCE | lockdown;
	unsigned int policy, known;

	read_policy(&all, &policy, &known);
	assert_int_equal(known, every);
	assert_int_equal(policy, MOD_POLICY_MODULES_DISABLED | MOD_POLICY_SIG_ENFORCE |
					 MOD_POLICY_LOCKDOWN_CONFIDENTIALITY);
	assert_string_equal(mod_load_policy_lockdown_name(policy), "confidentiality");
	read_policy(&off, &policy, &known);
	assert_int_equal(known, every);
	assert_int_equal(policy, 0);
	assert_string_equal(mod_load_policy_lockdown_name(policy), "none");
	read_policy(&none, &policy, &known);
	assert_int_equal(known, 0);
	assert_int_equal(policy, 0);
	read_policy(&odd, &policy, &known);
	assert_int_equal(known, 0);
	assert_int_equal(policy, 0);
}

/* An unsigned "module": the explanation only looks at the file's signature trailer. */
static struct mod_module *unsigned_module(struct mod_ctx *ctx, char *path, size_t size)
{
	struct mod_module *mod = NULL;
	int fd;

	snprintf(path, size, "/tmp/libmod-policy-XXXXXX.ko");
	fd = mkstemps(path, 3);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\177ELF", 4), 4);
	close(fd);
	assert_int_equal(mod_module_new_from_path(ctx, path, &mod), 0);
	return mod;
}

/* explain(err, flags) under pf: the message, or NULL for -ENODATA. */
static char *explain(const struct policy_files *pf, int err, unsigned int flags, char *path,
		     size_t size)
{
	struct mod_ctx *ctx = new_ctx(pf);
	struct mod_module *mod = unsigned_module(ctx, path, size);
	char *msg = NULL;
	int r;

	r = mod_module_explain_insert_error(mod, err, flags, false, &msg);
	assert_true(r == 0 || r == -ENODATA);
	assert_true((r == 0) == (msg != NULL));
	unlink(path);
	mod_module_unref(mod);
	mod_ctx_unref(ctx);
	return msg;
}

static void test_explain(void **state)
{
	const struct policy_files disabled = { "1\n", "[none]\n", "N\n" };
	const struct policy_files enforce = { "0\n", "none [integrity]\n", "Y\n" };
	const struct policy_files locked = { "0\n", "none [integrity]\n", "N\n" };
	const struct policy_files off = { "0\n", "[none] integrity\n", "N\n" };
	char path[64], want[256], *msg;

	msg = explain(&disabled, -EPERM, 0, path, sizeof(path));
	assert_string_equal(msg, "loading modules is disabled (/proc/sys/kernel/modules_disabled is 1)");
	free(msg);
	/* modules_disabled answers EPERM, never EKEYREJECTED or EACCES. */
	assert_null(explain(&disabled, -EKEYREJECTED, 0, path, sizeof(path)));
	assert_null(explain(&disabled, -EACCES, 0, path, sizeof(path)));

	msg = explain(&enforce, -EKEYREJECTED, 0, path, sizeof(path));
	snprintf(want, sizeof(want),
		 "the kernel requires signed modules (module.sig_enforce) and %s is unsigned", path);
	assert_string_equal(msg, want);
	free(msg);
	/* Enforcement answers before lockdown is asked: an EPERM then is something else. */
	assert_null(explain(&enforce, -EPERM, 0, path, sizeof(path)));

	msg = explain(&locked, EPERM, 0, path, sizeof(path)); /* a positive errno is accepted */
	snprintf(want, sizeof(want), "the kernel is locked down (lockdown: integrity) and %s is unsigned",
		 path);
	assert_string_equal(msg, want);
	free(msg);
	msg = explain(&locked, -EPERM, MOD_INSERT_FORCE_VERMAGIC, path, sizeof(path));
	snprintf(want, sizeof(want),
		 "the kernel is locked down (lockdown: integrity) and a forced load of %s counts as "
		 "unsigned",
		 path);
	assert_string_equal(msg, want);
	free(msg);
	/* A bad signature is EKEYREJECTED in any policy. */
	assert_null(explain(&locked, -EKEYREJECTED, 0, path, sizeof(path)));

	assert_null(explain(&off, -EPERM, 0, path, sizeof(path)));
	assert_null(explain(&off, -EKEYREJECTED, 0, path, sizeof(path)));
}

static void test_explain_remove(void **state)
{
	const struct policy_files disabled = { "1\n", NULL, NULL };
	const struct policy_files off = { "0\n", NULL, NULL };
	struct mod_ctx *ctx = new_ctx(&disabled);
	char *msg = NULL;

	assert_int_equal(mod_ctx_explain_remove_error(ctx, -EPERM, &msg), 0);
	assert_string_equal(msg, "removing modules is disabled (/proc/sys/kernel/modules_disabled is 1)");
	free(msg);
	assert_int_equal(mod_ctx_explain_remove_error(ctx, -EBUSY, &msg), -ENODATA);
	mod_ctx_unref(ctx);
	ctx = new_ctx(&off);
	assert_int_equal(mod_ctx_explain_remove_error(ctx, -EPERM, &msg), -ENODATA);
	mod_ctx_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_explain_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
