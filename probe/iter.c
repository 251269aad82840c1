/* A BPF iterator over maps, assembled from a per-boot layout (probe/iter.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include "probe/iter.h"
#include "lib/util.h"

/* ---- the layout, from vmlinux BTF ---- */

/* Offset and size of a plain (not bitfield) member of a struct, looking into anonymous
 * structs and unions. */
static int member_at(const struct btf *btf, const char *st, const char *name, uint32_t *off,
		     uint32_t *size)
{
	int id = btf__find_by_name_kind(btf, st, BTF_KIND_STRUCT);
	const struct btf_type *t;

	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	for (int depth = 0; depth < 4; depth++) {
		const struct btf_member *m = btf_members(t);
		const struct btf_type *next = NULL;
		uint32_t base = 0;

		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *mn = btf__name_by_offset(btf, m->name_off);
			long sz;

			if (mn && !strcmp(mn, name)) {
				if (btf_member_bitfield_size(t, i) || btf_member_bit_offset(t, i) % 8)
					return -EINVAL;
				sz = btf__resolve_size(btf, m->type);
				if (sz <= 0)
					return -EINVAL;
				*off += btf_member_bit_offset(t, i) / 8;
				*size = sz;
				return 0;
			}
			if (mn && !*mn && !next) {	/* an anonymous struct or union: look inside */
				const struct btf_type *in = btf__type_by_id(btf, m->type);

				if (in && (btf_is_struct(in) || btf_is_union(in))) {
					next = in;
					base = btf_member_bit_offset(t, i) / 8;
				}
			}
		}
		if (!next)
			return -ENOENT;
		*off += base;
		t = next;
	}
	return -ENOENT;
}

/* off of st.name, which must be size bytes */
static int field(const struct btf *btf, const char *st, const char *name, uint32_t size,
		 uint32_t *off)
{
	uint32_t sz = 0;

	*off = 0;
	if (member_at(btf, st, name, off, &sz))
		return -ENOENT;
	return sz == size ? 0 : -EINVAL;
}

int iter_layout_read(struct iter_layout *l)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err = 0, id;

	memset(l, 0, sizeof(*l));
	if (!btf)
		return -errno ?: -ENOENT;
	l->version = ITER_LAYOUT_VERSION;
	l->size = sizeof(*l);
	id = btf__find_by_name_kind(btf, "bpf_iter_bpf_map", BTF_KIND_FUNC);
	l->map_func_id = id > 0 ? id : 0;
	/* a tracing program's context is its function's arguments, a u64 each: the
	 * iterator's function takes (meta, map) */
	l->ctx_meta = 0;
	l->ctx_obj = 8;
	err = err ?: field(btf, "bpf_iter_meta", "seq", 8, &l->meta_seq);
	err = err ?: field(btf, "bpf_map", "id", 4, &l->map_id);
	err = err ?: field(btf, "bpf_map", "frozen", 1, &l->map_frozen);
	btf__free(btf);
	if (!err && !l->map_func_id)
		err = -ENOENT;
	return err;
}

bool iter_layout_sane(const struct iter_layout *l, size_t len)
{
	return len == sizeof(*l) && l->version == ITER_LAYOUT_VERSION && l->size == sizeof(*l) &&
	       l->map_func_id && l->ctx_meta == 0 && l->ctx_obj == 8 && l->meta_seq < 4096 &&
	       l->map_id < 4096 && l->map_frozen < 4096;
}

/* ---- assembling the program ---- */

struct prog_buf {
	struct bpf_insn insn[64];
	int n;
	bool overflow;
};

static void emit(struct prog_buf *b, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (b->n >= (int)ARRAY_SIZE(b->insn)) {
		b->overflow = true;
		return;
	}
	b->insn[b->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					     .off = off, .imm = imm };
}

#define LDX(b, sz, d, s, o)	emit(b, BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(b, sz, d, s, o)	emit(b, BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define MOVX(b, d, s)		emit(b, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOVK(b, d, k)		emit(b, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define ADDK(b, d, k)		emit(b, BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, k)
#define CALL(b, f)		emit(b, BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT(b)			emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* A forward jump to be patched: its index. */
static int jmp_fwd(struct prog_buf *b, uint8_t op, uint8_t reg, int32_t imm)
{
	emit(b, BPF_JMP | op | BPF_K, reg, 0, 0, imm);
	return b->n - 1;
}

static void patch(struct prog_buf *b, int at)
{
	if (at >= 0 && at < b->n)
		b->insn[at].off = b->n - at - 1;
}

static void build_map_iter(struct prog_buf *b, const struct iter_layout *l)
{
	int out;

	LDX(b, BPF_DW, BPF_REG_6, BPF_REG_1, l->ctx_meta);
	LDX(b, BPF_DW, BPF_REG_7, BPF_REG_1, l->ctx_obj);
	out = jmp_fwd(b, BPF_JEQ, BPF_REG_7, 0);
	LDX(b, BPF_W, BPF_REG_2, BPF_REG_7, l->map_id);
	STX(b, BPF_W, BPF_REG_10, BPF_REG_2, -8);
	LDX(b, BPF_B, BPF_REG_2, BPF_REG_7, l->map_frozen);
	STX(b, BPF_W, BPF_REG_10, BPF_REG_2, -4);
	LDX(b, BPF_DW, BPF_REG_1, BPF_REG_6, l->meta_seq);
	MOVX(b, BPF_REG_2, BPF_REG_10);
	ADDK(b, BPF_REG_2, -8);
	MOVK(b, BPF_REG_3, 8);
	CALL(b, BPF_FUNC_seq_write);
	patch(b, out);
	MOVK(b, BPF_REG_0, 0);
	EXIT(b);
}

/* ---- running it ---- */

/* Load one iterator, read it all into out. */
static int run_iter(struct prog_buf *b, uint32_t func_id, const char *name, struct buf *out,
		    struct err *e)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_ITER,
		    .attach_btf_id = func_id);
	int prog = -1, link = -1, it = -1, err = 0;

	if (b->overflow)
		return err_set(e, E2BIG, "iterator %s: too many instructions", name);
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL", b->insn, b->n, &opts);
	if (prog < 0)
		return err_set(e, errno, "iterator %s: load: %s", name, strerror(errno));
	link = bpf_link_create(prog, 0, BPF_TRACE_ITER, NULL);
	if (link < 0) {
		err = err_set(e, errno, "iterator %s: link: %s", name, strerror(errno));
		goto out;
	}
	it = bpf_iter_create(link);
	if (it < 0) {
		err = err_set(e, errno, "iterator %s: create: %s", name, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (buf_reserve(out, 65536)) {
			err = err_set(e, ENOMEM, "out of memory reading iterator %s", name);
			break;
		}
		n = read(it, out->data + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = err_set(e, errno, "iterator %s: read: %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		out->len += n;
	}
out:
	if (it >= 0)
		close(it);
	if (link >= 0)
		close(link);
	close(prog);
	return err;
}

int iter_scan(const struct iter_layout *l, struct iter_scan *out, struct err *e)
{
	struct prog_buf b = { .n = 0 };
	struct buf raw = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	build_map_iter(&b, l);
	err = run_iter(&b, l->map_func_id, "bpfscope_maps", &raw, e);
	if (!err && raw.len % sizeof(struct iter_map))
		err = err_set(e, EPROTO, "iterator bpfscope_maps: %zu bytes", raw.len);
	if (!err) {
		out->nr_maps = raw.len / sizeof(struct iter_map);
		out->maps = calloc(out->nr_maps + 1, sizeof(*out->maps));
		if (!out->maps)
			err = err_set(e, ENOMEM, "out of memory");
		else if (raw.len)
			memcpy(out->maps, raw.data, raw.len);
	}
	buf_free(&raw);
	if (err)
		iter_scan_free(out);
	return err;
}

void iter_scan_free(struct iter_scan *s)
{
	free(s->maps);
	memset(s, 0, sizeof(*s));
}
