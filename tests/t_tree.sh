#!/usr/bin/env bash
# The tree's rules (docs/architecture.md), checked on the source files themselves: one promise
# per folder, folders used only in their order, and the size limits. TREE=DIR checks another
# tree (the test of this test breaks a copy on purpose).
source "$(dirname "$0")/lib.sh"

TREE=${TREE:-$TOP}
ORDER="lib store analyze capture act viz reports gen cli"
# source files of a folder, without comments (a rule names what code does, not what it says)
code_of() {
	local d=$1
	[ -d "$TREE/$d" ] || return 0
	find "$TREE/$d" -maxdepth 1 \( -name '*.c' -o -name '*.h' \) ! -name '*.bpf.c' \
		! -name '*.skel.h' -print0 | sort -z |
		xargs -0 -r awk '
			FNR == 1 { incomment = 0 }
			{
				line = $0; out = ""
				while (length(line)) {
					if (incomment) {
						p = index(line, "*/"); if (!p) { line = ""; break }
						line = substr(line, p + 2); incomment = 0
					} else {
						p = index(line, "/*"); q = index(line, "//")
						if (q && (!p || q < p)) { out = out substr(line, 1, q - 1); line = ""; break }
						if (!p) { out = out line; line = ""; break }
						out = out substr(line, 1, p - 1); line = substr(line, p + 2); incomment = 1
					}
				}
				print FILENAME ":" FNR ": " out
			}'
}

# SQL text: a statement keyword followed by what such a statement needs
SQL_RE='"[^"]*\b(SELECT\b.*\bFROM|INSERT (OR [A-Z]+ )?INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE (TEMP |UNIQUE )?(TABLE|VIEW|INDEX|TRIGGER)|DROP (TABLE|VIEW|INDEX)|PRAGMA |ATTACH )'

rule_sql_only_in_store() {
	local d bad=0 hits
	for d in $ORDER; do
		[ "$d" = store ] && continue
		hits=$(code_of "$d" | grep -E "$SQL_RE")
		[ -n "$hits" ] && { echo "SQL outside store/:"; echo "$hits" | head -5; bad=1; }
		hits=$(code_of "$d" | grep -E '\bsqlite3_[a-z_]+\(' )
		[ -n "$hits" ] && { echo "sqlite3 calls outside store/:"; echo "$hits" | head -5; bad=1; }
	done
	return $bad
}

# capture/ reads the kernel: it pins, attaches, detaches, updates, deletes and freezes
# nothing. Its own programs are the two exceptions, never pinned: the iterators
# (capture/iter.bpf.c), loaded by capture/iter_load.c with their BTF (BPF_BTF_LOAD,
# BPF_PROG_LOAD by hand) and linked as BPF_TRACE_ITER by capture/iter.c for the length of one
# read; and the loads recorder (capture/loads.bpf.c), loaded by capture/loads.c
# (bpf_object__load of its own object) and attached to the tracepoints syscalls/sys_enter_bpf
# and sys_exit_bpf, and to no other, for the length of a watch. The feature probe
# (capture/feature_probe.c) loads and creates throwaway programs and maps, closed at once,
# never pinned or attached: bpf_prog_load and bpf_map_create in that file only.
CHANGE_RE='\b(bpf_obj_pin|bpf_object__pin[a-z_]*|bpf_program__pin|bpf_map__pin|bpf_link__pin|bpf_prog_attach(_opts)?|bpf_prog_detach2?|bpf_link_detach|bpf_link_update|bpf_xdp_attach|bpf_xdp_detach|bpf_tc_attach|bpf_tc_detach|bpf_set_link_xdp_fd|bpf_map_update_elem|bpf_map_update_batch|bpf_map_delete_elem|bpf_map_delete_batch|bpf_map_lookup_and_delete[a-z_]*|bpf_map_freeze|bpf_prog_load|bpf_object__load|bpf_btf_load|bpf_link_create|bpf_program__attach[a-z_]*|BPF_OBJ_PIN|BPF_PROG_ATTACH|BPF_PROG_DETACH|BPF_LINK_DETACH|BPF_LINK_UPDATE|BPF_MAP_UPDATE_ELEM|BPF_MAP_DELETE_ELEM|BPF_MAP_FREEZE|BPF_PROG_LOAD|BPF_MAP_CREATE|bpf_map_create|mount|umount2?|unlink|rmdir|mkdir)\('
ITER_OK_RE='bpf_program__attach_iter\(|__open_and_load\('
# the loads recorder: its own object, and the two bpf(2) syscall tracepoints only
LOADS_OK_RE='/capture/loads\.c:.*(\bbpf_object__load\(l->obj\)|\bbpf_program__attach_tracepoint\([a-z]+, "syscalls", "sys_(enter|exit)_bpf"\))'
RAW_CHANGE_RE='__NR_bpf, *BPF_(PROG_LOAD|MAP_CREATE|OBJ_PIN|PROG_ATTACH|PROG_DETACH|LINK_CREATE|LINK_UPDATE|LINK_DETACH|MAP_UPDATE_ELEM|MAP_DELETE_ELEM|MAP_FREEZE|BTF_LOAD)\b'
rule_capture_changes_nothing() {
	local hits
	# raw bpf(2) commands that change the kernel; the iterator loader (capture/iter_load.c)
	# loads its own programs by hand (libbpf 1.1 has no core_relos), the one exception
	hits=$( { code_of capture | grep -E "$CHANGE_RE" | grep -vE "$ITER_OK_RE" |
			grep -vE '/capture/iter(_load)?\.c:.*\b(bpf_btf_load|bpf_link_create\(prog, 0, BPF_TRACE_ITER)' |
			grep -vE "$LOADS_OK_RE" |
			grep -vE '/capture/feature_probe\.c:.*\b(bpf_prog_load|bpf_map_create)\(';
		code_of capture | grep -E "$RAW_CHANGE_RE" | grep -v '/capture/iter_load\.c:'; } )
	[ -z "$hits" ] && return 0
	echo "capture/ changes the kernel:"; echo "$hits" | head -5; return 1
}

rule_cli_no_libbpf() {
	local hits
	hits=$(code_of cli | grep -E '\b(bpf_[a-z_]+|btf__[a-z_]+|btf_dump__[a-z_]+|libbpf_[a-z_]+)\(' |
		grep -vE '\bbpf_(prog|map|link|attach)_type_str\(|#include')
	[ -z "$hits" ] && return 0
	echo "cli/ calls libbpf:"; echo "$hits" | head -5; return 1
}

rule_analyze_no_sqlite() {
	local hits
	hits=$(code_of analyze | grep -E '#include\s*[<"](sqlite3\.h|store/)')
	[ -z "$hits" ] && return 0
	echo "analyze/ includes sqlite or store/:"; echo "$hits" | head -5; return 1
}

# A folder includes headers only of itself and of folders before it.
rule_include_order() {
	local d e i bad=0 hits before=""
	for d in $ORDER; do
		for e in $ORDER; do
			[ "$e" = "$d" ] && continue
			case " $before " in *" $e "*) continue ;; esac
			hits=$(code_of "$d" | grep -E "#include\s*\"$e/")
			[ -n "$hits" ] && { echo "$d/ includes $e/, which comes after it:"; echo "$hits" | head -3; bad=1; }
		done
		before="$before $d"
	done
	# the old folders are gone
	for i in db probe; do
		[ -e "$TREE/$i" ] && { echo "$i/ still exists"; bad=1; }
	done
	return $bad
}

rule_sizes() {
	local bad=0 f big long
	big=$(cd "$TREE" && find $ORDER samples tests bench -name '*.[ch]' ! -name '*.skel.h' \
		! -path '*/build/*' ! -path 'tests/data/*' -print0 2>/dev/null |
		xargs -0 -r wc -l | awk '$2 != "total" && $1 > 800 { print $2 " " $1 }')
	[ -n "$big" ] && { echo "files over 800 lines:"; echo "$big"; bad=1; }
	for f in $(cd "$TREE" && find $ORDER -name '*.c' ! -name '*.bpf.c' 2>/dev/null); do
		long=$(awk '
			/^[A-Za-z_].*\(/ { sig = FNR }
			/^\{/ { start = FNR }
			/^\}/ { if (start && FNR - start > 120) print FILENAME ":" sig ": " FNR - start " lines"; start = 0 }
		' "$TREE/$f")
		[ -n "$long" ] && { echo "functions over 120 lines:"; echo "$long"; bad=1; }
	done
	return $bad
}

# The rules must be able to fail: each one on a copy of a file broken on purpose.
rule_tests_can_fail() {
	local t=$TEST_TMP/tree
	mkdir -p "$t"
	for d in $ORDER; do mkdir -p "$t/$d"; done
	printf 'static const char *q = "SELECT id FROM progs";\n' > "$t/cli/x.c"
	( TREE=$t; rule_sql_only_in_store ) >/dev/null && { echo "SQL in cli/ not seen"; return 1; }
	rm "$t/cli/x.c"
	printf 'int f(int fd) { return bpf_map_update_elem(fd, 0, 0, 0); }\n' > "$t/capture/x.c"
	( TREE=$t; rule_capture_changes_nothing ) >/dev/null && { echo "an update in capture/ not seen"; return 1; }
	rm "$t/capture/x.c"
	printf 'long f(void *a) { return syscall(__NR_bpf, BPF_MAP_FREEZE, a, 8); }\n' > "$t/capture/x.c"
	( TREE=$t; rule_capture_changes_nothing ) >/dev/null && { echo "a raw freeze in capture/ not seen"; return 1; }
	rm "$t/capture/x.c"
	printf 'void *f(void *p) { return bpf_program__attach_tracepoint(p, "syscalls", "sys_enter_execve"); }\n' > "$t/capture/loads.c"
	( TREE=$t; rule_capture_changes_nothing ) >/dev/null && { echo "the recorder on another tracepoint not seen"; return 1; }
	printf 'int f(void *o) { return bpf_object__load(o); }\n' > "$t/capture/loads.c"
	( TREE=$t; rule_capture_changes_nothing ) >/dev/null && { echo "the recorder loading another object not seen"; return 1; }
	rm "$t/capture/loads.c"
	printf 'int f(void) { return btf__load_vmlinux_btf() != 0; }\n' > "$t/cli/x.c"
	( TREE=$t; rule_cli_no_libbpf ) >/dev/null && { echo "libbpf in cli/ not seen"; return 1; }
	rm "$t/cli/x.c"
	printf '#include <sqlite3.h>\n' > "$t/analyze/x.c"
	( TREE=$t; rule_analyze_no_sqlite ) >/dev/null && { echo "sqlite in analyze/ not seen"; return 1; }
	rm "$t/analyze/x.c"
	printf '#include "capture/snapshot.h"\n' > "$t/store/x.c"
	( TREE=$t; rule_include_order ) >/dev/null && { echo "store/ including capture/ not seen"; return 1; }
	rm "$t/store/x.c"
	printf '/* "SELECT id FROM progs" */\n' > "$t/cli/x.c"
	( TREE=$t; rule_sql_only_in_store ) >/dev/null || { echo "SQL in a comment taken for code"; return 1; }
	return 0
}

run_test tree/sql_only_in_store rule_sql_only_in_store
run_test tree/capture_changes_nothing rule_capture_changes_nothing
run_test tree/cli_no_libbpf rule_cli_no_libbpf
run_test tree/analyze_no_sqlite rule_analyze_no_sqlite
run_test tree/include_order rule_include_order
run_test tree/sizes rule_sizes
run_test tree/rules_can_fail rule_tests_can_fail
