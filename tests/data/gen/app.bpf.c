/* The program linked with lib.bpf.c (tests/t_gen_core.sh): calls the library on getpid(). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int lib_count(void);
SEC("tracepoint/syscalls/sys_enter_getpid")
int app_prog(void *ctx)
{
	return lib_count();
}
char LICENSE[] SEC("license") = "GPL";
