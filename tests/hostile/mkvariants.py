#!/usr/bin/env python3
"""Write hostile variants of a real snapshot database (tests/t_hostile.sh): each a copy of
BASE with one kind of damage an attacker or a broken disk could leave. Usage:
mkvariants.py BASE OUTDIR [SEED]. Prints the variant names."""
import hashlib, os, random, shutil, sqlite3, sys, zlib

base, out = sys.argv[1], sys.argv[2]
rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
os.makedirs(out, exist_ok=True)
HOSTILE = ["<script>alert(1)</script>", "a\x1b[2J\x1b[31mred", "\"'`\\", "</script></style>",
           "x" * 5000, "tab\tnew\nline", "\u202eevil", "{\"k\":1}"]
BAD_BYTES = [b"\xff\xfe\xfd", b"a\x00b", b"\xc0\x80", b"\xed\xa0\x80"]

def put_blob(db, kind, raw, codec=0, zdata=None, hash_=None):
    h = hash_ or hashlib.sha256(raw).digest()
    db.execute("INSERT OR REPLACE INTO blobs(hash, kind, raw_size, codec, zdata) VALUES (?,?,?,?,?)",
               (h, kind, len(raw), codec, zdata if zdata is not None else raw))
    return h

def rand_bytes(n):
    return bytes(rnd.getrandbits(8) for _ in range(n))

def each_blob_col(db, table, col, kind, make):
    for (row, h) in db.execute(f"SELECT row, {col} FROM {table} WHERE {col} IS NOT NULL").fetchall():
        db.execute(f"UPDATE {table} SET {col} = ? WHERE row = ?", (put_blob(db, kind, make()), row))

def xlated_random(db):
    each_blob_col(db, "prog_rows", "xlated", "xlated", lambda: rand_bytes(rnd.randrange(1, 700)))
def sock_filter_random(db):
    # the packet sockets' classic filters: random bytes, any length, counts that lie
    for (rid,) in db.execute("SELECT rowid FROM sockets WHERE filter IS NOT NULL").fetchall():
        raw = rand_bytes(rnd.randrange(0, 300))
        db.execute("UPDATE sockets SET filter = ?, nr_insns = ? WHERE rowid = ?",
                   (put_blob(db, "sock_filter", raw), rnd.randrange(-5, 100000), rid))
def jited_random(db):
    each_blob_col(db, "prog_rows", "jited_insns", "jited", lambda: rand_bytes(rnd.randrange(1, 700)))
def info_overcount(db):
    db.execute("UPDATE prog_rows SET nr_line_info = 1000000000, nr_func_info = 2000000000,"
               " nr_jited_ksyms = 4000000000, nr_jited_line_info = 99999999, nr_prog_tags = 7777777,"
               " line_info_rec_size = 4, func_info_rec_size = 0")
def info_random(db):
    for col, kind in (("line_info", "line_info"), ("func_info", "func_info"),
                      ("jited_ksyms", "jited_ksyms"), ("jited_line_info", "jited_line_info")):
        each_blob_col(db, "prog_rows", col, kind, lambda: rand_bytes(rnd.randrange(0, 300)))
def zlib_bomb(db):
    bomb = zlib.compress(b"\0" * (256 << 20), 9)
    for (row, h) in db.execute("SELECT row, xlated FROM prog_rows WHERE xlated IS NOT NULL").fetchall():
        db.execute("UPDATE blobs SET codec = 1, raw_size = 64, zdata = ? WHERE hash = ?", (bomb, h))
        break
    for (h,) in db.execute("SELECT hash FROM blobs WHERE kind = 'btf' LIMIT 1").fetchall():
        db.execute("UPDATE blobs SET codec = 1, zdata = ? WHERE hash = ?", (bomb, h))
def hash_mismatch(db):
    for (h, z, c) in db.execute("SELECT hash, zdata, codec FROM blobs").fetchall():
        z = bytearray(z)
        if z:
            z[len(z) // 2] ^= 0x55
        db.execute("UPDATE blobs SET zdata = ? WHERE hash = ?", (bytes(z), h))
def blobs_missing(db):
    db.execute("DELETE FROM blobs")
def btf_random(db):
    for (row, h) in db.execute("SELECT row, data FROM btf_rows WHERE data IS NOT NULL").fetchall():
        hdr = bytes.fromhex("9feb0101") + (24).to_bytes(4, "little") + rand_bytes(16)
        db.execute("UPDATE btf_rows SET data = ? WHERE row = ?",
                   (put_blob(db, "btf", hdr + rand_bytes(rnd.randrange(0, 2000))), row))
def contents_random(db):
    each_blob_col(db, "map_data_rows", "contents", "map_contents",
                  lambda: b"BPFSMAP1" + rand_bytes(rnd.randrange(0, 400)))
def chunks_hostile(db):
    # map contents as chunk lists (schema 8), each row another lie (tests/hostile/mkchunks.py)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import mkchunks
    kinds, i = mkchunks.kinds()[1:], [0]
    def make(db, s, k, v):
        i[0] += 1
        return kinds[i[0] % len(kinds)](db, s, k, v)
    mkchunks.apply(db, make)
def names_hostile(db):
    i = 0
    for table, cols in (("prog_rows", ("name", "full_name", "tag")), ("map_rows", ("name",)),
                        ("pin_rows", ("path", "obj_type")), ("btf_rows", ("name",)),
                        ("owner_rows", ("comm", "obj_type")), ("link_rows", ("target",)),
                        ("attach_rows", ("devname", "cgroup_path", "target", "mode", "kind")),
                        ("snapshot_rows", ("label", "warnings")),
                        ("sockets", ("comm", "devname")),
                        ("snapshot_envs", ("host", "kernel_release", "arch", "tool_version"))):
        for (rid,) in db.execute(f"SELECT rowid FROM {table}").fetchall():
            for c in cols:
                v = HOSTILE[i % len(HOSTILE)] if i % 3 else BAD_BYTES[i % len(BAD_BYTES)]
                i += 1
                db.execute(f"UPDATE {table} SET {c} = CAST(? AS TEXT) WHERE rowid = ?",
                           (v if isinstance(v, bytes) else v.encode(), rid))
def kallsyms_random(db):
    # the boot's whole text, and the lines the snapshots' calls need (view kernel_calls)
    db.execute("UPDATE boots SET kallsyms = ?", (put_blob(db, "kallsyms",
               b"\n".join(rand_bytes(rnd.randrange(0, 60)) for _ in range(2000))),))
    db.execute("UPDATE view_rows SET list = ? WHERE view = 'kernel_calls'", (put_blob(db, "view",
               b"\n".join(rand_bytes(rnd.randrange(0, 60)) for _ in range(2000))),))
def schema_newer(db):
    db.execute("PRAGMA user_version = 99")
def ints_extreme(db):
    lo, hi = -(1 << 63), (1 << 63) - 1
    db.execute("UPDATE prog_rows SET bytes_xlated = ?, bytes_jited = -1, load_time = ?, loaded_at = ?,"
               " type = 4294967295, id = id", (hi, lo, lo))
    db.execute("UPDATE map_rows SET bytes_key = -1, bytes_value = ?, max_entries = ?, type = -7",
               (hi, lo))
    db.execute("UPDATE snapshot_rows SET taken_at = ?, duration_ns = ?, nr_progs = -5", (lo, hi))
    db.execute("UPDATE blobs SET raw_size = ? WHERE kind = 'xlated'", (hi,))
    db.execute("UPDATE sockets SET ino = ?, pid = ?, fd = ?, ifindex = ?, protocol = -1,"
               " family = 4294967295, type = ?, netns_ino = -1", (hi, lo, hi, lo, hi))
    db.execute("UPDATE blobs SET raw_size = ? WHERE kind = 'sock_filter'", (hi,))
def rows_orphaned(db):
    db.execute("DELETE FROM map_rows")
    db.execute("DELETE FROM link_rows")

VARIANTS = [xlated_random, sock_filter_random, jited_random, info_overcount, info_random, zlib_bomb, hash_mismatch,
            blobs_missing, btf_random, contents_random, chunks_hostile, names_hostile, kallsyms_random,
            schema_newer, ints_extreme, rows_orphaned]

for v in VARIANTS:
    path = os.path.join(out, v.__name__ + ".db")
    shutil.copy(base, path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = OFF")
    v(db)
    db.commit()
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    print(v.__name__)

# not SQLite at all, and a truncated one
with open(base, "rb") as f:
    data = f.read()
with open(os.path.join(out, "truncated.db"), "wb") as f:
    f.write(data[: len(data) // 3])
print("truncated")
with open(os.path.join(out, "garbage.db"), "wb") as f:
    f.write(b"SQLite format 3\0" + rand_bytes(8192))
print("garbage")
