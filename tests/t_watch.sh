#!/usr/bin/env bash
# snapshot watch: a snapshot every interval and the lines diff prints between consecutive
# ones; SIGINT or SIGTERM at any moment leaves only whole snapshots.
. "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-watch-$$
DB=$TEST_TMP/watch.db
bs() { "$BPFSCOPE" --db "$DB" "$@"; }

setup() {
	need_root || exit 77
	ensure_bpffs
	mkdir -p "$PIN"
	cleanup_add "rm -rf '$PIN'"
}

# What watch printed (file $1) equals diff of each snapshot with the one before; at least $2
# snapshots after the first.
lines_equal_diffs() {
	local got=$1 want=$TEST_TMP/want first last k
	first=$(bs query "SELECT min(id) FROM snapshots" csv | tail -n 1)
	last=$(bs query "SELECT max(id) FROM snapshots" csv | tail -n 1)
	[ "$last" -ge $((first + $2)) ] || die "too few snapshots: $first..$last"
	: > "$want"
	for ((k = first + 1; k <= last; k++)); do
		bs diff $((k - 1)) $k >> "$want"
	done
	cmp -s "$want" "$got" || { diff "$want" "$got" | head; die "watch's lines differ from diff's"; }
}

# acceptance 4: what watch printed equals diff of each snapshot with the one before
test_lines_equal_diff() {
	local got=$TEST_TMP/got
	rm -f "$DB"*
	bs snapshot take label start >/dev/null || die "snapshot"
	timeout --preserve-status -s INT 6 "$BPFSCOPE" --db "$DB" snapshot watch interval 0.4 \
		> "$got" 2>"$TEST_TMP/werr" &
	local job=$!
	sleep 1
	bs prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/xdp" type xdp || die "load"
	sleep 1
	rm -f "$PIN/xdp"
	sleep 1
	wait $job || die "watch exited $?: $(cat "$TEST_TMP/werr")"
	grep -qF -- "+ prog xdp drop_ingress_port_8080  $PIN/xdp  tag " "$got" || die "no + line: $(cat "$got")"
	grep -qF -- "- prog xdp drop_ingress_port_8080  $PIN/xdp  tag " "$got" || die "no - line"
	lines_equal_diffs "$got" 3
}

# SIGINT or SIGTERM at random moments, during a snapshot or between: every snapshot whole
test_signal_leaves_whole() {
	local i sig rc ok n job w blk
	rm -f "$DB"*
	for i in 1 2 3 4 5 6 7 8; do
		sig=INT; [ $((i % 2)) = 0 ] && sig=TERM
		"$BPFSCOPE" --db "$DB" snapshot watch interval 0.05 maps-data >/dev/null 2>&1 &
		job=$!
		# the signal once watch holds it (blocked from its start: /proc's SigBlk); before
		# that any process dies of it (a slow start, as under ASan), which is no watch's
		for ((w = 0; w < 500; w++)); do
			blk=$(awk '/^SigBlk/ { print $2 }' "/proc/$job/status" 2>/dev/null)
			[ -n "$blk" ] && (( (0x$blk & 0x4002) == 0x4002 )) && break
			sleep 0.01
		done
		sleep "0.$((RANDOM % 9 + 1))"
		kill -s "$sig" "$job"
		timeout 30 tail --pid="$job" -f /dev/null
		kill -s KILL "$job" 2>/dev/null	# (our own child, still unreaped: a hang ends here)
		wait "$job"
		rc=$?
		expect_eq "watch's exit after SIG$sig" "$rc" 0 || return 1
	done
	ok=$(bs query "PRAGMA integrity_check" csv | tail -n 1)
	expect_eq "integrity" "$ok" ok || return 1
	# every snapshot holds the programs and maps its row counts
	n=$(bs query "SELECT count(*) FROM snapshots s WHERE s.nr_progs != (SELECT count(*) FROM progs p WHERE p.snapshot_id = s.id) OR s.nr_maps != (SELECT count(*) FROM maps m WHERE m.snapshot_id = s.id)" csv | tail -n 1)
	expect_eq "snapshots whose rows disagree with their counts" "$n" 0 || return 1
	n=$(bs query "SELECT count(*) FROM snapshots" csv | tail -n 1)
	[ "$n" -ge 8 ] || die "only $n snapshots"
}

# acceptance 5: watch loads records a loop of 100 short-lived programs (names, code, owner),
# and its lines, the transient ones too, are still diff's
test_loads() {
	local pfx=wl$$ job n got=$TEST_TMP/got pid
	rm -f "$DB"*
	bs snapshot take >/dev/null || die "snapshot"
	timeout --preserve-status -s INT 8 "$BPFSCOPE" --db "$DB" snapshot watch interval 1 loads \
		> "$got" 2>"$TEST_TMP/werr" &
	job=$!
	sleep 2.5	# the recorder loads and attaches
	"$BUILD_DIR/helpers/loads_loop" "$pfx" 100 > "$TEST_TMP/loop.out" || die "loads_loop"
	pid=$(awk '$1 == "pid" { print $2 }' "$TEST_TMP/loop.out")
	wait $job || die "watch exited $?: $(cat "$TEST_TMP/werr")"
	n=$(bs query "SELECT count(*) FROM load_events WHERE kind = 'prog' AND name LIKE '${pfx}_%' AND xlated IS NOT NULL AND pid = ${pid:-0} AND comm = 'loads_loop'" csv | tail -n 1)
	echo "recorded $n of 100 (pid $pid)"
	[ "$n" -ge 99 ] || die "only $n of 100 recorded with code and owner"
	grep -qE "^\* prog socket_filter ${pfx}_[0-9]+  pid $pid loads_loop  id [0-9]+  tag [0-9a-f]{16}  at .*gone before the snapshot$" "$got" ||
		die "no transient line: $(head -3 "$got")"
	lines_equal_diffs "$got" 1
}

# packet sockets are rows of each snapshot, not spans: the same ones again are no change (a
# quiet machine's snapshots then skip the compare), one coming or going is
test_sockets() {
	local got=$TEST_TMP/got job sf=$TEST_TMP/sock_filter
	gcc -O2 -Wall -o "$sf" "$TOP/tests/helpers/sock_filter.c" || die "building sock_filter"
	rm -f "$DB"*
	bs snapshot take >/dev/null || die "snapshot"
	timeout --preserve-status -s INT 6 "$BPFSCOPE" --db "$DB" snapshot watch interval 0.4 \
		> "$got" 2>"$TEST_TMP/werr" &
	job=$!
	sleep 1
	# held for 2 s: several snapshots see it, then it is gone
	timeout 10 "$sf" 2 dev lo > "$TEST_TMP/sf.out" 2>&1 || die "sock_filter: $(cat "$TEST_TMP/sf.out")"
	wait $job || die "watch exited $?: $(cat "$TEST_TMP/werr")"
	[ "$(grep -c -- "^+ socket packet sock_filter  lo" "$got")" = 1 ] || die "no single + line: $(cat "$got")"
	[ "$(grep -c -- "^- socket packet sock_filter  lo" "$got")" = 1 ] || die "no single - line: $(cat "$got")"
	lines_equal_diffs "$got" 1
}

test_errors() {
	local rc
	bs snapshot watch interval 0 >/dev/null 2>"$TEST_TMP/err"; rc=$?
	[ $rc != 0 ] && grep -q "interval" "$TEST_TMP/err" || die "interval 0 accepted"
	bs snapshot watch count x >/dev/null 2>&1 && die "count x accepted"
	bs snapshot watch bogus >/dev/null 2>&1 && die "a stray word accepted"
	return 0
}

setup
run_test watch/lines_equal_diff test_lines_equal_diff
run_test watch/signal_leaves_whole test_signal_leaves_whole
run_test watch/loads test_loads
run_test watch/sockets test_sockets
run_test watch/errors test_errors
