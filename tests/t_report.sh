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
	bs snapshot take label second maps-data >/dev/null || die "snapshot"
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

test_errors() {
	local rc
	bs report nosuch file "$TEST_TMP/x.html" 2>/dev/null; rc=$?
	expect_eq "unknown ref" "$rc" 2 || return 1
	[ -e "$TEST_TMP/x.html" ] && die "a half page left behind"
	bs report latest file /nonexistent/dir/x.html 2>/dev/null && die "an unwritable file accepted"
	return 0
}

setup
run_test report/page test_page
run_test report/hostile test_hostile
run_test report/diff_page test_diff_page
run_test report/errors test_errors
