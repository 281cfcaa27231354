#!/bin/sh
# The ABI check: the symbols libmod.so exports must be exactly those the version script lists,
# and every header declaration marked LIBMOD_EXPORT must be among them.
set -eu
lib=$1
sym=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sed 's/@.*//' | sort -u)
listed=$(sed -e 's,/\*.*\*/,,' "$sym" | grep -E '^[[:space:]]+mod_[a-z0-9_]+;' | tr -d ' \t;' | sort -u)
if [ "$exported" != "$listed" ]; then
	echo "exported symbols and $sym differ (< exported, > listed):"
	{
		printf '%s\n' "$exported" > /tmp/abi-exported.$$
		printf '%s\n' "$listed" > /tmp/abi-listed.$$
		diff /tmp/abi-exported.$$ /tmp/abi-listed.$$ || true
		rm -f /tmp/abi-exported.$$ /tmp/abi-listed.$$
	}
	exit 1
fi
# Every symbol must carry the LIBMOD_ version tag.
untagged=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | grep -v '@@LIBMOD_' || true)
if [ -n "$untagged" ]; then
	echo "exported without a version node: $untagged"
	exit 1
fi
echo "$(echo "$exported" | wc -l) exported symbols match $sym"
