#!/usr/bin/env bash
# Which processes hold which BPF objects (bpftool's "pids", which Debian's bpftool 7.1 is
# built without): checked against /proc/PID/fd and fdinfo, live and stored, with a
# hostile process name.
source "$(dirname "$0")/lib.sh"
DB=$TEST_TMP/h.db

# every (kind, id, pid, comm) /proc shows, as bpfscope prints them
proc_owners() {
	python3 - <<'PY'
import os, re
kinds = {"anon_inode:bpf-prog": ("prog", "prog_id"), "anon_inode:bpf-map": ("map", "map_id"),
         "anon_inode:bpf_link": ("link", "link_id"), "anon_inode:btf": ("btf", "btf_id")}
seen = set()
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if open(f"/proc/{pid}/status").read().split("Tgid:\t")[1].split()[0] != pid:
            continue
        comm = open(f"/proc/{pid}/comm").read().rstrip("\n")
        for fd in os.listdir(f"/proc/{pid}/fd"):
            k = kinds.get(os.readlink(f"/proc/{pid}/fd/{fd}"))
            if not k:
                continue
            m = re.search(rf"^{k[1]}:\s*(\d+)", open(f"/proc/{pid}/fdinfo/{fd}").read(), re.M)
            if m:
                seen.add((k[0], int(m.group(1)), int(pid), comm))
    except (OSError, IndexError):
        pass
for s in sorted(seen):
    print(*s)
PY
}

# the same from bpfscope's JSON (live, or -s REF)
scope_owners() {
	local k
	for k in prog map link btf; do
		"$BPFSCOPE" "$@" -j $k show | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    for p in o.get("pids", []):
        print(sys.argv[1], o["id"], p["pid"], p["comm"])' $k
	done | sort
}

start_holder() {
	# a loader that keeps a program, its map, link and BTF open, under a hostile name
	cp "$SAMPLES/getpid_count" "$TEST_TMP/$1" || return 1
	"$TEST_TMP/$1" 60 >/dev/null 2>&1 &
	HOLDER=$!
	cleanup_add "kill $HOLDER"
	sleep 1
}

test_pids_vs_proc() {
	need_root || return 77
	local want got
	start_holder 'get"pid<x>' || return 1
	want=$(proc_owners | sort)
	got=$(scope_owners)
	echo "$want" | grep -q " $HOLDER " || { echo "the holder is not in /proc's list"; return 1; }
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") | head -n 8; return 1; }
	# each kind of object the loader holds is there, under its name
	for k in prog map link btf; do
		echo "$got" | grep -q "^$k [0-9]* $HOLDER get\"pid<x>$" || { echo "no $k of the holder"; return 1; }
	done
}

test_pids_stored_and_plain() {
	need_root || return 77
	local want got id
	start_holder holder_proc || return 1
	"$BPFSCOPE" --db "$DB" snapshot take label held >/dev/null || return 1
	want=$(proc_owners | sort)
	got=$(scope_owners --db "$DB" -s held)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") | head -n 8; return 1; }
	# bpftool's plain layout: a "pids" line after btf_id
	id=$(echo "$got" | awk -v p=$HOLDER '$1 == "prog" && $3 == p { print $2; exit }')
	"$BPFSCOPE" --db "$DB" -s held prog show id "$id" | tail -n 1 | grep -qx "	pids holder_proc($HOLDER)" ||
		{ "$BPFSCOPE" --db "$DB" -s held prog show id "$id"; return 1; }
	# and once the process is gone, a new snapshot has no owner for it
	kill $HOLDER; wait $HOLDER 2>/dev/null
	"$BPFSCOPE" --db "$DB" snapshot take label released >/dev/null || return 1
	expect_eq "owners left by a gone process" \
		"$("$BPFSCOPE" --db "$DB" query "SELECT count(*) FROM owners WHERE pid = $HOLDER AND snapshot_id = (SELECT max(id) FROM snapshots)" csv | tail -n 1)" 0
}

# the iterators' targets in vmlinux BTF are kept for the boot in /run/bpfscope/iter-targets;
# a wrong cache (two targets' ids swapped) is caught by the kernel's word on the link, dropped,
# and the next command finds the holders again
test_iter_target_cache() {
	need_root || return 77
	local c=/run/bpfscope/iter-targets id
	start_holder holder_cache || return 1
	rm -f "$c"
	scope_owners >/dev/null || return 1
	expect_eq mode "$(stat -c %a "$c" 2>&1)" 600 || return 1
	grep -q '^bpf_iter_task_file [0-9]*$' "$c" || { cat "$c"; return 1; }
	id=$(awk -v p=$HOLDER '$1 == "prog" && $3 == p { print $2; exit }' <<< "$(scope_owners)")
	[ -n "$id" ] || { echo "the holder's program is not listed"; return 1; }
	python3 - "$c" <<'PY' || return 1
import sys
lines = open(sys.argv[1]).read().split("\n")
ids = {l.split(" ")[0]: l.split(" ")[1] for l in lines[2:] if " " in l}
swap = {"bpf_iter_task_file": ids["bpf_iter_bpf_map"], "bpf_iter_bpf_map": ids["bpf_iter_task_file"]}
out = lines[:2] + [k + " " + swap.get(k, v) for k, v in ids.items()]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
	"$BPFSCOPE" prog show id "$id" >/dev/null || return 1
	[ ! -e "$c" ] || { echo "a wrong cache was kept:"; cat "$c"; return 1; }
	"$BPFSCOPE" prog show id "$id" | tail -n 1 | grep -qx "	pids holder_cache($HOLDER)" ||
		{ "$BPFSCOPE" prog show id "$id"; return 1; }
	[ -e "$c" ] || { echo "the cache was not written again"; return 1; }
}

run_test owners/pids_vs_proc test_pids_vs_proc
run_test owners/pids_stored_and_plain test_pids_stored_and_plain
run_test owners/iter_target_cache test_iter_target_cache
