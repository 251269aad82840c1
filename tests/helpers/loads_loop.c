/* Test helper for t_loads.sh: loads N short-lived programs (socket filters named PREFIX_i,
 * using one map by address and by value), each closed at once, and prints per program its
 * id, the sha256 of the kernel's own dump of its code (taken before the close) and how long
 * it lived; then its pid, comm and the longest life. "bare": load and close only (no id,
 * no dump), for measuring. "link": two programs that do nothing (PREFIX_tp, PREFIX_rtp),
 * linked a moment to syscalls/sys_enter_getppid (BPF_LINK_CREATE of a perf event) and to the
 * raw tracepoint task_rename (BPF_RAW_TRACEPOINT_OPEN); prints each link's kind, its
 * program's id and its own. Usage: loads_loop PREFIX N [GAP_US [bare]] | PREFIX link */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "lib/sha256.h"
#include "lib/util.h"

#define LD64(dst, src, v)							\
	{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = dst, .src_reg = src, .imm = v },	\
	{ .imm = 0 }

static int load_one(const char *name, int map_fd, bool bare, uint32_t *id,
		    uint8_t hash[SHA256_LEN], uint64_t *life_ns)
{
	struct bpf_insn insns[] = {
		LD64(1, BPF_PSEUDO_MAP_FD, map_fd),			/* r1 = &map */
		LD64(2, BPF_PSEUDO_MAP_VALUE, map_fd),			/* r2 = &value[0] */
		{ .code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = 0, .src_reg = 2 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_ktime_get_ns },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_insn xl[32];
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	struct sha256 c;
	uint64_t t0 = now_monotonic_ns();
	int fd, err = 0;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0)
		return -errno;
	info.xlated_prog_len = sizeof(xl);
	info.xlated_prog_insns = (uint64_t)(uintptr_t)xl;
	if (!bare && (bpf_obj_get_info_by_fd(fd, &info, &len) || info.xlated_prog_len > sizeof(xl)))
		err = -EPROTO;
	if (bare)
		info.xlated_prog_len = 0;
	close(fd);
	*life_ns = now_monotonic_ns() - t0;
	*id = info.id;
	sha256_init(&c);
	sha256_update(&c, xl, info.xlated_prog_len);
	sha256_final(&c, hash);
	return err;
}

static int prog_id(int fd)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? -1 : (int)info.id;
}

static int link_id(int fd)
{
	struct bpf_link_info info = { 0 };
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? -1 : (int)info.id;
}

static int links(const char *prefix)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct perf_event_attr pa = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(pa),
				      .sample_period = 1, .wakeup_events = 1 };
	char name[16];
	int tp = -1, rtp = -1, pe = -1, l1 = -1, l2 = -1, err = 1;

	pa.config = read_long_file("/sys/kernel/tracing/events/syscalls/sys_enter_getppid/id", -1);
	snprintf(name, sizeof(name), "%s_tp", prefix);
	tp = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, name, "GPL", ret0, 2, NULL);
	snprintf(name, sizeof(name), "%s_rtp", prefix);
	rtp = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, name, "GPL", ret0, 2, NULL);
	if (tp < 0 || rtp < 0 || (long)pa.config < 0) {
		perror("load");
		goto out;
	}
	/* this process only, any cpu: the tracepoint is never hit by anyone else */
	pe = syscall(__NR_perf_event_open, &pa, getpid(), -1, -1, PERF_FLAG_FD_CLOEXEC);
	l1 = pe < 0 ? -1 : bpf_link_create(tp, pe, BPF_PERF_EVENT, NULL);
	l2 = bpf_raw_tracepoint_open("task_rename", rtp);
	if (l1 < 0 || l2 < 0) {
		perror("link");
		goto out;
	}
	printf("link perf %d %d\nlink raw %d %d\npid %d\n", prog_id(tp), link_id(l1), prog_id(rtp),
	       link_id(l2), getpid());
	err = 0;
out:
	if (l2 >= 0)
		close(l2);
	if (l1 >= 0)
		close(l1);
	if (pe >= 0)
		close(pe);
	if (rtp >= 0)
		close(rtp);
	if (tp >= 0)
		close(tp);
	return err;
}

int main(int argc, char **argv)
{
	uint64_t life = 0, max_life = 0;
	uint8_t hash[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], name[16], comm[17] = "";
	struct timespec gap = { 0 };
	int n, map_fd;
	uint32_t id = 0;

	if (argc == 3 && strlen(argv[1]) <= 10 && !strcmp(argv[2], "link"))
		return links(argv[1]);
	if (argc < 3 || strlen(argv[1]) > 10 || (n = atoi(argv[2])) <= 0 || n > 999) {
		fprintf(stderr, "usage: loads_loop PREFIX(<=10) N(<=999) [GAP_US [bare]] | PREFIX link\n");
		return 2;
	}
	if (argc > 3)
		gap.tv_nsec = atol(argv[3]) % 1000000 * 1000;
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "loads_loop", 4, 8, 1, NULL);
	if (map_fd < 0) {
		perror("map");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s_%d", argv[1], i);
		if (load_one(name, map_fd, argc > 4 && !strcmp(argv[4], "bare"), &id, hash, &life)) {
			fprintf(stderr, "load %s: %s\n", name, strerror(errno));
			return 1;
		}
		if (life > max_life)
			max_life = life;
		hex_encode(hash, sizeof(hash), hex);
		printf("prog %s %u %s %llu\n", name, id, hex, (unsigned long long)(life / 1000));
		if (gap.tv_nsec)
			nanosleep(&gap, NULL);
	}
	read_line_file("/proc/self/comm", comm, sizeof(comm));
	printf("pid %d\ncomm %s\nmax_life_us %llu\n", getpid(), comm,
	       (unsigned long long)(max_life / 1000));
	close(map_fd);
	return 0;
}
