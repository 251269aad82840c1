/* audit test program: on getdents64 it would signal the caller, but only a process whose
 * tgid is 0x7ffffff0, which cannot exist (pid_max is at most 4194304): inert everywhere. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getdents64")
int audit_getdents_sig(void *ctx)
{
	if ((bpf_get_current_pid_tgid() >> 32) == 0x7ffffff0)
		bpf_send_signal(9);
	return 0;
}
