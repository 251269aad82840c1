/* Unit checks of the JSON writer's escaping and of SHA-256 against FIPS vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/json_writer.h"
#include "lib/sha256.h"
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
