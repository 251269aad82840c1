#!/usr/bin/env bash
# Run every test: unit binaries (build/tests/*) and the shell tests (tests/t_*.sh).
# The last line is "N passed, N failed, N skipped". BUILD_DIR=DIR: another build's binary,
# unit tests and helpers (tests/sanitize.sh: build-san).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export RESULTS=$(mktemp /tmp/bpfscope-results.XXXXXX)
export BUILD_DIR=${BUILD_DIR:-$TOP/build}
export BPFSCOPE=$BUILD_DIR/bpfscope
cd "$TOP"
mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
# iproute2 makes /sys/fs/bpf/tc/globals (and ip, xdp links to it) when it loads an object, and
# tcx pins live under /sys/fs/bpf/bpfscope: the empty directories and links the run made go
before=$(find /sys/fs/bpf -mindepth 1 \( -type d -o -type l \) 2>/dev/null | sort)
for t in "$BUILD_DIR"/tests/*; do
	[ -x "$t" ] || continue
	if out=$("$t" 2>&1); then echo "PASS unit/$(basename "$t")"; echo PASS >> "$RESULTS"
	else echo "FAIL unit/$(basename "$t"): $(echo "$out" | tail -n 3 | tr '\n' ' ')"; echo FAIL >> "$RESULTS"; fi
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	[ -n "${TESTS:-}" ] && ! echo "$t" | grep -qE "$TESTS" && continue
	echo "== $t"
	timeout 600 bash "$t" || true
done
for d in $(find /sys/fs/bpf -mindepth 1 \( -type d -o -type l \) 2>/dev/null | sort -r); do
	printf '%s\n' "$before" | grep -qxF "$d" && continue
	if [ -L "$d" ]; then rm -f "$d"; else rmdir "$d" 2>/dev/null; fi
done
p=$(grep -c '^PASS' "$RESULTS"); f=$(grep -c '^FAIL' "$RESULTS"); s=$(grep -c '^SKIP' "$RESULTS")
rm -f "$RESULTS"
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
