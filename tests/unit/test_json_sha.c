/* Unit checks of the JSON writer's escaping and of SHA-256 against FIPS vectors, and of the
 * string helpers lib/ gives the readers (str_cat, a snapshot's string storage). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/json_writer.h"
#include "lib/sha256.h"
#include "lib/snap_objs.h"
#include "lib/util.h"

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static void check_sha(const char *in, const char *want)
{
	uint8_t h[32];
	char hx[65];

	sha256(in, strlen(in), h);
	hex_encode(h, 32, hx);
	CHECK(!strcmp(hx, want), "sha256(%s) = %s, want %s", in, hx, want);
}

/* the SHA-NI path (when the cpu has it) and the plain one agree on every length, in pieces */
static void check_sha_paths(void)
{
	static uint8_t data[4096 + 130];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(data); i++) {
		x = x * 1103515245 + 12345;
		data[i] = x >> 16;
	}
	for (size_t len = 0; len < sizeof(data); len += len < 300 ? 1 : 61) {
		struct sha256 a, b;
		uint8_t ha[32], hb[32];
		size_t cut = len / 3;

		sha256_init(&a);
		sha256_update(&a, data, cut);
		sha256_update(&a, data + cut, len - cut);
		sha256_final(&a, ha);
		sha256_init_generic(&b);
		sha256_update(&b, data, len);
		sha256_final(&b, hb);
		CHECK(!memcmp(ha, hb, 32), "sha256 paths differ at length %zu", len);
	}
}

/* str_cat: its parts' lengths kept for 16, counted again past them */
static void check_str_cat(void)
{
	char *s = str_cat("a", "", "bc", NULL), *t;

	CHECK(s && !strcmp(s, "abc"), "str_cat(a, \"\", bc) = %s", s ? s : "(null)");
	free(s);
	t = str_cat("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
		    "16", "17", "18", NULL);
	CHECK(t && !strcmp(t, "123456789101112131415161718"), "str_cat of 18 = %s", t ? t : "(null)");
	free(t);
}

/* a snapshot's string storage: small strings share blocks, a long one gets its own and the
 * block being filled stays the one filled */
static void check_snap_strs(void)
{
	struct snap_objs o = { 0 };
	char *src = malloc(100000), *big = NULL, *v[3000];
	bool ok = src != NULL;

	if (src) {
		memset(src, 'x', 99999);
		src[99999] = 0;
	}
	for (int i = 0; ok && i < 3000; i++) {
		char n[16];

		snprintf(n, sizeof(n), "s%d", i);
		v[i] = snap_objs_str(&o, n, strlen(n));
		ok = v[i] != NULL;
		if (ok && i == 1000)
			ok = (big = snap_objs_str(&o, src, 99999)) != NULL;
	}
	for (int i = 0; ok && i < 3000; i++) {
		char n[16];

		snprintf(n, sizeof(n), "s%d", i);
		ok = !strcmp(v[i], n);
	}
	CHECK(ok && strlen(big) == 99999 && big[0] == 'x', "snap_objs_str: a string changed");
	snap_objs_free(&o);
	free(src);
}

int main(void)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct jw w;

	check_sha("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_sha_paths();
	check_str_cat();
	check_snap_strs();
	jw_init(&w, f, false);
	jw_start_object(&w);
	jw_name(&w, "k\"ey");
	jw_string_len(&w, "a\x01\n\xff\xc3\xa9\x00z", 8);
	jw_name(&w, "n");
	jw_uint(&w, 42);
	jw_end_object(&w);
	fclose(f);
	CHECK(!strcmp(mem, "{\"k\\\"ey\":\"a\\u0001\\n\\ufffd\xc3\xa9\\u0000z\",\"n\":42}"),
	      "json escaping: %s", mem);
	free(mem);
	printf("%s\n", failed ? "unit json_sha: FAIL" : "unit json_sha: ok");
	return failed != 0;
}
