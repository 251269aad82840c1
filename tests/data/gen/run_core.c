/* tests/t_gen_core.sh: run_core OBJ [BTF]: load OBJ with its CO-RE relocations resolved
 * against BTF (libbpf's btf_custom_path; else the kernel's), run its syscall program "core"
 * once, print its .bss "out" array, one value a line. */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, o, .btf_custom_path = argc > 2 ? argv[2] : NULL);
	LIBBPF_OPTS(bpf_test_run_opts, r);
	struct bpf_object *obj;
	struct bpf_map *m, *bss = NULL;
	unsigned long long out[16];
	int k = 0, i;

	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[1], &o);
	if (!obj || bpf_object__load(obj))
		return fprintf(stderr, "load failed\n"), 1;
	if (bpf_prog_test_run_opts(bpf_program__fd(bpf_object__find_program_by_name(obj, "core")), &r))
		return perror("test_run"), 1;
	bpf_object__for_each_map(m, obj)
		if (strstr(bpf_map__name(m), ".bss"))
			bss = m;
	if (!bss || bpf_map__lookup_elem(bss, &k, sizeof(k), out, sizeof(out), 0))
		return fprintf(stderr, "no .bss\n"), 1;
	for (i = 0; i < 16; i++)
		printf("%llu\n", out[i]);
	bpf_object__close(obj);
	return 0;
}
