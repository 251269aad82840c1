#!/usr/bin/env python3
"""Compare bpftool's and bpfscope's JSON object lists on the given fields.
usage: jsoncmp.py A.json B.json FIELD,FIELD,... [--tolerance FIELD=N] [--only-ids FILE]
Objects are matched by "id"; ids present in only one side are ignored (the kernel moves on
between the two commands) unless --strict. Exit 1 with a line per difference."""
import json, sys

def load(p):
    with open(p) as f:
        d = json.load(f)
    return {o["id"]: o for o in (d if isinstance(d, list) else [d])}

a, b = load(sys.argv[1]), load(sys.argv[2])
fields = sys.argv[3].split(",")
tol, strict, only = {}, False, None
args = sys.argv[4:]
while args:
    x = args.pop(0)
    if x == "--tolerance":
        k, v = args.pop(0).split("=")
        tol[k] = int(v)
    elif x == "--strict":
        strict = True
    elif x == "--only-ids":
        only = set(int(i) for i in open(args.pop(0)).read().split())
bad = 0
common = set(a) & set(b)
if only is not None:
    common &= only
    missing = only - set(a) - set(b)
    for i in only:
        if i not in a or i not in b:
            print(f"id {i}: missing on {'first' if i not in a else 'second'} side"); bad += 1
if strict:
    for i in set(a) ^ set(b):
        print(f"id {i}: only on {'first' if i in a else 'second'} side"); bad += 1
for i in sorted(common):
    for f in fields:
        x, y = a[i].get(f), b[i].get(f)
        if f in tol and isinstance(x, int) and isinstance(y, int) and abs(x - y) <= tol[f]:
            continue
        if x != y:
            print(f"id {i}: {f}: {x!r} != {y!r}"); bad += 1
if not common:
    print("no common ids"); bad += 1
print(f"compared {len(common)} objects, {bad} differences", file=sys.stderr)
sys.exit(1 if bad else 0)
