/* diff's feature lines: the BPF features of A's boot against B's, from the probes stored
 * per boot (store/features.h); nothing when a side has none (live, or an older snapshot). */
#include <errno.h>
#include <stdlib.h>
#include "analyze/features.h"
#include "cli/cli.h"
#include "cli/diff_print.h"
#include "store/features.h"

static int side_features(struct diff_side *s, struct features *f)
{
	struct buf b = { 0 };
	struct err e = { 0 };
	int err = s->live ? -ENOENT : features_read(s->db, s->snap_id, &b, &e);

	err = err ?: features_decode(b.data, b.len, f, &e);
	buf_free(&b);
	return err;
}

/* The lines ("program_types have_x_prog_type: false -> true"), NUL-separated in out. */
static int feature_lines(struct diff_side *a, struct diff_side *b, struct buf *out)
{
	struct features *fa = calloc(1, sizeof(*fa)), *fb = calloc(1, sizeof(*fb));
	int n = 0;

	if (fa && fb && !side_features(a, fa) && !side_features(b, fb) &&
	    !features_compare(fa, fb, out))
		for (size_t i = 0; i < out->len; i++)
			if (out->data[i] == '\n') {
				out->data[i] = '\0';
				n++;
			}
	free(fa);
	free(fb);
	return n;
}

int diff_features_print(struct ctx *ctx, struct diff_side *a, struct diff_side *b)
{
	struct buf lines = { 0 };
	int n = feature_lines(a, b, &lines);
	const char *p = (const char *)lines.data;
	char safe[512];

	if (out_json(&ctx->out) && n > 0)
		out_arr_start(&ctx->out, "features");
	for (int i = 0; i < n; i++, p += strlen(p) + 1) {
		if (out_json(&ctx->out))
			out_str(&ctx->out, NULL, NULL, p);
		else
			out_plain(&ctx->out, "~ feature %s\n", out_safe(p, safe, sizeof(safe)));
	}
	if (out_json(&ctx->out) && n > 0)
		out_arr_end(&ctx->out);
	buf_free(&lines);
	return n;
}

int diff_features_count(struct diff_side *a, struct diff_side *b)
{
	struct buf lines = { 0 };
	int n = feature_lines(a, b, &lines);

	buf_free(&lines);
	return n;
}
