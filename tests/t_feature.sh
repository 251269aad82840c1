#!/usr/bin/env bash
# feature probe and list_builtins against Debian's bpftool 7.1 where it agrees, and against
# what upstream 7.8 adds (written from its src/feature.c: netfilter, cgrp_storage, arena,
# insn_array, the ISA v4 probe, helpers 210-211; the BPFILTER config lines it dropped);
# the probe stored per boot, read back with -s REF, and diff reporting a changed kernel.
source "$(dirname "$0")/lib.sh"

DB=$TEST_TMP/feature.db

pre() {
	need_root || return 77
	command -v bpftool >/dev/null || { echo "bpftool not installed"; return 77; }
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	"$BPFSCOPE" feature help >/dev/null 2>&1 || { echo "feature is not a command of this build"; return 77; }
}

# ours must hold every line of bpftool's (less those 7.8 dropped) in bpftool's order; the
# lines ours adds are exactly what 7.8 adds
subsequence() {
	python3 - "$1" "$2" <<'PY'
import sys
want = [l for l in open(sys.argv[1]).read().split('\n') if 'BPFILTER' not in l]
got = open(sys.argv[2]).read().split('\n')
i = 0
extra = []
for l in got:
    if i < len(want) and l == want[i]:
        i += 1
    else:
        extra.append(l)
if i != len(want):
    sys.exit("bpftool's line %d not in ours: %r" % (i + 1, want[i]))
new = ('netfilter', 'cgrp_storage', 'arena', 'insn_array', 'v4', 'V4', 'Large program')
# the netfilter type's helper list: its header line, then its "\t- name" lines
bad, block = [], False
for l in extra:
    block = block and l.startswith('\t')
    if l.strip() and not block and not any(n.lower() in l.lower() for n in new):
        bad.append(l)
    block = block or 'program type netfilter' in l
if bad:
    sys.exit("lines bpftool 7.8 would not add: %r" % bad[:3])
PY
}

t_probe_json() {
	pre || return $?
	bpftool -j feature probe kernel > "$TEST_TMP/b.json" || return 1
	"$BPFSCOPE" -j feature probe kernel > "$TEST_TMP/o.json" || return 1
	python3 - "$TEST_TMP/b.json" "$TEST_TMP/o.json" <<'PY'
import json, sys
b, o = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert list(b) == list(o), (list(b), list(o))
newer = {'have_netfilter_prog_type', 'have_cgrp_storage_map_type', 'have_arena_map_type',
         'have_insn_array_map_type', 'have_v4_isa_extension', 'netfilter_available_helpers'}
for sec in b:
    for k, v in b[sec].items():
        if k.startswith('CONFIG_BPFILTER'):
            continue
        assert k in o[sec], (sec, k)
        w = o[sec][k]
        if isinstance(v, list):
            # 7.8's helper table goes on to 211: cgrp_storage_get, cgrp_storage_delete
            assert set(w) - set(v) <= {'bpf_cgrp_storage_get', 'bpf_cgrp_storage_delete'}, (k, set(w) ^ set(v))
            assert set(v) <= set(w), (k, set(v) - set(w))
        elif k != 'bpf_jit_limit':
            assert v == w, (sec, k, v, w)
    extra = set(o[sec]) - set(b[sec])
    assert extra <= newer, (sec, extra)
assert o['program_types']['have_netfilter_prog_type'] is True
assert o['misc']['have_v4_isa_extension'] is True
assert list(o['system_config'])[-1] == 'CONFIG_HZ' and 'CONFIG_BPFILTER' not in o['system_config']
PY
}

t_probe_plain() {
	pre || return $?
	bpftool feature probe > "$TEST_TMP/b.txt" 2>&1 || return 1
	"$BPFSCOPE" feature probe > "$TEST_TMP/o.txt" 2>&1 || return 1
	subsequence "$TEST_TMP/b.txt" "$TEST_TMP/o.txt" || return 1
	grep -qx 'eBPF program_type netfilter is available' "$TEST_TMP/o.txt" || return 1
	bpftool feature probe macros prefix PFX_ > "$TEST_TMP/bm.txt" || return 1
	"$BPFSCOPE" feature probe kernel macros prefix PFX_ > "$TEST_TMP/om.txt" || return 1
	subsequence "$TEST_TMP/bm.txt" "$TEST_TMP/om.txt" || return 1
	grep -qx '#define PFX_BPF__PROG_TYPE_xdp__HELPER_bpf_redirect 1' "$TEST_TMP/om.txt"
}

# a device without offload: everything NOT available, as bpftool says
t_probe_dev() {
	pre || return $?
	bpftool -j feature probe dev lo > "$TEST_TMP/b.json" || return 1
	"$BPFSCOPE" -j feature probe dev lo | jq -c 'del(.misc.have_v4_isa_extension)' > "$TEST_TMP/o.json"
	expect_eq "dev lo" "$(cat "$TEST_TMP/o.json")" "$(jq -c . "$TEST_TMP/b.json")" || return 1
	bpftool feature probe dev lo > "$TEST_TMP/b.txt"
	"$BPFSCOPE" feature probe dev lo | grep -v 'ISA extension v4' > "$TEST_TMP/o.txt"
	diff "$TEST_TMP/b.txt" "$TEST_TMP/o.txt" >&2
}

t_list_builtins() {
	pre || return $?
	local g
	for g in prog_types map_types attach_types link_types helpers; do
		bpftool feature list_builtins $g > "$TEST_TMP/b.txt" || return 1
		"$BPFSCOPE" feature list_builtins $g > "$TEST_TMP/o.txt" || return 1
		# 7.1's libbpf knows fewer: its list is the start of ours
		head -n "$(wc -l < "$TEST_TMP/b.txt")" "$TEST_TMP/o.txt" | diff "$TEST_TMP/b.txt" - >&2 || return 1
		expect_eq "$g json" "$("$BPFSCOPE" -j feature list_builtins $g | jq -r '.[]')" \
			"$(cat "$TEST_TMP/o.txt")" || return 1
	done
	expect_eq "last prog type" "$("$BPFSCOPE" feature list_builtins prog | tail -n1)" netfilter &&
	expect_eq "last helper" "$("$BPFSCOPE" feature list_builtins helpers | tail -n1)" \
		bpf_cgrp_storage_delete &&
	expect_eq "first helper" "$("$BPFSCOPE" feature list_builtins helpers | head -n1)" bpf_unspec
}

t_errors() {
	pre || return $?
	local out
	out=$("$BPFSCOPE" feature probe dev pobjnosuchdev 2>&1) && return 1
	expect_eq dev "$out" "Error: unrecognized netdevice 'pobjnosuchdev': No such device" || return 1
	out=$("$BPFSCOPE" feature probe prefix X 2>&1) && return 1
	expect_eq prefix "$out" "Error: 'prefix' argument can only be use after 'macros'" || return 1
	out=$("$BPFSCOPE" feature probe kernel dev lo 2>&1) && return 1
	expect_eq component "$out" "Error: component to probe already specified" || return 1
	out=$("$BPFSCOPE" feature list_builtins foo 2>&1) && return 1
	expect_eq group "$out" "Error: expected 'prog_types', 'map_types', 'attach_types', 'link_types' or 'helpers', got: foo" || return 1
	out=$("$BPFSCOPE" -j feature probe bogus) && return 1
	expect_eq json "$(echo "$out" | jq -r .error)" \
		"expected no more arguments, 'kernel', 'dev', 'macros' or 'prefix', got: 'bogus'?"
}

# the first snapshot of a boot stores the probe, the next adds nothing; -s REF reads it back
t_stored() {
	pre || return $?
	rm -f "$DB"*
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
	"$BPFSCOPE" --db "$DB" snapshot take >/dev/null || return 1
	expect_eq rows "$("$BPFSCOPE" --db "$DB" query "SELECT count(*) FROM boot_features" csv | tail -n1)" 1 || return 1
	expect_eq stored "$("$BPFSCOPE" --db "$DB" query "SELECT CAST(substr(probe, 1, 19) AS TEXT) FROM boot_features" csv | tail -n1)" \
		"bpfscope-features 1" || return 1
	"$BPFSCOPE" -j feature probe > "$TEST_TMP/live.json" || return 1
	"$BPFSCOPE" --db "$DB" -s latest -j feature probe > "$TEST_TMP/s.json" || return 1
	# the JIT limit is a sysctl of the moment; the rest is the kernel's
	expect_eq stored "$(jq -c 'del(.system_config.bpf_jit_limit)' "$TEST_TMP/s.json")" \
		"$(jq -c 'del(.system_config.bpf_jit_limit)' "$TEST_TMP/live.json")" || return 1
	"$BPFSCOPE" --db "$DB" -s 1 feature probe macros | grep -qx '#define HAVE_NETFILTER_PROG_TYPE' || return 1
	out=$("$BPFSCOPE" --db "$DB" -s latest feature probe full 2>&1) && return 1
	echo "$out" | grep -q "need a live probe"
}

# another boot, another kernel: snapshot 1 moved to a boot whose stored probe lacks netfilter
t_diff() {
	pre || return $?
	[ -f "$DB" ] || { "$BPFSCOPE" --db "$DB" snapshot take && "$BPFSCOPE" --db "$DB" snapshot take; } >/dev/null || return 1
	# (other objects may change between the two: other tests run beside this one)
	"$BPFSCOPE" --db "$DB" diff 1 2 | grep -q '^~ feature' && { echo "same boot, yet different"; return 1; }
	python3 - "$DB" <<'PY' || return 1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
text = bytes(db.execute("SELECT probe FROM boot_features").fetchone()[0]).decode()
lines = text.split('\n')
for i, l in enumerate(lines):
    if l.startswith('prog '):
        lines[i] = l[:-1] + '0'          # netfilter, the last type: not there
    if l.startswith('h 6 '):
        lines[i] = l[:-1] + '0'          # xdp: no bpf_cgrp_storage_delete
new = '\n'.join(lines).encode()
db.execute("INSERT INTO snapshot_envs(host, boot_id) VALUES('old', 'pobj-old-boot')")
env = db.execute("SELECT max(id) FROM snapshot_envs").fetchone()[0]
db.execute("UPDATE snapshot_rows SET env = ? WHERE id = 1", (env,))
db.execute("INSERT INTO boot_features(boot_id, probe) VALUES('pobj-old-boot', ?)", (new,))
db.commit()
PY
	local out rc
	out=$("$BPFSCOPE" --db "$DB" diff 1 2 progs); rc=$?
	expect_eq status $rc 1 || return 1
	# nothing but the features differ: they alone make the status 1
	[ -n "$(echo "$out" | grep -v '^~ feature')" ] || echo "(only features differ)"
	echo "$out" | grep -qx '~ feature program_types have_netfilter_prog_type: false -> true' || { echo "$out"; return 1; }
	echo "$out" | grep -qx '~ feature helpers xdp_available_helpers: +bpf_cgrp_storage_delete' || { echo "$out"; return 1; }
	"$BPFSCOPE" --db "$DB" -j diff 1 2 progs | jq -e '.features | length == 2' >/dev/null || return 1
	expect_eq reverse "$("$BPFSCOPE" --db "$DB" diff 2 1 progs | grep -c 'netfilter_prog_type: true -> false')" 1
}

# a hostile stored probe: refused with an error, never read out of bounds
t_hostile() {
	pre || return $?
	[ -f "$DB" ] || return 77
	python3 - "$DB" <<'PY' || return 1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
bad = b"bpfscope-features 1\nhelpers 256\nh 1 255 " + b"1" * 9000 + b"\nprog 999 1\n"
db.execute("UPDATE boot_features SET probe = ? WHERE boot_id = 'pobj-old-boot'", (bad,))
db.commit()
PY
	local out
	out=$("$BPFSCOPE" --db "$DB" -s 1 feature probe 2>&1) && return 1
	echo "$out" | grep -q "stored feature probe: line .* malformed\|too long" || { echo "$out"; return 1; }
}

# the probe's answer is kept for the boot in /run/bpfscope/features: a new database's first
# snapshot stores it without probing; a cache others could have written, or one that does
# not decode, is not believed
# (as a hash of the bytes: the probe is some 7 KB)
stored_probe() { "$BPFSCOPE" --db "$1" query "SELECT hex(probe) FROM boot_features" csv | tail -n1 | sha256sum | cut -c1-16; }
cache_body() { python3 -c 'import sys; d=open(sys.argv[1],"rb").read().split(b"\n",2)[2]; print(d.hex().upper())' "$1" | sha256sum | cut -c1-16; }
t_boot_cache() {
	pre || return $?
	local c=/run/bpfscope/features real
	rm -f "$c" "$TEST_TMP"/cache*.db*
	"$BPFSCOPE" --db "$TEST_TMP/cache1.db" snapshot take >/dev/null || return 1
	expect_eq mode "$(stat -c %a "$c" 2>&1)" 600 || return 1
	real=$(stored_probe "$TEST_TMP/cache1.db")
	expect_eq cached "$(cache_body "$c")" "$real" || return 1
	# one helper bit turned off in the cache (still a valid answer): the next database has it
	python3 - "$c" <<'PY' || return 1
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(i for i, l in enumerate(lines) if l.startswith("h "))
f = lines[i].split(" ")
f[3] = "0" + f[3][1:]
lines[i] = " ".join(f)
open(sys.argv[1], "w").write("\n".join(lines))
PY
	chmod 600 "$c"
	"$BPFSCOPE" --db "$TEST_TMP/cache2.db" snapshot take >/dev/null || return 1
	expect_eq from_cache "$(stored_probe "$TEST_TMP/cache2.db")" "$(cache_body "$c")" || return 1
	[ "$(stored_probe "$TEST_TMP/cache2.db")" != "$real" ] || { echo "the changed cache was not read"; return 1; }
	# writable by others: probed anew, and the cache made right again
	chmod 666 "$c"
	"$BPFSCOPE" --db "$TEST_TMP/cache3.db" snapshot take >/dev/null || return 1
	expect_eq probed "$(stored_probe "$TEST_TMP/cache3.db")" "$real" || return 1
	expect_eq rewritten "$(stat -c %a "$c")" 600 || return 1
	# not decodable, or another boot's: probed anew
	printf 'bpfscope-boot-cache 1\n%s\nbpfscope-features 1\nprog 99999999 1\n' "$(cat /proc/sys/kernel/random/boot_id)" > "$c"
	chmod 600 "$c"
	"$BPFSCOPE" --db "$TEST_TMP/cache4.db" snapshot take >/dev/null || return 1
	expect_eq undecodable "$(stored_probe "$TEST_TMP/cache4.db")" "$real" || return 1
	sed -i '2s/.*/00000000-0000-0000-0000-000000000000/' "$c"
	"$BPFSCOPE" --db "$TEST_TMP/cache5.db" snapshot take >/dev/null || return 1
	expect_eq other_boot "$(stored_probe "$TEST_TMP/cache5.db")" "$real"
}

run_test feature/probe_json t_probe_json
run_test feature/probe_plain_macros t_probe_plain
run_test feature/probe_dev t_probe_dev
run_test feature/list_builtins t_list_builtins
run_test feature/errors t_errors
run_test feature/stored t_stored
run_test feature/boot_cache t_boot_cache
run_test feature/diff t_diff
run_test feature/hostile t_hostile
