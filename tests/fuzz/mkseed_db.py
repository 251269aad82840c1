#!/usr/bin/env python3
# A small seed for fuzz_db_image from a real snapshot database: only the objects whose pins
# lie under PIN_DIR (and the maps, links and BTF they use) stay, the boot's kernel symbols
# shrink to those around BPF, kernel BTF goes; blobs nobody refers to go, then VACUUM.
#   mkseed_db.py SRC.db PIN_DIR OUT.db
import hashlib
import shutil
import sqlite3
import sys
import zlib

src, pin_dir, out = sys.argv[1:4]
shutil.copyfile(src, out)
c = sqlite3.connect(out)
c.execute("PRAGMA journal_mode = DELETE")
pat = pin_dir.rstrip("/") + "/%"
progs = {r[0] for r in c.execute("SELECT obj_id FROM pin_rows WHERE obj_type = 'prog' AND path LIKE ?", (pat,))}
maps = {r[0] for r in c.execute("SELECT obj_id FROM pin_rows WHERE obj_type = 'map' AND path LIKE ?", (pat,))}
maps |= {r[0] for r in c.execute("SELECT m.map_id FROM prog_row_maps m JOIN prog_rows p ON p.row = m.row "
                                 "WHERE p.id IN (%s)" % ",".join(map(str, progs or {0})))}
if not progs:
    sys.exit("no programs pinned under " + pin_dir)


def keep(table, col, ids):
    c.execute("DELETE FROM %s WHERE %s NOT IN (%s)" % (table, col, ",".join(map(str, ids or {0}))))


keep("prog_rows", "id", progs)
c.execute("DELETE FROM prog_row_maps WHERE row NOT IN (SELECT row FROM prog_rows)")
keep("map_rows", "id", maps)
c.execute("DELETE FROM map_data_rows WHERE map_row NOT IN (SELECT row FROM map_rows)")
if c.execute("SELECT 1 FROM sqlite_master WHERE name = 'map_chunks'").fetchone():
    c.execute("DELETE FROM map_chunks WHERE list NOT IN (SELECT contents FROM map_data_rows"
              " WHERE contents IS NOT NULL)")
c.execute("DELETE FROM pin_rows WHERE path NOT LIKE ?", (pat,))
keep("link_rows", "prog_id", progs)
for t in ("prog_stat_rows", "attach_rows", "owner_rows", "sockets", "load_events"):
    c.execute("DELETE FROM %s" % t)
btfs = {r[0] for r in c.execute("SELECT btf_id FROM prog_rows UNION SELECT btf_id FROM map_rows")}
keep("btf_rows", "id", btfs)
c.execute("DELETE FROM btf_rows WHERE kernel")

# kallsyms: the lines naming bpf (helpers, __bpf_call_base, the programs' own symbols)
for boot, h in list(c.execute("SELECT boot_id, kallsyms FROM boots WHERE kallsyms IS NOT NULL")):
    raw_size, codec, z = c.execute("SELECT raw_size, codec, zdata FROM blobs WHERE hash = ?", (h,)).fetchone()
    text = zlib.decompress(z) if codec else z
    small = b"".join(l + b"\n" for l in text.split(b"\n") if b"bpf" in l)[:65536]
    nh = hashlib.sha256(small).digest()
    c.execute("INSERT OR IGNORE INTO blobs(hash, kind, raw_size, codec, zdata) VALUES(?, 'kallsyms', ?, 1, ?)",
              (nh, len(small), zlib.compress(small, 9)))
    c.execute("UPDATE boots SET kallsyms = ? WHERE boot_id = ?", (nh, boot))

# blobs: only those a remaining row refers to
refs = set()
for table, cols in (("prog_rows", ("xlated", "jited_insns", "func_info", "line_info", "jited_line_info",
                                   "jited_ksyms", "jited_func_lens", "prog_tags")),
                    ("map_data_rows", ("contents",)), ("btf_rows", ("data",)), ("boots", ("kallsyms",)),
                    ("link_rows", ("info_raw",)), ("objects", ("elf",)), ("map_chunks", ("chunk",))):
    have = {r[1] for r in c.execute("PRAGMA table_info(%s)" % table)}
    for col in cols:
        if col in have:
            refs |= {r[0] for r in c.execute("SELECT %s FROM %s WHERE %s IS NOT NULL" % (col, table, col))}
for (h,) in list(c.execute("SELECT hash FROM blobs")):
    if h not in refs:
        c.execute("DELETE FROM blobs WHERE hash = ?", (h,))
c.commit()
c.execute("PRAGMA page_size = 1024")
c.execute("VACUUM")
c.close()
