#!/bin/sh
# Install the Debian packages bpfscope needs to build, test and demo; only what is missing.
set -e
pkgs="make gcc clang llvm clang-19 libbpf-dev libelf-dev zlib1g-dev libgraphviz-dev graphviz
libsqlite3-dev sqlite3 libcapstone-dev bpftool iproute2 pkg-config binutils libclang-rt-14-dev bc
python3 man-db groff-base time chromium tcpdump postgresql-15 libpq-dev pgbouncer"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root, or apt-get install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
