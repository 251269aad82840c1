#!/usr/bin/env bash
# Crash safety: SIGKILL at random moments during `snapshot take maps-data` of a large hash
# map. After each kill the file opens, PRAGMA integrity_check says ok, and every earlier
# snapshot reads back as it did (its -j prog show and the map's contents, hashed).
# Sizes: CRASH_ENTRIES (100,000) and CRASH_KILLS (20); tests/stress.sh runs 1,000,000 and 100.
# CRASH_FULL_EVERY=N (5): compare every earlier snapshot after every Nth kill and the last
# (after the others: the first and the newest), as reading them all costs seconds each time.
. "$(dirname "$0")/faults_lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-crash-$$
DB=$TEST_TMP/crash.db
ENTRIES=${CRASH_ENTRIES:-100000}
KILLS=${CRASH_KILLS:-20}
FULL_EVERY=${CRASH_FULL_EVERY:-5}
# the kills stop after BUDGET seconds (at least 5 made; the figure says how many): on a
# machine other work keeps at a load of 25, each bpfscope run takes seconds
BUDGET=${CRASH_BUDGET:-240}

# what a reader gets of snapshot $1, hashed: the programs and the map's contents
reading() {
	local out=$TEST_TMP/reading
	{ bs -s "$1" -j prog show && bs -s "$1" map dump pinned "$PIN/h"; } > "$out" 2>"$out.err" ||
		{ echo "snapshot $1 does not read back: $(tail -n 1 "$out.err")" >&2; return 1; }
	md5sum < "$out" | cut -d' ' -f1
}
remember() { reading "$1" > "$TEST_TMP/ref.$1" || die "snapshot $1 unreadable when new"; }
check_one() {
	local got
	got=$(reading "$1") || return 1
	[ "$got" = "$(cat "$TEST_TMP/ref.$1")" ] || { echo "snapshot $1 reads back differently" >&2; return 1; }
}
# the newest snapshot's id, from snapshot list: the file opens
max_id() {
	local out
	out=$(bs snapshot list) || { echo "the file does not open" >&2; return 1; }
	out=$(grep -o '^[0-9]*:' <<<"$out" | tail -n 1)
	echo "${out%:}"
}

# after a kill: opens, integrity ok, the earlier snapshots read back equal
check_file() {
	local full=$1 ids id
	expect_eq "integrity_check" "$(bs query "PRAGMA integrity_check" csv | tail -n 1)" ok || exit 1
	ids=$(ls "$TEST_TMP" | sed -n 's/^ref\.//p' | sort -n)
	[ "$full" = 0 ] && ids=$(printf '%s\n' "$ids" | sed -n '1p;$p' | uniq)	# the first, the newest
	for id in $ids; do check_one "$id" || exit 1; done
}

test_sigkill_during_maps_data() {
	local i t0 t1 full_ms ms rc before after hit=0 landed=0 n start=$SECONDS last
	"$FL" fill "$PIN/h" "$ENTRIES" 1 || die "fill"
	bs snapshot take label base maps-data >/dev/null || die "first snapshot"
	remember "$(max_id)"
	"$FL" fill "$PIN/h" "$ENTRIES" 2 || die "fill"
	t0=$(now_ms)
	bs snapshot take maps-data >/dev/null || die "second snapshot"
	t1=$(now_ms)
	full_ms=$((t1 - t0 + 1))
	before=$(max_id)
	remember "$before"
	for ((i = 1; i <= KILLS; i++)); do
		"$FL" fill "$PIN/h" "$ENTRIES" $((i + 2)) || die "fill"
		# anywhere from the start to a little after a whole snapshot's time
		ms=$(( (RANDOM * 32768 + RANDOM) % (full_ms * 11 / 10) + 1 ))
		# (in a subshell that does more than exec it: the shell's "Killed" line goes with
		# the subshell's stderr)
		t0=$(now_ms)
		rc=$( { timeout -s KILL "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))" \
			"$BPFSCOPE" --db "$DB" snapshot take maps-data >/dev/null 2>"$TEST_TMP/err"
			echo $?; } 2>/dev/null )
		case $rc in
		137) hit=$((hit + 1)) ;;
		0)	# missed: a whole snapshot takes less than thought (the second one stored the
			# code of programs other work had loaded since the first)
			t1=$(( $(now_ms) - t0 + 1 ))
			[ "$t1" -lt "$full_ms" ] && full_ms=$t1 ;;
		*) die "snapshot take exited $rc: $(cat "$TEST_TMP/err")" ;;
		esac
		after=$(max_id) || exit 1
		last=$(( i == KILLS || (i >= 5 && SECONDS - start > BUDGET) ))
		if [ "$after" != "$before" ]; then
			landed=$((landed + 1))
			remember "$after"
		fi
		before=$after
		check_file $(( i % FULL_EVERY == 0 || last ))
		[ "$last" = 1 ] && break
	done
	[ "$i" -le "$KILLS" ] || i=$KILLS
	# and a writer after all that still writes a whole snapshot
	bs snapshot take maps-data >/dev/null || die "snapshot after the kills"
	remember "$(max_id)"
	check_file 1
	n=$(ls "$TEST_TMP" | grep -c '^ref\.')
	[ "$hit" -ge 1 ] && [ "$hit" -ge $((i / 3)) ] || die "only $hit of $i kills hit a running snapshot"
	echo "crash: $ENTRIES entries, $i kills ($hit during a snapshot, $landed landed whole), $n snapshots read back equal, a whole snapshot took ${full_ms} ms, all in $((SECONDS - start)) s" |
		tee -a "${FIGURES:-/dev/null}" >&2
}

faults_setup
run_test crash/sigkill_during_maps_data test_sigkill_during_maps_data
