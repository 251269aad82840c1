/* Walking bpffs for pins, in a thread of its own: it needs a path lookup and a get-info per
 * pin and nothing from the database, so it overlaps the program and map walks. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "capture/env.h"
#include "capture/pins.h"
#include "capture/capture_int.h"
#include "lib/thread.h"

/* What kind of object fd is, from /proc/self/fd. */
static char fd_kind(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = 0;
	if (strstr(target, "bpf-prog"))
		return 'p';
	if (strstr(target, "bpf-map"))
		return 'm';
	if (strstr(target, "bpf-link"))
		return 'l';
	return 0;
}

/* The kernel answers get-info with the size of its own info struct for the fd's kind, and
 * the three kinds differ in size: after one readlink per size, the size alone tells. */
static char pin_kind(struct pins_job *j, int fd, uint32_t len)
{
	for (int i = 0; i < j->nr_sizes; i++)
		if (j->sizes[i] == len)
			return j->kinds[i];
	{
		char k = fd_kind(fd);

		if (k && j->nr_sizes < (int)ARRAY_SIZE(j->sizes)) {
			j->sizes[j->nr_sizes] = len;
			j->kinds[j->nr_sizes++] = k;
		}
		return k;
	}
}

static int pin_rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pin_row *)a)->path, ((const struct pin_row *)b)->path);
}

static struct pin_row *prev_find(const struct pins_job *j, const char *path)
{
	struct pin_row key = { .path = (char *)path };

	return j->nr_prev ? bsearch(&key, j->prev, j->nr_prev, sizeof(key), pin_rec_cmp) : NULL;
}

static int pin_add(struct pins_job *j, const char *path, uint64_t ino)
{
	uint8_t info[256];	/* more than any info struct; the tail must be zero */
	__u32 len = sizeof(info);
	const struct pin_row *prev = ino ? prev_find(j, path) : NULL;
	struct pin_row *r;
	uint32_t id;
	char kind;

	if (prev && prev->same_boot && prev->ino == ino) {
		/* the same inode: the same pin of the same object, no need to open it */
		kind = prev->kind;
		id = prev->id;
		j->reused++;
	} else {
		int fd = bpf_obj_get(path);

		if (fd < 0)
			return 0;	/* not an object, or gone */
		memset(info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, info, &len)) {
			close(fd);
			return 0;
		}
		kind = pin_kind(j, fd, len);
		close(fd);
		memcpy(&id, info + 4, 4);	/* prog, map and link info all start: type, id */
	}
	if (!kind)
		return 0;
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 256;

		r = realloc(j->recs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		j->recs = r;
		j->cap = cap;
	}
	r = &j->recs[j->n];
	r->path = strdup(path);
	if (!r->path)
		return -ENOMEM;
	r->kind = kind;
	r->id = id;
	r->ino = ino;
	j->n++;
	return 0;
}

static int pins_walk(struct pins_job *j, char *path, size_t len, int depth)
{
	DIR *d;
	struct dirent *de;
	size_t base = strlen(path);
	int err = 0;

	if (depth > 32 || !(d = opendir(path)))
		return 0;
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (base + strlen(de->d_name) + 2 > len)
			continue;
		snprintf(path + base, len - base, "/%s", de->d_name);
		if (de->d_type == DT_DIR)
			err = pins_walk(j, path, len, depth + 1);
		else if (de->d_type == DT_REG || de->d_type == DT_UNKNOWN)
			err = pin_add(j, path, de->d_ino);
		path[base] = 0;
	}
	closedir(d);
	return err;
}

static void *pins_thread(void *arg)
{
	struct pins_job *j = arg;
	char path[4096];

	snprintf(path, sizeof(path), "%s", j->root);
	j->err = pins_walk(j, path, sizeof(path), 0);
	return NULL;
}

/* The open pin spans. Part of them would be worse than none: a pin whose span was not
 * read would start a second one, so a failure fails the snapshot (j->load_failed). */
static void prev_load(struct probe *p, struct pins_job *j)
{
	j->load_failed = store_open_pins(p->db, p->boot_id, &j->prev, &j->nr_prev, NULL) != 0;
	if (j->nr_prev)	/* (qsort takes no NULL base, even for no elements) */
		qsort(j->prev, j->nr_prev, sizeof(*j->prev), pin_rec_cmp);
}

int pins_start(struct probe *p, struct pins_job *j, const char *root)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->root, sizeof(j->root), "%s", root);
	prev_load(p, j);	/* (unmounted too: every open span then ends) */
	if (!env_is_bpffs(root)) {
		j->unmounted = true;
		return 0;
	}
	/* no thread (no memory, say): walk inline when finishing */
	j->started = !thread_start_beside(&j->th, pins_thread, j);
	return 0;
}

int pins_one(struct probe *p, struct pins_job *j, const char *root, const char *path)
{
	size_t n = strlen(root);
	struct stat st;

	memset(j, 0, sizeof(*j));
	snprintf(j->root, sizeof(j->root), "%s", root);
	j->single = true;
	prev_load(p, j);
	if (!env_is_bpffs(root)) {
		j->unmounted = true;
		return 0;
	}
	/* the walk sees root's tree only, and names a pin root/relative/path */
	if (strncmp(path, root, n) || path[n] != '/' || stat(path, &st))
		return 0;
	return pin_add(j, path, st.st_ino);
}

/* Join the walk; a pin on the same inode with the same object keeps its span, others end
 * theirs and start one. Unmounted bpffs: no pins, every span ends. */
int pins_finish(struct probe *p, struct pins_job *j)
{
	int err = 0;

	if (j->started)
		pthread_join(j->th, NULL);
	else if (!j->unmounted && !j->single)
		pins_thread(j);
	j->started = false;
	if (j->load_failed)
		err = err_set(p->e, EIO, "can't read the open pin spans of %s", p->db->path);
	else if (j->err)
		err = err_set(p->e, -j->err, "can't walk %s: %s", j->root, strerror(-j->err));
	if (!err)
		err = writer_pins_prepare(&p->w);
	for (size_t i = 0; !err && i < j->n; i++) {
		const struct pin_row *r = &j->recs[i];
		struct pin_row *prev = prev_find(j, r->path);

		if (prev && !prev->seen) {
			prev->seen = true;
			if (prev->same_boot && prev->kind == r->kind && prev->id == r->id &&
			    prev->ino == r->ino) {
				p->res->nr_pins++;
				continue;
			}
			err = writer_span_close(&p->w, SPAN_PIN, prev->row);
		}
		err = err ?: writer_pin(&p->w, r->path, r->kind, r->id, r->ino);
		if (!err)
			p->res->nr_pins++;
	}
	for (size_t i = 0; !err && i < j->nr_prev; i++)
		if (!j->prev[i].seen)
			err = writer_span_close(&p->w, SPAN_PIN, j->prev[i].row);
	return err ?: j->unmounted;
}

void pins_free(struct pins_job *j)
{
	if (j->started)
		pthread_join(j->th, NULL);
	for (size_t i = 0; i < j->n; i++)
		free(j->recs[i].path);
	free(j->recs);
	for (size_t i = 0; i < j->nr_prev; i++)
		free(j->prev[i].path);
	free(j->prev);
	memset(j, 0, sizeof(*j));
}
