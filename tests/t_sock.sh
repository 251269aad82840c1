#!/usr/bin/env bash
# sock show/dump and the audit's sock.filter rules against real packet sockets with classic
# filters (tests/helpers/sock_filter.c): A in this namespace, bound to lo, "udp dst port
# 0x1337"; B in a network namespace of the test's own, a filter tcpdump compiled; C there
# too, BPFDoor's magic. Live and stored, plain and -j; ss -0 -b -p and tcpdump -d as oracles.
source "$(dirname "$0")/lib.sh"

HELPER=$TEST_TMP/sock_filter
NS=bpfscope-sock-$$
DB=$TEST_TMP/sock.db
EXPR='udp dst port 4919 or tcp port 8080'
# what tcpdump -d prints for 'ip and udp dst port 4919': A's filter
WANT_A='(000) ldh      [12]
(001) jeq      #0x800           jt 2	jf 10
(002) ldb      [23]
(003) jeq      #0x11            jt 4	jf 10
(004) ldh      [20]
(005) jset     #0x1fff          jt 10	jf 6
(006) ldxb     4*([14]&0xf)
(007) ldh      [x + 16]
(008) jeq      #0x1337          jt 9	jf 10
(009) ret      #262144
(010) ret      #0'

# start NAME CMD...: a helper under timeout (the job we hold and kill); its "ready PID INO"
start() {
	local name=$1 job
	shift
	timeout 120 "$@" > "$TEST_TMP/$name.out" 2>&1 &
	job=$!
	cleanup_add "kill $job"
	for _ in $(seq 50); do
		grep -q '^ready ' "$TEST_TMP/$name.out" && break
		sleep 0.1
	done
	read -r _ pid ino < <(grep '^ready ' "$TEST_TMP/$name.out") ||
		{ echo "$name did not start: $(cat "$TEST_TMP/$name.out")"; return 1; }
	printf '%s %s\n' "$pid" "$ino" > "$TEST_TMP/$name.id"
}

setup() {
	need_root || return 77
	command -v jq >/dev/null || { echo "jq not installed"; return 77; }
	command -v ip >/dev/null || { echo "iproute2 not installed"; return 77; }
	"$BPFSCOPE" sock help >/dev/null 2>&1 || { echo "sock is not a command of this build"; return 77; }
	gcc -O2 -Wall -o "$HELPER" "$TOP/tests/helpers/sock_filter.c" || return 1
	ip netns add "$NS" || return 1
	cleanup_add "ip netns del $NS"
	ip -n "$NS" link set lo up || return 1
	if command -v tcpdump >/dev/null; then
		tcpdump -ddd "$EXPR" > "$TEST_TMP/b.ddd" 2>/dev/null || return 1
		BFILE=(file "$TEST_TMP/b.ddd")
	else
		BFILE=()
	fi
	start a "$HELPER" 120 dev lo || return 1
	start b ip netns exec "$NS" "$HELPER" 120 dev lo "${BFILE[@]}" || return 1
	start c ip netns exec "$NS" "$HELPER" 120 magic || return 1
}

id_of() { read -r "$2" "$3" < "$TEST_TMP/$1.id"; }
# our sockets only, by inode, from a JSON list
ours_json() {
	local a b c pa pb pc
	id_of a pa a; id_of b pb b; id_of c pc c
	jq -S --argjson a "$a" --argjson b "$b" --argjson c "$c" \
		'[.[] | select(.ino == $a or .ino == $b or .ino == $c)] | sort_by(.ino)'
}

t_show_live() {
	local pa a pb b pc c nsino js
	id_of a pa a; id_of b pb b; id_of c pc c
	nsino=$(stat -L -c %i "/run/netns/$NS")
	js=$("$BPFSCOPE" -j sock show) || return 1
	expect_eq "A" "$(echo "$js" | jq -c --argjson i "$a" '.[] | select(.ino == $i) |
		[.pid, .comm, .fd, .nr_insns, .family, .type, .protocol, .protocol_name, .devname, .ifindex]')" \
		"[$pa,\"sock_filter\",3,11,\"packet\",\"raw\",2048,\"ip\",\"lo\",1]" || return 1
	expect_eq "B" "$(echo "$js" | jq -c --argjson i "$b" '.[] | select(.ino == $i) | [.pid, .netns_ino, .devname]')" \
		"[$pb,$nsino,\"lo\"]" || return 1
	expect_eq "C" "$(echo "$js" | jq -c --argjson i "$c" '.[] | select(.ino == $i) | [.pid, .nr_insns, .ifindex]')" \
		"[$pc,6,0]" || return 1
	# plain: one entry, two lines, the same facts
	"$BPFSCOPE" sock show | grep -A1 "^ino $a  packet raw  proto 0x0800 (ip)  dev lo  filter 11 insns$" |
		grep -q "^	pid $pa  comm sock_filter  fd 3  uid 0  netns net:\[" ||
		{ echo "plain: $("$BPFSCOPE" sock show)"; return 1; }
	# selectors
	expect_eq "pid" "$("$BPFSCOPE" -j sock list pid "$pb" | jq -c '[.[].ino]')" "[$b]" || return 1
	# the holders from the owners iterator, and from /proc/PID/fd (its oracle)
	expect_eq "iterator = /proc walk" "$("$BPFSCOPE" -j sock show | ours_json)" \
		"$(BPFSCOPE_NO_ITER=1 "$BPFSCOPE" -j sock show | ours_json)"
}

t_show_stored() {
	local live stored
	live=$("$BPFSCOPE" -j sock show | ours_json)
	"$BPFSCOPE" --db "$DB" snapshot take label sock >/dev/null || return 1
	stored=$("$BPFSCOPE" --db "$DB" -s sock -j sock show | ours_json)
	expect_eq "stored = live" "$stored" "$live" || return 1
	[ "$(echo "$stored" | jq length)" = 3 ] || { echo "not all three: $stored"; return 1; }
	expect_eq "rows" "$(sqlite3 "$DB" "SELECT count(*) FROM sockets s JOIN snapshots n ON n.id = s.snapshot_id
		WHERE n.label = 'sock' AND s.comm = 'sock_filter' AND s.nr_insns > 0 AND s.filter IS NOT NULL")" 3 || return 1
	# a snapshot that did not look: said so, not an empty list passed off as the truth
	cp "$DB" "$TEST_TMP/nosock.db" && sqlite3 "$TEST_TMP/nosock.db" "UPDATE snapshots SET mask = mask & ~128" || return 1
	out=$("$BPFSCOPE" --db "$TEST_TMP/nosock.db" -s sock -j sock show 2>"$TEST_TMP/err") || return 1
	expect_eq "empty" "$out" "[]" || return 1
	grep -q "taken without sockets" "$TEST_TMP/err" || { echo "no warning: $(cat "$TEST_TMP/err")"; return 1; }
}

t_dump() {
	local a pa b pb got
	id_of a pa a; id_of b pb b
	got=$("$BPFSCOPE" sock dump ino "$a" | tail -n +3)
	expect_eq "A's disassembly" "$got" "$WANT_A" || return 1
	expect_eq "stored" "$("$BPFSCOPE" --db "$DB" -s sock sock dump ino "$a" | tail -n +3)" "$WANT_A" || return 1
	if [ -s "$TEST_TMP/b.ddd" ]; then
		# B's: what tcpdump -d prints for the expression it compiled
		got=$("$BPFSCOPE" sock dump pid "$pb" | tail -n +3)
		expect_eq "B = tcpdump -d" "$got" "$(tcpdump -d "$EXPR" 2>/dev/null)" || return 1
		expect_eq "B's numbers" "$("$BPFSCOPE" -j sock dump pid "$pb" |
			jq -r '.[0].insns | length, (.[] | "\(.code) \(.jt) \(.jf) \(.k)")')" "$(cat "$TEST_TMP/b.ddd")" || return 1
	fi
	expect_eq "json text" "$("$BPFSCOPE" -j sock dump ino "$a" | jq -r '.[0].insns[1].text')" \
		"$(printf 'jeq      #0x800           jt 2\tjf 10')"
}

# ss -0 -b -p sees this namespace's sockets only: A's filter, numbers and users
t_ss() {
	local a pa want got
	id_of a pa a
	command -v ss >/dev/null || { echo "no ss"; return 77; }
	got=$(ss -0 -b -p | grep -A1 "pid=$pa,fd=3" | sed -n 's/^[[:space:]]*bpf filter ([0-9]*): *//p')
	want=$("$BPFSCOPE" -j sock dump ino "$a" |
		jq -r '.[0].insns[] | "\(.code) \(.jt) \(.jf) \(.k)"' |
		while read -r code jt jf k; do printf '0x%02x %s %s %s, ' "$code" "$jt" "$jf" "$k"; done)
	[ -n "$got" ] || { echo "ss shows no filter for pid $pa: $(ss -0 -b -p)"; return 1; }
	expect_eq "ss -0 -b" "$(echo "$got" | sed 's/[[:space:]]*$//')" "$(echo "$want" | sed 's/[[:space:]]*$//')"
}

t_audit() {
	local a pa c pc js
	id_of a pa a; id_of c pc c
	js=$("$BPFSCOPE" -j audit severity high) ; [ $? -le 1 ] || { echo "$js"; return 1; }
	expect_eq "sock.filter" "$(echo "$js" | jq -c --argjson i "$a" '[.[] | select(.rule == "sock.filter" and .id == $i) |
		.pid, .comm, .severity, .kind]')" "[$pa,\"sock_filter\",\"medium\",\"socket\"]" || return 1
	echo "$js" | jq -e --argjson i "$a" '.[] | select(.rule == "sock.filter" and .id == $i) |
		.evidence | test("11 insns.*0x1337.*first insn ldh \\[12\\]")' >/dev/null ||
		{ echo "evidence: $js"; return 1; }
	expect_eq "magic" "$(echo "$js" | jq -c --argjson i "$c" '[.[] | select(.id == $i) | .rule] | sort')" \
		'["sock.filter","sock.filter_magic"]' || return 1
	# stored, and allowlisted by the holder's name
	"$BPFSCOPE" --db "$DB" -j audit sock > "$TEST_TMP/aud.json"; [ $? = 1 ] || return 1
	expect_eq "stored" "$(jq -c '[.[] | select(.comm == "sock_filter") | .rule] | sort' "$TEST_TMP/aud.json")" \
		'["sock.filter","sock.filter","sock.filter","sock.filter_magic"]' || return 1
	printf 'allow comm sock_filter rule sock.filter\n' > "$TEST_TMP/rules"
	expect_eq "allowed" "$("$BPFSCOPE" --db "$DB" -j audit sock rules "$TEST_TMP/rules" |
		jq -c '[.[] | select(.comm == "sock_filter") | .rule]')" '["sock.filter_magic"]' || return 1
	printf 'allow comm sock_filter\n' > "$TEST_TMP/rules"
	expect_eq "all allowed" "$("$BPFSCOPE" --db "$DB" -j audit sock rules "$TEST_TMP/rules" |
		jq -c '[.[] | select(.kind == "socket" and .comm == "sock_filter")]')" '[]'
}

# last: C goes away between two snapshots, and diff names it by identity
t_diff() {
	local c pc ident
	id_of c pc c
	ident=$("$BPFSCOPE" --db "$DB" -s sock -j audit sock 2>/dev/null |
		jq -r --argjson i "$c" '[.[] | select(.id == $i)][0].identity')
	kill "$pc" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pc" 2>/dev/null || break; sleep 0.1; done
	"$BPFSCOPE" --db "$DB" snapshot take label after >/dev/null || return 1
	expect_eq "removed" "$("$BPFSCOPE" --db "$DB" -j diff sock after sockets |
		jq -c '[.removed[] | select(.name == "sock_filter") | .identity]')" "[\"$ident\"]" || return 1
	"$BPFSCOPE" --db "$DB" diff sock after sockets | grep -qxF -- "- socket packet sock_filter  *" ||
		{ echo "plain: $("$BPFSCOPE" --db "$DB" diff sock after sockets)"; return 1; }
	# deleting a snapshot keeps the filter blobs a later one still refers to
	local a pa
	id_of a pa a
	"$BPFSCOPE" --db "$DB" snapshot delete sock >/dev/null || return 1
	expect_eq "after delete" "$("$BPFSCOPE" --db "$DB" -s after sock dump ino "$a" | tail -n +3)" "$WANT_A"
}

# not in $(...): its cleanups must reach this shell
setup >"$TEST_TMP/setup.log" 2>&1; rc=$?
out=$(cat "$TEST_TMP/setup.log")
if [ $rc != 0 ]; then
	for t in sock_show sock_show_stored sock_dump sock_ss sock_audit sock_diff; do
		if [ $rc = 77 ]; then skip $t "$out"; else fail $t "setup: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
	done
	exit 0
fi
run_test sock_show t_show_live
run_test sock_show_stored t_show_stored
run_test sock_dump t_dump
run_test sock_ss t_ss
run_test sock_audit t_audit
run_test sock_diff t_diff
