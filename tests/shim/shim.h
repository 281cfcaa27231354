/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tool tests' LD_PRELOAD shim: a fake kernel behind the libc entry points the tools call.
 * It lives only in the test tree, so nothing that ships can be pointed at a fake kernel.
 *
 * Environment (read by the shim only):
 *   LIBMOD_SHIM_ROOT         the fake root standing in for the kernel's files (see paths.c)
 *   LIBMOD_SHIM_FAIL_LOAD    "name=ERRNO,..." makes loading these modules fail (ERRNO is a name
 *   LIBMOD_SHIM_FAIL_REMOVE  like EEXIST or a number); the same for removing them
 *   LIBMOD_SHIM_FAIL_NETLINK an errno (name or number) that opening an rtnetlink socket fails with
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Only the interposed libc functions are visible; everything else is hidden (-fvisibility). */
#define SHIM_EXPORT __attribute__((visibility("default")))

/*
 * The next definition of a libc function after the shim's own (usually libc's, or ASan's
 * interceptor when ASan is loaded), looked up once. Function pointers are written whole, so a
 * race between threads only looks the symbol up twice.
 */
#define REAL(fn)                                                                      \
	({                                                                            \
		static __typeof__(&fn) real_;                                         \
		__typeof__(&fn) f_ = __atomic_load_n(&real_, __ATOMIC_RELAXED);       \
		if (!f_) {                                                            \
			f_ = (__typeof__(&fn))shim_next_symbol(#fn);                  \
			__atomic_store_n(&real_, f_, __ATOMIC_RELAXED);               \
		}                                                                     \
		f_;                                                                   \
	})

void *shim_next_symbol(const char *name);

/* The fake root (LIBMOD_SHIM_ROOT), or NULL when the shim has none. */
const char *shim_root(void);

/*
 * The file that stands in for path: inside the fake root for the kernel's and the module
 * tools' own paths (see paths.c), else path itself. NULL with errno ENAMETOOLONG when the
 * fake path does not fit buf.
 */
const char *shim_path(const char *path, char *buf, size_t size);

/* <root> followed by the formatted text into buf; -ENAMETOOLONG when it does not fit. */
int shim_root_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The module image a load hands the kernel, as the kernel would see it (image.c). */
struct shim_image {
	void *data;
	size_t len;
};
/*
 * Read a whole file; with a format ("gzip", "xz", "zstd": the fake kernel's
 * /sys/module/compression), decompress it the way that kernel would. 0 or -errno.
 */
int shim_image_read_fd(int fd, const char *format, struct shim_image *img);
void shim_image_release(struct shim_image *img);
/*
 * The value of key in the image's .modinfo section ("name", "depends") into buf.
 * -ENOEXEC when the image is no ELF64 object of this machine's byte order, -ENOENT when the key
 * is missing, -ENAMETOOLONG when the value does not fit.
 */
int shim_image_modinfo(const void *data, size_t len, const char *key, char *buf, size_t size);

/* "EEXIST" or "17" as an errno value; 0 when it is neither. */
int shim_errno_from_string(const char *s, size_t len);

/* The first line of <root><rootrel>, without its newline. 0 or -errno. */
int shim_read_line(const char *rootrel, char *buf, size_t size);

/* The fake kernel's module state (kernel.c): 0 or the -errno the real syscall would give. */
int shim_kernel_load(const char *name, const struct shim_image *img);
/* flags as delete_module(2): O_NONBLOCK, O_TRUNC. */
int shim_kernel_unload(const char *name, unsigned int flags);

/* The glibc exports the shim replaces but no header declares. */
int init_module(void *image, unsigned long len, const char *args);
int delete_module(const char *name, unsigned int flags);
