/* CFG against CFG: blocks paired by the longest common subsequence of their
 * normalised instruction texts, per function, functions paired by BTF name. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/cfg_diff.h"
#include "analyze/xlated.h"

/* beyond this many DP cells a function is compared by block membership only */
#define LCS_MAX_CELLS	(4u << 20)

static size_t span(const char *s, int (*cls)(int))
{
	size_t n = 0;

	while (s[n] && cls((unsigned char)s[n]))
		n++;
	return n;
}

void cfg_insn_normalize(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (!len)
		return;
#define EMIT(str) do { for (const char *_s = (str); *_s && o + 1 < len; _s++) out[o++] = *_s; } while (0)
	while (*in && o + 1 < len) {
		size_t d;

		if (!strncmp(in, "map[id:", 7) && (d = span(in + 7, isdigit)) && in[7 + d] == ']') {
			EMIT("map[id:*]");
			in += 8 + d;
		} else if (!strncmp(in, "pc", 2) && (in[2] == '+' || in[2] == '-') &&
			   (d = span(in + 3, isdigit))) {
			/* branch and call offsets move whenever code is added in between;
			 * the edges show where they go */
			EMIT("pc*");
			in += 3 + d;
		} else if (*in == '#' && (d = span(in + 1 + (in[1] == '-'), isdigit))) {
			EMIT("#*");
			in += 1 + (in[1] == '-') + d;
		} else if (!strncmp(in, "bpf_prog_", 9) && span(in + 9, isxdigit) == 16 &&
			   in[25] == '_') {
			EMIT("bpf_prog_*_");
			in += 26;
		} else if (in[0] == '0' && in[1] == 'x' && (d = span(in + 2, isxdigit)) >= 12) {
			EMIT("0x*");
			in += 2 + d;
		} else if (isalnum((unsigned char)*in) || *in == '_') {
			/* copy a whole word, so "r0x..." or "id:" inside a word stays put */
			d = span(in, isalnum);
			d = d ? d : 1;
			while (d-- && o + 1 < len)
				out[o++] = *in++;
		} else {
			out[o++] = *in++;
		}
	}
#undef EMIT
	out[o] = 0;
}

static uint64_t block_hash(const struct prog_code *pc, const struct cfg *c,
			   const struct cfg_block *bb)
{
	char text[256], norm[256];
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (uint32_t i = bb->start; i < bb->end; i++) {
		if (c->slot2[i])
			continue;
		if (!xlated_insn_text(pc, i, text, sizeof(text)))
			text[0] = 0;
		cfg_insn_normalize(text, norm, sizeof(norm));
		for (const char *p = norm; ; p++) {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ull;
			if (!*p)
				break;
		}
	}
	return h;
}

static const char *fname(const struct prog_code *pc, const struct cfg_func *f)
{
	const char *n;

	if (!pc || f->func_info < 0 || (uint32_t)f->func_info >= pc->nr_func_info)
		return NULL;
	n = prog_code_func_name(pc, f->func_info);
	return n && *n ? n : NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Resolve a gap between two matched blocks: ga A blocks at a_idx[...] against gb B blocks. */
static void gap(uint8_t *marks, const uint32_t *a_blk, uint32_t from, uint32_t to, uint32_t gb,
		struct cfg_diff_stats *st)
{
	for (uint32_t k = from; k < to; k++) {
		bool changed = k - from < gb;

		marks[a_blk[k]] = changed ? CFG_MARK_CHANGED : CFG_MARK_NEW;
		if (changed)
			st->changed++;
		else
			st->added++;
	}
	if (gb > to - from)
		st->removed += gb - (to - from);
}

static int diff_func(const uint64_t *ha, const uint32_t *a_blk, uint32_t na, uint64_t *hb,
		     uint32_t nb, uint8_t *marks, struct cfg_diff_stats *st)
{
	uint32_t i, j, ga, gb;
	uint32_t *L;

	if ((uint64_t)(na + 1) * (nb + 1) > LCS_MAX_CELLS) {
		qsort(hb, nb, sizeof(*hb), cmp_u64);
		for (i = 0; i < na; i++) {
			if (bsearch(&ha[i], hb, nb, sizeof(*hb), cmp_u64)) {
				st->same++;
				continue;
			}
			marks[a_blk[i]] = i < nb ? CFG_MARK_CHANGED : CFG_MARK_NEW;
			if (i < nb)
				st->changed++;
			else
				st->added++;
		}
		return 0;
	}
	L = calloc((size_t)(na + 1) * (nb + 1), sizeof(*L));
	if (!L)
		return -ENOMEM;
#define AT(x, y) L[(size_t)(x) * (nb + 1) + (y)]
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			AT(i, j) = ha[i] == hb[j] ? AT(i + 1, j + 1) + 1 :
				   AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
	i = j = ga = gb = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && ha[i] == hb[j]) {
			gap(marks, a_blk, ga, i, gb, st);
			st->same++;
			i++, j++;
			ga = i;
			gb = 0;
		} else if (j >= nb || (i < na && AT(i + 1, j) >= AT(i, j + 1))) {
			i++;
		} else {
			j++;
			gb++;
		}
	}
	gap(marks, a_blk, ga, na, gb, st);
#undef AT
	free(L);
	return 0;
}

/* code blocks of function f: their hashes (and block indexes when blk is given) */
static uint32_t func_hashes(const struct prog_code *pc, const struct cfg *c, uint32_t fi,
			    uint64_t *h, uint32_t *blk)
{
	const struct cfg_func *f = &c->funcs[fi];
	uint32_t n = 0;

	for (uint32_t b = f->first_block + CFG_BB_FIRST; b < f->first_block + f->nr_blocks; b++) {
		h[n] = block_hash(pc, c, &c->blocks[b]);
		if (blk)
			blk[n] = b;
		n++;
	}
	return n;
}

int cfg_diff(const struct prog_code *pa, const struct cfg *a, const struct prog_code *pb,
	     const struct cfg *b, uint8_t *marks, struct cfg_diff_stats *st, struct err *e)
{
	uint64_t *ha = calloc(a->nr_blocks + 1, sizeof(*ha)), *hb = calloc(b->nr_blocks + 1, sizeof(*hb));
	uint32_t *a_blk = calloc(a->nr_blocks + 1, sizeof(*a_blk));
	uint8_t *b_used = calloc(b->nr_funcs + 1, 1);
	int err = 0;

	memset(st, 0, sizeof(*st));
	memset(marks, CFG_MARK_SAME, a->nr_blocks);
	if (!ha || !hb || !a_blk || !b_used) {
		err = err_set(e, ENOMEM, "can't compare the CFGs: out of memory");
		goto cleanup;
	}
	for (uint32_t fi = 0; fi < a->nr_funcs && !err; fi++) {
		const char *name = fname(pa, &a->funcs[fi]);
		int match = -1;
		uint32_t na, nb;

		for (uint32_t k = 0; k < b->nr_funcs && match < 0; k++) {
			const char *bn = fname(pb, &b->funcs[k]);

			if (!b_used[k] && name && bn && !strcmp(name, bn))
				match = k;
		}
		if (match < 0 && !name && fi < b->nr_funcs && !b_used[fi] && !fname(pb, &b->funcs[fi]))
			match = fi;
		na = func_hashes(pa, a, fi, ha, a_blk);
		if (match < 0) {
			st->funcs_added++;
			for (uint32_t k = 0; k < na; k++)
				marks[a_blk[k]] = CFG_MARK_NEW;
			st->added += na;
			continue;
		}
		b_used[match] = 1;
		nb = func_hashes(pb, b, match, hb, NULL);
		if (diff_func(ha, a_blk, na, hb, nb, marks, st))
			err = err_set(e, ENOMEM, "can't compare the CFGs: out of memory");
	}
	for (uint32_t k = 0; k < b->nr_funcs; k++) {
		if (b_used[k])
			continue;
		st->funcs_removed++;
		st->removed += b->funcs[k].nr_blocks - CFG_BB_FIRST;
	}
cleanup:
	free(ha);
	free(hb);
	free(a_blk);
	free(b_used);
	return err;
}
