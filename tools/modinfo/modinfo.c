/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modinfo: show what a module file says about itself. Output matches kmod byte for
 * byte; beyond it, several -F filters accumulate and --json prints one document.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <syslog.h>

#include "config.h"
#include "libmod.h"
#include "modinfo.h"
#include "prefetch.h"
#include "tool.h"

#define MAX_FIELDS 32

static const char *fields[MAX_FIELDS];
static size_t n_fields;
static char separator = '\n';
static struct verify_request verify;

static void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("modinfo: ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Library messages use the same prefix as the tool's own. */
static void log_from_library(void *data, int priority, const char *file, int line,
			     const char *fn, const char *format, va_list args)
{
	fflush(stdout);
	fprintf(stderr, "modinfo: %s: ", priority <= LOG_ERR ? "ERROR" : "WARNING");
	vfprintf(stderr, format, args);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static bool field_wanted(const char *key, size_t keylen)
{
	for (size_t i = 0; i < n_fields; i++)
		if (strlen(fields[i]) == keylen && memcmp(fields[i], key, keylen) == 0)
			return true;
	return false;
}

static bool field_wanted_str(const char *key)
{
	return field_wanted(key, strlen(key));
}

void print_hex(FILE *f, const uint8_t *bytes, size_t len, bool wrap)
{
	static const char digits[] = "0123456789ABCDEF";
	/* Formatted in a local buffer: a signature is ~500 bytes, printf per byte is the hot spot. */
	char buf[1024];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (n > sizeof(buf) - 8) {
			fwrite_unlocked(buf, 1, n, f);
			n = 0;
		}
		buf[n++] = digits[bytes[i] >> 4];
		buf[n++] = digits[bytes[i] & 0xf];
		if (i + 1 < len) {
			buf[n++] = ':';
			if (wrap && (i + 1) % 20 == 0) {
				buf[n++] = '\n';
				buf[n++] = '\t';
				buf[n++] = '\t';
			}
		}
	}
	fwrite_unlocked(buf, 1, n, f);
}

static void print_key(const char *key, size_t keylen)
{
	static const char spaces[] = "               ";

	/* "key:" padded to 16 columns, as kmod's printf("%s:%-*s", key, 15 - len, ""). */
	fwrite_unlocked(key, 1, keylen, stdout);
	putchar_unlocked(':');
	if (keylen < 15)
		fwrite_unlocked(spaces, 1, 15 - keylen, stdout);
	else if (keylen > 15)
		/* a negative width means left-justified: as many spaces as its size */
		for (size_t i = 15; i < keylen; i++)
			putchar_unlocked(' ');
}

/* value then separator, unformatted */
static void print_value(const char *value)
{
	fputs_unlocked(value, stdout);
	putchar_unlocked(separator);
}

static void print_entry(const char *key, const char *value)
{
	if (n_fields) {
		if (field_wanted_str(key))
			printf("%s%c", value, separator);
		return;
	}
	if (separator == '\0')
		printf("%s=", key);
	else
		print_key(key, strlen(key));
	print_value(value);
}

static void print_hex_entry(const char *key, const uint8_t *bytes, size_t len)
{
	if (n_fields && !field_wanted_str(key))
		return;
	if (!n_fields) {
		if (separator == '\0')
			printf("%s=", key);
		else
			print_key(key, strlen(key));
	}
	print_hex(stdout, bytes, len, true);
	putchar(separator);
}

/* 0 when printed or unsigned; a damaged trailer is an error (the library said why). */
static int print_signature(struct mod_module *mod, const char *filename)
{
	const struct mod_signature *sig;
	const uint8_t *bytes;
	size_t len;
	int r;

	r = mod_module_get_signature(mod, &sig);
	if (r == -ENODATA)
		return 0;
	if (r < 0) {
		log_error("could not read the signature of %s: %s\n", filename, strerror(-r));
		return r;
	}
	print_entry("sig_id", mod_signature_get_id_type(sig));
	print_entry("signer", mod_signature_get_signer(sig));
	bytes = mod_signature_get_key_id(sig, &len);
	print_hex_entry("sig_key", bytes, len);
	print_entry("sig_hashalgo", mod_signature_get_hash_algo(sig));
	bytes = mod_signature_get_signature(sig, &len);
	print_hex_entry("signature", bytes, len);
	return 0;
}

/*
 * --verify: one line after the signature's, "valid", "unsigned", "unknown key" or "invalid
 * (reason)". A verdict is data, whatever it says; only failing to reach one is an error.
 */
static int print_verdict(struct mod_module *mod, const char *filename)
{
	struct mod_signature_verdict *v;
	enum mod_signature_status status;
	char line[64];
	int r;

	r = mod_module_verify_signature(mod, verify.dir, &v);
	if (r < 0) {
		log_error("could not verify the signature of %s: %s\n", filename, strerror(-r));
		return r;
	}
	status = mod_signature_verdict_get_status(v);
	if (status == MOD_SIGNATURE_INVALID)
		snprintf(line, sizeof(line), "%s (%s)", mod_signature_status_str(status),
			 mod_signature_reason_str(mod_signature_verdict_get_reason(v)));
	else
		snprintf(line, sizeof(line), "%s", mod_signature_status_str(status));
	print_entry("sig_verified", line);
	mod_signature_verdict_free(v);
	return 0;
}

/* Parameters come last, in reverse order of first appearance, as kmod prints them. */
static void print_params(const struct param_list *params, bool as_field)
{
	for (size_t i = params->count; i-- > 0;) {
		const struct param *p = &params->items[i];
		int n = (int)p->namelen;

		if (!as_field)
			printf("%-16s", "parm:");
		if (!p->desc)
			printf(as_field ? "%.*s: (%s)%c" : "%.*s:%s%c", n, p->name, p->type, separator);
		else if (p->type)
			printf("%.*s:%s (%s)%c", n, p->name, p->desc, p->type, separator);
		else
			printf("%.*s:%s%c", n, p->name, p->desc, separator);
	}
}

static int modinfo_do(struct mod_module *mod)
{
	struct param_list params = { 0 };
	const char *filename = mod_module_get_path(mod);
	const char *key, *value;
	size_t keylen, cursor = 0;
	bool want_params = n_fields == 0 || field_wanted_str("parm");
	int r;

	if (!filename && mod_module_is_builtin(mod)) {
		if (!n_fields)
			printf("%-16s%s%c", "name:", mod_module_get_name(mod), separator);
		else if (field_wanted_str("name"))
			printf("%s%c", mod_module_get_name(mod), separator);
		filename = "(builtin)";
	}
	if (!filename) {
		log_error("Module %s not found.\n", mod_module_get_name(mod));
		return -ENOENT;
	}
	if (!n_fields)
		printf("%-16s%s%c", "filename:", filename, separator);
	else if (field_wanted_str("filename")) {
		printf("%s%c", filename, separator);
		if (n_fields == 1)
			return 0;
	}

	while ((r = mod_module_info_next(mod, &cursor, &key, &keylen, &value)) == 0) {
		bool is_parm = keylen == 4 && memcmp(key, "parm", 4) == 0;
		bool is_parmtype = keylen == 8 && memcmp(key, "parmtype", 8) == 0;

		/* parm and parmtype are merged by name and shown at the end. */
		if ((is_parm || is_parmtype) && want_params &&
		    param_list_add(&params, key, keylen, value) == -EINVAL)
			log_error("Found invalid \"%.*s=%s\": missing ':'\n", (int)keylen, key,
				  value);
		if (n_fields) {
			/* -F parmtype shows the raw values; -F parm the merged list. */
			if (!is_parm && field_wanted(key, keylen))
				print_value(value);
		} else if (!is_parm && !is_parmtype) {
			if (separator == '\0') {
				fwrite_unlocked(key, 1, keylen, stdout);
				putchar_unlocked('=');
			} else {
				print_key(key, keylen);
			}
			print_value(value);
		}
	}
	if (r < 0) {
		/* Old kernels have no modules.builtin.modinfo: a builtin then shows only its name. */
		if (!(r == -ENOENT && strcmp(filename, "(builtin)") == 0))
			log_error("could not get modinfo from '%s': %s\n", mod_module_get_name(mod),
				  strerror(-r));
		param_list_release(&params);
		return r == -ENOENT && strcmp(filename, "(builtin)") == 0 ? 0 : r;
	}
	r = 0;
	if (strcmp(filename, "(builtin)") != 0) {
		r = print_signature(mod, filename);
		/* Also after a damaged trailer: the verdict then says "invalid (malformed)". */
		if (verify.enabled) {
			int rv = print_verdict(mod, filename);

			r = r < 0 ? r : rv;
		}
	}
	if (want_params)
		print_params(&params, n_fields > 0);
	param_list_release(&params);
	return r;
}

/*
 * An argument named like a module file (x.ko, x.ko.xz, ...): 1 when it is a regular file to read,
 * 0 when it does not exist (then it is looked up as a name, like kmod does), or below
 * 0 when it exists but cannot be a module (a directory, a symlink loop, no permission), which
 * kmod would only report as "not found".
 */
static int check_module_file(const char *arg)
{
	struct stat st;

	if (!mod_path_is_module(arg))
		return 0;
	if (stat(arg, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		log_error("%s: %m\n", arg);
		return -errno;
	}
	if (S_ISREG(st.st_mode))
		return 1;
	log_error("%s: %s, not a module file\n", arg,
		  S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
	return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
}

/*
 * Resolve one argument to its modules, the way kmod does, with its messages. is_file
 * says the argument is an existing module file; img is that file already read, or NULL.
 */
static int resolve(struct mod_ctx *ctx, const char *arg, bool by_name, bool is_file,
		   struct mod_image *img, struct mod_module_list **ret)
{
	struct mod_module *mod;
	int r;

	if (by_name) {
		r = mod_module_lookup_name(ctx, arg, ret);
		if (r < 0)
			log_error("Module name %s not found.\n", arg);
		return r;
	}
	if (is_file) {
		r = img ? mod_module_new_from_image(ctx, img, &mod)
			: mod_module_new_from_path(ctx, arg, &mod);
		if (r < 0) {
			log_error("Module file %s not found.\n", arg);
			return r;
		}
		r = mod_module_list_new(ret);
		if (r == 0)
			r = mod_module_list_append(*ret, mod);
		mod_module_unref(mod);
		return r;
	}
	r = mod_module_lookup(ctx, arg, ret);
	if (r == -ENOENT)
		log_error("Module %s not found.\n", arg);
	else if (r < 0)
		log_error("Module alias %s not found.\n", arg);
	return r;
}

static void help(void)
{
	printf("Usage:\n"
	       "\tmodinfo [options] <modulename|filename> [args]\n"
	       "Options:\n"
	       "\t-a, --author                Print only 'author'\n"
	       "\t-d, --description           Print only 'description'\n"
	       "\t-l, --license               Print only 'license'\n"
	       "\t-p, --parameters            Print only 'parm'\n"
	       "\t-n, --filename              Print only 'filename'\n"
	       "\t-0, --null                  Use \\0 instead of \\n\n"
	       "\t-m, --modname               Handle argument as module name instead of alias or filename\n"
	       "\t-F, --field=FIELD           Print only provided FIELD (repeat to print several)\n"
	       "\t-k, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
	       "\t-b, --basedir=DIR           Use DIR as filesystem root for " MODULE_DIRECTORY "\n"
	       "\t-J, --json                  Print one JSON document with every field\n"
	       "\t    --verify[=DIR]          Check the signature against the certificates in DIR\n"
	       "\t                            (default %s)\n"
	       "\t-V, --version               Show version\n"
	       "\t-h, --help                  Show this help\n",
	       mod_signature_default_trust_dir());
}

enum { OPT_VERIFY = 256 };

static const struct option options[] = {
	{ "author", no_argument, NULL, 'a' },
	{ "description", no_argument, NULL, 'd' },
	{ "license", no_argument, NULL, 'l' },
	{ "parameters", no_argument, NULL, 'p' },
	{ "filename", no_argument, NULL, 'n' },
	{ "null", no_argument, NULL, '0' },
	{ "modname", no_argument, NULL, 'm' },
	{ "field", required_argument, NULL, 'F' },
	{ "set-version", required_argument, NULL, 'k' },
	{ "basedir", required_argument, NULL, 'b' },
	{ "json", no_argument, NULL, 'J' },
	{ "verify", optional_argument, NULL, OPT_VERIFY },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int add_field(const char *name)
{
	for (size_t i = 0; i < n_fields; i++)
		if (strcmp(fields[i], name) == 0)
			return 0;
	if (n_fields == MAX_FIELDS) {
		log_error("too many fields (at most %d)\n", MAX_FIELDS);
		return -E2BIG;
	}
	fields[n_fields++] = name;
	return 0;
}

int tool_modinfo_main(int argc, char *argv[])
{
	static const char *const no_config[] = { NULL };
	const char *kversion = NULL, *basedir = "";
	bool by_name = false, json = false, first = true;
	char moddir[PATH_MAX];
	struct utsname u;
	struct mod_ctx *ctx = NULL;
	struct prefetch *ahead = NULL;
	size_t n_args, n_ahead = 0;
	bool *read_ahead;
	int c, err = 0, r;

	while ((c = getopt_long(argc, argv, "adlpn0mF:k:b:JVh", options, NULL)) != -1) {
		const char *field = NULL;

		switch (c) {
		case 'a': field = "author"; break;
		case 'd': field = "description"; break;
		case 'l': field = "license"; break;
		case 'p': field = "parm"; break;
		case 'n': field = "filename"; break;
		case 'F': field = optarg; break;
		case '0': separator = '\0'; break;
		case 'm': by_name = true; break;
		case 'k': kversion = optarg; break;
		case 'b': basedir = optarg; break;
		case 'J': json = true; break;
		case OPT_VERIFY:
			verify.enabled = true;
			verify.dir = optarg;
			break;
		case 'V':
			tool_print_version();
			return EXIT_SUCCESS;
		case 'h':
			help();
			return EXIT_SUCCESS;
		case '?':
			/* getopt_long has said what was wrong; a second message only confuses. */
			return EXIT_FAILURE;
		default:
			log_error("unexpected getopt_long() value '%c'.\n", c);
			return EXIT_FAILURE;
		}
		if (field && add_field(field) < 0)
			return EXIT_FAILURE;
	}
	if (optind >= argc) {
		log_error("missing module or filename.\n");
		return EXIT_FAILURE;
	}
	if (!kversion) {
		if (uname(&u) < 0) {
			log_error("uname() failed: %m\n");
			return EXIT_FAILURE;
		}
		kversion = u.release;
	}
	if ((size_t)snprintf(moddir, sizeof(moddir), "%s%s/%s", basedir, MODULE_DIRECTORY,
			     kversion) >= sizeof(moddir)) {
		log_error("module directory path too long\n");
		return EXIT_FAILURE;
	}
	/* modinfo reads no configuration, like kmod. */
	r = mod_ctx_new(moddir, no_config, &ctx);
	if (r < 0) {
		log_error("could not create the library context: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	mod_ctx_set_log_fn(ctx, log_from_library, NULL);

	n_args = (size_t)(argc - optind);
	read_ahead = calloc(n_args ? n_args : 1, sizeof(*read_ahead));
	if (!read_ahead) {
		log_error("out of memory\n");
		mod_ctx_unref(ctx);
		return EXIT_FAILURE;
	}
	/*
	 * Named like a compressed module: worth reading ahead (silently; checked again in order
	 * below). A plain file is only mapped, which costs nothing to do in order, while unmapping
	 * in a threaded process costs TLB shootdowns on every core.
	 */
	for (size_t i = 0; i < n_args; i++) {
		read_ahead[i] = !by_name && mod_path_is_module(argv[optind + i]) &&
			     !has_suffix(argv[optind + i], ".ko");
		n_ahead += read_ahead[i];
	}
	/* With several files, the next one is read while this one is printed. */
	if (n_ahead > 1 && prefetch_start(moddir, argv + optind, read_ahead, n_args, &ahead) < 0)
		ahead = NULL;

	if (json)
		putchar('[');
	for (size_t i = 0; i < n_args; i++) {
		struct mod_module_list *list = NULL;
		struct mod_image *img = read_ahead[i] ? prefetch_take(ahead, i) : NULL;
		int file = by_name ? 0 : check_module_file(argv[optind + i]);

		r = file < 0 ? file
			     : resolve(ctx, argv[optind + i], by_name, file > 0, img, &list);
		mod_image_unref(img);
		if (r < 0) {
			err = r;
			continue;
		}
		for (size_t j = 0; j < mod_module_list_count(list); j++) {
			struct mod_module *mod = mod_module_list_get(list, j);

			r = json ? modinfo_json_module(stdout, mod, first, &verify) : modinfo_do(mod);
			if (r < 0)
				err = r;
			else
				first = false;
		}
		mod_module_list_free(list);
	}
	prefetch_stop(ahead);
	free(read_ahead);
	if (json)
		fputs(first ? "]\n" : "\n]\n", stdout);
	mod_ctx_unref(ctx);
	if (fflush(stdout) != 0 || ferror(stdout))
		return EXIT_FAILURE;
	return err >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
