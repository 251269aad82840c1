/* Test helper for t_net_show.sh: loads a netfilter program (accept everything) and pins a
 * netfilter link for it (ipv4 local-in, priority -128) at argv[1]. libbpf 1.1 has neither. */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
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
	struct {	/* BPF_LINK_CREATE with the netfilter part (6.4+), newer than our headers */
		__u32 prog_fd, target_fd, attach_type, flags;
		__u32 pf, hooknum;
		__s32 priority;
		__u32 nf_flags;
		__u64 pad[4];
	} lc;
	int pfd, lfd;

	if (argc < 2)
		return 2;
	memset(&a, 0, sizeof(a));
	a.prog_type = 32;			/* BPF_PROG_TYPE_NETFILTER */
	a.expected_attach_type = 45;		/* BPF_NETFILTER */
	a.insns = (unsigned long)insns;
	a.insn_cnt = 2;
	a.license = (unsigned long)"GPL";
	a.log_buf = (unsigned long)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	pfd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (pfd < 0) { perror("prog load"); fputs(log, stderr); return 1; }
	memset(&lc, 0, sizeof(lc));
	lc.prog_fd = pfd;
	lc.attach_type = 45;			/* BPF_NETFILTER */
	lc.pf = 2;				/* NFPROTO_IPV4 */
	lc.hooknum = 1;				/* NF_INET_LOCAL_IN */
	lc.priority = -128;
	lfd = syscall(__NR_bpf, BPF_LINK_CREATE, &lc, sizeof(lc));
	if (lfd < 0) { perror("link create"); return 1; }
	memset(&a, 0, sizeof(a));
	a.pathname = (unsigned long)argv[1];
	a.bpf_fd = lfd;
	if (syscall(__NR_bpf, BPF_OBJ_PIN, &a, sizeof(a))) { perror("pin"); return 1; }
	return 0;
}
