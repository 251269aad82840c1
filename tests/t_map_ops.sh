#!/usr/bin/env bash
# map create | freeze | peek | push | pop | enqueue | dequeue | event_pipe, with Debian's
# bpftool as the oracle where it can say; maps pinned under this test's own bpffs dir, and
# a perf event array fed only by getpid calls of a pid this test writes into a map.
source "$(dirname "$0")/lib.sh"

PIN=/sys/fs/bpf/bpfscope_t_map_ops_$$
B=$BPFSCOPE

cmp_out() {	# WHAT GOT WANT
	[ "$2" = "$3" ] || { echo "$1 differs:" >&2; diff <(echo "$2") <(echo "$3") >&2; return 1; }
}

setup() {
	need_root || return 77
	local t
	for t in bpftool clang python3 timeout; do
		command -v $t >/dev/null || { echo "$t not installed"; return 77; }
	done
	ensure_bpffs
	cleanup_add "rm -rf $PIN"
	mkdir -p "$PIN" || return 1
}

# show's first two lines, the id taken out
shape() { "$@" | head -n 2 | sed 's/^[0-9]*: //; s/memlock [0-9]*B//'; }

t_create() {
	$B map create "$PIN/h" type hash key 4 value 8 entries 16 name mo_hash flags 1 || return 1
	bpftool map create "$PIN/hb" type hash key 4 value 8 entries 16 name mo_hash flags 1 || return 1
	cmp_out "hash" "$(shape bpftool map show pinned "$PIN/h")" \
		"$(shape bpftool map show pinned "$PIN/hb")" || return 1
	# a map of maps, its inner map given by a selector
	$B map create "$PIN/inner" type array key 4 value 4 entries 2 name mo_inner || return 1
	$B map create "$PIN/outer" type hash_of_maps key 4 value 4 entries 2 name mo_outer \
		inner_map pinned "$PIN/inner" || return 1
	bpftool map show pinned "$PIN/outer" | grep -q "hash_of_maps  name mo_outer" || return 1
	[ "$($B -j map create "$PIN/j" type array key 4 value 4 entries 1 name mo_j)" = null ] || return 1
	# errors as bpftool words them
	local a b
	for args in "type bogus key 4 value 4 entries 1 name x" "type hash key 4 value 4 entries 1" \
		"type hash key 4 value 4 entries 1 name x frob 1" "type hash key x value 4 entries 1 name x"; do
		a=$(bpftool map create "$PIN/e" $args 2>&1)
		b=$($B map create "$PIN/e" $args 2>&1) && die "map create $args succeeded"
		cmp_out "map create $args" "$b" "$a" || return 1
	done
	[ ! -e "$PIN/e" ] || die "a failed create left a pin"
	b=$($B map create "$PIN/h" type hash key 4 value 4 entries 1 name again 2>&1) && die "pinned twice"
	grep -q "File exists" <<<"$b" || die "pin twice: $b"
}

# the same command through both tools on twin maps: same stdout, same exit status
both() { # SUFFIX ARGS... (ARGS has @ where the map goes)
	local sfx=$1; shift
	local a b ra rb
	a=$(bpftool "${@/@/$PIN/qb$sfx}" 2>&1); ra=$?
	b=$($B "${@/@/$PIN/q$sfx}" 2>&1); rb=$?
	cmp_out "$* (exit $rb, bpftool $ra)" "$b" "$a" || return 1
	# bpftool exits 255 on errors, bpfscope 1; not found is 254 in both
	[ "$ra" = 255 ] && [ "$rb" = 1 ] && return 0
	expect_eq "exit status of $*" "$rb" "$ra"
}

t_queue_stack() {
	local k
	for k in queue stack; do
		bpftool map create "$PIN/qb$k" type $k key 0 value 4 entries 4 name mo_$k || return 1
		$B map create "$PIN/q$k" type $k key 0 value 4 entries 4 name mo_$k || return 1
		both $k map push pinned @ value 1 2 3 4 || return 1
		both $k map enqueue pinned @ value 5 6 7 8 || return 1
		both $k map push pinned @ value hex 0a 0b 0c zz || return 1
		both $k map peek pinned @ || return 1
		both $k -j map peek pinned @ || return 1
		both $k map pop pinned @ || return 1
		both $k -j map dequeue pinned @ || return 1
		both $k map pop pinned @ || return 1	# empty: "Error: empty map", 254
		both $k -j map pop pinned @ || return 1
		both $k map peek pinned @ || return 1
		both $k map push pinned @ key 1 value 1 2 3 4 || return 1	# "unnecessary key"
	done
}

t_freeze() {
	bpftool map create "$PIN/fb" type array key 4 value 4 entries 2 name mo_f || return 1
	$B map create "$PIN/f" type array key 4 value 4 entries 2 name mo_f || return 1
	$B map update pinned "$PIN/f" key 0 0 0 0 value 7 0 0 0 || return 1
	$B map freeze pinned "$PIN/f" || return 1
	bpftool map freeze pinned "$PIN/fb" || return 1
	$B -j map show pinned "$PIN/f" | grep -q '"frozen":1' || die "not frozen"
	local a b
	a=$(bpftool map update pinned "$PIN/fb" key 0 0 0 0 value 1 0 0 0 2>&1)
	b=$($B map update pinned "$PIN/f" key 0 0 0 0 value 1 0 0 0 2>&1) && die "frozen map updated"
	cmp_out "update of a frozen map" "$b" "$a" || return 1
	a=$(bpftool map freeze pinned "$PIN/fb" 2>&1)
	b=$($B map freeze pinned "$PIN/f" 2>&1) && die "frozen twice"
	cmp_out "freeze twice" "$b" "$a" || return 1
	$B map lookup pinned "$PIN/f" key 0 0 0 0 | grep -q "value: 07 00 00 00" || return 1
	# not found: bpftool's words and exit status
	a=$(bpftool map lookup pinned "$PIN/h" key 9 9 9 9 2>&1); ra=$?
	b=$($B map lookup pinned "$PIN/h" key 9 9 9 9 2>&1); rb=$?
	cmp_out "lookup not found" "$b" "$a" && expect_eq "lookup exit" "$rb" "$ra" || return 1
	a=$(bpftool map delete pinned "$PIN/h" key 9 9 9 9 2>&1); ra=$?
	b=$($B map delete pinned "$PIN/h" key 9 9 9 9 2>&1); rb=$?
	cmp_out "delete not found" "$b" "$a" && expect_eq "delete exit" "$rb" "$ra" || return 1
	a=$(bpftool map lookup pinned "$PIN/h" key 0 zz 0 0 2>&1)
	b=$($B map lookup pinned "$PIN/h" key 0 zz 0 0 2>&1)
	cmp_out "bad byte" "$b" "$a"
}

t_event_pipe() {
	command -v gcc >/dev/null || return 77
	cat > "$TEST_TMP/evp.bpf.c" <<'C'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
static long (*bpf_perf_event_output)(void *, void *, __u64, void *, __u64) = (void *)25;
static void *(*bpf_map_lookup_elem)(void *, const void *) = (void *)1;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
char _license[] SEC("license") = "GPL";
struct { int (*type)[BPF_MAP_TYPE_PERF_EVENT_ARRAY]; int (*key_size)[4]; int (*value_size)[4]; } mo_events SEC(".maps");
struct { int (*type)[BPF_MAP_TYPE_ARRAY]; int (*max_entries)[1]; __u32 *key; __u32 *value; } mo_target SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_getpid")
int mo_evp(void *ctx)
{
	__u32 k = 0, *want = bpf_map_lookup_elem(&mo_target, &k);
	__u32 data[2] = { 0xc0ffee, 0 };

	/* only the pid the test wrote acts: every other getpid on the machine passes by */
	if (!want || !*want || *want != bpf_get_current_pid_tgid() >> 32)
		return 0;
	data[1] = *want;
	bpf_perf_event_output(ctx, &mo_events, 0xffffffffULL, data, sizeof(data));
	return 0;
}
C
	clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/evp.bpf.c" \
		-o "$TEST_TMP/evp.bpf.o" || return 1
	$B prog loadall "$TEST_TMP/evp.bpf.o" "$PIN/evp" pinmaps "$PIN/evpm" autoattach || return 1
	local tool out pid
	for tool in "$B" bpftool "$B -j"; do
		out=$TEST_TMP/evp.out
		timeout -s INT 30 $tool map event_pipe pinned "$PIN/evpm/mo_events" > "$out" 2>"$out.err" &
		tpid=$!
		# a process of our own writes its pid into the target map, then calls getpid
		python3 - "$B" "$PIN/evpm/mo_target" <<'PY' || { kill -INT $tpid; return 1; }
import os, struct, subprocess, sys, time
pid = os.getpid()
print(pid, file=open(os.environ["PIDF"], "w"))
v = [str(b) for b in struct.pack("<I", pid)]
upd = [sys.argv[1], "map", "update", "pinned", sys.argv[2], "key", "0", "0", "0", "0", "value"]
subprocess.run(upd + v, check=True)
for _ in range(8):	# 4 s of getpid calls: the reader may start late under load
    for _ in range(3):
        os.getpid()
    time.sleep(0.5)
subprocess.run(upd + ["0", "0", "0", "0"], check=True)
PY
		sleep 0.5
		kill -INT $tpid
		wait $tpid; pid=$(cat "$PIDF")
		hex=$(python3 -c "import struct; print(' '.join('%02x' % b for b in struct.pack('<II', 0xc0ffee, $pid)))")
		case $tool in
		*-j)	python3 - "$out" "$pid" <<'PY' || { cat "$out" >&2; return 1; }
import json, struct, sys
d = json.load(open(sys.argv[1]))
want = list(struct.pack("<II", 0xc0ffee, int(sys.argv[2])))
# the kernel pads a raw sample to 8 bytes with its size word: 4 zero bytes follow
mine = [r for r in d if r.get("data", [])[:8] == want]
assert len(mine) >= 3, d
assert all(set(r) == {"type", "cpu", "index", "timestamp", "data"} and r["type"] == 9 for r in mine)
PY
			;;
		*)	[ "$(grep -c "^$hex" "$out")" -ge 3 ] || { cat "$out" "$out.err" >&2; echo "pid $pid hex $hex" >&2; die "$tool: 3 samples wanted"; }
			grep -B1 "^$hex" "$out" | grep -v "^$hex" | grep -v -- '^--$' |
				grep -vqE '^== @[0-9]+\.[0-9]{9} CPU: [0-9]+ index: [0-9]+ =====$' &&
				{ cat "$out" >&2; die "$tool: banner"; }
			grep -q "Stopping..." "$out.err" || die "$tool: no Stopping..."
			;;
		esac
	done
	# one CPU's ring; cpu without index is refused as bpftool refuses it
	local a b
	a=$(bpftool map event_pipe pinned "$PIN/evpm/mo_events" cpu 0 2>&1)
	b=$($B map event_pipe pinned "$PIN/evpm/mo_events" cpu 0 2>&1) && die "cpu alone taken"
	grep -q "cpu and index must be specified together" <<<"$b$a" || die "cpu alone: $b"
	a=$(bpftool map event_pipe pinned "$PIN/evpm/mo_target" 2>&1)
	b=$($B map event_pipe pinned "$PIN/evpm/mo_target" 2>&1) && die "array taken"
	cmp_out "not a perf event array" "$b" "$a" || return 1
	timeout --preserve-status -s TERM 2 $B map event_pipe pinned "$PIN/evpm/mo_events" cpu 0 index 0 >/dev/null 2>&1 ||
		die "cpu 0 index 0: exit $?"
}
export PIDF=$TEST_TMP/pid

TESTS_HERE="create queue_stack freeze event_pipe"
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
for t in $TESTS_HERE; do
	if [ $rc != 0 ]; then
		if [ $rc = 77 ]; then skip "map_ops/$t" "$out"; else fail "map_ops/$t" "setup: $out"; fi
		continue
	fi
	run_test "map_ops/$t" "t_$t"
done
