/* Loads getpid_count.bpf.o through its bpfscope-generated skeleton and prints the
 * count every second (the walkthrough's loader). Optional argument: run N seconds, then exit. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <signal.h>
#include <bpf/libbpf.h>
#include "getpid_count.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct getpid_count *skel;
	long seconds = -1;	/* -1: until Ctrl+C */
	int err;

	if (argc > 1) {
		char *end;

		seconds = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end || seconds < 0) {
			fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* tests read the count through a pipe */

	skel = getpid_count__open();
	if (!skel) {
		fprintf(stderr, "Failed to open BPF skeleton\n");
		return 1;
	}
	err = getpid_count__load(skel);
	if (err) {
		fprintf(stderr, "Failed to load BPF skeleton: %d\n", err);
		goto cleanup;
	}
	err = getpid_count__attach(skel);
	if (err) {
		fprintf(stderr, "Failed to attach BPF skeleton: %d\n", err);
		goto cleanup;
	}
	if (bpf_map__fd(skel->maps.count) < 0) {
		fprintf(stderr, "Failed to get map FD\n");
		err = -1;
		goto cleanup;
	}
	printf("BPF program loaded and map updated. Press Ctrl+C to exit.\n");
	for (long i = 0; !stop && (seconds < 0 || i < seconds); i++) {
		int key = 0, count = 0;

		sleep(1);
		err = bpf_map__lookup_elem(skel->maps.count, &key, sizeof(key),
					   &count, sizeof(count), 0);
		if (err == 0)
			printf("getpid call count: %d\n", count);
		else
			fprintf(stderr, "Lookup failed for key %d: %d\n", key, err);
	}
	err = 0;
cleanup:
	getpid_count__destroy(skel);
	return err ? 1 : 0;
}
