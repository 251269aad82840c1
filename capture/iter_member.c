/* Struct members' byte offsets in vmlinux BTF, for the program iterator's rest (where the
 * uid of a program's creator and a map's id lie: capture/iter.bpf.c reads them at the
 * offsets found here). Found in one walk of the types, once a boot: the answers, found or
 * not, are cached (capture/iter_targets.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/btf.h>
#include "capture/iter_targets.h"
#include "lib/boot_cache.h"

/* /run/bpfscope/iter-members: a "TYPE.MEMBER OFF+1" line each */
#define MEMBER_CACHE "iter-members"

/* Is the string at off in the strings of s the name (with its NUL)? */
static bool name_is(const unsigned char *p, const struct btf_sections *s, uint32_t off,
		    const char *name)
{
	size_t len = strlen(name) + 1;

	return off < s->str_len && len <= s->str_len - off && !memcmp(p + s->str + off, name, len);
}

/* The member of STRUCT t that m names: its offset + 1, 0 if none or a bitfield. */
static uint32_t member_of(const unsigned char *p, const struct btf_sections *s,
			  const struct btf_type *t, const struct iter_member *m)
{
	const struct btf_member *v = (const void *)(t + 1);

	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		bool kf = BTF_INFO_KFLAG(t->info);
		uint32_t bits = kf ? BTF_MEMBER_BIT_OFFSET(v[i].offset) : v[i].offset;

		if (name_is(p, s, v[i].name_off, m->member))
			return bits % 8 || (kf && BTF_MEMBER_BITFIELD_SIZE(v[i].offset)) ? 0 :
			       bits / 8 + 1;
	}
	return 0;
}

/* Each member of m in raw BTF (p, n), in one walk (vmlinux BTF holds one struct a name):
 * 0, or -EPROTO when the bytes are not BTF. */
static int members_find(const unsigned char *p, size_t n, struct iter_member *m, size_t nm)
{
	struct btf_sections s;
	size_t left = nm;

	if (btf_sections(p, n, &s))
		return -EPROTO;
	for (size_t at = s.types; left && at + sizeof(struct btf_type) <= s.types_end;) {
		const struct btf_type *t = (const void *)(p + at);
		long extra = btf_type_extra(t);

		if (extra < 0 || (size_t)extra > s.types_end - at - sizeof(*t))
			return -EPROTO;
		at += sizeof(*t) + extra;
		if (BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT)
			continue;
		for (size_t i = 0; i < nm; i++) {
			if (m[i].done || !name_is(p, &s, t->name_off, m[i].type))
				continue;
			m[i].off = member_of(p, &s, t, &m[i]);
			m[i].done = true;
			left--;
		}
	}
	for (size_t i = 0; i < nm; i++)
		m[i].done = true;	/* (a struct not there: no member either) */
	return 0;
}

/* The cached answer of each member of m, when the cache has them all (else -ENOENT). */
static int members_from_cache(const char *boot_id, struct iter_member *m, size_t nm)
{
	struct buf b = { 0 };
	size_t found = 0;
	int err = boot_cache_read(MEMBER_CACHE, boot_id, 4096, &b);

	for (size_t i = 0; !err && i < nm; i++) {
		char key[128];
		unsigned long v;

		if ((size_t)snprintf(key, sizeof(key), "%s.%s", m[i].type, m[i].member) < sizeof(key) &&
		    cache_line_number(&b, key, 65536, &v)) {
			m[i].off = v;
			m[i].done = true;
			found++;
		}
	}
	buf_free(&b);
	return !err && found == nm ? 0 : -ENOENT;
}

static void members_to_cache(const char *boot_id, const struct iter_member *m, size_t nm)
{
	char text[1024];
	size_t n = 0;

	for (size_t i = 0; i < nm; i++)
		n += snprintf(text + n, n < sizeof(text) ? sizeof(text) - n : 0, "%s.%s %u\n",
			      m[i].type, m[i].member, m[i].off);
	if (n < sizeof(text))
		boot_cache_write(MEMBER_CACHE, boot_id, text, n);
}

int iter_members_lookup(struct iter_member *m, size_t nm, struct err *e)
{
	char boot_id[64] = "";
	struct vmlinux_btf v;
	int err, r = 0;

	for (size_t i = 0; i < nm; i++)
		m[i].off = 0, m[i].done = false;
	read_line_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	if (boot_id[0] && !members_from_cache(boot_id, m, nm))
		return 0;
	err = vmlinux_btf_open(&v, e);
	if (!err)
		r = members_find(v.p, v.n, m, nm);
	vmlinux_btf_close(&v);
	if (!err && r)
		err = err_set(e, EPROTO, "vmlinux BTF: not BTF");
	/* (the answer "none" too: the walk is not worth doing again this boot) */
	if (!err && boot_id[0])
		members_to_cache(boot_id, m, nm);
	return err;
}
