/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the load path, state queries and removal with the sys layer swapped for a
 * recording fake: which syscall is chosen, with which flags, and what is refused before the
 * kernel is asked.
 */
#include <elf.h>
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

#include "libmod-private.h"

/* What the recording sys layer saw. */
struct rec {
	char dir[64];         /* a scratch directory standing in for / */
	int finit_calls, init_calls, delete_calls;
	int finit_flags;
	unsigned int delete_flags;
	char args[128];
	size_t init_len;
	int result; /* what the "kernel" answers */
	int compression_reads; /* opens of /sys/module/compression */
};

static int rec_release(void *data, char *buf, size_t size)
{
	snprintf(buf, size, "6.1.0-test");
	return 0;
}

static int rec_open(void *data, const char *path, int flags)
{
	struct rec *r = data;
	char p[256];
	int fd;

	if (strcmp(path, "/sys/module/compression") == 0)
		r->compression_reads++;
	snprintf(p, sizeof(p), "%s%s", r->dir, path);
	fd = open(p, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int rec_finit(void *data, const char *name, int fd, const char *args, int flags)
{
	struct rec *r = data;

	r->finit_calls++;
	r->finit_flags = flags;
	snprintf(r->args, sizeof(r->args), "%s", args);
	return r->result;
}

static int rec_init(void *data, const char *name, const void *mem, size_t len, const char *args)
{
	struct rec *r = data;

	r->init_calls++;
	r->init_len = len;
	snprintf(r->args, sizeof(r->args), "%s", args);
	return r->result;
}

static int rec_delete(void *data, const char *name, unsigned int flags)
{
	struct rec *r = data;

	r->delete_calls++;
	r->delete_flags = flags;
	return r->result;
}

static const struct mod_sys_ops rec_ops = {
	.kernel_release = rec_release,
	.open = rec_open,
	.finit_module = rec_finit,
	.init_module = rec_init,
	.delete_module = rec_delete,
};

struct fixture {
	struct rec rec;
	struct mod_ctx *ctx;
	char modpath[128];
};

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A bare ELF header: enough for the machine check, which is all the uncompressed path reads. */
static void make_header(unsigned char *h, int cls, int data, uint16_t type, uint16_t machine)
{
	memset(h, 0, sizeof(Elf64_Ehdr));
	memcpy(h, ELFMAG, SELFMAG);
	h[EI_CLASS] = (unsigned char)cls;
	h[EI_DATA] = (unsigned char)data;
	h[EI_VERSION] = EV_CURRENT;
	memcpy(h + offsetof(Elf64_Ehdr, e_type), &type, 2);
	memcpy(h + offsetof(Elf64_Ehdr, e_machine), &machine, 2);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *none = NULL;
	char p[160];

	assert_non_null(f);
	snprintf(f->rec.dir, sizeof(f->rec.dir), "/tmp/libmod-probe-XXXXXX");
	assert_non_null(mkdtemp(f->rec.dir));
	snprintf(p, sizeof(p), "%s/sys", f->rec.dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sys/module", f->rec.dir);
	mkdir(p, 0755);
	assert_int_equal(mod_ctx_new(f->rec.dir, &none, &f->ctx), 0);
	mod_ctx_set_sys_ops(f->ctx, &rec_ops, &f->rec);
	snprintf(f->modpath, sizeof(f->modpath), "%s/foo.ko", f->rec.dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	mod_ctx_unref(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->rec.dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct mod_module *module_with_header(struct fixture *f, uint16_t type, uint16_t machine)
{
	unsigned char h[sizeof(Elf64_Ehdr)];
	struct mod_module *mod;

	make_header(h, ELFCLASS64, ELFDATA2LSB, type, machine);
	write_file(f->modpath, h, sizeof(h));
	assert_int_equal(mod_module_new_from_path(f->ctx, f->modpath, &mod), 0);
	return mod;
}

static void test_insert_uses_finit_with_force_flags(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod = module_with_header(f, ET_REL, EM_X86_64);

	assert_int_equal(mod_module_insert(mod, 0, "a=1 b=2"), 0);
	assert_int_equal(f->rec.finit_calls, 1);
	assert_int_equal(f->rec.finit_flags, 0);
	assert_string_equal(f->rec.args, "a=1 b=2");
	assert_int_equal(mod_module_insert(mod, MOD_INSERT_FORCE_VERMAGIC, NULL), 0);
	assert_int_equal(f->rec.finit_flags, 2); /* MODULE_INIT_IGNORE_VERMAGIC */
	assert_string_equal(f->rec.args, "");
	assert_int_equal(mod_module_insert(mod, MOD_INSERT_FORCE_MODVERSION, NULL), 0);
	assert_int_equal(f->rec.finit_flags, 1); /* MODULE_INIT_IGNORE_MODVERSIONS */
	assert_int_equal(f->rec.init_calls, 0);
	mod_module_unref(mod);
}

/*
 * The signature policy stops a single insert before the kernel is asked: an unsigned file, and
 * any file when the trust directory is missing (fails closed); the default policy checks nothing.
 */
static void test_insert_signature_policy(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod = module_with_header(f, ET_REL, EM_X86_64);
	char *why = NULL;

	assert_int_equal(mod_module_check_trusted(mod, f->rec.dir, &why), -ENOKEY);
	assert_string_equal(why, "unsigned");
	free(why);
	mod_ctx_set_log_priority(f->ctx, LOG_EMERG); /* the refusals are logged: not here */
	assert_int_equal(mod_ctx_set_signature_policy(f->ctx, MOD_SIGNATURE_POLICY_REQUIRE,
						      f->rec.dir), 0);
	assert_int_equal(mod_module_insert(mod, 0, NULL), -ENOKEY);
	assert_int_equal(mod_ctx_set_signature_policy(f->ctx, MOD_SIGNATURE_POLICY_REQUIRE,
						      "/nonexistent/trust"), 0);
	assert_int_equal(mod_module_insert(mod, 0, NULL), -ENOKEY);
	assert_int_equal(f->rec.finit_calls + f->rec.init_calls, 0);
	/* The configuration does not apply to a single insert, and ALLOW turns everything off. */
	assert_int_equal(mod_ctx_set_signature_policy(f->ctx, MOD_SIGNATURE_POLICY_CONFIG, NULL), 0);
	assert_int_equal(mod_module_insert(mod, 0, NULL), 0);
	assert_int_equal(mod_ctx_set_signature_policy(f->ctx, MOD_SIGNATURE_POLICY_ALLOW, NULL), 0);
	assert_int_equal(mod_module_insert(mod, 0, NULL), 0);
	assert_int_equal(f->rec.finit_calls, 2);
	mod_module_unref(mod);
}

static void test_insert_kernel_errors_pass_through(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod = module_with_header(f, ET_REL, EM_X86_64);

	f->rec.result = -EEXIST;
	assert_int_equal(mod_module_insert(mod, 0, NULL), -EEXIST);
	f->rec.result = -ENOEXEC;
	assert_int_equal(mod_module_insert(mod, 0, NULL), -ENOEXEC);
	mod_module_unref(mod);
}

static void test_insert_refuses_other_machines(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod;

	mod = module_with_header(f, ET_REL, EM_AARCH64);
	assert_int_equal(mod_module_insert(mod, 0, NULL), -ENOEXEC);
	mod_module_unref(mod);
	mod = module_with_header(f, ET_EXEC, EM_X86_64);
	assert_int_equal(mod_module_insert(mod, 0, NULL), -ENOEXEC);
	mod_module_unref(mod);
	write_file(f->modpath, "not an elf file at all, but long enough for a header......", 59);
	assert_int_equal(mod_module_new_from_path(f->ctx, f->modpath, &mod), 0);
	assert_int_equal(mod_module_insert(mod, 0, NULL), -ENOEXEC);
	mod_module_unref(mod);
	assert_int_equal(f->rec.finit_calls + f->rec.init_calls, 0);
}

static void test_check_machine(void **state)
{
	struct fixture *f = *state;
	unsigned char h[sizeof(Elf64_Ehdr)];

	make_header(h, ELFCLASS64, ELFDATA2LSB, ET_REL, EM_X86_64);
	assert_int_equal(mod_image_check_machine(f->ctx, h, sizeof(h), "t"), 0);
	assert_int_equal(mod_image_check_machine(f->ctx, h, 20, "t"), -ENOEXEC);
	make_header(h, ELFCLASS32, ELFDATA2LSB, ET_REL, EM_386);
	assert_int_equal(mod_image_check_machine(f->ctx, h, sizeof(h), "t"), -ENOEXEC);
	make_header(h, ELFCLASS64, ELFDATA2MSB, ET_REL, EM_X86_64);
	assert_int_equal(mod_image_check_machine(f->ctx, h, sizeof(h), "t"), -ENOEXEC);
	assert_int_equal(mod_image_check_machine(f->ctx, h, 0, "t"), -ENOEXEC);
}

static void test_kernel_compression(void **state)
{
	struct fixture *f = *state;
	enum mod_compression c = MOD_COMPRESSION_GZIP;
	char p[160];

	assert_int_equal(mod_ctx_get_kernel_compression(f->ctx, &c), 0);
	assert_int_equal(c, MOD_COMPRESSION_NONE);
	snprintf(p, sizeof(p), "%s/sys/module/compression", f->rec.dir);
	write_file(p, "zstd\n", 5);
	/* Read once per context: the first answer (no file) stands. */
	assert_int_equal(mod_ctx_get_kernel_compression(f->ctx, &c), 0);
	assert_int_equal(c, MOD_COMPRESSION_NONE);
	assert_int_equal(f->rec.compression_reads, 1);
	/* Swapping the sys ops means another kernel: read again. */
	mod_ctx_set_sys_ops(f->ctx, &rec_ops, &f->rec);
	assert_int_equal(mod_ctx_get_kernel_compression(f->ctx, &c), 0);
	assert_int_equal(c, MOD_COMPRESSION_ZSTD);
	write_file(p, "xz\n", 3);
	mod_ctx_set_sys_ops(f->ctx, &rec_ops, &f->rec);
	assert_int_equal(mod_ctx_get_kernel_compression(f->ctx, &c), 0);
	assert_int_equal(c, MOD_COMPRESSION_XZ);
	write_file(p, "lz4\n", 4);
	mod_ctx_set_sys_ops(f->ctx, &rec_ops, &f->rec);
	assert_int_equal(mod_ctx_get_kernel_compression(f->ctx, &c), 0);
	assert_int_equal(c, MOD_COMPRESSION_NONE);
	assert_int_equal(f->rec.compression_reads, 4);
}

/* Many loads, one look at /sys/module/compression. */
static void test_kernel_compression_read_once_per_context(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod = module_with_header(f, ET_REL, EM_X86_64);
	char p[160];

	snprintf(p, sizeof(p), "%s/sys/module/compression", f->rec.dir);
	write_file(p, "xz\n", 3);
	for (int i = 0; i < 5; i++)
		assert_int_equal(mod_module_insert(mod, 0, NULL), 0);
	assert_int_equal(f->rec.finit_calls, 5);
	assert_int_equal(f->rec.compression_reads, 1);
	mod_module_unref(mod);
}

/*
 * With the kernel decompressing (/sys/module/compression names the file's compression), only
 * the ELF header is decoded here. The module is a valid header followed by 256 KiB of noise,
 * compressed, then cut in half: decoding it all would fail on the truncated stream, decoding
 * only the head succeeds, and finit_module gets the file with MODULE_INIT_COMPRESSED_FILE.
 * A compressed file whose start is no module is still refused before the kernel sees it.
 */
static void check_compressed_head(struct fixture *f, const char *tool, const char *ext,
				  const char *kernel)
{
	unsigned char *data = malloc(sizeof(Elf64_Ehdr) + (256 << 10));
	char plain[160], cmd[512], p[160];
	struct mod_module *mod;
	struct stat st;
	uint32_t x = 12345;

	assert_non_null(data);
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null", tool);
	if (system(cmd) != 0) {
		free(data);
		return;
	}
	make_header(data, ELFCLASS64, ELFDATA2LSB, ET_REL, EM_X86_64);
	for (size_t i = sizeof(Elf64_Ehdr); i < sizeof(Elf64_Ehdr) + (256 << 10); i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 24);
	}
	snprintf(plain, sizeof(plain), "%s/m.ko", f->rec.dir);
	write_file(plain, data, sizeof(Elf64_Ehdr) + (256 << 10));
	free(data);
	snprintf(cmd, sizeof(cmd), "%s -c '%s' > '%s%s'", tool, plain, plain, ext);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s%s", plain, ext);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(truncate(p, st.st_size / 2), 0);
	snprintf(cmd, sizeof(cmd), "%s/sys/module/compression", f->rec.dir);
	write_file(cmd, kernel, strlen(kernel));
	mod_ctx_set_sys_ops(f->ctx, &rec_ops, &f->rec); /* read the compression again */

	f->rec.finit_calls = f->rec.init_calls = 0;
	assert_int_equal(mod_module_new_from_path(f->ctx, p, &mod), 0);
	assert_int_equal(mod_module_insert(mod, 0, NULL), 0);
	assert_int_equal(f->rec.finit_calls, 1);
	assert_int_equal(f->rec.finit_flags, 4); /* MODULE_INIT_COMPRESSED_FILE */
	assert_int_equal(f->rec.init_calls, 0);
	mod_module_unref(mod);

	/* Not a module at the start: refused from the decoded header alone. */
	write_file(plain, "#!/bin/sh\necho this is a script, not a kernel module at all\n", 61);
	snprintf(cmd, sizeof(cmd), "%s -c '%s' > '%s'", tool, plain, p);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mod_module_new_from_path(f->ctx, p, &mod), 0);
	assert_int_equal(mod_module_insert(mod, 0, NULL), -ENOEXEC);
	assert_int_equal(f->rec.finit_calls, 1);
	mod_module_unref(mod);
	unlink(p);
	unlink(plain);
}

static void test_insert_compressed_reads_only_the_header(void **state)
{
	struct fixture *f = *state;

	check_compressed_head(f, "xz", ".xz", "xz\n");
	check_compressed_head(f, "zstd", ".zst", "zstd\n");
	check_compressed_head(f, "gzip", ".gz", "gzip\n");
}

static void test_remove_flags(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod;

	assert_int_equal(mod_module_new_from_name(f->ctx, "foo", &mod), 0);
	assert_int_equal(mod_module_remove(mod, 0), 0);
	assert_int_equal(f->rec.delete_flags, (unsigned int)O_NONBLOCK);
	assert_int_equal(mod_module_remove(mod, MOD_REMOVE_FORCE), 0);
	assert_int_equal(f->rec.delete_flags, (unsigned int)(O_NONBLOCK | O_TRUNC));
	f->rec.result = -EAGAIN;
	assert_int_equal(mod_module_remove(mod, MOD_REMOVE_NOLOG), -EAGAIN);
	mod_module_unref(mod);
}

static void mkdirs(struct fixture *f, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s%s", f->rec.dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void put(struct fixture *f, const char *rel, const char *text)
{
	char p[256];

	snprintf(p, sizeof(p), "%s%s", f->rec.dir, rel);
	write_file(p, text, strlen(text));
}

static void test_state_queries(void **state)
{
	struct fixture *f = *state;
	struct mod_module_list *list;
	struct mod_module *mod;
	enum mod_initstate st;
	long v;

	assert_int_equal(mod_module_new_from_name(f->ctx, "foo", &mod), 0);
	/* No /proc/modules: a kernel without module support, not just a module not loaded. */
	assert_int_equal(mod_module_get_initstate(mod, &st), -ENOSYS);
	assert_int_equal(mod_module_new_from_loaded(f->ctx, &list), -ENOSYS);
	mkdirs(f, "/proc");
	put(f, "/proc/modules", "");
	assert_int_equal(mod_module_get_initstate(mod, &st), -ENOENT);
	mkdirs(f, "/sys/module/foo");
	/* A directory without initstate is a module coming up, never a builtin. */
	assert_int_equal(mod_module_get_initstate(mod, &st), 0);
	assert_int_equal(st, MOD_INITSTATE_COMING);
	put(f, "/sys/module/foo/initstate", "going\n");
	assert_int_equal(mod_module_get_initstate(mod, &st), 0);
	assert_int_equal(st, MOD_INITSTATE_GOING);
	put(f, "/sys/module/foo/initstate", "live\n");
	assert_int_equal(mod_module_get_initstate(mod, &st), 0);
	assert_int_equal(st, MOD_INITSTATE_LIVE);
	assert_string_equal(mod_initstate_str(st), "live");
	assert_int_equal(mod_module_get_refcnt(mod, &v), -ENOENT);
	put(f, "/sys/module/foo/refcnt", "3\n");
	assert_int_equal(mod_module_get_refcnt(mod, &v), 0);
	assert_int_equal(v, 3);
	put(f, "/sys/module/foo/refcnt", "3x\n");
	assert_int_equal(mod_module_get_refcnt(mod, &v), -EINVAL);
	/* Size: coresize, else /proc/modules. */
	put(f, "/proc/modules", "bar 100 0 - Live 0x0\nfoo 4242 1 bar, Live 0x0\n");
	assert_int_equal(mod_module_get_size(mod, &v), 0);
	assert_int_equal(v, 4242);
	put(f, "/sys/module/foo/coresize", "8192\n");
	assert_int_equal(mod_module_get_size(mod, &v), 0);
	assert_int_equal(v, 8192);
	mkdirs(f, "/sys/module/foo/holders");
	mkdirs(f, "/sys/module/foo/holders/bar");
	assert_int_equal(mod_module_get_holders(mod, &list), 0);
	assert_int_equal(mod_module_list_count(list), 1);
	assert_string_equal(mod_module_get_name(mod_module_list_get(list, 0)), "bar");
	mod_module_list_free(list);
	assert_int_equal(mod_module_new_from_loaded(f->ctx, &list), 0);
	assert_int_equal(mod_module_list_count(list), 2);
	assert_string_equal(mod_module_get_name(mod_module_list_get(list, 0)), "bar");
	assert_string_equal(mod_module_get_name(mod_module_list_get(list, 1)), "foo");
	mod_module_list_free(list);
	mod_module_unref(mod);
}

/* ---------------------------------------------------------------------------------------- */
/* Large plans: correct and (by construction) linear; bench/modprobe-scale.sh times them.      */

struct actions {
	size_t n;
	char first[64], last[64];
};

static void count_action(struct mod_module *mod, enum mod_action_kind kind, const char *text,
			 const char *options, void *data)
{
	struct actions *a = data;

	if (a->n++ == 0)
		snprintf(a->first, sizeof(a->first), "%s", mod_module_get_name(mod));
	snprintf(a->last, sizeof(a->last), "%s", mod_module_get_name(mod));
}

static int write_builder(int fd, void *data)
{
	return mod_index_builder_write(data, fd, MOD_INDEX_LAYOUT_PREORDER);
}

/* One modules.dep.bin entry: kernel/<name>.ko and its dependency paths. */
static void add_dep(struct mod_index_builder *b, const char *name, const char *deps)
{
	char line[1 << 17];

	snprintf(line, sizeof(line), "kernel/%s.ko:%s", name, deps);
	assert_true(mod_index_builder_add(b, name, line, 0) >= 0);
}

static void test_large_plans(void **state)
{
	enum { NDEPS = 3000, NCHAIN = 2000, NALIAS = 2000 };
	static const struct mod_probe_callbacks cb = { .action = count_action };
	const unsigned int flags = MOD_PROBE_DRY_RUN | MOD_PROBE_IGNORE_LOADED;
	struct fixture *f = *state;
	struct mod_index_builder *b;
	struct mod_module_list *list;
	struct mod_module *mod;
	struct mod_ctx *ctx;
	struct actions a;
	char conf[160], p[200], *deps;
	size_t used = 0;
	const char *paths[2] = { conf, NULL };
	FILE *cf;

	/* big needs d0..d2999; m0 post: m1, ... m1998 post: m1999; foo is bar, 2000 times. */
	assert_int_equal(mod_index_builder_new(&b), 0);
	deps = malloc(NDEPS * 16);
	assert_non_null(deps);
	deps[0] = '\0';
	for (int i = 0; i < NDEPS; i++) {
		snprintf(p, sizeof(p), "d%d", i);
		add_dep(b, p, "");
		used += (size_t)snprintf(deps + used, NDEPS * 16 - used, " kernel/d%d.ko", i);
	}
	add_dep(b, "big", deps);
	free(deps);
	for (int i = 0; i < NCHAIN; i++) {
		snprintf(p, sizeof(p), "m%d", i);
		add_dep(b, p, "");
	}
	add_dep(b, "bar", "");
	assert_int_equal(mod_write_file_atomic(f->rec.dir, "modules.dep.bin", write_builder, b), 0);
	mod_index_builder_free(b);
	snprintf(conf, sizeof(conf), "%s/conf.d", f->rec.dir);
	assert_int_equal(mkdir(conf, 0755), 0);
	snprintf(p, sizeof(p), "%s/big.conf", conf);
	cf = fopen(p, "we");
	assert_non_null(cf);
	for (int i = 0; i + 1 < NCHAIN; i++)
		fprintf(cf, "softdep m%d post: m%d\n", i, i + 1);
	for (int i = 0; i < NALIAS; i++)
		fputs("alias foo bar\n", cf);
	fclose(cf);
	assert_int_equal(mod_ctx_new(f->rec.dir, paths, &ctx), 0);
	mod_ctx_set_sys_ops(ctx, &rec_ops, &f->rec);

	/* One line of 3000 dependencies: each once, in load order (modules.dep's reversed). */
	a = (struct actions){ 0 };
	assert_int_equal(mod_module_new_from_name(ctx, "big", &mod), 0);
	assert_int_equal(mod_module_probe_insert(mod, flags, NULL, &cb, &a, NULL), 0);
	assert_int_equal(a.n, NDEPS + 1);
	assert_string_equal(a.first, "d2999");
	assert_string_equal(a.last, "big");
	mod_module_unref(mod);

	/* The softdep chain, both ways: deeper than recursion would comfortably go in tests. */
	a = (struct actions){ 0 };
	assert_int_equal(mod_module_new_from_name(ctx, "m0", &mod), 0);
	assert_int_equal(mod_module_probe_insert(mod, flags, NULL, &cb, &a, NULL), 0);
	assert_int_equal(a.n, NCHAIN);
	assert_string_equal(a.first, "m0");
	assert_string_equal(a.last, "m1999");
	a = (struct actions){ 0 };
	assert_int_equal(mod_module_probe_remove(mod, flags, 0, &cb, &a, NULL), 0);
	assert_int_equal(a.n, NCHAIN);
	assert_string_equal(a.first, "m1999");
	assert_string_equal(a.last, "m0");
	mod_module_unref(mod);

	/* 2000 identical config aliases: 2000 modules, each planned alone. */
	assert_int_equal(mod_module_lookup(ctx, "foo", &list), 0);
	assert_int_equal(mod_module_list_count(list), NALIAS);
	a = (struct actions){ 0 };
	for (size_t i = 0; i < mod_module_list_count(list); i++)
		assert_int_equal(mod_module_probe_insert(mod_module_list_get(list, i), flags, NULL,
							 &cb, &a, NULL), 0);
	assert_int_equal(a.n, NALIAS);
	assert_string_equal(a.last, "bar");
	mod_module_list_free(list);
	mod_ctx_unref(ctx);
}

static void test_strerror(void **state)
{
	assert_string_equal(mod_strerror(-ENOEXEC), "Invalid module format");
	assert_string_equal(mod_strerror(-ENOENT), "Unknown symbol in module");
	assert_string_equal(mod_strerror_probe(-ENOENT),
			    "Unknown symbol in module, or unknown parameter (see dmesg)");
	assert_string_equal(mod_strerror_probe(-EEXIST), "Module already in kernel");
	assert_string_equal(mod_strerror_probe(-EPERM), strerror(EPERM));
	/* The same words for a kernel without module support in both wordings. */
	assert_string_equal(mod_strerror(-ENOSYS),
			    "this kernel has no module support (/proc/modules does not exist)");
	assert_string_equal(mod_strerror_probe(-ENOSYS), mod_strerror(-ENOSYS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_signature_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_uses_finit_with_force_flags, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_insert_kernel_errors_pass_through, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_insert_refuses_other_machines, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_machine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_compression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_compression_read_once_per_context,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_compressed_reads_only_the_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remove_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_plans, setup, teardown),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
