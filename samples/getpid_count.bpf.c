/* Counts getpid() calls in a one-slot ARRAY map: the walkthrough's first program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} count SEC(".maps");

char _license[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getpid")
int count_getpid(void *ctx)
{
	int key = 0;
	int *value;

	value = bpf_map_lookup_elem(&count, &key);
	if (value)
		(*value)++;
	return 0;
}
