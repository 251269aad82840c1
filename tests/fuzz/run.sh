#!/usr/bin/env bash
# Build and run every fuzz target (tests/fuzz/fuzz_*.c) with libFuzzer, ASan and UBSan.
#   run.sh [SECONDS]         each target for SECONDS (default 60; `make fuzz`)
#   run.sh smoke             each target for a few thousand runs (`make test`)
#   run.sh runs N            each target for N runs, printing libFuzzer's final stats
#   ... [NAME...]            only these targets (fuzz_NAME.c)
# FUZZ_TIMEOUT=S: an input slower than S seconds is a finding (default 10; raise it on a
# loaded machine, where a niced fuzzer waits seconds for a core)
# The library (lib/ store/ analyze/ gen/) is compiled with the same instrumentation into
# tests/fuzz/build/; a target needing sources beyond it names them in its header comment
# ("Links:" or "Build:" lines, e.g. capture/netlink.c). Corpora persist in
# tests/fuzz/build/corpus/NAME, seeded from tests/fuzz/corpus/NAME where the tree has one;
# crashes land in tests/fuzz/build/crash-NAME-*.
# Exit status: 0 when every target ran clean, 1 when one crashed or failed to build,
# 77 when clang's fuzzer runtime is missing.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/tests/fuzz/build
CC=${FUZZ_CC:-clang}
mode=${1:-60}
[ $# -gt 0 ] && shift
runs=
case $mode in
smoke) runs=${FUZZ_SMOKE_RUNS:-3000} ;;
runs) runs=${1:?runs N}; shift ;;
*[!0-9]*) echo "usage: $0 [SECONDS|smoke|runs N] [NAME...]" >&2; exit 2 ;;
esac

mkdir -p "$OUT"
cd "$TOP"

# Is the fuzzer runtime there? (libclang-rt-NN-dev on Debian)
probe=$OUT/probe
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
if ! $CC -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" 2>"$probe.err"; then
	echo "no libFuzzer runtime for $CC ($(head -n 1 "$probe.err")); apt-get install libclang-rt-14-dev" >&2
	exit 77
fi

[ -f "$OUT/config.h" ] || CC=$CC sh scripts/configure.sh >"$OUT/config.h"
PKGS="libbpf libelf zlib sqlite3 capstone"
# libpq: headers only (store/pg_dl.c opens the library when a fleet command connects)
PKG_CFLAGS=$(pkg-config --cflags $PKGS libpq 2>/dev/null)
LIBS="$(pkg-config --libs $PKGS 2>/dev/null || echo -lbpf -lelf -lz -lsqlite3 -lcapstone) -lm -lpthread"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-g -O1 -std=gnu11 -D_GNU_SOURCE -I. -I$OUT $PKG_CFLAGS $SAN"

targets=()
if [ $# -gt 0 ]; then
	for n in "$@"; do targets+=("tests/fuzz/fuzz_${n#fuzz_}.c"); done
else
	targets=(tests/fuzz/fuzz_*.c)
fi

# One Makefile: the instrumented library as an archive, each target linked against it.
{
	echo "CC := $CC"
	echo "CFLAGS := $CFLAGS"
	echo "LIBSRC := $(ls lib/*.c store/*.c analyze/*.c gen/*.c | tr '\n' ' ')"
	echo 'LIBOBJ := $(LIBSRC:%.c='"$OUT"'/obj/%.o)'
	echo "all:"
	echo "$OUT/obj/%.o: %.c"
	printf '\t@mkdir -p $(dir $@)\n\t@$(CC) $(CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<\n'
	echo "$OUT/libfuzz.a: \$(LIBOBJ)"
	printf '\t@rm -f $@\n\t@ar rcs $@ $^\n'
	for t in "${targets[@]}"; do
		name=$(basename "$t" .c)
		# extra sources: paths named in the header comment outside the library dirs
		extra=$(sed -n '1,/^#include/p' "$t" | grep -oE '\b(capture|act|viz|reports|cli)/[A-Za-z0-9_]+\.c\b' | sort -u | tr '\n' ' ')
		echo "all: $OUT/$name"
		echo "$OUT/$name: $t $extra $OUT/libfuzz.a"
		printf '\t@echo "  FUZZ-LD %s"\n' "$name"
		printf '\t@$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ %s %s %s %s\n' "$t" "$extra" "$OUT/libfuzz.a" "$LIBS"
	done
	echo "-include \$(LIBOBJ:.o=.d)"
} >"$OUT/Makefile"

if ! make -s -f "$OUT/Makefile" -j"$(nproc)" all; then
	echo "fuzz build failed" >&2
	exit 1
fi

status=0
for t in "${targets[@]}"; do
	name=$(basename "$t" .c)
	corpus=$OUT/corpus/$name
	mkdir -p "$corpus"
	args=(-artifact_prefix="$OUT/crash-$name-" -print_final_stats=1 -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}")
	if [ -n "$runs" ]; then
		# a slow target names its own smoke size in its header ("Smoke runs: N")
		n=$runs
		[ "$mode" = smoke ] && [ -z "${FUZZ_SMOKE_RUNS:-}" ] &&
			n=$(sed -n '1,/^#include/s/.*Smoke runs: \([0-9]*\).*/\1/p' "$t" | head -n 1)
		args+=(-runs="${n:-$runs}" -seed=1)
	else
		args+=(-max_total_time="$mode")
	fi
	log=$OUT/$name.log
	start=$(date +%s.%N)
	# seeds kept in the tree (tests/fuzz/corpus/NAME) join the working corpus
	seeds=()
	[ -d "$TOP/tests/fuzz/corpus/$name" ] && seeds=("$TOP/tests/fuzz/corpus/$name")
	if "$OUT/$name" "${args[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		secs=$(echo "$(date +%s.%N) - $start" | bc)
		printf 'ok   %-20s %s runs in %.1f s\n' "$name" "${execs:-?}" "$secs"
	else
		echo "FAIL $name: see $log"
		grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -n 5
		status=1
	fi
done
exit $status
