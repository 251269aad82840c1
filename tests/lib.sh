# Test helpers, sourced by every tests/t_*.sh. Each test prints one PASS/FAIL/SKIP line;
# tests/run.sh counts them. A test cleans up what it created in a trap, also on failure.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$TOP/build}
BPFSCOPE=${BPFSCOPE:-$BUILD_DIR/bpfscope}
# A command reading hostile input runs under `bash -c "$VLIMIT; exec ..."`: 4 GB of address
# space. An ASan build (tests/sanitize.sh) reserves terabytes of shadow, so there its
# allocator enforces the bound instead (a report, which fails the run).
VLIMIT='ulimit -v 4000000'
if [ -n "${BPFSCOPE_SANITIZED:-}" ]; then
	VLIMIT=:
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=4000"
fi
SAMPLES=${SAMPLES:-$TOP/samples/build}
: "${RESULTS:=/dev/null}"
TEST_TMP=$(mktemp -d /tmp/bpfscope-test.XXXXXX)
# nothing a test does may write to the machine's real history database
export BPFSCOPE_DB=$TEST_TMP/history.db
# Cleanups go to a file, so that those registered inside a test (which runs in a subshell)
# are still undone, last first, when the script exits, whether the test passed or not.
CLEANUP_FILE=$TEST_TMP/.cleanups
: > "$CLEANUP_FILE"
cleanup_add() { printf '%s\n' "$*" >> "$CLEANUP_FILE"; }
run_cleanups() {
	local cmd
	if [ -f "$CLEANUP_FILE" ]; then
		while IFS= read -r cmd; do eval "$cmd" >/dev/null 2>&1 || true; done < <(tac "$CLEANUP_FILE")
	fi
	rm -rf "$TEST_TMP"
}
trap run_cleanups EXIT

_result() { echo "$1 $2${3:+: $3}"; echo "$1" >> "$RESULTS"; }
pass() { _result PASS "$1"; }
fail() { _result FAIL "$1" "${2:-}"; }
skip() { _result SKIP "$1" "${2:-}"; }

# run_test NAME FUNC: FUNC returns or exits 0 (pass), 1 (fail, its stderr explains), 77
# (skip). It runs in a subshell, so `die` (and `exit`) end the test, not the script.
run_test() {
	local name=$1 fn=$2 out rc
	( "$fn" ) > "$TEST_TMP/.out" 2>&1; rc=$?
	out=$(cat "$TEST_TMP/.out")
	case $rc in
	0) pass "$name" ;;
	77) skip "$name" "$(printf '%s' "$out" | tail -n 1)" ;;
	*) fail "$name" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')" ;;
	esac
}

need_root() { [ "$(id -u)" = 0 ] || { echo "needs root"; return 77; }; }
ensure_bpffs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
}
# In a test: fail it here with a reason (it exits the test's subshell). Outside a test (in
# the script's own shell) it only returns 1, so the script goes on to report its tests.
die() { echo "$*" >&2; [ "$BASH_SUBSHELL" -gt 0 ] && exit 1; return 1; }
# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || { echo "$1: got '$2', want '$3'" >&2; return 1; }; }
