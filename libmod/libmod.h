/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmod: read, index, resolve, load and remove Linux kernel modules.
 *
 * Conventions, everywhere in this header:
 * - Functions return 0 or a negative errno. Out-parameters come last and are written only on
 *   success.
 * - Iterators (`*_next`) return 0 for an item, 1 at the end, below 0 on error.
 * - Handles are reference counted: `_ref` returns its argument, `_unref` returns NULL; both
 *   accept NULL.
 * - Strings returned as `const char *` belong to the object they came from and live as long as
 *   it does.
 * - The library never prints and never exits: it logs through the context's log function.
 *
 * libmod reads and writes what kmod does (the same module directories, configuration and index
 * formats); where this header says "as kmod does", it means kmod 30 unless it names a version.
 */
#ifndef LIBMOD_H
#define LIBMOD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LIBMOD_EXPORT
#define LIBMOD_EXPORT __attribute__((visibility("default")))
#endif

/* ============================================================================================ */
/* Context                                                                                      */
/* ============================================================================================ */

struct mod_ctx;

typedef void (*mod_log_fn)(void *data, int priority, const char *file, int line, const char *fn,
			   const char *format, va_list args);

/*
 * Create a context.
 * moddir: the module directory (e.g. /lib/modules/6.1.0-56-amd64); NULL means
 *         MODULE_DIRECTORY/$(uname -r). A relative path is made absolute.
 * config_paths: modprobe.d files or directories; NULL means the default directories, an array
 *         holding only NULL means no configuration at all.
 * The log priority starts at LOG_ERR; the environment variable LIBMOD_LOG (a number or
 * err/warning/notice/info/debug) overrides it.
 */
LIBMOD_EXPORT int mod_ctx_new(const char *moddir, const char *const *config_paths,
			      struct mod_ctx **ret);
LIBMOD_EXPORT struct mod_ctx *mod_ctx_ref(struct mod_ctx *ctx);
LIBMOD_EXPORT struct mod_ctx *mod_ctx_unref(struct mod_ctx *ctx);
LIBMOD_EXPORT void mod_ctx_set_log_fn(struct mod_ctx *ctx, mod_log_fn fn, void *data);
LIBMOD_EXPORT void mod_ctx_set_log_priority(struct mod_ctx *ctx, int priority);
LIBMOD_EXPORT int mod_ctx_get_log_priority(const struct mod_ctx *ctx);
LIBMOD_EXPORT const char *mod_ctx_get_moddir(const struct mod_ctx *ctx);
/* The config paths the context was created with (NULL-terminated; NULL for the defaults). */
LIBMOD_EXPORT const char *const *mod_ctx_get_config_paths(const struct mod_ctx *ctx);
LIBMOD_EXPORT void mod_ctx_set_userdata(struct mod_ctx *ctx, void *userdata);
LIBMOD_EXPORT void *mod_ctx_get_userdata(const struct mod_ctx *ctx);

/* ============================================================================================ */
/* Errors and names                                                                             */
/* ============================================================================================ */

/*
 * The message a tool prints for a negative errno returned by a load or removal, the same words
 * kmod's insmod prints (e.g. -ENOEXEC -> "Invalid module format"). Never NULL.
 * -ENOSYS, the kernel's answer without module support, is said as that in both wordings.
 */
LIBMOD_EXPORT const char *mod_strerror(int err);
/* The same in modprobe's words ("Module already in kernel", "Unknown symbol ... (see dmesg)"). */
LIBMOD_EXPORT const char *mod_strerror_probe(int err);

/*
 * Module names: '-' becomes '_'. Writes at most outsz bytes including the NUL;
 * -ENAMETOOLONG if it does not fit.
 */
LIBMOD_EXPORT int mod_name_normalize(const char *name, char *out, size_t outsz);
/* Aliases: '-' becomes '_' except inside [...]; -EINVAL on an unmatched bracket. */
LIBMOD_EXPORT int mod_alias_normalize(const char *alias, char *out, size_t outsz);
/* The module name of a file: basename cut at the first '.', normalized. */
LIBMOD_EXPORT int mod_name_from_path(const char *path, char *out, size_t outsz);
/* Does the path end in a module extension (.ko, .ko.gz, .ko.xz, .ko.zst)? */
LIBMOD_EXPORT bool mod_path_is_module(const char *path);

/* ============================================================================================ */
/* Module images: a module file read and decompressed into memory                               */
/* ============================================================================================ */

enum mod_compression {
	MOD_COMPRESSION_NONE = 0,
	MOD_COMPRESSION_GZIP,
	MOD_COMPRESSION_XZ,
	MOD_COMPRESSION_ZSTD,
};

struct mod_image;

/*
 * Open a module file. The compression is detected from the magic bytes, not the extension.
 * Plain files are mapped; compressed ones are decompressed in memory with the real libraries
 * (-EPROTONOSUPPORT when that library was not built in, -EBADMSG for corrupt data). A file
 * decompressing past 1 GiB fails with -EFBIG. Decompressed images of all threads and contexts
 * of the process share one 1 GiB budget until they are freed: an open may wait for other
 * threads to free theirs.
 */
LIBMOD_EXPORT int mod_image_open(struct mod_ctx *ctx, const char *path, struct mod_image **ret);
/* Wrap caller memory (not copied; it must outlive the image). Compression is not undone. */
LIBMOD_EXPORT int mod_image_new_from_memory(struct mod_ctx *ctx, const void *buf, size_t len,
					    struct mod_image **ret);
LIBMOD_EXPORT struct mod_image *mod_image_ref(struct mod_image *img);
LIBMOD_EXPORT struct mod_image *mod_image_unref(struct mod_image *img);
/* The uncompressed bytes. */
LIBMOD_EXPORT const void *mod_image_get_data(const struct mod_image *img);
LIBMOD_EXPORT size_t mod_image_get_size(const struct mod_image *img);
/* How the file on disk was compressed. */
LIBMOD_EXPORT enum mod_compression mod_image_get_compression(const struct mod_image *img);
/* NULL for images made from memory. */
LIBMOD_EXPORT const char *mod_image_get_path(const struct mod_image *img);
/* Detect compression from the first bytes of a buffer. */
LIBMOD_EXPORT enum mod_compression mod_compression_detect(const void *buf, size_t len);
LIBMOD_EXPORT const char *mod_compression_name(enum mod_compression c);

/* ============================================================================================ */
/* ELF view of a module                                                                         */
/* ============================================================================================ */

struct mod_elf;

/*
 * Parse an ELF relocatable object held in memory (32/64-bit, either endianness). Every offset and
 * size is checked against len; a bad file gives -ENOEXEC and a log line saying why.
 * The buffer is not copied and must outlive the handle (an image keeps it alive: prefer
 * mod_elf_new_from_image).
 */
LIBMOD_EXPORT int mod_elf_new(struct mod_ctx *ctx, const void *buf, size_t len,
			      struct mod_elf **ret);
LIBMOD_EXPORT int mod_elf_new_from_image(struct mod_image *img, struct mod_elf **ret);
LIBMOD_EXPORT struct mod_elf *mod_elf_ref(struct mod_elf *elf);
LIBMOD_EXPORT struct mod_elf *mod_elf_unref(struct mod_elf *elf);
/* 32 or 64 */
LIBMOD_EXPORT int mod_elf_get_class(const struct mod_elf *elf);
/* true for big-endian files */
LIBMOD_EXPORT bool mod_elf_is_big_endian(const struct mod_elf *elf);
/* e_machine (EM_X86_64, ...) */
LIBMOD_EXPORT unsigned int mod_elf_get_machine(const struct mod_elf *elf);

/*
 * .modinfo entries in section order. `*cursor` starts at 0. key is not NUL-terminated (keylen
 * bytes); value is NUL-terminated (empty for an entry without '='). Both point into the buffer.
 */
LIBMOD_EXPORT int mod_elf_modinfo_next(const struct mod_elf *elf, size_t *cursor,
				       const char **key, size_t *keylen, const char **value);

/* __versions entries: CRC and symbol name, in section order. */
LIBMOD_EXPORT int mod_elf_versions_next(const struct mod_elf *elf, size_t *cursor,
					const char **symbol, uint64_t *crc);

/*
 * Exported symbols, as kmod finds them: the `__crc_<sym>` symbols of .symtab with their
 * CRC; when there are none, the names in __ksymtab_strings with CRC 0.
 */
LIBMOD_EXPORT int mod_elf_exports_next(const struct mod_elf *elf, size_t *cursor,
				       const char **symbol, uint64_t *crc);

/* Binding of an undefined symbol, as libkmod reports it. */
enum mod_symbol_bind {
	MOD_SYMBOL_NONE = '\0',
	MOD_SYMBOL_UNDEF = 'U',
	MOD_SYMBOL_WEAK = 'W',
	MOD_SYMBOL_GLOBAL = 'G',
	MOD_SYMBOL_LOCAL = 'L',
};

/*
 * Undefined symbols the module needs, in the order depmod uses them: .symtab entries with
 * st_shndx == SHN_UNDEF in symtab order (empty names and SPARC registers skipped), then
 * __versions entries that no undefined symbol matched. crc is the __versions CRC or 0.
 */
LIBMOD_EXPORT int mod_elf_undefined_next(const struct mod_elf *elf, size_t *cursor,
					 const char **symbol, enum mod_symbol_bind *bind,
					 uint64_t *crc);

/* Sections: name, file offset and size, in header order. */
LIBMOD_EXPORT int mod_elf_sections_next(const struct mod_elf *elf, size_t *cursor,
					const char **name, uint64_t *offset, uint64_t *size);

/* The module name stored in .gnu.linkonce.this_module; -ENODATA when there is none. */
LIBMOD_EXPORT int mod_elf_get_this_module_name(const struct mod_elf *elf, const char **name);

/* The .note.gnu.build-id bytes (pointing into the buffer); -ENODATA when there is none. */
LIBMOD_EXPORT int mod_elf_get_build_id(const struct mod_elf *elf, const uint8_t **id,
				       size_t *len);

/*
 * Copy the image with the version checks disabled for a forced init_module load: with
 * strip_modversions the __versions section loses SHF_ALLOC (no __versions is not an error); with
 * strip_vermagic the whole "vermagic=..." string in .modinfo is overwritten with NULs, as the
 * kmod does (-ENODATA when there is none). The copy is malloc'ed; the caller frees it.
 */
LIBMOD_EXPORT int mod_elf_strip_for_force(const struct mod_elf *elf, bool strip_modversions,
					  bool strip_vermagic, void **copy, size_t *copy_len);

/* ============================================================================================ */
/* Appended signatures                                                                          */
/* ============================================================================================ */

struct mod_signature;

/*
 * Parse the `~Module signature appended~` trailer at the end of a module image.
 * -ENODATA when the file is unsigned, -EBADMSG when the trailer is malformed.
 * With libcrypto the PKCS#7 fields are decoded; without it signer/key are empty and the hash
 * algorithm is "unknown", as kmod's modinfo prints.
 */
LIBMOD_EXPORT int mod_signature_parse(struct mod_ctx *ctx, const void *buf, size_t len,
				      struct mod_signature **ret);
LIBMOD_EXPORT struct mod_signature *mod_signature_free(struct mod_signature *sig);
/* "PGP", "X509" or "PKCS#7" */
LIBMOD_EXPORT const char *mod_signature_get_id_type(const struct mod_signature *sig);
/* Issuer common name (may be empty). */
LIBMOD_EXPORT const char *mod_signature_get_signer(const struct mod_signature *sig);
LIBMOD_EXPORT const uint8_t *mod_signature_get_key_id(const struct mod_signature *sig,
						      size_t *len);
/* "sha256", ..., or "unknown" */
LIBMOD_EXPORT const char *mod_signature_get_hash_algo(const struct mod_signature *sig);
LIBMOD_EXPORT const uint8_t *mod_signature_get_signature(const struct mod_signature *sig,
							 size_t *len);
/* Size of the module with the signature trailer cut off. */
LIBMOD_EXPORT size_t mod_signature_get_module_size(const struct mod_signature *sig);

/* ============================================================================================ */
/* Signature verification                                                                       */
/* ============================================================================================ */

/*
 * Checking an appended signature offline, by the rules the kernel applies when it loads a
 * module (module_sig_check, mod_verify_sig, pkcs7_verify for VERIFYING_MODULE_SIGNATURE): a
 * PKCS#7 trailer with all other header fields zero, SignedData of type data with the content
 * detached (the signed bytes are the module before its signature), no authenticated
 * attributes, a hash the kernel knows (sha1, sha224, sha256, sha384, sha512, sha3-*, sm3), and
 * each signer's key found among trusted X.509 certificates by issuer and serial number or by
 * subjectKeyIdentifier, as the kernel finds it in its keyring. Certificates carried inside the
 * signature are not used and certificate dates are not checked, as the kernel does neither.
 *
 * "valid" says that a certificate in the trust directory signed exactly these bytes. It does
 * NOT say the running kernel will accept the module: that needs the same certificate in the
 * kernel's keyrings (built in, or enrolled as a machine owner key).
 *
 * Trust directory: every regular file not starting with '.' holds PEM certificates (any
 * number) or one DER certificate; other files are skipped with a warning. Not recursive.
 */
/* SYSCONFDIR "/libmod/trusted-keys" (/etc/libmod/trusted-keys in the usual build). */
LIBMOD_EXPORT const char *mod_signature_default_trust_dir(void);

enum mod_signature_status {
	MOD_SIGNATURE_VALID = 0,       /* a trusted key signed exactly these bytes */
	MOD_SIGNATURE_INVALID,         /* see the reason */
	MOD_SIGNATURE_UNSIGNED,        /* no signature trailer */
	MOD_SIGNATURE_UNKNOWN_KEY,     /* well formed, but no trusted certificate names its key */
};

enum mod_signature_reason {
	MOD_SIGNATURE_REASON_NONE = 0,
	MOD_SIGNATURE_REASON_DIGEST_MISMATCH, /* the key signed other bytes: module modified */
	MOD_SIGNATURE_REASON_BAD_SIGNATURE,   /* the signature does not verify with the key */
	MOD_SIGNATURE_REASON_MALFORMED,       /* trailer or PKCS#7 data cannot be read */
	MOD_SIGNATURE_REASON_UNSUPPORTED,     /* readable, but a form the kernel refuses */
};

struct mod_module;
struct mod_signature_verdict;

/*
 * Verify the signature of a module image in memory (uncompressed bytes) against the
 * certificates in trust_dir (NULL: mod_signature_default_trust_dir()). Every outcome about the
 * module, including a damaged signature, is a verdict and returns 0. Errors are about the
 * verifier: -EOPNOTSUPP without libcrypto, -ENOENT / -EACCES / -ENOTDIR for the trust
 * directory (an unsigned module gives its verdict without reading it), -ENOMEM.
 */
LIBMOD_EXPORT int mod_signature_verify(struct mod_ctx *ctx, const void *buf, size_t len,
				       const char *trust_dir,
				       struct mod_signature_verdict **ret);
/* The same for a module's file; -ENOENT for builtins and modules without a file. */
LIBMOD_EXPORT int mod_module_verify_signature(struct mod_module *mod, const char *trust_dir,
					      struct mod_signature_verdict **ret);
LIBMOD_EXPORT struct mod_signature_verdict *
mod_signature_verdict_free(struct mod_signature_verdict *v);
LIBMOD_EXPORT enum mod_signature_status
mod_signature_verdict_get_status(const struct mod_signature_verdict *v);
LIBMOD_EXPORT enum mod_signature_reason
mod_signature_verdict_get_reason(const struct mod_signature_verdict *v);
/*
 * The signer: the subject commonName of the trusted certificate that matched; without a match,
 * the issuer commonName the signature names (empty when it names its key by identifier only).
 */
LIBMOD_EXPORT const char *mod_signature_verdict_get_signer(const struct mod_signature_verdict *v);
/*
 * The key as the signature names it: the issuer's serial number (what modinfo shows as sig_key)
 * or, for a signature made with sign-file -k, the subjectKeyIdentifier. Empty for unsigned.
 */
LIBMOD_EXPORT const uint8_t *mod_signature_verdict_get_key_id(const struct mod_signature_verdict *v,
							      size_t *len);
/* "valid", "invalid", "unsigned", "unknown key"; NULL for anything else. */
LIBMOD_EXPORT const char *mod_signature_status_str(enum mod_signature_status status);
/* "digest mismatch", "bad signature", "malformed", "unsupported"; "" for none; NULL otherwise. */
LIBMOD_EXPORT const char *mod_signature_reason_str(enum mod_signature_reason reason);

/* ============================================================================================ */
/* Binary indexes: modules.*.bin                                                                */
/* ============================================================================================ */

struct mod_index;

/*
 * Map an index file read-only; the header (magic, major version, root) is checked. Nodes are
 * checked as lookups reach them: a corrupt one gives -EBADMSG and a log line. The context is
 * borrowed for logging (it may be NULL) and must outlive the index.
 */
LIBMOD_EXPORT int mod_index_open(struct mod_ctx *ctx, const char *path, struct mod_index **ret);
/* Read an index from memory (not copied; it must outlive the handle). */
LIBMOD_EXPORT int mod_index_new_from_memory(struct mod_ctx *ctx, const void *buf, size_t len,
					    struct mod_index **ret);
LIBMOD_EXPORT struct mod_index *mod_index_ref(struct mod_index *idx);
LIBMOD_EXPORT struct mod_index *mod_index_unref(struct mod_index *idx);

/*
 * Exact lookup: the first (lowest-priority) value stored under key. -ENOENT when there is none,
 * -EBADMSG when the index is corrupt on the path taken. The value points into the index.
 */
LIBMOD_EXPORT int mod_index_lookup(struct mod_index *idx, const char *key, const char **value);

/* Results of a lookup that may return several values, ordered as libkmod orders them. */
struct mod_index_result;
/*
 * Wildcard lookup: stored keys may be glob patterns (*, ?, [...]) matched against the literal
 * key with fnmatch. Results are ordered by priority; equal priorities in reverse file order.
 * An empty result is -ENOENT. As in libkmod, a '*', '?' or '[' in the query is also
 * followed as a literal edge, so such a query can report a value twice.
 */
LIBMOD_EXPORT int mod_index_lookup_wild(struct mod_index *idx, const char *key,
					struct mod_index_result **ret);
/* Every value stored under exactly this key, in stored order (priority order). */
LIBMOD_EXPORT int mod_index_lookup_all(struct mod_index *idx, const char *key,
				       struct mod_index_result **ret);
LIBMOD_EXPORT size_t mod_index_result_count(const struct mod_index_result *res);
LIBMOD_EXPORT const char *mod_index_result_value(const struct mod_index_result *res, size_t i);
LIBMOD_EXPORT unsigned int mod_index_result_priority(const struct mod_index_result *res,
						     size_t i);
LIBMOD_EXPORT struct mod_index_result *mod_index_result_free(struct mod_index_result *res);

/*
 * Visit every key/value/priority, keys in byte order, values in stored order. The callback
 * returns 0 to go on or a negative errno to stop (returned by the walk).
 */
typedef int (*mod_index_visit_fn)(const char *key, const char *value, unsigned int priority,
				  void *data);
LIBMOD_EXPORT int mod_index_foreach(struct mod_index *idx, mod_index_visit_fn fn, void *data);
/* Write `<prefix>key value\n` for every value, as `modprobe -c` dumps an index. */
LIBMOD_EXPORT int mod_index_dump(struct mod_index *idx, int fd, const char *prefix);

/* Building an index. */
struct mod_index_builder;

enum mod_index_layout {
	MOD_INDEX_LAYOUT_PREORDER = 0, /* root first: what kmod >= 34 writes */
	MOD_INDEX_LAYOUT_POSTORDER,    /* root last: what kmod <= 33 writes */
};

LIBMOD_EXPORT int mod_index_builder_new(struct mod_index_builder **ret);
LIBMOD_EXPORT struct mod_index_builder *mod_index_builder_free(struct mod_index_builder *b);
/*
 * Add a value under key. Returns 0 when added, 1 when exactly this key/value pair was already
 * there (it is still added, as kmod's depmod does; depmod -w warns). Keys and values may hold
 * any byte but NUL (bytes >= 0x80 too, as kmod indexes them); -EINVAL for a string too
 * long for the format (2^28 bytes).
 */
LIBMOD_EXPORT int mod_index_builder_add(struct mod_index_builder *b, const char *key,
					const char *value, unsigned int priority);
/* Serialize to an open file descriptor (written from its current position). */
LIBMOD_EXPORT int mod_index_builder_write(struct mod_index_builder *b, int fd,
					  enum mod_index_layout layout);

/*
 * Atomic file replacement, for indexes and every other file others read: write to a temporary
 * file in dir, fsync-free by default, rename over `name`. The callback writes the contents to fd.
 * On any error the temporary file is removed and the old file stays intact.
 * name is a plain file name (no '/': -EINVAL); the file is created with mode 0644 & ~umask.
 */
typedef int (*mod_write_fn)(int fd, void *data);
LIBMOD_EXPORT int mod_write_file_atomic(const char *dir, const char *name, mod_write_fn fn,
					void *data);

/* ============================================================================================ */
/* Configuration: modprobe.d, depmod.d, kernel command line                                     */
/* ============================================================================================ */

/*
 * The modprobe configuration: modprobe.d files, <moddir>/modules.softdep and modules.weakdep, the
 * legacy /etc/modules.conf and /etc/modprobe.conf, and the kernel command line. Every entry keeps
 * its file and line. Module names and aliases are stored "underscored" ('-' -> '_' outside
 * [...]). A config is immutable once read and borrows its context: it must not outlive it.
 */
struct mod_config;
struct mod_config_entry;

enum mod_config_kind {
	MOD_CONFIG_ALIAS = 0,     /* alias <pattern> <modname> */
	MOD_CONFIG_OPTIONS,       /* options <modname|alias> <text> */
	MOD_CONFIG_INSTALL,       /* install <modname-glob> <command> */
	MOD_CONFIG_REMOVE,        /* remove <modname-glob> <command> */
	MOD_CONFIG_BLACKLIST,     /* blacklist <modname> */
	MOD_CONFIG_SOFTDEP,       /* softdep <modname-glob> [pre: ...] [post: ...] */
	MOD_CONFIG_WEAKDEP,       /* weakdep <modname-glob> <modules...> */
	MOD_CONFIG_FORBID,        /* forbid <modname-glob>: libmod's, not in kmod */
	MOD_CONFIG_PRE_INSTALL,   /* legacy modules.conf hooks: <kind> <modname-glob> <command> */
	MOD_CONFIG_POST_INSTALL,
	MOD_CONFIG_PRE_REMOVE,
	MOD_CONFIG_POST_REMOVE,
	MOD_CONFIG_REQUIRE_SIGNATURE, /* require_signature <modname-glob>: libmod's (LIBMOD_3) */
	MOD_CONFIG_TRUSTED_KEYS,      /* trusted_keys <absolute directory>: libmod's (LIBMOD_3) */
	MOD_CONFIG_KEEP,           /* keep <modname-glob>: autoclean never removes it (libmod) */
	MOD_CONFIG_AUTOCLEAN_BOOT, /* autoclean-boot <modname-glob>: may remove a boot module */
	_MOD_CONFIG_KIND_MAX,
};

enum mod_config_flags {
	MOD_CONFIG_NO_CMDLINE = 1 << 0, /* do not read the kernel command line */
	MOD_CONFIG_NO_LEGACY = 1 << 1,  /* do not read /etc/modules.conf, /etc/modprobe.conf */
};

/*
 * Read the configuration the way modprobe does:
 * - the context's config paths (directories or files, see mod_ctx_new), or the default
 *   directories /etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d,
 *   DISTCONFDIR/modprobe.d, /lib/modprobe.d; their *.conf files merged and sorted by basename,
 *   an earlier directory masking a same-named file of a later one;
 * - <moddir>/modules.softdep and modules.weakdep, sorted in by those names (also with explicit
 *   config paths, as kmod does);
 * - with the default directories only: /etc/modules.conf then /etc/modprobe.conf when present
 *   (legacy; same grammar; read after the directories);
 * - the kernel command line (`mod.param=value`, `modprobe.blacklist=a,b`), last.
 * Bad lines are logged as "<file> line N: <reason>" and skipped. flags: mod_config_flags.
 */
LIBMOD_EXPORT int mod_config_new(struct mod_ctx *ctx, unsigned int flags,
				 struct mod_config **ret);
LIBMOD_EXPORT struct mod_config *mod_config_ref(struct mod_config *cfg);
LIBMOD_EXPORT struct mod_config *mod_config_unref(struct mod_config *cfg);

/* The keyword of a kind ("alias", "pre-install", ...); NULL for an unknown kind. */
LIBMOD_EXPORT const char *mod_config_kind_name(enum mod_config_kind kind);

/* The entries of one kind in config order. Iterator contract; *cursor starts at 0. */
LIBMOD_EXPORT int mod_config_next(const struct mod_config *cfg, enum mod_config_kind kind,
				  size_t *cursor, const struct mod_config_entry **entry);
LIBMOD_EXPORT enum mod_config_kind mod_config_entry_get_kind(const struct mod_config_entry *e);
/* The module name, alias pattern or glob (underscored). */
LIBMOD_EXPORT const char *mod_config_entry_get_key(const struct mod_config_entry *e);
/*
 * alias: the module; options: the raw text (tabs -> spaces, leading spaces kept); commands: the
 * command; softdep: "pre: a b post: c" (sections present only when not empty, "" for none);
 * weakdep: the modules separated by spaces; blacklist and forbid: NULL.
 */
LIBMOD_EXPORT const char *mod_config_entry_get_value(const struct mod_config_entry *e);
/* Where the entry came from: the file path ("/proc/cmdline" for the kernel command line). */
LIBMOD_EXPORT const char *mod_config_entry_get_file(const struct mod_config_entry *e);
LIBMOD_EXPORT unsigned int mod_config_entry_get_line(const struct mod_config_entry *e);

/*
 * The option text of a module: the values of every `options` entry whose key equals modname
 * (normalized here) or alias (the string the module was found through; may be NULL), in config
 * order (kernel command line last), joined with single spaces. malloc'ed; -ENOENT when none.
 */
LIBMOD_EXPORT int mod_config_get_options(const struct mod_config *cfg, const char *modname,
					 const char *alias, char **ret);
/*
 * The command of the first entry of `kind` (INSTALL, REMOVE or one of the four hooks) whose glob
 * matches modname (normalized here), as kmod picks install/remove. -ENOENT when none.
 */
LIBMOD_EXPORT int mod_config_get_command(const struct mod_config *cfg, enum mod_config_kind kind,
					 const char *modname, const char **cmd);
LIBMOD_EXPORT int mod_config_get_install(const struct mod_config *cfg, const char *modname,
					 const char **cmd);
LIBMOD_EXPORT int mod_config_get_remove(const struct mod_config *cfg, const char *modname,
					const char **cmd);
/*
 * Blacklisted: an exact name match. Unlike kmod, kernel command line entries
 * (modprobe.blacklist=, stored as written) are compared underscored too, as the kernel does.
 */
LIBMOD_EXPORT bool mod_config_is_blacklisted(const struct mod_config *cfg, const char *modname);
/* Forbidden: some `forbid` glob matches the normalized name. */
LIBMOD_EXPORT bool mod_config_is_forbidden(const struct mod_config *cfg, const char *modname);
/* Kept from autoclean: some `keep` glob matches the normalized name (LIBMOD_3). */
LIBMOD_EXPORT bool mod_config_is_kept(const struct mod_config *cfg, const char *modname);
/*
 * Autoclean may remove this module even though it is loaded at boot: some `autoclean-boot` glob
 * matches the normalized name (LIBMOD_3).
 */
LIBMOD_EXPORT bool mod_config_is_boot_cleanable(const struct mod_config *cfg,
						const char *modname);
/*
 * The signature policy of modprobe.d (LIBMOD_3): a module must be signed by a trusted key when
 * some `require_signature` glob matches its normalized name.
 */
LIBMOD_EXPORT bool mod_config_requires_signature(const struct mod_config *cfg,
						 const char *modname);
/*
 * The trusted key directory the configuration names (the last `trusted_keys` line wins), borrowed
 * from cfg; -ENOENT when no line names one.
 */
LIBMOD_EXPORT int mod_config_get_trusted_keys(const struct mod_config *cfg, const char **dir);
/*
 * Soft dependencies of a module: unlike kmod (which uses only the first matching line,
 * kmod issue #33), the pre and post lists of EVERY softdep line whose glob matches are merged, in
 * config order, later duplicates dropped. Names are as written (resolve them with
 * mod_module_lookup). *pre and *post are malloc'ed NULL-terminated arrays of strings owned by
 * cfg (free only the arrays). -ENOENT when no softdep line matches (an empty line matches).
 */
LIBMOD_EXPORT int mod_config_get_softdeps(const struct mod_config *cfg, const char *modname,
					  const char ***pre, const char ***post);
/* The same for weakdep lines: all matching lines merged, duplicates dropped. */
LIBMOD_EXPORT int mod_config_get_weakdeps(const struct mod_config *cfg, const char *modname,
					  const char ***deps);
/*
 * Write the configuration as `modprobe -c` prints it before "# End of configuration files":
 * sections blacklist, install, remove, alias, options, softdep, weakdep, then libmod's: forbid,
 * pre-install, post-install, pre-remove, post-remove. One line per entry, `<kind> <key>` or
 * `<kind> <key> <value>`, in config order. softdep is printed "pre: a b post: c" (kmod 30 prints
 * "pre: apost: c", a bug). verbose: each entry is preceded by a comment line `# <file>:<line>`,
 * so the output stays a valid configuration.
 */
LIBMOD_EXPORT int mod_config_dump(const struct mod_config *cfg, int fd, bool verbose);

/* ============================================================================================ */
/* Modules: lookup, info, state                                                                 */
/* ============================================================================================ */

struct mod_module;
/* An ordered list of module references; freeing it drops one reference per entry. */
struct mod_module_list;

/* Indexes a context maps (lazily, once; or all at once with mod_ctx_load_indexes). */
enum mod_index_kind {
	MOD_INDEX_DEP = 0,        /* modules.dep.bin */
	MOD_INDEX_ALIAS,          /* modules.alias.bin */
	MOD_INDEX_SYMBOL,         /* modules.symbols.bin */
	MOD_INDEX_BUILTIN_ALIAS,  /* modules.builtin.alias.bin */
	MOD_INDEX_BUILTIN,        /* modules.builtin.bin */
	_MOD_INDEX_KIND_MAX,
};
/* Map every index now (long-lived users). Missing builtin indexes are not an error. */
LIBMOD_EXPORT int mod_ctx_load_indexes(struct mod_ctx *ctx);
/*
 * The modprobe configuration lookups use (borrowed): read on first use with mod_config_new(ctx,
 * 0, ...), unless one was set with mod_ctx_set_config (which takes a reference).
 */
LIBMOD_EXPORT int mod_ctx_get_config(struct mod_ctx *ctx, struct mod_config **ret);
LIBMOD_EXPORT void mod_ctx_set_config(struct mod_ctx *ctx, struct mod_config *cfg);
/* The context's index of that kind (borrowed); -ENOENT when the file does not exist. */
LIBMOD_EXPORT int mod_ctx_get_index(struct mod_ctx *ctx, enum mod_index_kind kind,
				    struct mod_index **ret);

/* What mod_ctx_validate found changed on disk since the context read it. */
enum mod_ctx_change {
	MOD_CTX_CHANGED_INDEXES = 1u << 0, /* an index the context opened (or missed) differs */
	MOD_CTX_CHANGED_CONFIG = 1u << 1,  /* a config directory or file of its configuration */
};
/*
 * Change detection for long-lived contexts (LIBMOD_2). Every index file the context tried to
 * open and every config directory and file its configuration was read from (present or not)
 * was stamped (device, inode, size, mtime) at that moment; *changed gets the enum
 * mod_ctx_change bits of what differs now (0: all current). A context cannot reload in place:
 * its modules point into the mapped indexes. Make a new context when something changed.
 */
LIBMOD_EXPORT int mod_ctx_validate(struct mod_ctx *ctx, unsigned int *changed);

/* A module by name: normalized, cut at the first '.' ("foo.ko" is foo); touches no file. */
LIBMOD_EXPORT int mod_module_new_from_name(struct mod_ctx *ctx, const char *name,
					   struct mod_module **ret);
/* A module from a file; the name comes from the file name. */
LIBMOD_EXPORT int mod_module_new_from_path(struct mod_ctx *ctx, const char *path,
					   struct mod_module **ret);
/*
 * A module from an image already read (the name and path come from the image's path, which it
 * must have). The module takes a reference on the image and does everything else, logging
 * included, through ctx: an image may be read on another thread, with another context, and
 * handed over (context reference counting is thread-safe; nothing else in a context is).
 */
LIBMOD_EXPORT int mod_module_new_from_image(struct mod_ctx *ctx, struct mod_image *img,
					    struct mod_module **ret);
/*
 * Resolve a name or alias the way modprobe does, first source that answers wins: config aliases,
 * modules.dep (names), modules.symbols (symbol:...), install/remove commands, modules.alias,
 * modules.builtin, modules.builtin.alias. -ENOENT when nothing matches.
 */
LIBMOD_EXPORT int mod_module_lookup(struct mod_ctx *ctx, const char *query,
				    struct mod_module_list **ret);
/* Names only: modules.dep, modules.builtin, modules.builtin.alias. */
LIBMOD_EXPORT int mod_module_lookup_name(struct mod_ctx *ctx, const char *name,
					 struct mod_module_list **ret);
LIBMOD_EXPORT struct mod_module *mod_module_ref(struct mod_module *mod);
LIBMOD_EXPORT struct mod_module *mod_module_unref(struct mod_module *mod);
LIBMOD_EXPORT struct mod_ctx *mod_module_get_ctx(const struct mod_module *mod);
LIBMOD_EXPORT const char *mod_module_get_name(const struct mod_module *mod);
/* Absolute path of the file (from the object or modules.dep); NULL for builtins and unknowns. */
LIBMOD_EXPORT const char *mod_module_get_path(struct mod_module *mod);
/* The alias or config pattern the module was found through, or NULL. */
LIBMOD_EXPORT const char *mod_module_get_alias(const struct mod_module *mod);
/* Builtin per modules.builtin.bin (cached). */
LIBMOD_EXPORT bool mod_module_is_builtin(struct mod_module *mod);
/* Hard dependencies from modules.dep, in load order (the module itself excluded). */
LIBMOD_EXPORT int mod_module_get_dependencies(struct mod_module *mod,
					      struct mod_module_list **ret);
/* The appended signature of the module's file (cached); -ENODATA when unsigned. */
LIBMOD_EXPORT int mod_module_get_signature(struct mod_module *mod,
					   const struct mod_signature **ret);
/* The module's ELF (opened and cached on first use); -ENOENT for builtins / no file. */
LIBMOD_EXPORT int mod_module_get_elf(struct mod_module *mod, struct mod_elf **ret);
/*
 * Info key/values: from .modinfo for files, from modules.builtin.modinfo for builtins. Same
 * iterator contract as mod_elf_modinfo_next.
 */
LIBMOD_EXPORT int mod_module_info_next(struct mod_module *mod, size_t *cursor, const char **key,
				       size_t *keylen, const char **value);

LIBMOD_EXPORT int mod_module_list_new(struct mod_module_list **ret);
/* Appends and takes a new reference. */
LIBMOD_EXPORT int mod_module_list_append(struct mod_module_list *list, struct mod_module *mod);
LIBMOD_EXPORT size_t mod_module_list_count(const struct mod_module_list *list);
LIBMOD_EXPORT struct mod_module *mod_module_list_get(const struct mod_module_list *list,
						     size_t i);
LIBMOD_EXPORT struct mod_module_list *mod_module_list_free(struct mod_module_list *list);

/* ============================================================================================ */
/* depmod engine                                                                                */
/* ============================================================================================ */

/*
 * Index a module tree in-process, as depmod does: scan <basedir><moduledir>/<version> (plus
 * depmod.d `external` dirs), parse every module on a pool of threads, resolve symbols, order the
 * dependencies and write modules.dep, .alias, .softdep, .weakdep, .symbols, .devname and the
 * *.bin indexes. Output is identical whatever the thread count. Typical use:
 *   mod_depmod_new(ctx, &d); mod_depmod_set_kernel_version(d, "6.1.0"); mod_depmod_run(d);
 *   mod_depmod_write(d, MOD_DEPMOD_OUTPUT_ALL, -1);
 * Messages (in kmod's depmod's words) go to the context's log function.
 */
struct mod_depmod;

enum mod_depmod_flags {
	MOD_DEPMOD_ERRSYMS = 1u << 0,   /* -e: warn about unknown symbols and CRC mismatches */
	MOD_DEPMOD_WARN_DUPS = 1u << 1, /* -w: warn about duplicate index entries */
};

enum mod_depmod_output {
	MOD_DEPMOD_OUTPUT_DEP = 1u << 0,
	MOD_DEPMOD_OUTPUT_DEP_BIN = 1u << 1,
	MOD_DEPMOD_OUTPUT_ALIAS = 1u << 2,
	MOD_DEPMOD_OUTPUT_ALIAS_BIN = 1u << 3,
	MOD_DEPMOD_OUTPUT_SOFTDEP = 1u << 4,
	MOD_DEPMOD_OUTPUT_WEAKDEP = 1u << 5,
	MOD_DEPMOD_OUTPUT_SYMBOLS = 1u << 6,
	MOD_DEPMOD_OUTPUT_SYMBOLS_BIN = 1u << 7,
	MOD_DEPMOD_OUTPUT_BUILTIN_BIN = 1u << 8,
	MOD_DEPMOD_OUTPUT_BUILTIN_ALIAS_BIN = 1u << 9,
	MOD_DEPMOD_OUTPUT_DEVNAME = 1u << 10,
	MOD_DEPMOD_OUTPUT_ALL = (1u << 11) - 1,
};

/* Called for every dependency edge found (depmod -v prints `<path> needs "<sym>": <path>`). */
typedef void (*mod_depmod_edge_fn)(const char *path, const char *symbol, const char *owner_path,
				   void *data);

/* A depmod run over the context's log settings (the context's moddir is not used). */
LIBMOD_EXPORT int mod_depmod_new(struct mod_ctx *ctx, struct mod_depmod **ret);
LIBMOD_EXPORT struct mod_depmod *mod_depmod_ref(struct mod_depmod *d);
LIBMOD_EXPORT struct mod_depmod *mod_depmod_unref(struct mod_depmod *d);
/* Root prefix (-b); made absolute against the current directory; never appears in outputs. */
LIBMOD_EXPORT int mod_depmod_set_basedir(struct mod_depmod *d, const char *dir);
/* Output root (-o); outputs go to <outdir><moduledir>/<version>. Default: the basedir. */
LIBMOD_EXPORT int mod_depmod_set_outdir(struct mod_depmod *d, const char *dir);
/* Module directory under the roots (-m); default MODULE_DIRECTORY (/lib/modules). */
LIBMOD_EXPORT int mod_depmod_set_moduledir(struct mod_depmod *d, const char *dir);
/* Kernel version (required): the tree is <basedir><moduledir>/<version>. */
LIBMOD_EXPORT int mod_depmod_set_kernel_version(struct mod_depmod *d, const char *version);
/* depmod.d files or directories (-C, repeatable); any call replaces the default directories. */
LIBMOD_EXPORT int mod_depmod_add_config_path(struct mod_depmod *d, const char *path);
/* Index only these module files (absolute paths) and read no depmod.d. */
LIBMOD_EXPORT int mod_depmod_add_module_path(struct mod_depmod *d, const char *path);
/* Kernel symbols with CRCs from Module.symvers (-E); turns on CRC checks. */
LIBMOD_EXPORT int mod_depmod_set_symvers(struct mod_depmod *d, const char *path);
/* Kernel symbols from System.map (-F); -E wins when both are given. */
LIBMOD_EXPORT int mod_depmod_set_system_map(struct mod_depmod *d, const char *path);
/* Symbol prefix character stripped from symbol names (-P); '\0' for none. */
LIBMOD_EXPORT int mod_depmod_set_symbol_prefix(struct mod_depmod *d, char prefix);
/* Worker threads for reading modules; 0 = the number of online CPUs. */
LIBMOD_EXPORT int mod_depmod_set_threads(struct mod_depmod *d, unsigned int n);
/* enum mod_depmod_flags */
LIBMOD_EXPORT int mod_depmod_set_flags(struct mod_depmod *d, unsigned int flags);
LIBMOD_EXPORT int mod_depmod_set_edge_fn(struct mod_depmod *d, mod_depmod_edge_fn fn,
					 void *data);
/*
 * The per-module cache (modules.libmod-cache beside the outputs; docs/DEPMOD-CACHE.md): a run
 * reads only the module files that changed since the cache was written, and when nothing at all
 * changed (modules, depmod.d, -E/-F files, modules.order, modules.builtin*, the outputs
 * themselves), mod_depmod_write of the whole set writes nothing. Outputs are byte-identical to
 * a run without it. Default: read and write it. NO_READ reads every module (a cold run);
 * NO_WRITE leaves the cache file as it is.
 */
enum mod_depmod_cache_flags {
	MOD_DEPMOD_CACHE_NO_READ = 1u << 0,
	MOD_DEPMOD_CACHE_NO_WRITE = 1u << 1,
};
LIBMOD_EXPORT int mod_depmod_set_cache_flags(struct mod_depmod *d, unsigned int flags);
/* The input and output module directories (valid once a version is set). */
LIBMOD_EXPORT const char *mod_depmod_get_input_dir(struct mod_depmod *d);
LIBMOD_EXPORT const char *mod_depmod_get_output_dir(struct mod_depmod *d);
/*
 * depmod -A: true when modules.dep exists in the output dir and no module file under the
 * input dir is newer than it.
 */
LIBMOD_EXPORT int mod_depmod_is_up_to_date(struct mod_depmod *d, bool *ret);
/*
 * Scan, parse, resolve and order. -ELOOP when there are dependency cycles (each is logged as
 * "Cycle detected: a -> b -> a"); nothing may be written then.
 */
LIBMOD_EXPORT int mod_depmod_run(struct mod_depmod *d);
/* Modules indexed by the last run, in output (modules.order) order. */
LIBMOD_EXPORT size_t mod_depmod_get_module_count(const struct mod_depmod *d);
LIBMOD_EXPORT const char *mod_depmod_get_module_name(const struct mod_depmod *d, size_t i);
/*
 * Write the selected outputs (enum mod_depmod_output). With dry_run_fd >= 0 the text outputs
 * are written to it one after another and nothing touches the disk (depmod -n). Otherwise the
 * set is replaced as one transaction under a lock on the output dir (created as needed), so
 * concurrent writers queue: every file is written to a temporary file and fsync'ed, a journal
 * naming the renames is made durable, then the files are renamed into place. An error or crash
 * before the renames keeps the previous set; a crash during them leaves whole old and new files
 * until the next write (or run of depmod) on that dir, which first completes the set.
 */
LIBMOD_EXPORT int mod_depmod_write(struct mod_depmod *d, unsigned int outputs, int dry_run_fd);

/* ============================================================================================ */
/* Probe, load and remove                                                                       */
/* ============================================================================================ */

/* What the kernel says about a module. */
enum mod_initstate {
	MOD_INITSTATE_BUILTIN = 0, /* per modules.builtin.bin, never per /sys/module */
	MOD_INITSTATE_LIVE,
	MOD_INITSTATE_COMING, /* also: /sys/module/X exists without an initstate file */
	MOD_INITSTATE_GOING,
};
/* "builtin", "live", "coming", "going"; NULL for anything else. */
LIBMOD_EXPORT const char *mod_initstate_str(enum mod_initstate state);
/*
 * -ENOENT when the module is neither builtin nor in the kernel; -ENOSYS when the kernel has no
 * module support at all (no /proc/modules).
 */
LIBMOD_EXPORT int mod_module_get_initstate(struct mod_module *mod, enum mod_initstate *ret);
/* /sys/module/X/refcnt; -ENOENT when there is none (not loaded, or no unload support). */
LIBMOD_EXPORT int mod_module_get_refcnt(struct mod_module *mod, long *ret);
/* /sys/module/X/coresize, else the size column of /proc/modules. */
LIBMOD_EXPORT int mod_module_get_size(struct mod_module *mod, long *ret);
/* The modules holding this one (/sys/module/X/holders, directory order). */
LIBMOD_EXPORT int mod_module_get_holders(struct mod_module *mod, struct mod_module_list **ret);
/*
 * The sections of a loaded module and their addresses (/sys/module/X/sections, directory
 * order; LIBMOD_2). The callback returns 0 to go on or a negative errno to stop (returned).
 * -ENOENT when the module is not loaded; addresses read 0 without the privilege to see them.
 */
typedef int (*mod_section_visit_fn)(const char *name, unsigned long address, void *data);
LIBMOD_EXPORT int mod_module_foreach_loaded_section(struct mod_module *mod,
						    mod_section_visit_fn fn, void *data);
/*
 * What a module is, in the spirit of OpenBSD's module types (module-class.c; LIBMOD_3), derived
 * from data only, first rule that applies: an fs-* alias makes a filesystem; a device table
 * alias (pci:, usb:, acpi*:, of:, hid:, virtio:, ...) a driver; a crypto-* alias crypto;
 * a net-pf-* alias a network protocol; then the place in the tree: kernel/drivers/<kind>/ and
 * kernel/sound/ drivers, kernel/fs/ filesystems (a library there without an fs-* alias),
 * kernel/net/ network protocols, kernel/crypto/ and kernel/arch/<arch>/crypto/ crypto,
 * kernel/lib/ libraries; anything else is other.
 */
enum mod_class {
	MOD_CLASS_OTHER = 0,
	MOD_CLASS_DRIVER,
	MOD_CLASS_FILESYSTEM,
	MOD_CLASS_NET_PROTOCOL,
	MOD_CLASS_CRYPTO,
	MOD_CLASS_LIBRARY,
};
/* "other", "driver", "filesystem", "network protocol", "crypto", "library"; NULL otherwise. */
LIBMOD_EXPORT const char *mod_class_str(enum mod_class c);
/* A module's class. This layout is fixed for the LIBMOD_2 ABI. */
struct mod_class_info {
	enum mod_class cls;
	/* Drivers: the kind, the tree directory ("net", "block", "gpu", "sound", "usb"), else "". */
	char kind[32];
	/* The data the class came from: "alias fs-minix", "kernel/lib/", "alias pci:v...". */
	char basis[160];
};
/*
 * The class of a module with a file (its aliases and its path below the module directory);
 * -ENOENT when it has none (builtin, or not in the module directory).
 */
LIBMOD_EXPORT int mod_module_get_class(struct mod_module *mod, struct mod_class_info *ret);
/*
 * The filesystem types this module registers now: the names of its fs-* aliases that
 * /proc/filesystems lists, separated by spaces, into buf ("" when none). 0 or -errno.
 */
LIBMOD_EXPORT int mod_module_get_registered_filesystems(struct mod_module *mod, char *buf,
							size_t size);
/* The loaded module's taint flags (/sys/module/M/taint: "OE"; "" when none) into buf. */
LIBMOD_EXPORT int mod_module_get_taint(struct mod_module *mod, char *buf, size_t size);
/*
 * Whether the kernel found the module's signature valid when it loaded it. Linux 6.1 has no
 * per-module signature file in sysfs: the kernel records a failed or missing signature only as
 * taint flag E (TAINT_UNSIGNED_MODULE), and only when it has module signing at all
 * (/sys/module/module/parameters/sig_enforce exists). So: E set means NOT_VALID (unsigned,
 * bad signature or unknown key), E clear on a kernel with signing means VALID, and without
 * signing support the state is UNKNOWN.
 */
enum mod_loaded_signature {
	MOD_LOADED_SIG_UNKNOWN = 0,
	MOD_LOADED_SIG_VALID,
	MOD_LOADED_SIG_NOT_VALID,
};
/* "unknown", "valid", "not valid"; NULL otherwise. */
LIBMOD_EXPORT const char *mod_loaded_signature_str(enum mod_loaded_signature s);
LIBMOD_EXPORT int mod_module_get_loaded_signature(struct mod_module *mod,
						  enum mod_loaded_signature *ret);
/*
 * The loaded module's parameters (/sys/module/M/parameters, sorted by name) with their current
 * values, trailing newline removed; value is NULL for a parameter that cannot be read (write
 * only, or not for this user). fn returns 0 to go on or a negative errno to stop (returned).
 * A module without parameters visits none.
 */
typedef int (*mod_parameter_visit_fn)(const char *name, const char *value, void *data);
LIBMOD_EXPORT int mod_module_foreach_parameter(struct mod_module *mod, mod_parameter_visit_fn fn,
					       void *data);
/* Every loaded module, in /proc/modules order. -ENOSYS without module support (no /proc/modules). */
LIBMOD_EXPORT int mod_module_new_from_loaded(struct mod_ctx *ctx, struct mod_module_list **ret);
/*
 * The compression the kernel can undo itself (/sys/module/compression, read once per context):
 * MOD_COMPRESSION_NONE when the file is missing.
 */
LIBMOD_EXPORT int mod_ctx_get_kernel_compression(struct mod_ctx *ctx, enum mod_compression *ret);

/* The running kernel's release (uname -r). Tools use it to build module directories. */
LIBMOD_EXPORT int mod_kernel_release(char *buf, size_t size);

/* Loading one module. */
enum mod_insert_flags {
	MOD_INSERT_FORCE_MODVERSION = 1u << 0, /* ignore symbol CRCs */
	MOD_INSERT_FORCE_VERMAGIC = 1u << 1,   /* ignore the vermagic string */
};
/*
 * Load the module's file with these parameters (NULL = none). finit_module is used when the
 * kernel can read the file as it is (uncompressed, or compressed the way
 * /sys/module/compression says), otherwise the file is decompressed here and given to
 * init_module, with the version information stripped for the force flags. A file that is not a
 * relocatable ELF for this machine is refused with -ENOEXEC before the kernel sees it (logged).
 * -ENOENT when the module has no file. Kernel errors come back as -errno (-EEXIST: loaded).
 * With MOD_SIGNATURE_POLICY_REQUIRE on the context a module the policy refuses fails with
 * -ENOKEY before the syscall (logged with the reason).
 */
LIBMOD_EXPORT int mod_module_insert(struct mod_module *mod, unsigned int flags,
				    const char *options);
/*
 * Check that an image is a module this machine can load: ELF, ET_REL, this machine's class,
 * byte order and e_machine. -ENOEXEC (logged with the reason) otherwise.
 */
LIBMOD_EXPORT int mod_image_check_machine(struct mod_ctx *ctx, const void *buf, size_t len,
					  const char *what);

/* The kernel's module loading policy. */
enum mod_load_policy {
	MOD_POLICY_MODULES_DISABLED = 1u << 0,         /* /proc/sys/kernel/modules_disabled is 1 */
	MOD_POLICY_SIG_ENFORCE = 1u << 1,              /* module.sig_enforce: signed modules only */
	MOD_POLICY_LOCKDOWN_INTEGRITY = 1u << 2,       /* /sys/kernel/security/lockdown modes; */
	MOD_POLICY_LOCKDOWN_CONFIDENTIALITY = 1u << 3, /* at most one of the two is set */
};
/*
 * Read the policy now (nothing is cached: modules_disabled changes at run time) into *policy,
 * enum mod_load_policy bits. *known (may be NULL) gets the bits whose file could be read: a
 * missing securityfs or a kernel without module signing leaves that fact unknown, not false.
 * Both lockdown bits are known together.
 */
LIBMOD_EXPORT int mod_ctx_get_load_policy(struct mod_ctx *ctx, unsigned int *policy,
					  unsigned int *known);
/* "none", "integrity" or "confidentiality" for a policy word. */
LIBMOD_EXPORT const char *mod_load_policy_lockdown_name(unsigned int policy);
/*
 * When mod_module_insert (probed false) or mod_module_probe_insert (probed true: the
 * dependencies not yet loaded may be the file refused) failed with err, given these
 * mod_insert_flags (for a probe, its force flags as these bits), and the current policy is why,
 * a one-line message saying so, malloc'ed into *ret (e.g. "loading modules is disabled
 * (/proc/sys/kernel/modules_disabled is 1)"). -ENODATA when the policy does not explain err:
 * print the usual words then. Only -EPERM and -EKEYREJECTED can be explained, each only by the
 * rule that makes the kernel answer with it; a probe's -EPERM for a module the configuration
 * forbids is not.
 */
LIBMOD_EXPORT int mod_module_explain_insert_error(struct mod_module *mod, int err,
						  unsigned int insert_flags, bool probed,
						  char **ret);
/*
 * The signature policy for loads (LIBMOD_3): which modules must carry a valid signature by a
 * key in a trusted directory (see mod_signature_verify) before they are handed to the kernel.
 * This is the administrator's policy checked in user space before the syscall; the kernel's
 * own enforcement (module.sig_enforce) is independent of it.
 */
enum mod_signature_policy {
	/*
	 * The default. Probes follow the context's configuration (`require_signature` lines);
	 * mod_module_insert, which reads no configuration, verifies nothing.
	 */
	MOD_SIGNATURE_POLICY_CONFIG = 0,
	MOD_SIGNATURE_POLICY_REQUIRE, /* every module, for probes and mod_module_insert */
	MOD_SIGNATURE_POLICY_ALLOW,   /* no module, whatever the configuration says */
};
/*
 * Set the context's policy. trust_dir: the directory of trusted certificates (copied); NULL
 * means the configuration's `trusted_keys`, else mod_signature_default_trust_dir().
 */
LIBMOD_EXPORT int mod_ctx_set_signature_policy(struct mod_ctx *ctx,
					       enum mod_signature_policy policy,
					       const char *trust_dir);
/*
 * Would the policy accept this module's file: 0 when a key in trust_dir (NULL: as above)
 * signed it validly. -ENOKEY when not, with *why (malloc'ed, may be NULL) saying why in a few
 * words ("unsigned", "invalid signature (digest mismatch)", "signed by an untrusted key
 * (signer 'X', key 01:02)"). Other errors are about the check itself (-ENOENT for the trust
 * directory or a module without a file, -EOPNOTSUPP without libcrypto). A compressed file is
 * verified on its decompressed bytes, which is what the kernel verifies.
 */
LIBMOD_EXPORT int mod_module_check_trusted(struct mod_module *mod, const char *trust_dir,
					   char **why);

/* The same for a removal: -EPERM while modules_disabled is 1. */
LIBMOD_EXPORT int mod_ctx_explain_remove_error(struct mod_ctx *ctx, int err, char **ret);

/* Removing one module. */
enum mod_remove_flags {
	MOD_REMOVE_FORCE = 1u << 0, /* O_TRUNC: force the unload (CONFIG_MODULE_FORCE_UNLOAD) */
	MOD_REMOVE_NOLOG = 1u << 1, /* do not log a failure */
};
/* delete_module(name, O_NONBLOCK [| O_TRUNC]); a module in use fails with -EAGAIN. */
LIBMOD_EXPORT int mod_module_remove(struct mod_module *mod, unsigned int flags);

/*
 * Autoclean (autoclean.c; LIBMOD_3): remove the loaded modules nothing needs. Every loaded
 * module is judged once, against one reading of the system; it is removed only when all of
 * these hold: it is live and can be unloaded (not permanent, unload support present); no
 * modprobe.d `keep` glob matches it; it is not loaded at boot (modules-load.d, /etc/modules,
 * /etc/initramfs-tools/modules, modules_load= on the command line) unless an `autoclean-boot`
 * glob matches it; no device is bound to any of its drivers; no filesystem type it registers
 * (alias fs-*) is mounted; no network interface of a kind it registers (alias rtnl-link-*)
 * exists, and the interfaces could be listed; and its reference count is that of its holders
 * alone, every holder being removed before it in the same run.
 */
enum mod_autoclean_verdict {
	MOD_AUTOCLEAN_REMOVE = 0,      /* nothing needs it: removed (or would be, in a dry run) */
	MOD_AUTOCLEAN_KEEP_STATE,      /* not live, permanent, no unload support, file unknown */
	MOD_AUTOCLEAN_KEEP_CONFIG,     /* a `keep` line matches it */
	MOD_AUTOCLEAN_KEEP_BOOT,       /* loaded at boot */
	MOD_AUTOCLEAN_KEEP_DEVICE,     /* a device is bound to one of its drivers */
	MOD_AUTOCLEAN_KEEP_FILESYSTEM, /* a filesystem of its type is mounted */
	MOD_AUTOCLEAN_KEEP_NETDEV,     /* an interface of its kind exists (or cannot be known) */
	MOD_AUTOCLEAN_KEEP_IN_USE,     /* referenced by more than its holders */
	MOD_AUTOCLEAN_KEEP_HELD,       /* a module that stays holds it */
};
/* "remove", "state", "keep", "boot", "device", "filesystem", "netdev", "in-use", "held". */
LIBMOD_EXPORT const char *mod_autoclean_verdict_str(enum mod_autoclean_verdict v);

struct mod_autoclean;
/*
 * Judge every loaded module now. flags must be 0 (reserved). The entries are ordered: first the
 * modules to remove, in an order where every module comes after all of its holders, then the
 * ones that stay, in /proc/modules order. -ENOSYS without module support.
 */
LIBMOD_EXPORT int mod_autoclean_new(struct mod_ctx *ctx, unsigned int flags,
				    struct mod_autoclean **ret);
LIBMOD_EXPORT struct mod_autoclean *mod_autoclean_free(struct mod_autoclean *ac);
LIBMOD_EXPORT size_t mod_autoclean_count(const struct mod_autoclean *ac);
/* The module of entry i (borrowed from ac); NULL when i is out of range. */
LIBMOD_EXPORT struct mod_module *mod_autoclean_get_module(const struct mod_autoclean *ac,
							  size_t i);
LIBMOD_EXPORT enum mod_autoclean_verdict mod_autoclean_get_verdict(const struct mod_autoclean *ac,
								   size_t i);
/*
 * Why, in words: "unused", "unused once macvtap is removed", "held by ext4",
 * "device 0000:00:03.0 bound to pci:e1000", "filesystem minix mounted on /mnt",
 * "network interface dummy0 (dummy)", "loaded at boot (/etc/modules-load.d/a.conf:2)",
 * "keep line at /etc/modprobe.d/k.conf:1", "reference count 2". Borrowed from ac.
 */
LIBMOD_EXPORT const char *mod_autoclean_get_reason(const struct mod_autoclean *ac, size_t i);
/*
 * Called after each removal attempt with 0 or the error (-EWOULDBLOCK: it came into use since
 * it was judged). A non-zero return stops the run.
 */
typedef int (*mod_autoclean_fn)(struct mod_module *mod, int err, void *data);
/*
 * Remove the entries judged MOD_AUTOCLEAN_REMOVE, in their order, each with delete_module and
 * O_NONBLOCK, so a module that came into use meanwhile fails instead of being taken away.
 * A failure does not stop the others (the modules it holds then fail too, as in use). fn may be
 * NULL. 0 when every removal succeeded, else the first error.
 */
LIBMOD_EXPORT int mod_autoclean_remove(struct mod_autoclean *ac, mod_autoclean_fn fn,
				       void *data);

/* Probing: a module with its dependencies, soft dependencies and config commands. */
enum mod_probe_flags {
	MOD_PROBE_FORCE_MODVERSION = 1u << 0,
	MOD_PROBE_FORCE_VERMAGIC = 1u << 1,
	MOD_PROBE_IGNORE_COMMAND = 1u << 2,  /* -i: no install/remove command for the target */
	MOD_PROBE_IGNORE_LOADED = 1u << 3,   /* plan as if nothing were loaded (--show-depends) */
	MOD_PROBE_DRY_RUN = 1u << 4,         /* -n: report, change nothing */
	MOD_PROBE_FAIL_ON_LOADED = 1u << 5,  /* --first-time */
	MOD_PROBE_BLACKLIST_ALIAS = 1u << 6, /* blacklist applies to modules found via an alias */
	MOD_PROBE_BLACKLIST = 1u << 7,       /* -b: ... and to the requested module itself */
	MOD_PROBE_BLACKLIST_ALL = 1u << 8,   /* ... and to every dependency (library users) */
	MOD_PROBE_REMOVE_HOLDERS = 1u << 9,  /* removal: remove the holders first */
	MOD_PROBE_FORCE_REMOVE = 1u << 10,   /* removal: O_TRUNC */
	/*
	 * insert (LIBMOD_3): when a required module fails, leave loaded what this probe loaded
	 * before it (kmod's behaviour) instead of removing it again.
	 */
	MOD_PROBE_NO_ROLLBACK = 1u << 11,
};

/* How a successful probe ended (flags and outcomes are separate types). */
enum mod_probe_outcome {
	MOD_PROBE_OUTCOME_DONE = 0,      /* loaded / removed (or would be, in a dry run) */
	MOD_PROBE_OUTCOME_ALREADY,       /* already loaded (insert) / not loaded (remove) */
	MOD_PROBE_OUTCOME_BUILTIN,       /* builtin: nothing to do */
	MOD_PROBE_OUTCOME_BLACKLISTED,   /* skipped by a blacklist rule */
};

/* One step of a probe, as shown by modprobe -v / -n / --show-depends. */
enum mod_action_kind {
	MOD_ACTION_INSMOD = 0,   /* load the file: path and options */
	MOD_ACTION_BUILTIN,      /* nothing to load: builtin */
	MOD_ACTION_INSTALL,      /* run the install command instead (command already expanded) */
	MOD_ACTION_RMMOD,        /* remove the module */
	MOD_ACTION_REMOVE,       /* run the remove command instead */
	MOD_ACTION_HOOK,         /* a pre-/post- install/remove hook command */
};

struct mod_probe_callbacks {
	/*
	 * Called for every step before it is taken (or instead, in a dry run). text is the
	 * module path (INSMOD), the command (INSTALL/REMOVE/HOOK) or NULL; options may be "".
	 */
	void (*action)(struct mod_module *mod, enum mod_action_kind kind, const char *text,
		       const char *options, void *data);
	/*
	 * Run a config command (NULL: /bin/sh -c with MODPROBE_MODULE set). Returns 0 or -errno;
	 * a non-zero exit status is an error.
	 */
	int (*run_command)(struct mod_module *mod, const char *cmd, void *data);
};

/*
 * Insert a module the way modprobe does: pre-softdeps,
 * dependencies in load order, the module, post-softdeps; config options merged with
 * extra_options (for this module only); install commands and legacy hooks; blacklist and
 * forbid rules. cb may be NULL. On success *outcome (may be NULL) says what happened.
 * A forbidden module fails with -EPERM (logged).
 *
 * Signature policy (LIBMOD_3, see mod_ctx_set_signature_policy): before anything is loaded,
 * every module of the plan that would be loaded from its file is verified; if any is refused,
 * each refusal is logged in one line and the probe fails with -ENOKEY, nothing loaded (also in
 * a dry run). Install commands run instead of a load are not verified (they are commands).
 *
 * All or nothing (LIBMOD_3): when the module or one of its hard dependencies fails, the
 * modules this call loaded are removed again in reverse order (an action MOD_ACTION_RMMOD
 * each), unless MOD_PROBE_NO_ROLLBACK; what was loaded before stays. One line is logged naming
 * the failed module and what was removed; install commands that ran cannot be undone and
 * are named as such. The error returned is still the failed module's.
 */
LIBMOD_EXPORT int mod_module_probe_insert(struct mod_module *mod, unsigned int flags,
					  const char *extra_options,
					  const struct mod_probe_callbacks *cb, void *data,
					  enum mod_probe_outcome *outcome);
/*
 * Remove a module the way modprobe -r does: remove command or the module (after its holders
 * with MOD_PROBE_REMOVE_HOLDERS), post-softdeps before it, then every dependency nobody uses
 * any more, then pre-softdeps. wait_ms > 0 retries a busy module with backoff for that long.
 * Errors are logged with kmod's modprobe messages.
 */
LIBMOD_EXPORT int mod_module_probe_remove(struct mod_module *mod, unsigned int flags,
					  unsigned int wait_ms,
					  const struct mod_probe_callbacks *cb, void *data,
					  enum mod_probe_outcome *outcome);
/*
 * The option string modprobe would pass: config options for the name and the alias the module
 * came through, then kernel command line ones, then extra (may be NULL). As kmod does,
 * config options are always followed by one space ("a=1 " + extra). Malloc'ed.
 */
LIBMOD_EXPORT int mod_module_get_options(struct mod_module *mod, const char *extra,
					 char **ret);

/* ============================================================================================ */
/* Device nodes: modules.devname (devname.c)                                                    */
/* ============================================================================================ */

/*
 * One line of modules.devname, "<module> <node> c|b<major>:<minor>": the node (under /dev) whose
 * first open loads the module. Strings point into the caller's buffer and are not
 * NUL-terminated. This layout is fixed for the LIBMOD_2 ABI: new fields mean a new function.
 */
struct mod_devname_entry {
	const char *module;
	size_t module_len;
	const char *node;
	size_t node_len;
	char type; /* 'c' (character device) or 'b' (block device) */
	unsigned int major;
	unsigned int minor;
	/* The whole line, newline included, for messages about it. */
	const char *line;
	size_t line_len;
};

/*
 * The entries of a modules.devname file held in memory, in file order, with the grammar the
 * reference's `kmod static-nodes` accepts; `#` lines are skipped. *cursor starts at 0.
 * Returns 0 for an entry, 1 at the end, and -EBADMSG for a line that is not an entry (an empty
 * line is not): then only entry->line and line_len are set, and the cursor has moved past the
 * line, so the caller can report it and go on as kmod does.
 */
LIBMOD_EXPORT int mod_devname_next(const void *buf, size_t len, size_t *cursor,
				   struct mod_devname_entry *entry);

#ifdef __cplusplus
}
#endif
#endif
