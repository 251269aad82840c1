/* Unit checks of the JIT disassembler on hand-made images: function split, call names,
 * source lines, opcodes, bad bytes, lying lengths, arm64. No kernel needed. */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/jited.h"
#include "analyze/xlated.h"
#include "config.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

#define BASE 0xffffffffc0001000ull
#define HELPER 0xffffffff81200000ull

static const char *kallsyms =
	"ffffffff81000000 T _stext\n"
	"ffffffff81200000 T bpf_map_lookup_elem\n"
	"ffffffff81200100 t helper_tail\n"
	"ffffffffbff00000 T arm_helper\n"
	"ffffffffc0001000 t bpf_prog_0000000000000000_stale\t[bpf]\n";

/* find the n-th (0-based) line of kind k whose text contains s; -1 if none */
static long find(const struct dump *d, enum dump_line_kind k, const char *s)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->lines[i].kind == k && d->lines[i].text && strstr(d->lines[i].text, s))
			return i;
	return -1;
}

static void put_rel32(uint8_t *p, uint64_t from_next, uint64_t to)
{
	int32_t rel = (int32_t)(to - from_next);

	memcpy(p, &rel, 4);
}

static struct btf *make_btf(uint32_t *func_main, uint32_t *func_sub, uint32_t *line_off,
			    uint32_t *file_off)
{
	struct btf *b = btf__new_empty();
	int i = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int ptr = btf__add_ptr(b, 0);
	int p1 = btf__add_func_proto(b, i);

	btf__add_func_param(b, "ctx", ptr);
	*func_main = btf__add_func(b, "count_getpid", BTF_FUNC_GLOBAL, p1);
	*func_sub = btf__add_func(b, "sub", BTF_FUNC_STATIC, btf__add_func_proto(b, i));
	*line_off = btf__add_str(b, "\tint key = 0;");
	*file_off = btf__add_str(b, "/src/a.bpf.c");
	return b;
}

static void check_selected_same(struct prog_code *pc, const struct dump *whole);

static void test_x86(void)
{
	/* main: nop5; call helper; call sub; jmp +0 (inside); jmp helper_tail; (06 invalid)
	 * sub (at BASE + 0x100): xor eax,eax; ret; then a truncated insn "48" */
	uint8_t img[64] = { 0x0f, 0x1f, 0x44, 0x00, 0x00,	/* 0: nopl */
			    0xe8, 0, 0, 0, 0,			/* 5: call helper */
			    0xe8, 0, 0, 0, 0,			/* a: call sub */
			    0xeb, 0x00,				/* f: jmp 0x11 */
			    0xe9, 0, 0, 0, 0,			/* 11: jmp helper_tail */
			    0x06,				/* 16: (bad) */
			    0x31, 0xc0, 0xc3, 0x48 };		/* sub: xor; ret; truncated */
	uint32_t lens[2] = { 0x17, 4 };
	uint64_t ks[2] = { BASE, BASE + 0x100 };
	uint64_t jli[3] = { BASE, BASE + 5, BASE + 0x100 };
	struct bpf_func_info fi[2] = { { 0, 0 }, { 9, 0 } };
	struct bpf_line_info li[3];
	/* tag of function 0 = the program's: the kernel names the main function by prog->tag */
	uint8_t tags[16] = { 0xbe, 0x07, 0x5f, 0x8b, 0x6a, 0x94, 0xde, 0x72,
			     9, 10, 11, 12, 13, 14, 15, 16 };
	struct prog_code pc = { .id = 7, .name = "count_getpid", .tag = "be075f8b6a94de72",
				.arch = "x86_64" };
	struct dump d = { 0 };
	struct err e = { 0 };
	uint32_t fm, fs, lo, fo;
	long i;

	put_rel32(img + 6, BASE + 0xa, HELPER);
	put_rel32(img + 11, BASE + 0xf, BASE + 0x100);
	put_rel32(img + 0x12, BASE + 0x16, HELPER + 0x108);
	pc.btf = make_btf(&fm, &fs, &lo, &fo);
	fi[0].type_id = fm;
	fi[1].type_id = fs;
	for (int k = 0; k < 3; k++)
		li[k] = (struct bpf_line_info){ .insn_off = k, .file_name_off = fo, .line_off = lo,
						.line_col = (12 << 10) | 3 };
	li[1].line_off = 0;	/* "" */
	pc.jited = img;
	pc.jited_len = 0x17 + 4;
	pc.jited_func_lens = lens;
	pc.nr_jited_func_lens = 2;
	pc.jited_ksyms = ks;
	pc.nr_jited_ksyms = 2;
	pc.func_info = (const uint8_t *)fi;
	pc.nr_func_info = 2;
	pc.func_info_rec_size = sizeof(fi[0]);
	pc.line_info = (const uint8_t *)li;
	pc.nr_line_info = 3;
	pc.line_info_rec_size = sizeof(li[0]);
	pc.jited_line_info = jli;
	pc.nr_jited_line_info = 3;
	pc.prog_tags = tags;
	pc.nr_prog_tags = 2;
	CHECK(!ksyms_parse(kallsyms, strlen(kallsyms), &pc.ksyms, &e), "ksyms_parse");

	CHECK(!jited_dump(&pc, DUMP_LINUM, &d, &e), "x86 dump: %s", e.msg);
	CHECK(d.n > 0 && d.lines[0].kind == DL_FUNC &&
	      !strcmp(d.lines[0].text, "int count_getpid(void * ctx)"), "first line is the prototype");
	CHECK(d.n > 1 && d.lines[1].kind == DL_ADDR && d.lines[1].addr == BASE &&
	      d.lines[1].text && !strcmp(d.lines[1].text, "bpf_prog_be075f8b6a94de72_count_getpid"),
	      "address line of main: %s", d.n > 1 && d.lines[1].text ? d.lines[1].text : "(null)");
	CHECK(d.n > 2 && d.lines[2].kind == DL_SRC && !strcmp(d.lines[2].text, "int key = 0;") &&
	      d.lines[2].file && !strcmp(d.lines[2].file, "/src/a.bpf.c") && d.lines[2].line == 12 &&
	      d.lines[2].col == 3, "source line before insn 0, trimmed, with file:line:col");
	CHECK(find(&d, DL_INSN, "nopl\t(%rax,%rax)") == 3, "nopl at line 3");	/* LLVM spelling */
	CHECK((i = find(&d, DL_INSN, "<bpf_map_lookup_elem>")) > 0 && d.lines[i].pc == 5 &&
	      d.lines[i].addr == BASE + 5, "call to a helper is named");
	CHECK(find(&d, DL_INSN, "callq\t0xffffffffc0001100 <bpf_prog_090a0b0c0d0e0f10_sub>") > 0,
	      "call to a subprogram is named by its kallsyms name");
	CHECK((i = find(&d, DL_INSN, "jmp\t0xffffffffc0001011")) > 0 && !strchr(d.lines[i].text, '<'),
	      "jump inside the function stays an address");
	CHECK(find(&d, DL_INSN, "<helper_tail+0x8>") > 0, "jump out of the function: sym+off");
	CHECK((i = find(&d, DL_INSN, "(bad)")) > 0 && d.lines[i].pc == 0x16, "invalid byte is (bad)");
	CHECK(find(&d, DL_INSN, "<stale>") < 0 && find(&d, DL_INSN, "_stale") < 0,
	      "[bpf] kallsyms entries are never used");
	CHECK(find(&d, DL_FUNC, "int sub()") > 0, "subprogram prototype");
	CHECK((i = find(&d, DL_INSN, "retq")) > 0 && d.lines[i].pc == 2 &&
	      d.lines[i].addr == BASE + 0x102, "pc is per function, addr absolute");
	CHECK(d.n && d.lines[d.n - 1].kind == DL_INSN && !strcmp(d.lines[d.n - 1].text, "(bad)") &&
	      d.lines[d.n - 1].pc == 3, "truncated last insn is (bad)");
	CHECK(d.lines[3].nbytes == 0, "no opcodes unless asked");
	check_selected_same(&pc, &d);
	dump_free(&d);

	/* opcodes; no DUMP_LINUM: no file */
	CHECK(!jited_dump(&pc, DUMP_OPCODES, &d, &e), "x86 dump with opcodes");
	CHECK(d.n > 3 && d.lines[3].nbytes == 5 && d.lines[3].bytes == img, "opcodes point into the image");
	CHECK(d.n > 2 && d.lines[2].kind == DL_SRC && !d.lines[2].file, "no file without DUMP_LINUM");
	dump_free(&d);

	/* lengths that lie: one function and a warning */
	lens[1] = 1000;
	CHECK(!jited_dump(&pc, 0, &d, &e), "lying lengths still dump");
	CHECK(find(&d, DL_WARN, "one function") >= 0 && d.nwarn == 1, "lying lengths warn");
	CHECK(find(&d, DL_INSN, "retq") > 0, "all bytes shown as one function");
	dump_free(&d);
	lens[1] = 4;

	/* no start addresses (not captured): no address line, no names, no source lines */
	pc.jited_ksyms = NULL;
	pc.nr_jited_ksyms = 0;
	CHECK(!jited_dump(&pc, 0, &d, &e), "dump without ksyms");
	CHECK(find(&d, DL_ADDR, "") < 0 && find(&d, DL_INSN, "<") < 0, "nothing named without ksyms");
	dump_free(&d);

	strcpy(pc.arch, "mips");
	CHECK(jited_dump(&pc, 0, &d, &e) == -ENOTSUP, "unknown arch refused");
	dump_free(&d);
	err_clear(&e);
	pc.jited_len = 0;
	CHECK(jited_dump(&pc, 0, &d, &e) == -ENODATA, "no code refused");
	dump_free(&d);
	btf__free(pc.btf);
	ksyms_free(&pc.ksyms);
}

static void test_arm64(void)
{
#ifdef HAVE_CAPSTONE_ARM64
	uint8_t img[14];
	/* bl reaches +-128 MiB: a target near the image */
	uint32_t bl = 0x94000000u | (((uint32_t)((0xffffffffbff00000ull - (BASE + 4)) >> 2)) & 0x3ffffff);
	uint32_t words[3] = { 0xd503201fu /* nop */, bl, 0xd65f03c0u /* ret */ };
	struct prog_code pc = { .id = 8, .name = "a", .arch = "aarch64" };
	uint64_t ks[1] = { BASE };
	struct dump d = { 0 };
	struct err e = { 0 };

	memcpy(img, words, 12);
	img[12] = 0xff;
	img[13] = 0xff;		/* half an instruction */
	pc.jited = img;
	pc.jited_len = sizeof(img);
	pc.jited_ksyms = ks;
	pc.nr_jited_ksyms = 1;
	CHECK(!ksyms_parse(kallsyms, strlen(kallsyms), &pc.ksyms, &e), "ksyms_parse");
	CHECK(!jited_dump(&pc, 0, &d, &e), "arm64 dump: %s", e.msg);
	CHECK(find(&d, DL_INSN, "nop") >= 0, "arm64 nop");
	CHECK(find(&d, DL_INSN, "bl\t#0xffffffffbff00000 <arm_helper>") >= 0,
	      "arm64 call named");
	CHECK(find(&d, DL_INSN, "ret") >= 0, "arm64 ret");
	CHECK(d.n && !strcmp(d.lines[d.n - 1].text, "(bad)") && d.lines[d.n - 1].pc == 12,
	      "arm64 half insn is (bad)");
	dump_free(&d);
	ksyms_free(&pc.ksyms);
#endif
}

/* The kernel addresses the code branches to (the scan a snapshot makes), and the dump from
 * the kallsyms lines selected for them is the dump from the whole text, line for line. */
static void check_selected_same(struct prog_code *pc, const struct dump *whole)
{
	struct jited_scanner *sc = NULL;
	struct buf t = { 0 }, sel = { 0 };
	struct ksyms all = pc->ksyms;
	struct dump d = { 0 };
	struct err e = { 0 };
	const uint64_t *v;

	CHECK(!jited_scanner_open(&sc, &e), "scanner: %s", e.msg);
	if (!sc)
		return;
	CHECK(!jited_scan_targets(sc, pc, &t, &e), "scan: %s", e.msg);
	v = (const uint64_t *)t.data;
	/* the helper call and the jump out; not the subprogram call, not the jump inside */
	CHECK(t.len == 16 && v[0] == HELPER && v[1] == HELPER + 0x108, "targets: %zu bytes", t.len);
	CHECK(!ksyms_select(kallsyms, strlen(kallsyms), v, t.len / 8, &sel, &e), "select");
	CHECK(!strstr((const char *)sel.data, "_stext") && !strstr((const char *)sel.data, "arm_helper"),
	      "only the lines asked for: %.*s", (int)sel.len, (const char *)sel.data);
	CHECK(!ksyms_parse((const char *)sel.data, sel.len, &pc->ksyms, &e), "parse the selection");
	CHECK(!jited_dump(pc, DUMP_LINUM, &d, &e) && d.n == whole->n, "dump from the selection");
	for (size_t i = 0; i < d.n && i < whole->n; i++)
		CHECK((!d.lines[i].text && !whole->lines[i].text) ||
		      (d.lines[i].text && whole->lines[i].text &&
		       !strcmp(d.lines[i].text, whole->lines[i].text)), "line %zu: %s", i,
		      d.lines[i].text ? d.lines[i].text : "(null)");
	dump_free(&d);
	ksyms_free(&pc->ksyms);
	pc->ksyms = all;
	buf_free(&t);
	buf_free(&sel);
	jited_scanner_close(sc);
}

/* Selection from unsorted text (module lines), symbols at one address in the text's order,
 * addresses inside a function and below every symbol, __bpf_call_base always, and the list
 * of addresses the selection answers for read back. */
static void test_select(void)
{
	static const char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81100000 T __bpf_call_base\n"
		"ffffffff82000000 T alias_b\n"
		"ffffffff82000000 T alias_a\n"
		"ffffffff82000100 t next_fn\n"
		"ffffffffc1000000 t mod_fn\t[mod]\n"
		"ffffffffc0000000 t early_mod\t[early]\n"
		"garbage line\n"
		"ffffffff82000000";	/* (a last line without its newline: a bare address) */
	const uint64_t want[] = { 0xffffffff00000000ull, 0xffffffff82000010ull,
				  0xffffffffc0000004ull, 0xffffffffc1000000ull };
	struct buf sel = { 0 }, addrs = { 0 };
	struct ksyms whole, part;
	struct err e = { 0 };
	uint64_t off1, off2;

	CHECK(!ksyms_select(text, sizeof(text) - 1, want, 4, &sel, &e), "select: %s", e.msg);
	CHECK(sel.len && !strncmp((const char *)sel.data,
				  "ffffffff81100000 T __bpf_call_base\n"
				  "ffffffff82000000 T alias_b\n"
				  "ffffffff82000000 T alias_a\n"
				  "ffffffffc1000000 t mod_fn\t[mod]\n"
				  "ffffffffc0000000 t early_mod\t[early]\n"
				  "ffffffff00000000\nffffffff82000010\nffffffffc0000004\nffffffffc1000000\n",
				  sel.len), "selection:\n%.*s", (int)sel.len, (const char *)sel.data);
	CHECK(ksyms_text_call_base((const char *)sel.data, sel.len) == 0xffffffff81100000ull,
	      "call base in the selection");
	CHECK(!ksyms_selected((const char *)sel.data, sel.len, &addrs, &e) && addrs.len == 32 &&
	      !memcmp(addrs.data, want, 32), "addresses read back");
	CHECK(!ksyms_parse(text, sizeof(text) - 1, &whole, &e) &&
	      !ksyms_parse((const char *)sel.data, sel.len, &part, &e), "parse");
	for (int k = 0; k < 4; k++) {
		const struct ksym *a = ksyms_lookup(&whole, want[k], &off1);
		const struct ksym *b = ksyms_lookup(&part, want[k], &off2);

		CHECK((!a && !b) || (a && b && !strcmp(a->name, b->name) && off1 == off2),
		      "lookup %d: %s / %s", k, a ? a->name : "-", b ? b->name : "-");
	}
	ksyms_free(&whole);
	ksyms_free(&part);
	buf_free(&sel);
	buf_free(&addrs);
}

int main(void)
{
	test_select();
	test_x86();
	test_arm64();
	printf("%s: %s\n", __FILE__, failed ? "FAIL" : "ok");
	return failed != 0;
}
