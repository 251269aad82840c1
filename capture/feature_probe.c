/* feature probe: load throwaway programs and create throwaway maps to learn what the kernel
 * accepts, as bpftool's feature.c does (through libbpf's probes where libbpf knows the type).
 *
 * Why this is in capture/, which never changes the kernel: every object made here lives
 * only as long as its fd, is never pinned, attached or linked, and is closed before the next
 * one is made, so nothing of it outlasts the call; the kernel's answer is a fact about the
 * kernel, like a sysctl. It is the third exception tests/t_tree.sh allows (the iterators and
 * the loads recorder are the others), for this file only. Helpers that write to the kernel
 * log on load (trace_printk, trace_vprintk, probe_write_user) are probed only in full mode,
 * as bpftool does, so a snapshot leaves no line in dmesg. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture/feature_probe.h"
#include "lib/boot_cache.h"
#include "lib/bpf_names.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (o), .imm = (i) })
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define PROC_SUPER_MAGIC_ 0x9fa0
#define PROG_NETFILTER 32	/* BPF_PROG_TYPE_NETFILTER: libbpf 1.1 cannot probe it */
#define ATTACH_NETFILTER 45
#define MAP_ARENA 33
#define MAP_INSN_ARRAY 34

/* A load with our own attributes: the types libbpf 1.1 does not know, and device offload.
 * Returns the fd's verdict (fd >= 0) and leaves errno and the log for the caller. */
static bool load(uint32_t type, const struct bpf_insn *insns, size_t n, uint32_t ifindex,
		 char *log, size_t log_sz, int *err)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_ifindex = ifindex, .log_buf = log,
		    .log_size = log_sz, .log_level = log ? 1 : 0);
	int fd;

	if (type == PROG_NETFILTER)
		o.expected_attach_type = ATTACH_NETFILTER;
	errno = 0;
	fd = bpf_prog_load(type, NULL, "GPL", insns, n, &o);
	*err = errno;
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static bool probe_prog(uint32_t type, uint32_t ifindex, bool unpriv)
{
	const struct bpf_insn insns[] = { MOV_IMM(BPF_REG_0, ifindex ? 2 : 0), EXIT() };
	bool res;
	int err = 0;

	if (ifindex)
		res = load(type, insns, 2, ifindex, NULL, 0, &err) && err != EINVAL &&
		      err != EOPNOTSUPP;
	else if (libbpf_bpf_prog_type_str(type))
		res = libbpf_probe_bpf_prog_type(type, NULL) > 0, err = errno;
	else
		res = load(type, insns, 2, 0, NULL, 0, &err);
	/* a probe may pass for the unprivileged without a load: EPERM tells */
	return unpriv && err == EPERM ? false : res;
}

static bool probe_map(uint32_t type, uint32_t ifindex)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_ifindex = ifindex);
	uint32_t key = 4, value = 4;
	int fd;

	if (!ifindex && libbpf_bpf_map_type_str(type))
		return libbpf_probe_bpf_map_type(type, NULL) > 0;
	if (type == MAP_ARENA) {
		key = value = 0;
		o.map_flags = BPF_F_MMAPABLE;
	} else if (type == MAP_INSN_ARRAY) {
		value = 16;	/* struct bpf_insn_array_value */
	}
	fd = bpf_map_create(type, NULL, key, value, 1, &o);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static bool probe_helper(uint32_t type, uint32_t id, uint32_t ifindex, bool unpriv)
{
	const struct bpf_insn insns[] = { CALL(id), EXIT() };
	char log[4096] = "";
	int err = 0;
	bool res;

	if (!ifindex && libbpf_bpf_prog_type_str(type)) {
		res = libbpf_probe_bpf_helper(type, id, NULL) > 0;
		err = errno;
	} else {
		load(type, insns, 2, ifindex, log, sizeof(log), &err);
		res = !strstr(log, "invalid func ") && !strstr(log, "unknown func ") &&
		      !strstr(log, "program of this type cannot use helper ");
	}
	return unpriv && err == EPERM ? false : res;
}

static bool probe_misc(const struct bpf_insn *insns, size_t n, uint32_t ifindex)
{
	int err = 0;
	bool ok = load(BPF_PROG_TYPE_SOCKET_FILTER, insns, n, ifindex, NULL, 0, &err);

	return ok || !err;
}

static void probe_misc_all(struct features *f, uint32_t ifindex)
{
	const struct bpf_insn loops[] = { MOV_IMM(BPF_REG_0, 10),
		INSN(BPF_ALU64 | BPF_SUB | BPF_K, BPF_REG_0, 0, 0, 1),
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, -2, 0), EXIT() };
	const struct bpf_insn v2[] = { MOV_IMM(BPF_REG_0, 0),
		INSN(BPF_JMP | BPF_JLT | BPF_K, BPF_REG_0, 0, 1, 0), MOV_IMM(BPF_REG_0, 1), EXIT() };
	const struct bpf_insn v3[] = { MOV_IMM(BPF_REG_0, 0),
		INSN(BPF_JMP32 | BPF_JLT | BPF_K, BPF_REG_0, 0, 1, 0), MOV_IMM(BPF_REG_0, 1), EXIT() };
	/* gotol (BPF_JMP32 | BPF_JA, the offset in imm): the v4 ISA's long jump */
	const struct bpf_insn v4[] = { MOV_IMM(BPF_REG_0, 0),
		INSN(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_0, 0, 1, 1),
		INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 1), MOV_IMM(BPF_REG_0, 1), EXIT() };
	struct bpf_insn *large = calloc(BPF_MAXINSNS + 1, sizeof(*large));

	if (large) {
		for (int i = 0; i < BPF_MAXINSNS; i++)
			large[i] = MOV_IMM(BPF_REG_0, 1);
		large[BPF_MAXINSNS] = EXIT();
		f->misc[FEAT_LARGE_INSN_LIMIT] = probe_misc(large, BPF_MAXINSNS + 1, ifindex);
		free(large);
	}
	f->misc[FEAT_BOUNDED_LOOPS] = probe_misc(loops, ARRAY_SIZE(loops), ifindex);
	f->misc[FEAT_V2_ISA] = probe_misc(v2, ARRAY_SIZE(v2), ifindex);
	f->misc[FEAT_V3_ISA] = probe_misc(v3, ARRAY_SIZE(v3), ifindex);
	f->misc[FEAT_V4_ISA] = probe_misc(v4, ARRAY_SIZE(v4), ifindex);
}

/* bpftool's read_procfs: the first line, a decimal number and nothing else; -1 otherwise */
static long read_sysctl(const char *path)
{
	char line[64], *end;
	FILE *fp = fopen(path, "re");
	long v;

	if (!fp)
		return -1;
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	errno = 0;
	v = strtol(line, &end, 10);
	return errno || !*line || *end != '\n' ? -1 : v;
}

/* /boot/config-RELEASE, else /proc/config.gz (gzopen reads both), as bpftool does */
static void read_config(struct features *f)
{
	struct utsname u;
	char path[512], line[4096];
	gzFile z = NULL;

	if (!uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		z = gzopen(path, "r");
	}
	if (!z)
		z = gzopen("/proc/config.gz", "r");
	if (!z)
		return;
	if (!gzgets(z, line, sizeof(line)) || !gzgets(z, line, sizeof(line)) ||
	    strcmp(line, "# Automatically generated file; DO NOT EDIT.\n"))
		goto out;
	f->config_read = true;
	while (gzgets(z, line, sizeof(line))) {
		char *eq = strchr(line, '='), *nl;

		if (strncmp(line, "CONFIG_", 7) || !eq || eq[1] == '\n' || !eq[1])
			continue;
		*eq = '\0';
		nl = strchr(eq + 1, '\n');
		if (nl)
			*nl = '\0';
		for (size_t i = 0; i < features_nr_config(); i++)
			if (!f->config_set[i] && !strcmp(line, features_config_name(i))) {
				snprintf(f->config[i], FEAT_VAL_LEN, "%s", eq + 1);
				f->config_set[i] = true;
			}
	}
out:
	gzclose(z);
}

static void probe_system(struct features *f)
{
	static const char *const paths[FEAT_NR_SYSCTL] = {
		"/proc/sys/kernel/unprivileged_bpf_disabled", "/proc/sys/net/core/bpf_jit_enable",
		"/proc/sys/net/core/bpf_jit_harden", "/proc/sys/net/core/bpf_jit_kallsyms",
		"/proc/sys/net/core/bpf_jit_limit",
	};
	struct statfs st;

	f->procfs = !statfs("/proc", &st) && (unsigned long)st.f_type == PROC_SUPER_MAGIC_;
	for (int i = 0; i < FEAT_NR_SYSCTL; i++)
		f->sysctl[i] = f->procfs ? read_sysctl(paths[i]) : -1;
	read_config(f);
}

static bool offloadable_prog(uint32_t t) { return t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_XDP; }
static bool offloadable_map(uint32_t t) { return t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_ARRAY; }

static void probe_all(const struct feature_probe_opts *o, struct features *f)
{
	bool unpriv = o->unprivileged;
	uint32_t n;

	f->device = o->ifindex != 0;
	f->full = o->full;
	for (int i = 0; i < FEAT_NR_SYSCTL; i++)
		f->sysctl[i] = -1;
	if (!f->device)
		probe_system(f);
	bpf_prog_load(BPF_PROG_TYPE_UNSPEC, NULL, NULL, NULL, 0, NULL);
	f->syscall = errno != ENOSYS;
	if (!f->syscall)
		return;
	for (n = 1; n < FEAT_PROG_MAX && prog_type_name(n); n++)
		if (!f->device || offloadable_prog(n))
			f->prog[n] = probe_prog(n, o->ifindex, unpriv);
	f->nr_prog = n - 1;
	for (n = 1; n < FEAT_MAP_MAX && map_type_name(n); n++)
		if (!f->device || offloadable_map(n))
			f->map[n] = probe_map(n, o->ifindex);
	f->nr_map = n - 1;
	f->nr_helpers = features_nr_helper_names();
	for (uint32_t t = 1; t <= f->nr_prog; t++) {
		if (!f->prog[t])
			continue;
		for (uint32_t id = 1; id < f->nr_helpers; id++)
			if ((o->full || !features_helper_noisy(id)) &&
			    probe_helper(t, id, o->ifindex, unpriv))
				features_set_helper(f, t, id);
	}
	probe_misc_all(f, o->ifindex);
}

struct unpriv_job {
	const struct feature_probe_opts *o;
	struct features *f;
	int err;
};

/* Capabilities are per thread: this thread drops the BPF ones from its effective set and
 * probes, the process keeps them. */
static void *unpriv_thread(void *arg)
{
	struct unpriv_job *j = arg;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	static const int caps[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN, 38 /* PERFMON */, 39 /* BPF */ };

	if (syscall(SYS_capget, &hdr, data)) {
		j->err = errno;
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
		data[caps[i] / 32].effective &= ~(1u << (caps[i] % 32));
	if (syscall(SYS_capset, &hdr, data)) {
		j->err = errno;
		return NULL;
	}
	probe_all(j->o, j->f);
	return NULL;
}

int feature_probe(const struct feature_probe_opts *o, struct features *f, struct err *e)
{
	struct unpriv_job j = { .o = o, .f = f };
	pthread_t th;
	int err;

	memset(f, 0, sizeof(*f));
	if (!o->unprivileged) {
		probe_all(o, f);
		return 0;
	}
	err = pthread_create(&th, NULL, unpriv_thread, &j);
	if (err)
		return err_set(e, err, "can't start the unprivileged probe: %s", strerror(err));
	pthread_join(th, NULL);
	if (j.err)
		return err_set(e, j.err, "failed to drop capabilities: %s", strerror(j.err));
	return 0;
}

bool feature_caps_missing(char *out, size_t len)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	static const struct { int cap; const char *name; } caps[] = {
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" }, { 39, "CAP_BPF" },
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { 38, "CAP_PERFMON" },
	};
	size_t n = 0;

	out[0] = '\0';
	if (syscall(SYS_capget, &hdr, data))
		return false;	/* the probe will say what it can */
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
		if (!(data[caps[i].cap / 32].effective & (1u << (caps[i].cap % 32))))
			n += snprintf(out + n, n < len ? len - n : 0, "%s, ", caps[i].name);
	return n > 0;
}

/* The last id of a kind (0: none), a walk of get-next-id. */
static uint32_t last_id(int (*next)(__u32, __u32 *))
{
	uint32_t id = 0, last = 0;

	while (!next(id, &id))
		last = id;
	return last;
}

/* Wait (at most ~250 ms) until no program, map or BTF object above the ids before the probe
 * is left: a probe program's BTF and maps are released one RCU grace period after its fd
 * closes, and a snapshot taken at once would list them. membarrier(GLOBAL) waits for a grace
 * period. Objects others make meanwhile only cost the wait. */
static void settle(const uint32_t before[3])
{
	for (int i = 0; i < 50; i++) {
		uint32_t next;

		if ((bpf_prog_get_next_id(before[0], &next) || !next) &&
		    (bpf_map_get_next_id(before[1], &next) || !next) &&
		    (bpf_btf_get_next_id(before[2], &next) || !next))
			return;
		rcu_wait_step();
	}
}

#define FEATURE_CACHE "features"	/* /run/bpfscope/features (lib/boot_cache.h) */

int feature_probe_boot(struct db *db, const char *boot_id, struct err *e)
{
	uint32_t before[3];
	struct feature_probe_opts o = { 0 };
	struct features *f;
	struct buf b = { 0 };
	struct err pe = { 0 };
	char missing[128];
	int err = 0;

	/* once per boot: the kernel's features change only with a reboot; and without the
	 * BPF capabilities a probe says what the caller may do, not what the kernel can */
	if (!boot_id[0] || store_boot_has_features(db, boot_id) ||
	    feature_caps_missing(missing, sizeof(missing)))
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return err_set(e, ENOMEM, "out of memory");
	/* this boot's answer, if an earlier database's first snapshot probed: stored as a
	 * kernel fact, so it must decode (bounds-checked) before it is believed; some 5,700
	 * throwaway programs (~0.9 s, as bpftool's) not loaded again for every new database */
	if (!boot_cache_read(FEATURE_CACHE, boot_id, 1u << 20, &b) &&
	    !features_decode(b.data, b.len, f, &pe)) {
		err = store_boot_features(db, boot_id, b.data, b.len, e);
		goto out;
	}
	b.len = 0;
	before[0] = last_id(bpf_prog_get_next_id);
	before[1] = last_id(bpf_map_get_next_id);
	before[2] = last_id(bpf_btf_get_next_id);
	if (!feature_probe(&o, f, &pe) && !features_encode(f, &b)) {
		err = store_boot_features(db, boot_id, b.data, b.len, e);
		boot_cache_write(FEATURE_CACHE, boot_id, b.data, b.len);
	}
	settle(before);
out:
	buf_free(&b);
	free(f);
	return err;
}
