/* Test helper for the fault and race tests (t_crash.sh, t_churn.sh, tests/stress.sh): makes
 * the kernel objects they snapshot. Build: gcc -O2 -o faults_load faults_load.c -lbpf
 *   fill PIN N SEED        a u32 -> u64 hash map of N entries pinned at PIN (made if absent),
 *                          values a mix of key and SEED (another SEED, other contents; zlib
 *                          cannot shrink them, so N entries cost the file about 9 N bytes)
 *   churn STOPFILE BATCH   while STOPFILE exists: make BATCH maps and BATCH programs (each
 *                          using its map), close them all; prints the rounds made
 *   progs DIR N            N programs, each using a map of its own, pinned in DIR (made)
 *   bigprog PIN NINSNS [SALT]  a socket filter of NINSNS instructions, straight-line, pinned
 *                          (another SALT, other immediates: a program diff has work to do)
 *   named PIN NAME [LICENSE]  one program as progs makes them, named NAME, pinned at PIN
 *                          (LICENSE: "GPL" unless given)
 *   bindmap PIN            a new map bound to the program pinned at PIN (BPF_PROG_BIND_MAP:
 *                          its map ids grow while it stays) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static __u64 mix(__u64 x)	/* splitmix64's finalizer */
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int fill(const char *pin, long n, long seed)
{
	enum { BATCH = 8192 };
	static __u32 keys[BATCH];
	static __u64 vals[BATCH];
	int fd = bpf_obj_get(pin);

	if (fd < 0) {
		fd = bpf_map_create(BPF_MAP_TYPE_HASH, "faults_hash", 4, 8, n, NULL);
		if (fd < 0 || bpf_obj_pin(fd, pin)) {
			fprintf(stderr, "fill: create/pin %s: %s\n", pin, strerror(errno));
			return 1;
		}
	}
	for (long k = 0; k < n; k += BATCH) {
		__u32 cnt = n - k < BATCH ? n - k : BATCH;

		for (__u32 i = 0; i < cnt; i++) {
			keys[i] = k + i;
			vals[i] = mix((__u64)(k + i) << 32 ^ (__u64)seed);
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL)) {
			fprintf(stderr, "fill: update_batch: %s\n", strerror(errno));
			return 1;
		}
	}
	close(fd);
	return 0;
}

/* a program that looks its map up: the map is among its map ids */
static int load_user(int mfd, const char *name, const char *license)
{
	struct bpf_insn p[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0),
		INSN(BPF_STX | BPF_MEM | BPF_W, 10, 1, -4, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, mfd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, license, p, sizeof(p) / sizeof(p[0]),
			     NULL);
}

static int churn(const char *stop, int batch)
{
	int *fds = calloc(2 * batch, sizeof(int));
	long rounds = 0;

	if (!fds)
		return 1;
	while (!access(stop, F_OK)) {
		for (int i = 0; i < batch; i++) {
			fds[2 * i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "faults_churn", 4, 8, 1, NULL);
			fds[2 * i + 1] = fds[2 * i] < 0 ? -1 : load_user(fds[2 * i], "faults_churn", "GPL");
			if (fds[2 * i + 1] < 0) {
				fprintf(stderr, "churn: load: %s\n", strerror(errno));
				return 1;
			}
		}
		for (int i = 0; i < 2 * batch; i++)
			close(fds[i]);
		rounds++;
	}
	printf("%ld\n", rounds);
	free(fds);
	return 0;
}

static int progs(const char *dir, int n)
{
	char path[4096];

	if (mkdir(dir, 0700) && errno != EEXIST)
		return 1;
	for (int i = 0; i < n; i++) {
		int mfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "faults_base", 4, 8, 1, NULL);
		int pfd = mfd < 0 ? -1 : load_user(mfd, "faults_base", "GPL");

		snprintf(path, sizeof(path), "%s/p%d", dir, i);
		if (pfd < 0 || bpf_obj_pin(pfd, path)) {
			fprintf(stderr, "progs: %d: %s\n", i, strerror(errno));
			return 1;
		}
		close(pfd);
		close(mfd);
	}
	return 0;
}

static int bigprog(const char *pin, long n, int salt)
{
	struct bpf_insn *p = calloc(n, sizeof(*p));
	size_t log_len = 1 << 20;
	char *log = calloc(1, log_len);
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = log_len, .log_level = 0);
	int fd;

	if (!p || !log || n < 2)
		return 1;
	p[0] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	for (long i = 1; i < n - 1; i++)	/* r0 += i: nothing for the verifier to fold away */
		p[i] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0,
			    (int)((i + (i % 1000 == 0 ? salt : 0)) & 0xffff));
	p[n - 1] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "faults_big", "GPL", p, n, &o);
	if (fd < 0 || bpf_obj_pin(fd, pin)) {
		fprintf(stderr, "bigprog: %s\n%.300s\n", strerror(errno), log);
		return 1;
	}
	close(fd);
	free(p);
	free(log);
	return 0;
}

static int named(const char *pin, const char *name, const char *license)
{
	int mfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, 8, 1, NULL);
	int pfd = mfd < 0 ? -1 : load_user(mfd, name, license);

	if (pfd < 0 || bpf_obj_pin(pfd, pin)) {
		fprintf(stderr, "named: %s\n", strerror(errno));
		return 1;
	}
	close(pfd);
	close(mfd);
	return 0;
}

static int bindmap(const char *pin)
{
	int pfd = bpf_obj_get(pin);
	int mfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "faults_bound", 4, 8, 1, NULL);

	if (pfd < 0 || mfd < 0 || bpf_prog_bind_map(pfd, mfd, NULL)) {
		fprintf(stderr, "bindmap: %s\n", strerror(errno));
		return 1;
	}
	close(pfd);
	close(mfd);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "named"))
		return named(argv[2], argv[3], argc == 5 ? argv[4] : "GPL");
	if (argc == 3 && !strcmp(argv[1], "bindmap"))
		return bindmap(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "fill"))
		return fill(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "churn"))
		return churn(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "progs"))
		return progs(argv[2], atoi(argv[3]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "bigprog"))
		return bigprog(argv[2], atol(argv[3]), argc == 5 ? atoi(argv[4]) : 0);
	fprintf(stderr, "usage: %s fill PIN N SEED | churn STOPFILE BATCH | progs DIR N | bigprog PIN NINSNS [SALT]\n",
		argv[0]);
	return 2;
}
