/* Test helper for t_parity.sh: loads a cgroup_skb egress program that lets everything pass
 * and pins a cgroup link of it on the cgroup argv[1] at argv[2] (bpftool 7.1 makes no
 * cgroup links). Raw bpf(2), so that it builds without libbpf. */
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	union bpf_attr a;
	int pfd, cfd, lfd;

	if (argc < 3)
		return 2;
	cfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (cfd < 0) { perror(argv[1]); return 1; }
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_SKB;
	a.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	a.insns = (unsigned long)insns;
	a.insn_cnt = 2;
	a.license = (unsigned long)"GPL";
	a.log_buf = (unsigned long)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	strcpy(a.prog_name, "parity_cg_link");
	pfd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (pfd < 0) { perror("prog load"); fputs(log, stderr); return 1; }
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = pfd;
	a.link_create.target_fd = cfd;
	a.link_create.attach_type = BPF_CGROUP_INET_EGRESS;
	lfd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	if (lfd < 0) { perror("link create"); return 1; }
	memset(&a, 0, sizeof(a));
	a.pathname = (unsigned long)argv[2];
	a.bpf_fd = lfd;
	if (syscall(__NR_bpf, BPF_OBJ_PIN, &a, sizeof(a))) { perror("pin"); return 1; }
	return 0;
}
