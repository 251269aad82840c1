#!/usr/bin/env bash
# Help, man pages and bash completion say the same grammar (all three come from
# cli/grammar.h: this checks the generator kept it so), `make install PREFIX=` puts the
# binary, the pages and the completion in place, and the pages render with man.
source "$(dirname "$0")/lib.sh"

INST=$TEST_TMP/inst
COMPLETION=$INST/share/bash-completion/completions/bpfscope
MAN8=$INST/share/man/man8

# the commands of a help text on stdin, one a line: the first word after the object in
# each synopsis line, or each alternative's first word in "{ a ... | b ... }"
help_cmds() {
	python3 -c '
import re, sys
out = []
for line in sys.stdin.read().split("\n"):
    m = re.match(r"(?:Usage: |       )bpfscope (.*)", line)
    if not m:
        continue
    toks = re.findall(r"[{}\[\]|]|[^\s{}\[\]|]+", m.group(1))
    i = 0
    while i < len(toks) and toks[i] == "[":
        i = toks.index("]", i) + 1
    i += 1                      # the object
    if i < len(toks) and toks[i] == "{":
        depth, alt_start = 0, True
        for t in toks[i:]:
            if t in "{[": depth += 1
            elif t in "}]": depth -= 1
            if depth == 0: break
            if depth == 1 and t == "|": alt_start = True; continue
            if alt_start and t not in "{[": out.append(t); alt_start = False
    elif i < len(toks) and re.match(r"[a-z]", toks[i]):
        out.append(toks[i])
for c in dict.fromkeys(out):
    print(c)
'
}

# the keywords after the command in each synopsis line of CMD in a help text on stdin
# (the object's other commands, alternatives of one "{ show | list }", left out)
help_keywords() {
	python3 -c '
import re, sys
cmd, cmds = sys.argv[1], sys.argv[2].split()
for line in sys.stdin.read().split("\n"):
    m = re.match(r"(?:Usage: |       )bpfscope (?:\[-s REF\] )?\S+ (.*)", line)
    if not m or not re.search(r"(^|[{|] *)" + re.escape(cmd) + r"\b", m.group(1)):
        continue
    toks = re.findall(r"[^\s{}\[\]|]+", m.group(1))
    for t in toks:
        if t not in cmds and re.fullmatch(r"-{0,2}[a-z][a-z0-9_-]*", t):
            print(t)
' "$1" "$2" | sort -u
}

# complete WORDS...: what the installed completion offers for the last word
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		_bpfscope; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@"
}

# the rendered page NAME, formatting stripped
render() {
	MANPATH=$INST/share/man MANWIDTH=200 LC_ALL=C man "$1" 2>/dev/null | col -b
}

objects_of_help() {
	"$BPFSCOPE" help | sed -n '/OBJECT := {/,/}/p' | tr -d '{}|' | sed 's/OBJECT :=//' |
		tr -s ' \n' '\n' | sed '/^$/d'
}

t_install() {
	make -s -C "$TOP" install PREFIX="$INST" >"$TEST_TMP/install.log" 2>&1 ||
		{ cat "$TEST_TMP/install.log" >&2; die "make install failed"; }
	[ -x "$INST/bin/bpfscope" ] || die "bin/bpfscope not installed"
	"$INST/bin/bpfscope" version >/dev/null || die "the installed binary does not run"
	[ -s "$COMPLETION" ] || die "completion not installed"
	[ -s "$MAN8/bpfscope.8" ] || die "bpfscope.8 not installed"
	for o in $(objects_of_help); do
		[ -s "$MAN8/bpfscope-$o.8" ] || die "bpfscope-$o.8 not installed"
	done
	# and nothing else: one page per object, and bpfscope.8
	expect_eq "man pages" "$(ls "$MAN8" | sort | tr '\n' ' ')" \
		"$( (echo bpfscope.8; objects_of_help | sed 's/.*/bpfscope-&.8/') | sort | tr '\n' ' ')"
}

need_man() {
	command -v man >/dev/null && command -v groff >/dev/null && return 0
	[ "$(id -u)" = 0 ] && sh "$TOP/scripts/deps.sh" >/dev/null 2>&1
	command -v man >/dev/null && command -v groff >/dev/null ||
		{ echo "man-db/groff not installed"; return 77; }
}

t_man_renders() {
	need_man || return $?
	local o page
	render bpfscope | grep -q '^BPFSCOPE(8)' || die "man bpfscope does not render"
	for o in $(objects_of_help); do
		page=$(render "bpfscope-$o")
		grep -q "^BPFSCOPE-${o^^}(8)" <<<"$page" || die "man bpfscope-$o does not render"
		grep -q "^NAME" <<<"$page" && grep -q "^SYNOPSIS" <<<"$page" &&
			grep -q "^DESCRIPTION" <<<"$page" || die "bpfscope-$o(8) lacks a section"
	done
	man -l "$MAN8/bpfscope-prog.8" 2>/dev/null | col -b | grep -q 'prog dump xlated' ||
		die "man -l bpfscope-prog.8 lacks 'prog dump xlated'"
}

# The objects: bpfscope help, bpfscope(8) and completion list the same ones.
t_objects_agree() {
	need_man || return $?
	local want man comp
	want=$(objects_of_help | sort)
	man=$(render bpfscope | sed -n '/^OBJECTS/,/^FILES/p' | grep -oE '^       [a-z_]+' |
		tr -d ' ' | sort)
	comp=$(complete_words bpfscope "" | grep -vx help | sort)
	expect_eq "objects in bpfscope(8)" "$(echo $man)" "$(echo $want)" || return 1
	expect_eq "objects in completion" "$(echo $comp)" "$(echo $want)"
}

# Each object's commands: its help, its page's COMMAND := { ... } and completion agree, and
# every synopsis line of the help is in the page; every keyword of a command's synopsis
# completes after that command.
t_commands_agree() {
	need_man || return $?
	local o help want page man comp c kw line offered
	for o in $(objects_of_help); do
		[ "$o" = version ] || [ "$o" = query ] && continue	# no help command
		help=$("$BPFSCOPE" "$o" help 2>&1) || help=
		want=$(help_cmds <<<"$help")
		[ -n "$want" ] && want=$(printf '%s\nhelp\n' "$want" | awk '!seen[$0]++')
		page=$(render "bpfscope-$o")
		man=$(grep -A3 'COMMAND := {' <<<"$page" | tr '\n' ' ' |
			sed 's/.*COMMAND := {\([^}]*\)}.*/\1/' | tr -d '|' | tr -s ' ' '\n' | sed '/^$/d')
		comp=$(complete_words bpfscope "$o" "")
		if [ -n "$want" ]; then
			expect_eq "$o: commands in bpfscope-$o(8)" "$(echo $man)" "$(echo $want)" || return 1
			expect_eq "$o: commands in completion" "$(echo $comp)" "$(echo $want)" || return 1
		fi
		while IFS= read -r line; do
			line=$(sed -E 's/^(Usage: |       )//' <<<"$line")
			grep -qF -- "$line" <<<"$page" || die "$o: '$line' of help is not in bpfscope-$o(8)"
		done < <(grep -E '^(Usage: |       )bpfscope ' <<<"$help")
		for c in $want; do
			[ "$c" = help ] && continue
			offered=$(complete_words bpfscope "$o" "$c" "")
			for kw in $(help_keywords "$c" "$(echo $want)" <<<"$help"); do
				grep -qxF -- "$kw" <<<"$offered" || die "$o $c: '$kw' of help does not complete"
			done
		done
	done
}

t_completes_xlated() {
	expect_eq "bpfscope prog dump x<TAB>" "$(complete_words bpfscope prog dump x)" xlated || return 1
	expect_eq "bpfscope pr du x<TAB>" "$(complete_words bpfscope pr du x)" xlated || return 1
	expect_eq "bpfscope prog dump xlated id 3 op<TAB>" \
		"$(complete_words bpfscope prog dump xlated id 3 op)" opcodes || return 1
	expect_eq "bpfscope -j sn<TAB>" "$(complete_words bpfscope -j sn)" snapshot || return 1
	expect_eq "bpfscope --js<TAB>" "$(complete_words bpfscope --js)" --json || return 1
	# a keyword that takes a file completes file names
	: > "$TEST_TMP/grammar_probe.o"
	expect_eq "bpfscope prog dump xlated pinned ...grammar_pr<TAB>" \
		"$(complete_words bpfscope prog dump xlated pinned "$TEST_TMP/grammar_pr")" \
		"$TEST_TMP/grammar_probe.o"
}

# Trailing words are named, whichever command they follow.
t_trailing_words() {
	local out
	for cmd in "btf show id 5 extra" "link show id 5 extra" "snapshot list extra" \
		   "perf show extra" "version extra" "net show dev lo extra"; do
		out=$("$BPFSCOPE" $cmd 2>&1) && die "'$cmd' succeeded"
		grep -q "'extra'" <<<"$out" || die "'$cmd': the error does not name 'extra': $out"
	done
	out=$("$BPFSCOPE" prog lo 2>&1) && die "'prog lo' succeeded"
	grep -q "^Error: ambiguous command 'lo'" <<<"$out" || die "'prog lo' not ambiguous: $out"
}

run_test grammar/install t_install
run_test grammar/man_renders t_man_renders
run_test grammar/objects_agree t_objects_agree
run_test grammar/commands_agree t_commands_agree
run_test grammar/completes_xlated t_completes_xlated
run_test grammar/trailing_words t_trailing_words
