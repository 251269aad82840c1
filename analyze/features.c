/* feature probe's result: the names bpftool 7.8 prints, the stored text form (decoded from
 * untrusted bytes), and the comparison diff prints. No kernel here: capture/feature_probe.c
 * fills the struct, cli/feature.c prints it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "analyze/features.h"
#include "analyze/helper_names.h"
#include "lib/bpf_names.h"

/* bpftool 7.8's probe_kernel_image_config() list, in its order */
static const char *const config_names[] = {
	"CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT",
	"CONFIG_BPF_JIT_ALWAYS_ON", "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES",
	"CONFIG_CGROUPS", "CONFIG_CGROUP_BPF", "CONFIG_CGROUP_NET_CLASSID",
	"CONFIG_SOCK_CGROUP_DATA", "CONFIG_BPF_EVENTS", "CONFIG_KPROBE_EVENTS",
	"CONFIG_UPROBE_EVENTS", "CONFIG_TRACING", "CONFIG_FTRACE_SYSCALLS",
	"CONFIG_FUNCTION_ERROR_INJECTION", "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_NET",
	"CONFIG_XDP_SOCKETS", "CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF", "CONFIG_NET_CLS_BPF",
	"CONFIG_NET_CLS_ACT", "CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM", "CONFIG_IP_ROUTE_CLASSID",
	"CONFIG_IPV6_SEG6_BPF", "CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER",
	"CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_TEST_BPF", "CONFIG_HZ",
};
static const char *const misc_keys[] = {
	"have_large_insn_limit", "have_bounded_loops", "have_v2_isa_extension",
	"have_v3_isa_extension", "have_v4_isa_extension",
};
static const char *const misc_plain[] = {
	"Large program size limit", "Bounded loop support", "ISA extension v2",
	"ISA extension v3", "ISA extension v4",
};
static const char *const misc_defines[] = {
	"LARGE_INSN_LIMIT", "BOUNDED_LOOPS", "V2_ISA_EXTENSION", "V3_ISA_EXTENSION",
	"V4_ISA_EXTENSION",
};
static const char *const sysctl_keys[] = {
	"unprivileged_bpf_disabled", "bpf_jit_enable", "bpf_jit_harden", "bpf_jit_kallsyms",
	"bpf_jit_limit",
};

const char *features_config_name(size_t i)
{
	return i < ARRAY_SIZE(config_names) ? config_names[i] : NULL;
}
size_t features_nr_config(void) { return ARRAY_SIZE(config_names); }
const char *features_misc_key(int i) { return i >= 0 && i < FEAT_NR_MISC ? misc_keys[i] : NULL; }
const char *features_misc_plain(int i) { return i >= 0 && i < FEAT_NR_MISC ? misc_plain[i] : NULL; }
const char *features_misc_define(int i) { return i >= 0 && i < FEAT_NR_MISC ? misc_defines[i] : NULL; }
const char *features_sysctl_key(int i)
{
	return i >= 0 && i < FEAT_NR_SYSCTL ? sysctl_keys[i] : NULL;
}

/* Helpers are frozen upstream: 211 is the last id, so the two this binary's uapi header may
 * lack (6.1's stops at 209) are all a newer bpftool adds. */
#define LAST_HELPER 211
const char *features_helper_name(uint32_t id)
{
	if (id == 210)
		return "bpf_cgrp_storage_get";
	if (id == 211)
		return "bpf_cgrp_storage_delete";
	return id < LAST_HELPER ? helper_name(NULL, id) : NULL;
}
uint32_t features_nr_helper_names(void) { return LAST_HELPER + 1; }

bool features_helper_noisy(uint32_t id)
{
	return id == BPF_FUNC_trace_printk || id == 177 /* trace_vprintk */ ||
	       id == BPF_FUNC_probe_write_user;
}

void features_set_helper(struct features *f, uint32_t prog, uint32_t id)
{
	if (prog < FEAT_PROG_MAX && id < FEAT_HELPER_MAX)
		f->helpers[prog][id / 64] |= 1ull << (id % 64);
}

static int put(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int put(struct buf *out, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;
	return buf_append(out, line, n);
}

static int put_bits(struct buf *out, const char *tag, const bool *v, uint32_t n)
{
	int err = put(out, "%s %u ", tag, n);

	for (uint32_t i = 1; !err && i <= n; i++)
		err = buf_append(out, v[i] ? "1" : "0", 1);
	return err ?: buf_append(out, "\n", 1);
}

/* Version 1:
 *   bpfscope-features 1
 *   flags DEVICE FULL SYSCALL PROCFS CONFIG_READ     (0/1 each)
 *   prog N BITS     map N BITS     (BITS: '0'/'1' for type ids 1..N)
 *   helpers N       h TYPE N-1 BITS (helper ids 1..N-1, each type with one available)
 *   misc BITS       sysctl V V V V V      config NAME VALUE (set options only) */
int features_encode(const struct features *f, struct buf *out)
{
	bool bits[FEAT_HELPER_MAX];
	int err;

	err = put(out, "bpfscope-features 1\nflags %d %d %d %d %d\n", f->device, f->full,
		  f->syscall, f->procfs, f->config_read);
	err = err ?: put_bits(out, "prog", f->prog, f->nr_prog);
	err = err ?: put_bits(out, "map", f->map, f->nr_map);
	err = err ?: put(out, "helpers %u\n", f->nr_helpers);
	for (uint32_t t = 1; !err && t <= f->nr_prog; t++) {
		bool any = false;

		for (uint32_t id = 1; id < f->nr_helpers; id++)
			any |= bits[id] = features_helper(f, t, id);
		if (!any)
			continue;
		char tag[16];

		snprintf(tag, sizeof(tag), "h %u", t);
		err = put_bits(out, tag, bits, f->nr_helpers - 1);
	}
	err = err ?: put_bits(out, "misc", (const bool[FEAT_NR_MISC + 1]){ false, f->misc[0],
			      f->misc[1], f->misc[2], f->misc[3], f->misc[4] }, FEAT_NR_MISC);
	err = err ?: put(out, "sysctl %ld %ld %ld %ld %ld\n", f->sysctl[0], f->sysctl[1],
			 f->sysctl[2], f->sysctl[3], f->sysctl[4]);
	for (size_t i = 0; !err && i < features_nr_config(); i++)
		if (f->config_set[i])
			err = put(out, "config %s %s\n", config_names[i], f->config[i]);
	return err;
}

/* "BITS" of n '0'/'1' into v[1..n] */
static bool get_bits(const char *s, bool *v, uint32_t n)
{
	if (strlen(s) != n)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (s[i] != '0' && s[i] != '1')
			return false;
		v[i + 1] = s[i] == '1';
	}
	return true;
}

/* one line of the stored form; false: malformed */
static bool decode_line(char *line, struct features *f)
{
	char *sp = strchr(line, ' '), *arg;
	unsigned a, b, c, d, x;
	bool bits[FEAT_HELPER_MAX + 1];

	if (!sp)
		return false;
	*sp = '\0';
	arg = sp + 1;
	if (!strcmp(line, "flags")) {
		if (sscanf(arg, "%u %u %u %u %u", &a, &b, &c, &d, &x) != 5)
			return false;
		f->device = a, f->full = b, f->syscall = c, f->procfs = d, f->config_read = x;
	} else if (!strcmp(line, "prog") || !strcmp(line, "map") || !strcmp(line, "misc")) {
		bool is_prog = *line == 'p', is_map = *line == 'm' && line[1] == 'a';
		uint32_t max = is_prog ? FEAT_PROG_MAX - 1 : is_map ? FEAT_MAP_MAX - 1 : FEAT_NR_MISC;
		char *s = strchr(arg, ' ');

		if (!s || sscanf(arg, "%u", &a) != 1 || a > max || !get_bits(s + 1, bits, a))
			return false;
		for (uint32_t i = 1; i <= a; i++) {
			if (is_prog)
				f->prog[i] = bits[i];
			else if (is_map)
				f->map[i] = bits[i];
			else
				f->misc[i - 1] = bits[i];
		}
		if (is_prog)
			f->nr_prog = a;
		else if (is_map)
			f->nr_map = a;
	} else if (!strcmp(line, "helpers")) {
		if (sscanf(arg, "%u", &a) != 1 || a > FEAT_HELPER_MAX)
			return false;
		f->nr_helpers = a;
	} else if (!strcmp(line, "h")) {
		char *s = strchr(arg, ' ');

		s = s ? strchr(s + 1, ' ') : NULL;	/* "h TYPE N BITS", N = nr_helpers - 1 */
		if (!s || sscanf(arg, "%u %u", &a, &b) != 2 || !a || a >= FEAT_PROG_MAX ||
		    !f->nr_helpers || b != f->nr_helpers - 1 || !get_bits(s + 1, bits, b))
			return false;
		for (uint32_t id = 1; id < f->nr_helpers; id++)
			if (bits[id])
				features_set_helper(f, a, id);
	} else if (!strcmp(line, "sysctl")) {
		if (sscanf(arg, "%ld %ld %ld %ld %ld", &f->sysctl[0], &f->sysctl[1], &f->sysctl[2],
			   &f->sysctl[3], &f->sysctl[4]) != 5)
			return false;
	} else if (!strcmp(line, "config")) {
		char *val = strchr(arg, ' ');

		if (!val)
			return false;
		*val++ = '\0';
		for (size_t i = 0; i < features_nr_config(); i++) {
			if (strcmp(arg, config_names[i]))
				continue;
			/* printable ASCII only: the value is printed as it is in plain mode */
			for (char *p = val; *p; p++)
				if (*p < 0x20 || *p > 0x7e)
					*p = '?';
			snprintf(f->config[i], FEAT_VAL_LEN, "%s", val);
			f->config_set[i] = true;
		}
	}
	return true;	/* an unknown tag: a later version's, skipped */
}

int features_decode(const void *data, size_t len, struct features *f, struct err *e)
{
	static const char magic[] = "bpfscope-features 1\n";
	char line[1024];
	const char *p = data, *end = p + len;
	int n = 0;

	memset(f, 0, sizeof(*f));
	if (len < sizeof(magic) - 1 || memcmp(p, magic, sizeof(magic) - 1))
		return err_set(e, EINVAL, "stored feature probe: not a version 1 record");
	p += sizeof(magic) - 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = (nl ? nl : end) - p;

		n++;
		if (l >= sizeof(line))
			return err_set(e, EINVAL, "stored feature probe: line %d too long", n + 1);
		memcpy(line, p, l);
		line[l] = '\0';
		if (!decode_line(line, f))
			return err_set(e, EINVAL, "stored feature probe: line %d malformed", n + 1);
		p += l + (nl != NULL);
	}
	return 0;
}

static int cmp_bool(struct buf *out, const char *sect, const char *key, bool a, bool b)
{
	return a == b ? 0 : put(out, "%s %s: %s -> %s\n", sect, key, a ? "true" : "false",
				b ? "true" : "false");
}

static int cmp_helpers(const struct features *a, const struct features *b, struct buf *out)
{
	uint32_t nt = a->nr_prog > b->nr_prog ? a->nr_prog : b->nr_prog;
	uint32_t nh = a->nr_helpers > b->nr_helpers ? a->nr_helpers : b->nr_helpers;
	int err = 0;

	for (uint32_t t = 1; !err && t <= nt; t++)
		for (uint32_t id = 1; !err && id < nh; id++) {
			bool x = features_helper(a, t, id), y = features_helper(b, t, id);
			const char *tn = prog_type_name(t), *hn = features_helper_name(id);

			if (x != y)
				err = put(out, "helpers %s_available_helpers: %s%s\n",
					  tn ? tn : "?", y ? "+" : "-", hn ? hn : "?");
		}
	return err;
}

int features_compare(const struct features *a, const struct features *b, struct buf *out)
{
	char key[128];
	int err = cmp_bool(out, "syscall_config", "have_bpf_syscall", a->syscall, b->syscall);
	uint32_t n;

	for (int i = 0; !err && i < FEAT_NR_SYSCTL; i++)
		if (a->sysctl[i] != b->sysctl[i])
			err = put(out, "system_config %s: %ld -> %ld\n", sysctl_keys[i], a->sysctl[i],
				  b->sysctl[i]);
	for (size_t i = 0; !err && i < features_nr_config(); i++)
		if (a->config_set[i] != b->config_set[i] ||
		    strcmp(a->config[i], b->config[i]))
			err = put(out, "system_config %s: %s -> %s\n", config_names[i],
				  a->config_set[i] ? a->config[i] : "null",
				  b->config_set[i] ? b->config[i] : "null");
	n = a->nr_prog > b->nr_prog ? a->nr_prog : b->nr_prog;
	for (uint32_t t = 1; !err && t <= n; t++) {
		snprintf(key, sizeof(key), "have_%s_prog_type", prog_type_name(t) ?: "?");
		err = cmp_bool(out, "program_types", key, a->prog[t], b->prog[t]);
	}
	n = a->nr_map > b->nr_map ? a->nr_map : b->nr_map;
	for (uint32_t t = 1; !err && t <= n; t++) {
		snprintf(key, sizeof(key), "have_%s_map_type", map_type_name(t) ?: "?");
		err = cmp_bool(out, "map_types", key, a->map[t], b->map[t]);
	}
	err = err ?: cmp_helpers(a, b, out);
	for (int i = 0; !err && i < FEAT_NR_MISC; i++)
		err = cmp_bool(out, "misc", misc_keys[i], a->misc[i], b->misc[i]);
	return err;
}
