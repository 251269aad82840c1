/* Unit checks of bpftool-style byte lists (map update/lookup arguments), kernel-name
 * matching for replay, and restoring a map from a contents blob's shape checks. */
#include <stdio.h>
#include <string.h>
#include "act/map_edit.h"
#include "act/replay_int.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static int parse(const char *line, uint8_t *out, size_t n, struct err *e)
{
	static char buf[256];
	char *words[32];
	int nw = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && nw < 32; t = strtok(NULL, " "))
		words[nw++] = t;
	err_clear(e);
	return mapedit_parse_bytes(words, nw, out, n, "key", e);
}

int main(void)
{
	uint8_t b[8];
	struct err e;
	int used;

	/* C notation: 90 is decimal (the walkthrough's "value 90 00 00 00" is 0x5a) */
	used = parse("90 00 00 00", b, 4, &e);
	CHECK(used == 4 && b[0] == 0x5a && !b[1], "decimal bytes: used %d b0 %x", used, b[0]);
	used = parse("0x10 010 7 255", b, 4, &e);
	CHECK(used == 4 && b[0] == 16 && b[1] == 8 && b[2] == 7 && b[3] == 255, "0x/octal/decimal");
	used = parse("hex 0a ff 10 00", b, 4, &e);
	CHECK(used == 5 && b[0] == 10 && b[1] == 255 && b[2] == 16, "hex mode: used %d", used);
	/* stops after n bytes: the rest belongs to the next keyword */
	used = parse("1 2 3 4 value 5", b, 4, &e);
	CHECK(used == 4, "stops at n: used %d", used);
	/* too short, ended by a keyword: a count error, not a parse error */
	used = parse("1 2 value 5", b, 4, &e);
	CHECK(used < 0 && strstr(e.msg, "expected 4 bytes got 2"), "short list: %s", e.msg);
	used = parse("1 256 3 4", b, 4, &e);
	CHECK(used < 0 && strstr(e.msg, "error parsing byte: 256"), "out of range: %s", e.msg);
	used = parse("1 08 3 4", b, 4, &e);
	CHECK(used < 0 && strstr(e.msg, "error parsing byte: 08"), "bad octal: %s", e.msg);
	used = parse("", b, 4, &e);
	CHECK(used < 0 && strstr(e.msg, "got 0"), "empty: %s", e.msg);

	/* kernel names keep 15 bytes */
	CHECK(replay_name_eq("count", "count"), "same name");
	CHECK(!replay_name_eq("count", "count2"), "different name");
	CHECK(replay_name_eq("drop_ingress_port_8080", "drop_ingress_po"), "truncated name");
	CHECK(!replay_name_eq("drop_ingress_po", "drop_ingress_port_8080"), "stored name too long");
	CHECK(!replay_name_eq("drop_ingress_px_8080", "drop_ingress_po"), "truncated mismatch");

	if (failed)
		printf("%d check(s) failed\n", failed);
	return failed ? 1 : 0;
}
