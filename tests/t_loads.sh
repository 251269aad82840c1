#!/usr/bin/env bash
# The loads recorder (capture/loads.c and its tracepoint program capture/loads.bpf.c), through
# its test harness build/helpers/loads_record until `snapshot watch ... loads` drives it: one
# recording while 100 programs are each loaded and closed at once (build/helpers/loads_loop),
# a richer object is loaded and pinned, two links are made and undone and the recorder makes a
# map of its own; then what load_events holds against the truth.
source "$(dirname "$0")/lib.sh"

REC=$BUILD_DIR/helpers/loads_record
LOOP=$BUILD_DIR/helpers/loads_loop
PIN=/sys/fs/bpf/bpfscope_t_loads_$$
PFX=lt$$			# the loop's programs: PFX_0 ... PFX_99 (at most 15 bytes)
DB=$TEST_TMP/loads.db
N=100
SETUP_ERR=
REC_PID=

q() { sqlite3 "$DB" "$@"; }

# the richer object, its names its own (lr_*: other tests look programs up by name): a tail
# call, global data read by address at an offset, a bpf_loop callback (a function address), a
# read through a BTF pointer (a faulting load), a static and a global subprogram, and an XDP
# program with a map of its own
write_rich() {
	cat >"$TEST_TMP/rich.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } lr_jt SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } lr_h SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } lr_pc SEC(".maps");
__u64 lr_hits;
__u32 lr_small[4];
const volatile __u32 lr_only = 0;
struct task_struct { int pid; } __attribute__((preserve_access_index));
static long step(__u32 i, void *ctx) { *(__u64 *)ctx += i; return 0; }
static __attribute__((noinline)) __u64 lr_mix(__u64 a) { return a * 31 + lr_only; }
__attribute__((noinline)) int lr_global(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&lr_h, &k);

	return v ? (int)*v : 0;
}
SEC("tracepoint/syscalls/sys_enter_getppid")
int lr_tp(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 acc = 0;

	lr_small[2] = t->pid;
	bpf_loop(4, step, &acc, 0);
	acc += lr_global(1);
	__sync_fetch_and_add(&lr_hits, lr_mix(acc));
	bpf_tail_call(ctx, &lr_jt, 0);
	return 0;
}
SEC("xdp")
int lr_xdp(struct xdp_md *x)
{
	__u32 k = (x->data_end - x->data) & 3;
	__u64 *v = bpf_map_lookup_elem(&lr_pc, &k);

	if (v)
		*v += 1;
	return XDP_PASS;
}
EOF
	clang -g -O2 -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c -o "$TEST_TMP/rich.bpf.o" \
		"$TEST_TMP/rich.bpf.c" 2>"$TEST_TMP/rich.err"
}

# the recorder, killed by the cleanup only if it is still ours
start_recorder() {
	local i
	"$REC" "$DB" 300 "$TEST_TMP/ready" selfmap >"$TEST_TMP/rec.out" 2>"$TEST_TMP/rec.err" &
	REC_PID=$!
	cleanup_add "[ \"\$(cat /proc/$REC_PID/comm 2>/dev/null)\" = loads_record ] && kill $REC_PID"
	for i in $(seq 150); do
		[ -e "$TEST_TMP/ready" ] && return 0
		kill -0 "$REC_PID" 2>/dev/null || break
		sleep 0.1
	done
	SETUP_ERR="the recorder did not start: $(head -c 300 "$TEST_TMP/rec.err")"
	return 1
}

stat_of() { sed -n "s/^$1 //p" "$TEST_TMP/rec.out"; }

setup() {
	[ "$(id -u)" = 0 ] || { SETUP_ERR="needs root"; return; }
	ensure_bpffs
	[ -x "$REC" ] && [ -x "$LOOP" ] || { SETUP_ERR="no test helpers (make all)"; return; }
	command -v bpftool >/dev/null || { SETUP_ERR="no bpftool"; return; }
	[ -d /sys/kernel/tracing/events/syscalls/sys_exit_bpf ] ||
		{ SETUP_ERR="no syscalls/sys_exit_bpf tracepoint"; return; }
	write_rich || { SETUP_ERR="can't build the test object: $(head -c 200 "$TEST_TMP/rich.err")"; return; }
	mkdir -p "$PIN"
	cleanup_add "rm -rf $PIN"
	start_recorder || return
	"$LOOP" "$PFX" $N >"$TEST_TMP/loop.out" 2>"$TEST_TMP/loop.err" ||
		SETUP_ERR="the loop failed: $(head -c 200 "$TEST_TMP/loop.err")"
	bpftool prog loadall "$TEST_TMP/rich.bpf.o" "$PIN/rich" 2>"$TEST_TMP/rich.err" ||
		SETUP_ERR=${SETUP_ERR:-"can't load the test object: $(tail -n 2 "$TEST_TMP/rich.err")"}
	"$LOOP" "$PFX" link >"$TEST_TMP/link.out" 2>"$TEST_TMP/link.err" ||
		SETUP_ERR=${SETUP_ERR:-"the links failed: $(head -c 200 "$TEST_TMP/link.err")"}
	bpftool map create "$PIN/ctl" type array key 4 value 4 entries 1 name "lc$$" ||
		SETUP_ERR=${SETUP_ERR:-"can't create the control map"}
	sleep 0.5	# the ring drained
	kill -TERM "$REC_PID"
	wait "$REC_PID" || SETUP_ERR=${SETUP_ERR:-"the recorder failed: $(head -c 300 "$TEST_TMP/rec.err")"}
	LPID=$(sed -n 's/^pid //p' "$TEST_TMP/loop.out")
	LCOMM=$(sed -n 's/^comm //p' "$TEST_TMP/loop.out")
}

need_setup() { [ -z "$SETUP_ERR" ] || { echo "$SETUP_ERR"; return 77; }; }

# Of N programs each loaded and closed at once, at least N - 1 are recorded with their name,
# id, owner and code, the code byte for byte the kernel's own dump (which the loop took
# before closing each one), and the map they use.
test_short_lived() {
	need_setup || return
	local want got caught map kmem lived over
	want=$(awk '$1 == "prog" { print $2 "|" $3 "|" toupper($4) }' "$TEST_TMP/loop.out")
	[ "$(echo "$want" | wc -l)" = $N ] || { echo "the loop made $(echo "$want" | wc -l) programs"; return 1; }
	map=$(q "SELECT obj_id FROM load_events WHERE kind = 'map' AND pid = $LPID AND name = 'loads_loop'")
	[ -n "$map" ] || { echo "the loop's map was not recorded"; return 1; }
	got=$(q "SELECT name || '|' || obj_id || '|' || hex(xlated) || ' ' || code_from FROM load_events
		WHERE kind = 'prog' AND pid = $LPID AND comm = '$LCOMM' AND map_ids = '$map' AND type = 1
		AND name LIKE '${PFX}\_%' ESCAPE '\\'")
	# right: name, id and code as the loop saw them; by where the code came from
	read -r caught kmem < <(awk 'NR == FNR { w[$1] = 1; next }
		($1 in w) { n++; if ($2 == "kmem") k++ } END { print n + 0, k + 0 }' \
		<(echo "$want") <(echo "$got"))
	lived=$(sed -n 's/^max_life_us //p' "$TEST_TMP/loop.out")
	over=$(awk '$1 == "prog" && $5 > 5000' "$TEST_TMP/loop.out" | wc -l)
	echo "# loads/short_lived: $caught of $N recorded with their code ($kmem from the tracepoint's" \
		"copy, $((caught - kmem)) from the kernel while still there); lives up to ${lived} us," \
		"$over over 5 ms" >> "$TEST_TMP/measured"
	[ "$caught" -ge $((N - 1)) ] || { echo "only $caught of $N recorded right"; echo "$got" | head -3; return 1; }
}

# Programs that stay (pinned) are opened by id too: the kernel's dump is kept, and the
# tracepoint's copy, rewritten as the kernel rewrites it, agrees with it for each of them
# (map addresses, global data at an offset, tail calls, callbacks, faulting loads).
test_code_matches_kernel() {
	need_setup || return
	local ids id row bad=0
	ids=$(for p in $(find "$PIN" -type f ! -name ctl); do
		bpftool -j prog show pinned "$p" 2>/dev/null | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'; done)
	[ "$(echo "$ids" | wc -w)" -ge 2 ] || { echo "only $(echo "$ids" | wc -w) programs pinned"; return 1; }
	for id in $ids; do
		row=$(q "SELECT code_from || ' ' || coalesce(code_check, '-') || ' ' || (xlated IS NOT NULL)
			FROM load_events WHERE kind = 'prog' AND obj_id = $id AND comm = 'bpftool'")
		[ "$row" = "info same 1" ] || { echo "program $id: '$row'"; bad=1; }
	done
	# and the stored code is what bpftool dumps
	id=$(bpftool -j prog show pinned "$PIN/rich/lr_tp" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	expect_eq "rich code" "$(q "SELECT lower(hex(xlated)) FROM load_events WHERE obj_id = $id AND kind = 'prog'")" \
		"$(bpftool prog dump xlated id "$id" file /dev/stdout 2>/dev/null | sha256sum | cut -d' ' -f1)" || bad=1
	return $bad
}

# Links, by BPF_LINK_CREATE (a perf event) and by BPF_RAW_TRACEPOINT_OPEN, each naming its
# program, with the process that made them; and each program named as it was loaded.
test_links() {
	need_setup || return
	local pid kind prog link
	pid=$(sed -n 's/^pid //p' "$TEST_TMP/link.out")
	[ -n "$pid" ] || { echo "no links made"; return 1; }
	[ "$(grep -c '^link ' "$TEST_TMP/link.out")" = 2 ] || { echo "not two links"; return 1; }
	while read -r _ kind prog link; do
		case $kind in
		perf) expect_eq "perf link" "$(q "SELECT type_name || ' ' || cmd || ' ' || prog_id || ' ' || pid
			FROM load_events_named WHERE kind = 'link' AND obj_id = $link")" "perf_event 28 $prog $pid" || return 1
			expect_eq "its program" "$(q "SELECT type_name || ' ' || name FROM load_events_named
			WHERE kind = 'prog' AND obj_id = $prog")" "tracepoint ${PFX}_tp" || return 1 ;;
		raw) expect_eq "raw tracepoint link" "$(q "SELECT type_name || ' ' || cmd || ' ' || prog_id || ' ' || pid
			FROM load_events_named WHERE kind = 'link' AND obj_id = $link")" "raw_tracepoint 17 $prog $pid" || return 1
			expect_eq "its program" "$(q "SELECT type_name || ' ' || name FROM load_events_named
			WHERE kind = 'prog' AND obj_id = $prog")" "raw_tracepoint ${PFX}_rtp" || return 1 ;;
		esac
	done < <(grep '^link ' "$TEST_TMP/link.out")
}

# Maps, with the facts they were made with; a program's map ids name the maps it uses.
test_maps() {
	need_setup || return
	local id ids
	expect_eq "the loop's map" "$(q "SELECT type_name || ' ' || key_size || ' ' || value_size || ' ' ||
		max_entries FROM load_events_named WHERE kind = 'map' AND pid = $LPID AND name = 'loads_loop'")" \
		"array 4 8 1" || return 1
	# (as loaded: libbpf binds .rodata to every program of the object after the load)
	id=$(bpftool -j prog show pinned "$PIN/rich/lr_xdp" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	ids=$(bpftool -j map show | python3 -c 'import json,sys; print(",".join(str(m["id"]) for m in json.load(sys.stdin) if m.get("name") == "lr_pc"))')
	expect_eq "xdp map ids" "$(q "SELECT map_ids FROM load_events WHERE kind = 'prog' AND obj_id = $id")" "$ids" || return 1
	expect_eq "its map" "$(q "SELECT type_name || ' ' || name || ' ' || max_entries || ' ' || comm FROM load_events_named
		WHERE kind = 'map' AND obj_id = $ids")" "percpu_array lr_pc 4 bpftool"
}

# The recorder's own bpf() calls are not recorded (its own map), another process's are.
test_self_not_recorded() {
	need_setup || return
	expect_eq "own events" "$(q "SELECT count(*) FROM load_events WHERE pid = $REC_PID")" 0 || return 1
	expect_eq "control map" "$(q "SELECT count(*) FROM load_events WHERE kind = 'map' AND name = 'lc$$'")" 1 || return 1
	expect_eq "lost" "$(stat_of lost)" 0 || return 1
	expect_eq "written" "$(stat_of written)" "$(q "SELECT count(*) FROM load_events")"
}

# query reads the events (docs/schema.md); a snapshot deleted leaves them and their code.
test_query_and_gc() {
	need_setup || return
	local n
	n=$("$BPFSCOPE" --db "$DB" query "SELECT count(*) FROM load_events_named WHERE pid = $LPID
		AND type_name = 'socket_filter' AND name LIKE '${PFX}\_%' ESCAPE '\'" csv | tail -n 1)
	expect_eq "query" "$n" $N || return 1
	"$BPFSCOPE" --db "$DB" snapshot take label one >/dev/null || return 1
	"$BPFSCOPE" --db "$DB" snapshot delete one >/dev/null || return 1
	expect_eq "code kept" "$(q "SELECT count(*) FROM load_events e JOIN blobs b ON b.hash = e.xlated
		WHERE e.pid = $LPID")" "$(q "SELECT count(*) FROM load_events WHERE pid = $LPID AND xlated IS NOT NULL")"
}

# A schema-2 file (tests/data/schema2.db) upgraded by a writer gets the table (3 -> 4).
test_schema_upgrade() {
	need_root || return 77
	local db=$TEST_TMP/s2.db
	cp "$TOP/tests/data/schema2.db" "$db" || return 1
	"$BPFSCOPE" --db "$db" snapshot take label after >/dev/null || return 1
	expect_eq "version" "$(sqlite3 "$db" "PRAGMA user_version")" 10 || return 1
	expect_eq "table" "$(sqlite3 "$db" "SELECT count(*) FROM load_events_named")" 0
}

setup
run_test loads/short_lived test_short_lived
run_test loads/code_matches_kernel test_code_matches_kernel
run_test loads/links test_links
run_test loads/maps test_maps
run_test loads/self_not_recorded test_self_not_recorded
run_test loads/query_and_gc test_query_and_gc
run_test loads/schema_upgrade test_schema_upgrade
[ -f "$TEST_TMP/measured" ] && cat "$TEST_TMP/measured"
[ -f "$TEST_TMP/rec.out" ] && echo "# recorder: $(tr '\n' ' ' < "$TEST_TMP/rec.out")"
true
