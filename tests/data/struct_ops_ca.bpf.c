/* A TCP congestion control as a struct_ops map, for t_struct_ops: registered under the name
 * "bpfscope_pobj" it changes nothing, as no socket uses a congestion control unless it (or
 * net.ipv4.tcp_congestion_control) selects it by name. Constant answers, no socket read. */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(n) __attribute__((section(n), used))

struct sock;
/* only the members set: libbpf matches them to the kernel's type by name */
struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
};

SEC("struct_ops/pobj_ssthresh")
__u32 pobj_ssthresh(unsigned long long *ctx)
{
	(void)ctx;
	return 2;
}

SEC("struct_ops/pobj_cong_avoid")
void pobj_cong_avoid(unsigned long long *ctx)
{
	(void)ctx;
}

SEC("struct_ops/pobj_undo_cwnd")
__u32 pobj_undo_cwnd(unsigned long long *ctx)
{
	(void)ctx;
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_ops pobj_ca = {
	.ssthresh = (void *)pobj_ssthresh,
	.cong_avoid = (void *)pobj_cong_avoid,
	.undo_cwnd = (void *)pobj_undo_cwnd,
	.name = "bpfscope_pobj",
};

char _license[] SEC("license") = "GPL";
