/* maps-data of large maps in chunks: batch lookups fill one chunk buffer, each chunk is
 * stored as a blob when it fills, and a list blob names them (lib/map_chunks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "analyze/map_contents.h"
#include "lib/map_chunks.h"
#include "capture/capture_int.h"

static uint32_t chunk_bytes(const struct probe *p)
{
	return p->opts && p->opts->map_chunk_bytes ? p->opts->map_chunk_bytes : MAP_CHUNK_BYTES;
}

bool map_contents_chunked(const struct probe *p, const struct bpf_map_info *info)
{
	uint32_t cpus = map_is_percpu(info->type) ? (uint32_t)p->nr_cpus : 0;
	uint64_t entry = (uint64_t)info->key_size + map_contents_stride(info->value_size, cpus);

	return (uint64_t)info->max_entries * entry > chunk_bytes(p);
}

void contents_out_free(struct contents_out *o)
{
	buf_free(&o->chunk);
	buf_free(&o->list);
}

/* The chunk being filled: n entries, keys at keys, values at vals (cap entries apart). */
struct chunker {
	struct probe *p;
	struct map_chunk_list l;
	uint8_t *keys, *vals;
	uint64_t n;
	struct contents_out *o;
};

/* The n entries so far as one contents blob at the buffer's start (values moved down to
 * follow the keys); its length. */
static size_t chunk_close(struct chunker *c)
{
	map_contents_header(c->o->chunk.data, c->l.key_size, c->l.value_size, c->l.nr_cpus,
			    c->n, false);
	memmove(c->keys + c->n * c->l.key_size, c->vals, c->n * c->l.value_stride);
	return MAP_CONTENTS_HDR_LEN + c->n * (c->l.key_size + c->l.value_stride);
}

static int chunk_flush(struct chunker *c)
{
	uint8_t rec[MAP_CHUNK_REC];
	int err;

	if (!c->n)
		return 0;
	err = writer_map_chunk(&c->p->w, c->o->chunk.data, chunk_close(c), rec);
	if (err)
		return err;
	memcpy(rec + 32, &c->n, 8);
	if (buf_append(&c->o->list, rec, sizeof(rec)))
		return err_set(c->p->e, ENOMEM, "out of memory reading map contents");
	c->l.count += c->n;
	c->l.nr_chunks++;
	c->n = 0;
	return 0;
}

/* A map type without batch lookups: read whole, per key (bounded by MAP_CONTENTS_MAX). */
static void contents_whole(struct probe *p, int fd, const struct bpf_map_info *info,
			   struct contents_out *o)
{
	struct err me = { 0 };
	uint64_t count;

	if (map_read_contents(fd, info, p->nr_cpus, &o->chunk, &count, &me)) {
		snprintf(o->error, sizeof(o->error), "%s", me.msg);
		o->d = (struct map_data_rec){ .error = o->error };
		return;
	}
	o->d = (struct map_data_rec){ .contents = o->chunk.data, .len = o->chunk.len,
				      .count = count };
}

/* The end: one chunk's worth is stored as a whole contents blob (as before chunks), more as
 * the list of the chunks. */
static int stream_end(struct chunker *c)
{
	struct contents_out *o = c->o;
	int err;

	if (!c->l.nr_chunks) {
		uint64_t n = c->n;

		o->d = (struct map_data_rec){ .contents = o->chunk.data, .len = chunk_close(c),
					      .count = n };
		return 0;
	}
	err = chunk_flush(c);
	if (err)
		return err;
	map_chunk_list_header(o->list.data, &c->l);
	o->d = (struct map_data_rec){ .contents = o->list.data, .len = o->list.len,
				      .count = c->l.count };
	return 0;
}

int map_contents_stream(struct probe *p, int fd, const struct bpf_map_info *info,
			struct contents_out *o)
{
	uint32_t cpus = map_is_percpu(info->type) ? (uint32_t)p->nr_cpus : 0;
	uint32_t ks = info->key_size, stride = map_contents_stride(info->value_size, cpus);
	uint32_t batch = info->max_entries && info->max_entries < 8192 ? info->max_entries : 8192;
	uint64_t entry = (uint64_t)ks + stride, per = entry ? chunk_bytes(p) / entry : 1, cap;
	struct chunker c = { .p = p, .o = o, .l = { .key_size = ks, .value_size = info->value_size,
		.nr_cpus = cpus, .value_stride = stride } };
	uint64_t in_batch = 0, out_batch = 0;
	void *inp = NULL;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	per = per ? per : 1;
	/* (a test's small chunks: a chunk is at least one batch; kept above a hash bucket's
	 * entries, which one batch must hold) */
	if (batch > per)
		batch = per < 256 ? 256 : (uint32_t)per;
	cap = per + batch;
	if (buf_reserve(&o->chunk, MAP_CONTENTS_HDR_LEN + cap * entry + 8) ||
	    buf_reserve(&o->list, MAP_CHUNK_LIST_HDR))
		return err_set(p->e, ENOMEM, "out of memory reading map contents");
	o->list.len = MAP_CHUNK_LIST_HDR;
	c.keys = o->chunk.data + MAP_CONTENTS_HDR_LEN;
	c.vals = c.keys + cap * ks;
	for (;;) {
		__u32 got = batch;
		int rc = bpf_map_lookup_batch(fd, inp, &out_batch, c.keys + c.n * ks,
					      c.vals + c.n * stride, &got, &opts), err;

		if (rc && errno != ENOENT) {
			if (!inp && errno != EPERM && errno != EACCES) {
				/* no batch ops for this map type */
				contents_whole(p, fd, info, o);
				return 0;
			}
			snprintf(o->error, sizeof(o->error), "lookup_batch: %s", strerror(errno));
			o->d = (struct map_data_rec){ .error = o->error };
			return 0;
		}
		c.n += got;
		if (rc)		/* ENOENT: that was the last batch */
			break;
		in_batch = out_batch;
		inp = &in_batch;
		if (c.n >= per && (err = chunk_flush(&c)))
			return err;
	}
	return stream_end(&c);
}
