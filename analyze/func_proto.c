/* Function prototypes from BTF in bpftool's spelling: "ret name(type name, ...)", pointers
 * as "void * ctx". Every id, offset and nesting level is checked: the BTF may be hostile. */
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "analyze/func_proto.h"

/* deeper than any real type chain; stops loops (const -> const -> ...) in crafted BTF */
#define PROTO_MAX_DEPTH 32

struct sig {
	char *buf;
	size_t len, pos;
	int bad;
};

static void put(struct sig *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sig *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->bad)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->pos, s->len - s->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->len - s->pos) {
		s->bad = 1;
		return;
	}
	s->pos += n;
}

static const char *name_of(const struct btf *btf, uint32_t off)
{
	const char *n = btf__name_by_offset(btf, off);

	return n ? n : "";
}

static void put_func(const struct btf *btf, const struct btf_type *proto,
		     const struct btf_type *func, struct sig *s, int depth);

static void put_type(const struct btf *btf, uint32_t id, struct sig *s, int depth)
{
	const struct btf_type *t;

	if (s->bad)
		return;
	if (depth > PROTO_MAX_DEPTH) {
		s->bad = 1;
		return;
	}
	if (!id) {
		put(s, "void ");
		return;
	}
	t = btf__type_by_id(btf, id);
	if (!t) {
		s->bad = 1;
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FLOAT:
		put(s, "%s ", name_of(btf, t->name_off));
		break;
	case BTF_KIND_STRUCT:
		put(s, "struct %s ", name_of(btf, t->name_off));
		break;
	case BTF_KIND_UNION:
		put(s, "union %s ", name_of(btf, t->name_off));
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		put(s, "enum %s ", name_of(btf, t->name_off));
		break;
	case BTF_KIND_ARRAY:
		put_type(btf, btf_array(t)->type, s, depth + 1);
		put(s, "[%u]", btf_array(t)->nelems);
		break;
	case BTF_KIND_PTR:
		put_type(btf, t->type, s, depth + 1);
		put(s, "* ");
		break;
	case BTF_KIND_FWD:
		put(s, "%s %s ", btf_kflag(t) ? "union" : "struct", name_of(btf, t->name_off));
		break;
	case BTF_KIND_VOLATILE:
		put(s, "volatile ");
		put_type(btf, t->type, s, depth + 1);
		break;
	case BTF_KIND_CONST:
		put(s, "const ");
		put_type(btf, t->type, s, depth + 1);
		break;
	case BTF_KIND_RESTRICT:
		put(s, "restrict ");
		put_type(btf, t->type, s, depth + 1);
		break;
	case BTF_KIND_TYPE_TAG:
		put_type(btf, t->type, s, depth + 1);
		break;
	case BTF_KIND_FUNC_PROTO:
		put_func(btf, t, NULL, s, depth + 1);
		break;
	case BTF_KIND_FUNC: {
		const struct btf_type *p = btf__type_by_id(btf, t->type);

		if (!p || !btf_is_func_proto(p)) {
			s->bad = 1;
			return;
		}
		put_func(btf, p, t, s, depth + 1);
		break;
	}
	default:
		s->bad = 1;
	}
}

static void put_func(const struct btf *btf, const struct btf_type *proto,
		     const struct btf_type *func, struct sig *s, int depth)
{
	const struct btf_param *p = btf_params(proto);
	unsigned vlen = btf_vlen(proto);

	put_type(btf, proto->type, s, depth + 1);
	put(s, "%s(", func ? name_of(btf, func->name_off) : "");
	for (unsigned i = 0; i < vlen && !s->bad; i++) {
		if (i)
			put(s, ", ");
		if (!p[i].type) {
			put(s, "...");
			continue;
		}
		put_type(btf, p[i].type, s, depth + 1);
		if (p[i].name_off)
			put(s, "%s", name_of(btf, p[i].name_off));
		else if (s->pos && s->buf[s->pos - 1] == ' ')
			s->buf[--s->pos] = 0;	/* unnamed param: "int" not "int " */
	}
	put(s, ")");
}

int func_proto_text(const struct btf *btf, uint32_t type_id, char *buf, size_t len)
{
	struct sig s = { .buf = buf, .len = len };

	if (!len)
		return -EINVAL;
	buf[0] = 0;
	if (!btf || !type_id)
		return -EINVAL;
	put_type(btf, type_id, &s, 0);
	if (s.bad) {
		buf[0] = 0;
		return -EINVAL;
	}
	return 0;
}

int func_info_rec(const struct prog_code *pc, uint32_t i, uint32_t *insn_off, uint32_t *type_id)
{
	struct bpf_func_info fi;

	if (!pc->func_info || i >= pc->nr_func_info || pc->func_info_rec_size < sizeof(fi))
		return -EINVAL;
	/* rec_size may exceed ours (newer kernels); memcpy because blobs need not be aligned */
	memcpy(&fi, pc->func_info + (size_t)i * pc->func_info_rec_size, sizeof(fi));
	*insn_off = fi.insn_off;
	*type_id = fi.type_id;
	return 0;
}

int func_proto_of(const struct prog_code *pc, uint32_t i, char *buf, size_t len)
{
	uint32_t off, tid;

	if (len)
		buf[0] = 0;
	if (func_info_rec(pc, i, &off, &tid))
		return -EINVAL;
	return func_proto_text(pc->btf, tid, buf, len);
}
