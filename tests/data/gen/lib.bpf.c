/* gen subskeleton's test library (tests/t_gen_core.sh): a map, variables in .rodata, .bss
 * and .data (an array, a function pointer), one global function counting getpid() calls of
 * the pid in lib_pid only. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, int); __type(value, long); } lib_map SEC(".maps");
const volatile int lib_pid = 0;
int lib_hits = 0;
long lib_arr[3] = { 1, 2, 3 };
int (*lib_fp)(int);
__noinline int lib_count(void)
{
	int k = 0;
	long *v;

	if ((bpf_get_current_pid_tgid() >> 32) != lib_pid)
		return 0;
	__sync_fetch_and_add(&lib_hits, 1);
	v = bpf_map_lookup_elem(&lib_map, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
