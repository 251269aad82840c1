/* Helper id -> name, from the kernel's enum bpf_func_id (vmlinux BTF) when a snapshot has it,
 * else from the uapi header this binary was built with. Helpers are frozen upstream, so the
 * two agree on every id the header knows; the BTF adds what a newer kernel appended. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include "analyze/helper_names.h"
#include "lib/util.h"

/* 6.1 headers list FN(name) with commas between, 6.2+ FN(name, id, ctx...) without. */
#ifdef ___BPF_FUNC_MAPPER
#define HELPER_NAME_FN(x, ...) "bpf_" #x,
#else
#define HELPER_NAME_FN(x) "bpf_" #x
#endif
static const char *const builtin_names[] = {
	__BPF_FUNC_MAPPER(HELPER_NAME_FN)
};
#undef HELPER_NAME_FN

/* A hostile BTF could claim __BPF_FUNC_MAX_ID = 4 billion; real kernels stop near 212. */
#define HELPER_ID_CAP 4096
#define VMLINUX_BTF_MAX (256u << 20)

const char *helper_name(const struct helper_names *h, int64_t id)
{
	if (id < 0)
		return NULL;
	if (h && h->n)
		return id < h->n ? h->names[id] : NULL;
	if (id < (int64_t)ARRAY_SIZE(builtin_names))
		return builtin_names[id];
	return NULL;
}

int helper_names_from_btf(const struct btf *btf, struct helper_names *h, struct err *e)
{
	const struct btf_type *t = NULL;
	const struct btf_enum *en;
	uint32_t nr = btf__type_cnt(btf), id, vlen, max = 0;
	size_t strsz = 0, off = 0;

	memset(h, 0, sizeof(*h));
	for (id = 1; id < nr; id++) {
		const char *name;

		t = btf__type_by_id(btf, id);
		if (!t || !btf_is_enum(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (name && !strcmp(name, "bpf_func_id"))
			break;
	}
	if (id >= nr)
		return err_set(e, ENOENT, "vmlinux BTF has no enum bpf_func_id");
	en = btf_enum(t);
	vlen = btf_vlen(t);
	for (uint32_t i = 0; i < vlen; i++) {
		const char *name = btf__name_by_offset(btf, en[i].name_off);

		if (name && !strcmp(name, "__BPF_FUNC_MAX_ID"))
			max = (uint32_t)en[i].val;
		else if (name && !strncmp(name, "BPF_FUNC_", 9))
			strsz += strlen(name) - 9 + 5;
	}
	if (!max || max > HELPER_ID_CAP)
		return err_set(e, EINVAL, "vmlinux BTF: bad __BPF_FUNC_MAX_ID %u", max);
	h->names = calloc(max, sizeof(*h->names));
	h->strs = malloc(strsz + 1);
	if (!h->names || !h->strs) {
		helper_names_free(h);
		return err_set(e, ENOMEM, "out of memory reading helper names");
	}
	for (uint32_t i = 0; i < vlen; i++) {
		const char *name = btf__name_by_offset(btf, en[i].name_off);
		uint32_t v = (uint32_t)en[i].val;
		size_t l;

		if (!name || strncmp(name, "BPF_FUNC_", 9) || v >= max || h->names[v])
			continue;
		l = strlen(name + 9);
		if (off + l + 5 > strsz)
			break;
		memcpy(h->strs + off, "bpf_", 4);
		memcpy(h->strs + off + 4, name + 9, l + 1);
		h->names[v] = h->strs + off;
		off += l + 5;
	}
	h->n = max;
	return 0;
}

int helper_names_from_raw(const void *data, size_t len, struct helper_names *h, struct err *e)
{
	struct btf *btf;
	int err;

	memset(h, 0, sizeof(*h));
	if (!data || !len || len > VMLINUX_BTF_MAX)
		return err_set(e, EINVAL, "vmlinux BTF: bad size %zu", len);
	btf = btf__new(data, (uint32_t)len);
	if (!btf) {
		err = errno ? errno : EINVAL;
		return err_set(e, err, "vmlinux BTF does not parse: %s", strerror(err));
	}
	err = helper_names_from_btf(btf, h, e);
	btf__free(btf);
	return err;
}

int helper_names_load(const void *data, size_t len, bool live, struct helper_names *h,
		      struct err *e)
{
	int err = -ENOENT;

	memset(h, 0, sizeof(*h));
	if (data && len) {
		err = helper_names_from_raw(data, len, h, e);
		if (err != -ENOENT)
			return err;
	}
	if (live) {
		struct btf *btf = btf__load_vmlinux_btf();

		if (!btf)
			return -ENOENT;
		err = helper_names_from_btf(btf, h, e);
		btf__free(btf);
	}
	return err;
}

void helper_names_free(struct helper_names *h)
{
	free(h->names);
	free(h->strs);
	memset(h, 0, sizeof(*h));
}

bool helper_names_needed(const struct bpf_insn *insns, uint32_t n)
{
	for (uint32_t i = 0; insns && i < n; i++) {
		uint8_t cls = BPF_CLASS(insns[i].code);

		if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(insns[i].code) == BPF_CALL &&
		    !insns[i].src_reg && insns[i].imm >= 0 && insns[i].imm < HELPER_ID_CAP)
			return true;
	}
	return false;
}
