/* token show's data: /proc/mounts' bpffs entries that delegate (capture/token.h). */
#include <errno.h>
#include <mntent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "capture/token.h"
#include "store/writer.h"

static bool delegates(const char *o)
{
	return strstr(o, "delegate_cmds") || strstr(o, "delegate_maps") ||
	       strstr(o, "delegate_progs") || strstr(o, "delegate_attachs");
}

int token_mounts(struct token_mount **out, size_t *n, struct err *e)
{
	FILE *fp = setmntent("/proc/mounts", "r");
	struct mntent *m;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (!fp)
		return err_set(e, errno, "Failed to open: /proc/mounts");
	while (!err && (m = getmntent(fp))) {
		struct token_mount *v;

		if (strncmp(m->mnt_type, "bpf", 3) || !delegates(m->mnt_opts))
			continue;
		v = realloc(*out, (*n + 1) * sizeof(**out));
		if (!v) {
			err = err_set(e, ENOMEM, "out of memory");
			break;
		}
		*out = v;
		v[*n].dir = strdup(m->mnt_dir);
		v[*n].opts = strdup(m->mnt_opts);
		(*n)++;
		if (!v[*n - 1].dir || !v[*n - 1].opts)
			err = err_set(e, ENOMEM, "out of memory");
	}
	endmntent(fp);
	return err;
}

void token_mounts_free(struct token_mount *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].dir);
		free(v[i].opts);
	}
	free(v);
}

int tokens_store(struct writer *w, struct err *e)
{
	struct token_mount *v;
	size_t n;
	int err = token_mounts(&v, &n, e);

	for (size_t i = 0; !err && i < n; i++)
		err = writer_token(w, (uint32_t)i, v[i].dir, v[i].opts);
	token_mounts_free(v, n);
	return err;
}
