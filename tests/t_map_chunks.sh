#!/usr/bin/env bash
# Map contents in chunks (schema 8, lib/map_chunks.h): a map whose contents pass one chunk
# is read in batches and stored chunk by chunk. Small chunks (BPFSCOPE_MAP_CHUNK_BYTES) make
# a 30,000-entry map span several: it must read back as bpftool dumps it live; a second
# snapshot of the unchanged map adds no chunk row and no blob; one changed entry adds one
# chunk blob; a hostile chunk list is refused in one line, the file unchanged.
. "$(dirname "$0")/faults_lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-chunks-$$
DB=$TEST_TMP/chunks.db
N=30000
export BPFSCOPE_MAP_CHUNK_BYTES=65536	# 12-byte entries: 5,461 or more a chunk, 3 to 6 chunks

# the test map's chunk rows, distinct chunk blobs and contents rows, one line (other maps
# on the machine change under other tests)
counts() {
	local lists="SELECT d.contents FROM map_data_rows d JOIN map_rows r ON r.row = d.map_row WHERE r.id = $MAPID"
	bs query "SELECT (SELECT count(*) FROM map_chunks WHERE list IN ($lists)) || ' ' ||
		(SELECT count(DISTINCT chunk) FROM map_chunks WHERE list IN ($lists)) || ' ' ||
		(SELECT count(*) FROM ($lists))" csv | tail -n 1 | tr -d '"'
}

test_equal_live() {
	local nch
	bs snapshot take maps-data >/dev/null || return 1
	nch=$(bs query "SELECT count(*) FROM map_chunks c JOIN maps m ON m.contents = c.list
		WHERE m.snapshot_id = (SELECT max(id) FROM snapshots) AND m.nr_entries = $N" csv | tail -n 1)
	[ "$nch" -ge 3 ] || { echo "the map's contents are in $nch chunks, want several"; return 1; }
	bpftool -j map dump pinned "$PIN/h" | jq -S . > "$TEST_TMP/live.json" || return 1
	bs -s latest -j map dump pinned "$PIN/h" | jq -S . > "$TEST_TMP/stored.json" || return 1
	[ "$(jq length "$TEST_TMP/stored.json")" = "$N" ] || { echo "stored dump: $(jq length "$TEST_TMP/stored.json") entries"; return 1; }
	cmp -s "$TEST_TMP/live.json" "$TEST_TMP/stored.json" ||
		{ echo "stored -j map dump differs from bpftool's: $(diff "$TEST_TMP/live.json" "$TEST_TMP/stored.json" | head -n 4)"; return 1; }
	# the plain dump as bpftool prints it, and a live dump (its in-memory view chunks too)
	cmp -s <(bpftool map dump pinned "$PIN/h") <(bs -s latest map dump pinned "$PIN/h") ||
		{ echo "stored plain map dump differs from bpftool's"; return 1; }
	cmp -s <(bpftool map dump pinned "$PIN/h") <("$BPFSCOPE" map dump pinned "$PIN/h") ||
		{ echo "live map dump differs from bpftool's"; return 1; }
}

test_unchanged_adds_nothing() {
	local before after c1 c2
	before=$(counts)
	bs snapshot take maps-data >/dev/null || return 1
	after=$(counts)
	expect_eq "chunk rows, chunk blobs, contents rows after an unchanged snapshot" "$after" "$before" || return 1
	# one value changed: one chunk differs, the others are the same blobs
	bpftool map update pinned "$PIN/h" key 1 0 0 0 value 7 7 7 7 7 7 7 7 || return 1
	bs snapshot take maps-data >/dev/null || return 1
	read -r c1 c2 _ <<< "$before"
	read -r n1 n2 _ <<< "$(counts)"
	[ $((n2 - c2)) = 1 ] || { echo "one entry changed: $((n2 - c2)) new chunk blobs, want 1"; return 1; }
	[ "$n1" -gt "$c1" ] || { echo "no new chunk list rows for the changed map"; return 1; }
	cmp -s <(bpftool map dump pinned "$PIN/h") <(bs -s latest map dump pinned "$PIN/h") ||
		{ echo "changed map: stored dump differs from bpftool's"; return 1; }
	bs diff latest~1 latest contents > "$TEST_TMP/diff" 2>&1
	grep -q "07 07 07 07 07 07 07 07" "$TEST_TMP/diff" ||
		{ echo "diff contents does not show the changed value: $(head -c 300 "$TEST_TMP/diff")"; return 1; }
	# older snapshots deleted: every chunk blob left is one a list names, and reads
	for id in $(bs query "SELECT id FROM snapshots WHERE id < (SELECT max(id) FROM snapshots)" csv | tail -n +2); do
		bs snapshot delete "$id" >/dev/null || return 1
	done
	expect_eq "chunk blobs no list names" "$(bs query "SELECT count(*) FROM blobs b WHERE kind = 'map_chunk'
		AND NOT EXISTS (SELECT 1 FROM map_chunks c WHERE c.chunk = b.hash)" csv | tail -n 1)" 0 || return 1
	cmp -s <(bpftool map dump pinned "$PIN/h") <(bs -s latest map dump pinned "$PIN/h") ||
		{ echo "after delete: stored dump differs from bpftool's"; return 1; }
}

test_hostile_list() {
	local v out rc lines failed=0 sum
	python3 "$TOP/tests/hostile/mkchunks.py" "$DB" "$TEST_TMP/hv" > "$TEST_TMP/hv.txt" || return 1
	for v in $(cat "$TEST_TMP/hv.txt"); do
		sum=$(sha256sum "$TEST_TMP/hv/$v.db" | cut -d' ' -f1)
		timeout -s KILL 30 bash -c "$VLIMIT"'; exec "$@"' _ \
			"$BPFSCOPE" --db "$TEST_TMP/hv/$v.db" -s latest map dump pinned "$PIN/h" > "$TEST_TMP/out" 2> "$TEST_TMP/err"
		rc=$?
		lines=$(grep -c . "$TEST_TMP/err")
		if [ "$v" = valid_split ]; then
			[ $rc = 0 ] && cmp -s "$TEST_TMP/out" <(bpftool map dump pinned "$PIN/h") ||
				{ echo "$v: exit $rc, the re-chunked contents do not read back"; failed=1; }
		elif [ $rc != 1 ] || [ "$lines" != 1 ] || ! grep -q 'chunk\|blob\|contents' "$TEST_TMP/err"; then
			echo "$v: exit $rc, $lines lines: $(head -c 300 "$TEST_TMP/err")"; failed=1
		fi
		[ "$(sha256sum "$TEST_TMP/hv/$v.db" | cut -d' ' -f1)" = "$sum" ] || { echo "$v: the file changed"; failed=1; }
	done
	return $failed
}

# a walk's error trailer (the last chunk's, its positions over the whole map) printed where
# the joined contents print it: the dump reads a chunk at a time
test_trailer_streamed() {
	local f
	python3 "$TOP/tests/hostile/mkchunks.py" trailer "$DB" "$TEST_TMP/tr" > /dev/null || return 1
	for f in "" -j; do
		"$BPFSCOPE" --db "$TEST_TMP/tr/trailer_whole.db" -s latest $f map dump pinned "$PIN/h" \
			> "$TEST_TMP/whole" 2>&1
		echo "exit $?" >> "$TEST_TMP/whole"
		"$BPFSCOPE" --db "$TEST_TMP/tr/trailer_split.db" -s latest $f map dump pinned "$PIN/h" \
			> "$TEST_TMP/split" 2>&1
		echo "exit $?" >> "$TEST_TMP/split"
		cmp -s "$TEST_TMP/whole" "$TEST_TMP/split" ||
			{ echo "map dump $f: chunked differs: $(diff "$TEST_TMP/whole" "$TEST_TMP/split" | head -n 6)"; return 1; }
	done
	[ "$(grep -o 'No such file or directory' "$TEST_TMP/whole" | wc -l)" = 5 ] ||
		{ echo "the trailer's errors are not printed: $(head -c 300 "$TEST_TMP/whole")"; return 1; }
}

faults_setup
"$FL" fill "$PIN/h" "$N" 3 || exit 1
MAPID=$(bpftool -j map show pinned "$PIN/h" | jq .id)
command -v bpftool >/dev/null && command -v jq >/dev/null || { echo "SKIP chunks: bpftool and jq needed"; exit 0; }
run_test chunks/equal_live test_equal_live
run_test chunks/unchanged_adds_nothing test_unchanged_adds_nothing
run_test chunks/hostile_list test_hostile_list
run_test chunks/trailer_streamed test_trailer_streamed
