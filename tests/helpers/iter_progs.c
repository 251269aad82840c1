/* Test helper for t_fast.sh: runs bpfscope's program iterator (capture/iter.c) and prints
 * one line per program: "id load_time run_cnt run_time_ns recursion_misses nr_cpus flags
 * nr_map_ids attach_btf_obj_id", for the ids given, or all. Usage: iter_progs [ID...] */
#include <stdio.h>
#include <stdlib.h>
#include "capture/iter.h"

int main(int argc, char **argv)
{
	struct iter_kit *kit = NULL;
	struct iter_prog_rec *r = NULL;
	struct err e = { 0 };
	size_t n = 0;

	if (iter_kit_open(ITER_WANT(ITER_PROGS), &kit, &e) || iter_progs(kit, &r, &n, NULL, NULL, &e)) {
		fprintf(stderr, "iter_progs: %s\n", e.msg);
		iter_kit_close(kit);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		bool want = argc < 2;

		for (int a = 1; a < argc; a++)
			want |= strtoul(argv[a], NULL, 10) == r[i].id;
		if (want)
			printf("%u %llu %llu %llu %llu %u %u %u %u\n", r[i].id,
			       (unsigned long long)r[i].load_time, (unsigned long long)r[i].run_cnt,
			       (unsigned long long)r[i].run_time_ns,
			       (unsigned long long)r[i].recursion_misses, r[i].nr_cpus, r[i].flags,
			       r[i].nr_map_ids, r[i].attach_btf_obj_id);
	}
	free(r);
	iter_kit_close(kit);
	return 0;
}
