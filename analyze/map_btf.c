/* Map keys and values formatted through the map's stored BTF (btf_value.c does the walk),
 * the BTF checked first because libbpf trusts its type graph. */
#include <stdlib.h>
#include <bpf/btf.h>
#include "analyze/btf_check.h"
#include "analyze/btf_value.h"
#include "analyze/map_btf.h"

struct map_btf {
	struct btf *btf;
	uint32_t key_type, value_type;
};

struct map_btf *map_btf_wrap(struct btf *btf, uint32_t key_type, uint32_t value_type)
{
	struct map_btf *mb;

	if (!btf || !value_type || btf_check_refs(btf, NULL) || !(mb = calloc(1, sizeof(*mb)))) {
		btf__free(btf);
		return NULL;
	}
	mb->btf = btf;
	mb->key_type = key_type;
	mb->value_type = value_type;
	return mb;
}

struct map_btf *map_btf_open(const void *data, size_t len, uint32_t key_type,
			     uint32_t value_type)
{
	/* bpftool formats a map whose BTF names a value type; the key may have none (.bss) */
	if (!data || !len || len > UINT32_MAX || !value_type)
		return NULL;
	return map_btf_wrap(btf__new(data, (uint32_t)len), key_type, value_type);
}

void map_btf_close(struct map_btf *mb)
{
	if (!mb)
		return;
	btf__free(mb->btf);
	free(mb);
}

static char *render(const struct btf *btf, uint32_t type, const void *p, size_t n, bool plain)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct jw w;
	int err;

	if (!f)
		return NULL;
	jw_init(&w, f, false);
	err = btf_value_write(&w, btf, type, p, n, plain);
	if (fclose(f) || err) {
		free(mem);
		return NULL;
	}
	return mem;
}

char *map_btf_key(const struct map_btf *mb, const void *p, size_t size, bool plain)
{
	return mb->key_type ? render(mb->btf, mb->key_type, p, size, plain) : NULL;
}

bool map_btf_has_key(const struct map_btf *mb)
{
	return mb->key_type != 0;
}

int map_btf_write_key(const struct map_btf *mb, struct jw *w, const void *p, size_t size,
		      bool plain)
{
	return btf_value_write(w, mb->btf, mb->key_type, p, size, plain);
}

int map_btf_write_value(const struct map_btf *mb, struct jw *w, const void *p, size_t size,
			bool plain)
{
	return btf_value_write(w, mb->btf, mb->value_type, p, size, plain);
}

char *map_btf_value(const struct map_btf *mb, const void *p, size_t size, bool plain)
{
	return render(mb->btf, mb->value_type, p, size, plain);
}
