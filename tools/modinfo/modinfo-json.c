/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modinfo --json: one object per module. Info keys map to arrays of strings in .modinfo order
 * (a key may repeat: alias, firmware...), parameters are objects, the signature is an object.
 * Stable types whatever the module, so consumers need no special cases.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "modinfo.h"

/* Keys seen so far, to group repeated keys into one array. */
struct key_seen {
	const char *key;
	size_t keylen;
};

static void write_hex_string(FILE *f, const uint8_t *bytes, size_t len)
{
	fputc('"', f);
	print_hex(f, bytes, len, false);
	fputc('"', f);
}

static int write_signature(FILE *f, struct mod_module *mod)
{
	const struct mod_signature *sig;
	const uint8_t *bytes;
	size_t len;
	int r;

	r = mod_module_get_signature(mod, &sig);
	if (r == -ENODATA) {
		fputs(",\n    \"signature\": null", f);
		return 0;
	}
	if (r < 0)
		return r;
	fputs(",\n    \"signature\": {\"id_type\": ", f);
	json_write_cstr(f, mod_signature_get_id_type(sig));
	fputs(", \"signer\": ", f);
	json_write_cstr(f, mod_signature_get_signer(sig));
	fputs(", \"key\": ", f);
	bytes = mod_signature_get_key_id(sig, &len);
	write_hex_string(f, bytes, len);
	fputs(", \"hash_algo\": ", f);
	json_write_cstr(f, mod_signature_get_hash_algo(sig));
	fputs(", \"signature\": ", f);
	bytes = mod_signature_get_signature(sig, &len);
	write_hex_string(f, bytes, len);
	fputc('}', f);
	return 0;
}

/* --verify: {"status", "reason" (null unless invalid), "signer", "key"}. */
static int write_verdict(FILE *f, struct mod_module *mod, const struct verify_request *verify)
{
	struct mod_signature_verdict *v;
	enum mod_signature_status status;
	const uint8_t *bytes;
	size_t len;
	int r;

	r = mod_module_verify_signature(mod, verify->dir, &v);
	if (r < 0)
		return r;
	status = mod_signature_verdict_get_status(v);
	fputs(",\n    \"verification\": {\"status\": ", f);
	json_write_cstr(f, mod_signature_status_str(status));
	fputs(", \"reason\": ", f);
	if (status == MOD_SIGNATURE_INVALID)
		json_write_cstr(f, mod_signature_reason_str(mod_signature_verdict_get_reason(v)));
	else
		fputs("null", f);
	fputs(", \"signer\": ", f);
	json_write_cstr(f, mod_signature_verdict_get_signer(v));
	fputs(", \"key\": ", f);
	bytes = mod_signature_verdict_get_key_id(v, &len);
	write_hex_string(f, bytes, len);
	fputc('}', f);
	mod_signature_verdict_free(v);
	return 0;
}

static void write_params(FILE *f, const struct param_list *params)
{
	fputs(",\n    \"parameters\": [", f);
	/* Source order, as the text output shows them. */
	for (size_t i = params->count; i-- > 0;) {
		const struct param *p = &params->items[i];

		fputs(i + 1 == params->count ? "\n      {\"name\": " : ",\n      {\"name\": ", f);
		json_write_string(f, p->name, p->namelen);
		fputs(", \"type\": ", f);
		json_write_cstr(f, p->type);
		fputs(", \"description\": ", f);
		json_write_cstr(f, p->desc);
		fputc('}', f);
	}
	fputs(params->count ? "\n    ]" : "]", f);
}

/* Write every value of `key` as one array, scanning the info list again from the start. */
static int write_key_values(FILE *f, struct mod_module *mod, const char *key, size_t keylen,
			    bool first_key)
{
	const char *k, *v;
	size_t kl, cursor = 0;
	bool first = true;
	int r;

	fputs(first_key ? "\n      " : ",\n      ", f);
	json_write_string(f, key, keylen);
	fputs(": [", f);
	while ((r = mod_module_info_next(mod, &cursor, &k, &kl, &v)) == 0) {
		if (kl != keylen || memcmp(k, key, keylen) != 0)
			continue;
		if (!first)
			fputs(", ", f);
		json_write_cstr(f, v);
		first = false;
	}
	fputc(']', f);
	return r < 0 ? r : 0;
}

static int json_module(FILE *f, struct mod_module *mod, bool first,
		       const struct verify_request *verify)
{
	struct param_list params = { 0 };
	struct key_seen *seen = NULL;
	size_t n_seen = 0, cursor = 0, keylen;
	const char *key, *value, *path = mod_module_get_path(mod);
	bool builtin = !path && mod_module_is_builtin(mod);
	int r;

	if (!path && !builtin)
		return -ENOENT;
	/* Each object starts its own line; the caller closes the array. */
	fputs(first ? "\n  {\"name\": " : ",\n  {\"name\": ", f);
	json_write_cstr(f, mod_module_get_name(mod));
	fputs(", \"filename\": ", f);
	json_write_cstr(f, builtin ? "(builtin)" : path);
	fprintf(f, ", \"builtin\": %s,\n    \"info\": {", builtin ? "true" : "false");
	while ((r = mod_module_info_next(mod, &cursor, &key, &keylen, &value)) == 0) {
		bool dup = false;

		if ((keylen == 4 && memcmp(key, "parm", 4) == 0) ||
		    (keylen == 8 && memcmp(key, "parmtype", 8) == 0)) {
			/* A malformed entry (no ':') is skipped, as in the text output. */
			param_list_add(&params, key, keylen, value);
			continue;
		}
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = seen[i].keylen == keylen && memcmp(seen[i].key, key, keylen) == 0;
		if (dup)
			continue;
		struct key_seen *grown = reallocarray(seen, n_seen + 1, sizeof(*seen));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		seen = grown;
		seen[n_seen++] = (struct key_seen){ key, keylen };
	}
	if (r < 0 && !(builtin && r == -ENOENT))
		goto out;
	for (size_t i = 0; i < n_seen; i++) {
		r = write_key_values(f, mod, seen[i].key, seen[i].keylen, i == 0);
		if (r < 0)
			goto out;
	}
	fputs(n_seen ? "\n    }" : "}", f);
	write_params(f, &params);
	if (!builtin) {
		r = write_signature(f, mod);
		if (r == 0 && verify->enabled)
			r = write_verdict(f, mod, verify);
		if (r < 0)
			goto out;
	}
	fputc('}', f);
	r = 0;
out:
	free(seen);
	param_list_release(&params);
	return r;
}

/*
 * One module's object goes to memory first: a module that fails half-way (a damaged file) then
 * leaves nothing behind, so the document stays valid JSON and the caller reports the error.
 */
int modinfo_json_module(FILE *f, struct mod_module *mod, bool first,
			const struct verify_request *verify)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int r;

	mem = open_memstream(&buf, &len);
	if (!mem)
		return -errno;
	r = json_module(mem, mod, first, verify);
	if (fclose(mem) != 0 && r == 0)
		r = -ENOMEM;
	if (r == 0 && fwrite(buf, 1, len, f) != len)
		r = -EIO;
	free(buf);
	return r;
}
