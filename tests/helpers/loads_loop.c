/* Test helper for t_loads.sh: loads N short-lived programs (socket filters named PREFIX_i,
 * using one map by address and by value), each closed at once, and prints per program its
 * id, the sha256 of the kernel's own dump of its code (taken before the close) and how long
 * it lived; then its pid, comm and the longest life. "bare": load and close only (no id,
 * no dump), for measuring. Usage: loads_loop PREFIX N [GAP_US [bare]] */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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

int main(int argc, char **argv)
{
	uint64_t life = 0, max_life = 0;
	uint8_t hash[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], name[16], comm[17] = "";
	struct timespec gap = { 0 };
	int n, map_fd;
	uint32_t id = 0;

	if (argc < 3 || strlen(argv[1]) > 10 || (n = atoi(argv[2])) <= 0 || n > 999) {
		fprintf(stderr, "usage: loads_loop PREFIX(<=10) N(<=999) [GAP_US]\n");
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
