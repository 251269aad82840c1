#!/usr/bin/env bash
# iter pin (an iterator over tasks, pinned under a pin dir of this test's own; MAP's
# parsing and refusal) and token show (a bpffs with delegate options mounted in a private mount
# namespace: the one place this machine has a token mount), against bpftool's link show and
# upstream 7.8's token layout.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/pobj_iter_$$
OBJ=$TEST_TMP/iter.o


pre() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	command -v clang >/dev/null || { echo "clang not installed"; return 77; }
	"$BPFSCOPE" iter help >/dev/null 2>&1 || { echo "iter is not a command of this build"; return 77; }
	ensure_bpffs
}

build() {
	local f=-I/usr/include/"$(uname -m)"-linux-gnu
	clang -g -O2 -target bpf "$f" -Wall -Werror -c "$TOP/tests/data/iter_pin.bpf.c" -o "$OBJ"
}

t_iter_pin() {
	pre || return $?
	build || return 1
	mkdir -p "$PIN" || return 1
	cleanup_add "rm -rf $PIN"
	"$BPFSCOPE" iter pin "$OBJ" "$PIN/task" || return 1
	[ -e "$PIN/task" ] || { echo "no pin"; return 1; }
	expect_eq read "$(cat "$PIN/task")" "" || return 1
	bpftool -j link show pinned "$PIN/task" | jq -e '.type == "iter" and .target_name == "task"' >/dev/null ||
		{ bpftool link show pinned "$PIN/task"; return 1; }
	# MAP: a map that is not there is refused before anything is loaded
	local out
	out=$("$BPFSCOPE" iter pin "$OBJ" "$PIN/z" map pinned "$PIN/nosuch" 2>&1) && return 1
	[ ! -e "$PIN/z" ] || { echo "pinned anyway"; return 1; }
	out=$("$BPFSCOPE" iter pin "$OBJ" "$PIN/y" map 2>&1) && return 1
	expect_eq spec "$out" "Error: incorrect map spec"
}

t_token_empty() {
	pre || return $?
	# this namespace's bpffs mounts delegate nothing: nothing printed, as upstream; [] in JSON
	grep -q ' bpf .*delegate_' /proc/mounts && return 77
	expect_eq plain "$("$BPFSCOPE" token show)" "" || return 1
	expect_eq json "$("$BPFSCOPE" -j token list)" "[]"
}

t_token_mount() {
	pre || return $?
	mkdir -p "$TEST_TMP/tok"
	# the private namespace's mount goes with it: nothing to clean
	unshare -m sh -c "mount --make-rprivate / && mount -t bpf -o delegate_cmds=map_create:prog_load:btf_load:link_create:prog_query,delegate_maps=hash:array,delegate_progs=xdp bpf $TEST_TMP/tok && '$BPFSCOPE' token show > $TEST_TMP/tok.txt && '$BPFSCOPE' -j token show > $TEST_TMP/tok.json" || return 1
	printf 'token_info  %s\n\tallowed_cmds:\n\t  %-20s%-20s%-20s%-20s\n\t  %-20s\n\tallowed_maps:\n\t  %-20s%-20s\n\tallowed_progs:\n\t  %-20s\n\tallowed_attachs:\n' \
		"$TEST_TMP/tok" map_create prog_load prog_query btf_load link_create hash array xdp > "$TEST_TMP/want.txt"
	diff "$TEST_TMP/want.txt" "$TEST_TMP/tok.txt" >&2 || return 1
	expect_eq json "$(cat "$TEST_TMP/tok.json")" \
		"[{\"token_info\":\"$TEST_TMP/tok\",\"allowed_cmds\":[\"map_create\",\"prog_load\",\"prog_query\",\"btf_load\",\"link_create\"],\"allowed_maps\":[\"hash\",\"array\"],\"allowed_progs\":[\"xdp\"],\"allowed_attachs\":[]}]"
}

# a snapshot taken in that namespace stores its mounts: -s REF token show prints them as live
# did, and a snapshot of a namespace without any prints none
t_token_stored() {
	pre || return $?
	local db=$TEST_TMP/tok.db
	mkdir -p "$TEST_TMP/tok2"
	unshare -m sh -c "mount --make-rprivate / && mount -t bpf -o delegate_cmds=map_create:prog_load,delegate_maps=hash,delegate_attachs=cgroup_inet_ingress bpf $TEST_TMP/tok2 && '$BPFSCOPE' --db $db snapshot take label tok >/dev/null && '$BPFSCOPE' token show > $TEST_TMP/tok2.txt && '$BPFSCOPE' -j token show > $TEST_TMP/tok2.json" || return 1
	grep -q "^token_info  $TEST_TMP/tok2\$" "$TEST_TMP/tok2.txt" || { cat "$TEST_TMP/tok2.txt"; return 1; }
	expect_eq plain "$("$BPFSCOPE" --db "$db" -s tok token show)" "$(cat "$TEST_TMP/tok2.txt")" || return 1
	expect_eq json "$("$BPFSCOPE" --db "$db" -s tok -j token list)" "$(cat "$TEST_TMP/tok2.json")" || return 1
	grep -q ' bpf .*delegate_' /proc/mounts && return 0
	"$BPFSCOPE" --db "$db" snapshot take label none >/dev/null || return 1
	expect_eq none "$("$BPFSCOPE" --db "$db" -s none -j token show)" "[]"
}

run_test iter/pin t_iter_pin
run_test token/show_empty t_token_empty
run_test token/show_mount t_token_mount
run_test token/stored t_token_stored
