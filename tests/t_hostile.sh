#!/usr/bin/env bash
# Hostile databases against every reading command: variants of a real snapshot database
# (tests/hostile/mkvariants.py: random code, counts beyond their blobs, zlib bombs, hash
# mismatches, missing blobs, random BTF and map contents, hostile names, a newer schema,
# extreme integers, truncated and garbage files). Each command on each variant: no crash,
# no hang (bounded in time and memory), a one-line error or output, the file unchanged.
. "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-hostile-$$
DB=$TEST_TMP/base.db
VAR=$TEST_TMP/variants
bs() { "$BPFSCOPE" --db "$DB" "$@"; }

setup() {
	need_root || exit 77
	ensure_bpffs
	mkdir -p "$PIN/g" "$PIN/gm" "$PIN/t" "$PIN/tm"
	cleanup_add "rm -rf '$PIN'"
	# a packet socket with a classic filter (on lo, accepting nothing sent there), so that
	# the snapshots hold a socket and its filter blob to damage
	gcc -O2 -o "$TEST_TMP/sock_filter" "$TOP/tests/helpers/sock_filter.c" || die "sock_filter"
	timeout 120 "$TEST_TMP/sock_filter" 120 dev lo > "$TEST_TMP/sock.out" 2>&1 &
	cleanup_add "kill $!"
	for _ in $(seq 50); do grep -q '^ready' "$TEST_TMP/sock.out" && break; sleep 0.1; done
	bs prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/g" pinmaps "$PIN/gm" autoattach >/dev/null &&
	bs prog loadall "$SAMPLES/tc_counter.bpf.o" "$PIN/t" pinmaps "$PIN/tm" >/dev/null &&
	bs map update pinned "$PIN/tm/proto_count" key 6 0 0 0 value 1 0 0 0 0 0 0 0 &&
	hostile_struct_ops &&
	bs snapshot take label one maps-data >/dev/null &&
	bs prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/xdp" type xdp >/dev/null &&
	bs snapshot take label two maps-data >/dev/null || die "setup"
	PROG=$(bs -s two -j prog show pinned "$PIN/g/count_getpid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	MAP=$(bs -s two -j map show pinned "$PIN/tm/proto_count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	BTF=$(bs -s two -j map show pinned "$PIN/tm/proto_count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["btf_id"])')
	python3 "$TOP/tests/hostile/mkvariants.py" "$DB" "$VAR" > "$TEST_TMP/variants.txt" || die "variants"
}

# a struct_ops map (a TCP congestion control no socket selects, named for this test alone),
# so that the snapshots hold its value and struct_ops dump reads damaged ones
hostile_struct_ops() {
	sed 's/pobj/hstl/g' "$TOP/tests/data/struct_ops_ca.bpf.c" > "$TEST_TMP/hstl.bpf.c" &&
	clang -g -O2 -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c "$TEST_TMP/hstl.bpf.c" \
		-o "$TEST_TMP/hstl.o" || return 1
	cleanup_add "'$BPFSCOPE' struct_ops unregister name hstl_ca"
	bs struct_ops register "$TEST_TMP/hstl.o" >/dev/null 2>&1
}

COMMANDS=(
	"snapshot list" "snapshot show latest" "-s latest prog show" "-s latest -j prog show"
	"-s latest prog dump xlated id PROG" "-s latest -j prog dump xlated id PROG"
	"-s latest prog dump jited id PROG" "-s latest prog dump xlated id PROG visual"
	"-s latest prog cfg id PROG format svg file OUT" "-s latest map show" "-s latest -j map show"
	"-s latest map dump id MAP" "-s latest -j map dump id MAP" "-s latest btf show"
	"-s latest btf dump id BTF" "-s latest btf dump id BTF format c" "-s latest link show"
	"-s latest net show" "-s latest cgroup tree" "-s latest perf show"
	"query SELECT_count(*)_FROM_progs" "diff latest~1 latest" "diff latest~1 latest code contents"
	"-j diff latest~1 latest" "prog history identity prog:x:y@" "audit latest" "-j audit latest"
	"report latest file OUT" "report diff latest~1 latest file OUT"
	"-s latest sock show all" "-s latest sock dump" "-s latest -j sock dump"
	"-s latest struct_ops dump" "-s latest -j struct_ops dump" "-s latest token show"
)

# one variant through every command
variant() {
	local v=$VAR/$1.db before after cmd args rc lines failed=0
	before=$(sha256sum "$v" | cut -d' ' -f1)
	for cmd in "${COMMANDS[@]}"; do
		cmd=${cmd//PROG/$PROG}; cmd=${cmd//MAP/$MAP}; cmd=${cmd//BTF/$BTF}
		cmd=${cmd//OUT/$TEST_TMP/out.file}; cmd=${cmd//_/ }
		read -r -a args <<< "$cmd"
		[ "${args[0]}" = query ] && args=(query "SELECT count(*) FROM progs")
		timeout -s KILL 30 bash -c "$VLIMIT"'; exec "$@"' _ \
			"$BPFSCOPE" --db "$v" "${args[@]}" > "$TEST_TMP/out" 2> "$TEST_TMP/err"
		rc=$?
		lines=$(grep -c . "$TEST_TMP/err")
		# diff, audit and report diff say "different" / "findings" with exit 1
		case "$cmd" in *diff*|*audit*) [ $rc = 1 ] && rc=0 ;; esac
		if [ $rc -ge 124 ]; then
			echo "$1: '$cmd' died or hung (exit $rc): $(head -c 300 "$TEST_TMP/err")"; failed=1
		elif [ $rc != 0 ] && [ "$lines" = 0 ] && ! grep -q '"error"' "$TEST_TMP/out"; then
			echo "$1: '$cmd' failed (exit $rc) without saying why"; failed=1
		elif [ $rc != 0 ] && [ "$lines" -gt 3 ]; then
			echo "$1: '$cmd' wrote $lines lines of errors: $(head -c 300 "$TEST_TMP/err")"; failed=1
		fi
		echo "$1|$cmd|$rc" >> "$TEST_TMP/matrix"
	done
	after=$(sha256sum "$v" | cut -d' ' -f1)
	[ "$before" = "$after" ] || { echo "$1: the file changed"; failed=1; }
	return $failed
}

variant_cur() { variant "$CUR"; }

setup
while read -r name; do
	CUR=$name
	run_test "hostile/$name" variant_cur
done < "$TEST_TMP/variants.txt"
n=$(wc -l < "$TEST_TMP/matrix"); e=$(awk -F'|' '$3 != 0' "$TEST_TMP/matrix" | wc -l)
echo "hostile: $(wc -l < "$TEST_TMP/variants.txt") variants x ${#COMMANDS[@]} commands = $n runs, $e refused with one line, $((n - e)) read"
