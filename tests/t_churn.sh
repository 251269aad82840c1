#!/usr/bin/env bash
# Churn: while a background loop makes and frees programs and maps as fast as it can,
# consecutive snapshots of a system of many programs: no crash, no error exit, and each
# snapshot internally consistent (its rows agree with its counts, our programs all there,
# every map id a program refers to in the snapshot or counted as vanished).
# Sizes: CHURN_PROGS (200 programs, each with a map) and CHURN_SNAPS (10 snapshots);
# tests/stress.sh runs 5,000 and 50.
. "$(dirname "$0")/faults_lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-churn-$$
DB=$TEST_TMP/churn.db
PROGS=${CHURN_PROGS:-200}
SNAPS=${CHURN_SNAPS:-10}
q() { bs query "$1" csv | tail -n 1; }

setup() {
	faults_setup
	"$FL" progs "$PIN/base" "$PROGS" || die "load $PROGS programs"
}

test_snapshots_under_churn() {
	local stop=$TEST_TMP/churning i rc churner rounds bad t0 t1
	touch "$stop"
	"$FL" churn "$stop" 20 > "$TEST_TMP/rounds" 2>"$TEST_TMP/churn.err" &
	churner=$!
	cleanup_add "rm -f '$stop'"
	t0=$(date +%s%N)
	for ((i = 1; i <= SNAPS; i++)); do
		bs snapshot take label "c$i" >/dev/null 2>"$TEST_TMP/err"
		rc=$?
		[ "$rc" = 0 ] || { rm -f "$stop"; echo "snapshot $i exited $rc: $(cat "$TEST_TMP/err")" >&2; return 1; }
	done
	t1=$(date +%s%N)
	rm -f "$stop"
	wait "$churner" || { echo "churn loop: $(cat "$TEST_TMP/churn.err")" >&2; return 1; }
	rounds=$(cat "$TEST_TMP/rounds")
	[ "$rounds" -gt 0 ] || { echo "the churn loop made nothing" >&2; return 1; }
	expect_eq "snapshots" "$(q "SELECT count(*) FROM snapshots")" "$SNAPS" || return 1
	expect_eq "integrity" "$(q "PRAGMA integrity_check")" ok || return 1
	bad=$(q "SELECT group_concat(id) FROM snapshots s WHERE s.nr_progs != (SELECT count(*) FROM progs p WHERE p.snapshot_id = s.id) OR s.nr_maps != (SELECT count(*) FROM maps m WHERE m.snapshot_id = s.id)")
	expect_eq "snapshots whose rows disagree with their counts" "$bad" "" || return 1
	bad=$(q "SELECT group_concat(id) FROM snapshots s WHERE (SELECT count(*) FROM progs p WHERE p.snapshot_id = s.id AND p.name = 'faults_base') != $PROGS")
	expect_eq "snapshots missing some of our $PROGS programs" "$bad" "" || return 1
	# a map a program uses, missing from the snapshot: only as one counted vanished
	bad=$(q "SELECT group_concat(s.id || ':' || x.missing || '>' || s.vanished_maps) FROM snapshots s JOIN (SELECT pm.snapshot_id AS id, count(DISTINCT pm.map_id) AS missing FROM prog_maps pm WHERE NOT EXISTS (SELECT 1 FROM maps m WHERE m.snapshot_id = pm.snapshot_id AND m.id = pm.map_id) GROUP BY pm.snapshot_id) x USING (id) WHERE x.missing > s.vanished_maps")
	expect_eq "snapshots with maps missing, not counted vanished (id:missing>vanished)" "$bad" "" || return 1
	for ((i = 1; i <= SNAPS; i++)); do
		bs -s "c$i" -j prog show >/dev/null || return 1
	done
	echo "churn: $SNAPS snapshots of a system of $PROGS+ programs in $(( (t1 - t0) / 1000000 )) ms while $rounds rounds of 20 programs and 20 maps came and went; vanished per snapshot (progs/maps): $(q "SELECT group_concat(vanished_progs || '/' || vanished_maps, ' ') FROM snapshots")" >> "${FIGURES:-/dev/null}"
}

setup
run_test churn/snapshots_under_churn test_snapshots_under_churn
