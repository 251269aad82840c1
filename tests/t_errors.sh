#!/usr/bin/env bash
# Objects that are not there: btf show id, link show id, cgroup show and tree of a missing
# path say so as bpftool does (words, JSON, a failing exit status) instead of printing
# nothing; query help prints help instead of running "help" as SQL.
source "$(dirname "$0")/lib.sh"

B=$BPFSCOPE

# bpftool exits 255 on errors where bpfscope exits 1; -ENOENT is 254 in both
same_status() { [ "$1" = "$2" ] || { [ "$2" = 255 ] && [ "$1" = 1 ]; }; }

# compare ARGS...: bpfscope and bpftool print the same (stdout and stderr) and both fail
compare() {
	local a b ra rb
	a=$(bpftool "$@" 2>&1); ra=$?
	b=$($B "$@" 2>&1); rb=$?
	[ "$a" = "$b" ] || { echo "$*:"; diff <(echo "$a") <(echo "$b"); return 1; } >&2
	[ $ra != 0 ] && same_status $rb $ra || die "$*: exit $rb, bpftool $ra"
}

t_not_there() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	local id=99999 p
	p=/nonexistent_bpfscope_$$
	for j in "" -j; do
		compare $j btf show id $id || return 1
		compare $j link show id $id || return 1
		compare $j cgroup show $p || return 1
		compare $j cgroup tree $p || return 1
		compare $j cgroup tree $p effective || return 1
	done
}

t_query_help() {
	local out
	out=$($B query help 2>&1) || die "query help failed: $out"
	grep -q "^Usage: bpfscope query SQL" <<<"$out" || die "query help: $out"
	[ "$($B -j query help)" = null ] || die "-j query help"
	# any other word is still SQL
	out=$($B query "help me" 2>&1) && die "'help me' ran"
	grep -q "Usage" <<<"$out" && die "'help me' printed help"
	return 0
}

run_test errors/not_there t_not_there
run_test errors/query_help t_query_help
