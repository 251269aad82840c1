#!/usr/bin/env bash
# The repeat snapshot's fast path (capture/prog_fast.c, docs/probe.md): a program whose
# iterator record matches its open span is not opened. The syscall walk (BPFSCOPE_NO_ITER=1)
# is its oracle: both store the same rows, also while programs come and go, and what can
# change in a loaded program (run-time counters, bound maps) or a program replaced by
# another of the same name and code is noticed on the fast path.
. "$(dirname "$0")/faults_lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-fast-$$
DB=$TEST_TMP/fast.db
ORACLE=$TEST_TMP/oracle.db
N=${FAST_PROGS:-40}
IP=$TOP/build/helpers/iter_progs
OFFSETS=/run/bpfscope/percpu-offsets
qf() { "$BPFSCOPE" --db "$1" query "$2" csv | tail -n +2; }
# the latest snapshot's row of each program id listed (loaded_at aside: the wall clock of a
# load, computed at each span's start with that moment's clock offset)
COLS="id, type, name, tag, gpl_compatible, full_name, load_time, uid, bytes_xlated, jited,
 bytes_jited, bytes_memlock, btf_id, ifindex, netns_dev, netns_ino, verified_insns,
 attach_btf_obj_id, attach_btf_id, nr_func_info, nr_line_info, nr_jited_ksyms,
 nr_jited_func_lens, nr_prog_tags, hex(xlated), hex(jited_insns), hex(jited_ksyms),
 (SELECT group_concat(map_id) FROM prog_maps m WHERE m.snapshot_id = p.snapshot_id
  AND m.prog_id = p.id) AS maps"
rows() {	# DB IDS [counters]
	qf "$1" "SELECT $COLS${3:+, run_cnt, run_time_ns, recursion_misses} FROM progs p
		WHERE snapshot_id = (SELECT max(id) FROM snapshots) AND id IN ($2) ORDER BY id"
}
our_ids() { qf "$1" "SELECT group_concat(obj_id) AS v FROM (SELECT obj_id FROM pins WHERE
	snapshot_id = (SELECT max(id) FROM snapshots) AND path LIKE '$PIN/%' ORDER BY obj_id)"; }
# a repeat snapshot on the fast path: how many programs it did not open ("fast path: N of")
fast_snap() {
	BPFSCOPE_TRACE=1 "$BPFSCOPE" --db "$DB" snapshot take 2>"$TEST_TMP/trace" >/dev/null ||
		{ cat "$TEST_TMP/trace" >&2; return 1; }
	sed -n 's/^fast path: \([0-9]*\) of .*/\1/p' "$TEST_TMP/trace"
}
oracle_snap() { BPFSCOPE_NO_ITER=1 "$BPFSCOPE" --db "$ORACLE" snapshot take >/dev/null; }
STATS0=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
stats() { sysctl -q -w kernel.bpf_stats_enabled="$1"; }

setup() {
	faults_setup
	[ -x "$IP" ] || die "no $IP (make all)"
	"$FL" progs "$PIN/base" "$N" || die "load $N programs"
	cleanup_add "sysctl -q -w kernel.bpf_stats_enabled='$STATS0'"
	head -c 64 /dev/zero > "$TEST_TMP/pkt"
}

# run the program pinned at $1 $2 times, with run-time stats on for just that long
run_prog() {
	stats 1
	bpftool prog run pinned "$1" data_in "$TEST_TMP/pkt" repeat "$2" >/dev/null 2>&1
	local rc=$?
	stats "$STATS0"
	return $rc
}

# the iterator's counters (summed over every cpu in BPF) are get-info's
test_counters() {
	local id it info
	id=$(bpftool -j prog show pinned "$PIN/base/p0" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	[ -n "$id" ] || return 1
	run_prog "$PIN/base/p0" 1000 || return 1
	# (and on the last cpu: a sum over cpus, not one cpu's count)
	stats 1
	taskset -c "$(( $(nproc) - 1 ))" bpftool prog run pinned "$PIN/base/p0" \
		data_in "$TEST_TMP/pkt" repeat 77 >/dev/null 2>&1
	stats "$STATS0"
	it=$("$IP" "$id" | awk '{print $3, $4, $5}')
	info=$(bpftool -j prog show id "$id" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("run_cnt", 0), d.get("run_time_ns", 0), d.get("recursion_misses", 0))')
	expect_eq "run_cnt run_time_ns recursion_misses (iterator vs get-info)" "$it" "$info" || return 1
	[ "${it%% *}" -ge 1077 ] || { echo "run_cnt ${it%% *} < 1077" >&2; return 1; }
	expect_eq "cpus summed" "$("$IP" "$id" | awk '{print $6}')" "$(getconf _NPROCESSORS_CONF)" ||
		return 1
	# both ways to each cpu's counters: through the iterator's per-cpu array, whose run
	# keeps the boot's per-cpu offsets (/run/bpfscope/percpu-offsets), and with those
	# offsets (then no array is made, and nothing of ours waits for a grace period)
	rm -f "$OFFSETS"
	it=$("$IP" "$id" | awk '{print $3, $4, $5, $6}')
	[ -s "$OFFSETS" ] || { echo "no per-cpu offsets kept after the array's run" >&2; return 1; }
	expect_eq "counters, kept offsets against the array's" "$("$IP" "$id" | awk '{print $3, $4, $5, $6}')" "$it" ||
		return 1
	# kept offsets that are wrong read other memory: the counters then differ (what the
	# file says is believed, as root's own file of this boot)
	sed -i '3s/^[0-9a-f]* /0 /' "$OFFSETS"
	[ "$("$IP" "$id" | awk '{print $3, $4, $5, $6}')" != "$it" ] ||
		{ echo "the kept offsets are not what the sums use" >&2; return 1; }
	rm -f "$OFFSETS"
}

# both paths, same rows: a first snapshot each, then counters and bound maps change, then a
# repeat snapshot each (the fast one leaving most programs unopened)
test_same_rows() {
	local ids n
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null && oracle_snap || return 1
	run_prog "$PIN/base/p1" 500 || return 1
	"$FL" bindmap "$PIN/base/p2" || return 1
	n=$(fast_snap) && oracle_snap || return 1
	[ "${n:-0}" -ge $((N - 2)) ] || { echo "fast path left $n programs unopened, want $((N - 2))+" >&2; return 1; }
	ids=$(our_ids "$DB")
	expect_eq "our programs (pins) in both" "$ids" "$(our_ids "$ORACLE")" || return 1
	expect_eq "rows of our $N programs (fast path vs syscall walk)" "$(rows "$DB" "$ids" c)" \
		"$(rows "$ORACLE" "$ids" c)" || return 1
	expect_eq "p1's counters stored" "$(qf "$DB" "SELECT run_cnt >= 500 FROM progs p JOIN pins USING (snapshot_id) WHERE pins.path = '$PIN/base/p1' AND p.id = pins.obj_id AND snapshot_id = (SELECT max(id) FROM snapshots)")" 1 || return 1
	# (the iterator's own per-cpu array, released late, is no map of the system's)
	expect_eq "bpfscope's own maps stored" "$(qf "$DB" "SELECT count(*) FROM maps WHERE name = 'bpfscope_pcpu'")" 0 || return 1
	expect_eq "p2's maps (one bound since)" "$(qf "$DB" "SELECT count(*) FROM prog_maps m JOIN pins USING (snapshot_id) WHERE pins.path = '$PIN/base/p2' AND m.prog_id = pins.obj_id AND snapshot_id = (SELECT max(id) FROM snapshots)")" 2
}

churn_ids() { qf "$1" "SELECT id FROM progs WHERE snapshot_id = (SELECT max(id) FROM snapshots)
	AND name IN ('faults_base', 'faults_churn')" | sort; }
# under churn: snapshots of each path in turns; every program both latest snapshots hold is
# stored alike, and the fast one stays consistent (counts, maps counted vanished)
test_churn() {
	local stop=$TEST_TMP/churning churner i ids bad
	touch "$stop"
	"$FL" churn "$stop" 10 > "$TEST_TMP/rounds" 2>"$TEST_TMP/churn.err" &
	churner=$!
	cleanup_add "rm -f '$stop'"
	for ((i = 0; i < 4; i++)); do
		fast_snap >/dev/null && oracle_snap || { rm -f "$stop"; return 1; }
	done
	rm -f "$stop"
	wait "$churner" || { cat "$TEST_TMP/churn.err" >&2; return 1; }
	[ "$(cat "$TEST_TMP/rounds")" -gt 0 ] || { echo "the churn loop made nothing" >&2; return 1; }
	ids=$(comm -12 <(churn_ids "$DB") <(churn_ids "$ORACLE") | paste -sd, -)
	[ -n "$ids" ] || { echo "no program in both" >&2; return 1; }
	expect_eq "rows of the programs in both" "$(rows "$DB" "$ids")" "$(rows "$ORACLE" "$ids")" ||
		return 1
	expect_eq "ours in the fast one" "$(our_ids "$DB" | tr , '\n' | wc -l)" "$N" || return 1
	bad=$(qf "$DB" "SELECT group_concat(id) FROM snapshots s WHERE s.nr_progs != (SELECT count(*) FROM progs p WHERE p.snapshot_id = s.id)")
	expect_eq "snapshots whose rows disagree with their counts" "$bad" "" || return 1
	bad=$(qf "$DB" "SELECT group_concat(s.id) FROM snapshots s JOIN (SELECT pm.snapshot_id AS id, count(DISTINCT pm.map_id) AS missing FROM prog_maps pm WHERE NOT EXISTS (SELECT 1 FROM maps m WHERE m.snapshot_id = pm.snapshot_id AND m.id = pm.map_id) GROUP BY pm.snapshot_id) x USING (id) WHERE x.missing > s.vanished_maps")
	expect_eq "snapshots with maps missing, not counted vanished" "$bad" ""
}

# a program unloaded and another loaded with its name and code (so its tag) between two
# snapshots: the old span ends, the new program has a span of its own
test_replaced() {
	local old new n
	"$FL" named "$PIN/r" fast_repl || return 1
	old=$(bpftool -j prog show pinned "$PIN/r" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	fast_snap >/dev/null || return 1
	rm -f "$PIN/r"
	"$FL" named "$PIN/r" fast_repl || return 1
	new=$(bpftool -j prog show pinned "$PIN/r" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	[ "$old" != "$new" ] || { echo "same id $old" >&2; return 1; }
	n=$(fast_snap) || return 1
	[ "${n:-0}" -ge "$N" ] || { echo "fast path not taken ($n unopened)" >&2; return 1; }
	expect_eq "fast_repl programs in the latest snapshot" "$(qf "$DB" "SELECT group_concat(id) AS v
		FROM progs WHERE snapshot_id = (SELECT max(id) FROM snapshots) AND name = 'fast_repl'")" "$new" || return 1
	expect_eq "the old one's span ended" "$(qf "$DB" "SELECT last_snap < (SELECT max(id) FROM
		snapshots) AS v FROM prog_rows WHERE id = $old AND name = 'fast_repl'")" 1 || return 1
	expect_eq "the same tag" "$(qf "$DB" "SELECT count(DISTINCT tag) FROM prog_rows WHERE name = 'fast_repl'")" 1 || return 1
	expect_eq "bpfscope's own maps stored, in any snapshot" "$(qf "$DB" "SELECT count(*) FROM maps WHERE name = 'bpfscope_pcpu'")" 0
}

# The program ids are listed beside bpfscope's own iterators (capture/prog_list.c): their
# programs are taken out of the list by id, so none is ever stored or counted vanished, on
# the fast path, and each snapshot took the list.
test_own_iterators_unseen() {
	local i ours=0 n
	for ((i = 0; i < 12; i++)); do
		BPFSCOPE_TRACE=1 "$BPFSCOPE" --db "$TEST_TMP/own.db" snapshot take 2>"$TEST_TMP/trace" \
			>/dev/null || { cat "$TEST_TMP/trace" >&2; return 1; }
		n=$(sed -n 's/^program ids listed: [0-9]* (and \([0-9]*\) of ours)$/\1/p' "$TEST_TMP/trace")
		[ -n "$n" ] || { echo "no list of program ids taken: $(head -n 3 "$TEST_TMP/trace")"; return 1; }
		ours=$((ours + n))
	done
	expect_eq "programs of ours stored" "$(qf "$TEST_TMP/own.db" "SELECT count(*) FROM progs
		WHERE name IN ('bpfscope_progs', 'bpfscope_pids', 'bpfscope_maps')")" 0 || return 1
	expect_eq "programs counted vanished" "$(qf "$TEST_TMP/own.db" "SELECT sum(vanished_progs)
		FROM snapshots")" 0 || return 1
	# (whether a list held one of ours depends on the threads' timing: the filter itself is
	# tests/unit/test_prog_list.c's)
	echo "own_iterators_unseen: programs of ours taken out of 12 lists: $ours" >> "${FIGURES:-/dev/null}"
}

# A live view of every program (`prog show`) writes the rows the program iterator tells all
# of without opening them (capture/prog_fast.c): the same rows as the walk's (the oracle,
# BPFSCOPE_NO_ITER=1), for programs with BTF, subprograms, a cut name, more maps than a
# record holds, counters, another license than GPL, another creator than root; also while programs come and go (the rows of those in both views).
LIVE=$TOP/build/helpers/iter_live
live_ids() { qf "$1" "SELECT id FROM progs ORDER BY id"; }
live_rows() { qf "$1" "SELECT $COLS, run_cnt, run_time_ns, recursion_misses FROM progs p
	WHERE id IN ($2) ORDER BY id"; }
live_pair() {	# TAG: the two views, and the ids both hold
	BPFSCOPE_TRACE=1 "$LIVE" "$TEST_TMP/live-$1.db" 2>"$TEST_TMP/live-$1.trace" &&
		BPFSCOPE_NO_ITER=1 "$LIVE" "$TEST_TMP/walk-$1.db" || return 1
	comm -12 <(live_ids "$TEST_TMP/live-$1.db") <(live_ids "$TEST_TMP/walk-$1.db") | paste -sd, -
}
test_live_rows_equal_walk() {
	local o i ids told all stop=$TEST_TMP/live-churning churner
	for o in getpid_count multi_func xdp_drop_8080 tc_counter; do
		bpftool prog loadall "$SAMPLES/$o.bpf.o" "$PIN/s-$o" >/dev/null 2>&1 ||
			{ echo "can't load sample $o" >&2; return 1; }
	done
	# (the rows come from the iterator from 100 programs on: capture/iter_job.c)
	"$FL" progs "$PIN/more" 100 || return 1
	"$FL" named "$PIN/cut" fast_fifteen_ch || return 1
	"$FL" named "$PIN/mit" fast_mit MIT || return 1
	# (made by another user, with the capabilities to load and pin: its uid is not 0)
	setpriv --reuid 4321 --regid 4321 --clear-groups --inh-caps +bpf,+perfmon,+sys_admin,+dac_override \
		--ambient-caps +bpf,+perfmon,+sys_admin,+dac_override "$FL" named "$PIN/uid" fast_uid ||
		return 1
	"$FL" named "$PIN/many" fast_many_maps || return 1
	for ((i = 0; i < 9; i++)); do "$FL" bindmap "$PIN/many" || return 1; done
	ids=$(live_pair a) || return 1
	told=$(sed -n 's/^live rows: \([0-9]*\) of \([0-9]*\) .*/\1 \2/p' "$TEST_TMP/live-a.trace")
	read -r told all <<< "$told"
	# (multi_func has subprograms, drop_ingress_port_8080 a name cut with BTF behind it,
	# fast_many_maps 10 maps: those three are opened)
	[ -n "$told" ] && [ "$told" -ge $((N + 105)) ] && [ "$told" -le $((all - 3)) ] ||
		{ echo "live rows: '$told' of '$all' from the iterator, want $((N + 105)) to $((all - 3))" >&2; return 1; }
	[ "$(echo "$ids" | tr , '\n' | wc -l)" -ge $((N + 109)) ] || { echo "programs in both: $ids" >&2; return 1; }
	expect_eq "fast_uid's creator" "$(qf "$TEST_TMP/live-a.db" "SELECT uid FROM progs WHERE name = 'fast_uid'")" 4321 || return 1
	expect_eq "live rows (iterator vs syscall walk)" "$(live_rows "$TEST_TMP/live-a.db" "$ids")" \
		"$(live_rows "$TEST_TMP/walk-a.db" "$ids")" || return 1
	touch "$stop"
	"$FL" churn "$stop" 10 > "$TEST_TMP/live-rounds" 2>&1 &
	churner=$!
	cleanup_add "rm -f '$stop'"
	for ((i = 0; i < 3; i++)); do
		ids=$(live_pair "c$i") || { rm -f "$stop"; return 1; }
		expect_eq "live rows under churn (round $i)" "$(live_rows "$TEST_TMP/live-c$i.db" "$ids")" \
			"$(live_rows "$TEST_TMP/walk-c$i.db" "$ids")" || { rm -f "$stop"; return 1; }
	done
	rm -f "$stop"
	wait "$churner"
}

setup
run_test fast/counters test_counters
run_test fast/same_rows test_same_rows
run_test fast/churn test_churn
run_test fast/replaced test_replaced
run_test fast/own_iterators_unseen test_own_iterators_unseen
run_test fast/live_rows_equal_walk test_live_rows_equal_walk
