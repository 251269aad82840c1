/* Loading bpfscope's own iterators (capture/iter.bpf.c, read by capture/iter_obj.c) with the
 * kernel applying their CO-RE relocations (BPF_PROG_LOAD's core_relos, Linux 5.17).
 * libbpf's bpf_object__load would first parse all of vmlinux BTF in this process: 55-80 ms
 * of every snapshot here, mostly page faults on 11 MB of fresh memory, where the kernel has
 * that BTF parsed already. The only user-space look-up in vmlinux BTF is the targets' FUNC
 * ids, every target of a snapshot in one walk (capture/iter_targets.c), and the object and
 * its BTF are read and loaded once for both programs. The programs are loaded for the
 * length of one read (capture/iter.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "capture/iter_load.h"
#include "capture/iter_rec.h"	/* ITER_PCPU_MARKER */
#include "capture/iter_targets.h"
#include "capture/iter.bpf.h"	/* iter_bpf_obj[]: build/capture/iter.bpf.o's bytes */
#include "lib/boot_cache.h"

struct iter_kit {
	int btf_fd;			/* the object's BTF, loaded once for both programs */
	int pcpu_fd;			/* the program iterator's per-cpu array (capture/iter.bpf.c) */
	uint32_t pcpu_id;		/* its id: a map of ours, in no snapshot */
	unsigned want;
	struct iter_obj obj;
	uint32_t target[ITER_NR];	/* the targets' FUNC ids in vmlinux BTF */
	/* ITER_WANT_PROG_REST: where user_struct's uid and bpf_map's id are (offset + 1) */
	struct iter_member rest_at[2];
	bool off_known;			/* this boot's per-cpu offsets, from its cache: no array */
	uint64_t off0, stride;
	bool targets_cached;		/* ...from this boot's cache: to be proved by the links */
};

void iter_obj_builtin(const void **obj, size_t *len)
{
	*obj = iter_bpf_obj;
	*len = sizeof(iter_bpf_obj);
}

/* The programs' own BTF (func info, the types the relocations name), by hand: libbpf's
 * bpf_btf_load first probes, once a process, whether the kernel charges BPF memory to the
 * cgroup (by loading a program: 0.25 ms), which every kernel with core_relos does. */
static int btf_load(const void *btf, size_t len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.btf = (uint64_t)(uintptr_t)btf;
	a.btf_size = len;
	return syscall(__NR_bpf, BPF_BTF_LOAD, &a, sizeof(a));
}

/* One u64 per cpu, one element: the program iterator's way to per-cpu offsets. */
static void pcpu_create(struct iter_kit *k)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_PERCPU_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	snprintf(a.map_name, sizeof(a.map_name), "bpfscope_pcpu");
	k->pcpu_fd = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (k->pcpu_fd >= 0) {
		struct bpf_map_info info;

		memset(&a, 0, sizeof(a));
		memset(&info, 0, sizeof(info));
		a.info.bpf_fd = k->pcpu_fd;
		a.info.info_len = sizeof(info);
		a.info.info = (uint64_t)(uintptr_t)&info;
		if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) == 0)
			k->pcpu_id = info.id;
	}
}

void iter_kit_target_wrong(const struct iter_kit *k)
{
	if (k->targets_cached)
		iter_targets_forget();
}

uint32_t iter_kit_own_map(const struct iter_kit *k)
{
	return k ? k->pcpu_id : 0;
}

#define OFFSETS_CACHE "percpu-offsets"	/* /run/bpfscope/percpu-offsets: "OFF0 STRIDE NCPUS" */

/* This boot's per-cpu offsets as the program iterator read them once (iter_kit_offsets),
 * when they still hold for every possible cpu. The file is root's (boot_cache_read); what
 * it says is only where the iterator probe-reads counters from. */
static void offsets_from_cache(struct iter_kit *k)
{
	char boot_id[64] = "";
	struct buf b = { 0 };
	unsigned long long off0, stride;
	unsigned ncpus;
	char end;

	read_line_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	if (!boot_id[0] || boot_cache_read(OFFSETS_CACHE, boot_id, 256, &b) || !b.len ||
	    !memchr(b.data, '\n', b.len)) {
		buf_free(&b);
		return;
	}
	((char *)b.data)[b.len - 1] = 0;
	if (sscanf((const char *)b.data, "%llx %llx %u%c", &off0, &stride, &ncpus, &end) == 3 &&
	    ncpus > 0 && (int)ncpus == libbpf_num_possible_cpus()) {
		k->off_known = true;
		k->off0 = off0;
		k->stride = stride;
	}
	buf_free(&b);
}

void iter_kit_offsets(const struct iter_kit *k, uint64_t off0, uint64_t stride, uint32_t ncpus)
{
	char boot_id[64] = "", text[80];
	int n;

	if (k->off_known || !ncpus || (int)ncpus != libbpf_num_possible_cpus())
		return;
	read_line_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	n = snprintf(text, sizeof(text), "%llx %llx %u\n", (unsigned long long)off0,
		     (unsigned long long)stride, ncpus);
	if (boot_id[0] && n > 0 && n < (int)sizeof(text))
		boot_cache_write(OFFSETS_CACHE, boot_id, text, n);
}

static void ld_imm64_set(struct bpf_insn *c, uint64_t v)
{
	c[0].imm = (uint32_t)v;
	c[1].imm = (uint32_t)(v >> 32);
}

/* A copy of the instructions with the markers' ld_imm64s made a reference to map fd (what
 * libbpf does for a map a program names), the known per-cpu offsets (or none: the branch
 * on ITER_USE_OFF_MARKER is decided at load, and the verifier never reaches the other
 * way's markers) and the number of possible cpus; NULL when out of memory. */
static struct bpf_insn *insns_patched(const struct iter_kit *k, const void *insns, uint32_t n)
{
	struct bpf_insn *c = malloc((size_t)n * sizeof(*c) + 1);
	int cpus = libbpf_num_possible_cpus();

	if (!c)
		return NULL;
	memcpy(c, insns, (size_t)n * sizeof(*c));
	for (uint32_t i = 0; i + 1 < n; i++) {
		uint64_t imm = (uint32_t)c[i].imm | (uint64_t)(uint32_t)c[i + 1].imm << 32;

		if (c[i].code != (BPF_LD | BPF_DW | BPF_IMM) || c[i].src_reg)
			continue;
		if (imm == ITER_PCPU_MARKER && k->pcpu_fd >= 0) {
			c[i].src_reg = BPF_PSEUDO_MAP_FD;
			ld_imm64_set(&c[i], (uint32_t)k->pcpu_fd);
		} else if (imm == ITER_USE_OFF_MARKER) {
			ld_imm64_set(&c[i], k->off_known);
		} else if (imm == ITER_OFF0_MARKER && k->off_known) {
			ld_imm64_set(&c[i], k->off0);
		} else if (imm == ITER_STRIDE_MARKER && k->off_known) {
			ld_imm64_set(&c[i], k->stride);
		} else if (imm == ITER_UID_OFF_MARKER && k->rest_at[0].off) {
			ld_imm64_set(&c[i], k->rest_at[0].off - 1);
		} else if (imm == ITER_MAP_ID_OFF_MARKER && k->rest_at[1].off) {
			ld_imm64_set(&c[i], k->rest_at[1].off - 1);
		} else if (imm == ITER_NCPU_MARKER) {	/* (unknown: the object's own bound) */
			ld_imm64_set(&c[i], cpus > 0 ? cpus : 256);
		} else {
			continue;
		}
		i++;
	}
	return c;
}

int iter_kit_open(unsigned want, struct iter_kit **out, struct err *e)
{
	struct iter_target t[ITER_NR];
	struct iter_kit *k = calloc(1, sizeof(*k));
	const void *obj;
	size_t obj_len, nt = 0;
	int err;

	*out = NULL;
	if (!k)
		return err_set(e, ENOMEM, "out of memory");
	k->btf_fd = k->pcpu_fd = -1;
	k->want = want & ((1u << ITER_NR) - 1);
	iter_obj_builtin(&obj, &obj_len);
	/* the rest needs the fields' places: without them, the records without their rests */
	k->rest_at[0] = (struct iter_member){ .type = "user_struct", .member = "uid" };
	k->rest_at[1] = (struct iter_member){ .type = "bpf_map", .member = "id" };
	if ((want & ITER_WANT_PROG_REST) && (k->want & ITER_WANT(ITER_PROGS)) &&
	    !iter_members_lookup(k->rest_at, 2, NULL) && k->rest_at[0].off && k->rest_at[1].off)
		err = iter_obj_read(obj, obj_len, k->want | ITER_WANT_PROG_REST, &k->obj);
	else
		err = iter_obj_read(obj, obj_len, k->want, &k->obj);
	if (err) {
		err = err_set(e, -err, "iterators: the built-in object: %s", strerror(-err));
		goto out;
	}
	/* every target, wanted or not: one cache serves every command */
	for (int i = 0; i < ITER_NR; i++)
		t[nt++] = (struct iter_target){ .name = iter_target_name(i) };
	err = iter_targets_lookup(t, nt, &k->targets_cached, e);
	if (err == -ENOENT) {
		if (e)
			*e = (struct err){ 0 };	/* (err_set keeps the first error: this one is retried) */
		/* (a target this command does not want may be missing: the wanted ones alone) */
		nt = 0;
		for (int i = 0; i < ITER_NR; i++)
			if (k->want & ITER_WANT(i))
				t[nt++] = (struct iter_target){ .name = iter_target_name(i) };
		err = iter_targets_find(t, nt, e);
		for (int i = 0, j = 0; !err && i < ITER_NR; i++)
			if (k->want & ITER_WANT(i))
				k->target[i] = t[j++].id;
	} else {
		for (int i = 0; !err && i < ITER_NR; i++)
			k->target[i] = t[i].id;
	}
	if (err)
		goto out;
	k->btf_fd = btf_load(k->obj.btf, k->obj.btf_len);
	if (k->btf_fd < 0)
		err = err_set(e, errno, "iterators: BTF: %s", strerror(errno));
	/* (without it only the program iterator fails to load, not the others) */
	if (!err && (k->want & ITER_WANT(ITER_PROGS)))
		offsets_from_cache(k);
	if (!err && (k->want & ITER_WANT(ITER_PROGS)) && !k->off_known)
		pcpu_create(k);
out:
	if (err)
		iter_kit_close(k);
	else
		*out = k;
	return err;
}

void iter_kit_drop_pcpu(struct iter_kit *k)
{
	if (k && k->pcpu_fd >= 0)
		close(k->pcpu_fd);	/* (its id stays: the walks still skip it) */
	if (k)
		k->pcpu_fd = -1;
}

void iter_kit_close(struct iter_kit *k)
{
	if (!k)
		return;
	if (k->btf_fd >= 0)
		close(k->btf_fd);	/* a loaded program holds its own reference */
	if (k->pcpu_fd >= 0)
		close(k->pcpu_fd);	/* (so does it to its maps) */
	iter_obj_free(&k->obj);
	free(k);
}

/* BPF_PROG_LOAD by hand: libbpf 1.1's bpf_prog_load has no field for core_relos. */
int iter_kit_load(const struct iter_kit *k, enum iter_prog which, struct err *e)
{
	const struct iter_obj_prog *r = &k->obj.prog[which];
	struct bpf_func_info fi = { .insn_off = 0, .type_id = r->func_type };
	const char *name = iter_prog_name(which);
	struct bpf_insn *patched = NULL;
	union bpf_attr a;
	int fd;

	if (!(k->want & ITER_WANT(which)))
		return err_set(e, EINVAL, "iterator %s: not prepared", name);
	if (which == ITER_PROGS && k->pcpu_fd < 0 && !k->off_known)
		return err_set(e, EOPNOTSUPP, "iterator %s: no per-cpu array", name);
	if (which == ITER_PROGS && !(patched = insns_patched(k, r->insns, r->insn_cnt)))
		return err_set(e, ENOMEM, "out of memory");
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_ITER;
	a.insns = (uint64_t)(uintptr_t)(patched ? (const void *)patched : r->insns);
	a.insn_cnt = r->insn_cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", name);
	a.prog_btf_fd = k->btf_fd;
	a.func_info_rec_size = sizeof(fi);
	a.func_info = (uint64_t)(uintptr_t)&fi;
	a.func_info_cnt = 1;	/* the kernel reads core_relos only with func or line info */
	a.attach_btf_id = k->target[which];
	a.core_relos = (uint64_t)(uintptr_t)r->relo;
	a.core_relo_cnt = r->nr_relo;
	a.core_relo_rec_size = sizeof(struct bpf_core_relo);
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	free(patched);
	if (fd < 0)
		return err_set(e, errno, "iterator %s: load: %s", name, strerror(errno));
	return fd;
}
