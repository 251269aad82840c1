#!/usr/bin/env python3
"""Hostile chunk lists of map contents (schema 8, lib/map_chunks.h), for tests/t_map_chunks.sh
and mkvariants.py's chunks_hostile. Usage: mkchunks.py BASE OUTDIR: one variant a kind, every
map contents row of BASE given that kind's list (with the list's true hash, so the reader
gets past the hash check to the list itself). Prints the variant names."""
import hashlib, os, shutil, sqlite3, struct, sys, zlib

HDR = 32

def blob_raw(db, h):
    r = db.execute("SELECT codec, zdata FROM blobs WHERE hash = ?", (h,)).fetchone()
    if not r:
        return None
    return zlib.decompress(r[1]) if r[0] == 1 else bytes(r[1])

def put(db, kind, raw, raw_size=None, codec=0, zdata=None):
    h = hashlib.sha256(raw).digest()
    db.execute("INSERT OR REPLACE INTO blobs(hash, kind, raw_size, codec, zdata) VALUES (?,?,?,?,?)",
               (h, kind, len(raw) if raw_size is None else raw_size, codec, raw if zdata is None else zdata))
    return h

def entries(db, raw):
    """(sizes, keys, values) of a contents blob, a chunk list joined first."""
    if raw[:8] == b"BPFSMAPC":
        ks, vs, cpus, stride, count, n = struct.unpack_from("<IIIIQI", raw, 8)
        keys, vals = [], []
        for i in range(n):
            h = raw[40 + 40 * i: 72 + 40 * i]
            _, k, v = entries(db, blob_raw(db, h))
            keys += k
            vals += v
        return (ks, vs, cpus, stride), keys, vals
    ks, vs, cpus, stride, count = struct.unpack_from("<IIIIQ", raw, 8)
    keys = [raw[HDR + i * ks: HDR + (i + 1) * ks] for i in range(count)]
    vo = HDR + count * ks
    vals = [raw[vo + i * stride: vo + (i + 1) * stride] for i in range(count)]
    return (ks, vs, cpus, stride), keys, vals

def chunk(sizes, keys, vals, magic=b"BPFSMAP1", count=None):
    return (magic + struct.pack("<IIIIQ", *sizes, len(keys) if count is None else count)
            + b"".join(keys) + b"".join(vals))

def chunk_list(sizes, recs, count=None, nr=None):
    count = sum(n for _, n in recs) if count is None else count
    return (b"BPFSMAPC" + struct.pack("<IIIIQII", *sizes, count, len(recs) if nr is None else nr, 0)
            + b"".join(h + struct.pack("<Q", n) for h, n in recs))

def split(db, sizes, keys, vals, parts=3, mangle=None):
    """The entries in `parts` chunk blobs; mangle(i, raw) may change chunk i's bytes."""
    step = max(1, -(-len(keys) // parts))
    recs = []
    for i, a in enumerate(range(0, max(len(keys), 1), step)):
        raw = chunk(sizes, keys[a:a + step], vals[a:a + step])
        if mangle:
            raw = mangle(i, raw)
        recs.append((put(db, "map_chunk", raw), len(keys[a:a + step])))
    return recs

BOMB = zlib.compress(b"\0" * (256 << 20), 9)

def kinds():
    """name -> make(db, sizes, keys, vals) -> list bytes"""
    def valid_split(db, s, k, v):
        return chunk_list(s, split(db, s, k, v))
    def nr_chunks_lie(db, s, k, v):
        return chunk_list(s, split(db, s, k, v), nr=0xFFFFFFFF)
    def count_mismatch(db, s, k, v):
        return chunk_list(s, split(db, s, k, v), count=len(k) + 1)
    def count_huge(db, s, k, v):
        return chunk_list(s, [(split(db, s, k, v)[0][0], 1 << 62)])
    def chunk_bomb(db, s, k, v):
        recs = split(db, s, k, v)
        fake = hashlib.sha256(b"bomb").digest()
        db.execute("INSERT OR REPLACE INTO blobs(hash, kind, raw_size, codec, zdata) VALUES (?,?,?,?,?)",
                   (fake, "map_chunk", HDR + recs[0][1] * (s[0] + s[3]), 1, BOMB))
        return chunk_list(s, [(fake, recs[0][1])] + recs[1:])
    def chunk_claims_huge(db, s, k, v):
        recs = split(db, s, k, v)
        raw = blob_raw(db, recs[0][0])
        db.execute("UPDATE blobs SET raw_size = ? WHERE hash = ?", (1 << 40, recs[0][0]))
        return chunk_list(s, recs)
    def chunk_header_disagrees(db, s, k, v):
        return chunk_list(s, split(db, s, k, v, mangle=lambda i, r: r[:8] + struct.pack("<I", s[0] + 1) + r[12:] if i == 0 else r))
    def chunk_count_lies(db, s, k, v):
        return chunk_list(s, split(db, s, k, v, mangle=lambda i, r: r[:24] + struct.pack("<Q", 1 << 40) + r[32:] if i == 0 else r))
    def chunk_short(db, s, k, v):
        return chunk_list(s, split(db, s, k, v, mangle=lambda i, r: r[:len(r) - 3] if i == 0 else r))
    def trailer_early(db, s, k, v):
        return chunk_list(s, split(db, s, k, v, mangle=lambda i, r: b"BPFSMAP2" + r[8:] + struct.pack("<II", 0, 0) if i == 0 else r))
    def chunk_missing(db, s, k, v):
        recs = split(db, s, k, v)
        return chunk_list(s, [(hashlib.sha256(b"nothing").digest(), recs[0][1])] + recs[1:])
    def list_random_tail(db, s, k, v):
        return b"BPFSMAPC" + hashlib.sha512(b"".join(k[:4])).digest()[:50]
    return [valid_split, nr_chunks_lie, count_mismatch, count_huge, chunk_bomb, chunk_claims_huge,
            chunk_header_disagrees, chunk_count_lies, chunk_short, trailer_early, chunk_missing,
            list_random_tail]

def apply(db, make):
    """Every contents row of db: its list made by make."""
    for (row, h) in db.execute("SELECT row, contents FROM map_data_rows WHERE contents IS NOT NULL").fetchall():
        raw = blob_raw(db, h)
        if raw is None or raw[:8] not in (b"BPFSMAP1", b"BPFSMAPC"):
            continue
        sizes, keys, vals = entries(db, raw)
        lst = make(db, sizes, keys, vals)
        db.execute("UPDATE map_data_rows SET contents = ? WHERE row = ?", (put(db, "map_contents", lst), row))

def trailer(base, out):
    """Two copies of base whose contents carry a walk's error trailer (BPFSMAP2: failed
    lookups before the first entry, inside, before the last and after it): whole, and split
    in 4 chunks with the trailer in the last. A reader must print both alike."""
    for name, parts in (("trailer_whole", 0), ("trailer_split", 4)):
        path = os.path.join(out, name + ".db")
        shutil.copy(base, path)
        db = sqlite3.connect(path)
        for (row, h) in db.execute("SELECT row, contents FROM map_data_rows WHERE contents IS NOT NULL").fetchall():
            raw = blob_raw(db, h)
            if raw is None or raw[:8] not in (b"BPFSMAP1", b"BPFSMAPC"):
                continue
            s, k, v = entries(db, raw)
            n = len(k)
            errs = [(2, p, k[min(p, n - 1)] if n else b"\0" * s[0]) for p in (0, n // 3, n // 3, max(n - 1, 0), n)]
            tail = struct.pack("<II", 0, len(errs)) + b"".join(struct.pack("<II", e, p) + key for e, p, key in errs)
            if not parts:
                lst = chunk(s, k, v, magic=b"BPFSMAP2") + tail
            else:
                last = -(-n // parts) * (parts - 1)
                recs = split(db, s, k[:last], v[:last], parts=parts - 1)
                recs.append((put(db, "map_chunk", chunk(s, k[last:], v[last:], magic=b"BPFSMAP2") + tail),
                             len(k[last:])))
                lst = chunk_list(s, recs)
            db.execute("UPDATE map_data_rows SET contents = ? WHERE row = ?", (put(db, "map_contents", lst), row))
        db.commit()
        db.execute("PRAGMA journal_mode = DELETE")
        db.close()
        print(name)

if __name__ == "__main__" and sys.argv[1] == "trailer":
    os.makedirs(sys.argv[3], exist_ok=True)
    trailer(sys.argv[2], sys.argv[3])
elif __name__ == "__main__":
    base, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for make in kinds():
        path = os.path.join(out, make.__name__ + ".db")
        shutil.copy(base, path)
        db = sqlite3.connect(path)
        apply(db, make)
        db.commit()
        db.execute("PRAGMA journal_mode = DELETE")
        db.close()
        print(make.__name__)
