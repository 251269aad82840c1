/* audit test program: a uprobe on the test binary's function (the path is put in by the
 * test); it only counts. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} audit_hits SEC(".maps");

SEC("uprobe/TARGET_PATH:audit_secret_fn")
int audit_uprobe(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&audit_hits, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
