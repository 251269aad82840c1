/* gen object OUT IN...: libbpf's bpf_linker (libbpf 0.4+, in Debian's 1.1) does the work, as
 * in bpftool; this only walks the files and words the errors. */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "gen/link_obj.h"

int link_objects(const char *out, char *const *in, int n, struct err *e)
{
	struct bpf_linker *l = bpf_linker__new(out, NULL);
	int err = 0;

	if (libbpf_get_error(l))
		return err_set(e, errno ?: EINVAL, "failed to create BPF linker instance");
	for (int i = 0; i < n && !err; i++)
		if (bpf_linker__add_file(l, in[i], NULL))
			err = err_set(e, errno ?: EINVAL, "failed to link '%s': %s (%d)", in[i],
				      strerror(errno), errno);
	if (!err && bpf_linker__finalize(l))
		err = err_set(e, errno ?: EINVAL, "failed to finalize ELF file: %s (%d)",
			      strerror(errno), errno);
	bpf_linker__free(l);
	return err;
}
