#!/usr/bin/env bash
# The snapshot database: counting getpid end to end, kill-safety, refusing bad files,
# hostile names, read-only query (issue 3, acceptance 4 and 6).
source "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-test-snap
DB=$TEST_TMP/h.db

test_getpid_count() {
	need_root || return 77
	ensure_bpffs
	mkdir -p "$PIN"; cleanup_add "rm -rf $PIN"
	"$SAMPLES/getpid_count" 30 > "$TEST_TMP/loader.out" 2>&1 &
	local loader=$! n=5000 map
	cleanup_add "kill $loader"
	sleep 1
	"$SAMPLES/getpid_loop" $n
	"$BPFSCOPE" --db "$DB" snapshot take label getpid maps-data >/dev/null || return 1
	map=$("$BPFSCOPE" --db "$DB" -s getpid query "SELECT m.id FROM maps m JOIN prog_maps pm ON pm.map_id = m.id AND pm.snapshot_id = m.snapshot_id JOIN progs p ON p.id = pm.prog_id AND p.snapshot_id = m.snapshot_id WHERE m.snapshot_id = (SELECT max(id) FROM snapshots) AND p.name = 'count_getpid' AND m.name = 'count'" csv | tail -n 1)
	[ -n "$map" ] || { echo "no count map in the snapshot"; return 1; }
	local v
	v=$("$BPFSCOPE" --db "$DB" -s getpid -j map dump id "$map" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["formatted"]["value"])') || return 1
	[ "$v" -ge "$n" ] || { echo "stored count $v < $n"; return 1; }
	# and the loader counted the same calls
	kill $loader 2>/dev/null; wait $loader 2>/dev/null
	grep -q "getpid call count" "$TEST_TMP/loader.out" || { echo "loader printed no count"; return 1; }
}

test_kill_mid_snapshot() {
	need_root || return 77
	"$BPFSCOPE" --db "$DB" snapshot take label before >/dev/null || return 1
	local before after i pid
	local q="SELECT count(*) || ':' || (SELECT count(*) FROM progs WHERE snapshot_id IN (SELECT id FROM snapshots WHERE label IS NOT 'killed')) FROM snapshots WHERE label IS NOT 'killed'"
	before=$("$BPFSCOPE" --db "$DB" query "$q" csv | tail -n 1)
	# kill probes at several points of their work; the database must stay as it was
	for i in 1 2 3 4 5 6; do
		"$BPFSCOPE" --db "$DB" snapshot take label killed maps-data >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$i"
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	done
	after=$("$BPFSCOPE" --db "$DB" query "$q" csv | tail -n 1) || return 1
	expect_eq "snapshots and progs outside killed probes" "$after" "$before" || return 1
	"$BPFSCOPE" --db "$DB" query "PRAGMA integrity_check" csv | grep -q '^ok$' || { echo "integrity check failed"; return 1; }
	# a killed probe leaves either nothing or a whole snapshot
	"$BPFSCOPE" --db "$DB" query "SELECT id FROM snapshots WHERE label = 'killed' AND nr_progs IS NULL" csv | grep -q '^[0-9]' &&
		{ echo "a half-written snapshot is visible"; return 1; }
	"$BPFSCOPE" --db "$DB" -s before prog show >/dev/null
}

test_bad_database_files() {
	local f out rc
	printf 'this is not a database\n' > "$TEST_TMP/text.db"
	head -c 200000 /dev/urandom > "$TEST_TMP/random.db"
	sqlite3 "$TEST_TMP/foreign.db" "CREATE TABLE t(x); INSERT INTO t VALUES(1);" || return 1
	if [ -f "$DB" ]; then
		"$BPFSCOPE" --db "$DB" query "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null 2>&1
		cp "$DB" "$TEST_TMP/full.db"
		head -c $(( $(stat -c %s "$DB") / 2 )) "$DB" > "$TEST_TMP/truncated.db"
	fi
	for f in text random foreign truncated; do
		[ -f "$TEST_TMP/$f.db" ] || continue
		out=$("$BPFSCOPE" --db "$TEST_TMP/$f.db" -s latest prog show 2>&1); rc=$?
		[ $rc = 1 ] || { echo "$f.db: exit code $rc, want 1"; return 1; }
		[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "$f.db: more than one line: $out"; return 1; }
		echo "$out" | grep -q "^Error: .*$f.db" || { echo "$f.db: error does not name the file: $out"; return 1; }
	done
	# a newer schema is refused, not half-read
	cp "$TEST_TMP/full.db" "$TEST_TMP/newer.db" 2>/dev/null || "$BPFSCOPE" --db "$TEST_TMP/newer.db" query "SELECT 1" >/dev/null 2>&1
	sqlite3 "$TEST_TMP/newer.db" "PRAGMA user_version = 99" 2>/dev/null || return 1
	out=$("$BPFSCOPE" --db "$TEST_TMP/newer.db" snapshot list 2>&1) && { echo "newer schema accepted"; return 1; }
	echo "$out" | grep -q "newer than this bpfscope" || { echo "unclear: $out"; return 1; }
}

test_hostile_names_and_query() {
	need_root || return 77
	ensure_bpffs
	mkdir -p "$PIN"; cleanup_add "rm -rf $PIN"
	# the kernel checks object names, but not pin paths or labels: a pin path with quotes,
	# a newline, a control byte and markup, and a label with the same
	python3 - "$PIN" <<'PY' || return 1
import ctypes, sys
libbpf = ctypes.CDLL("libbpf.so.1")
libbpf.bpf_map_create.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p]
fd = libbpf.bpf_map_create(2, b"evil", 4, 4, 1, None)
if fd < 0: sys.exit("map_create failed")
libbpf.bpf_obj_pin.argtypes = [ctypes.c_int, ctypes.c_char_p]
if libbpf.bpf_obj_pin(fd, sys.argv[1].encode() + b'/e"v\n\x01<i>l\\\xff'): sys.exit("pin failed")
PY
	local label=$'lab"el\x01<b>'
	"$BPFSCOPE" --db "$DB" snapshot take label "$label" >/dev/null || return 1
	"$BPFSCOPE" --db "$DB" -s "$label" -f -j map show | python3 -c '
import json, sys
maps = json.load(sys.stdin)
assert any(p.startswith(sys.argv[1] + "/e\"v\n\x01<i>l\\") for m in maps for p in m.get("pinned", [])), "hostile pin path lost"' "$PIN" || return 1
	"$BPFSCOPE" --db "$DB" -s "$label" -f map show | grep -q $'\x01' && { echo "raw control byte in plain map show"; return 1; }
	"$BPFSCOPE" --db "$DB" -j snapshot list | python3 -c 'import json,sys; json.load(sys.stdin)' || return 1
	"$BPFSCOPE" --db "$DB" query "SELECT label FROM snapshots" json | python3 -c 'import json,sys; json.load(sys.stdin)' || return 1
	# plain output never carries raw control bytes to the terminal
	"$BPFSCOPE" --db "$DB" snapshot list | grep -q $'\x01' && { echo "raw control byte in plain output"; return 1; }
	# query is read-only
	"$BPFSCOPE" --db "$DB" query "DELETE FROM snapshots" >/dev/null 2>&1 && { echo "query wrote"; return 1; }
	"$BPFSCOPE" --db "$DB" query "SELECT count(*) AS n FROM latest_progs" csv | grep -q '^n$' || return 1
	"$BPFSCOPE" --db "$DB" query "SELECT * FROM prog_history LIMIT 3" json >/dev/null
}

test_snapshot_refs_and_delete() {
	need_root || return 77
	local n1 n2
	"$BPFSCOPE" --db "$DB" snapshot take label one >/dev/null || return 1
	"$BPFSCOPE" --db "$DB" snapshot take label two >/dev/null || return 1
	n1=$("$BPFSCOPE" --db "$DB" -j snapshot show latest~1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["label"])')
	expect_eq "latest~1" "$n1" one || return 1
	"$BPFSCOPE" --db "$DB" snapshot delete one >/dev/null || return 1
	"$BPFSCOPE" --db "$DB" snapshot show one 2>&1 | grep -q "no snapshot 'one'" || { echo "deleted snapshot still there"; return 1; }
	n2=$("$BPFSCOPE" --db "$DB" query "SELECT count(*) FROM progs WHERE snapshot_id NOT IN (SELECT id FROM snapshots)" csv | tail -n 1)
	expect_eq "orphan rows" "$n2" 0 || return 1
	# blobs only the deleted snapshots held go with them: delete all but the last, and every
	# blob left must be referenced
	local id
	for id in $("$BPFSCOPE" --db "$DB" query "SELECT id FROM snapshots WHERE id < (SELECT max(id) FROM snapshots)" csv | tail -n +2); do
		"$BPFSCOPE" --db "$DB" snapshot delete "$id" >/dev/null || return 1
	done
	n2=$("$BPFSCOPE" --db "$DB" query "SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM progs p WHERE b.hash IN (p.xlated, p.jited_insns, p.func_info, p.line_info, p.jited_line_info, p.jited_ksyms, p.jited_func_lens, p.prog_tags)) AND NOT EXISTS (SELECT 1 FROM maps m WHERE m.contents = b.hash) AND NOT EXISTS (SELECT 1 FROM btf t WHERE t.data = b.hash) AND NOT EXISTS (SELECT 1 FROM links l WHERE l.info_raw = b.hash) AND NOT EXISTS (SELECT 1 FROM boots o WHERE o.kallsyms = b.hash) AND NOT EXISTS (SELECT 1 FROM objects j WHERE j.elf = b.hash) AND NOT EXISTS (SELECT 1 FROM view_rows v WHERE v.list = b.hash) AND NOT EXISTS (SELECT 1 FROM sockets k WHERE k.filter = b.hash) AND NOT EXISTS (SELECT 1 FROM map_chunks c WHERE c.chunk = b.hash)" csv | tail -n 1)
	expect_eq "unreferenced blobs after delete" "$n2" 0
}

test_env_messages() {
	# without privileges: one clear line, no crash
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$BPFSCOPE" prog show 2>&1) && { echo "unprivileged live show succeeded?"; return 1; }
	echo "$out" | grep -q "needs CAP_BPF and CAP_SYS_ADMIN" || { echo "unclear: $out"; return 1; }
}

test_stats_interval() {
	need_root || return 77
	ensure_bpffs
	mkdir -p "$PIN"; cleanup_add "rm -rf $PIN"
	"$BPFSCOPE" prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/stats" autoattach >/dev/null || return 1
	[ "$(sysctl -n kernel.bpf_stats_enabled)" = 0 ] || { echo "stats are on globally; the test needs them off"; return 77; }
	# the loop runs only inside the interval: its calls are what the deltas must show
	( sleep 0.3; "$SAMPLES/getpid_loop" 20000 ) &
	local bg=$! cnt
	cleanup_add "kill $bg"
	"$BPFSCOPE" --db "$DB" snapshot take label stats stats 1.5 >/dev/null || return 1
	wait $bg
	cnt=$("$BPFSCOPE" --db "$DB" -s stats -j prog show pinned "$PIN/stats/count_getpid" |
		python3 -c 'import json, sys; print(json.load(sys.stdin).get("run_cnt", 0))')
	[ -n "$cnt" ] && [ "$cnt" -ge 20000 ] || { echo "run_cnt over the interval: '$cnt', want >= 20000"; return 1; }
	"$BPFSCOPE" --db "$DB" query "SELECT stats_interval_ns FROM snapshots WHERE label = 'stats'" csv | grep -q '^1500000000$' ||
		{ echo "stats interval not recorded"; return 1; }
	[ "$(sysctl -n kernel.bpf_stats_enabled)" = 0 ] || { echo "stats left on"; return 1; }
}

run_test snapshot/getpid_count test_getpid_count
run_test snapshot/stats_interval test_stats_interval
run_test snapshot/kill_mid_snapshot test_kill_mid_snapshot
run_test snapshot/bad_database_files test_bad_database_files
run_test snapshot/hostile_names_and_query test_hostile_names_and_query
run_test snapshot/refs_and_delete test_snapshot_refs_and_delete
run_test snapshot/env_messages test_env_messages
