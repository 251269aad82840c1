/* Compiles against `bpfscope btf dump file /sys/kernel/btf/vmlinux format c` alone (t_btf_c):
 * the header must declare the kfuncs (bpf_task_from_pid, bpf_task_release) with __ksym. */
#include "vmlinux.h"

#define SEC(n) __attribute__((section(n), used))

SEC("syscall")
int pobj_kfunc(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	(void)ctx;
	if (!t)
		return 1;
	bpf_task_release(t);
	return 0;
}

char _license[] SEC("license") = "GPL";
