#!/usr/bin/env bash
# report: one self-contained HTML page (nothing fetched), opened for real in headless
# Chromium; hostile names, labels, hosts, paths and comm in a crafted database render as
# text and run nothing; report diff shows the rebuilt program and its code.
. "$(dirname "$0")/lib.sh"
PIN=/sys/fs/bpf/bpfscope-t-report-$$
DB=$TEST_TMP/report.db
bs() { "$BPFSCOPE" --db "$DB" "$@"; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

# the page's DOM after its scripts ran
dom() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$TEST_TMP/chromium" --dump-dom "file://$1" 2>/dev/null
}

setup() {
	need_root || exit 77
	ensure_bpffs
	mkdir -p "$PIN/g" "$PIN/gm"
	cleanup_add "rm -rf '$PIN'"
	bs prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/g" pinmaps "$PIN/gm" autoattach >/dev/null ||
		die "load"
	bs prog load "$SAMPLES/xdp_drop_8080.bpf.o" "$PIN/xdp" type xdp >/dev/null || die "load xdp"
	bs snapshot take label first maps-data >/dev/null || die "snapshot"
	sed 's/== 8080/== 9090/' "$TOP/samples/xdp_drop_8080.bpf.c" > "$TEST_TMP/xdp_drop_9090.bpf.c"
	clang -g -O2 -target bpf -I"/usr/include/$(uname -m)-linux-gnu" \
		-c "$TEST_TMP/xdp_drop_9090.bpf.c" -o "$TEST_TMP/xdp_drop_9090.bpf.o" || die "clang"
	rm -f "$PIN/xdp"
	bs prog load "$TEST_TMP/xdp_drop_9090.bpf.o" "$PIN/xdp" type xdp >/dev/null || die "reload"
	# counters for the plots: getpid calls while the second snapshot samples stats
	python3 -c 'import os, time
t = time.time()
while time.time() - t < 4: os.getpid()' &
	bs snapshot take label second maps-data stats 1 >/dev/null || die "snapshot"
	wait
}

test_page() {
	local page=$TEST_TMP/page.html id
	[ -n "$CHROMIUM" ] || die "no chromium (make deps installs it)"
	bs report second file "$page" || die "report failed"
	id=$(bs -s second -j prog show pinned "$PIN/g/count_getpid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	grep -q "<section class=\"prog\" id=\"prog-$id\">" "$page" || die "no section for prog $id"
	grep -q '<svg' "$page" || die "no inline CFG"
	grep -qF "$PIN/g/count_getpid" "$page" || die "no attach point"
	# self-contained: nothing to fetch (SVG namespaces are names, not fetches)
	if grep -oE '(src|href)="[a-z]+:[^"]*"|<link |@import|url\(' "$page" | grep -v 'http://www.w3.org' | head -3 | grep -q .; then
		die "the page fetches something: $(grep -oE '(src|href)="[a-z]+:[^"]*"|<link |url\(' "$page" | head -3)"
	fi
	dom "$page" > "$TEST_TMP/dom.html"
	grep -q "<title>bpfscope report</title>" "$TEST_TMP/dom.html" || die "chromium did not render it"
	grep -q "count_getpid" "$TEST_TMP/dom.html" || die "no program in the DOM"
}

# every field a database holds, made hostile in a copy
test_hostile() {
	local bad=$TEST_TMP/bad.db page=$TEST_TMP/bad.html
	cp "$DB" "$bad"
	python3 - "$bad" <<'PY' || die "crafting"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
p = ["<script>document.title='PWNED'</script>", "\"><img src=x onerror=\"document.title='PWNED'\">",
     "</style><script>document.title='PWNED'</script>", "</script><script>document.title='PWNED'</script>",
     "'><svg onload=\"document.title='PWNED'\">", "a\x1b[31mred\x07", "x" * 5000]
def s(i): return p[i % len(p)]
db.execute("UPDATE snapshot_rows SET label = ?", (s(0),))
db.execute("UPDATE snapshot_envs SET host = ?, kernel_release = ?", (s(1), s(2)))
rows = [r[0] for r in db.execute("SELECT row FROM prog_rows")]
for i, r in enumerate(rows):
    db.execute("UPDATE prog_rows SET name = ?, full_name = ? WHERE row = ?", (s(i), s(i + 1), r))
for i, (r,) in enumerate(db.execute("SELECT row FROM map_rows").fetchall()):
    db.execute("UPDATE map_rows SET name = ? WHERE row = ?", (s(i + 2), r))
for i, (r,) in enumerate(db.execute("SELECT row FROM pin_rows").fetchall()):
    db.execute("UPDATE pin_rows SET path = ? WHERE row = ?", ("/sys/fs/bpf/" + s(i + 3), r))
db.execute("UPDATE btf_rows SET name = ?", (s(4),))
db.execute("UPDATE owner_rows SET comm = ?", (s(3),))
# invalid UTF-8 and a NUL, stored as text
db.execute("UPDATE prog_rows SET name = CAST(? AS TEXT) WHERE row = ?", (b"\xff\xfe<b>\x00x", rows[0]))
db.commit()
PY
	"$BPFSCOPE" --db "$bad" report latest file "$page" || die "report of the hostile copy failed"
	grep -q "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" "$page" || die "not escaped"
	grep -q "<script>document.title" "$page" && die "a raw script tag"
	# the same through dir: the index and every program page
	"$BPFSCOPE" --db "$bad" report latest dir "$TEST_TMP/bad-dir" || die "report dir of the hostile copy failed"
	grep -l "<script>document.title" "$TEST_TMP/bad-dir"/*.html && die "a raw script tag in a page of dir"
	grep -lq "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" "$TEST_TMP/bad-dir"/prog-*.html ||
		die "no escaped name in the program pages"
	dom "$TEST_TMP/bad-dir/index.html" | grep -q "<title>bpfscope report</title>" || die "dir index: something ran"
	dom "$page" > "$TEST_TMP/bad-dom.html"
	grep -q "<title>bpfscope report</title>" "$TEST_TMP/bad-dom.html" || die "no title: something ran"
	grep -q "PWNED</title>" "$TEST_TMP/bad-dom.html" && die "a hostile string ran"
	# the file is unchanged by being read
	cmp -s "$bad" "$TEST_TMP/bad.db" || true
	return 0
}

test_diff_page() {
	local page=$TEST_TMP/diff.html rc
	bs report diff first second file "$page"; rc=$?
	expect_eq "report diff exit (different)" "$rc" 1 || return 1
	grep -q "drop_ingress_port_8080" "$page" || die "no changed program"
	grep -q '<span class="add">+(55) if r1 != 0x8223' "$page" || die "no coloured code diff"
	dom "$page" | grep -q "<h2 class=\"chg\">Changed" || die "chromium: no Changed section"
}

prog_id() {
	bs -s second -j prog show pinned "$PIN/g/count_getpid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# a program's section: its map's entries, its history, its counters as plots
test_prog_section() {
	local page=$TEST_TMP/page.html id sec
	[ -f "$page" ] || bs report second file "$page" || die "report failed"
	id=$(prog_id)
	sec=$(sed -n "/<section class=\"prog\" id=\"prog-$id\">/,/<\/section>/p" "$page")
	grep -q '<h4>map [0-9]* count: 1 entry</h4>' <<< "$sec" || die "no map entries in the section"
	grep -q '<tr><td>0</td><td>[1-9][0-9]*</td></tr>' <<< "$sec" || die "no counted entry"
	grep -q '<li>first seen in snapshot [0-9]* ' <<< "$sec" || die "no history"
	grep -q 'aria-label="run_cnt per snapshot"' <<< "$sec" || die "no run_cnt plot"
	grep -q 'aria-label="run_time_ns per snapshot"' <<< "$sec" || die "no run_time_ns plot"
	return 0
}

# dir DIR: an index and a page per program, 0600 in a 0700 directory, loaded in Chromium
test_dir() {
	local d=$TEST_TMP/rep id nprogs npages rc
	bs report second dir "$d" || die "report dir failed"
	expect_eq "directory mode" "$(stat -c %a "$d")" 700 || return 1
	[ -z "$(find "$d" -type f ! -perm 600)" ] || die "pages not 0600: $(find "$d" -type f ! -perm 600 | head -3)"
	nprogs=$(bs -s second -j prog show | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	npages=$(find "$d" -name 'prog-*.html' | wc -l)
	expect_eq "program pages" "$npages" "$nprogs" || return 1
	id=$(prog_id)
	grep -q "<a href=\"prog-$id.html\">count_getpid</a>" "$d/index.html" || die "the index does not link to prog $id"
	grep -q '<section class="prog"' "$d/index.html" && die "program sections in the index"
	dom "$d/index.html" > "$TEST_TMP/idx-dom.html"
	grep -q "<title>bpfscope report</title>" "$TEST_TMP/idx-dom.html" || die "chromium did not render the index"
	grep -q "count_getpid" "$TEST_TMP/idx-dom.html" || die "no program in the index's DOM"
	dom "$d/prog-$id.html" > "$TEST_TMP/prog-dom.html"
	grep -q "<title>bpfscope report: prog $id</title>" "$TEST_TMP/prog-dom.html" || die "chromium did not render the program page"
	grep -q '<a href="index.html">index</a>' "$TEST_TMP/prog-dom.html" || die "no link back"
	grep -q '<svg' "$TEST_TMP/prog-dom.html" || die "no CFG on the program page"
	grep -q 'count: 1 entry' "$TEST_TMP/prog-dom.html" || die "no map entries on the program page"
	# a directory that is not ours is refused with one line, and left as it was
	mkdir -p "$TEST_TMP/foreign" && echo notes > "$TEST_TMP/foreign/notes.txt"
	bs report second dir "$TEST_TMP/foreign" 2>"$TEST_TMP/foreign.err"; rc=$?
	expect_eq "foreign directory" "$rc" 2 || return 1
	expect_eq "error lines" "$(wc -l < "$TEST_TMP/foreign.err")" 1 || return 1
	expect_eq "foreign directory untouched" "$(ls "$TEST_TMP/foreign")" notes.txt || return 1
	# ours is rewritten: a stale program page goes, a widened mode is narrowed
	touch "$d/prog-4000000000.html"; chmod 644 "$d/index.html"
	bs report second dir "$d" || die "rewriting a report failed"
	[ -e "$d/prog-4000000000.html" ] && die "a stale program page stayed"
	expect_eq "index mode" "$(stat -c %a "$d/index.html")" 600
}

# the diff page lists exactly what diff -j lists (acceptance 3); code side by side, CFGs marked
test_diff_exact() {
	local page=$TEST_TMP/diff.html
	[ -f "$page" ] || bs report diff first second file "$page"
	bs -j diff first second > "$TEST_TMP/diff.json"
	dom "$page" > "$TEST_TMP/diff-dom.html"
	python3 - "$TEST_TMP/diff.json" "$TEST_TMP/diff-dom.html" <<'PY' || die "the page's changes differ from diff -j's"
import json, sys
from collections import Counter
from html.parser import HTMLParser
j = json.load(open(sys.argv[1]))
want = Counter((op, c["kind"], c["identity"]) for op in ("removed", "added", "changed", "transient") for c in j[op])
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.rows = []; s.op = None; s.cell = None; s.cells = []
    def handle_starttag(s, t, a):
        a = dict(a)
        if t == "tr" and "data-op" in a: s.op = a["data-op"]; s.cells = []
        if t == "td" and s.op: s.cell = ""
    def handle_endtag(s, t):
        if t == "td" and s.op is not None and s.cell is not None: s.cells.append(s.cell); s.cell = None
        if t == "tr" and s.op: s.rows.append((s.op, s.cells[0], s.cells[4])); s.op = None
    def handle_data(s, d):
        if s.cell is not None: s.cell += d
p = P(); p.feed(open(sys.argv[2]).read())
got = Counter(p.rows)
if got != want or not want:
    print("only in diff -j:", want - got, "only in the page:", got - want, file=sys.stderr); sys.exit(1)
PY
	grep -q '<td class="add"><pre>(55) if r1 != 0x8223' "$page" || die "no side-by-side code"
	grep -q '<td class="same"><pre>; ' "$page" || die "no source lines beside the code"
	# (other sessions' programs may have changed too: count in ours only)
	expect_eq "CFGs of the changed program" "$(sed -n '/<h3>xdp drop_ingress_port_8080<\/h3>/,/<\/section>/p' "$page" | grep -c '<svg')" 2 || return 1
	grep -q 'fill="#ffd966"\|fill="#9fd88f"' "$page" || die "no changed block marked"
	# the getpid counter moved between the two: its map's contents change is on the page
	grep -q '<span class="chg">~ key 0  value [0-9]* -&gt; [0-9]*</span>' "$page" || die "no map contents change"
}

test_errors() {
	local rc
	bs report nosuch file "$TEST_TMP/x.html" 2>/dev/null; rc=$?
	expect_eq "unknown ref" "$rc" 2 || return 1
	[ -e "$TEST_TMP/x.html" ] && die "a half page left behind"
	bs report latest file /nonexistent/dir/x.html 2>/dev/null && die "an unwritable file accepted"
	return 0
}

# Shared layouts (programs whose code differs only in numbers get one) and the sections a
# second process writes change nothing: the page and the pages equal those drawn with every
# CFG alone in one process, and each copy's CFG carries its own map id.
test_shared_same() {
	local a=$TEST_TMP/alone.html b=$TEST_TMP/shared.html
	mkdir -p "$PIN/g2" "$PIN/gm2"
	bs prog loadall "$SAMPLES/getpid_count.bpf.o" "$PIN/g2" pinmaps "$PIN/gm2" >/dev/null ||
		die "load a second copy"
	bs snapshot take label third >/dev/null || die "snapshot"
	BPFSCOPE_REPORT_ALONE=1 bs report third file "$a" || die "report, every CFG alone"
	BPFSCOPE_REPORT_SPLIT_MIN=2 bs report third file "$b" || die "report, shared and split"
	cmp -s "$a" "$b" || die "shared layouts or the second process changed the page"
	BPFSCOPE_REPORT_ALONE=1 bs report third dir "$TEST_TMP/alone.d" || die "dir, alone"
	BPFSCOPE_REPORT_SPLIT_MIN=2 bs report third dir "$TEST_TMP/shared.d" || die "dir, shared"
	diff -r -q "$TEST_TMP/alone.d" "$TEST_TMP/shared.d" >&2 || die "the pages differ"
	local p1 p2
	p1=$(bs -s third -j prog show pinned "$PIN/g/count_getpid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	p2=$(bs -s third -j prog show pinned "$PIN/g2/count_getpid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	python3 - "$b" "$p1" "$p2" <<'PY' || die "a copy's CFG lacks its own map id"
import re, sys
page = open(sys.argv[1]).read()
maps = []
for p in sys.argv[2:]:
    sec = re.search(r'<section class="prog" id="prog-%s">.*?</section>' % p, page, re.S).group(0)
    m = re.search(r'uses map (\d+)', sec).group(1)
    svg = re.search(r'<div class="svgbox"><svg.*?</svg>', sec, re.S).group(0)	# (not a plot)
    if 'map[id:%s]' % m not in svg:
        sys.exit("prog %s: no map[id:%s] in its CFG" % (p, m))
    maps.append(m)
if maps[0] == maps[1]:
    sys.exit("both copies use map %s" % maps[0])
PY
}

setup
run_test report/page test_page
run_test report/hostile test_hostile
run_test report/diff_page test_diff_page
run_test report/prog_section test_prog_section
run_test report/dir test_dir
run_test report/diff_exact test_diff_exact
run_test report/errors test_errors
run_test report/shared_same test_shared_same
