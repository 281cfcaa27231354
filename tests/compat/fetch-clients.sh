#!/bin/bash
# fetch-clients.sh: make the real libkmod clients the compat checks run available, and print the
# root they live under (udevadm at <root>/bin/udevadm, dracut-install at
# <root>/usr/lib/dracut/dracut-install; systemd-modules-load comes with systemd itself).
#
# Installed packages are used when present. Otherwise the .debs are downloaded with apt-get and
# unpacked (dpkg -x), never installed: on Debian 12, installing udev pulls a newer systemd onto
# the machine, and dracut-core wants udev. udev is fetched at exactly the version of the
# installed libsystemd-shared, the private library its udevadm links.
#
# Usage: fetch-clients.sh [--print-root]
# Environment: LIBMOD_CLIENTS_DIR (default /var/tmp/libmod-clients). Cached; a flock serialises
# concurrent callers. Progress goes to stderr.
set -euo pipefail

DIR=${LIBMOD_CLIENTS_DIR:-/var/tmp/libmod-clients}
log() { printf 'fetch-clients: %s\n' "$*" >&2; }

if [[ -x /usr/lib/dracut/dracut-install && -x /bin/udevadm ]]; then
	[[ ${1:-} == --print-root ]] && echo /
	exit 0
fi

mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
systemd_ver=$(dpkg-query -W -f='${Version}' libsystemd-shared)
stamp="udev=$systemd_ver dracut-core"
if [[ $(cat "$DIR/.stamp" 2>/dev/null) != "$stamp" ]]; then
	rm -rf "$DIR/root" "$DIR"/*.deb
	log "downloading udev=$systemd_ver and dracut-core into $DIR"
	# apt-get download runs as _apt when it can; a root-owned directory makes it warn, not fail.
	(cd "$DIR" && apt-get download -q "udev=$systemd_ver" dracut-core >&2) || {
		log "apt-get download failed (no network, or the version is gone from the mirror)"
		exit 1
	}
	for deb in "$DIR"/*.deb; do
		dpkg -x "$deb" "$DIR/root"
	done
	echo "$stamp" >"$DIR/.stamp"
fi
[[ ${1:-} == --print-root ]] && echo "$DIR/root"
exit 0
