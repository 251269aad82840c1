#!/usr/bin/env bash
# History as spans (schema 2, docs/schema.md): an unchanged system adds no object rows,
# what goes away stays in the snapshots that saw it, deleting snapshots drops the spans
# none covers, the map iterator path stores what the full walk stores, and a schema-1
# file is upgraded in place.
source "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-test-history
DB=$TEST_TMP/h.db
DATA=$(dirname "$0")/data

q() { "$BPFSCOPE" --db "$DB" query "$1" csv | tail -n 1; }
take() { "$BPFSCOPE" --db "$DB" snapshot take "$@" >/dev/null; }
rows() { q "SELECT (SELECT count(*) FROM prog_rows) || '/' || (SELECT count(*) FROM map_rows) || '/' || (SELECT count(*) FROM pin_rows) || '/' || (SELECT count(*) FROM prog_row_maps)"; }

# two JSON documents are equal; else the first difference
same_json() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
if a == b:
    sys.exit(0)
ia = {o.get("id"): o for o in a} if isinstance(a, list) else {None: a}
ib = {o.get("id"): o for o in b} if isinstance(b, list) else {None: b}
for k in sorted(set(ia) | set(ib), key=str):
    if ia.get(k) != ib.get(k):
        x, y = ia.get(k) or {}, ib.get(k) or {}
        diff = [f for f in sorted(set(x) | set(y)) if x.get(f) != y.get(f)]
        print(f"id {k}: {', '.join(f'{f}: {x.get(f)!r} != {y.get(f)!r}' for f in diff[:4])}")
        break
sys.exit(1)
PY
}

load_multi() {
	mkdir -p "$PIN"; cleanup_add "rm -rf $PIN"
	bpftool prog loadall "$SAMPLES/multi_func.bpf.o" "$PIN/$1" >/dev/null 2>&1 ||
		{ echo "can't load multi_func"; return 1; }
}

test_unchanged_adds_no_rows() {
	need_root || return 77
	ensure_bpffs
	load_multi mf || return 1
	take label first || return 1
	take || return 1
	local before after n
	before=$(rows)
	take label third || return 1
	after=$(rows)
	expect_eq "span rows after an unchanged snapshot" "$after" "$before" || return 1
	# and each snapshot still reads whole
	n=$(q "SELECT count(*) FROM progs WHERE snapshot_id = (SELECT max(id) FROM snapshots)")
	expect_eq "programs in the third snapshot" "$n" "$(q "SELECT nr_progs FROM snapshots WHERE label = 'third'")" || return 1
	"$BPFSCOPE" --db "$DB" -s third -j prog show > "$TEST_TMP/third.json" || return 1
	"$BPFSCOPE" --db "$DB" -s first -j prog show > "$TEST_TMP/first.json" || return 1
	cmp -s "$TEST_TMP/first.json" "$TEST_TMP/third.json" || { echo "first and third snapshots differ"; return 1; }
}

test_gone_stays_in_its_snapshots() {
	need_root || return 77
	ensure_bpffs
	load_multi gone || return 1
	local id a b
	id=$(bpftool -j prog show pinned "$PIN/gone/$(ls "$PIN/gone" | head -n 1)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || return 1
	take label with || return 1
	a=$(q "SELECT id FROM snapshots WHERE label = 'with'")
	rm -rf "$PIN/gone"
	take label without || return 1
	b=$(q "SELECT id FROM snapshots WHERE label = 'without'")
	"$BPFSCOPE" --db "$DB" -s with prog show id "$id" >/dev/null || { echo "program $id missing from its snapshot"; return 1; }
	"$BPFSCOPE" --db "$DB" -s without prog show id "$id" >/dev/null 2>&1 && { echo "program $id in a later snapshot"; return 1; }
	expect_eq "its span ends with the last snapshot that saw it" \
		"$(q "SELECT last_snap FROM prog_rows WHERE id = $id ORDER BY row DESC LIMIT 1")" "$a" || return 1
	expect_eq "pins of it end too" \
		"$(q "SELECT count(*) FROM pins WHERE snapshot_id = $b AND path LIKE '$PIN/gone/%'")" 0 || return 1
	# deleting the only snapshot that saw it drops its span (and its pins' spans)
	"$BPFSCOPE" --db "$DB" snapshot delete with >/dev/null || return 1
	expect_eq "spans left of a deleted snapshot's program" \
		"$(q "SELECT count(*) FROM prog_rows WHERE id = $id")" 0 || return 1
	expect_eq "pin spans left" "$(q "SELECT count(*) FROM pin_rows WHERE path LIKE '$PIN/gone/%'")" 0 || return 1
	expect_eq "rows whose parent is gone" "$(q "SELECT count(*) FROM pragma_foreign_key_check")" 0
}

# The iterator path stores what the full walk stores, sees a map being frozen, and leaves
# no trace of its own program or link in the snapshot.
test_map_iterator_equals_walk() {
	need_root || return 77
	ensure_bpffs
	load_multi it || return 1
	local db=$TEST_TMP/it.db trace id
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || return 1	# stores the boot's layout
	BPFSCOPE_NO_ITER=1 "$BPFSCOPE" --db "$db" snapshot take label walk >/dev/null || return 1
	trace=$(BPFSCOPE_TRACE=1 "$BPFSCOPE" --db "$db" snapshot take label iter 2>&1 >/dev/null) || return 1
	echo "$trace" | grep -q '^iterator: [0-9]* maps' || { echo "the iterator did not run: $trace" | head -n 3; return 1; }
	"$BPFSCOPE" --db "$db" -s walk -j map show > "$TEST_TMP/walk.json" || return 1
	"$BPFSCOPE" --db "$db" -s iter -j map show > "$TEST_TMP/iter.json" || return 1
	same_json "$TEST_TMP/walk.json" "$TEST_TMP/iter.json" || return 1
	"$BPFSCOPE" --db "$db" -s iter -j prog show | grep -q '"bpfscope_maps"' && { echo "the iterator program was recorded"; return 1; }
	"$BPFSCOPE" --db "$db" -s iter -j link show | grep -q '"iter"' && { echo "the iterator link was recorded"; return 1; }
	# a database's first snapshot takes its map ids from the iterator too: the same maps as
	# a first snapshot by the walk, among them one that only a process holds (no pin, no
	# program: only a listing finds it), held while both snapshots are taken
	rm -f "$TEST_TMP/held"
	timeout 60 python3 - "$TEST_TMP/held" <<'EOF' &
import ctypes, os, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
attr = ctypes.create_string_buffer(struct.pack("<IIIIIII", 2, 4, 4, 1, 0, 0, 0) + b"bs_first" + bytes(92))
fd = libc.syscall(321, 0, attr, 128)	# BPF_MAP_CREATE: an array, named bs_first
open(sys.argv[1] + ".new", "w").write("%d\n" % fd)
os.rename(sys.argv[1] + ".new", sys.argv[1])
time.sleep(30 if fd >= 0 else 0)
EOF
	local holder=$! k
	for ((k = 0; k < 100; k++)); do [ -s "$TEST_TMP/held" ] && break; sleep 0.05; done
	[ "$(cat "$TEST_TMP/held" 2>/dev/null)" -ge 0 ] 2>/dev/null || { kill "$holder"; echo "no held map"; return 1; }
	"$BPFSCOPE" --db "$TEST_TMP/first_iter.db" snapshot take >/dev/null &&
		BPFSCOPE_NO_ITER=1 "$BPFSCOPE" --db "$TEST_TMP/first_walk.db" snapshot take >/dev/null ||
		{ kill "$holder"; return 1; }
	kill "$holder"; wait "$holder" 2>/dev/null
	"$BPFSCOPE" --db "$TEST_TMP/first_iter.db" -s latest -j map show > "$TEST_TMP/first_iter.json" &&
		"$BPFSCOPE" --db "$TEST_TMP/first_walk.db" -s latest -j map show > "$TEST_TMP/first_walk.json" ||
		return 1
	same_json "$TEST_TMP/first_walk.json" "$TEST_TMP/first_iter.json" || return 1
	grep -q '"bs_first"' "$TEST_TMP/first_iter.json" || { echo "no map bs_first"; return 1; }
	# (nothing comes or goes here: a map of ours listed and gone by its read would count)
	expect_eq "maps vanished in a first snapshot" "$("$BPFSCOPE" --db "$TEST_TMP/first_iter.db" \
		query "SELECT vanished_maps FROM snapshots" csv | tail -n 1)" 0 || return 1
	# freeze a map the last snapshot saw: the next iterator snapshot must see it
	bpftool map create "$PIN/it_fz" type array key 4 value 4 entries 1 name bs_fz || return 1
	id=$(bpftool -j map show pinned "$PIN/it_fz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || return 1
	"$BPFSCOPE" --db "$db" snapshot take label thawed >/dev/null || return 1
	bpftool map freeze pinned "$PIN/it_fz" || return 1
	"$BPFSCOPE" --db "$db" snapshot take label frozen >/dev/null || return 1
	expect_eq "frozen before" "$("$BPFSCOPE" --db "$db" query "SELECT frozen FROM maps WHERE snapshot_id = (SELECT id FROM snapshots WHERE label = 'thawed') AND id = $id" csv | tail -n 1)" 0 || return 1
	expect_eq "frozen after" "$("$BPFSCOPE" --db "$db" query "SELECT frozen FROM maps WHERE snapshot_id = (SELECT id FROM snapshots WHERE label = 'frozen') AND id = $id" csv | tail -n 1)" 1 || return 1
	expect_eq "bpftool agrees" "$(bpftool -j map show id "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["frozen"])')" 1 || return 1
	# a hash without preallocation grows its memlock with its elements: never skipped
	bpftool map create "$PIN/it_np" type hash key 4 value 8 entries 64 name bs_np flags 1 || return 1
	id=$(bpftool -j map show pinned "$PIN/it_np" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || return 1
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || return 1
	for k in 1 2 3 4 5 6 7 8; do
		bpftool map update pinned "$PIN/it_np" key $k 0 0 0 value 1 0 0 0 0 0 0 0 || return 1
	done
	"$BPFSCOPE" --db "$db" snapshot take label grown >/dev/null || return 1
	expect_eq "memlock of a growing hash" \
		"$("$BPFSCOPE" --db "$db" -s grown -j map show id "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_memlock"])')" \
		"$(bpftool -j map show id "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_memlock"])')"
}

# A database written by the first schema (per-snapshot rows) is upgraded when opened for
# writing; its snapshots read as they did (expected output saved by that version).
test_schema1_upgraded() {
	local db=$TEST_TMP/v1.db out
	cp "$DATA/schema1.db" "$db" || return 1
	out=$("$BPFSCOPE" --db "$db" -s 1 prog show 2>&1) && { echo "a read-only open upgraded or read it: $out"; return 1; }
	echo "$out" | grep -q "schema version 1" || { echo "unclear: $out"; return 1; }
	"$BPFSCOPE" --db "$db" snapshot list >/dev/null 2>&1	# read-only: still version 1
	"$BPFSCOPE" --db "$db" query "SELECT 1" >/dev/null 2>&1
	sqlite3 "$db" "PRAGMA user_version" | grep -qx 1 || { echo "upgraded by a reader"; return 1; }
	need_root || return 77
	"$BPFSCOPE" --db "$db" snapshot take label after >/dev/null || return 1	# a writer upgrades
	# (to the current version: 5 since BTF, links, attachments and owners are spans,
	# through 1 -> 2 -> 3 -> 4 -> 5)
	sqlite3 "$db" "PRAGMA user_version" | grep -qx 10 || { echo "not upgraded"; return 1; }
	for ref in 1 2; do
		"$BPFSCOPE" --db "$db" -s $ref -j prog show > "$TEST_TMP/p$ref.json" || return 1
		same_json "$DATA/schema1-prog$ref.json" "$TEST_TMP/p$ref.json" || { echo "(programs of snapshot $ref)"; return 1; }
		"$BPFSCOPE" --db "$db" -s $ref -j map show > "$TEST_TMP/m$ref.json" || return 1
		same_json "$DATA/schema1-map$ref.json" "$TEST_TMP/m$ref.json" || { echo "(maps of snapshot $ref)"; return 1; }
	done
	"$BPFSCOPE" --db "$db" query "PRAGMA integrity_check" csv | grep -q '^ok$' || { echo "integrity check failed"; return 1; }
}

# Rounds of random change (programs and maps come and go, maps freeze, a hash without
# preallocation grows), a snapshot after each: every stored snapshot reads as the live
# kernel did right after it, through spans opened, kept and ended in every order.
test_churn() {
	need_root || return 77
	ensure_bpffs
	local db=$TEST_TMP/churn.db r i k n=0 kinds=(prog show) d
	mkdir -p "$PIN/churn"; cleanup_add "rm -rf $PIN/churn"
	bpftool map create "$PIN/churn/np" type hash key 4 value 8 entries 256 name bs_np flags 1 || return 1
	RANDOM=7
	for ((r = 0; r < 8; r++)); do
		for ((i = 0; i < 3; i++)); do
			case $((RANDOM % 6)) in
			0|1)	n=$((n + 1))
				bpftool prog loadall "$SAMPLES/multi_func.bpf.o" "$PIN/churn/p$n" >/dev/null 2>&1 ||
					{ echo "load $n failed"; return 1; } ;;
			2)	d=$(ls -d "$PIN"/churn/p* 2>/dev/null | head -n 1)
				[ -n "$d" ] && rm -rf "$d" ;;
			3)	n=$((n + 1))
				bpftool map create "$PIN/churn/m$n" type array key 4 value 4 entries 4 name bs_m$n || return 1
				[ $((RANDOM % 2)) = 0 ] && { bpftool map freeze pinned "$PIN/churn/m$n" || return 1; } ;;
			4)	k=$((RANDOM % 200))
				bpftool map update pinned "$PIN/churn/np" key $k 0 0 0 value 1 0 0 0 0 0 0 0 || return 1 ;;
			5)	# freeze a map an earlier round saw thawed (one frozen already says EBUSY)
				for d in "$PIN"/churn/m*; do
					[ -e "$d" ] && bpftool map freeze pinned "$d" 2>/dev/null && break
				done ;;
			esac
		done
		if [ $r = 4 ]; then	# at least once: freeze maps earlier snapshots saw thawed
			for d in "$PIN"/churn/m* "$PIN/churn/late"; do
				[ -e "$d" ] && bpftool map freeze pinned "$d" 2>/dev/null
			done
		fi
		[ $r = 3 ] && { bpftool map create "$PIN/churn/late" type array key 4 value 4 entries 1 name bs_late || return 1; }
		# an unloaded program's maps go after an RCU grace period: let them, so that
		# the live reading below sees what the snapshot saw
		sleep 0.3
		"$BPFSCOPE" --db "$db" snapshot take label "round$r" >/dev/null || return 1
		for k in prog map; do
			"$BPFSCOPE" -j $k show > "$TEST_TMP/live.json" || return 1
			"$BPFSCOPE" --db "$db" -s "round$r" -j $k show > "$TEST_TMP/stored.json" || return 1
			same_json "$TEST_TMP/live.json" "$TEST_TMP/stored.json" || { echo "(round $r, ${k}s)"; return 1; }
		done
	done
	# and the older rounds still read as they did: round 0 again against its first reading
	"$BPFSCOPE" --db "$db" -s round7 -j prog show > "$TEST_TMP/r7.json" || return 1
	"$BPFSCOPE" -j prog show > "$TEST_TMP/live.json" || return 1
	same_json "$TEST_TMP/live.json" "$TEST_TMP/r7.json" || return 1
	expect_eq "rounds stored" "$("$BPFSCOPE" --db "$db" query "SELECT count(*) FROM snapshots WHERE label LIKE 'round%'" csv | tail -n 1)" 8
}

# vmlinux BTF is the same for every boot of one kernel: a first snapshot of a boot that
# finds it stored (another boot, simulated here) references it instead of compressing it
test_vmlinux_once_per_kernel() {
	need_root || return 77
	local db=$TEST_TMP/vm.db before after trace kbtf
	"$BPFSCOPE" --db "$db" snapshot take >/dev/null || return 1
	# (the kernel's BTF only: a first snapshot's feature probe made BTF objects of its own,
	# which the kernel may free seconds later, after the next snapshot listed them)
	kbtf="SELECT count(*) || '/' || sum(length(zdata)) FROM blobs WHERE kind = 'btf' AND hash IN
		(SELECT data FROM btf_rows WHERE kernel)"
	before=$(sqlite3 "$db" "$kbtf")
	sqlite3 "$db" "UPDATE snapshots SET boot_id = 'another boot'; DELETE FROM boots;" || return 1
	trace=$(BPFSCOPE_TRACE=1 "$BPFSCOPE" --db "$db" snapshot take 2>&1 >/dev/null) || return 1
	echo "$trace" | grep -q '^vmlinux BTF stored before' || { echo "vmlinux BTF read again"; return 1; }
	after=$(sqlite3 "$db" "$kbtf")
	expect_eq "btf blobs" "$after" "$before" || return 1
	expect_eq "both snapshots' vmlinux" "$(sqlite3 "$db" "SELECT count(DISTINCT data) || '/' || count(*) FROM btf WHERE name = 'vmlinux'")" "1/2" || return 1
	"$BPFSCOPE" --db "$db" -s latest btf dump id 1 format c | grep -q '^struct task_struct {' ||
		{ echo "the later snapshot's vmlinux BTF does not read"; return 1; }
}

run_test history/unchanged_adds_no_rows test_unchanged_adds_no_rows
run_test history/vmlinux_once_per_kernel test_vmlinux_once_per_kernel
run_test history/churn test_churn
run_test history/gone_stays_in_its_snapshots test_gone_stays_in_its_snapshots
run_test history/map_iterator_equals_walk test_map_iterator_equals_walk
run_test history/schema1_upgraded test_schema1_upgraded
