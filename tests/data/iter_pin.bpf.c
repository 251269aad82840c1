/* An iterator over tasks for t_iter_token. It reads nothing and writes nothing: reading
 * its pin gives an empty file. */
#include <linux/bpf.h>

#define SEC(n) __attribute__((section(n), used))

SEC("iter/task")
int pobj_iter(void *ctx)
{
	(void)ctx;
	return 0;
}

char _license[] SEC("license") = "GPL";
