/* gen min_core_btf's test object (tests/t_gen_core.sh): CO-RE relocations of every kind
 * clang 14 emits (type matches need clang 15), their results stored in .bss when run. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

/* a flavor with a field no kernel has */
struct task_struct___old {
	long bpfscope_no_such_field;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned char pkt_type:3;	/* inside anonymous members in the kernel */
	unsigned int len;
} __attribute__((preserve_access_index));

struct bpfscope_no_such_type { int x; } __attribute__((preserve_access_index));

enum bpf_func_id___x { BPF_FUNC_map_lookup_elem___x = 99, BPF_FUNC_bpfscope_none___x = 98 };

__u64 out[16];

SEC("syscall")
int core(void *ctx)
{
	struct task_struct *t = 0;
	struct sk_buff *s = 0;

	out[0] = bpf_core_field_offset(t->tgid);
	out[1] = bpf_core_field_offset(t->real_parent);
	out[2] = bpf_core_field_offset(t->comm[3]);
	out[3] = bpf_core_field_size(t->comm);
	out[4] = bpf_core_field_exists(((struct task_struct___old *)t)->bpfscope_no_such_field);
	out[5] = bpf_core_type_size(struct task_struct);
	out[6] = bpf_core_type_exists(struct task_struct);
	out[7] = bpf_core_type_exists(struct bpfscope_no_such_type);
	out[8] = bpf_core_type_id_kernel(struct task_struct) != 0;
	out[9] = __builtin_preserve_field_info(s->pkt_type, BPF_FIELD_LSHIFT_U64);
	out[10] = __builtin_preserve_field_info(s->pkt_type, BPF_FIELD_RSHIFT_U64);
	out[11] = __builtin_preserve_field_info(s->len, BPF_FIELD_SIGNED);
	out[12] = bpf_core_enum_value(enum bpf_func_id___x, BPF_FUNC_map_lookup_elem___x);
	out[13] = bpf_core_enum_value_exists(enum bpf_func_id___x, BPF_FUNC_bpfscope_none___x);
	out[14] = bpf_core_field_offset(s->len);
	out[15] = bpf_core_type_id_local(struct task_struct) != 0;
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
