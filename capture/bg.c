/* Background capture of kernel symbols and vmlinux BTF: both are large, both are the same
 * for the whole boot, so only a first snapshot of a boot pays, and it pays on the other core. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "capture/bg.h"
#include "capture/capture_int.h"

/* b->hash: the data's, already computed. The blob keeps the bytes as they are (codec 0):
 * zlib at its fastest level took 95 ms of vmlinux BTF and 60 of kernel symbols, most of a
 * first snapshot's time, to save some 8 MB once per database and boot. */
static void bg_seal_hashed(struct bg_blob *b, struct buf *data)
{
	b->raw_size = data->len;
	buf_free(&b->z);
	b->z = *data;
	memset(data, 0, sizeof(*data));
	b->ready = true;
}

/* The symbols: indexed for a snapshot into a file, which keeps the lines its programs call
 * (capture/kallsyms.c); else hashed, to be stored whole. */
static void bg_kallsyms(struct bg_job *j)
{
	struct buf kept = { 0 };

	if (!kallsyms_read_kernel(&kept) && kept.len) {
		if (!j->want_index)
			sha256(kept.data, kept.len, j->kallsyms.hash);
		bg_seal_hashed(&j->kallsyms, &kept);
	}
	buf_free(&kept);
	if (j->want_index && j->kallsyms.ready)
		j->index_ready = !ksym_index_build((const char *)j->kallsyms.z.data, j->kallsyms.z.len,
						   &j->index);
}

static void bg_vmlinux(struct bg_job *j)
{
	struct bpf_btf_info info = { 0 };
	__u32 len = sizeof(info);
	struct buf b = { 0 };
	int fd = bpf_btf_get_fd_by_id(j->vmlinux_id);

	if (fd < 0)
		return;
	if (!buf_reserve(&b, j->vmlinux_size + 1)) {
		info.btf = (uintptr_t)b.data;
		info.btf_size = j->vmlinux_size;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.btf_size == j->vmlinux_size) {
			/* another boot of this kernel stored it: 6 ms of hashing, not 95 of zlib */
			sha256(b.data, info.btf_size, j->vmlinux.hash);
			for (int k = 0; k < j->nr_known; k++)
				if (!memcmp(j->known[k], j->vmlinux.hash, SHA256_LEN))
					j->vmlinux.stored = j->vmlinux.ready = true;
			b.len = info.btf_size;
			j->vmlinux.raw_size = info.btf_size;
			if (!j->vmlinux.stored)
				bg_seal_hashed(&j->vmlinux, &b);
		}
	}
	close(fd);
	buf_free(&b);
}

static void *bg_thread_k(void *arg)
{
	bg_kallsyms(arg);
	return NULL;
}

static void *bg_thread_v(void *arg)
{
	bg_vmlinux(arg);
	return NULL;
}

/* The vmlinux BTF object: kernel BTF named "vmlinux" (id 1 on every kernel seen so far). */
static void find_vmlinux(struct bg_job *j)
{
	for (uint32_t id = 0; !bpf_btf_get_next_id(id, &id);) {
		struct bpf_btf_info info = { 0 };
		__u32 len = sizeof(info);
		char name[64] = "";
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		info.name = (uintptr_t)name;
		info.name_len = sizeof(name) - 1;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf && !strcmp(name, "vmlinux")) {
			j->vmlinux_id = id;
			j->vmlinux_size = info.btf_size;
		}
		close(fd);
		if (j->vmlinux_id)
			break;
	}
}

void bg_start(struct probe *p, struct bg_job *j)
{
	memset(j, 0, sizeof(*j));
	/* (a snapshot into a file keeps the symbols its programs call: it reads them when the
	 * first program calls an address its boot's lines do not answer for, capture/kallsyms.c;
	 * a first snapshot of 1,000 programs that call nothing spent a third of its CPU time on
	 * them) */
	if (p->mask & SNAP_CODE)
		j->want_kallsyms = !store_boot_has_kallsyms(p->db, p->boot_id) &&
				   (!p->history || p->calls.whole);
	j->want_index = j->want_kallsyms && p->history;
	if (p->mask & SNAP_BTF_DATA) {
		j->want_vmlinux = !store_boot_has_vmlinux(p->db, p->boot_id, p->snap_id);
		if (j->want_vmlinux)
			find_vmlinux(j);
		j->want_vmlinux = j->want_vmlinux && j->vmlinux_id;
		if (j->want_vmlinux)
			j->nr_known = store_btf_hashes_of_size(p->db, j->vmlinux_size, j->known,
							       (int)ARRAY_SIZE(j->known));
	}
	/* no thread (no memory, say): the data is then read when it is needed */
	if (j->want_kallsyms)
		j->started_k = !pthread_create(&j->th_k, NULL, bg_thread_k, j);
	if (j->want_vmlinux)
		j->started_v = !pthread_create(&j->th_v, NULL, bg_thread_v, j);
}

void bg_start_kallsyms(struct bg_job *j)
{
	if (j->want_kallsyms)
		return;
	j->want_kallsyms = j->want_index = true;
	j->started_k = !pthread_create(&j->th_k, NULL, bg_thread_k, j);
}

void bg_join_kallsyms(struct bg_job *j)
{
	if (j->started_k)
		pthread_join(j->th_k, NULL);
	else if (j->want_kallsyms && !j->kallsyms.ready)
		bg_kallsyms(j);
	j->started_k = false;
}

void bg_join_vmlinux(struct bg_job *j)
{
	if (j->started_v)
		pthread_join(j->th_v, NULL);
	else if (j->want_vmlinux && !j->vmlinux.ready)
		bg_vmlinux(j);
	j->started_v = false;
}

void bg_free(struct bg_job *j)
{
	if (j->started_k)
		pthread_join(j->th_k, NULL);
	if (j->started_v)
		pthread_join(j->th_v, NULL);
	buf_free(&j->kallsyms.z);
	buf_free(&j->vmlinux.z);
	ksym_index_free(&j->index);
}
