#!/usr/bin/env bash
# prog load / loadall failures: a clear one-line error (with the verifier's last lines where
# the verifier refused), a non-zero exit, and nothing left pinned, loaded or attached.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_load_errors_$$
export BPFSCOPE_DB=$TEST_TMP/history.db	# successful loads are recorded: not in the real one
ARCH_INC=/usr/include/$(uname -m)-linux-gnu

# build NAME: compile $TEST_TMP/NAME.bpf.c (written by the caller) into NAME.bpf.o
build() {
	clang -g -O2 -target bpf -I"$ARCH_INC" -c "$TEST_TMP/$1.bpf.c" -o "$TEST_TMP/$1.bpf.o" 2>&1
}

# progs_named NAME: how many loaded programs carry this name
progs_named() {
	bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for p in json.load(sys.stdin) if p.get("name") == sys.argv[1]))' "$1"
}

# expect_fail OUT_FILE CMD...: the command must fail with exactly one "Error:" line
expect_fail() {
	local out=$1; shift
	if "$@" >"$out.stdout" 2>"$out"; then
		echo "succeeded, expected a failure: $*" >&2; return 1
	fi
	[ "$(grep -c '^Error: ' "$out")" = 1 ] || { echo "want one Error line, got:" >&2; cat "$out" >&2; return 1; }
	return 0
}

no_pin() { [ ! -e "$1" ] || { echo "$1 was left behind" >&2; return 1; }; }

setup() {
	need_root || return 77
	ensure_bpffs
	command -v clang >/dev/null || { echo "clang missing"; return 77; }
	cleanup_add "rm -rf $PIN"
	cat > "$TEST_TMP/bad.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("xdp")
int rtle_bad_read(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	return *(int *)(data + 100);	/* no bounds check: the verifier refuses */
}
EOF
	cat > "$TEST_TMP/unk.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("no_such_kind/foo")
int rtle_unknown(void *ctx) { return 0; }
EOF
	cat > "$TEST_TMP/fentry.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_getpid")
int rtle_tp_fe(void *ctx) { return 0; }
SEC("fentry/do_sys_openat2")
int rtle_fentry(void *ctx) { return 0; }
EOF
	cat > "$TEST_TMP/kprobe.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("tracepoint/syscalls/sys_enter_getpid")
int rtle_tp_kp(void *ctx) { return 0; }
SEC("kprobe/do_sys_openat2")
int rtle_kprobe(void *ctx) { return 0; }
EOF
	for o in bad unk fentry kprobe; do build $o || return 1; done
	head -c 700 "$TEST_TMP/bad.bpf.o" > "$TEST_TMP/truncated.o"
	printf 'not an object\n' > "$TEST_TMP/text.o"
}

t_truncated() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$TEST_TMP/truncated.o" "$PIN" || return 1
	grep -q "can't open object .*truncated.o" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	no_pin "$PIN"
}

t_not_elf() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$TEST_TMP/text.o" "$PIN" || return 1
	grep -q "not a proper ELF\|format invalid" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	no_pin "$PIN"
}

t_missing_file() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$TEST_TMP/nope.o" "$PIN" || return 1
	grep -q "No such file" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	no_pin "$PIN"
}

t_verifier() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$TEST_TMP/bad.bpf.o" "$PIN" || return 1
	grep -q "^Error: can't load program 'rtle_bad_read' (section 'xdp')" "$TEST_TMP/err" ||
		{ cat "$TEST_TMP/err" >&2; return 1; }
	grep -q "invalid access to packet" "$TEST_TMP/err" || { echo "no verifier log tail" >&2; return 1; }
	[ "$(wc -l < "$TEST_TMP/err")" -le 12 ] || { echo "log tail too long" >&2; return 1; }
	no_pin "$PIN" && expect_eq "programs left" "$(progs_named rtle_bad_read)" 0
}

t_verifier_json() {
	"$BPFSCOPE" -j prog load "$TEST_TMP/bad.bpf.o" "$PIN" >"$TEST_TMP/out" 2>/dev/null && return 1
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "rtle_bad_read" in d["error"], d
assert "invalid access to packet" in d["verifier_log"], d' "$TEST_TMP/out" || return 1
	no_pin "$PIN"
}

t_unknown_section() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$TEST_TMP/unk.bpf.o" "$PIN" || return 1
	grep -q "unknown section 'no_such_kind/foo'" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	no_pin "$PIN"
}

t_unknown_type() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$TEST_TMP/unk.bpf.o" "$PIN" type nosuchtype || return 1
	grep -q "unknown program type 'nosuchtype'" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	no_pin "$PIN"
}

# The kernel here refuses fentry (EPERM at load) and kprobes (at attach): the error names
# the program and how it attaches, and the tracepoint program loaded beside it is gone too.
t_fentry_refused() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog loadall "$TEST_TMP/fentry.bpf.o" "$PIN" autoattach
	local rc=$?
	if [ $rc != 0 ]; then
		[ "$(progs_named rtle_fentry)" = 1 ] && { echo "fentry works here"; return 77; }
		return 1
	fi
	grep -q "rtle_fentry.*fentry" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	no_pin "$PIN" || return 1
	expect_eq "tracepoint programs left" "$(progs_named rtle_tp_fe)" 0
}

t_kprobe_refused() {
	if "$BPFSCOPE" prog loadall "$TEST_TMP/kprobe.bpf.o" "$PIN" autoattach 2>"$TEST_TMP/err"; then
		rm -rf "$PIN"
		echo "kprobes work here"; return 77
	fi
	[ "$(grep -c '^Error: ' "$TEST_TMP/err")" = 1 ] || { cat "$TEST_TMP/err" >&2; return 1; }
	grep -q "program 'rtle_kprobe' (kprobe, section 'kprobe/do_sys_openat2')" "$TEST_TMP/err" ||
		{ cat "$TEST_TMP/err" >&2; return 1; }
	no_pin "$PIN" || return 1
	expect_eq "programs left" "$(( $(progs_named rtle_tp_kp) + $(progs_named rtle_kprobe) ))" 0
}

# A pin path that is taken: the load fails and the existing pin is untouched.
t_pin_taken() {
	mkdir -p "$PIN" || return 1
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$SAMPLES/getpid_count.bpf.o" "$PIN" || return 1
	grep -q "can't pin at $PIN" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; return 1; }
	[ -d "$PIN" ] || { echo "the existing directory went away" >&2; return 1; }
	rmdir "$PIN"
}

t_bad_args() {
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog load "$TEST_TMP/bad.bpf.o" || return 1
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" prog loadall "$TEST_TMP/bad.bpf.o" "$PIN" bogus || return 1
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" map update id 0 key 0 value 0 || return 1
	expect_fail "$TEST_TMP/err" "$BPFSCOPE" net attach xdpx id 1 dev lo || return 1
	grep -q "invalid net attach/detach type" "$TEST_TMP/err"
}

# not in $(...): setup's cleanup_add calls must reach this shell's trap
setup > "$TEST_TMP/setup.log" 2>&1
rc=$?
if [ $rc != 0 ]; then
	out=$(tail -n 3 "$TEST_TMP/setup.log" | tr '\n' ' ')
	for t in truncated not_elf missing_file verifier verifier_json unknown_section unknown_type \
		 fentry_refused kprobe_refused pin_taken bad_args; do
		if [ $rc = 77 ]; then skip "load_errors/$t" "$out"; else fail "load_errors/$t" "setup: $out"; fi
	done
	exit 0
fi
run_test load_errors/truncated t_truncated
run_test load_errors/not_elf t_not_elf
run_test load_errors/missing_file t_missing_file
run_test load_errors/verifier t_verifier
run_test load_errors/verifier_json t_verifier_json
run_test load_errors/unknown_section t_unknown_section
run_test load_errors/unknown_type t_unknown_type
run_test load_errors/fentry_refused t_fentry_refused
run_test load_errors/kprobe_refused t_kprobe_refused
run_test load_errors/pin_taken t_pin_taken
run_test load_errors/bad_args t_bad_args
