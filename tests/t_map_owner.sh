#!/usr/bin/env bash
# map show's owner_prog_type and owner_jited on prog arrays (fdinfo, as bpftool's
# show_map_close_*), live and from a snapshot, against bpftool 7.1 (which prints both as
# upstream does): a socket filter that tail-calls through its prog array, loaded and pinned
# under a pin directory of this test's own, and a prog array no program owns yet.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_owner_$$
DB=$TEST_TMP/owner.db

setup() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	command -v clang >/dev/null || { echo "clang not installed"; return 77; }
	ensure_bpffs
	cat >"$TEST_TMP/tail.bpf.c" <<'EOT'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, int); } owner_jt SEC(".maps");
SEC("socket")
int owner_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &owner_jt, 0);
	return 0;
}
EOT
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
		-c "$TEST_TMP/tail.bpf.c" -o "$TEST_TMP/tail.bpf.o" || return 1
	mkdir -p "$PIN" || return 1
	bpftool prog load "$TEST_TMP/tail.bpf.o" "$PIN/prog" || return 1
	# a prog array without an owner: no program uses it, none was put in it
	bpftool map create "$PIN/free" type prog_array key 4 value 4 entries 2 name owner_free || return 1
}

cleanup() { rm -rf "$PIN"; }

map_id() { bpftool -j map show pinned "$1" | jq -r .id; }
owned_id() { bpftool -j prog show pinned "$PIN/prog" | jq -r '.map_ids[0]'; }

t_live() {
	local id free
	id=$(owned_id); free=$(map_id "$PIN/free")
	for m in "$id" "$free"; do
		expect_eq "plain $m" "$("$BPFSCOPE" map show id "$m")" "$(bpftool map show id "$m")" || return 1
		expect_eq "json $m" "$("$BPFSCOPE" -j map show id "$m")" "$(bpftool -j map show id "$m")" || return 1
	done
	# what upstream's source prints, apart from any bpftool: the owner's line, and no line
	# for an array without owner
	"$BPFSCOPE" map show id "$id" | grep -qx $'\towner_prog_type socket_filter  owner jited' || {
		"$BPFSCOPE" map show id "$id"; return 1; }
	expect_eq "jited" "$("$BPFSCOPE" -j map show id "$id" | jq -c '[.owner_prog_type, .owner_jited]')" \
		'["socket_filter",true]' || return 1
	expect_eq "no owner" "$("$BPFSCOPE" -j map show id "$free" | jq -c '[.owner_prog_type, .owner_jited]')" \
		'[null,null]' || return 1
	expect_eq "lines" "$("$BPFSCOPE" map show id "$free" | wc -l)" 2
}

t_stored() {
	local id free o
	id=$(owned_id); free=$(map_id "$PIN/free")
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
	for m in "$id" "$free"; do
		for o in "" -j; do
			expect_eq "stored $o $m" "$("$BPFSCOPE" --db "$DB" -s latest $o map show id "$m")" \
				"$("$BPFSCOPE" $o map show id "$m")" || return 1
		done
	done
	expect_eq column "$("$BPFSCOPE" --db "$DB" query "SELECT owner_prog_type, owner_jited FROM maps
		WHERE snapshot_id = (SELECT max(id) FROM snapshots) AND id = $id" csv | tail -n 1)" "1,1"
}

setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
cleanup_add cleanup
out=$(cat "$TEST_TMP/setup.log")
if [ $rc != 0 ]; then
	for t in live stored; do
		if [ $rc = 77 ]; then skip map_owner/$t "$out"; else fail map_owner/$t "setup: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
	done
	exit 0
fi
run_test map_owner/live t_live
run_test map_owner/stored t_stored
