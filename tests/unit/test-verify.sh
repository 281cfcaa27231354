#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modinfo --verify against certificates made here with openssl (nothing secret is committed):
# a corpus module re-signed the way the kernel's sign-file does (detached CMS, no attributes, no
# certificates, the module_signature trailer and magic) must be "valid"; one byte changed gives
# "invalid (digest mismatch)", no trailer "unsigned", another key "unknown key", damaged PKCS#7
# "invalid (malformed)", forms the kernel refuses (authenticated attributes, legacy trailer, md5)
# "invalid (unsupported)". Never a crash or a sanitizer report.
#
# Needs openssl and python3 and a module to sign: a corpus one when there is one, otherwise a
# tiny ELF (the verifier reads the bytes, not the ELF). Missing tools: exit 77 (skipped).
#
# Usage: test-verify.sh /path/to/modinfo
set -u

MODINFO=${1:?usage: $0 MODINFO}
[[ -x $MODINFO ]] || { echo "modinfo not built: $MODINFO"; exit 77; }
MODINFO=$(realpath "$MODINFO")
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v openssl >/dev/null && command -v python3 >/dev/null || { echo "SKIP: no openssl/python3"; exit 77; }
"$MODINFO" -V | grep -q '+LIBCRYPTO' || { echo "SKIP: modinfo built without libcrypto"; exit 77; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modinfo-verify.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
n_fail=0

corpus=${LIBMOD_CORPUS_ROOT:-/var/tmp/libmod-corpus/root}
src=$(find "$corpus/lib/modules" -name vfat.ko -print -quit 2>/dev/null)

# The module without any signature it had: what sign-file signs.
python3 - "${src:-}" <<'EOF' || exit 1
import struct, sys
MAGIC = b"~Module signature appended~\n"
if sys.argv[1]:
    b = open(sys.argv[1], "rb").read()
    if b.endswith(MAGIC):
        n = struct.unpack(">I", b[-len(MAGIC) - 4:-len(MAGIC)])[0]
        b = b[:-len(MAGIC) - 12 - n]
else:
    b = b"\x7fELF\x02\x01\x01" + b"\0" * 57 + b"test module body" * 64
open("plain.ko", "wb").write(b)
EOF

# sign IN OUT CERT KEY [extra openssl cms options...]: the kernel's format, id_type 2 (PKCS#7).
sign() {
	local in=$1 out=$2 cert=$3 key=$4
	shift 4
	openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -signer "$cert" \
		-inkey "$key" -in "$in" -out "$out.p7" "$@" 2>/dev/null || { echo "openssl cms failed"; exit 1; }
	append "$in" "$out.p7" "$out" 0 0 2
}

# append MODULE SIG OUT ALGO HASH ID_TYPE: module_signature {algo, hash, id_type, 0, 0, pad, be32}
append() {
	python3 - "$@" <<'EOF'
import struct, sys
m, s, out, algo, hsh, idt = sys.argv[1:7]
mod, sig = open(m, "rb").read(), open(s, "rb").read()
open(out, "wb").write(mod + sig + struct.pack(">BBBBB3xI", int(algo), int(hsh), int(idt), 0, 0,
                                              len(sig)) + b"~Module signature appended~\n")
EOF
}

mkcert() {
	openssl req -new -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 2 \
		-subj "/CN=$2" -addext "subjectKeyIdentifier=hash" 2>/dev/null || { echo "openssl req failed"; exit 1; }
}

mkcert trusted "libmod test signer"
mkcert other "someone else"
mkdir trust
cp trusted.pem trust/signer.pem
# A DER copy of the other certificate, and noise, in a second directory: both formats are read,
# and a file that holds no certificate is skipped, not fatal.
mkdir trust-der
openssl x509 -in other.pem -outform DER -out trust-der/other.der
echo "not a certificate" > trust-der/README

# check NAME EXPECTED FILE [modinfo options...]: the sig_verified line, exit status 0 (or $want_rc:
# where modinfo's own signature lines cannot be read, it still fails as without --verify).
check() {
	local name=$1 expected=$2 file=$3 got rc want=${want_rc:-0}
	shift 3
	got=$("$MODINFO" -F sig_verified "$@" "$file" 2>stderr.txt)
	rc=$?
	if [[ $rc -ne $want || $got != "$expected" ]] || grep -q 'runtime error\|AddressSanitizer' stderr.txt; then
		echo "FAIL $name: exit $rc, got '$got', expected '$expected'"
		cat stderr.txt
		n_fail=$((n_fail + 1))
	else
		echo "ok   $name: $got"
	fi
}

sign plain.ko signed.ko trusted.pem trusted.key
check "signed by a trusted key" "valid" signed.ko --verify=trust

sign plain.ko signed-skid.ko trusted.pem trusted.key -keyid
# d2i_PKCS7, which modinfo's sig_key/signer lines use as kmod does, cannot read this form.
want_rc=1 check "key named by subjectKeyIdentifier (sign-file -k)" "valid" signed-skid.ko --verify=trust

cp signed.ko tampered.ko
printf 'X' | dd of=tampered.ko bs=1 seek=100 conv=notrunc status=none
check "one module byte changed" "invalid (digest mismatch)" tampered.ko --verify=trust

check "no signature" "unsigned" plain.ko --verify=trust

sign plain.ko signed-other.ko other.pem other.key
check "another key" "unknown key" signed-other.ko --verify=trust
check "another key, its certificate (DER) trusted" "valid" signed-other.ko --verify=trust-der

# The right key names, but the other key's signature bytes: the signature is wrong, not the data.
python3 - <<'EOF'
a = open("signed.ko.p7", "rb").read(); b = open("signed-other.ko.p7", "rb").read()
# Both are 256-byte RSA signatures at the end of the DER.
open("forged.p7", "wb").write(a[:-256] + b[-256:])
EOF
append plain.ko forged.p7 forged.ko 0 0 2
check "signature bytes from another key" "invalid (bad signature)" forged.ko --verify=trust

head -c 40 signed.ko.p7 > cut.p7
append plain.ko cut.p7 cut.ko 0 0 2
want_rc=1 check "PKCS#7 cut short" "invalid (malformed)" cut.ko --verify=trust
head -c 300 /dev/urandom > noise.p7
append plain.ko noise.p7 noise.ko 0 0 2
want_rc=1 check "PKCS#7 replaced by noise" "invalid (malformed)" noise.ko --verify=trust
append plain.ko signed.ko.p7 nonzero.ko 1 4 2
check "PKCS#7 with algo/hash set in the trailer" "invalid (malformed)" nonzero.ko --verify=trust

openssl cms -sign -binary -nocerts -outform DER -md sha256 -signer trusted.pem \
	-inkey trusted.key -in plain.ko -out attrs.p7 2>/dev/null
append plain.ko attrs.p7 attrs.ko 0 0 2
check "authenticated attributes" "invalid (unsupported)" attrs.ko --verify=trust
openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -nodetach -signer trusted.pem \
	-inkey trusted.key -in plain.ko -out embedded.p7 2>/dev/null
append plain.ko embedded.p7 embedded.ko 0 0 2
check "content embedded in the PKCS#7" "invalid (unsupported)" embedded.ko --verify=trust
append plain.ko signed.ko.p7 legacy.ko 1 4 1
check "legacy X.509 trailer" "invalid (unsupported)" legacy.ko --verify=trust
if openssl cms -sign -binary -noattr -nocerts -outform DER -md md5 -signer trusted.pem \
	-inkey trusted.key -in plain.ko -out md5.p7 2>/dev/null; then
	append plain.ko md5.p7 md5.ko 0 0 2
	check "md5, which the kernel does not accept" "invalid (unsupported)" md5.ko --verify=trust
fi

# A cut trailer (magic gone, bytes past the ELF end) is damage, not "unsigned" (corpus only:
# the tiny stand-in has no ELF extent to compare with).
if [[ -n ${src:-} ]]; then
	head -c -10 signed.ko > truncated.ko
	want_rc=1 check "trailer cut short" "invalid (malformed)" truncated.ko --verify=trust 2>/dev/null
	# Debian's own signature: no Debian certificate is trusted here.
	check "Debian-signed module, nothing of Debian's trusted" "unknown key" "$src" --verify=trust
fi

# Debian's modules against the certificate built into Debian's kernel (its signing key is made
# at build time; the certificate exists only inside vmlinuz).
vmlinuz=$(ls "$corpus"/boot/vmlinuz-* 2>/dev/null | head -n 1)
if [[ -n ${src:-} && -n $vmlinuz ]] && "$top/scripts/kernel-certs.py" "$vmlinuz" debian-trust > certs.txt; then
	echo "# $(cat certs.txt)"
	for m in "$src" $(find "$corpus/lib/modules" -name mbcache.ko -print -quit); do
		check "Debian-signed $(basename "$m"), the kernel's certificate trusted" "valid" "$m" \
			--verify=debian-trust
	done
	cp "$src" debian-tampered.ko
	printf 'X' | dd of=debian-tampered.ko bs=1 seek=200 conv=notrunc status=none
	check "Debian-signed module, one byte changed" "invalid (digest mismatch)" \
		debian-tampered.ko --verify=debian-trust
else
	echo "# no corpus kernel image: Debian's own signatures not checked"
fi

# Default output does not change; the JSON has the verdict; a missing trust dir is an error.
"$MODINFO" signed.ko > plain-out.txt 2>&1
grep -q sig_verified plain-out.txt && { echo "FAIL: sig_verified without --verify"; n_fail=$((n_fail + 1)); }
"$MODINFO" --json --verify=trust signed.ko | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]["verification"]
assert v["status"] == "valid" and v["reason"] is None and v["signer"] == "libmod test signer", v
' || { echo "FAIL: JSON verification object"; n_fail=$((n_fail + 1)); }
if "$MODINFO" --verify=does-not-exist signed.ko > /dev/null 2> err.txt ||
	! grep -q "trusted key directory does-not-exist" err.txt; then
	echo "FAIL: a missing trust directory must be an error"
	cat err.txt
	n_fail=$((n_fail + 1))
fi

echo "$n_fail failures"
[[ $n_fail -eq 0 ]]
