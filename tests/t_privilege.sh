#!/usr/bin/env bash
# Least privilege: every command that reads a stored snapshot runs as an unprivileged user
# (nobody) under a seccomp filter that kills the process on bpf() (tests/helpers/nobpf.c),
# and prints what root prints without the filter. A live `prog show` under the same filter
# must die of SIGSYS (the filter works). docs/reliability.md lists the commands.
. "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-priv-$$
DB=$TEST_TMP/base.db
NOBODY=65534
HOME_N=$TEST_TMP/nobody	# the unprivileged user's own directory: its copy of the database
NDB=$HOME_N/h.db
bs() { "$BPFSCOPE" --db "$DB" "$@"; }
# as nobody, without bpf(): the database copy it owns
nb() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$TEST_TMP/nobpf" "$BPFSCOPE" --db "$NDB" "$@"; }

setup() {
	ensure_bpffs
	gcc -O2 -Wall -Wextra -Werror -o "$TEST_TMP/nobpf" "$TOP/tests/helpers/nobpf.c" || { echo "nobpf" >&2; return 1; }
	gcc -O2 -o "$TEST_TMP/sock_filter" "$TOP/tests/helpers/sock_filter.c" || { echo "sock_filter" >&2; return 1; }
	mkdir -p "$PIN/g" "$PIN/gm" "$PIN/t" "$PIN/tm"
	cleanup_add "rm -rf '$PIN'"
	timeout 120 "$TEST_TMP/sock_filter" 120 dev lo > "$TEST_TMP/sock.out" 2>&1 &
	cleanup_add "kill $!"
	for _ in $(seq 50); do grep -q '^ready' "$TEST_TMP/sock.out" && break; sleep 0.1; done
	bs prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/g" pinmaps "$PIN/gm" autoattach >/dev/null &&
	bs prog loadall "$SAMPLES/tc_counter.bpf.o" "$PIN/t" pinmaps "$PIN/tm" >/dev/null &&
	bs map update pinned "$PIN/tm/proto_count" key 6 0 0 0 value 1 0 0 0 0 0 0 0 &&
	bs snapshot take label one maps-data >/dev/null &&
	bs prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/xdp" type xdp >/dev/null &&
	bs snapshot take label two maps-data >/dev/null || { echo "setup" >&2; return 1; }
	PROG=$(bs -s two -j prog show pinned "$PIN/g/count_getpid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	MAP=$(bs -s two -j map show pinned "$PIN/tm/proto_count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	BTF=$(bs -s two -j map show pinned "$PIN/tm/proto_count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["btf_id"])')
	IDENT=$(bs -s two -j prog history id "$PROG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])')
	[ -n "$PROG" ] && [ -n "$MAP" ] && [ -n "$BTF" ] && [ -n "$IDENT" ] || { echo "ids" >&2; return 1; }
	# nobody reaches its own directory through TEST_TMP, and owns its copy of the file
	chmod 0711 "$TEST_TMP"
	mkdir -m 0700 "$HOME_N"
	cp "$DB" "$NDB"
	chown -R $NOBODY:$NOBODY "$HOME_N"
}

# the matrix of docs/reliability.md: every stored-snapshot reader
COMMANDS=(
	"snapshot list" "snapshot show latest" "-s latest prog show" "-s latest -j prog show"
	"-s latest prog dump xlated id PROG" "-s latest -j prog dump xlated id PROG"
	"-s latest prog dump jited id PROG" "-s latest prog dump xlated id PROG visual"
	"-s latest prog cfg id PROG format dot" "-s latest prog cfg id PROG format svg file OUT"
	"-s latest map show" "-s latest -j map show"
	"-s latest map dump id MAP" "-s latest -j map dump id MAP" "-s latest btf show"
	"-s latest btf dump id BTF" "-s latest btf dump id BTF format c" "-s latest link show"
	"-s latest net show" "-s latest cgroup tree" "-s latest perf show" "-s latest -j perf show"
	"query SELECT_count(*)_FROM_progs" "diff latest~1 latest" "diff latest~1 latest code contents"
	"-j diff latest~1 latest" "-s latest prog history id PROG" "prog history identity IDENT"
	"audit latest" "-j audit latest" "report latest file OUT" "report diff latest~1 latest file OUT"
	"-s latest sock show all" "-s latest sock dump" "-s latest -j sock dump"
)

# words of command $CMD, its placeholders filled; OUT is a file in DIR ($1)
words() {
	local c=${CMD//PROG/$PROG}
	c=${c//MAP/$MAP}; c=${c//BTF/$BTF}; c=${c//OUT/$1/out.file}; c=${c//_/ }
	read -r -a ARGS <<< "$c"
	# (an identity holds spaces: one word)
	[ "${ARGS[-1]}" = IDENT ] && ARGS[-1]=$IDENT
	[ "${ARGS[0]}" = query ] && ARGS=(query "SELECT count(*) FROM progs")
	return 0
}

# one command: as root without the filter, then as nobody under it; same exit, same output
t_cmd() {
	local rc_root rc_nb
	mkdir -p "$TEST_TMP/root"
	words "$TEST_TMP/root"
	bs "${ARGS[@]}" > "$TEST_TMP/root.out" 2> "$TEST_TMP/root.err"; rc_root=$?
	rm -f "$HOME_N/out.file"
	words "$HOME_N"
	nb "${ARGS[@]}" > "$TEST_TMP/nb.out" 2> "$TEST_TMP/nb.err"; rc_nb=$?
	[ $rc_nb = 159 ] && die "'$CMD' was killed by SIGSYS: it called bpf() ($(head -c 200 "$TEST_TMP/nb.err"))"
	[ $rc_nb -ge 128 ] && die "'$CMD' died (exit $rc_nb): $(head -c 200 "$TEST_TMP/nb.err")"
	# diff and audit say "different" / "findings" with 1
	[ $rc_nb = 0 ] || { [ $rc_nb = 1 ] && [[ $CMD == *diff* || $CMD == *audit* ]]; } ||
		die "'$CMD' failed (exit $rc_nb): $(head -c 300 "$TEST_TMP/nb.err")"
	expect_eq "'$CMD' exit" "$rc_nb" "$rc_root" || return 1
	[ -s "$TEST_TMP/nb.err" ] && die "'$CMD' warned as nobody: $(head -c 300 "$TEST_TMP/nb.err")"
	cmp -s "$TEST_TMP/root.out" "$TEST_TMP/nb.out" ||
		die "'$CMD': nobody's output differs from root's: $(diff "$TEST_TMP/root.out" "$TEST_TMP/nb.out" | head -n 4)"
	case $CMD in
	*OUT*)	[ -s "$HOME_N/out.file" ] || die "'$CMD' wrote no file"
		# the page and the drawing are made the same way (a report's time aside)
		[ "$(grep -vc 'generated\|[0-9]T[0-9][0-9]:' "$HOME_N/out.file")" -gt 0 ] || die "'$CMD' wrote an empty page" ;;
	*perf*)	;;	# (no perf events on the machine: nothing to print)
	*)	[ -s "$TEST_TMP/nb.out" ] || die "'$CMD' printed nothing" ;;
	esac
}

# the filter kills what calls bpf(): a live prog show, even as root
t_filter_kills() {
	"$TEST_TMP/nobpf" "$BPFSCOPE" prog show > /dev/null 2>&1
	expect_eq "live prog show under the filter: exit" "$?" 159
}

# nobody without the filter: a live command is refused by the kernel in one line, no crash
t_live_refused() {
	local rc
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$BPFSCOPE" prog show > /dev/null 2> "$TEST_TMP/err"
	rc=$?
	[ $rc != 0 ] && [ $rc -lt 128 ] || die "live prog show as nobody: exit $rc"
	[ "$(grep -c . "$TEST_TMP/err")" -le 2 ] || die "live prog show as nobody said: $(head -c 300 "$TEST_TMP/err")"
}

# a copy nobody can read but not write, in a directory it cannot write (no -shm possible)
t_readonly_copy() {
	local d=$TEST_TMP/ro
	mkdir -m 0755 "$d" && cp "$DB" "$d/h.db" && chmod 0644 "$d/h.db" || return 1
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$TEST_TMP/nobpf" \
		"$BPFSCOPE" --db "$d/h.db" -s latest prog show id "$PROG" > "$TEST_TMP/out" 2> "$TEST_TMP/err" ||
		die "prog show from a read-only copy: $(head -c 300 "$TEST_TMP/err")"
	grep -q "^$PROG: " "$TEST_TMP/out" || die "prog show from a read-only copy printed: $(head -c 200 "$TEST_TMP/out")"
	[ ! -e "$d/h.db-shm" ] || die "a reader created $d/h.db-shm"
}

need_root > /dev/null || { skip privilege "needs root"; exit 0; }
command -v setpriv > /dev/null || { skip privilege "setpriv (util-linux) not installed"; exit 0; }
setup || { fail privilege/setup "could not make the snapshots"; exit 1; }
run_test privilege/filter_kills_bpf t_filter_kills
run_test privilege/live_refused_as_nobody t_live_refused
run_test privilege/readonly_copy t_readonly_copy
for CMD in "${COMMANDS[@]}"; do
	run_test "privilege/${CMD// /_}" t_cmd
done
