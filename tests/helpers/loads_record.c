/* Test helper for t_loads.sh until `snapshot watch ... loads` exists: opens the loads
 * recorder (capture/loads.c) and writes what it sees into load_events of DB for up to
 * SECONDS or until SIGTERM/SIGINT, then prints its counters. READY (if given) is created once
 * the tracepoints are attached. With "selfmap" the recorder then makes a map of its own,
 * which it must not record. Usage: loads_record DB SECONDS [READY [selfmap]] */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "capture/loads.h"
#include "lib/util.h"
#include "store/loads.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct sink {
	struct db *db;
	const char *boot_id;
	struct err *e;
	uint64_t written;
};

static int write_event(const struct load_event *ev, void *arg)
{
	struct sink *s = arg;
	int err = store_load_event(s->db, ev, s->boot_id, s->e);

	if (!err)
		s->written++;
	return err;
}

int main(int argc, char **argv)
{
	struct err e = { 0 };
	struct db db;
	struct loads *l = NULL;
	struct loads_stats st;
	char boot_id[64] = "";
	struct sink s = { .db = &db, .boot_id = boot_id, .e = &e };
	uint64_t until;
	int err, fd;

	if (argc < 3) {
		fprintf(stderr, "usage: loads_record DB SECONDS [READY]\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	read_line_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	err = db_open(&db, argv[1], DB_WRITE, &e);
	if (err) {
		fprintf(stderr, "Error: %s\n", e.msg);
		return 1;
	}
	err = loads_open(&l, &e);
	if (!err && argc > 3) {
		if (argc > 4 && !strcmp(argv[4], "selfmap")) {
			fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "loads_self", 4, 4, 1, NULL);
			if (fd >= 0)
				close(fd);
		}
		fd = open(argv[3], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	until = now_monotonic_ns() + strtoull(argv[2], NULL, 10) * 1000000000ull;
	while (!err && !stop && now_monotonic_ns() < until) {
		struct pollfd p = { .fd = loads_fd(l), .events = POLLIN };

		/* wait outside a transaction; then one transaction per wake, for the burst */
		if (poll(&p, 1, 100) <= 0)
			continue;
		err = db_begin(&db, &e);
		err = err ?: loads_poll(l, 0, write_event, &s, &e);
		if (err)
			db_rollback(&db);
		else
			err = db_commit(&db, &e);
	}
	if (l) {
		loads_stats(l, &st);
		printf("seen %llu\nlost %llu\nno_obj %llu\nevents %llu\nalive %llu\n"
		       "code_same %llu\ncode_different %llu\nbad %llu\nwritten %llu\n",
		       (unsigned long long)st.seen, (unsigned long long)st.lost,
		       (unsigned long long)st.no_obj, (unsigned long long)st.events,
		       (unsigned long long)st.alive, (unsigned long long)st.code_same,
		       (unsigned long long)st.code_different, (unsigned long long)st.bad,
		       (unsigned long long)s.written);
	}
	loads_close(l);
	db_close(&db);
	if (err) {
		fprintf(stderr, "Error: %s\n", e.msg);
		return 1;
	}
	return 0;
}
