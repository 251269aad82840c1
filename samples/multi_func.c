/* Loads multi_func.bpf.o through its skeleton, optionally restricted to one process
 * (through .rodata, before load), calls getppid() itself and prints .bss's total_calls.
 * Usage: multi_func [SECONDS [TGID|self]] (default 1 second, every process). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "multi_func.skel.h"

int main(int argc, char **argv)
{
	struct multi_func *skel;
	long seconds = argc > 1 ? atol(argv[1]) : 1;
	long tgid = argc > 2 ? (strcmp(argv[2], "self") ? atol(argv[2]) : (long)getpid()) : 0;
	int err;

	skel = multi_func__open();
	if (!skel) {
		fprintf(stderr, "Failed to open BPF skeleton\n");
		return 1;
	}
	skel->rodata->only_tgid = (__u32)tgid;
	err = multi_func__load(skel);
	if (err) {
		fprintf(stderr, "Failed to load BPF skeleton: %d\n", err);
		goto cleanup;
	}
	err = multi_func__attach(skel);
	if (err) {
		fprintf(stderr, "Failed to attach BPF skeleton: %d\n", err);
		goto cleanup;
	}
	for (long i = 0; i < seconds; i++) {
		for (int j = 0; j < 100; j++)
			getppid();
		sleep(1);
		printf("total_calls: %llu\n", (unsigned long long)skel->bss->total_calls);
		fflush(stdout);
	}
cleanup:
	multi_func__destroy(skel);
	return err ? 1 : 0;
}
