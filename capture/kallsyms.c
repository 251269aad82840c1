/* The kernel's own symbols from /proc/kallsyms: the part before the first BPF program's
 * line, read in small steps so that the BPF part is never produced; and of them, what a
 * snapshot keeps.
 *
 * A snapshot into a file keeps the lines its programs' code calls: every address a JIT dump
 * or an xlated dump names from kernel symbols (analyze/jited.h, analyze/xlated.h), found
 * when the code is fetched, with the line ksyms_lookup would answer each from the whole
 * text (analyze/ksyms.h's ksyms_select). That is a few kilobytes where the text is 5 MB,
 * which a first snapshot took 100 ms to read, write and commit. The lines are a view of
 * each snapshot (view_rows "kernel_calls"): the boot's earlier lines and the new ones, so a
 * program stored unchanged keeps its names. A snapshot whose programs call nothing new
 * keeps the view as it was, and reads no /proc/kallsyms. A boot whose code could not all be
 * scanned (no capstone, or a snapshot before this one stored code without the view) keeps
 * the whole text in boots.kallsyms, as live views do. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analyze/jited.h"
#include "analyze/ksyms.h"
#include "analyze/xlated.h"
#include "capture/bg.h"
#include "capture/capture_int.h"
#include "store/read_code.h"	/* KERNEL_CALLS_VIEW */

/* The kernel makes each [bpf] line by walking its list of BPF symbols from the start: the
 * whole file costs time quadratic in the number of programs (330 ms at 5,000 against 37 ms
 * for the rest). Programs' own symbols are in their info (jited_ksyms, func_info), and
 * after the BPF lines come only kprobe instruction pages, which no program calls. A read
 * produces at least what it asks for, so a small step leaves little BPF text produced in
 * vain. */
#define KSYMS_STEP 16384

/* The first "\t[bpf]" in [p, end): memchr for its '[' (vectorised; only module lines have
 * one) where memmem took 2.5% of a first snapshot's CPU over the 5.4 MB */
static uint8_t *bpf_tag(uint8_t *p, uint8_t *end)
{
	for (uint8_t *q = p; (q = memchr(q, '[', end - q)); q++)
		if (q > p && q[-1] == '\t' && end - q >= 5 && !memcmp(q, "[bpf]", 5))
			return q - 1;
	return NULL;
}

int kallsyms_read_kernel(struct buf *out)
{
	struct buf b = { 0 };
	size_t from;
	uint8_t *bpf;
	int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC), err = 0;

	out->len = 0;
	if (fd < 0)
		return -errno;
	for (bool done = false; !done;) {
		ssize_t n;

		if (buf_reserve(&b, KSYMS_STEP + 1)) {
			err = -ENOMEM;
			break;
		}
		n = read(fd, b.data + b.len, KSYMS_STEP);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		/* one search of what came in (and the 5 bytes before, where a match may begin),
		 * not a scan per line: the kernel's part alone is some 120,000 lines */
		from = b.len > 5 ? b.len - 5 : 0;
		b.len += n;
		done = n == 0;
		bpf = bpf_tag(b.data + from, b.data + b.len);
		if (bpf) {
			while (bpf > b.data && bpf[-1] != '\n')
				bpf--;	/* back to the start of its line */
			b.len = bpf - b.data;
			done = true;
		}
	}
	close(fd);
	if (!err) {
		*out = b;
		/* addresses are zero without privilege: worthless */
		if (out->len < 16 || !strncmp((char *)out->data, "0000000000000000", 16))
			out->len = 0;
	} else {
		buf_free(&b);
	}
	return err;
}

int kernel_calls_begin(struct probe *p)
{
	struct kernel_calls *c = &p->calls;
	int err;

	if (!p->history || !(p->mask & SNAP_CODE) || store_boot_has_kallsyms(p->db, p->boot_id))
		return 0;	/* (a boot's whole text covers every call) */
	err = store_boot_calls(p->db, p->boot_id, &c->prev, &c->have_prev, p->e);
	if (!err && !c->have_prev)
		c->whole = store_boot_had_code(p->db, p->boot_id, p->snap_id);
	if (err || !c->have_prev)
		return err;
	c->base = ksyms_text_call_base((const char *)c->prev.data, c->prev.len);
	return ksyms_selected((const char *)c->prev.data, c->prev.len, &c->done, p->e);
}

/* A later snapshot of a boot whose lines are kept: when the program just scanned (its
 * targets from jited_from, its calls from xlated_from on) calls an address the lines do not
 * answer for, the symbols are read from now on the other core, not after the walk. */
static void calls_check_new(struct probe *p, size_t jited_from, size_t xlated_from)
{
	struct kernel_calls *c = &p->calls;
	const uint64_t *done = (const uint64_t *)c->done.data;
	size_t ndone = c->done.len / 8;
	bool fresh = false;

	if (!p->bg || p->bg->want_kallsyms)
		return;		/* reading them already, or nothing to read them into */
	for (size_t i = jited_from; !fresh && i + 8 <= c->jited.len; i += 8) {
		uint64_t t;

		memcpy(&t, c->jited.data + i, 8);
		fresh = !u64_sorted_has(done, ndone, t);
	}
	for (size_t i = xlated_from; !fresh && i + 4 <= c->xlated.len; i += 4) {
		int32_t imm;

		memcpy(&imm, c->xlated.data + i, 4);
		fresh = !c->base || !u64_sorted_has(done, ndone, c->base + (int64_t)imm);
	}
	if (fresh)
		bg_start_kallsyms(p->bg);
}

/* The kernel addresses the code just fetched calls, into the record (on the walker's
 * thread: a scan of 1,000 programs, with capstone's load, took 20-40 ms of the writer's):
 * its xlated calls, and the JIT dump's named branch targets, through the walker's own
 * disassembler, opened when it first has code to scan. Without one, r->calls_unknown. */
int kernel_calls_scan(struct walk_mem *m, const struct prog_rec *pr, struct obj_rec *r,
		      struct err *e)
{
	uint32_t nks = pr->blob_len[PROG_BLOB_JITED_KSYMS] / 8;
	uint32_t nfl = pr->blob_len[PROG_BLOB_JITED_FUNC_LENS] / 4;
	struct prog_code pc = { .id = pr->info->id };
	struct err se = { 0 };
	int err = 0;

	r->calls_scanned = true;
	if (xlated_call_offsets(pr->blob[PROG_BLOB_XLATED], pr->blob_len[PROG_BLOB_XLATED],
				&r->calls_xlated))
		return err_set(e, ENOMEM, "out of memory");
	if (!pr->blob_len[PROG_BLOB_JITED])
		return 0;
	if (!m->scanner && (m->no_scanner || jited_scanner_open(&m->scanner, &se))) {
		m->no_scanner = true;
		r->calls_unknown = true;	/* no disassembler: the boot's whole text is kept */
		return 0;
	}
	/* (the record's arrays need not be aligned) */
	uint64_t *ks = calloc(nks + 1, sizeof(*ks));
	uint32_t *fl = calloc(nfl + 1, sizeof(*fl));

	if (!ks || !fl) {
		err = err_set(e, ENOMEM, "out of memory");
		goto cleanup;
	}
	memcpy(ks, pr->blob[PROG_BLOB_JITED_KSYMS], (size_t)nks * 8);
	memcpy(fl, pr->blob[PROG_BLOB_JITED_FUNC_LENS], (size_t)nfl * 4);
	pc.jited = pr->blob[PROG_BLOB_JITED];
	pc.jited_len = pr->blob_len[PROG_BLOB_JITED];
	pc.jited_ksyms = ks;
	pc.nr_jited_ksyms = nks;
	pc.jited_func_lens = fl;
	pc.nr_jited_func_lens = nfl;
	if (jited_scan_targets(m->scanner, &pc, &r->calls_jited, &se)) {
		if (se.code == ENOMEM)
			err = err_set(e, ENOMEM, "out of memory");
		r->calls_unknown = true;
	}
cleanup:
	free(ks);
	free(fl);
	return err;
}

int kernel_calls_add(struct probe *p, const struct obj_rec *r)
{
	struct kernel_calls *c = &p->calls;
	size_t jited_from = c->jited.len, xlated_from = c->xlated.len;

	if (!r->calls_scanned)
		return 0;
	if (buf_append(&c->xlated, r->calls_xlated.data, r->calls_xlated.len) ||
	    buf_append(&c->jited, r->calls_jited.data, r->calls_jited.len))
		return err_set(p->e, ENOMEM, "out of memory");
	if (r->calls_unknown && !c->unknown) {
		c->unknown = true;
		if (p->bg)
			bg_start_kallsyms(p->bg);	/* the whole text, from now on */
	}
	if (!c->unknown)
		calls_check_new(p, jited_from, xlated_from);
	return 0;
}

void kernel_calls_free(struct kernel_calls *c)
{
	buf_free(&c->jited);
	buf_free(&c->xlated);
	buf_free(&c->prev);
	buf_free(&c->done);
	memset(c, 0, sizeof(*c));
}

/* The addresses the lines must answer for: those the boot's lines answer for already, the
 * JIT targets, and the xlated calls from __bpf_call_base (none without it: the dump then
 * names no call, as bpftool). Sorted, unique, into out. */
static int calls_wanted(const struct kernel_calls *c, uint64_t base, struct buf *out)
{
	size_t nx = c->xlated.len / 4;

	if (buf_append(out, c->done.data, c->done.len) ||
	    buf_append(out, c->jited.data, c->jited.len))
		return -ENOMEM;
	for (size_t i = 0; base && i < nx; i++) {
		int32_t imm;
		uint64_t a;

		memcpy(&imm, c->xlated.data + 4 * i, 4);
		a = base + (int64_t)imm;
		if (buf_append(out, &a, sizeof(a)))
			return -ENOMEM;
	}
	out->len = 8 * u64_sort_unique((uint64_t *)out->data, out->len / 8);
	return 0;
}

/* every address wanted is one the list answers for already */
static bool calls_covered(const struct buf *done, const struct buf *want)
{
	return want->len == done->len && (!want->len || !memcmp(want->data, done->data, want->len));
}

/* The whole text, as every snapshot kept it before the views: what the background thread
 * read, if this boot had none stored; else, read_now, read here (a live view reads it when
 * a dump first needs it: snapshot_fill_kallsyms). */
static int whole_store(struct probe *p, bool read_now)
{
	struct bg_blob *b;
	int err;

	if (!p->bg || !p->bg->want_kallsyms)
		return read_now ? probe_kallsyms(p) : 0;
	bg_join_kallsyms(p->bg);
	b = &p->bg->kallsyms;
	if (!b->ready)
		return 0;
	if (p->bg->want_index)	/* (not hashed in the background: see bg_kallsyms) */
		sha256(b->z.data, b->z.len, b->hash);
	err = blob_put_prepared(p->db, "kallsyms", b->hash, b->raw_size, 0, b->z.data, b->z.len, p->e);
	return err ?: writer_boot_kallsyms(&p->w, p->boot_id, b->hash);
}

/* /proc/kallsyms up to its BPF part and its index: the background thread's, or made now */
struct ksyms_text {
	struct buf own;
	struct ksym_index own_index;
	const struct buf *text;
	const struct ksym_index *index;
};

static int text_get(struct probe *p, struct ksyms_text *t)
{
	int err;

	if (p->bg && p->bg->want_kallsyms) {
		bg_join_kallsyms(p->bg);
		t->text = &p->bg->kallsyms.z;	/* (empty when it could not be read) */
		if (p->bg->index_ready) {
			t->index = &p->bg->index;
			return 0;
		}
	} else {
		err = kallsyms_read_kernel(&t->own);
		if (err == -ENOMEM)
			return err_set(p->e, ENOMEM, "out of memory reading kernel symbols");
		t->text = &t->own;
	}
	err = ksym_index_build((const char *)t->text->data, t->text->len, &t->own_index);
	if (err)
		return err_set(p->e, -err, "can't index kernel symbols: %s", strerror(-err));
	t->index = &t->own_index;
	return 0;
}

int kallsyms_store(struct probe *p)
{
	const struct kernel_calls *c = &p->calls;
	struct buf want = { 0 }, list = { 0 };
	struct ksyms_text t = { 0 };
	int err = 0;

	if (!p->history || store_boot_has_kallsyms(p->db, p->boot_id))
		return p->history ? 0 : whole_store(p, false);	/* (a whole text covers all) */
	if (c->unknown || c->whole)
		return whole_store(p, true);
	/* a boot's first lines, and its programs call nothing: none, and none read */
	if (!c->have_prev && !c->jited.len && !c->xlated.len) {
		probe_trace(p, "kernel calls     none");
		return writer_view(&p->w, KERNEL_CALLS_VIEW, 0, "", 0);
	}
	if (calls_wanted(c, c->base, &want)) {
		err = err_set(p->e, ENOMEM, "out of memory");
		goto cleanup;
	}
	/* nothing new called: the view goes on as it was, no /proc/kallsyms read */
	if (c->have_prev && c->base && calls_covered(&c->done, &want)) {
		err = writer_view(&p->w, KERNEL_CALLS_VIEW, want.len / 8, c->prev.data, c->prev.len);
		goto cleanup;
	}
	err = text_get(p, &t);
	if (err || !t.text->len) {	/* no symbols (hidden addresses): the names as they were */
		if (!err && c->have_prev)
			err = writer_view(&p->w, KERNEL_CALLS_VIEW, c->done.len / 8, c->prev.data,
					  c->prev.len);
		goto cleanup;
	}
	want.len = 0;
	if (calls_wanted(c, t.index->call_base, &want)) {
		err = err_set(p->e, ENOMEM, "out of memory");
		goto cleanup;
	}
	err = ksym_index_select(t.index, (const char *)t.text->data, t.text->len,
				(const uint64_t *)want.data, want.len / 8, &list, p->e);
	if (err)
		goto cleanup;
	probe_trace(p, "kernel calls     %zu addresses, %zu bytes of lines", want.len / 8, list.len);
	err = writer_view(&p->w, KERNEL_CALLS_VIEW, want.len / 8, list.data ? list.data : (void *)"",
			  list.len);
cleanup:
	buf_free(&want);
	buf_free(&t.own);
	ksym_index_free(&t.own_index);
	buf_free(&list);
	return err;
}

/* The whole text into a live view (or a boot the views can't cover). */
int probe_kallsyms(struct probe *p)
{
	struct buf kept = { 0 };
	uint8_t hash[SHA256_LEN];
	int err;

	if (store_boot_has_kallsyms(p->db, p->boot_id))
		return 0;
	err = kallsyms_read_kernel(&kept);
	if (err == -ENOMEM)
		err = err_set(p->e, ENOMEM, "out of memory reading kernel symbols");
	else if (err || !kept.len)
		err = 0;	/* no symbols: dumps fall back to addresses */
	else
		err = blob_put(p->db, "kallsyms", kept.data, kept.len, hash, p->e) ?:
		      writer_boot_kallsyms(&p->w, p->boot_id, hash);
	buf_free(&kept);
	return err;
}
