/* A program with bpf-to-bpf calls (one static, one global subprogram), a bounded loop,
 * a HASH map and a PERCPU_ARRAY map: exercises func_info, line_info, CFG and call graphs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NR_SLOTS 8

char _license[] SEC("license") = "GPL";

/* pid -> number of getppid() calls seen from it */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} calls_by_pid SEC(".maps");

/* per-CPU histogram of (pid mod NR_SLOTS) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

/* Global data: .rodata (set before load by the loader) and .bss (read by the loader),
 * so the skeleton gets rodata/bss pointers. */
const volatile __u32 only_tgid = 0;	/* 0: count every process */
__u64 total_calls = 0;

/* Static subprogram: the verifier checks it in the caller's context. */
static __attribute__((noinline)) __u64 bump_pid(__u32 pid)
{
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&calls_by_pid, &pid);
	if (v) {
		__sync_fetch_and_add(v, 1);
		return *v;
	}
	bpf_map_update_elem(&calls_by_pid, &pid, &one, BPF_ANY);
	return 1;
}

/* Global subprogram: verified on its own, so it must check everything itself. */
__attribute__((noinline)) int mix_slots(__u32 seed)
{
	__u32 acc = seed;
	int i;

	/* bounded loop kept as a loop (a back edge in the CFG): the verifier (5.3+)
	 * walks it iteration by iteration, no unrolling needed */
#pragma clang loop unroll(disable)
	for (i = 0; i < NR_SLOTS; i++) {
		if (acc & 1)
			acc = (acc >> 1) ^ 0xedb88320;
		else
			acc >>= 1;
	}
	return acc % NR_SLOTS;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 slot;
	__u64 *v;

	if (only_tgid && pid != only_tgid)
		return 0;
	__sync_fetch_and_add(&total_calls, 1);
	bump_pid(pid);
	slot = mix_slots(pid);
	v = bpf_map_lookup_elem(&slots, &slot);
	if (v)
		(*v)++;
	return 0;
}
