// SPDX-License-Identifier: GPL-2.0
/* timeit: median wall time of one or two commands, run in turns.
 *
 *   timeit RUNS [-u PATH]... CMD_A... [-- CMD_B...]
 *
 * -u PATH: removed before each run of either command, outside the clock (a first snapshot
 * into a new database). prints "A_ms" or "A_ms B_ms": each the median over RUNS runs, in milliseconds with two
 * decimals. The commands are started with posix_spawn, their output goes to /dev/null, and
 * the clock is read around spawn and wait only, so a process that does nothing costs what
 * the kernel takes to start it and no shell's forks (bash's $(date) costs ~5 ms a read on a
 * small VM, which would be added to both sides of every ratio).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* one run of argv with stdout and stderr to /dev/null: its wall time in ms, or -1 */
static double run_once(char **argv)
{
	posix_spawn_file_actions_t fa;
	double t0, t1;
	int status;
	pid_t pid;
	int err;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "timeit: can't start %s: %s\n", argv[0], strerror(err));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	t1 = now_ms();
	return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(n - 1) / 2];
}

int main(int argc, char **argv)
{
	double *a = NULL, *b = NULL;
	char **cmd_b = NULL, **cmd_a;
	const char *unlinks[16];
	int runs, i, j, nunlink = 0, ret = 1;

	if (argc < 3 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: timeit RUNS CMD_A... [-- CMD_B...]\n");
		return 2;
	}
	for (i = 2; i + 1 < argc && !strcmp(argv[i], "-u"); i += 2) {
		if (nunlink == 16) {
			fprintf(stderr, "timeit: at most 16 -u\n");
			return 2;
		}
		unlinks[nunlink++] = argv[i + 1];
	}
	cmd_a = argv + i;
	if (!cmd_a[0]) {
		fprintf(stderr, "timeit: no command\n");
		return 2;
	}
	for (; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			argv[i] = NULL;
			cmd_b = argv + i + 1;
			break;
		}
	if (cmd_b && !cmd_b[0]) {
		fprintf(stderr, "timeit: nothing after --\n");
		return 2;
	}
	a = calloc(runs, sizeof(*a));
	b = calloc(runs, sizeof(*b));
	if (!a || !b)
		goto cleanup;
	for (i = 0; i < runs; i++) {
		for (j = 0; j < nunlink; j++)
			unlink(unlinks[j]);
		a[i] = run_once(cmd_a);
		if (a[i] < 0)
			goto cleanup;
		if (cmd_b) {
			for (j = 0; j < nunlink; j++)
				unlink(unlinks[j]);
			b[i] = run_once(cmd_b);
			if (b[i] < 0)
				goto cleanup;
		}
	}
	printf("%.2f", median(a, runs));
	if (cmd_b)
		printf(" %.2f", median(b, runs));
	printf("\n");
	ret = 0;
cleanup:
	free(a);
	free(b);
	return ret;
}
