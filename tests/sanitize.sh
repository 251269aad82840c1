#!/usr/bin/env bash
# `make check-sanitize`: the whole suite (tests/run.sh, TESTS= to pick) on build-san/, the
# product built with ASan and UBSan (make SAN=1). Every sanitizer report goes to a file of
# its own, so one counts even where a test throws stderr away or expects a given exit
# status; any report fails the run, and the first lines of each are printed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD_DIR=$TOP/build-san
[ -x "$BUILD_DIR/bpfscope" ] || { echo "no $BUILD_DIR/bpfscope: make SAN=1 all" >&2; exit 2; }
LOGS=$(mktemp -d /tmp/bpfscope-san.XXXXXX)
# unprivileged runs (t_privilege: nobody) write their reports here too
chmod 1777 "$LOGS"
export BPFSCOPE_SANITIZED=1
# abort: a report kills the process (SIGABRT) rather than exiting 1, which a test could take
# for an ordinary error. allocator_may_return_null: a huge allocation fails as malloc does
# without ASan (the product checks), instead of being a report.
# LeakSanitizer is left out: see docs/reliability.md (SANITIZE_LEAKS=1 turns it on).
export ASAN_OPTIONS="log_path=$LOGS/asan:abort_on_error=1:allocator_may_return_null=1:detect_leaks=${SANITIZE_LEAKS:-0}:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="log_path=$LOGS/ubsan:print_stacktrace=1:halt_on_error=1:abort_on_error=1"
start=$(date +%s)
bash "$TOP/tests/run.sh" "$@"
rc=$?
n=$(find "$LOGS" -type f | wc -l)
echo "sanitize: $n sanitizer report(s) in $(( $(date +%s) - start )) s (logs in $LOGS)"
if [ "$n" -gt 0 ]; then
	for f in "$LOGS"/*; do
		echo "== $f"
		grep -m1 -E 'ERROR|runtime error' "$f"
		grep -m1 SUMMARY "$f"
	done
	rc=1
else
	rm -rf "$LOGS"
fi
exit $rc
