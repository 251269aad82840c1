/* Finding the iterators' targets (FUNC bpf_iter_<target>) in vmlinux BTF: every target of
 * one snapshot in one walk, since the walk, not the match, is what costs (capture/iter_targets.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/btf.h>
#include "capture/iter_targets.h"
#include "lib/boot_cache.h"
#include "lib/util.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

bool iter_have_btf(void)
{
	return !access(VMLINUX_BTF, R_OK);
}

long btf_type_extra(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	}
	return -1;
}

int btf_sections(const unsigned char *p, size_t n, struct btf_sections *s)
{
	struct btf_header h;

	if (n < sizeof(h))
		return -EPROTO;
	memcpy(&h, p, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > n ||
	    h.type_off > n - h.hdr_len || h.type_len > n - h.hdr_len - h.type_off ||
	    h.str_off > n - h.hdr_len || h.str_len > n - h.hdr_len - h.str_off ||
	    (h.hdr_len + h.type_off) % 4)	/* the types are read in place */
		return -EPROTO;
	s->types = h.hdr_len + h.type_off;
	s->types_end = s->types + h.type_len;
	s->str = h.hdr_len + h.str_off;
	s->str_len = h.str_len;
	return 0;
}

/* Where each name of w (a whole string) is in a BTF string section: at the hits of the
 * first pre bytes of w[0].name, which every name of w begins with. */
static void str_scan(const unsigned char *s, size_t n, struct iter_target *w, size_t nw,
		     size_t pre)
{
	const unsigned char *p = s, *end = s + n;
	size_t left = nw;

	while (left && p < end && (p = memmem(p, end - p, w[0].name, pre))) {
		for (size_t i = 0; i < nw; i++) {
			size_t len = strlen(w[i].name) + 1;

			if (w[i].str_off < 0 && (p == s || !p[-1]) && len <= (size_t)(end - p) &&
			    !memcmp(p, w[i].name, len)) {
				w[i].str_off = p - s;
				left--;
			}
		}
		p++;
	}
}

/* Where each target's name is in the strings (-1: nowhere), so that the walk over the
 * types compares offsets and touches no string: one pass for what the names have in
 * common ("bpf_iter_"), since the strings are read from memory no cache holds. */
static void str_find(const unsigned char *s, size_t n, struct iter_target *w, size_t nw)
{
	size_t pre = strlen(w[0].name);

	for (size_t i = 0; i < nw; i++) {
		w[i].str_off = -1;
		for (size_t j = 0; j < pre; j++)
			if (w[i].name[j] != w[0].name[j])
				pre = j;
	}
	if (pre >= 4) {		/* (a shorter one would stop the scan at every other string) */
		str_scan(s, n, w, nw, pre);
		return;
	}
	for (size_t i = 0; i < nw; i++)
		str_scan(s, n, &w[i], 1, strlen(w[i].name));
}

/* Does FUNC t (of BTF p, sections s) name w: by the string's offset, or with by_bytes by
 * the string itself (a BTF whose strings are not deduplicated). */
static bool func_is(const unsigned char *p, const struct btf_sections *s,
		    const struct btf_type *t, const struct iter_target *w, bool by_bytes)
{
	size_t want = strlen(w->name) + 1;

	if (!by_bytes)
		return w->str_off >= 0 && t->name_off == w->str_off;
	return t->name_off < s->str_len && want <= s->str_len - t->name_off &&
	       !memcmp(p + s->str + t->name_off, w->name, want);
}

/* One walk over the types, up to the last target not found yet: each FUNC is compared with
 * every target still missing. Returns how many are still missing, or -EPROTO. */
static int walk_funcs(const unsigned char *p, const struct btf_sections *s,
		      struct iter_target *w, size_t nw, bool by_bytes)
{
	size_t at = s->types, missing = 0;
	uint32_t id = 1;

	for (size_t i = 0; i < nw; i++)
		missing += !w[i].id;
	for (; missing && at + sizeof(struct btf_type) <= s->types_end; id++) {
		const struct btf_type *t = (const void *)(p + at);
		long extra = btf_type_extra(t);

		if (extra < 0)
			return -EPROTO;
		/* the types are read once, from memory no cache holds: ask for what the next
		 * iterations read before they do (0.2-0.3 ms of the ~1 ms walk) */
		if (s->types_end - at > 1024)
			__builtin_prefetch(p + at + 1024);
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC) {
			for (size_t i = 0; i < nw; i++) {
				if (!w[i].id && func_is(p, s, t, &w[i], by_bytes)) {
					w[i].id = id;
					missing--;
				}
			}
		}
		at += sizeof(*t) + extra;
	}
	return missing;
}

/* The targets' ids in raw vmlinux BTF (p, n). BTF's strings are stored once: the walk
 * compares the names' offsets and touches no string, and compares bytes only for a name it
 * did not find so. */
static int find_funcs(const unsigned char *p, size_t n, struct iter_target *w, size_t nw)
{
	struct btf_sections s;
	int missing;

	if (btf_sections(p, n, &s))
		return -EPROTO;
	for (size_t i = 0; i < nw; i++)
		w[i].id = 0;
	if (nw)
		str_find(p + s.str, s.str_len, w, nw);
	missing = walk_funcs(p, &s, w, nw, false);
	if (missing > 0)
		missing = walk_funcs(p, &s, w, nw, true);
	return missing;
}

int vmlinux_btf_open(struct vmlinux_btf *v, struct err *e)
{
	struct stat st;
	int fd, err = 0;

	memset(v, 0, sizeof(*v));
	fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = err_set(e, errno, "no vmlinux BTF: %s", strerror(errno));
		goto out;
	}
	/* mapped where the kernel allows it (Linux 6.16), read whole where not */
	if (st.st_size > 0) {
		void *m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			v->map = m;
			v->map_len = st.st_size;
			v->p = m;
			v->n = st.st_size;
			goto out;
		}
	}
	err = read_file(VMLINUX_BTF, 256u << 20, &v->raw, e);
	v->p = v->raw.data;
	v->n = v->raw.len;
out:
	if (fd >= 0)
		close(fd);
	return err;
}

void vmlinux_btf_close(struct vmlinux_btf *v)
{
	if (v->map)
		munmap(v->map, v->map_len);
	buf_free(&v->raw);
	memset(v, 0, sizeof(*v));
}

int iter_targets_find(struct iter_target *w, size_t nw, struct err *e)
{
	struct vmlinux_btf v;
	int r = 0, err = vmlinux_btf_open(&v, e);

	if (!err)
		r = find_funcs(v.p, v.n, w, nw);
	for (size_t i = 0; !err && r && i < nw; i++)
		if (r < 0 || !w[i].id)
			err = err_set(e, r < 0 ? EPROTO : ENOENT,
				      "no iterator target %s in vmlinux BTF", w[i].name);
	vmlinux_btf_close(&v);
	return err;
}

#define TARGET_CACHE "iter-targets"	/* /run/bpfscope/iter-targets: "NAME ID" lines */

bool cache_line_number(const struct buf *b, const char *name, unsigned long max,
		       unsigned long *v)
{
	size_t len = strlen(name);

	for (const char *p = (const char *)b->data, *end = p + b->len; p < end;) {
		const char *nl = memchr(p, '\n', end - p), *d;
		unsigned long x = 0;

		if (!nl)
			break;
		if ((size_t)(nl - p) > len + 1 && !memcmp(p, name, len) && p[len] == ' ') {
			for (d = p + len + 1; d < nl && *d >= '0' && *d <= '9' && x <= max; d++)
				x = x * 10 + (*d - '0');
			if (d == nl && x <= max) {
				*v = x;
				return true;
			}
		}
		p = nl + 1;
	}
	return false;
}

/* The cached ids of every target in w, all or nothing (0 when one is missing). */
static int targets_from_cache(const char *boot_id, struct iter_target *w, size_t nw)
{
	struct buf b = { 0 };
	size_t found = 0;
	int err = boot_cache_read(TARGET_CACHE, boot_id, 4096, &b);

	for (size_t i = 0; !err && i < nw; i++) {
		unsigned long id;

		w[i].id = cache_line_number(&b, w[i].name, (1ul << 31) - 1, &id) ? id : 0;
		found += w[i].id != 0;
	}
	buf_free(&b);
	return !err && found == nw ? 0 : -ENOENT;
}

static void targets_to_cache(const char *boot_id, const struct iter_target *w, size_t nw)
{
	char text[2048];
	size_t n = 0;

	for (size_t i = 0; i < nw; i++) {
		if (!w[i].id)
			return;		/* (only whole answers are kept) */
		n += snprintf(text + n, n < sizeof(text) ? sizeof(text) - n : 0, "%s %u\n",
			      w[i].name, w[i].id);
	}
	if (n < sizeof(text))
		boot_cache_write(TARGET_CACHE, boot_id, text, n);
}

int iter_targets_lookup(struct iter_target *w, size_t nw, bool *cached, struct err *e)
{
	char boot_id[64] = "";
	int err;

	*cached = false;
	read_line_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	if (boot_id[0] && !targets_from_cache(boot_id, w, nw)) {
		*cached = true;
		return 0;
	}
	err = iter_targets_find(w, nw, e);
	if (!err && boot_id[0])
		targets_to_cache(boot_id, w, nw);
	return err;
}

void iter_targets_forget(void)
{
	boot_cache_drop(TARGET_CACHE);
}
