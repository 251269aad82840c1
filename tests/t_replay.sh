#!/usr/bin/env bash
# replay: a snapshot with map contents, everything torn down, `replay REF objects DIR`, and a
# second snapshot says the same (programs by type/name/tag, pins, attachments, map contents;
# ids aside). Also: dry-run changes nothing, a failure leaves nothing, OBJ mode restores.
source "$(dirname "$0")/lib.sh"

BASE=/sys/fs/bpf/bpfscope_t_replay_$$
NS=bsrp$$
VA=bsrp$$a	# root side: the attach point
VB=bsrp$$b	# in the namespace
OTHER=/sys/fs/bpf/bpfscope_t_replay_other_$$
export BPFSCOPE_DB=$TEST_TMP/history.db
TCX_PIN=""

# the first map id of a program; the program behind a link pin or a program pin
map_of_prog_id() {
	bpftool prog show id "$1" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])'
}
prog_of_link() {
	bpftool link show pinned "$1" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])'
}
prog_of_pin() {
	bpftool prog show pinned "$1" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
map_named() { # PROG_ID NAME: the id of the map called NAME that the program uses
	local m
	for m in $(bpftool prog show id "$1" -j | python3 -c 'import json,sys; print(*json.load(sys.stdin)["map_ids"])'); do
		[ "$(bpftool map show id "$m" -j | python3 -c 'import json,sys; print(json.load(sys.stdin).get("name",""))')" = "$2" ] && { echo "$m"; return; }
	done
}

# state SNAP_REF: our part of a stored snapshot, ids replaced by names, one line per fact
state() {
	python3 - "$BPFSCOPE_DB" "$1" "$BASE" "$VA" <<'EOF'
import sqlite3, struct, sys, zlib
db, ref, base, dev = sys.argv[1:]
c = sqlite3.connect(db)

def contents(h):
    # the map contents blob (analyze/map_contents.h), entries sorted: a hash map's order
    # depends on its random seed, not on what it holds
    if h is None:
        return "none"
    raw, codec, z = c.execute("SELECT raw_size, codec, zdata FROM blobs WHERE hash = ?", (h,)).fetchone()
    b = zlib.decompress(z) if codec == 1 else z
    ks, vs, ncpu, stride, n = struct.unpack_from("<IIIIQ", b, 8)
    keys = b[32:32 + n * ks]
    vals = b[32 + n * ks:]
    return " ".join(sorted(keys[i*ks:(i+1)*ks].hex() + "=" + vals[i*stride:(i+1)*stride].hex() for i in range(n)))

snap = c.execute("SELECT max(id) FROM snapshots WHERE label = ?", (ref,)).fetchone()[0]
progs = {r[0]: r[1:] for r in c.execute("SELECT id, type, name, tag FROM progs WHERE snapshot_id = ?", (snap,))}
maps = {r[0]: r[1:-1] + (contents(r[-1]),) for r in c.execute("SELECT id, type, name, bytes_key, bytes_value, contents FROM maps WHERE snapshot_id = ?", (snap,))}
links = {r[0]: r[1:] for r in c.execute("SELECT id, type, prog_id, attach_type, target FROM links WHERE snapshot_id = ?", (snap,))}
out = []
mine_progs = set()
for path, kind, oid in c.execute("SELECT path, obj_type, obj_id FROM pins WHERE snapshot_id = ? AND (path LIKE ? OR path LIKE ?) ORDER BY path",
                                 (snap, base + "/%", "/sys/fs/bpf/bpfscope/tcx/" + dev + "_%")):
    path = path.rsplit("_", 1)[0] if "/bpfscope/tcx/" in path else path   # the tcx pin names the old prog id
    if kind == "prog":
        out.append("pin %s prog %s" % (path, progs[oid])); mine_progs.add(oid)
    elif kind == "map":
        out.append("pin %s map %s" % (path, maps[oid][:4]))
    else:
        t, pid, at, tgt = links[oid]
        out.append("pin %s link type %s attach %s target %s prog %s" % (path, t, at, tgt, progs[pid])); mine_progs.add(pid)
for kind, pid, devname, mode in c.execute("SELECT kind, prog_id, devname, mode FROM attachments WHERE snapshot_id = ? AND devname = ?", (snap, dev)):
    out.append("attach %s %s %s prog %s" % (kind, devname, mode, progs[pid])); mine_progs.add(pid)
for pid in sorted(mine_progs, key=lambda p: progs[p]):
    for (mid,) in c.execute("SELECT map_id FROM prog_maps WHERE snapshot_id = ? AND prog_id = ?", (snap, pid)):
        t, name, k, v, contents = maps[mid]
        # the getpid counter keeps counting between the two snapshots: only its presence counts
        out.append("map of %s: %s %s %s %s %s" % (progs[pid][1], t, name, k, v, "(counting)" if name == "count" else contents))
print("\n".join(sorted(out)))
EOF
}

teardown_ours() {
	"$BPFSCOPE" net detach xdpgeneric dev "$VA" >/dev/null 2>&1
	"$BPFSCOPE" net detach tcx_ingress dev "$VA" >/dev/null 2>&1
	rm -rf "$BASE"
}

setup() {
	need_root || return 77
	ensure_bpffs
	[ -f "$SAMPLES/getpid_count.bpf.o" ] || { echo "samples not built (make samples)"; return 77; }
	cleanup_add "ip netns del $NS"
	cleanup_add "ip link del $VA"
	cleanup_add "teardown_ours"
	cleanup_add "rm -f $OTHER"
	ip netns add "$NS" && ip link add "$VA" type veth peer name "$VB" &&
		ip link set "$VB" netns "$NS" && ip link set "$VA" up || return 1
	local B=$BPFSCOPE gp tc xdp mf m
	# 1. tracepoint program attached through a pinned link, its map pinned and set
	$B prog loadall "$SAMPLES/getpid_count.bpf.o" "$BASE/gp" autoattach || return 1
	gp=$(prog_of_link "$BASE/gp/count_getpid")
	m=$(map_of_prog_id "$gp")
	$B map update id "$m" key 0 0 0 0 value 42 0 0 0 || return 1
	$B map pin id "$m" "$BASE/gp_count" || return 1
	# 2. XDP by netlink (generic: a veth in a namespace), 3. tcx through a pinned link
	$B prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$BASE/xdp" type xdp || return 1
	$B net attach xdpgeneric pinned "$BASE/xdp" dev "$VA" || return 1
	$B prog load "$SAMPLES/tc_counter.bpf.o" "$BASE/tc" || return 1
	tc=$(prog_of_pin "$BASE/tc")
	$B net attach tcx_ingress id "$tc" dev "$VA" link 2>/dev/null || return 1
	m=$(map_named "$tc" proto_count)
	$B map update id "$m" key 6 0 0 0 value 7 0 0 0 0 0 0 0 || return 1
	$B map update id "$m" key 17 0 0 0 value 9 0 0 0 0 0 0 0 || return 1
	# 4. programs pinned but not attached, with a hash, a per-cpu array and global data
	$B prog loadall "$SAMPLES/multi_func.bpf.o" "$BASE/mf" || return 1
	mf=$(prog_of_pin "$BASE/mf/count_getppid")
	m=$(map_named "$mf" slots)
	$B map update id "$m" key 3 0 0 0 value 5 0 0 0 0 0 0 0 || return 1
	m=$(map_named "$mf" calls_by_pid)
	$B map update id "$m" key 1 2 0 0 value 11 0 0 0 0 0 0 0 || return 1
	$B --db "$BPFSCOPE_DB" snapshot take maps-data label before >/dev/null || return 1
	state before > "$TEST_TMP/before" || return 1
	[ "$(wc -l < "$TEST_TMP/before")" -ge 12 ] || { echo "snapshot misses our state:"; cat "$TEST_TMP/before"; return 1; }
}

t_dry_run() {
	teardown_ours
	"$BPFSCOPE" -j --db "$BPFSCOPE_DB" replay before objects "$SAMPLES" dry-run > "$TEST_TMP/plan" || return 1
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = {i["name"] for i in d["items"] if i["status"] == "planned"}
for n in ("count_getpid", "drop_ingress_po", "tc_count_proto", "count_getppid", "proto_count", "slots"):
    assert n in names, (n, names)
assert d["restored"] == 0, d' "$TEST_TMP/plan" || return 1
	[ ! -e "$BASE" ] || { echo "dry-run created $BASE" >&2; return 1; }
	ip link show "$VA" | grep -q xdp && { echo "dry-run attached XDP" >&2; return 1; }
	return 0
}

# A refusal half way (XDP taken by another program) takes back everything before it.
t_rollback() {
	teardown_ours
	local other=$OTHER
	"$BPFSCOPE" prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$other" type xdp || return 1
	"$BPFSCOPE" net attach xdpgeneric pinned "$other" dev "$VA" || return 1
	if "$BPFSCOPE" --db "$BPFSCOPE_DB" replay before objects "$SAMPLES" > "$TEST_TMP/out" 2>&1; then
		echo "replay succeeded over a taken XDP hook" >&2; return 1
	fi
	grep -q "rolled back" "$TEST_TMP/out" || { cat "$TEST_TMP/out" >&2; return 1; }
	"$BPFSCOPE" net detach xdpgeneric dev "$VA" >/dev/null
	rm -f "$other"
	[ ! -e "$BASE" ] || { echo "left behind: $(find "$BASE")" >&2; return 1; }
	ls /sys/fs/bpf/bpfscope/tcx/ 2>/dev/null | grep -q "^${VA}_" && { echo "tcx pin left behind" >&2; return 1; }
	"$BPFSCOPE" net detach tcx_ingress dev "$VA" >/dev/null 2>&1 && { echo "tcx left attached" >&2; return 1; }
	return 0
}

t_replay_ref() {
	teardown_ours
	[ ! -e "$BASE" ] || return 1
	"$BPFSCOPE" -j --db "$BPFSCOPE_DB" replay before objects "$SAMPLES" > "$TEST_TMP/res" ||
		{ cat "$TEST_TMP/res" >&2; return 1; }
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = {i["name"] for i in d["items"] if i["status"] == "restored"}
for n in ("count_getpid", "drop_ingress_po", "tc_count_proto", "count_getppid", "count", "proto_count", "slots", "calls_by_pid"):
    assert n in ok, (n, ok)
assert d["failed"] == 0, d' "$TEST_TMP/res" || return 1
	"$BPFSCOPE" --db "$BPFSCOPE_DB" snapshot take maps-data label after >/dev/null || return 1
	state after > "$TEST_TMP/after" || return 1
	diff "$TEST_TMP/before" "$TEST_TMP/after" >&2 || return 1
	# the counter was restored (42) and counts on from there
	local v
	v=$("$BPFSCOPE" -j map lookup pinned "$BASE/gp_count" key 0 0 0 0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["formatted"]["value"])')
	[ "$v" -ge 42 ] || { echo "count is $v, want >= 42" >&2; return 1; }
	# replaying again finds everything in place: skipped, not failed
	"$BPFSCOPE" --db "$BPFSCOPE_DB" replay before objects "$SAMPLES" > "$TEST_TMP/again" || return 1
	grep -q "exists (restored already?)" "$TEST_TMP/again"
}

# Without an objects directory: the ELF bytes `prog load` recorded in the database.
t_replay_db() {
	teardown_ours
	[ "$(sqlite3 "$BPFSCOPE_DB" 'SELECT count(*) FROM objects')" -ge 4 ] || { echo "loads not recorded" >&2; return 1; }
	"$BPFSCOPE" --db "$BPFSCOPE_DB" replay before > "$TEST_TMP/res" || { cat "$TEST_TMP/res" >&2; return 1; }
	"$BPFSCOPE" --db "$BPFSCOPE_DB" snapshot take maps-data label after_db >/dev/null || return 1
	state after_db > "$TEST_TMP/after_db" || return 1
	diff "$TEST_TMP/before" "$TEST_TMP/after_db" >&2
}

# OBJ mode: a unique map name so the snapshot has exactly one match to restore from.
t_replay_obj() {
	local dir=$BASE/obj
	cat > "$TEST_TMP/rtr.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u32); } rtr_t_map SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_getppid")
int rtr_t_prog(void *ctx) { __u32 k = 1, *v = bpf_map_lookup_elem(&rtr_t_map, &k); if (v) (*v)++; return 0; }
EOF
	clang -g -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/rtr.bpf.c" -o "$TEST_TMP/rtr.bpf.o" || return 1
	"$BPFSCOPE" prog load "$TEST_TMP/rtr.bpf.o" "$BASE/rtr_prog" pinmaps "$BASE/rtr_maps" || return 1
	"$BPFSCOPE" map update pinned "$BASE/rtr_maps/rtr_t_map" key 5 0 0 0 value 55 0 0 0 || return 1
	"$BPFSCOPE" --db "$BPFSCOPE_DB" snapshot take maps-data label obj >/dev/null || return 1
	"$BPFSCOPE" --db "$BPFSCOPE_DB" replay "$TEST_TMP/rtr.bpf.o" pin "$dir" autoattach restore obj > "$TEST_TMP/out" ||
		{ cat "$TEST_TMP/out" >&2; return 1; }
	[ -e "$dir/progs/rtr_t_prog" ] && [ -e "$dir/links/rtr_t_prog" ] && [ -e "$dir/maps/rtr_t_map" ] ||
		{ cat "$TEST_TMP/out" >&2; return 1; }
	# formatted through the map's BTF, as bpftool's plain lookup (issue 15)
	"$BPFSCOPE" map lookup pinned "$dir/maps/rtr_t_map" key 5 0 0 0 | grep -q '"value": 55$' ||
		{ echo "map not restored" >&2; cat "$TEST_TMP/out" >&2; return 1; }
	# the same again: the directory is taken, nothing changes
	"$BPFSCOPE" replay "$TEST_TMP/rtr.bpf.o" pin "$dir" 2>/dev/null && return 1
	return 0
}

# OBJ mode with contents stored in chunks (a map that may pass one chunk), and a report of
# them. Replay restores a chunk at a time, every entry of every chunk, in the memory of about
# one chunk: its peak RSS over that of the same replay from a snapshot without contents stays
# under two thirds of the contents (24 MB here: 9 MiB over it a chunk at a time; joined and
# mapped, 52 MiB)
t_replay_chunks() {
	local dir=$BASE/chunks n=2000000 base rss first
	cat > "$TEST_TMP/rtc.bpf.c" <<EOF
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, $n); __type(key, __u32); __type(value, __u64); } rtc_t_map SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_getppid")
int rtc_t_prog(void *ctx) { __u32 k = 1; __u64 *v = bpf_map_lookup_elem(&rtc_t_map, &k); if (v) (*v)++; return 0; }
EOF
	clang -g -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/rtc.bpf.c" -o "$TEST_TMP/rtc.bpf.o" || return 1
	gcc -O2 -o "$TEST_TMP/fl" "$TOP/tests/helpers/faults_load.c" -lbpf || return 1
	"$BPFSCOPE" prog load "$TEST_TMP/rtc.bpf.o" "$BASE/rtc_prog" pinmaps "$BASE/rtc_maps" || return 1
	"$TEST_TMP/fl" fill "$BASE/rtc_maps/rtc_t_map" "$n" 7 || return 1
	"$BPFSCOPE" --db "$BPFSCOPE_DB" snapshot take label nochunks >/dev/null || return 1
	"$BPFSCOPE" --db "$BPFSCOPE_DB" snapshot take maps-data label chunks >/dev/null || return 1
	[ "$("$BPFSCOPE" --db "$BPFSCOPE_DB" query "SELECT count(*) FROM map_chunks c JOIN maps m
		ON m.contents = c.list WHERE m.snapshot_id = (SELECT max(id) FROM snapshots) AND
		m.name = 'rtc_t_map'" csv | tail -n 1)" -gt 1 ] ||
		{ echo "rtc_t_map's contents are not in chunks" >&2; return 1; }
	/usr/bin/time -o "$TEST_TMP/rss0" -f %M "$BPFSCOPE" --db "$BPFSCOPE_DB" replay \
		"$TEST_TMP/rtc.bpf.o" pin "${dir}0" restore nochunks > "$TEST_TMP/out0" ||
		{ cat "$TEST_TMP/out0" >&2; return 1; }
	/usr/bin/time -o "$TEST_TMP/rss" -f "%e s
%M" "$BPFSCOPE" --db "$BPFSCOPE_DB" replay \
		"$TEST_TMP/rtc.bpf.o" pin "$dir" restore chunks > "$TEST_TMP/out" ||
		{ cat "$TEST_TMP/out" >&2; return 1; }
	grep -q "restored $n entries" "$TEST_TMP/out" || { cat "$TEST_TMP/out" >&2; return 1; }
	expect_eq "restored contents (md5 of the sorted dump)" \
		"$("$BPFSCOPE" map dump pinned "$dir/maps/rtc_t_map" | sort | md5sum)" \
		"$("$BPFSCOPE" map dump pinned "$BASE/rtc_maps/rtc_t_map" | sort | md5sum)" || return 1
	base=$(tail -n 1 "$TEST_TMP/rss0"); rss=$(tail -n 1 "$TEST_TMP/rss")
	[ $((rss - base)) -lt $((n * 12 * 2 / 3 / 1024)) ] ||
		{ echo "restoring took $(((rss - base) / 1024)) MiB more than restoring nothing" >&2; return 1; }
	# a report shows the first entries of each program's maps, read from the first chunk
	"$BPFSCOPE" --db "$BPFSCOPE_DB" -s chunks report file "$TEST_TMP/r.html" || return 1
	grep -q "$n entries, the first 16</h4>" "$TEST_TMP/r.html" ||
		{ echo "the report does not say the map's $n entries" >&2; return 1; }
	first=$("$BPFSCOPE" --db "$BPFSCOPE_DB" -s chunks -j map dump pinned "$BASE/rtc_maps/rtc_t_map" |
		python3 -c 'import json,sys; e=json.load(sys.stdin)[0]["formatted"]; print("<tr><td>%s</td><td>%s</td></tr>" % (e["key"], e["value"]))')
	grep -A2 "$n entries, the first 16</h4>" "$TEST_TMP/r.html" | grep -qF "$first" ||
		{ echo "the report's first entry is not the dump's ($first)" >&2; return 1; }
	echo "replay restore of a $n-entry map in chunks: $(head -n 1 "$TEST_TMP/rss"), peak RSS $((rss / 1024)) MiB, $(((rss - base) / 1024)) MiB over a replay with nothing to restore" >> "${FIGURES:-/dev/null}"
}

# OBJ mode with a map type that has no batch update (a devmap hash: the kernel says ENOTSUPP,
# and leaves the count as it was): restored an entry at a time, where hash and array maps take
# batches
t_replay_nobatch() {
	local dir=$BASE/nobatch i
	cat > "$TEST_TMP/rtl.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u32); } rtl_t_map SEC(".maps");
SEC("xdp")
int rtl_t_prog(struct xdp_md *ctx) { return bpf_redirect_map(&rtl_t_map, 1, 0); }
EOF
	clang -g -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TEST_TMP/rtl.bpf.c" -o "$TEST_TMP/rtl.bpf.o" || return 1
	"$BPFSCOPE" prog load "$TEST_TMP/rtl.bpf.o" "$BASE/rtl_prog" pinmaps "$BASE/rtl_maps" || return 1
	# (the values are ifindexes: the loopback's, 1)
	for i in 1 2 3; do
		"$BPFSCOPE" map update pinned "$BASE/rtl_maps/rtl_t_map" key $i 0 0 0 value 1 0 0 0 || return 1
	done
	"$BPFSCOPE" --db "$BPFSCOPE_DB" snapshot take maps-data label nobatch >/dev/null || return 1
	"$BPFSCOPE" --db "$BPFSCOPE_DB" replay "$TEST_TMP/rtl.bpf.o" pin "$dir" restore nobatch > "$TEST_TMP/out" ||
		{ cat "$TEST_TMP/out" >&2; return 1; }
	grep -q "restored 3 entries" "$TEST_TMP/out" || { cat "$TEST_TMP/out" >&2; return 1; }
	expect_eq "restored devmap (sorted dump)" \
		"$("$BPFSCOPE" map dump pinned "$dir/maps/rtl_t_map" | sort)" \
		"$("$BPFSCOPE" map dump pinned "$BASE/rtl_maps/rtl_t_map" | sort)"
}

# not in $(...): setup's cleanup_add calls must reach this shell's trap
setup > "$TEST_TMP/setup.log" 2>&1
rc=$?
if [ $rc != 0 ]; then
	out=$(tail -n 3 "$TEST_TMP/setup.log" | tr '\n' ' ')
	for t in dry_run rollback replay_ref replay_db replay_obj replay_chunks replay_nobatch; do
		if [ $rc = 77 ]; then skip "replay/$t" "$out"; else fail "replay/$t" "setup: $out"; fi
	done
	exit 0
fi
run_test replay/dry_run t_dry_run
run_test replay/rollback t_rollback
run_test replay/replay_ref t_replay_ref
run_test replay/replay_db t_replay_db
run_test replay/replay_obj t_replay_obj
run_test replay/replay_chunks t_replay_chunks
run_test replay/replay_nobatch t_replay_nobatch
